"""A captured trace as an indented text tree, for test reports.

One line per span: service and name, kind, start (after the trace's first start) and
duration, status, span id; children under their parent in start order. Spans can be marked
with a note (the conformance counterexample marks the offending span). Spans whose parent was
not captured are shown as roots with a note; spans in a parent cycle, which no root reaches,
are listed at the end. Built without recursion, so deep traces are fine.

>>> from cspotlp.otlp import CapturedTrace, Span
>>> t = CapturedTrace("ab" * 16, (Span("ab" * 16, "02" * 8, "01" * 8, "charge", 3, 2_000_000, 3_000_000),
...                             Span("ab" * 16, "01" * 8, "", "checkout", 2, 1_000_000, 5_000_000)))
>>> print(span_tree(t, {"02" * 8: "refused here"}))
trace abababababababababababababababab (2 spans)
└─ unknown_service: checkout  server  +0 ns, 4.000 ms  span 0101010101010101
   └─ unknown_service: charge  client  +1.000 ms, 1.000 ms  span 0202020202020202  <-- refused here
"""

from __future__ import annotations

from collections.abc import Mapping

from cspotlp.mapping.abstraction import KIND_NAMES, UNKNOWN_SERVICE
from cspotlp.otlp.model import Span, service_name
from cspotlp.otlp.reader import CapturedTrace

_STATUS = ("", "OK", "ERROR")
MAX_INDENT = 32
"""Deeper spans are not indented further but numbered (indentation would grow quadratically)."""


def _duration(nanos: int) -> str:
    """A duration in the unit that suits it (captures range from ns ticks to minutes)."""
    for unit, size in (("s", 10**9), ("ms", 10**6), ("µs", 10**3)):
        if abs(nanos) >= size:
            return f"{nanos / size:.3f} {unit}"
    return f"{nanos} ns"


def _line(sp: Span, origin: int, note: str | None) -> str:
    kind = KIND_NAMES[sp.kind] if 0 <= sp.kind < len(KIND_NAMES) else str(sp.kind)
    when = f"+{_duration(sp.start_time_unix_nano - origin)}, " + (
        _duration(sp.end_time_unix_nano - sp.start_time_unix_nano) if sp.end_time_unix_nano
        else "open")
    parts = [f"{service_name(sp.resource) or UNKNOWN_SERVICE}: {sp.name}", kind, when]
    code = sp.status.code
    if code:
        status = _STATUS[code] if code < len(_STATUS) else f"status {code}"
        parts.append(f"{status} {sp.status.message!r}" if sp.status.message else status)
    parts.append(f"span {sp.span_id}")
    if note:
        parts.append(f"<-- {note}")
    return "  ".join(parts)


def span_tree(trace: CapturedTrace, notes: Mapping[str, str] | None = None) -> str:
    """The text tree of ``trace``; ``notes`` maps span ids to a note shown on their line."""
    notes = notes or {}
    spans = trace.spans
    origin = min((s.start_time_unix_nano for s in spans), default=0)
    present = {s.span_id for s in spans}
    children: dict[str, list[int]] = {}
    roots: list[int] = []
    for k, sp in enumerate(spans):
        if sp.parent_span_id and sp.parent_span_id in present:
            children.setdefault(sp.parent_span_id, []).append(k)
        else:
            roots.append(k)

    def by_start(k: int) -> tuple[int, str, int]:
        return spans[k].start_time_unix_nano, spans[k].span_id, k

    lines = [f"trace {trace.trace_id} ({len(spans)} span{'s' if len(spans) != 1 else ''})"]
    seen = [False] * len(spans)
    # (span index, its depth, indentation of its line, is it the last of its siblings)
    stack = [(k, 0, "", i == len(roots) - 1) for i, k in enumerate(sorted(roots, key=by_start))]
    stack.reverse()
    while stack:
        k, depth, indent, last = stack.pop()
        if seen[k]:
            continue
        seen[k] = True
        sp = spans[k]
        note = notes.get(sp.span_id)
        if sp.parent_span_id and sp.parent_span_id not in present:
            orphan = f"parent {sp.parent_span_id} not captured"
            note = f"{note}; {orphan}" if note else orphan
        deep = f"[depth {depth}] " if depth >= MAX_INDENT else ""
        lines.append(f"{indent}{'└─' if last else '├─'} {deep}{_line(sp, origin, note)}")
        kids = sorted(children.get(sp.span_id, ()), key=by_start)
        below = indent if depth + 1 >= MAX_INDENT else indent + ("   " if last else "│  ")
        stack.extend((c, depth + 1, below, i == len(kids) - 1)
                     for i, c in reversed(list(enumerate(kids))))
    stray = [k for k in range(len(spans)) if not seen[k]]
    if stray:
        lines.append("not reachable from a root (a parent cycle):")
        lines.extend(f"   {_line(spans[k], origin, notes.get(spans[k].span_id))}"
                     for k in sorted(stray, key=by_start))
    return "\n".join(lines)


__all__ = ["span_tree"]
