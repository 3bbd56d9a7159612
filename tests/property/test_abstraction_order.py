"""abstract_trace orders events exactly as Ψ orders begin and end events."""

from hypothesis import given
from hypothesis import strategies as st

from cspotlp.mapping.abstraction import (
    AbstractEvent,
    Abstraction,
    Drop,
    SpanMatch,
    abstract_trace,
)
from cspotlp.mapping.correspondence import psi
from cspotlp.mapping.otlp_bridge import SpanPayload, to_forest
from cspotlp.mapping.vocabulary import Begin, End
from cspotlp.otlp import CapturedTrace, Resource, Span, Status, attributes, service_name
from cspotlp.otlp.repair import validate


def reference(trace, abstraction, repairs=()):
    """The abstract events read off psi(to_forest(...)), without any shortcut."""
    valid = validate(trace, repairs)
    out, kept, pruned = [], {}, set()
    for ev in psi(to_forest(valid)):
        if isinstance(ev, Begin):
            if ev.parent is not None and ev.parent in pruned:
                pruned.add(ev.span)
                continue
            p = ev.payload
            if not isinstance(p, SpanPayload):
                continue
            service = service_name(p.resource) or "unknown_service"
            sl = abstraction.classify(service, ev.name, p.kind)
            if sl.label is None:
                if sl.drop_subtree:
                    pruned.add(ev.span)
                continue
            kept[ev.span] = (sl.label, p.span_id, ev.name, service)
            out.append(AbstractEvent(abstraction.call, sl.label, (), p.trace_id, p.span_id,
                                     ev.name, service))
        elif isinstance(ev, End) and ev.span in kept:
            label, sid, name, service = kept[ev.span]
            kind = abstraction.error if ev.status.code == 2 else abstraction.ret
            out.append(AbstractEvent(kind, label, (), trace.trace_id, sid, name, service))
    return out


RESOURCES = [Resource(attributes({"service.name": s})) for s in ("a", "b", "")]


@st.composite
def traces(draw):
    """Random span trees with many equal times (so that every tie-break is exercised)."""
    n = draw(st.integers(1, 12))
    tid = "ab" * 16
    spans = []
    for k in range(n):
        parent = draw(st.integers(-1, k - 1)) if k else -1
        spans.append([f"{draw(st.integers(1, 99)):016x}" if draw(st.booleans()) else
                      f"{k + 1:016x}", parent])
    ids = [s[0] for s in spans]
    if len(set(ids)) != len(ids):
        ids = [f"{k + 1:016x}" for k in range(n)]
    out = []
    interval = {}
    for k, (_, parent) in enumerate(spans):
        lo, hi = interval.get(parent, (0, 6))
        start = draw(st.integers(lo, hi))
        end = draw(st.integers(start, 7))  # may end after its parent: legal
        interval[k] = (start, min(end, 7))
        out.append(Span(tid, ids[k], ids[parent] if parent >= 0 else "",
                        draw(st.sampled_from(["x", "y", "GET /u/1"])), draw(st.integers(0, 5)),
                        start + 1, end + 1, status=Status(draw(st.integers(0, 2))),
                        resource=draw(st.sampled_from(RESOURCES))))
    return CapturedTrace(tid, tuple(draw(st.permutations(out))))


ABSTRACTIONS = [Abstraction(), Abstraction(label="{name}", drop_client_spans=True),
                Abstraction(drops=(Drop(SpanMatch(name="x"), subtree=True),))]


@given(traces(), st.sampled_from(ABSTRACTIONS))
def test_fast_order_is_psi_order(trace, abstraction):
    fast = abstract_trace(trace, abstraction)
    assert list(fast.events) == reference(trace, abstraction)
