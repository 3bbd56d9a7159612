"""Hypothesis strategies for the Φ/Ψ correspondence (docs/theory.md).

- :func:`wf_traces`: WF traces from a state machine — begin a root or a child of any open span
  (or of the newest, for deep chains), end any open span in any order (children may end after
  their parents), marks and links on open spans; int or str ids drawn out of begin order.
- :func:`valid_forests`: valid forests with many ties — retimed Φ-forests (any valid forest is a
  monotone retiming of a normalised one) and forests built top-down with times at interval
  endpoints; marks may be listed out of time order.
- :func:`arbitrary_forests`: forests that may break every forest condition (skew, orphans,
  cycles, marks outside the span, status on an open span).
- :func:`arbitrary_traces`: any sequence of span events over a few ids (mostly not WF).
- :func:`interleaved_pairs`: two WF traces with disjoint ids and one interleaving of them.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import replace

from hypothesis import strategies as st

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
    phi,
)

NAMES = ("GET /", "db.query", "rpc")
STATUSES: tuple[Hashable, ...] = (None, "OK", "ERROR")
PAYLOADS: tuple[Hashable, ...] = (None, 0, 1, ("kind", "server"))
STR_IDS = ("a", "b", "z", "aa", "ab", "b0", "ba", "za", "zz", "a0", "abz", "bza", "zab", "Z")
# Generation cost dominates these tests, so every choice is one cheap draw (sampled_from or
# integers) rather than a nest of one_of/builds.
payloads = st.sampled_from(PAYLOADS)
names = st.sampled_from(NAMES)
statuses = st.sampled_from(STATUSES)
int_ids = st.integers(-3, 40)
str_ids = st.sampled_from(STR_IDS)


def id_pools(min_size: int = 0, max_size: int = 12) -> st.SearchStrategy[list[SpanId]]:
    """Distinct span ids, all int or all str, in an order unrelated to their sort order."""
    return st.one_of(
        st.lists(int_ids, unique=True, min_size=min_size, max_size=max_size),
        st.lists(str_ids, unique=True, min_size=min_size, max_size=max_size),
    )


@st.composite
def _run_machine(
    draw: st.DrawFn, pool: Sequence[SpanId], max_events: int, complete: bool | None
) -> Trace:
    """Drive the WF state machine, taking fresh span ids from ``pool`` in order."""
    fresh = list(pool)
    fresh.reverse()
    trace: list[SpanEvent] = []
    open_spans: list[SpanId] = []   # in begin order; the newest last
    for _ in range(draw(st.integers(0, max_events))):
        actions: list[str] = []
        if fresh:
            actions.append("root")
            if open_spans:
                actions += ["child", "deep"]
        if open_spans:
            actions += ["end", "mark", "link"]
        if not actions:
            break
        action = draw(st.sampled_from(actions))
        if action in ("root", "child", "deep"):
            sid = fresh.pop()
            parent = (None if action == "root" else open_spans[-1] if action == "deep"
                      else draw(st.sampled_from(open_spans)))
            trace.append(Begin(sid, parent, draw(names), draw(payloads)))
            open_spans.append(sid)
            continue
        sid = draw(st.sampled_from(open_spans))
        if action == "end":
            open_spans.remove(sid)
            trace.append(End(sid, draw(statuses)))
        elif action == "mark":
            trace.append(Mark(sid, draw(names), draw(payloads)))
        else:
            target = draw(st.sampled_from((("ctx", 0), ("ctx", 1), *pool)))
            trace.append(Link(sid, target, draw(payloads)))
    if complete or (complete is None and draw(st.booleans())):
        for sid in draw(st.permutations(open_spans)):
            trace.append(End(sid, draw(statuses)))
    return tuple(trace)


@st.composite
def _deep_chain(draw: st.DrawFn, max_depth: int) -> Trace:
    """A chain of nested spans, marks sprinkled on open ones, ended in an arbitrary order."""
    pool = draw(id_pools(min_size=1, max_size=max_depth))
    trace: list[SpanEvent] = []
    parent: SpanId | None = None
    for sid in pool:
        trace.append(Begin(sid, parent, draw(names)))
        if draw(st.booleans()):
            trace.append(Mark(draw(st.sampled_from(pool[: pool.index(sid) + 1])), "tick"))
        parent = sid
    ended = draw(st.permutations(pool))
    keep_open = draw(st.integers(0, len(pool)))
    trace.extend(End(sid, "OK") for sid in ended[keep_open:])
    return tuple(trace)


def wf_traces(
    max_events: int = 18, *, complete: bool | None = None, max_depth: int = 16
) -> st.SearchStrategy[Trace]:
    """WF traces: the state machine, and deep chains ended in any order.

    ``complete=True`` ends every span; ``False`` leaves open spans open; ``None`` draws.
    """
    machine = id_pools(min_size=1).flatmap(lambda pool: _run_machine(pool, max_events, complete))
    if complete is not None or max_depth == 0:
        return machine
    return st.one_of(machine, _deep_chain(max_depth))


@st.composite
def _retime(draw: st.DrawFn, trace: Trace) -> Forest:
    """Φ(t) with its times mapped through a non-decreasing function: ties, negative times,
    large gaps; each span's marks and links possibly listed out of time order."""
    times: dict[int, int] = {}
    now = draw(st.integers(-5, 10))
    for i in range(1, len(trace) + 1):
        now += draw(st.sampled_from((0, 0, 1, 2, 1_000_000_000)))
        times[i] = now
    out: list[SpanRecord] = []
    for rec in phi(trace).records():
        marks = [replace(m, time=times[m.time]) for m in rec.marks]
        links = [replace(k, time=times[k.time]) for k in rec.links]
        if draw(st.booleans()):
            marks = draw(st.permutations(marks))
            links = draw(st.permutations(links))
        out.append(replace(rec, start=times[rec.start],
                           end=None if rec.end is None else times[rec.end],
                           marks=tuple(marks), links=tuple(links)))
    return Forest(out)


def _in_interval(lo: int, hi: int | None) -> st.SearchStrategy[int]:
    """A time in [lo, hi] (hi None: open above), endpoints much more likely than the inside."""
    top = lo + 4 if hi is None else hi
    return st.integers(0, top - lo + 2).map(lambda v: lo if v == 0 else top if v == 1 else lo + v - 2)


@st.composite
def _top_down_forest(draw: st.DrawFn, max_spans: int) -> Forest:
    """A valid forest built parents first, each time drawn inside the interval it must lie in."""
    pool = draw(id_pools(max_size=max_spans))
    recs: list[SpanRecord] = []
    for sid in pool:
        # the last few spans as candidate parents: deep chains and many roots both stay likely
        pick = draw(st.integers(0, min(len(recs), 3)))
        p = recs[-pick] if pick else None
        start = draw(st.integers(0, 3)) if p is None else draw(_in_interval(p.start, p.end))
        length = draw(st.integers(-1, 3))
        end = None if length < 0 else draw(_in_interval(start, start + length))
        marks = tuple(TimedMark(draw(_in_interval(start, end)), NAMES[i % 2], draw(payloads))
                      for i in range(draw(st.integers(0, 3))))
        links = tuple(TimedLink(draw(_in_interval(start, end)), ("ctx", i))
                      for i in range(draw(st.integers(0, 1))))
        status = None if end is None else draw(statuses)
        recs.append(SpanRecord(sid, None if p is None else p.id, draw(names), None, start, end,
                               marks, links, status))
    return Forest(recs)


def valid_forests(max_events: int = 16, max_spans: int = 8) -> st.SearchStrategy[Forest]:
    """Valid forests with ties in times (many occurrences at one time, children starting at
    their parent's start or end, marks at interval endpoints)."""
    return st.one_of(
        wf_traces(max_events, max_depth=8).flatmap(_retime),
        _top_down_forest(max_spans),
    )


@st.composite
def arbitrary_forests(draw: st.DrawFn, max_spans: int = 5) -> Forest:
    """Forests that need not be valid: any parent (present, absent, itself), any times."""
    pool = draw(st.lists(st.integers(0, 6), unique=True, max_size=max_spans))
    time = st.integers(0, 6)
    recs: list[SpanRecord] = []
    for sid in pool:
        parent = draw(st.sampled_from((None, *pool, 7)))
        start = draw(time)
        end = draw(st.integers(-1, 6))
        marks = tuple(TimedMark(draw(time), "m") for _ in range(draw(st.integers(0, 2))))
        links = tuple(TimedLink(draw(time), "ctx") for _ in range(draw(st.integers(0, 1))))
        status = draw(st.sampled_from((None, "OK")))
        recs.append(SpanRecord(sid, parent, "s", None, start, None if end < 0 else end,
                               marks, links, status))
    return Forest(recs)


def arbitrary_traces(max_events: int = 8) -> st.SearchStrategy[Trace]:
    """Any sequence of span events over the ids 0..2 (parents may be absent or the span itself)."""
    sid = st.integers(0, 2)
    event = st.one_of(
        st.builds(Begin, sid, st.one_of(st.none(), st.integers(0, 3)), st.just("s")),
        st.builds(End, sid),
        st.builds(Mark, sid, st.just("m")),
        st.builds(Link, sid, st.just("ctx")),
    )
    return st.lists(event, max_size=max_events).map(tuple)


@st.composite
def interleaved_pairs(draw: st.DrawFn, max_events: int = 12) -> tuple[Trace, Trace, Trace]:
    """(t1, t2, u): WF traces with disjoint span ids and an interleaving u of them."""
    pool = draw(id_pools(max_size=16))
    split = draw(st.lists(st.booleans(), min_size=len(pool), max_size=len(pool)))
    t1 = draw(_run_machine([s for s, b in zip(pool, split, strict=True) if b], max_events, None))
    t2 = draw(_run_machine([s for s, b in zip(pool, split, strict=True) if not b], max_events, None))
    order = draw(st.permutations([0] * len(t1) + [1] * len(t2)))
    sources = [iter(t1), iter(t2)]
    u = tuple(next(sources[k]) for k in order)
    return t1, t2, u


BREAKS = ("skew", "late child", "end before start", "mark outside", "orphan", "cycle",
          "status on open span")
"""The ways :func:`broken_forests` breaks a valid forest, as captured data does."""


@st.composite
def broken_forests(draw: st.DrawFn, breaks: Sequence[str] = BREAKS) -> tuple[str, Forest]:
    """(how, F): a valid forest with one forest condition broken on purpose.

    "skew" moves a child's start before its parent's (clock skew between hosts), "late child"
    after its parent's end, "orphan" points a span at an absent parent, "cycle" makes a root the
    child of one of its descendants.
    """
    f = draw(valid_forests().filter(len))
    how = draw(st.sampled_from(breaks))
    recs = {rec.id: rec for rec in f.records()}
    children = [r for r in f.records() if r.parent is not None]
    closed = [r for r in f.records() if r.end is not None]
    late_able = [r for r in children if f[r.parent].end is not None] if children else []
    if how == "skew" and children:
        r = draw(st.sampled_from(children))
        recs[r.id] = replace(r, start=f[r.parent].start - draw(st.integers(1, 3)))
    elif how == "late child" and late_able:
        r = draw(st.sampled_from(late_able))
        late = f[r.parent].end + draw(st.integers(1, 3))
        recs[r.id] = replace(r, start=late, end=None if r.end is None else max(r.end, late),
                             marks=(), links=())
    elif how == "end before start" and closed:
        r = draw(st.sampled_from(closed))
        recs[r.id] = replace(r, end=r.start - draw(st.integers(1, 3)), marks=(), links=())
    elif how == "mark outside":
        r = draw(st.sampled_from(f.records()))
        before = draw(st.booleans()) or r.end is None
        t = r.start - 1 if before or r.end is None else r.end + 1
        recs[r.id] = replace(r, marks=(*r.marks, TimedMark(t, "stray")))
    elif how == "orphan":
        r = draw(st.sampled_from(f.records()))
        recs[r.id] = replace(r, parent="absent" if isinstance(r.id, str) else 10**6)
    elif how == "cycle":
        r = draw(st.sampled_from(f.records()))
        root = r
        while root.parent is not None:
            root = f[root.parent]
        recs[root.id] = replace(root, parent=r.id)
    elif how == "status on open span" and len(closed) < len(f):
        r = draw(st.sampled_from([r for r in f.records() if r.end is None]))
        recs[r.id] = replace(r, status="OK")
    else:   # the chosen break does not apply to this forest: skew the root's marks instead
        how = "mark outside"
        r = f.records()[0]
        recs[r.id] = replace(r, marks=(*r.marks, TimedMark(r.start - 1, "stray")))
    return how, Forest(recs.values())
