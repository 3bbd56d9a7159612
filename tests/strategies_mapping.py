"""Hypothesis strategies for the Φ/Ψ correspondence (docs/theory.md).

The well-formed traces and valid forests are the public ones users get
(:mod:`cspotlp.testing.strategies.correspondence`); here are the rest, for cspotlp's own laws:

- :func:`wf_traces`, :func:`valid_forests` (= ``span_forests``): see the public module;
- :func:`arbitrary_forests`: forests that may break every forest condition (skew, orphans,
  cycles, marks outside the span, status on an open span).
- :func:`arbitrary_traces`: any sequence of span events over a few ids (mostly not WF).
- :func:`interleaved_pairs`: two WF traces with disjoint ids and one interleaving of them.
- :func:`broken_forests`: a valid forest with one condition broken on purpose.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from hypothesis import strategies as st

from cspotlp.mapping import (
    Begin,
    End,
    Forest,
    Link,
    Mark,
    SpanRecord,
    TimedLink,
    TimedMark,
    Trace,
)
from cspotlp.testing.strategies.correspondence import span_forests as valid_forests
from cspotlp.testing.strategies.correspondence import span_ids as id_pools
from cspotlp.testing.strategies.correspondence import wf_traces, wf_traces_over

__all__ = ["BREAKS", "arbitrary_forests", "arbitrary_traces", "broken_forests", "id_pools",
           "interleaved_pairs", "valid_forests", "wf_traces"]


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
    t1 = draw(wf_traces_over([s for s, b in zip(pool, split, strict=True) if b], max_events, None))
    t2 = draw(wf_traces_over([s for s, b in zip(pool, split, strict=True) if not b], max_events,
                             None))
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
