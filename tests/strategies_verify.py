"""Hypothesis strategies for the Z3 cross-checks: small traces and forests, WF/valid or not."""

from hypothesis import strategies as st

from cspotlp.mapping import Begin, End, Forest, Link, Mark, SpanRecord, TimedLink, TimedMark

NAMES = st.sampled_from(["a", "b"])
PAYLOADS = st.sampled_from([None, 1, ("k", "v")])
STATUSES = st.sampled_from([None, "OK", "ERROR"])


@st.composite
def wf_traces(draw, max_events=8):
    """A WF trace: begins of fresh spans (root or under an open span), ends, marks, links."""
    ids = st.integers(0, 30)
    n = draw(st.integers(0, max_events))
    trace = []
    used, open_ = [], []
    for _ in range(n):
        choices = ["begin"] + (["end", "mark", "link"] if open_ else [])
        what = draw(st.sampled_from(choices))
        if what == "begin":
            sid = draw(ids.filter(lambda s: s not in used))
            parent = draw(st.sampled_from([None, *open_]))
            trace.append(Begin(sid, parent, draw(NAMES), draw(PAYLOADS)))
            used.append(sid)
            open_.append(sid)
        elif what == "end":
            sid = draw(st.sampled_from(open_))
            open_.remove(sid)
            trace.append(End(sid, draw(STATUSES)))
        elif what == "mark":
            trace.append(Mark(draw(st.sampled_from(open_)), draw(NAMES), draw(PAYLOADS)))
        else:
            trace.append(Link(draw(st.sampled_from(open_)), draw(NAMES), draw(PAYLOADS)))
    return tuple(trace)


@st.composite
def any_traces(draw, max_events=6):
    """Any trace over a few span ids: mostly not WF."""
    ids = st.integers(0, 3)
    event = st.one_of(
        st.builds(Begin, ids, st.one_of(st.none(), ids), NAMES, PAYLOADS),
        st.builds(End, ids, STATUSES),
        st.builds(Mark, ids, NAMES, PAYLOADS),
        st.builds(Link, ids, NAMES, PAYLOADS),
    )
    return tuple(draw(st.lists(event, max_size=max_events)))


@st.composite
def forests(draw, max_spans=4, valid_only=False, max_time=4):
    """A forest with small integer times (ties likely); valid, or anything the type allows."""
    k = draw(st.integers(0, max_spans))
    ids = draw(st.lists(st.integers(0, 9), min_size=k, max_size=k, unique=True))
    times = st.integers(0, max_time)
    records = []
    for i, sid in enumerate(ids):
        if valid_only:
            parent = draw(st.sampled_from([None, *ids[:i]]))
        else:
            parent = draw(st.one_of(st.none(), st.integers(0, 9)))
        start = draw(times)
        end = draw(st.one_of(st.none(), times))
        marks = tuple(TimedMark(draw(times), draw(NAMES), draw(PAYLOADS))
                      for _ in range(draw(st.integers(0, 2))))
        links = tuple(TimedLink(draw(times), draw(NAMES), None)
                      for _ in range(draw(st.integers(0, 1))))
        status = draw(STATUSES) if end is not None else None
        records.append(SpanRecord(sid, parent, draw(NAMES), draw(PAYLOADS), start, end, marks,
                                  links, status))
    return _repair(records) if valid_only else Forest(records)


def _repair(records):
    """Shift times so that the forest is valid (children inside parents, marks inside spans)."""
    fixed = {}
    for rec in records:  # parents come first: ids[:i] above are earlier records
        start, end = rec.start, rec.end
        if rec.parent is not None:
            par = fixed[rec.parent]
            hi = par.end if par.end is not None else max(start, par.start)
            start = min(max(start, par.start), hi)
        if end is not None:
            end = max(end, start)
        hi = end if end is not None else None

        def inside(t, lo=start, hi=hi):
            t = max(t, lo)
            return t if hi is None else min(t, hi)

        marks = tuple(TimedMark(inside(m.time), m.name, m.payload) for m in rec.marks)
        links = tuple(TimedLink(inside(x.time), x.target, x.payload) for x in rec.links)
        fixed[rec.id] = SpanRecord(rec.id, rec.parent, rec.name, rec.payload, start, end, marks,
                                   links, rec.status if end is not None else None)
    return Forest(fixed.values())
