"""assert_conforms: inputs in every form, the counterexample message, report sections, caching."""

import re
import threading

import pytest
from opentelemetry import trace

from cspotlp.conformance import spec as conformance_spec
from cspotlp.otel import global_capture
from cspotlp.otlp import CapturedTrace, Span, dumps_jsonl, load
from cspotlp.testing import SpansDoNotConform, assert_conforms, captured_traces, context
from cspotlp.testing import sources as sources_module
from cspotlp.testing.span_tree import span_tree
from tests.flow_fixtures import (
    CHECKOUT_ABSTRACTION,
    CHECKOUT_SPEC,
    checkout_abstraction,
    checkout_spec_terms,
    order,
)

GOOD = [order(1, 1), order(2, 3), order(3, 2, decline=True)]
BAD = order(4, 3, ship_first=True)


def check(spans, **options):
    return assert_conforms(spans, CHECKOUT_SPEC, "SPEC", CHECKOUT_ABSTRACTION, **options)


def test_conforming_traces_pass_with_their_verdicts():
    results = check(GOOD)
    assert [r.verdict for r in results] == ["pass"] * 3


def test_the_message_is_the_counterexample(monkeypatch):
    monkeypatch.setattr(context, "current", None)  # as outside pytest: the tree joins the message
    with pytest.raises(SpansDoNotConform) as caught:
        check([*GOOD, BAD])
    message = str(caught.value)
    ship = next(s for s in BAD.spans if s.name.endswith("ShipOrder") and s.kind == 2)
    assert message.splitlines()[:7] == [
        f"1 of 4 trace(s) do not conform to SPEC ({CHECKOUT_SPEC}):",
        f"FAIL  trace {BAD.trace_id} (24 events)",
        "      no order of its events is a trace of the specification (the time order got "
        "furthest)",
        "      event 15, call.ShipOrder, is refused",
        f"      span {ship.span_id} 'oteldemo.ShippingService/ShipOrder' (service shipping, "
        "file checkout.jsonl)",
        "      after: ret.Convert, call.GetQuote, ret.GetQuote",
        "      the specification accepted here: call.Charge",
    ]
    assert f"trace {BAD.trace_id} (" in message
    assert f"span {ship.span_id}  <-- event 15, call.ShipOrder: refused" in message
    assert [r.verdict for r in caught.value.results] == ["pass", "pass", "pass", "fail"]
    assert caught.value.span_trees in message


def test_under_pytest_the_tree_goes_to_the_report_section(monkeypatch):
    sections = []
    monkeypatch.setattr(context, "current", context.RunningTest(
        lambda title, text: sections.append((title, text)), CHECKOUT_SPEC.parent,
        CHECKOUT_SPEC.parent))
    with pytest.raises(SpansDoNotConform, match="span trees in the report section"):
        check([BAD])
    ((title, text),) = sections
    assert title == "cspotlp span trees" and text.startswith(f"trace {BAD.trace_id} (")


def test_many_failures_are_summarised_and_errors_are_reported(monkeypatch):
    monkeypatch.setattr(context, "current", None)
    # a parent outside the capture hangs from a synthetic root (and the tree says so); a
    # parent cycle is not a span forest: an error
    orphan = CapturedTrace("f" * 32, (Span("f" * 32, "1" * 16, "2" * 16, "lost", 2, 1, 2),))
    cycle = CapturedTrace("e" * 32, (Span("e" * 32, "1" * 16, "2" * 16, "a", 2, 1, 2),
                                     Span("e" * 32, "2" * 16, "1" * 16, "b", 2, 1, 2)))
    bad = [order(10 + k, 1, ship_first=True) for k in range(4)]
    with pytest.raises(SpansDoNotConform) as caught:
        check([cycle, orphan, *bad])
    text = str(caught.value)
    assert text.startswith("6 of 6 trace(s) do not conform")
    assert f"ERROR trace {'e' * 32} (0 events): " in text and "is on a parent cycle" in text
    assert f"FAIL  trace {'f' * 32} (2 events)" in text
    assert "... and 3 more failing trace(s)" in text
    assert "parent 2222222222222222 not captured" in text


def test_every_form_of_input_is_accepted(tmp_path):
    path = tmp_path / "capture.jsonl"
    path.write_text(dumps_jsonl(GOOD))
    spans = [sp for t in GOOD for sp in t.spans]
    for given in (GOOD, spans, load(path), path, str(path)):
        assert len(captured_traces(given)) == 3
        assert len(check(given)) == 3
    with pytest.raises(TypeError, match="cannot check a mixture of CapturedTrace, Span"):
        captured_traces([GOOD[0], spans[0]])
    with pytest.raises(TypeError, match="cannot check int"):
        captured_traces(3)


def test_sdk_spans_from_any_thread_and_the_fixture(otel_spans):
    tracer = trace.get_tracer("checkout-test")

    def work(k):
        with tracer.start_as_current_span("Checkout"), tracer.start_as_current_span("Charge"):
            pass

    threads = [threading.Thread(target=work, args=(k,)) for k in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(otel_spans) == 6 and len(otel_spans.to_traces()) == 3
    spec = CHECKOUT_SPEC.parent / "never_used.csp"
    with pytest.raises(FileNotFoundError, match="specification .*never_used.csp not found"):
        assert_conforms(otel_spans, spec)
    with pytest.raises(SpansDoNotConform, match="event 2, call.Charge, is refused"):
        assert_conforms(list(otel_spans), CHECKOUT_SPEC, "SPEC", {"label": "{name}"})


def test_recordings_see_exactly_the_spans_finished_while_open():
    capture = global_capture()
    tracer = trace.get_tracer("recordings")
    outer_span = tracer.start_span("started-before")
    with capture.recording() as outer:
        with capture.recording() as inner:
            tracer.start_span("both").end()
        tracer.start_span("outer-only").end()
        outer_span.end()
    tracer.start_span("neither").end()
    assert inner.names() == ["both"]
    assert outer.names() == ["both", "outer-only", "started-before"]
    outer.clear()
    assert len(outer) == 0 and outer_span.name == "started-before"


def test_no_traces_is_a_failure_unless_allowed():
    with pytest.raises(SpansDoNotConform, match="no spans to check against SPEC"):
        check([])
    assert check([], allow_empty=True) == []


def test_specifications_as_terms_and_abstractions_as_objects():
    terms = checkout_spec_terms()
    assert len(assert_conforms(GOOD, terms, abstraction=checkout_abstraction())) == 3
    with pytest.raises(SpansDoNotConform, match=re.escape(
            "do not conform to call.Checkout -> call.PlaceOrder -> ((call.GetCart -> ret...:")):
        assert_conforms([BAD], terms, abstraction=checkout_abstraction().to_json())


def test_a_specification_file_is_loaded_once_per_version(monkeypatch, tmp_path):
    loads = []
    real = conformance_spec.load_spec
    monkeypatch.setattr(sources_module, "load_spec", lambda *a: loads.append(a) or real(*a))
    spec = tmp_path / "spec.csp"
    spec.write_text(CHECKOUT_SPEC.read_text())
    for _ in range(3):
        assert_conforms(GOOD, spec, "SPEC", CHECKOUT_ABSTRACTION)
    spec.write_text(CHECKOUT_SPEC.read_text() + "\n-- changed\n")
    assert_conforms(GOOD, spec, "SPEC", CHECKOUT_ABSTRACTION)
    assert len(loads) == 2


def test_relative_names_are_found_beside_the_test(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(context, "current", context.RunningTest(
        lambda *_: None, CHECKOUT_SPEC.parent, tmp_path))
    assert len(assert_conforms(GOOD, CHECKOUT_SPEC.name, "SPEC",
                               CHECKOUT_ABSTRACTION.name)) == 3


def test_span_trees_of_broken_traces_need_no_recursion():
    deep = [Span("a" * 32, f"{k + 1:016x}", f"{k:016x}" if k else "", f"s{k}", 1, k, 10**6 - k)
            for k in range(20_000)]
    lines = span_tree(CapturedTrace("a" * 32, tuple(deep))).splitlines()
    assert len(lines) == 20_001
    assert lines[-1].startswith(" " * 3 * 31 + "└─ [depth 19999] unknown_service: s19999  ")
    cycle = (Span("b" * 32, "1" * 16, "2" * 16, "x", 1, 1, 2),
             Span("b" * 32, "2" * 16, "1" * 16, "y", 1, 1, 2))
    assert span_tree(CapturedTrace("b" * 32, cycle)).splitlines()[1:] == [
        "not reachable from a root (a parent cycle):",
        "   unknown_service: x  internal  +0 ns, 1 ns  span 1111111111111111",
        "   unknown_service: y  internal  +0 ns, 1 ns  span 2222222222222222",
    ]
