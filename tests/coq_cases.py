"""Deterministic traces and forests for cross-checking the Coq Φ/Ψ against the Python ones.

Traces and forests are drawn from a seeded :class:`random.Random`, with small time ranges so that
Ψ's tie-breaks (parent before child, begin before marks before end, id, list position) all occur.
:class:`Interner` turns names and payloads into the naturals the Coq instance
(``proofs/CrossCheck.v``) uses; :func:`decode_forest` and :func:`decode_trace` read coqc's answers
back into Python values.
"""

from __future__ import annotations

import random
from collections.abc import Hashable, Iterator, Sequence

from cspotlp.mapping import (
    Begin,
    End,
    Forest,
    Link,
    Mark,
    SpanEvent,
    SpanRecord,
    TimedLink,
    TimedMark,
    Trace,
    is_valid_forest,
)

NAMES = ("GET /", "db.query", "cache.get", "render")
PAYLOADS: tuple[Hashable, ...] = (None, 0, 7, "OK", "ERROR", ("trace", 1), ("kind", "server"))


class Interner:
    """A two-way table between hashable values and the naturals 0, 1, 2, ... (first come first)."""

    def __init__(self) -> None:
        self._index: dict[Hashable, int] = {}
        self.values: list[Hashable] = []

    def __call__(self, value: Hashable) -> int:
        if value not in self._index:
            self._index[value] = len(self.values)
            self.values.append(value)
        return self._index[value]


# ---------------------------------------------------------------------------------------------
# Generators


def wf_trace(rng: random.Random, length: int) -> Trace:
    """A WF trace of ``length`` events: children may outlive their parents (async work)."""
    unused = rng.sample(range(1, 60), 40)
    opened: list[int] = []
    events: list[SpanEvent] = []
    while len(events) < length:
        roll = rng.random()
        if not opened or roll < 0.3:
            parent = rng.choice(opened) if opened and rng.random() < 0.7 else None
            span = unused.pop()
            events.append(Begin(span, parent, rng.choice(NAMES), rng.choice(PAYLOADS)))
            opened.append(span)
        elif roll < 0.55:
            span = opened.pop(rng.randrange(len(opened)))
            events.append(End(span, rng.choice(PAYLOADS)))
        elif roll < 0.8:
            events.append(Mark(rng.choice(opened), rng.choice(NAMES), rng.choice(PAYLOADS)))
        else:
            events.append(Link(rng.choice(opened), rng.choice(PAYLOADS), rng.choice(PAYLOADS)))
    return tuple(events)


def mutated_trace(rng: random.Random, trace: Trace) -> Trace:
    """``trace`` broken in one place: a begin repeated (W1), an end, mark or link moved before
    its span begins (W2/W4), or any event moved anywhere (which may happen to stay WF)."""
    events = list(trace)
    begins = [ev for ev in events if isinstance(ev, Begin)]
    others = [k for k, ev in enumerate(events) if not isinstance(ev, Begin)]
    match rng.randrange(3):
        case 0:
            events.append(rng.choice(begins))
        case 1 if others:
            events.insert(0, events.pop(rng.choice(others)))
        case _:
            events.insert(rng.randrange(len(events)), events.pop(rng.randrange(len(events))))
    return tuple(events)


def valid_forest(rng: random.Random, spans: int, horizon: int = 5) -> Forest:
    """A valid forest with times in ``0..horizon + 2``: many ties, unsorted mark lists."""
    ids = rng.sample(range(1, 60), spans)
    records: list[SpanRecord] = []
    for k, sid in enumerate(ids):
        if k == 0 or rng.random() < 0.25:
            parent, start = None, rng.randint(0, horizon)
        else:
            par = rng.choice(records)
            hi = par.end if par.end is not None else horizon
            parent, start = par.id, rng.randint(par.start, max(par.start, hi))
        end = None if rng.random() < 0.25 else rng.randint(start, horizon + 2)
        top = end if end is not None else horizon + 2
        marks = tuple(TimedMark(rng.randint(start, top), rng.choice(NAMES), rng.choice(PAYLOADS))
                      for _ in range(rng.randrange(4)))
        links = tuple(TimedLink(rng.randint(start, top), rng.choice(PAYLOADS), rng.choice(PAYLOADS))
                      for _ in range(rng.randrange(3)))
        status = rng.choice(PAYLOADS) if end is not None else None
        records.append(SpanRecord(sid, parent, rng.choice(NAMES), rng.choice(PAYLOADS), start, end,
                                  marks, links, status))
    forest = Forest(records)
    assert is_valid_forest(forest), forest
    return forest


# ---------------------------------------------------------------------------------------------
# Python values -> Coq terms (over nat, see proofs/CrossCheck.v)


def _opt(value: int | None) -> str:
    return "None" if value is None else f"(Some {value})"


def coq_event(ev: SpanEvent, names: Interner, payloads: Interner) -> str:
    """``ev`` as a Coq term of type ``event nat nat``."""
    assert isinstance(ev.span, int)
    match ev:
        case Begin(span, parent, name, payload):
            assert parent is None or isinstance(parent, int)
            return f"Begin {span} {_opt(parent)} {names(name)} {payloads(payload)}"
        case End(span, status):
            return f"End {span} {payloads(status)}"
        case Mark(span, name, payload):
            return f"Mark {span} {names(name)} {payloads(payload)}"
        case Link(span, target, payload):
            return f"Link {span} {payloads(target)} {payloads(payload)}"
    raise AssertionError(f"not a span event: {ev!r}")


def coq_trace(trace: Sequence[SpanEvent], names: Interner, payloads: Interner) -> str:
    """``trace`` as a Coq list of events."""
    return "[" + "; ".join(coq_event(ev, names, payloads) for ev in trace) + "]"


def coq_span(rec: SpanRecord, names: Interner, payloads: Interner) -> str:
    """``rec`` as a Coq ``mkSpan`` term."""
    assert isinstance(rec.id, int) and (rec.parent is None or isinstance(rec.parent, int))
    fin = "None" if rec.end is None else f"(Some ({rec.end}, {payloads(rec.status)}))"
    marks = "; ".join(f"({m.time}, {names(m.name)}, {payloads(m.payload)})" for m in rec.marks)
    links = "; ".join(f"({k.time}, {payloads(k.target)}, {payloads(k.payload)})"
                      for k in rec.links)
    return (f"mkSpan {rec.id} {_opt(rec.parent)} {names(rec.name)} {payloads(rec.payload)} "
            f"{rec.start} {fin} [{marks}] [{links}]")


def coq_forest(forest: Forest, names: Interner, payloads: Interner) -> str:
    """``forest`` as a Coq list of span records, in id order (the Coq representation)."""
    return "[" + "; ".join(coq_span(rec, names, payloads) for rec in forest.records()) + "]"


# ---------------------------------------------------------------------------------------------
# coqc's answers (flat lists of naturals, see proofs/CrossCheck.v) -> Python values


def _decode_opt(value: int) -> int | None:
    return None if value == 0 else value - 1


def decode_trace(nums: Sequence[int], names: Interner, payloads: Interner) -> Trace:
    """The trace encoded by ``enc_trace``."""
    it = iter(nums)
    events = [_decode_event(it, names, payloads) for _ in range(next(it))]
    assert next(it, None) is None, "trailing numbers"
    return tuple(events)


def _decode_event(it: Iterator[int], names: Interner, payloads: Interner) -> SpanEvent:
    cls, span = next(it), next(it)
    if cls == 0:
        parent = _decode_opt(next(it))
        return Begin(span, parent, str(names.values[next(it)]), payloads.values[next(it)])
    if cls == 1:
        return Mark(span, str(names.values[next(it)]), payloads.values[next(it)])
    if cls == 2:
        return Link(span, payloads.values[next(it)], payloads.values[next(it)])
    assert cls == 3, cls
    return End(span, payloads.values[next(it)])


def decode_forest(nums: Sequence[int], names: Interner, payloads: Interner) -> Forest:
    """The forest encoded by ``enc_forest``."""
    it = iter(nums)
    records = [_decode_span(it, names, payloads) for _ in range(next(it))]
    assert next(it, None) is None, "trailing numbers"
    return Forest(records)


def _decode_span(it: Iterator[int], names: Interner, payloads: Interner) -> SpanRecord:
    sid, parent = next(it), _decode_opt(next(it))
    name, payload, start = str(names.values[next(it)]), payloads.values[next(it)], next(it)
    end: int | None = None
    status: Hashable = None
    if next(it) == 1:
        end, status = next(it), payloads.values[next(it)]
    marks = tuple(TimedMark(next(it), str(names.values[next(it)]), payloads.values[next(it)])
                  for _ in range(next(it)))
    links = tuple(TimedLink(next(it), payloads.values[next(it)], payloads.values[next(it)])
                  for _ in range(next(it)))
    return SpanRecord(sid, parent, name, payload, start, end, marks, links, status)
