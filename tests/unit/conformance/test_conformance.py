import json

import pytest

from cspotlp.conformance.checker import ConformanceChecker, Summary, check_traces
from cspotlp.conformance.normalise import NormalisedSpec
from cspotlp.csp import STOP, Environment, prefix
from cspotlp.csp.values import Datum
from cspotlp.mapping.abstraction import Abstraction, abstract_trace
from cspotlp.otlp import CapturedTrace, Span
from tests.flow_fixtures import checkout_abstraction, checkout_spec_terms, checkout_traces, order
from tests.paths import needs_shared_data


@pytest.fixture
def checker():
    spec, env = checkout_spec_terms()
    return ConformanceChecker.for_process(spec, env, checkout_abstraction())


def test_checkout_orders_verdicts(checker):
    results = [checker.check(t) for t in checkout_traces()]
    assert [r.verdict for r in results] == ["pass", "pass", "pass", "fail"]
    f = results[3].failure
    assert f.reason == "refused" and f.event == "call.ShipOrder"
    assert f.accepted == ("call.Charge",)
    assert f.before == ("ret.Convert", "call.GetQuote", "ret.GetQuote")
    shipping = next(s for s in checkout_traces()[3].spans
                    if s.name.endswith("ShipOrder") and s.kind == 2)
    assert (f.span.trace_id, f.span.span_id, f.span.name, f.span.service) == (
        shipping.trace_id, shipping.span_id, shipping.name, "shipping")
    assert f.index == 14  # the 15th abstract event


def test_describe_and_json(checker):
    bad = checker.check(checkout_traces()[3])
    text = bad.describe()
    assert text.splitlines()[0] == f"FAIL  trace {4:032x} (24 events)"
    assert "event 15, call.ShipOrder, is refused" in text
    assert "the specification accepted here: call.Charge" in text
    doc = json.loads(json.dumps(bad.to_json()))
    assert doc["verdict"] == "fail" and doc["failure"]["span"]["service"] == "shipping"
    assert doc["failure"]["accepted"] == ["call.Charge"]
    good = checker.check(checkout_traces()[0]).to_json()
    assert good == {"trace_id": f"{1:032x}", "file": "checkout.jsonl", "verdict": "pass",
                    "events": 20}


def test_complete_requires_the_spec_to_finish():
    spec, env = checkout_spec_terms()
    strict = ConformanceChecker.for_process(spec, env, checkout_abstraction(), complete=True)
    lenient = ConformanceChecker.for_process(spec, env, checkout_abstraction())
    assert [strict.check(t).verdict for t in checkout_traces()] == ["pass"] * 3 + ["fail"]
    # a trace cut short: the frontend span is still open (end time 0), nothing below it
    root = order(5, 2).spans[-1]
    assert root.parent_span_id == ""
    cut = CapturedTrace(root.trace_id, (root._replace(end_time_unix_nano=0),))
    assert lenient.check(cut).passed  # call.Checkout is a prefix of an order
    r = strict.check(cut)
    assert r.verdict == "fail" and r.failure.reason == "not-terminated"
    assert r.failure.index == 1 and r.failure.accepted == ("call.PlaceOrder",)


def test_not_terminated_failure():
    env = Environment()
    call = env.channel("call", [Datum("A")])
    ret = env.channel("ret", [Datum("A")])
    env.channel("error", [Datum("A")])
    spec = prefix(call.event(Datum("A")), prefix(ret.event(Datum("A")),
                                                 prefix(call.event(Datum("A")), STOP)))
    span = Span("ab" * 16, "cd" * 8, "", "A", 1, 1, 2)
    tr = CapturedTrace("ab" * 16, (span,))
    a = Abstraction(label="{name}")
    assert ConformanceChecker.for_process(spec, env, a).check(tr).passed
    r = ConformanceChecker.for_process(spec, env, a, complete=True).check(tr)
    assert r.failure.reason == "not-terminated" and r.failure.accepted == ("call.A",)
    assert "cannot finish" in r.describe()


def test_events_outside_the_alphabet_are_reported_as_such(checker):
    a = Abstraction()  # default labels: nothing is in the spec's Label datatype
    spec, env = checkout_spec_terms()
    r = ConformanceChecker.for_process(spec, env, a).check(checkout_traces()[0])
    assert r.failure.reason == "outside-alphabet" and r.failure.index == 0
    assert r.failure.event == "call.frontend.POST /api/checkout"
    assert r.failure.accepted == ("call.Checkout",)


def test_absent_parents_hang_from_a_synthetic_root_unless_strict(checker):
    t = order(6, 1)
    orphan = t.spans[0]._replace(span_id="ee" * 8, parent_span_id="ff" * 8)
    broken = CapturedTrace(t.trace_id, (*t.spans, orphan))
    spec, env = checkout_spec_terms()
    strict = ConformanceChecker.for_process(spec, env, checkout_abstraction(), strict=True)
    r = strict.check(broken)
    assert r.verdict == "error" and "parent" in r.error
    r = checker.check(broken)
    assert r.verdict == "fail"  # the orphan span is a second root: a second Checkout
    assert r.repairs == (f"synthetic-root: span {'ee' * 8}: its parent {'ff' * 8} is not in "
                         "the capture; it hangs from a synthetic root",)
    summary = Summary()
    summary.add(r)
    assert summary.orphan_spans == 1 and "1 span(s) had a parent outside" in summary.notes()[0]
    named = ConformanceChecker.for_process(spec, env, checkout_abstraction(), strict=True,
                                           repairs=["synthetic-root"]).check(broken)
    assert named.verdict == "fail" and named.repairs == r.repairs


def test_streaming_with_progress_and_summary(checker):
    seen = []
    traces = [order(k, 1 + k % 3, decline=k % 7 == 0, ship_first=k % 11 == 0)
              for k in range(1, 600)]
    summary = Summary()
    for result in checker.check_all(iter(traces), lambda *a: seen.append(a), progress_every=0):
        summary.add(result)
    assert summary.traces == 599 and summary.failed == 599 // 11 and summary.errors == 0
    assert summary.passed == 599 - 599 // 11
    assert seen[-1][0] == 599 and seen[-1][1] == summary.events
    assert "599 trace(s)" in str(summary)


def test_check_traces_shortcut():
    spec, env = checkout_spec_terms()
    verdicts = [r.verdict for r in check_traces(spec, env, checkout_traces(),
                                                checkout_abstraction())]
    assert verdicts == ["pass", "pass", "pass", "fail"]


def test_more_lookups_than_the_spec_allows_are_refused():
    spec, env = checkout_spec_terms(max_items=3)
    # in time order, the fourth concurrent call is refused while three are in flight
    sequential = ConformanceChecker.for_process(spec, env, checkout_abstraction(),
                                                orders="sequential")
    r = sequential.check(order(7, 4))
    assert r.verdict == "fail" and r.failure.event == "call.GetProduct"
    assert set(r.failure.accepted) == {"ret.GetProduct"} and r.failure.in_time_order
    # no order helps; the one that got furthest finishes three lookups first
    r = ConformanceChecker.for_process(spec, env, checkout_abstraction()).check(order(7, 4))
    assert r.verdict == "fail" and r.failure.event == "call.GetProduct"
    assert set(r.failure.accepted) == {"call.Convert"} and not r.failure.in_time_order
    assert r.failure.before == ("ret.GetProduct",) * 3
    assert "in no order of its events" in r.describe()


def test_normalised_spec_is_built_lazily_and_can_be_completed():
    spec, env = checkout_spec_terms()
    lazy = NormalisedSpec(spec, env)
    assert lazy.num_nodes == 1
    full = NormalisedSpec(spec, env)
    n = full.normalise_all()
    assert n > 20 and all(t is not None for t in full.delta)
    checker = ConformanceChecker(lazy, checkout_abstraction())
    for t in checkout_traces():
        checker.check(t)
    assert lazy.num_nodes < n  # only the nodes the traces visit


def test_abstract_traces_checked_directly(checker):
    a = checkout_abstraction()
    t = abstract_trace(checkout_traces()[1], a)
    assert checker.check_abstract(t).passed
    assert checker.codes(t.events) == checker.codes(t.events)  # numbering is stable


def test_the_cspm_spec_agrees_with_its_python_twin():
    from cspotlp.conformance.spec import load_spec
    from tests.flow_fixtures import CHECKOUT_SPEC

    spec, env = load_spec(CHECKOUT_SPEC, "SPEC")
    assert {"call", "ret", "error"} <= set(env.channels)
    from_cspm = ConformanceChecker.for_process(spec, env, checkout_abstraction(), complete=True)
    twin_spec, twin_env = checkout_spec_terms()
    twin = ConformanceChecker.for_process(twin_spec, twin_env, checkout_abstraction(),
                                          complete=True)
    traces = [*checkout_traces(), order(5, 4), order(6, 2, decline=True, ship_first=True)]
    for t in traces:
        a, b = from_cspm.check(t), twin.check(t)
        assert (a.verdict, a.failure) == (b.verdict, b.failure)
    assert from_cspm.spec.normalise_all() == twin.spec.normalise_all()


@needs_shared_data
def test_the_otel_demo_capture_against_its_spec():
    from cspotlp.conformance.spec import load_spec
    from cspotlp.mapping.abstraction_file import load_abstraction
    from cspotlp.otlp import load
    from tests.flow_fixtures import EXAMPLES
    from tests.paths import OTLP_DATA

    spec, env = load_spec(EXAMPLES / "otel_demo_spec.csp", "SPEC")
    checker = ConformanceChecker.for_process(
        spec, env, load_abstraction(EXAMPLES / "otel_demo_abstraction.json"),
        repairs=["split-shared", "synthetic-root", "break-cycles", "clamp-skew"])
    capture = load(OTLP_DATA / "otlpjson__otel-tui__otel-demo-fileexporter-part1.jsonl")
    results = list(checker.check_all(capture.traces))
    failed = [r for r in results if not r.passed]
    assert (len(results), len(failed)) == (61, 3)
    for r in failed:  # each a lone product look-up whose frontend parent was not captured
        assert (r.events, r.failure.event, r.failure.index) == (2, "call.GetProduct", 0)
        assert r.failure.span.service == "productcatalogservice"
        assert {"call.Api", "call.LoadGen"} <= set(r.failure.accepted)
        assert any("synthetic-root" in note for note in r.repairs)
