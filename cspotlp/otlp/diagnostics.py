"""Diagnostics of captured traces, and the statistics ``cspotlp inspect`` prints.

:func:`diagnose` lists, for one :class:`CapturedTrace`, every way it departs from a clean span
tree. Each :class:`Diagnostic` names the file (and JSON Lines line), trace id and span id, says
whether it *blocks* conversion to a span forest, and names the repair policy that can fix it
(see :mod:`cspotlp.otlp.repair`):

=========================  ========  ===============  ===========================================
kind                       blocking  repair           meaning
=========================  ========  ===============  ===========================================
``invalid-id``             yes       —                empty, all-zero or wrong-length trace/span
                                                      id, or an invalid parent id
``duplicate-id``           yes       ``split-shared`` a further span with an id already used in
                                                      the trace (Zipkin shared client/server
                                                      spans, duplicate delivery)
``orphan``                 yes       ``synthetic-root`` the parent id is not in the trace
``cycle``                  yes       ``break-cycles`` parent links form a cycle (a span may be its
                                                      own parent)
``end-before-start``       yes       ``clamp-skew``   the span ends before it starts
``child-outside-parent``   if the    ``clamp-skew``   the child starts before its parent starts
                           child                      or after it ended (clock skew: blocking),
                           starts                     or only ends after it (asynchronous work:
                           outside                    legal, reported for information)
``event-outside-span``     yes       ``clamp-skew``   a span event lies outside its span
=========================  ========  ===============  ===========================================

Where a span id is duplicated, its first record in the file stands for the id when parents are
looked up (so a child is compared with that record's interval).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NamedTuple

from cspotlp.errors import SpanWhere
from cspotlp.otlp.model import (
    KIND_CLIENT,
    KIND_SERVER,
    SPAN_ID_HEX,
    STATUS_ERROR,
    TRACE_ID_HEX,
    Span,
    id_problem,
    service_name,
)
from cspotlp.otlp.reader import Capture, CapturedTrace

DIAGNOSTIC_KINDS: tuple[str, ...] = (
    "invalid-id", "duplicate-id", "orphan", "cycle", "end-before-start", "child-outside-parent",
    "event-outside-span",
)
"""Every diagnostic kind, in the order :func:`diagnose` lists them."""

REPAIR_OF: dict[str, str | None] = {
    "invalid-id": None, "duplicate-id": "split-shared", "orphan": "synthetic-root",
    "cycle": "break-cycles", "end-before-start": "clamp-skew",
    "child-outside-parent": "clamp-skew", "event-outside-span": "clamp-skew",
}
"""The repair policy that fixes each kind (None: no repair; such input is rejected)."""


class Diagnostic(NamedTuple):
    """One departure of a captured trace from a clean span tree."""

    kind: str
    where: SpanWhere
    message: str
    blocking: bool
    repair: str | None

    @property
    def trace_id(self) -> str | None:
        """The trace id, as read."""
        return self.where.trace_id

    @property
    def span_id(self) -> str | None:
        """The span id, as read."""
        return self.where.span_id

    def __str__(self) -> str:
        return f"{self.where}: {self.kind}: {self.message}"

    def to_json(self) -> dict[str, Any]:
        """A JSON object: kind, trace_id, span_id, message, blocking, repair, file, line."""
        return {"kind": self.kind, "trace_id": self.trace_id, "span_id": self.span_id,
                "message": self.message, "blocking": self.blocking, "repair": self.repair,
                "file": self.where.file, "line": self.where.line}


def diagnose(trace: CapturedTrace) -> list[Diagnostic]:
    """Every diagnostic of ``trace``, grouped by kind in :data:`DIAGNOSTIC_KINDS` order.

    Each group is in file order. Linear in the number of spans; no recursion.
    """
    spans = trace.spans
    found: dict[str, list[Diagnostic]] = {kind: [] for kind in DIAGNOSTIC_KINDS}

    def add(kind: str, index: int, message: str, blocking: bool = True) -> None:
        found[kind].append(Diagnostic(kind, trace.where(index), message, blocking, REPAIR_OF[kind]))

    first = first_records(spans)
    if spans and (problem := id_problem(trace.trace_id, TRACE_ID_HEX)):
        add("invalid-id", 0, f"trace id {trace.trace_id!r} {problem}")
    records_of: dict[str, int] = {}
    for i, sp in enumerate(spans):
        if problem := id_problem(sp.span_id, SPAN_ID_HEX):
            add("invalid-id", i, f"span id {sp.span_id!r} {problem}")
        pid = sp.parent_span_id
        if pid and (problem := id_problem(pid, SPAN_ID_HEX)):
            add("invalid-id", i, f"parent span id {pid!r} {problem}")
            pid = ""  # reported once, as invalid; not also as an orphan
        count = records_of[sp.span_id] = records_of.get(sp.span_id, 0) + 1
        if count > 1:
            add("duplicate-id", i, _duplicate_message(sp, spans[first[sp.span_id]], count))
        if pid and pid not in first:
            add("orphan", i, f"parent {pid} is not in the trace")
        if sp.end_time_unix_nano and sp.end_time_unix_nano < sp.start_time_unix_nano:
            add("end-before-start", i, f"ends {_ns(sp.start_time_unix_nano - sp.end_time_unix_nano)}"
                " before it starts")
        if pid and pid in first and pid != sp.span_id:
            _check_interval(sp, spans[first[pid]], i, add)
        for e in sp.events:
            t = e.time_unix_nano
            if t < sp.start_time_unix_nano or (sp.end_time_unix_nano and t > sp.end_time_unix_nano):
                where = "before the span starts" if t < sp.start_time_unix_nano else "after it ends"
                add("event-outside-span", i, f"event {e.name!r} at {t} lies {where}")
    for index, members in find_cycles(spans, first):
        path = " -> ".join(spans[m].span_id for m in members)
        what = "is its own parent" if len(members) == 1 else f"is on a parent cycle {path}"
        add("cycle", index, f"span {spans[index].span_id} {what}")
    return [d for kind in DIAGNOSTIC_KINDS for d in found[kind]]


def _duplicate_message(sp: Span, first: Span, count: int) -> str:
    if sp == first:
        return f"record {count} of span id {sp.span_id} repeats the first exactly (duplicate delivery)"
    if {sp.kind, first.kind} == {KIND_CLIENT, KIND_SERVER}:
        return (f"record {count} of span id {sp.span_id}: the client and server halves of a shared "
                "span (Zipkin)")
    return f"record {count} of span id {sp.span_id} differs from the first"


def _check_interval(sp: Span, parent: Span, index: int, add: Any) -> None:
    start, end = sp.start_time_unix_nano, sp.end_time_unix_nano
    p_start, p_end = parent.start_time_unix_nano, parent.end_time_unix_nano
    if start < p_start:
        add("child-outside-parent", index, f"starts {_ns(p_start - start)} before its parent "
            f"{parent.span_id} starts (clock skew)")
    elif p_end and start > p_end:
        add("child-outside-parent", index, f"starts {_ns(start - p_end)} after its parent "
            f"{parent.span_id} ended")
    elif p_end and (end == 0 or end > p_end):
        later = "is still open when" if end == 0 else f"ends {_ns(end - p_end)} after"
        add("child-outside-parent", index, f"{later} its parent {parent.span_id} ended "
            "(asynchronous work; legal)", blocking=False)


def _ns(delta: int) -> str:
    if delta >= 1_000_000_000:
        return f"{delta / 1e9:.3f} s"
    if delta >= 1_000_000:
        return f"{delta / 1e6:.3f} ms"
    if delta >= 1_000:
        return f"{delta / 1e3:.3f} µs"
    return f"{delta} ns"


def first_records(spans: Iterable[Span]) -> dict[str, int]:
    """Span id → index of its first record (which stands for the id as a parent)."""
    first: dict[str, int] = {}
    for i, sp in enumerate(spans):
        first.setdefault(sp.span_id, i)
    return first


def find_cycles(spans: tuple[Span, ...], first: dict[str, int]) -> list[tuple[int, list[int]]]:
    """The parent cycles among first records: (index reported, indices on the cycle in order)."""
    state: dict[int, int] = {}  # 1 on the current walk, 2 finished
    cycles: list[tuple[int, list[int]]] = []
    for start in first.values():
        walk: list[int] = []
        cur: int | None = start
        while cur is not None and cur not in state:
            state[cur] = 1
            walk.append(cur)
            pid = spans[cur].parent_span_id
            cur = first.get(pid) if pid else None
        if cur is not None and state.get(cur) == 1:
            members = walk[walk.index(cur):]
            cycles.append((min(members), members))
        for node in walk:
            state[node] = 2
    cycles.sort()
    return cycles


def depth(spans: tuple[Span, ...], first: dict[str, int] | None = None) -> int:
    """The number of levels of the deepest chain of parent links, computed without recursion.

    A lone span has depth 1; an orphan starts a chain of its own; a cycle counts each member once.
    """
    first = first_records(spans) if first is None else first
    level: dict[int, int] = {}
    deepest = 0
    for start in first.values():
        walk: list[int] = []
        on_walk: set[int] = set()
        cur: int | None = start
        while cur is not None and cur not in level and cur not in on_walk:
            on_walk.add(cur)
            walk.append(cur)
            pid = spans[cur].parent_span_id
            cur = first.get(pid) if pid else None
        base = level[cur] if cur is not None and cur in level else 0
        for offset, node in enumerate(reversed(walk), start=1):
            level[node] = base + offset
        if walk:
            deepest = max(deepest, level[walk[0]])
    return deepest


class Summary(NamedTuple):
    """What ``cspotlp inspect`` prints for a file (or a trace)."""

    traces: int
    spans: int
    services: tuple[str, ...]
    roots: int
    depth: int
    links: int
    events: int
    errors: int
    diagnostics: tuple[Diagnostic, ...]

    def count(self, kind: str) -> int:
        """The number of diagnostics of ``kind``."""
        return sum(1 for d in self.diagnostics if d.kind == kind)

    def to_json(self) -> dict[str, Any]:
        """A JSON object with every field; diagnostics as objects."""
        counts = {kind: self.count(kind) for kind in DIAGNOSTIC_KINDS}
        return {"traces": self.traces, "spans": self.spans, "services": list(self.services),
                "roots": self.roots, "depth": self.depth, "links": self.links,
                "events": self.events, "errors": self.errors, "diagnostic_counts": counts,
                "diagnostics": [d.to_json() for d in self.diagnostics]}


def summarise(traces: Capture | Iterable[CapturedTrace]) -> Summary:
    """Statistics and diagnostics of a capture (or of some traces)."""
    items = traces.traces if isinstance(traces, Capture) else tuple(traces)
    services: set[str] = set()
    n_spans = roots = deepest = links = events = errors = 0
    diagnostics: list[Diagnostic] = []
    seen_resources: set[int] = set()
    for trace in items:
        spans = trace.spans
        n_spans += len(spans)
        for sp in spans:
            roots += not sp.parent_span_id
            links += len(sp.links)
            events += len(sp.events)
            errors += sp.status.code == STATUS_ERROR
            if id(sp.resource) not in seen_resources:
                seen_resources.add(id(sp.resource))
                name = service_name(sp.resource)
                if name:
                    services.add(name)
        deepest = max(deepest, depth(spans))
        diagnostics.extend(diagnose(trace))
    return Summary(len(items), n_spans, tuple(sorted(services)), roots, deepest, links, events,
                   errors, tuple(diagnostics))
