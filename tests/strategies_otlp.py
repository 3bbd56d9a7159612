"""Hypothesis strategies for OTLP spans and captured traces."""

from hypothesis import strategies as st

from cspotlp.otlp import (
    AnyValue,
    CapturedTrace,
    Event,
    KeyValue,
    Link,
    Resource,
    Scope,
    Span,
    Status,
)

hex_ids = st.binary(min_size=8, max_size=8).filter(any).map(bytes.hex)
trace_ids = st.binary(min_size=16, max_size=16).filter(any).map(bytes.hex)
small_text = st.text(max_size=12)
u32 = st.integers(0, 2**32 - 1)
times = st.integers(0, 2**63)

scalar_values = st.one_of(
    small_text.map(lambda s: AnyValue("string", s)),
    st.booleans().map(lambda b: AnyValue("bool", b)),
    st.integers(-(2**63), 2**63 - 1).map(lambda i: AnyValue("int", i)),
    # NaN is excluded: NaN != NaN, so no record holding it equals itself
    st.floats(allow_nan=False).map(lambda f: AnyValue("double", f)),
    st.binary(max_size=8).map(lambda b: AnyValue("bytes", b)),
    st.just(AnyValue("empty", None)),
)


def _nest(children):
    return st.one_of(
        st.lists(children, max_size=3).map(lambda xs: AnyValue("array", tuple(xs))),
        st.lists(st.tuples(small_text, children), max_size=3).map(
            lambda kvs: AnyValue("kvlist", tuple(KeyValue(k, v) for k, v in kvs))),
    )


any_values = st.recursive(scalar_values, _nest, max_leaves=5)
attribute_lists = st.lists(st.builds(KeyValue, small_text, any_values), max_size=2).map(tuple)

resources = st.builds(Resource, attribute_lists, u32, st.just(()), small_text)
scopes = st.builds(Scope, small_text, small_text, attribute_lists, u32, small_text)
statuses = st.builds(Status, st.integers(0, 2), small_text)
links = st.builds(Link, trace_ids, hex_ids, small_text, attribute_lists, u32, u32)


@st.composite
def spans(draw, trace_id=None, span_id=None, parent="", start=None, end=None, resource=None,
          scope=None):
    """One span with every field drawn (ids, times, resource and scope may be fixed)."""
    start = draw(times) if start is None else start
    end = draw(st.integers(start, 2**64 - 1)) if end is None else end
    n_events = draw(st.integers(0, 2))
    events = tuple(Event(draw(st.integers(start, end)), draw(small_text), draw(attribute_lists),
                         draw(u32)) for _ in range(n_events))
    return Span(trace_id or draw(trace_ids), span_id or draw(hex_ids), parent, draw(small_text),
                draw(st.integers(0, 5)), start, end, draw(attribute_lists), events,
                tuple(draw(st.lists(links, max_size=2))), draw(statuses), draw(small_text),
                draw(u32), draw(u32), draw(u32), draw(u32),
                draw(resources) if resource is None else resource,
                draw(scopes) if scope is None else scope)


SAMPLE_ATTRIBUTES = (
    (),
    (KeyValue("http.method", AnyValue("string", "GET")), KeyValue("n", AnyValue("int", 3))),
    (KeyValue("l", AnyValue("array", (AnyValue("bool", True), AnyValue("double", 0.5)))),),
)
SAMPLE_RESOURCES = (Resource(), Resource(SAMPLE_ATTRIBUTES[1], 2, (), "https://s"))
SAMPLE_SCOPES = (Scope(), Scope("lib", "1.0", SAMPLE_ATTRIBUTES[2]))


@st.composite
def tree_spans(draw, trace_id, span_id, parent, start, end):
    """A span whose payload fields come from small pools (cheap to draw; opaque to the laws)."""
    pick = st.sampled_from
    events = tuple(Event(draw(st.integers(start, end)), draw(small_text), draw(pick(SAMPLE_ATTRIBUTES)))
                   for _ in range(draw(st.integers(0, 2))))
    link_list = tuple(Link(draw(trace_ids), draw(hex_ids), "", draw(pick(SAMPLE_ATTRIBUTES)))
                      for _ in range(draw(st.integers(0, 1))))
    return Span(trace_id, span_id, parent, draw(small_text), draw(st.integers(0, 5)), start, end,
                draw(pick(SAMPLE_ATTRIBUTES)), events, link_list, draw(statuses), "", draw(u32),
                0, 0, 0, draw(pick(SAMPLE_RESOURCES)), draw(pick(SAMPLE_SCOPES)))


@st.composite
def valid_traces(draw, max_spans=8):
    """A captured trace that is a clean span tree: unique ids, parents present and begun first,
    each child starting within its parent's interval (ending anywhere after its start)."""
    trace_id = draw(trace_ids)
    ids = draw(st.lists(hex_ids, min_size=1, max_size=max_spans, unique=True))
    out: list[Span] = []
    for i, sid in enumerate(ids):
        if i == 0 or draw(st.booleans()):
            parent, start = "", draw(st.integers(1, 10**6))
        else:
            p = out[draw(st.integers(0, i - 1))]
            parent, start = p.span_id, draw(st.integers(p.start_time_unix_nano, p.end_time_unix_nano))
        end = draw(st.integers(start, start + 10**6))
        out.append(draw(tree_spans(trace_id, sid, parent, start, end)))
    order = draw(st.permutations(range(len(out))))
    return CapturedTrace(trace_id, tuple(out[k] for k in order))


@st.composite
def messy_traces(draw, max_spans=8):
    """A captured trace with whatever captures hold: absent parents, cycles, repeated ids, skew."""
    trace_id = draw(trace_ids)
    pool = draw(st.lists(hex_ids, min_size=1, max_size=max_spans, unique=True))
    out: list[Span] = []
    for _ in range(draw(st.integers(1, max_spans))):
        sid = draw(st.sampled_from(pool))
        parent = draw(st.one_of(st.just(""), st.sampled_from(pool), hex_ids))
        start = draw(st.integers(1, 1000))
        end = draw(st.integers(1, 1000))
        event_times = draw(st.lists(st.integers(0, 1100), max_size=2))
        out.append(Span(trace_id, sid, parent, draw(small_text), draw(st.sampled_from([1, 2, 3])),
                        start, end, events=tuple(Event(t, "e") for t in event_times),
                        status=draw(statuses)))
    return CapturedTrace(trace_id, tuple(out))
