"""Deep and wide captured traces through the partial order, the searches and the export:
explicit stacks everywhere (no RecursionError), budgets that end in "inconclusive"."""

import pytest

from cspotlp.conformance import ConformanceChecker
from cspotlp.csp import SKIP, Environment, ext_choice, prefix
from cspotlp.csp import call as call_process
from cspotlp.csp.values import Datum
from cspotlp.cspm import check_script, parse_script
from cspotlp.export.cspm import export_cspm
from cspotlp.mapping.abstraction import Abstraction
from cspotlp.mapping.observed import abstract_observed
from cspotlp.otlp import CapturedTrace, Resource, Span, attributes

MS = 1_000_000
TID = "12" * 16
NAMES = Abstraction(label="{name}")


def res(service):
    return Resource(attributes({"service.name": service}))


def anything(env, labels):
    """A specification accepting every call and return, forever."""
    call, ret = (env.channel(c, [Datum(x) for x in labels]) for c in ("call", "ret"))
    env.channel("error", [Datum(x) for x in labels])
    options = [prefix(ch.event(Datum(x)), call_process("Any")) for ch in (call, ret)
               for x in labels]

    def body():
        out = SKIP
        for o in options:
            out = ext_choice(out, o)
        return out

    env.define("Any", body)
    return call_process("Any")


@pytest.mark.slow
def test_a_chain_ten_thousand_spans_deep():
    n = 10_000
    spans = tuple(Span(TID, f"{k + 1:016x}", f"{k:016x}" if k else "", "Op", 1, k * MS,
                       (3 * n - k) * MS, resource=res(f"s{k % 3}")) for k in range(n))
    trace = CapturedTrace(TID, spans)
    observed = abstract_observed(trace, NAMES)
    assert len(observed.events) == 2 * n
    env = Environment()
    spec = anything(env, ["Op"])
    for orders in ("some", "all"):
        result = ConformanceChecker.for_process(spec, env, NAMES, orders=orders).check(trace)
        assert result.passed
    text = export_cspm([observed], NAMES).text
    assert max(len(line) for line in text.splitlines()) < 1000
    check_script(parse_script(text, "deep.csp"))


@pytest.mark.slow
def test_a_fan_of_ten_thousand_concurrent_calls():
    n = 10_000
    spans = (Span(TID, f"{1:016x}", "", "Batch", 2, 0, 100 * MS, resource=res("front")),
             *(Span(TID, f"{k + 2:016x}", f"{1:016x}", f"W{k % 3}", 1, MS + k, 50 * MS + k,
                    resource=res(f"s{k % 5}")) for k in range(n)))
    trace = CapturedTrace(TID, spans)
    env = Environment()
    spec = anything(env, ["Batch", "W0", "W1", "W2"])
    some = ConformanceChecker.for_process(spec, env, NAMES).check(trace)
    assert some.passed and some.states == 0  # the time order decides
    every = ConformanceChecker.for_process(spec, env, NAMES, orders="all",
                                           search_limit=20_000).check(trace)
    assert every.verdict == "inconclusive"  # 3 kinds of calls: far more ideals than that
    text = export_cspm([abstract_observed(trace, NAMES)], NAMES).text
    assert len(text) < 60 * 2 * n
    check_script(parse_script(text, "wide.csp"))


@pytest.mark.slow
def test_a_staircase_of_five_thousand_overlapping_calls():
    """Each call overlaps its neighbours only: one big group, neither series nor parallel."""
    n = 5_000
    spans = (Span(TID, f"{1:016x}", "", "Batch", 2, 0, 4 * n * MS, resource=res("front")),
             *(Span(TID, f"{k + 2:016x}", f"{1:016x}", "W", 1, 3 * k * MS, (3 * k + 5) * MS,
                    resource=res(f"s{k % 4}")) for k in range(n)))
    observed = abstract_observed(CapturedTrace(TID, spans), NAMES)
    text = export_cspm([observed], NAMES).text
    assert "obs_join" in text and len(text) < 400 * n
