"""Captured spans as a tree: rows in tree order, human-readable times, error status.

Drawings of captured traces start here. :func:`span_rows` orders the spans of one trace as a
tree — roots and children by start time — whatever the input: a span whose parent is absent
is shown as a root (marked ``orphan``), a cycle is cut where it closes, a repeated span id is
shown once per record. The walk is iterative (traces can be 10^5 spans deep).

>>> from cspotlp.otlp import Span
>>> rows = span_rows([Span("t", "b", "a", "child", 1, 20, 30), Span("t", "a", "", "root", 2, 10, 40)])
>>> [(r.depth, r.span.name) for r in rows]
[(0, 'root'), (1, 'child')]
>>> human_duration(1_500_000), human_duration(2_000_000_000), human_duration(999)
('1.5 ms', '2 s', '999 ns')
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass

from cspotlp.mapping.abstraction import UNKNOWN_SERVICE
from cspotlp.otlp.model import Span, Status, service_name

STATUS_ERROR = 2


def is_error_status(status: Hashable) -> bool:
    """True for an error status: an OTLP :class:`Status` with code 2, or a text ``"error"``.

    Forests from captured traces carry OTLP statuses; forests of CSP traces carry whatever the
    ``end`` event said (``End(s, "ERROR")``).

    >>> is_error_status(Status(2, "card declined")), is_error_status(Status(1)), is_error_status("ERROR")
    (True, False, True)
    """
    if isinstance(status, Status):
        return status.code == STATUS_ERROR
    if isinstance(status, str):
        return status.strip().lower() in ("error", "status_code_error")
    return False


@dataclass(frozen=True)
class SpanRow:
    """One span in tree order: its depth and whether its parent is missing."""

    span: Span
    depth: int
    orphan: bool = False


def span_rows(spans: Sequence[Span]) -> list[SpanRow]:
    """The spans in tree order (see the module docstring)."""
    ids = {sp.span_id for sp in spans}
    children: dict[str, list[int]] = {}
    roots: list[int] = []
    for k, sp in enumerate(spans):
        if sp.parent_span_id and sp.parent_span_id in ids and sp.parent_span_id != sp.span_id:
            children.setdefault(sp.parent_span_id, []).append(k)
        else:
            roots.append(k)

    def order(indices: list[int]) -> list[int]:
        return sorted(indices, key=lambda k: (spans[k].start_time_unix_nano, spans[k].span_id, k))

    rows: list[SpanRow] = []
    expanded: set[str] = set()
    placed: set[int] = set()
    stack: list[tuple[int, int]] = [(k, 0) for k in reversed(order(roots))]

    def walk() -> None:
        while stack:
            k, depth = stack.pop()
            if k in placed:
                continue
            placed.add(k)
            sp = spans[k]
            rows.append(SpanRow(sp, depth, bool(sp.parent_span_id) and depth == 0))
            if sp.span_id in expanded:
                continue  # a repeated id: its children are already shown under the first
            expanded.add(sp.span_id)
            stack.extend((c, depth + 1) for c in reversed(order(children.get(sp.span_id, []))))

    walk()
    # spans only reachable through a cycle: show each cycle from its earliest span
    for k in order([k for k in range(len(spans)) if k not in placed]):
        if k not in placed:
            stack.append((k, 0))
            walk()
    return rows


def service_of(span: Span) -> str:
    """The span's ``service.name`` (``unknown_service`` without one)."""
    return service_name(span.resource) or UNKNOWN_SERVICE


def human_duration(ns: int) -> str:
    """A duration in nanoseconds, short and readable: ``850 ns``, ``1.5 ms``, ``2 s``."""
    size = abs(ns)
    for unit, scale in (("s", 1_000_000_000), ("ms", 1_000_000), ("µs", 1_000)):
        if size >= scale:
            value = ns / scale
            text = f"{value:.3g}" if abs(value) < 100 else f"{value:.0f}"
            return f"{text} {unit}"
    return f"{ns} ns"


def span_label(span: Span, epoch: int) -> list[str]:
    """The lines that describe a span in a drawing: name, service, when and how long, status."""
    lines = [span.name, service_of(span)]
    if span.end_time_unix_nano:
        lines.append(f"+{human_duration(span.start_time_unix_nano - epoch)}, "
                     f"{human_duration(span.end_time_unix_nano - span.start_time_unix_nano)}")
    else:
        lines.append(f"+{human_duration(span.start_time_unix_nano - epoch)}, not ended")
    if span.status.code == STATUS_ERROR:
        lines.append(f"ERROR {span.status.message}".rstrip())
    return lines


def epoch_of(spans: Sequence[Span]) -> int:
    """The earliest start time of the spans (0 for none)."""
    return min((sp.start_time_unix_nano for sp in spans), default=0)


__all__ = ["STATUS_ERROR", "SpanRow", "epoch_of", "human_duration", "is_error_status",
           "service_of", "span_label", "span_rows"]
