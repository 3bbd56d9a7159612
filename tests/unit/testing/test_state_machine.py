"""state_machine: rules from input channels, observations checked step by step (returned events
and emitted spans), quiescence against stable failures, shrunk counterexamples."""

import re

import pytest
from hypothesis import HealthCheck, settings
from hypothesis.stateful import run_state_machine_as_test
from opentelemetry import trace

from cspotlp import csp
from cspotlp.csp import Environment, call, ext_choice, prefix
from cspotlp.errors import CspEvalError
from cspotlp.testing import Violation, state_machine

RUN = settings(max_examples=40, stateful_step_count=12, deadline=None, derandomize=True,
               database=None, suppress_health_check=list(HealthCheck))


def run(machine):
    run_state_machine_as_test(machine, settings=RUN)


def fails(machine):
    with pytest.raises(Violation) as caught:
        run(machine)
    return caught.value


def counter_model():
    """A counter from 0 to 2: inc.n answers val.(n+1); at 2 it only resets; stop ends it."""
    env = Environment()
    inc, reset, stop = env.channel("inc"), env.channel("reset"), env.channel("stop")
    val = env.channel("val", range(3))
    env.define("C", lambda n: ext_choice(
        prefix(inc.event(), prefix(val.event(n + 1), call("C", n + 1))) if n < 2 else csp.STOP,
        prefix(reset.event(), prefix(val.event(0), call("C", 0))),
        prefix(stop.event(), csp.SKIP)))
    return call("C", 0), env


class Counter:
    def __init__(self, limit=2):
        self.n, self.limit = 0, limit

    def inc(self):
        if self.n < self.limit:
            self.n += 1
        return ("val", self.n)

    def reset(self):
        self.n = 0
        return f"val.{self.n}"

    def stop(self):
        return None


BINDINGS = {"inc": Counter.inc, "reset": Counter.reset, "stop": Counter.stop}


def test_a_correct_implementation_passes_and_rules_follow_the_specification():
    steps = []

    def inc(c):
        steps.append("inc")
        assert c.n < 2, "driven although the specification refuses inc here"
        return c.inc()

    run(state_machine(counter_model(), "C", {**BINDINGS, "inc": inc}, make=Counter))
    assert "inc" in steps


def test_a_wrong_observation_is_caught_and_shrunk_to_the_shortest_run():
    v = fails(state_machine(counter_model(), "C", BINDINGS, make=lambda: Counter(limit=1)))
    # the shortest run: two increments, the second answered val.1 instead of val.2
    assert [e.name for e in v.trace] == ["inc", "val.1", "inc", "val.1"]
    assert v.event.name == "val.1" and [e.name for e in v.accepted] == ["val.2"]
    assert str(v) == ("after <inc, val.1, inc> the implementation did val.1, which C(0) refuses; "
                      "it accepted: val.2")


def test_answers_in_every_form_and_a_clear_error_for_the_rest():
    def inc(c):
        c.n += 1
        return [csp.event("val", c.n)]

    run(state_machine(counter_model(), "C", {**BINDINGS, "inc": inc}, make=Counter))
    for bad in ("val.9", ("val", 9), "nonsense", 3.5, ("val",)):
        v = fails(state_machine(counter_model(), "C", {**BINDINGS, "reset": lambda c, b=bad: b},
                                make=Counter))
        assert f"the implementation reported {bad!r}, which is no event of C(0)'s alphabet" in str(v)


def test_quiescence_is_checked_against_what_the_specification_must_still_do():
    silent = {**BINDINGS, "reset": lambda c: None}
    run(state_machine(counter_model(), "C", silent, make=Counter))  # traces alone: no complaint
    v = fails(state_machine(counter_model(), "C", silent, make=Counter, stable=True))
    assert [e.name for e in v.trace] == ["reset"]
    assert str(v) == ("after <reset> the implementation is quiescent, refusing every output, "
                      "but C(0) must still do one of {val.0}")
    # a predicate decides when the implementation is quiescent: never, here
    run(state_machine(counter_model(), "C", silent, make=Counter, stable=lambda c: False))


def test_data_of_inputs_is_drawn_among_the_values_the_specification_accepts():
    env = Environment()
    put, got = env.channel("put", range(4)), env.channel("got", range(4))
    # only even values may be put
    env.define("P", lambda: csp.input_prefix(put, [{0, 2}], lambda x: prefix(got.event(x),
                                                                             call("P"))))
    seen = []

    def do_put(store, x):
        assert x in (0, 2)
        seen.append(x)
        return ("got", x)

    run(state_machine((call("P"), env), "P", {"put": do_put}, make=list))
    assert set(seen) == {0, 2}


def test_bindings_must_name_declared_channels_and_names_may_not_clash():
    with pytest.raises(CspEvalError, match="bindings name nope, which C\\(0\\) does not declare; "
                                           "its channels: inc, reset, stop, val"):
        state_machine(counter_model(), "C", {"nope": print})
    env = Environment()
    teardown = env.channel("teardown")
    machine = state_machine((prefix(teardown.event(), csp.STOP), env), "T",
                            {"teardown": lambda: None})
    assert hasattr(machine, "do_teardown")
    run(machine)  # after the one input, nothing is enabled: the machine idles, it does not crash


def test_an_exception_in_the_implementation_names_the_trace():
    def inc(c):
        if c.n == 1:
            raise RuntimeError("boom")
        return c.inc()

    with pytest.raises(RuntimeError, match="boom") as caught:
        run(state_machine(counter_model(), "C", {**BINDINGS, "inc": inc}, make=Counter))
    assert any("while the implementation did inc after the CSP trace <inc, val.1>" in note
               for note in caught.value.__notes__)


def test_the_specification_can_be_a_cspm_file(tmp_path):
    spec = tmp_path / "counter.csp"
    spec.write_text("channel inc, reset, stop\nchannel val : {0..2}\n"
                    "C(n) = (n < 2 & inc -> val!(n+1) -> C(n+1)) [] reset -> val!0 -> C(0) "
                    "[] stop -> SKIP\nSPEC = C(0)\n")
    run(state_machine(spec, "SPEC", BINDINGS, make=Counter))
    v = fails(state_machine(spec, "SPEC", BINDINGS, make=lambda: Counter(limit=1)))
    assert str(v).startswith("after <inc, val.1, inc> the implementation did val.1, which SPEC")


# -- spans as observations --------------------------------------------------------------------

SHOP_SPEC = """
datatype Label = Checkout | Charge | Ship
channel call, ret, error : Label
channel order
SPEC = order -> call.Checkout -> call.Charge -> ret.Charge -> call.Ship -> ret.Ship
                 -> ret.Checkout -> SPEC
"""


class Shop:
    def __init__(self, ship_first_at=None):
        self.orders = 0
        self.ship_first_at = ship_first_at
        self.tracer = trace.get_tracer("shop")

    def order(self):
        self.orders += 1
        steps = ["Charge", "Ship"]
        if self.orders == self.ship_first_at:
            steps.reverse()
        with self.tracer.start_as_current_span("Checkout"):
            for step in steps:
                with self.tracer.start_as_current_span(step):
                    pass


def test_spans_are_observed_through_the_abstraction(tmp_path):
    spec = tmp_path / "shop.csp"
    spec.write_text(SHOP_SPEC)
    label = {"label": "{name}"}
    run(state_machine(spec, "SPEC", {"order": Shop.order}, make=Shop, abstraction=label,
                      stable=True))
    v = fails(state_machine(spec, "SPEC", {"order": Shop.order}, make=lambda: Shop(2),
                            abstraction=label))
    assert [e.name for e in v.trace] == [
        "order", "call.Checkout", "call.Charge", "ret.Charge", "call.Ship", "ret.Ship",
        "ret.Checkout", "order", "call.Checkout", "call.Ship"]
    text = str(v)
    assert text.startswith("after <order, call.Checkout, call.Charge, ret.Charge, call.Ship, "
                           "ret.Ship, ret.Checkout, order, call.Checkout> the implementation did "
                           "call.Ship, which SPEC refuses; it accepted: call.Charge\nspans emitted:\n")
    assert text.count("Checkout  internal") == 2


def test_a_span_outside_the_alphabet_is_named(tmp_path):
    spec = tmp_path / "shop.csp"
    spec.write_text(SHOP_SPEC)
    v = fails(state_machine(spec, "SPEC", {"order": Shop.order}, make=Shop,
                            abstraction={"label": "{service}.{name}"}))
    assert re.search(r"after <order> the implementation emitted span [0-9a-f]{16} 'Checkout' "
                     r"\(trace [0-9a-f]{32}\), whose event call\.\S+\.Checkout is outside "
                     r"SPEC's alphabet", str(v))
