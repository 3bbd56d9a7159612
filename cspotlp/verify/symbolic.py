"""Symbolic traces and forests of bounded size, and their conversion to and from Python objects.

The span vocabulary of :mod:`cspotlp.mapping.vocabulary` becomes, per event,

=========  ===================================================================================
``kind``   the event's class, numbered as in :mod:`cspotlp.mapping.correspondence`:
           ``BEGIN=0, MARK=1, LINK=2, END=3`` (so the kind *is* Ψ's class)
``span``   the span id, an integer (any finite set of ids with :func:`~cspotlp.mapping.id_key`'s
           order is order-isomorphic to a set of integers, and Φ/Ψ use ids only through ``=``
           and that order)
``parent`` / ``has_parent``  a begin's parent (``has_parent`` false for ⊥)
``label``  everything else the event carries, which Φ and Ψ copy and never inspect: a begin's
           name and payload, an end's status, a mark's name and payload, a link's target and
           payload. One integer stands for the whole value, so an equality of labels is an
           equality of those values.
=========  ===================================================================================

Fields that mean nothing for a kind (a mark's parent) are pinned to a canonical value by
:func:`domain`, so equal events have equal fields.

A *span forest* is kept flat, as its set of **occurrences** (the things Ψ sorts): each record
contributes its begin (carrying parent, name and payload, at ``start``), its end if it has one
(carrying the status, at ``end``), and each mark and link, carrying the time and its position
``seq`` in the record's mark or link list. The record is recovered from its occurrences, so two
forests are equal exactly when their occurrence sets are (:func:`cspotlp.verify.encoding
.forest_equal`). A forest of bound ``n`` has ``n`` occurrence slots; ``present`` says which slots
hold an occurrence (all of them except after a cut).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field

from cspotlp.errors import VerifyError
from cspotlp.mapping import (
    Begin,
    End,
    Forest,
    Link,
    Mark,
    SpanEvent,
    SpanId,
    SpanRecord,
    TimedLink,
    TimedMark,
    Trace,
    id_key,
)
from cspotlp.mapping.correspondence import BEGIN, END, LINK, MARK
from cspotlp.verify.smt import BoolT, IntT, Solver, Terms

KINDS = (BEGIN, MARK, LINK, END)
"""The four event kinds, which are also Ψ's classes."""


@dataclass(frozen=True, slots=True)
class SymEvent:
    """One event of a symbolic trace (see the module docstring for the fields)."""

    kind: IntT
    span: IntT
    parent: IntT
    has_parent: BoolT
    label: IntT


SymTrace = tuple[SymEvent, ...]
"""A symbolic trace of fixed length."""


@dataclass(frozen=True, slots=True)
class SymOccurrence:
    """One occurrence of a forest: an event with its time and list position (``seq``).

    ``seq is None`` means the position is implicit: the lists of the forest are in time order
    (as in every forest Φ, norm and the cut of such a forest produce), so a mark's position is
    the number of marks of its span with a smaller time.
    """

    event: SymEvent
    time: IntT
    seq: IntT | None


@dataclass(frozen=True, slots=True)
class SymForest:
    """A forest as occurrence slots; ``depth[i]`` is the depth of slot i's span (for begins)."""

    occurrences: tuple[SymOccurrence, ...]
    depth: Sequence[IntT]
    present: tuple[BoolT, ...] = field(default=())

    def __post_init__(self) -> None:
        if not self.present:
            object.__setattr__(self, "present", (True,) * len(self.occurrences))

    @property
    def time_listed(self) -> bool:
        """Every list position is implicit: each mark (link) list is in time order."""
        return all(o.seq is None for o in self.occurrences)


# ---- variables -------------------------------------------------------------------------------

def event_vars(terms: Terms, name: str) -> SymEvent:
    """A fully symbolic event."""
    return SymEvent(
        kind=terms.int_var(f"{name}.kind"),
        span=terms.int_var(f"{name}.span"),
        parent=terms.int_var(f"{name}.parent"),
        has_parent=terms.bool_var(f"{name}.has_parent"),
        label=terms.int_var(f"{name}.label"),
    )


def trace_vars(terms: Terms, length: int, name: str = "t") -> SymTrace:
    """A symbolic trace of exactly ``length`` events."""
    return tuple(event_vars(terms, f"{name}[{i}]") for i in range(length))


def forest_vars(terms: Terms, size: int, name: str = "F") -> SymForest:
    """A symbolic forest of exactly ``size`` occurrences, with a depth variable per slot."""
    occs = tuple(
        SymOccurrence(event_vars(terms, f"{name}[{i}]"), terms.int_var(f"{name}[{i}].time"),
                      terms.int_var(f"{name}[{i}].seq"))
        for i in range(size)
    )
    depth = tuple(terms.int_var(f"{name}[{i}].depth") for i in range(size))
    return SymForest(occs, depth)


def domain(terms: Terms, ev: SymEvent) -> BoolT:
    """The event is one of the four kinds, with meaningless fields canonical."""
    is_begin = terms.eq(ev.kind, BEGIN)
    return terms.and_(
        terms.le(0, ev.kind), terms.le(ev.kind, 3),
        terms.implies(terms.not_(is_begin), terms.not_(ev.has_parent)),
        terms.implies(terms.not_(ev.has_parent), terms.eq(ev.parent, 0)),
    )


def trace_domain(terms: Terms, t: SymTrace) -> BoolT:
    """Every event of ``t`` is in the :func:`domain`."""
    return terms.all_(domain(terms, ev) for ev in t)


def forest_domain(terms: Terms, f: SymForest) -> BoolT:
    """Every occurrence of ``f`` is in the :func:`domain`; begins and ends have ``seq`` 0."""
    out: list[BoolT] = []
    for o in f.occurrences:
        out.append(domain(terms, o.event))
        if o.seq is not None:
            out.append(terms.implies(terms.one_of(o.event.kind, (BEGIN, END)), terms.eq(o.seq, 0)))
    return terms.all_(out)


# ---- Python values <-> integers ---------------------------------------------------------------

class Codec:
    """Numbers span ids and labels for Z3 and turns numbers back into Python values.

    Span ids are numbered in :func:`id_key` order, so Ψ's tie-break on ids is preserved. A number
    the codec never handed out (one chosen by Z3 in a counterexample) decodes to itself for span
    ids and to a readable made-up value for labels (``"span3"``, ``"status3"``...).
    """

    __slots__ = ("_span_num", "_span_of", "_label_num", "_label_of")

    def __init__(self, span_ids: Sequence[SpanId] = ()) -> None:
        ordered = sorted(set(span_ids), key=id_key)
        self._span_num: dict[SpanId, int] = {s: i for i, s in enumerate(ordered)}
        self._span_of: dict[int, SpanId] = dict(enumerate(ordered))
        self._label_num: dict[tuple[int, Hashable], int] = {}
        self._label_of: dict[tuple[int, int], Hashable] = {}

    @classmethod
    def for_trace(cls, trace: Sequence[SpanEvent]) -> Codec:
        """A codec knowing every span id of ``trace`` (including parents)."""
        ids: list[SpanId] = [ev.span for ev in trace]
        ids.extend(ev.parent for ev in trace if isinstance(ev, Begin) and ev.parent is not None)
        return cls(ids)

    @classmethod
    def for_forest(cls, forest: Forest) -> Codec:
        """A codec knowing every span id of ``forest`` (including parents)."""
        ids: list[SpanId] = list(forest)
        ids.extend(r.parent for r in forest.records() if r.parent is not None)
        return cls(ids)

    def span(self, s: SpanId) -> int:
        """The number of span id ``s``."""
        try:
            return self._span_num[s]
        except KeyError as e:
            raise VerifyError(f"span id {s!r} is unknown to this codec") from e

    def span_id(self, n: int) -> SpanId:
        """The span id numbered ``n``."""
        return self._span_of.get(n, n)

    def label(self, kind: int, value: Hashable) -> int:
        """The number standing for ``value`` carried by an event of ``kind``."""
        key = (kind, value)
        n = self._label_num.get(key)
        if n is None:
            n = len(self._label_num)
            self._label_num[key] = n
            self._label_of[(kind, n)] = value
        return n

    def label_value(self, kind: int, n: int) -> Hashable:
        """The value behind label ``n`` of an event of ``kind``."""
        got = self._label_of.get((kind, n))
        if got is not None or (kind, n) in self._label_of:
            return got
        made_up: dict[int, Hashable] = {
            BEGIN: (f"span{n}", None), END: f"status{n}", MARK: (f"mark{n}", None),
            LINK: (f"target{n}", None),
        }
        return made_up[kind]


@dataclass(frozen=True, slots=True)
class ConcreteEvent:
    """The integer fields of one event, as read from a model or from a Python event."""

    kind: int
    span: int
    parent: int
    has_parent: bool
    label: int


def concrete_event(codec: Codec, ev: SpanEvent) -> ConcreteEvent:
    """The integer fields of a Python event."""
    if isinstance(ev, Begin):
        has = ev.parent is not None
        parent = codec.span(ev.parent) if ev.parent is not None else 0
        return ConcreteEvent(BEGIN, codec.span(ev.span), parent, has,
                             codec.label(BEGIN, (ev.name, ev.payload)))
    if isinstance(ev, End):
        return ConcreteEvent(END, codec.span(ev.span), 0, False, codec.label(END, ev.status))
    if isinstance(ev, Mark):
        return ConcreteEvent(MARK, codec.span(ev.span), 0, False,
                             codec.label(MARK, (ev.name, ev.payload)))
    return ConcreteEvent(LINK, codec.span(ev.span), 0, False,
                         codec.label(LINK, (ev.target, ev.payload)))


def python_event(codec: Codec, c: ConcreteEvent) -> SpanEvent:
    """The Python event with these integer fields."""
    span = codec.span_id(c.span)
    value = codec.label_value(c.kind, c.label)
    if c.kind == BEGIN:
        name, payload = _pair(value)
        parent = codec.span_id(c.parent) if c.has_parent else None
        return Begin(span, parent, str(name), payload)
    if c.kind == END:
        return End(span, value)
    if c.kind == MARK:
        name, payload = _pair(value)
        return Mark(span, str(name), payload)
    target, payload = _pair(value)
    return Link(span, target, payload)


def _pair(value: Hashable) -> tuple[Hashable, Hashable]:
    if isinstance(value, tuple) and len(value) == 2:
        return value[0], value[1]
    raise VerifyError(f"label value {value!r} is not a (name, payload) pair")


def pin_event(terms: Terms, ev: SymEvent, c: ConcreteEvent) -> BoolT:
    """The symbolic event equals the concrete one."""
    return terms.and_(
        terms.eq(ev.kind, c.kind), terms.eq(ev.span, c.span), terms.eq(ev.parent, c.parent),
        terms.iff(ev.has_parent, c.has_parent), terms.eq(ev.label, c.label),
    )


def pin_trace(terms: Terms, codec: Codec, t: SymTrace, trace: Sequence[SpanEvent]) -> BoolT:
    """The symbolic trace ``t`` equals the Python ``trace`` (same length required)."""
    if len(t) != len(trace):
        raise VerifyError(f"cannot pin a symbolic trace of {len(t)} events to {len(trace)} events")
    return terms.all_(pin_event(terms, s, concrete_event(codec, ev)) for s, ev in zip(t, trace, strict=True))


def forest_occurrence_list(codec: Codec, forest: Forest) -> list[tuple[ConcreteEvent, int, int]]:
    """The occurrences of a Python forest as (event, time, seq), in record order."""
    out: list[tuple[ConcreteEvent, int, int]] = []
    for rec in forest.records():
        out.append((concrete_event(codec, Begin(rec.id, rec.parent, rec.name, rec.payload)), rec.start, 0))
        for i, m in enumerate(rec.marks):
            out.append((concrete_event(codec, Mark(rec.id, m.name, m.payload)), m.time, i))
        for i, k in enumerate(rec.links):
            out.append((concrete_event(codec, Link(rec.id, k.target, k.payload)), k.time, i))
        if rec.end is not None:
            out.append((concrete_event(codec, End(rec.id, rec.status)), rec.end, 0))
    return out


def pin_forest(terms: Terms, f: SymForest, occs: Sequence[tuple[ConcreteEvent, int, int]]) -> BoolT:
    """The symbolic forest's slots hold exactly ``occs`` (event, time, seq), in this order."""
    if len(f.occurrences) != len(occs):
        raise VerifyError(f"cannot pin {len(f.occurrences)} slots to {len(occs)} occurrences")
    return terms.all_(
        terms.and_(pin_event(terms, o.event, ev), terms.eq(o.time, time),
                   True if o.seq is None else terms.eq(o.seq, seq))
        for o, (ev, time, seq) in zip(f.occurrences, occs, strict=True)
    )


# ---- model -> Python --------------------------------------------------------------------------

def read_event(solver: Solver, ev: SymEvent) -> ConcreteEvent:
    """The event's fields in the solver's model."""
    return ConcreteEvent(
        solver.int_value(ev.kind), solver.int_value(ev.span), solver.int_value(ev.parent),
        solver.bool_value(ev.has_parent), solver.int_value(ev.label),
    )


def read_trace(solver: Solver, codec: Codec, t: SymTrace) -> Trace:
    """The Python trace that ``t`` is in the solver's model."""
    return tuple(python_event(codec, read_event(solver, ev)) for ev in t)


def read_forest(solver: Solver, codec: Codec, f: SymForest) -> Forest:
    """The Python forest that ``f`` is in the solver's model (present slots only).

    Records are rebuilt from their occurrences: the begin gives parent, name, payload and start;
    the end gives end and status; marks and links are ordered by ``seq`` (by time when the
    forest's positions are implicit). A model of a forest
    that is not valid (an occurrence without a begin, two begins of one span) cannot be a
    ``Forest`` and raises :class:`VerifyError`.
    """
    begins: dict[int, tuple[SpanEvent, int]] = {}
    ends: dict[int, tuple[SpanEvent, int]] = {}
    marks: dict[int, list[tuple[int, TimedMark]]] = {}
    links: dict[int, list[tuple[int, TimedLink]]] = {}
    for o, present in zip(f.occurrences, f.present, strict=True):
        if not solver.bool_value(present):
            continue
        c = read_event(solver, o.event)
        ev = python_event(codec, c)
        time = solver.int_value(o.time)
        seq = time if o.seq is None else solver.int_value(o.seq)
        table = begins if c.kind == BEGIN else ends if c.kind == END else None
        if table is not None:
            if c.span in table:
                raise VerifyError(f"model has two {type(ev).__name__} occurrences of span {c.span}")
            table[c.span] = (ev, time)
        elif isinstance(ev, Mark):
            marks.setdefault(c.span, []).append((seq, TimedMark(time, ev.name, ev.payload)))
        elif isinstance(ev, Link):
            links.setdefault(c.span, []).append((seq, TimedLink(time, ev.target, ev.payload)))
    records: list[SpanRecord] = []
    for num in sorted(begins):
        begin, start = begins[num]
        assert isinstance(begin, Begin)
        end_ev = ends.get(num)
        end_time = end_ev[1] if end_ev is not None else None
        status = end_ev[0].status if end_ev is not None and isinstance(end_ev[0], End) else None
        records.append(SpanRecord(
            begin.span, begin.parent, begin.name, begin.payload, start, end_time,
            tuple(m for _, m in sorted(marks.get(num, []), key=lambda p: p[0])),
            tuple(k for _, k in sorted(links.get(num, []), key=lambda p: p[0])),
            status,
        ))
    orphans = sorted((set(ends) | set(marks) | set(links)) - set(begins))
    if orphans:
        raise VerifyError(f"model has occurrences of spans {orphans} that never begin")
    try:
        return Forest(records)
    except ValueError as e:
        raise VerifyError(f"model is not a forest: {e}") from e


def canonical_span_ids(terms: Terms, t: SymTrace) -> BoolT:
    """Span ids are begin positions: a begin at ``j`` has id ``j``; other ids refer back.

    This is symmetry breaking, not a restriction, for the statements about WF traces (T3–T5):
    renaming every span id to the position of its begin maps a WF trace to a WF trace (W2–W4 put
    a span's begin before its other events, W3 a parent's begin before its child's), and the
    statements are invariant under injective renaming of ids: Φ, cut, WF and validity use ids
    only through ``=``, and Ψ uses their order only to break ties between equal times, of which
    Φ(t) has none.
    """
    tm = terms
    facts: list[BoolT] = []
    for j, ev in enumerate(t):
        is_begin = tm.eq(ev.kind, BEGIN)
        facts.append(tm.implies(is_begin, tm.eq(ev.span, j)))
        facts.append(tm.implies(tm.not_(is_begin), tm.and_(tm.le(0, ev.span), tm.lt(ev.span, j))))
        facts.append(tm.implies(ev.has_parent, tm.and_(tm.le(0, ev.parent), tm.lt(ev.parent, j))))
    return tm.all_(facts)
