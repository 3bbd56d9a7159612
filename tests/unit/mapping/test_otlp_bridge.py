import pytest

from cspotlp.errors import OrphanSpan
from cspotlp.mapping import Begin, End, Mark, is_wf, norm, phi, psi
from cspotlp.mapping.event_text import parse_trace_text, trace_text
from cspotlp.mapping.otlp_bridge import (
    EventPayload,
    SpanPayload,
    SyntheticPayload,
    forest_to_spans,
    to_forest,
)
from cspotlp.otlp import CapturedTrace, Event, Link, Span, Status

TID = "0af7651916cd43dd8448eb211c80319c"
A, B, C = "00000000000000aa", "00000000000000bb", "00000000000000cc"


def trace(*spans):
    return CapturedTrace(TID, spans, "t.json")


def test_fields_go_to_payloads_events_to_marks_links_at_start_status_to_end():
    sp = Span(TID, A, "", "root", 2, 100, 200, events=(Event(150, "ev"),),
              links=(Link(TID, B),), status=Status(2, "bad"))
    forest = to_forest(trace(sp))
    rec = forest[A]
    assert isinstance(rec.payload, SpanPayload) and rec.payload.kind == 2
    assert rec.payload.original_times is None
    assert [(m.time, m.name) for m in rec.marks] == [(150, "ev")]
    assert isinstance(rec.marks[0].payload, EventPayload)
    assert [(k.time, k.target) for k in rec.links] == [(100, (TID, B))]
    assert (rec.start, rec.end, rec.status) == (100, 200, Status(2, "bad"))


def test_open_span_keeps_its_status_in_the_payload():
    sp = Span(TID, A, "", "open", 1, 100, 0, status=Status(2, "x"))
    forest = to_forest(trace(sp))
    assert forest[A].end is None and forest[A].status is None
    assert forest_to_spans(forest) == (sp,)


def test_normalised_round_trip_and_exact_round_trip():
    spans = (Span(TID, A, "", "a", 1, 1000, 5000, events=(Event(3000, "e"),)),
             Span(TID, B, A, "b", 1, 2000, 9000))
    forest = to_forest(trace(*spans), keep_times=True)
    back = forest_to_spans(phi(psi(forest)))
    assert [(s.span_id, s.start_time_unix_nano, s.end_time_unix_nano) for s in back] == [
        (A, 1, 4), (B, 2, 5)]
    assert back[0].events[0].time_unix_nano == 3
    assert set(forest_to_spans(phi(psi(forest)), original_times=True)) == set(spans)


def test_synthetic_roots_are_dropped_on_the_way_back_unless_asked():
    sp = Span(TID, B, A, "orphan", 1, 10, 20)
    with pytest.raises(OrphanSpan):
        to_forest(trace(sp))
    forest = to_forest(trace(sp), repairs=["synthetic-root"])
    assert isinstance(forest[A].payload, SyntheticPayload)
    assert forest_to_spans(forest) == (sp,)
    assert [s.name for s in forest_to_spans(forest, include_synthetic=True)] == [
        "absent-parent", "orphan"]


def test_forest_of_a_csp_trace_converts_with_derived_ids():
    t = (Begin(1, None, "root"), Begin(2, 1, "child"), Mark(2, "m"), End(2, Status(1, "")), End(1))
    spans = forest_to_spans(phi(t), epoch=1_000, tick=10)
    root, child = spans
    assert len(root.span_id) == 16 and child.parent_span_id == root.span_id
    assert root.trace_id == child.trace_id and len(root.trace_id) == 32
    assert (child.start_time_unix_nano, child.events[0].time_unix_nano) == (1_020, 1_030)
    assert child.status == Status(1, "")
    assert forest_to_spans(phi(t)) == forest_to_spans(phi(t))  # deterministic


def test_psi_text_round_trip():
    spans = (Span(TID, A, "", 'GET "/x"\n', 1, 1, 9), Span(TID, B, A, "个人", 1, 2, 3,
                                                          links=(Link(TID, C),)))
    t = psi(to_forest(trace(*spans)))
    text = trace_text(t, TID)
    assert text.splitlines()[:2] == [f"-- trace {TID}", f'begin.s_{A}.root."GET \\"/x\\"\\n"']
    [(tid, events)] = parse_trace_text(text)
    assert tid == TID and is_wf(events)
    assert phi(events) == norm(phi(events))
    assert [type(e) for e in events] == [type(e) for e in t]
