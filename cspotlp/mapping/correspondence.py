"""Φ (phi), Ψ (psi), norm and cut: the correspondence of docs/theory.md.

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

from collections.abc import Callable, Container, Sequence
from dataclasses import dataclass

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


def _keyed(forest: Forest, key: OccurrenceKey) -> list[tuple[SortKey, int, int, int]]:
    """(sort key, record index, class, list position) of every occurrence, sorted by key."""
    depth = depths(forest)
    out: list[tuple[SortKey, int, int, int]] = []
    add = out.append
    default = key is occurrence_key
    for r, rec in enumerate(forest.records()):
        sid = rec.id
        if default:   # occurrence_key inlined: Ψ sorts every occurrence of large forests
            idk = id_key(sid)
            add(((rec.start, BEGIN, depth[sid], idk, 0), r, BEGIN, 0))
            for i, m in enumerate(rec.marks):
                add(((m.time, MARK, 0, idk, i), r, MARK, i))
            for i, k in enumerate(rec.links):
                add(((k.time, LINK, 0, idk, i), r, LINK, i))
            if rec.end is not None:
                add(((rec.end, END, 0, idk, 0), r, END, 0))
            continue
        d = depth[sid]
        add((key(rec.start, BEGIN, d, sid, 0), r, BEGIN, 0))
        for i, m in enumerate(rec.marks):
            add((key(m.time, MARK, d, sid, i), r, MARK, i))
        for i, k in enumerate(rec.links):
            add((key(k.time, LINK, d, sid, i), r, LINK, i))
        if rec.end is not None:
            add((key(rec.end, END, d, sid, 0), r, END, 0))
    out.sort(key=lambda o: o[0])
    return out


def _event(rec: SpanRecord, cls: int, seq: int) -> SpanEvent:
    if cls == BEGIN:
        return Begin(rec.id, rec.parent, rec.name, rec.payload)
    if cls == MARK:
        m = rec.marks[seq]
        return Mark(rec.id, m.name, m.payload)
    if cls == LINK:
        k = rec.links[seq]
        return Link(rec.id, k.target, k.payload)
    return End(rec.id, rec.status)


def occurrences(forest: Forest, key: OccurrenceKey = occurrence_key) -> list[Occurrence]:
    """Every occurrence of ``forest``, sorted by ``key`` (by default Ψ's order)."""
    recs = forest.records()
    return [Occurrence(k, _event(recs[r], cls, seq)) for k, r, cls, seq in _keyed(forest, key)]


def psi(forest: Forest, key: OccurrenceKey = occurrence_key) -> Trace:
    """Ψ(F): the forest's occurrences as a trace, in Ψ's deterministic order (WF for valid F).

    ``key`` replaces the tie-break; only the default is guaranteed to give a WF trace.

    >>> f = Forest([SpanRecord(1, None, "r", None, 5, 5), SpanRecord(2, 1, "c", None, 5, 5)])
    >>> [type(e).__name__ + str(e.span) for e in psi(f)]
    ['Begin1', 'Begin2', 'End1', 'End2']
    """
    recs = forest.records()
    return tuple(_event(recs[r], cls, seq) for _, r, cls, seq in _keyed(forest, key))


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
    begins: dict[SpanId, tuple[Begin, int]] = {}
    ends: dict[SpanId, tuple[End, int]] = {}
    marks: dict[SpanId, list[TimedMark]] = {}
    links: dict[SpanId, list[TimedLink]] = {}
    for time, ev in enumerate(trace, start=1):
        if isinstance(ev, Begin):
            begins[ev.span] = (ev, time)
        elif isinstance(ev, End):
            ends[ev.span] = (ev, time)
        elif isinstance(ev, Mark):
            marks.setdefault(ev.span, []).append(TimedMark(time, ev.name, ev.payload))
        else:
            links.setdefault(ev.span, []).append(TimedLink(time, ev.target, ev.payload))
    out: list[SpanRecord] = []
    for sid, (b, start) in begins.items():
        e = ends.get(sid)
        m = marks.get(sid)
        k = links.get(sid)
        out.append(SpanRecord(sid, b.parent, b.name, b.payload, start,
                              None if e is None else e[1], () if m is None else tuple(m),
                              () if k is None else tuple(k), None if e is None else e[0].status))
    return Forest(out)


def norm(forest: Forest) -> Forest:
    """Normalise: every time of ``forest`` replaced by the 1-based rank of its occurrence in Ψ's order.

    This is norm(F) of docs/theory.md; marks and links come out listed in time order.
    """
    recs = forest.records()
    start = [0] * len(recs)
    end: list[int | None] = [None] * len(recs)
    marks: list[list[int]] = [[0] * len(rec.marks) for rec in recs]
    links: list[list[int]] = [[0] * len(rec.links) for rec in recs]
    for rank, (_, r, cls, seq) in enumerate(_keyed(forest, occurrence_key), start=1):
        if cls == BEGIN:
            start[r] = rank
        elif cls == MARK:
            marks[r][seq] = rank
        elif cls == LINK:
            links[r][seq] = rank
        else:
            end[r] = rank
    out: list[SpanRecord] = []
    for r, rec in enumerate(recs):
        new_marks = tuple(TimedMark(t, m.name, m.payload) for t, m in
                          sorted(zip(marks[r], rec.marks, strict=True), key=_first)
                          ) if rec.marks else ()
        new_links = tuple(TimedLink(t, k.target, k.payload) for t, k in
                          sorted(zip(links[r], rec.links, strict=True), key=_first)
                          ) if rec.links else ()
        out.append(SpanRecord(rec.id, rec.parent, rec.name, rec.payload, start[r], end[r],
                              new_marks, new_links, rec.status))
    return Forest(out)


def _first(pair: tuple[int, object]) -> int:
    return pair[0]


def cut(forest: Forest, i: int) -> Forest:
    """cut_i(F): the forest as seen at time ``i`` — spans begun by ``i``, those not yet ended open."""
    out: list[SpanRecord] = []
    for rec in forest.records():
        if rec.start > i:
            continue
        ended = rec.end is not None and rec.end <= i
        out.append(SpanRecord(
            rec.id, rec.parent, rec.name, rec.payload, rec.start,
            rec.end if ended else None,
            tuple(m for m in rec.marks if m.time <= i) if rec.marks else (),
            tuple(k for k in rec.links if k.time <= i) if rec.links else (),
            rec.status if ended else None,
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
