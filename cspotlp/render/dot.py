"""Graphviz drawings of LTSs and span forests, as deterministic DOT text.

The functions return DOT source (pure, deterministic); :func:`render` turns it into SVG/PNG bytes
with the ``dot`` program through the ``graphviz`` package. Labels are escaped, so event names and
span names with quotes, backslashes or newlines cannot break the drawing.
"""

from __future__ import annotations

from collections.abc import Hashable

from cspotlp.csp.lts import Lts
from cspotlp.errors import ExportError
from cspotlp.mapping.forest import Forest, SpanRecord, depths
from cspotlp.mapping.otlp_bridge import SpanPayload
from cspotlp.mapping.vocabulary import SpanId, id_key
from cspotlp.otlp.model import Status
from cspotlp.render.spans import human_duration, is_error_status


def _quote(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "")
    return f'"{escaped}"'


def lts_to_dot(lts: Lts, *, max_states: int = 2_000, show_terms: bool = False) -> str:
    """The LTS as a DOT digraph: states as circles (initial bold, deadlocks red), τ dashed.

    Raises:
        ExportError: the LTS has more than ``max_states`` states (a drawing would be unreadable).
    """
    if lts.num_states > max_states:
        raise ExportError(
            f"LTS has {lts.num_states} states; drawing is limited to {max_states} (max_states=)"
        )
    dead = set(lts.deadlocks())
    lines = ["digraph lts {", "  rankdir=LR;", '  node [shape=circle, fontname="Helvetica"];',
             '  edge [fontname="Helvetica"];']
    for s in range(lts.num_states):
        attrs = [f"label={_quote(str(lts.terms[s]) if show_terms else str(s))}"]
        if s == 0:
            attrs.append("penwidth=2.5")
        if s in dead:
            attrs.append('color="red"')
        lines.append(f"  s{s} [{', '.join(attrs)}];")
    for s in range(lts.num_states):
        for lab, t in lts.successor_numbers(s):
            style = ", style=dashed" if lab == 0 else ""
            lines.append(f"  s{s} -> s{t} [label={_quote(str(lts.events[lab]))}{style}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _node(span: Hashable) -> str:
    return _quote(f"span:{span}")


def forest_to_dot(forest: Forest, *, highlight: SpanId | None = None) -> str:
    """A span forest as a DOT tree: one box per span with its interval, marks and status.

    Children are drawn left to right in start order. An error status — an OTLP ``Status`` with
    code 2 from a captured trace, or the text ``ERROR`` at the end of a CSP trace's span — draws
    the box red; ``highlight`` (a span id) draws that span with a thick orange outline.
    Captured forests built with ``keep_times=True`` show their real times (offset from the
    trace's start and duration, in human units); others show their logical ``[start, end]``.
    """
    records = forest.records()
    real_starts = [t[0] for t in map(_real_times, records) if t is not None]
    epoch = min(real_starts, default=0)
    lines = ["digraph spans {", "  rankdir=TB;", "  ordering=out;",
             '  node [shape=box, fontname="Helvetica"];']
    for rec in records:
        real = _real_times(rec)
        if real is not None:
            start, end_ns = real
            when = f"+{human_duration(start - epoch)}, " + (
                human_duration(end_ns - start) if rec.end is not None and end_ns else "open")
        else:
            when = f"[{rec.start}, {'open' if rec.end is None else rec.end}]"
        label = [f"{rec.name}", when]
        label.extend(f"• {m.name} @{m.time}" for m in rec.marks)
        label.extend(f"→ link @{k.time}" for k in rec.links)
        if rec.status is not None:
            label.append(f"status {_status_text(rec.status)}")
        attrs = [f"label={_quote(chr(10).join(label))}"]
        if is_error_status(rec.status):
            attrs.append('color="red", fontcolor="red"')
        if highlight is not None and rec.id == highlight:
            attrs.append('penwidth=4, style="bold,filled", fillcolor="#fff1d6", class="offending"')
            if not is_error_status(rec.status):
                attrs.append('color="#ff8c00"')
        lines.append(f"  {_node(rec.id)} [{', '.join(attrs)}];")
    for rec in sorted(records, key=lambda r: (r.start, id_key(r.id))):
        if rec.parent is not None and rec.parent in forest:
            lines.append(f"  {_node(rec.parent)} -> {_node(rec.id)};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _real_times(rec: SpanRecord) -> tuple[int, int] | None:
    payload = rec.payload
    if isinstance(payload, SpanPayload) and payload.original_times is not None:
        return payload.original_times
    return None


def _status_text(status: Hashable) -> str:
    if isinstance(status, Status):
        name = {0: "UNSET", 1: "OK", 2: "ERROR"}.get(status.code, str(status.code))
        return f"{name} {status.message}".rstrip()
    return str(status)


def timeline(forest: Forest, width: int = 60) -> str:
    """A text timeline: one row per span in tree order (children in start order), a bar over its interval."""
    recs = forest.records()
    if not recs:
        return ""
    times = [r.start for r in recs] + [r.end for r in recs if r.end is not None]
    lo, hi = min(times), max(times)
    scale = (width - 1) / (hi - lo) if hi > lo else 0.0
    depth = depths(forest)
    name_width = max(len("  " * depth[r.id] + r.name) for r in recs)
    rows = []
    for r in tree_order(forest):
        a = round((r.start - lo) * scale)
        b = round(((r.end if r.end is not None else hi) - lo) * scale)
        bar = " " * a + "█" * max(b - a, 1)
        tail = "" if r.end is not None else "…"
        rows.append(f"{('  ' * depth[r.id] + r.name).ljust(name_width)} │{bar}{tail}")
    return "\n".join(rows) + "\n"


def tree_order(forest: Forest) -> list[SpanRecord]:
    """The records depth first, roots and children in start order (iterative; cycles cut)."""
    def key(r: SpanRecord) -> tuple[int, tuple[int, int | str]]:
        return (r.start, id_key(r.id))

    children: dict[SpanId, list[SpanRecord]] = {}
    roots = []
    for r in forest.records():
        if r.parent is not None and r.parent in forest:
            children.setdefault(r.parent, []).append(r)
        else:
            roots.append(r)
    out: list[SpanRecord] = []
    seen: set[SpanId] = set()
    stack = sorted(roots, key=key, reverse=True)
    while True:
        while stack:
            r = stack.pop()
            if r.id in seen:
                continue
            seen.add(r.id)
            out.append(r)
            stack.extend(sorted(children.get(r.id, []), key=key, reverse=True))
        rest = [r for r in sorted(forest.records(), key=key) if r.id not in seen]
        if not rest:  # left only on a cycle: start it at its earliest span
            return out
        stack.append(rest[0])


def render(dot_source: str, fmt: str = "svg") -> bytes:
    """Run Graphviz ``dot`` on DOT text and return the drawing (``svg``, ``png``, ``pdf``)."""
    import graphviz

    try:
        return bytes(graphviz.Source(dot_source).pipe(format=fmt))
    except graphviz.ExecutableNotFound as e:
        raise ExportError("Graphviz 'dot' is not installed (Debian package graphviz)") from e
    except graphviz.CalledProcessError as e:
        raise ExportError(f"dot failed: {e.stderr!r}") from e
