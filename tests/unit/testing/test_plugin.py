"""The pytest plugin as users meet it: pytest runs in a subprocess (the plugin loads through its
``pytest11`` entry point), on test files written as a user would write them."""

import subprocess
import sys
import textwrap

import pytest

pytest_plugins = ["pytester"]

SPEC = """
datatype Label = Checkout | Charge | Ship
channel call, ret, error : Label
Call(l) = call.l -> ret.l -> SKIP
SPEC = call.Checkout -> (Call(Charge) ; Call(Ship) ; ret.Checkout -> SPEC)
"""

SHOP = '''
from opentelemetry import trace

tracer = trace.get_tracer("shop")   # the global API, as application code does


def checkout(ship_first=False):
    with tracer.start_as_current_span("Checkout"):
        steps = ["Ship", "Charge"] if ship_first else ["Charge", "Ship"]
        for step in steps:
            with tracer.start_as_current_span(step):
                pass
'''


@pytest.fixture
def shop(pytester, monkeypatch):
    monkeypatch.setenv("OTEL_SERVICE_NAME", "orders")  # the resource of the default provider
    monkeypatch.setenv("COLUMNS", "300")  # summary lines in full
    pytester.makefile(".csp", shop=SPEC)
    pytester.makefile(".json", shop='{"label": "{name}"}')
    pytester.makepyfile(shop=SHOP)
    return pytester


def run(pytester, *args):
    # -p no:randomly/cacheprovider: the run's output must not depend on other plugins
    return pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:randomly", *args)


ORDERS_TESTS = '''
import pytest
from cspotlp.testing import assert_conforms
from shop import checkout


def test_good_order(otel_spans):
    checkout()
    checkout()
    results = assert_conforms(otel_spans, "shop.csp", "SPEC", "shop.json")
    assert len(results) == 2 and len(otel_spans) == 6


@pytest.mark.parametrize("n", range(4))
def test_each_test_sees_only_its_own_spans(otel_spans, n):
    assert len(otel_spans) == 0
    for _ in range(n):
        checkout()
    assert otel_spans.names() == ["Charge", "Ship", "Checkout"] * n


def test_bad_order(otel_spans):
    checkout()
    checkout(ship_first=True)
    assert_conforms(otel_spans, "shop.csp", "SPEC", abstraction="shop.json")


@pytest.mark.csp_spec("shop.csp", "SPEC", abstraction="shop.json")
def test_marked_conforming():
    checkout()


@pytest.mark.csp_spec("shop.csp", abstraction="shop.json")
def test_marked_not_conforming():
    checkout(ship_first=True)


@pytest.mark.csp_spec("shop.csp", abstraction="shop.json")
def test_marked_without_spans_is_no_pass():
    pass


@pytest.mark.csp_spec("shop.csp", abstraction="shop.json", allow_empty=True)
def test_marked_allowed_to_be_empty():
    pass


@pytest.mark.csp_spec("shop.csp", abstraction="shop.json")
def test_marked_own_failure_comes_first():
    checkout(ship_first=True)
    assert 1 == 2, "the test's own assertion"


def test_unmarked_spans_are_not_checked():
    checkout(ship_first=True)
'''


def test_fixture_marker_and_report_under_xdist(shop):
    """Passing and failing tests, the counterexample, the report section; two xdist workers,
    so the recordings of one process's tests must not mix (the spans of each test are its own)."""
    shop.makepyfile(test_orders=ORDERS_TESTS)
    result = run(shop, "-n", "2", "-rf")
    result.assert_outcomes(passed=8, failed=4)
    out = result.stdout.str()
    # failures come in the workers' order: find test_bad_order's counterexample by its text
    bad_trace = out.split("1 of 2 trace(s) do not conform")[1].split("FAIL  trace ")[1][:32]
    result.stdout.fnmatch_lines([
        "*1 of 2 trace(s) do not conform to SPEC (shop.csp):",
        f"*FAIL  trace {bad_trace} (6 events)",
        "*event 2, call.Ship, is refused",
        "*span * 'Ship' (service orders)",
        "*after: call.Checkout",
        "*the specification accepted here: call.Charge",
        "*span trees in the report section 'cspotlp span trees'*",
        "*- Captured cspotlp span trees call -*",
        f"trace {bad_trace} (3 spans)",
        "└─ orders: Checkout  internal  *",
        "   ├─ orders: Ship  internal  *<-- event 2, call.Ship: refused",
        "   └─ orders: Charge  internal  *",
    ])
    result.stdout.fnmatch_lines_random([
        "FAILED test_orders.py::test_bad_order - *SpansDoNotConform: 1 of 2 trace(s)*",
        "FAILED test_orders.py::test_marked_not_conforming - Failed: @pytest.mark.csp_spec: 1 of"
        " 1 trace(s) do not conform to SPEC (shop.csp):*",
        "FAILED test_orders.py::test_marked_without_spans_is_no_pass - Failed: "
        "@pytest.mark.csp_spec: no spans to check*",
        "FAILED test_orders.py::test_marked_own_failure_comes_first - AssertionError: the test's"
        " own assertion*",
    ])
    assert out.count("Captured cspotlp span trees") == 2  # the failing checks attach; no other
    assert "plugin.py" not in out  # a marker's failure is the counterexample, no traceback


def test_a_global_provider_set_by_the_application_is_kept(shop):
    shop.makeconftest('''
        from opentelemetry import trace
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider

        trace.set_tracer_provider(TracerProvider(resource=Resource.create({"service.name": "store"})))
    ''')
    shop.makepyfile(test_service=textwrap.dedent('''
        from opentelemetry import trace
        from opentelemetry.sdk.trace import TracerProvider
        from cspotlp.otlp import service_name
        from shop import checkout

        def test_spans_carry_the_applications_resource(otel_spans):
            checkout()
            assert {service_name(s.resource) for s in otel_spans.to_spans()} == {"store"}

        def test_a_later_provider_cannot_replace_it(otel_spans):
            trace.set_tracer_provider(TracerProvider())   # the SDK refuses, with a warning
            checkout()
            assert len(otel_spans) == 3
    '''))
    run(shop).assert_outcomes(passed=2)


def test_a_foreign_global_provider_is_a_clear_error(shop):
    shop.makeconftest('''
        from opentelemetry import trace
        trace.set_tracer_provider(trace.NoOpTracerProvider())
    ''')
    shop.makepyfile(test_noop='''
        def test_capture(otel_spans):
            pass
    ''')
    result = run(shop)
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*OtelError: the global tracer provider is a NoOpTracerProvider,"
                                 " not the OpenTelemetry SDK's TracerProvider*"])


def test_loading_the_plugin_imports_nothing_heavy():
    """pytest imports the plugin in every run: it must not import the SDK, Hypothesis or the
    engine (they load when a test uses the fixture, the marker or a check)."""
    code = ("import sys, pytest; before = set(sys.modules); import cspotlp.testing.plugin; "
            "print(sorted(set(sys.modules) - before))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == str(["cspotlp", "cspotlp.testing", "cspotlp.testing.context",
                                      "cspotlp.testing.plugin"])


def test_the_plugin_is_registered_for_pytest():
    from importlib.metadata import entry_points

    assert [e.value for e in entry_points(group="pytest11", name="cspotlp")] == [
        "cspotlp.testing.plugin"]
