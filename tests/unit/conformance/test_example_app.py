"""The bundled example program captures real SDK telemetry that the flow checks as promised."""

import subprocess
import sys

import pytest

from cspotlp.conformance.checker import ConformanceChecker
from cspotlp.mapping.abstraction import abstract_trace
from cspotlp.otlp import load, service_name, summarise
from cspotlp.otlp.model import attribute
from tests.flow_fixtures import EXAMPLES, REPO, checkout_abstraction, checkout_spec_terms


@pytest.fixture(scope="module")
def capture(tmp_path_factory):
    path = tmp_path_factory.mktemp("app") / "checkout.pb"
    subprocess.run([sys.executable, str(EXAMPLES / "checkout_app.py"), str(path)], check=True,
                   cwd=REPO, capture_output=True)
    return load(path)


def order_number(trace):
    root = next(s for s in trace.spans if not s.parent_span_id)
    return attribute(root.attributes, "app.order.id").value


def test_capture_is_clean_and_shaped_like_the_demo(capture):
    assert capture.format == "otlp-proto-stream"
    assert [order_number(t) for t in capture.traces] == [f"order-{k}" for k in range(1, 5)]
    summary = summarise(capture)
    assert not summary.diagnostics
    assert len({service_name(s.resource) for s in capture.spans()}) == 8


def test_lookups_overlap_and_verdicts_are_as_documented(capture):
    a = checkout_abstraction()
    spec, env = checkout_spec_terms()
    checker = ConformanceChecker.for_process(spec, env, a, complete=True)
    results = {order_number(t): checker.check(t) for t in capture.traces}
    assert [results[f"order-{k}"].verdict for k in range(1, 5)] == ["pass", "pass", "pass", "fail"]
    f = results["order-4"].failure
    assert (f.event, f.span.service, f.accepted) == ("call.ShipOrder", "shipping", ("call.Charge",))
    events = [e.name for e in abstract_trace(capture.traces[1], a).events]
    first_ret = events.index("ret.GetProduct")
    assert events[first_ret - 1] == "call.GetProduct" and events.count("call.GetProduct") > 1
    assert events[:first_ret].count("call.GetProduct") == events.count("call.GetProduct")
    assert "error.Charge" in [e.name for e in abstract_trace(capture.traces[2], a).events]


def test_trace_ids_are_the_same_on_every_run(capture, tmp_path):
    again = tmp_path / "again.pb"
    subprocess.run([sys.executable, str(EXAMPLES / "checkout_app.py"), str(again)], check=True,
                   cwd=REPO, capture_output=True)
    assert [t.trace_id for t in load(again).traces] == [t.trace_id for t in capture.traces]
