"""Φ (phi), Ψ (psi), norm and cut: the correspondence of DESIGN.md §2.

Φ(t) gives span ``s`` the index (1-based) of its ``begin`` as start, of its ``end`` as end (open
if none), and marks/links their indices. Ψ(F) lists every occurrence of F sorted by
:func:`occurrence_key`, whose tie-break always yields a WF trace for a valid forest:

1. time;
2. class: begins, then marks, then links, then ends — a span's own marks and a child's begin at
   the parent's end time come before that end;
3. for begins, depth — a parent begins before a child that starts at the same time;
4. span id; 5. position in the span's mark or link list.

norm(F) replaces every time by the rank of its occurrence in Ψ's order, so Φ(Ψ(F)) = norm(F).

Why the tie-break yields a WF trace (T1): in a valid forest ``start(p) <= start(c) <= end(p)``,
``start(s) <= end(s)`` and every mark or link of ``s`` lies in ``[start(s), end(s)]``. When such an
inequality is strict, time alone puts the two occurrences in the order W2–W4 require; when it is an
equality, the class (begin < mark < link < end) or, for parent and child beginning together, the
depth does. Any other key can be passed to :func:`psi` to see a law fail (tests do this).
"""

from __future__ import annotations

from collections.abc import Callable, Container, Hashable, Sequence
from dataclasses import dataclass, replace

from cspotlp.errors import MappingError
from cspotlp.mapping.forest import Forest, SpanRecord, TimedLink, TimedMark, depths, restrict
from cspotlp.mapping.vocabulary import (
    Begin,
    End,
    Link,
    Mark,
    SpanEvent,
    SpanId,
    Trace,
    id_key,
    wf_violation,
)

BEGIN, MARK, LINK, END = 0, 1, 2, 3
"""Occurrence classes, in the order Ψ lists occurrences that share a time."""

SortKey = tuple[int, int, int, tuple[int, int | str], int]
OccurrenceKey = Callable[[int, int, int, SpanId, int], SortKey]
"""A sort key for occurrences: (time, class, depth of the span, span id, list position) -> key."""


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One time-stamped occurrence of a forest, with its position in Ψ's order as ``key``."""

    key: SortKey
    event: SpanEvent


def occurrence_key(time: int, cls: int, depth: int, span: SpanId, seq: int) -> SortKey:
    """Ψ's sort key: (time, class, depth for begins else 0, span id, list position)."""
    return (time, cls, depth if cls == BEGIN else 0, id_key(span), seq)


def occurrences(forest: Forest, key: OccurrenceKey = occurrence_key) -> list[Occurrence]:
    """Every occurrence of ``forest``, sorted by ``key`` (by default Ψ's order)."""
    depth = depths(forest)
    occ: list[Occurrence] = []
    for rec in forest.records():
        sid, d = rec.id, depth[rec.id]
        occ.append(Occurrence(key(rec.start, BEGIN, d, sid, 0),
                              Begin(sid, rec.parent, rec.name, rec.payload)))
        for i, m in enumerate(rec.marks):
            occ.append(Occurrence(key(m.time, MARK, d, sid, i), Mark(sid, m.name, m.payload)))
        for i, k in enumerate(rec.links):
            occ.append(Occurrence(key(k.time, LINK, d, sid, i), Link(sid, k.target, k.payload)))
        if rec.end is not None:
            occ.append(Occurrence(key(rec.end, END, d, sid, 0), End(sid, rec.status)))
    occ.sort(key=lambda o: o.key)
    return occ


def psi(forest: Forest, key: OccurrenceKey = occurrence_key) -> Trace:
    """Ψ(F): the forest's occurrences as a trace, in Ψ's deterministic order (WF for valid F).

    ``key`` replaces the tie-break; only the default is guaranteed to give a WF trace.

    >>> f = Forest([SpanRecord(1, None, "r", None, 5, 5), SpanRecord(2, 1, "c", None, 5, 5)])
    >>> [type(e).__name__ + str(e.span) for e in psi(f)]
    ['Begin1', 'Begin2', 'End1', 'End2']
    """
    return tuple(o.event for o in occurrences(forest, key))


class _Builder:
    __slots__ = ("parent", "name", "payload", "start", "end", "marks", "links", "status")

    def __init__(self, ev: Begin, start: int) -> None:
        self.parent = ev.parent
        self.name = ev.name
        self.payload = ev.payload
        self.start = start
        self.end: int | None = None
        self.marks: list[TimedMark] = []
        self.links: list[TimedLink] = []
        self.status: Hashable = None


def phi(trace: Sequence[SpanEvent]) -> Forest:
    """Φ(t): the span forest of a WF trace; raises :class:`MappingError` if ``t`` is not WF.

    >>> f = phi([Begin(1, None, "root"), Mark(1, "hi"), End(1, "OK")])
    >>> (f[1].start, f[1].marks[0].time, f[1].end)
    (1, 2, 3)
    """
    bad = wf_violation(trace)
    if bad is not None:
        index, reason = bad
        raise MappingError(f"trace is not well formed at event {index + 1}: {reason}")
    spans: dict[SpanId, _Builder] = {}
    for time, ev in enumerate(trace, start=1):
        if isinstance(ev, Begin):
            spans[ev.span] = _Builder(ev, time)
        elif isinstance(ev, End):
            spans[ev.span].end = time
            spans[ev.span].status = ev.status
        elif isinstance(ev, Mark):
            spans[ev.span].marks.append(TimedMark(time, ev.name, ev.payload))
        else:
            spans[ev.span].links.append(TimedLink(time, ev.target, ev.payload))
    return Forest(
        SpanRecord(sid, b.parent, b.name, b.payload, b.start, b.end, tuple(b.marks),
                   tuple(b.links), b.status)
        for sid, b in spans.items()
    )


def norm(forest: Forest) -> Forest:
    """Normalise: every time of ``forest`` replaced by the 1-based rank of its occurrence in Ψ's order.

    This is norm(F) of DESIGN.md §2; marks and links come out listed in time order.
    """
    rank: dict[tuple[int, SpanId, int], int] = {}
    for r, o in enumerate(occurrences(forest), start=1):
        cls, sid, seq = o.key[1], o.event.span, o.key[4]
        rank[(cls, sid, seq)] = r
    out: list[SpanRecord] = []
    for rec in forest.records():
        sid = rec.id
        marks = sorted((TimedMark(rank[(MARK, sid, i)], m.name, m.payload)
                        for i, m in enumerate(rec.marks)), key=lambda m: m.time)
        links = sorted((TimedLink(rank[(LINK, sid, i)], k.target, k.payload)
                        for i, k in enumerate(rec.links)), key=lambda k: k.time)
        end = rank[(END, sid, 0)] if rec.end is not None else None
        out.append(replace(rec, start=rank[(BEGIN, sid, 0)], end=end, marks=tuple(marks),
                           links=tuple(links)))
    return Forest(out)


def cut(forest: Forest, i: int) -> Forest:
    """cut_i(F): the forest as seen at time ``i`` — spans begun by ``i``, those not yet ended open."""
    out: list[SpanRecord] = []
    for rec in forest.records():
        if rec.start > i:
            continue
        ended = rec.end is not None and rec.end <= i
        out.append(replace(
            rec,
            end=rec.end if ended else None,
            status=rec.status if ended else None,
            marks=tuple(m for m in rec.marks if m.time <= i),
            links=tuple(k for k in rec.links if k.time <= i),
        ))
    return Forest(out)


def prefix(trace: Sequence[SpanEvent], i: int) -> Trace:
    """t↾i: the first ``i`` events of ``trace`` (empty for ``i <= 0``, all for ``i >= len``)."""
    return tuple(trace[: max(i, 0)])


def project(forest: Forest, spans: Container[SpanId]) -> Forest:
    """norm(F|A): ``forest`` restricted to the spans in ``spans``, then renormalised (T6).

    For an interleaving ``u`` of WF traces ``t1``, ``t2`` with disjoint span ids,
    ``project(phi(u), spans_of(t1)) == phi(t1)``.
    """
    return norm(restrict(forest, spans))
