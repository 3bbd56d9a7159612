"""Graphviz drawings of LTSs and span forests, as deterministic DOT text.

The functions return DOT source (pure, deterministic); :func:`render` turns it into SVG/PNG bytes
with the ``dot`` program through the ``graphviz`` package. Labels are escaped, so event names and
span names with quotes, backslashes or newlines cannot break the drawing.
"""

from __future__ import annotations

from collections.abc import Hashable

from cspotlp.csp.lts import Lts
from cspotlp.errors import ExportError
from cspotlp.mapping.forest import Forest, depths
from cspotlp.mapping.vocabulary import id_key


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


def forest_to_dot(forest: Forest) -> str:
    """A span forest as a DOT tree: one box per span with its interval, marks and status."""
    lines = ["digraph spans {", "  rankdir=TB;", '  node [shape=box, fontname="Helvetica"];']
    for rec in forest.records():
        end = "open" if rec.end is None else str(rec.end)
        label = [f"{rec.name}", f"[{rec.start}, {end}]"]
        label.extend(f"• {m.name} @{m.time}" for m in rec.marks)
        label.extend(f"→ link @{k.time}" for k in rec.links)
        if rec.status is not None:
            label.append(f"status {rec.status}")
        color = ', color="red"' if "error" in str(rec.status).lower() else ""
        lines.append(f"  {_node(rec.id)} [label={_quote(chr(10).join(label))}{color}];")
    for rec in forest.records():
        if rec.parent is not None and rec.parent in forest:
            lines.append(f"  {_node(rec.parent)} -> {_node(rec.id)};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def timeline(forest: Forest, width: int = 60) -> str:
    """A text timeline: one row per span (indented by depth), a bar over its interval."""
    recs = forest.records()
    if not recs:
        return ""
    times = [r.start for r in recs] + [r.end for r in recs if r.end is not None]
    lo, hi = min(times), max(times)
    scale = (width - 1) / (hi - lo) if hi > lo else 0.0
    depth = depths(forest)
    order = sorted(recs, key=lambda r: (r.start, depth[r.id], id_key(r.id)))
    name_width = max(len("  " * depth[r.id] + r.name) for r in recs)
    rows = []
    for r in order:
        a = round((r.start - lo) * scale)
        b = round(((r.end if r.end is not None else hi) - lo) * scale)
        bar = " " * a + "█" * max(b - a, 1)
        tail = "" if r.end is not None else "…"
        rows.append(f"{('  ' * depth[r.id] + r.name).ljust(name_width)} │{bar}{tail}")
    return "\n".join(rows) + "\n"


def render(dot_source: str, fmt: str = "svg") -> bytes:
    """Run Graphviz ``dot`` on DOT text and return the drawing (``svg``, ``png``, ``pdf``)."""
    import graphviz

    try:
        return bytes(graphviz.Source(dot_source).pipe(format=fmt))
    except graphviz.ExecutableNotFound as e:
        raise ExportError("Graphviz 'dot' is not installed (Debian package graphviz)") from e
    except graphviz.CalledProcessError as e:
        raise ExportError(f"dot failed: {e.stderr!r}") from e
