"""Laws of the OTLP readers/writers and of the bridge between captured traces and span forests."""

from collections import Counter

from hypothesis import given
from hypothesis import strategies as st

from cspotlp.mapping import Forest, forest_violations, is_wf, norm, otlp_bridge, phi, psi
from cspotlp.mapping.event_text import event_text, parse_event
from cspotlp.mapping.otlp_bridge import forest_to_spans, to_forest
from cspotlp.mapping.vocabulary import Begin, End, Link, Mark
from cspotlp.otlp import (
    REPAIRS,
    Status,
    dump_proto,
    dump_proto_stream,
    dumps_json,
    dumps_jsonl,
    load,
    repair,
    validate,
)
from tests.strategies_otlp import hex_ids, messy_traces, spans, valid_traces


@given(st.lists(spans(), max_size=3))
def test_writing_then_reading_loses_nothing(span_list):
    for data in (dumps_json(span_list).encode(), dumps_jsonl(span_list).encode(),
                 dump_proto(span_list), dump_proto_stream(span_list)):
        back = list(load(data).spans()) if span_list else []
        # traces are grouped in order of first appearance; within a trace the order is kept
        assert Counter(back) == Counter(span_list)
        for tid in {s.trace_id for s in span_list}:
            assert [s for s in back if s.trace_id == tid] == [s for s in span_list if s.trace_id == tid]


@given(st.lists(spans(), min_size=1, max_size=2))
def test_json_to_protobuf_to_json(span_list):
    capture = load(dumps_json(span_list).encode())
    assert load(dumps_json(load(dump_proto(capture))).encode()) == capture


@given(valid_traces())
def test_valid_trace_laws(trace):
    forest = to_forest(trace, keep_times=True, check=True)  # a clean tree needs no repair
    t = psi(forest)
    assert is_wf(t)                                         # T1
    assert phi(t) == norm(forest)                           # T2
    assert psi(phi(t)) == t                                 # T3
    assert Counter(forest_to_spans(phi(t), original_times=True)) == Counter(trace.spans)
    plain = to_forest(trace)
    assert Counter(forest_to_spans(plain)) == Counter(trace.spans)  # ns times are kept as such


@given(messy_traces())
def test_every_captured_trace_converts_under_all_repairs(trace):
    repairs = [r for r in REPAIRS if r != "drop-duplicates"]
    forest = to_forest(trace, repairs=repairs, keep_times=True, check=True)
    assert forest_violations(forest) == []  # (check=True verified it as well)
    t = psi(forest)
    assert is_wf(t) and phi(t) == norm(forest)
    assert Counter(forest_to_spans(phi(t), original_times=True)) == Counter(trace.spans)


ids = st.one_of(hex_ids, st.integers(0, 10**6), st.text(max_size=6))
names = st.text(max_size=10)
statuses = st.one_of(st.integers(0, 5).map(lambda c: Status(c, "")), st.none(), st.text(max_size=5))
events = st.one_of(
    st.builds(Begin, ids, st.one_of(st.none(), ids), names),
    st.builds(End, ids, statuses),
    st.builds(Mark, ids, names),
    st.builds(Link, ids, st.one_of(ids, st.tuples(hex_ids, hex_ids))),
)


@given(events)
def test_event_text_is_one_line_and_parses_back(ev):
    text = event_text(ev)
    assert "\n" not in text
    assert parse_event(text) == ev


def _outcome(run):
    try:
        valid = run()
    except Exception as e:  # noqa: BLE001 - the outcome compared is the exception itself
        return ("error", type(e), str(e))
    return ("ok", valid.nodes, valid.repairs)


@given(st.one_of(valid_traces(), messy_traces()), st.sets(st.sampled_from(REPAIRS)),
       st.booleans())
def test_clean_trace_shortcut_agrees_with_the_general_path(trace, repairs, keep_times):
    fast = _outcome(lambda: validate(trace, repairs))
    general = _outcome(lambda: repair._validate_repairing(trace, frozenset(repairs)))
    assert fast == general
    if fast[0] == "ok":
        valid = validate(trace, repairs)
        via_nodes = Forest(otlp_bridge._records(valid, keep_times))
        assert to_forest(valid, keep_times=keep_times) == via_nodes
        if valid.clean:
            assert valid.repairs == ()
