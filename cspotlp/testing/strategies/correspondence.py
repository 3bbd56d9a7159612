"""Well-formed traces over the span vocabulary and valid span forests (DESIGN.md §2).

* :func:`wf_traces` — WF traces from a state machine: begin a root or a child of any open span
  (or of the newest, for deep chains), end any open span in any order (children may end after
  their parents), marks and links on open spans; int or str ids drawn out of begin order; and
  deep chains of nested spans ended in any order.
* :func:`span_forests` — valid forests with many ties: retimed Φ-forests (every valid forest is
  a monotone retiming of a normalised one) and forests built top-down with times at interval
  endpoints; marks may be listed out of time order.

These are the inputs of the laws in :mod:`cspotlp.testing.laws` (T1 and T2 take forests, T3–T5
traces); cspotlp's own property tests use them.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import replace

from hypothesis import strategies as st

from cspotlp.mapping.correspondence import phi
from cspotlp.mapping.forest import Forest, SpanRecord, TimedLink, TimedMark
from cspotlp.mapping.vocabulary import Begin, End, Link, Mark, SpanEvent, SpanId, Trace

NAMES = ("GET /", "db.query", "rpc")
STATUSES: tuple[Hashable, ...] = (None, "OK", "ERROR")
PAYLOADS: tuple[Hashable, ...] = (None, 0, 1, ("kind", "server"))
STR_IDS = ("a", "b", "z", "aa", "ab", "b0", "ba", "za", "zz", "a0", "abz", "bza", "zab", "Z")
# Generation cost dominates the tests that use these, so every choice is one cheap draw
# (sampled_from or integers) rather than a nest of one_of/builds.
_payloads = st.sampled_from(PAYLOADS)
_names = st.sampled_from(NAMES)
_statuses = st.sampled_from(STATUSES)


def span_ids(min_size: int = 0, max_size: int = 12) -> st.SearchStrategy[list[SpanId]]:
    """Distinct span ids, all int or all str, in an order unrelated to their sort order."""
    return st.one_of(
        st.lists(st.integers(-3, 40), unique=True, min_size=min_size, max_size=max_size),
        st.lists(st.sampled_from(STR_IDS), unique=True, min_size=min_size, max_size=max_size),
    )


@st.composite
def wf_traces_over(draw: st.DrawFn, pool: Sequence[SpanId], max_events: int = 18,
                   complete: bool | None = None) -> Trace:
    """A WF trace from the state machine, taking fresh span ids from ``pool`` in order."""
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
            trace.append(Begin(sid, parent, draw(_names), draw(_payloads)))
            open_spans.append(sid)
            continue
        sid = draw(st.sampled_from(open_spans))
        if action == "end":
            open_spans.remove(sid)
            trace.append(End(sid, draw(_statuses)))
        elif action == "mark":
            trace.append(Mark(sid, draw(_names), draw(_payloads)))
        else:
            target = draw(st.sampled_from((("ctx", 0), ("ctx", 1), *pool)))
            trace.append(Link(sid, target, draw(_payloads)))
    if complete or (complete is None and draw(st.booleans())):
        for sid in draw(st.permutations(open_spans)):
            trace.append(End(sid, draw(_statuses)))
    return tuple(trace)


@st.composite
def _deep_chain(draw: st.DrawFn, max_depth: int) -> Trace:
    """A chain of nested spans, marks sprinkled on open ones, ended in an arbitrary order."""
    pool = draw(span_ids(min_size=1, max_size=max_depth))
    trace: list[SpanEvent] = []
    parent: SpanId | None = None
    for sid in pool:
        trace.append(Begin(sid, parent, draw(_names)))
        if draw(st.booleans()):
            trace.append(Mark(draw(st.sampled_from(pool[: pool.index(sid) + 1])), "tick"))
        parent = sid
    ended = draw(st.permutations(pool))
    keep_open = draw(st.integers(0, len(pool)))
    trace.extend(End(sid, "OK") for sid in ended[keep_open:])
    return tuple(trace)


def wf_traces(max_events: int = 18, *, complete: bool | None = None, max_depth: int = 16
              ) -> st.SearchStrategy[Trace]:
    """Well-formed traces: the state machine, and deep chains ended in any order.

    ``complete=True`` ends every span; ``False`` leaves open spans open; ``None`` draws.
    ``max_depth`` bounds the deep chains (0: none).
    """
    machine = span_ids(min_size=1).flatmap(lambda pool: wf_traces_over(pool, max_events,
                                                                        complete))
    if complete is not None or max_depth == 0:
        return machine
    return st.one_of(machine, _deep_chain(max_depth))


@st.composite
def _retime(draw: st.DrawFn, trace: Trace) -> Forest:
    """Φ(t) with its times mapped through a non-decreasing function.

    The result has ties, negative times and large gaps; each span's marks and links may be
    listed out of time order.
    """
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
    return st.integers(0, top - lo + 2).map(
        lambda v: lo if v == 0 else top if v == 1 else lo + v - 2)


@st.composite
def _top_down_forest(draw: st.DrawFn, max_spans: int) -> Forest:
    """A valid forest built parents first, each time drawn inside the interval it must lie in."""
    pool = draw(span_ids(max_size=max_spans))
    recs: list[SpanRecord] = []
    for sid in pool:
        # the last few spans as candidate parents: deep chains and many roots both stay likely
        pick = draw(st.integers(0, min(len(recs), 3)))
        p = recs[-pick] if pick else None
        start = draw(st.integers(0, 3)) if p is None else draw(_in_interval(p.start, p.end))
        length = draw(st.integers(-1, 3))
        end = None if length < 0 else draw(_in_interval(start, start + length))
        marks = tuple(TimedMark(draw(_in_interval(start, end)), NAMES[i % 2], draw(_payloads))
                      for i in range(draw(st.integers(0, 3))))
        links = tuple(TimedLink(draw(_in_interval(start, end)), ("ctx", i))
                      for i in range(draw(st.integers(0, 1))))
        status = None if end is None else draw(_statuses)
        recs.append(SpanRecord(sid, None if p is None else p.id, draw(_names), None, start, end,
                               marks, links, status))
    return Forest(recs)


def span_forests(max_events: int = 16, max_spans: int = 8) -> st.SearchStrategy[Forest]:
    """Valid span forests with ties in times.

    Many occurrences share a time, children start at their parent's start or end, marks sit
    at interval endpoints.
    """
    return st.one_of(
        wf_traces(max_events, max_depth=8).flatmap(_retime),
        _top_down_forest(max_spans),
    )


__all__ = ["NAMES", "PAYLOADS", "STATUSES", "STR_IDS", "span_forests", "span_ids", "wf_traces",
           "wf_traces_over"]
