"""conform's three readings of a captured trace: some order, every order, the time order."""

import itertools
import json

import pytest

from cspotlp.conformance import ConformanceChecker, NormalisedSpec, Summary
from cspotlp.csp import SKIP, STOP, Environment, ext_choice, prefix, seq
from cspotlp.csp import call as call_process
from cspotlp.csp.values import Datum
from cspotlp.mapping.abstraction import Abstraction
from cspotlp.mapping.observed import abstract_observed
from cspotlp.otlp import CapturedTrace, Resource, Span, attributes

MS = 1_000_000
TID = "cd" * 16
NAMES = Abstraction(label="{name}")


def spec_env(labels=("P", "A", "B")):
    env = Environment()
    call, ret = (env.channel(c, [Datum(x) for x in labels]) for c in ("call", "ret"))
    env.channel("error", [Datum(x) for x in labels])
    return env, (lambda x: call.event(Datum(x))), (lambda x: ret.event(Datum(x)))


def chain(events, end=SKIP):
    p = end
    for e in reversed(events):
        p = prefix(e, p)
    return p


def overlapping(a_first=True):
    """P over A and B, each in a service of its own, overlapping: A starts first by clock."""
    a, b = (1, 2) if a_first else (2, 1)
    return CapturedTrace(TID, (
        Span(TID, "01" * 8, "", "P", 2, 0, 10 * MS, resource=res("front")),
        Span(TID, "02" * 8, "01" * 8, "A", 2, a * MS, 4 * MS, resource=res("a")),
        Span(TID, "03" * 8, "01" * 8, "B", 2, b * MS, 5 * MS, resource=res("b"))))


def res(service):
    return Resource(attributes({"service.name": service}))


def checker(spec, env, **options):
    return ConformanceChecker.for_process(spec, env, NAMES, **options)


def test_some_order_passes_when_the_clocks_order_is_not_the_specified_one():
    env, c, r = spec_env()
    b_first = chain([c("P"), c("B"), c("A"), r("A"), r("B"), r("P")])
    trace = overlapping(a_first=True)
    some = checker(b_first, env).check(trace)
    assert some.passed and some.linearisation == (0, 2, 1, 3, 4, 5) and some.states > 0
    assert some.to_json()["order"] == [0, 2, 1, 3, 4, 5]
    seq = checker(b_first, env, orders="sequential").check(trace)
    assert seq.verdict == "fail" and seq.failure.event == "call.A" and seq.failure.in_time_order
    every = checker(b_first, env, orders="all").check(trace)  # the time order itself fails
    assert every.verdict == "fail" and every.failure.in_time_order and every.states == 0


def test_every_order_reports_the_order_it_used():
    env, c, r = spec_env()
    a_first = ext_choice(chain([c("P"), c("A"), c("B"), r("A"), r("B"), r("P")]),
                         chain([c("P"), c("A"), r("A"), c("B"), r("B"), r("P")]))
    trace = overlapping(a_first=True)
    assert checker(a_first, env).check(trace).passed  # in time order
    every = checker(a_first, env, orders="all").check(trace)
    f = every.failure
    assert every.verdict == "fail" and not f.in_time_order
    assert (f.event, f.order, f.index, f.reason) == ("call.B", (0,), 2, "refused")
    assert f.accepted == ("call.A",) and f.span.name == "B"
    text = every.describe()
    assert "in an order its partial order allows" in text
    assert "call.P, [call.B]" in text and "event 3, call.B, is refused" in text
    assert json.loads(json.dumps(every.to_json()))["failure"]["order"] == [0]


def test_complete_in_every_order():
    env, c, r = spec_env()
    # every order of the calls is accepted, but the specification can finish only when B
    # returned first, as the clocks say it did
    branches = []
    for order in itertools.permutations([c("A"), r("A"), c("B"), r("B")]):
        if order.index(c("A")) < order.index(r("A")) and \
                order.index(c("B")) < order.index(r("B")):
            finish = SKIP if order.index(r("B")) < order.index(r("A")) else STOP
            branches.append(chain([*order, r("P")], finish))
    body = branches[0]
    for b in branches[1:]:
        body = ext_choice(body, b)
    spec = prefix(c("P"), body)
    trace = CapturedTrace(TID, (
        Span(TID, "01" * 8, "", "P", 2, 0, 10 * MS, resource=res("front")),
        Span(TID, "02" * 8, "01" * 8, "A", 2, 1 * MS, 5 * MS, resource=res("a")),
        Span(TID, "03" * 8, "01" * 8, "B", 2, 2 * MS, 4 * MS, resource=res("b"))))
    for orders, verdict in (("some", "pass"), ("all", "fail")):
        result = checker(spec, env, orders=orders, complete=True).check(trace)
        assert result.verdict == verdict, orders
    f = checker(spec, env, orders="all", complete=True).check(trace).failure
    assert f.reason == "not-terminated" and f.order == (0, 1, 2, 4, 3, 5)
    assert not f.in_time_order


def test_a_search_over_its_budget_is_inconclusive_never_a_pass():
    env, c, r = spec_env()
    b_first = chain([c("P"), c("B"), c("A"), r("A"), r("B"), r("P")])
    result = checker(b_first, env, search_limit=2).check(overlapping())
    assert result.verdict == "inconclusive" and not result.passed
    assert "stopped after 2 states" in result.error
    summary = Summary()
    summary.add(result)
    assert summary.inconclusive == 1 and str(summary).endswith("1 inconclusive")


def test_a_specification_too_big_to_normalise_is_inconclusive():
    env, c, r = spec_env()

    def count(k):  # a new node after every call and return
        return prefix(c("A"), prefix(r("A"), call_process("Count", k + 1)))

    env.define("Count", count)
    spec = NormalisedSpec(call_process("Count", 0), env, node_limit=3)
    trace = CapturedTrace(TID, tuple(
        Span(TID, f"{k + 1:016x}", "", "A", 2, 10 * k * MS, 10 * k * MS + 1, resource=res("a"))
        for k in range(5)))
    result = ConformanceChecker(spec, NAMES).check(trace)
    assert result.verdict == "inconclusive" and "normalisation stopped" in result.error


@pytest.mark.parametrize("k", [6, 12])
def test_identical_concurrent_calls_cost_their_symmetric_ideals_only(k):
    """k alike calls under one parent: (k+1)(k+2)/2 ideals, plus before and after the parent,
    not 3^k (531,441 for k = 12, beyond the budget given)."""
    env, c, r = spec_env(("P", "W"))

    def fan(called, returned):
        options = [prefix(c("W"), call_process("Fan", called + 1, returned))] \
            if called < k else []
        if returned < called:
            options.append(prefix(r("W"), call_process("Fan", called, returned + 1)))
        out = SKIP if returned == k else options[0]
        for o in options[1:]:
            out = ext_choice(out, o)
        return out

    env.define("Fan", fan)
    spec = prefix(c("P"), seq(call_process("Fan", 0, 0), prefix(r("P"), SKIP)))
    trace = CapturedTrace(TID, (
        Span(TID, "0f" * 8, "", "P", 2, 0, 10 * MS, resource=res("front")),
        *(Span(TID, f"{k + 1:016x}", "0f" * 8, "W", 2, MS, 5 * MS, resource=res(f"s{k}"))
          for k in range(k))))
    result = checker(spec, env, orders="all", search_limit=10_000).check(trace)
    assert result.passed and result.states == (k + 1) * (k + 2) // 2 + 2


def test_accepted_events_are_written_as_the_abstraction_writes_labels():
    env = Environment()
    labels = [Datum("L_payment_dCharge"), Datum("L_shipping_dShip_w_sorder")]
    call = env.channel("call", labels)
    env.channel("ret", labels)
    env.channel("error", labels)
    spec = prefix(call.event(labels[0]), STOP)
    trace = CapturedTrace(TID, (Span(TID, "01" * 8, "", "Ship /order", 2, 0, MS,
                                     resource=res("shipping")),))
    result = ConformanceChecker.for_process(spec, env, Abstraction()).check(trace)
    assert result.failure.accepted == ("call.payment.Charge",)
    assert result.failure.reason == "refused" and result.failure.event == "call.shipping.Ship /order"
    assert "the specification accepted here: call.payment.Charge" in result.describe()


def test_orders_must_be_known():
    env, c, _ = spec_env()
    with pytest.raises(ValueError, match="orders must be one of"):
        checker(prefix(c("P"), STOP), env, orders="any")


def test_a_trace_without_an_order_is_checked_as_listed():
    env, c, r = spec_env()
    b_first = chain([c("P"), c("B"), c("A"), r("A"), r("B"), r("P")])
    observed = abstract_observed(overlapping(), NAMES)
    in_time = observed.__class__(observed.trace_id, observed.events)  # no tree: one order
    assert checker(b_first, env).check_abstract(observed).passed
    assert not checker(b_first, env).check_abstract(in_time).passed
