"""10^5 captured traces stream through the conformance checker, with progress reports."""

import pytest

from cspotlp.conformance.checker import ConformanceChecker, Summary
from cspotlp.csp import SKIP, Environment, ext_choice, prefix
from cspotlp.csp.values import Datum
from cspotlp.mapping.abstraction import Abstraction
from cspotlp.otlp import CapturedTrace, Resource, Span, Status, attributes

N = 100_000
RES = Resource(attributes({"service.name": "api"}))


def request(k):
    """A request span with a database child; every 1000th one fails the database call."""
    tid, root, child = f"{k + 1:032x}", f"{2 * k + 1:016x}", f"{2 * k + 2:016x}"
    failed = k % 1000 == 999
    return CapturedTrace(tid, (
        Span(tid, root, "", "Req", 2, 10, 40, resource=RES),
        Span(tid, child, root, "Db", 3, 20, 30, status=Status(2 if failed else 0), resource=RES),
    ))


@pytest.mark.slow
def test_hundred_thousand_traces_stream_with_progress():
    env = Environment()
    labels = [Datum("Req"), Datum("Db")]
    call, ret = env.channel("call", labels), env.channel("ret", labels)
    env.channel("error", labels)
    req, db = labels
    spec = prefix(call.event(req), ext_choice(
        prefix(call.event(db), prefix(ret.event(db), prefix(ret.event(req), SKIP))),
        prefix(ret.event(req), SKIP)))
    checker = ConformanceChecker.for_process(spec, env, Abstraction(label="{name}"),
                                             complete=True)
    reports = []
    summary = Summary()
    failures = []
    for result in checker.check_all((request(k) for k in range(N)), lambda *r: reports.append(r),
                                    progress_every=0.0):
        summary.add(result)
        if not result.passed:
            failures.append(result)
    assert (summary.traces, summary.passed, summary.failed) == (N, N - N // 1000, N // 1000)
    assert summary.events == 4 * N
    assert reports[-1][:2] == (N, 4 * N) and len(reports) >= N // 256
    f = failures[0].failure
    assert (failures[0].trace_id, f.event, f.index) == (f"{1000:032x}", "error.Db", 2)
    assert f.span.span_id == f"{2 * 999 + 2:016x}" and f.accepted == ("ret.Db",)
    assert checker.spec.num_nodes <= 6  # the normalised spec stays tiny
