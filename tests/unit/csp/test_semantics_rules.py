"""Operator-by-operator checks of the firing rules (Roscoe, UCS; FDR conventions)."""

from cspotlp import csp
from cspotlp.csp import DIV, OMEGA, RULES, SKIP, STOP, TAU, TICK, Environment, Op, Semantics, traces

env = Environment()
a, b, c = (env.channel(n).event() for n in "abc")
sem = Semantics(env)


def tr(p, n=4):
    return {" ".join(map(str, t)) for t in traces(p, env, n)}


def test_every_operator_has_a_rule():
    assert set(RULES) == set(Op)


def test_terms_are_interned():
    assert csp.prefix(a, STOP) is csp.prefix(a, STOP)
    assert csp.ext_choice(csp.prefix(a, STOP), SKIP) is csp.ext_choice(csp.prefix(a, STOP), SKIP)
    assert csp.call("P", True) is not csp.call("P", 1)


def test_skip_ticks_into_omega_and_div_loops():
    assert sem.transitions(SKIP) == ((TICK, OMEGA),)
    assert sem.transitions(DIV) == ((TAU, DIV),)
    assert sem.transitions(STOP) == ()


def test_internal_choice_yields_both_branches():
    p = csp.int_choice(csp.prefix(a, STOP), csp.prefix(b, STOP))
    assert [e for e, _ in sem.transitions(p)] == [TAU, TAU]
    assert tr(p) == {"", "a", "b"}


def test_interleaving_explores_both_sides_of_a_shared_event():
    # a -> STOP ||| a -> b -> STOP has the trace <a, b>: the second a may come from either side.
    p = csp.interleave(csp.prefix(a, STOP), csp.prefixes([a, b], STOP))
    assert "a b" in tr(p)
    assert tr(p) == {"", "a", "a a", "a b", "a a b", "a b a"}


def test_external_choice_tau_does_not_resolve():
    p = csp.ext_choice(csp.int_choice(csp.prefix(a, STOP), csp.prefix(b, STOP)), csp.prefix(c, STOP))
    # the τ of the internal choice keeps c available
    targets = [t for e, t in sem.transitions(p) if e is TAU]
    assert all(t.op is Op.EXT for t in targets)
    assert tr(p) == {"", "a", "b", "c"}


def test_sequential_composition_turns_tick_into_tau():
    p = csp.seq(csp.prefix(a, SKIP), csp.prefix(b, SKIP))
    assert tr(p) == {"", "a", "a b", "a b ✓"}


def test_distributed_termination_needs_both_sides():
    p = csp.par(csp.prefix(a, SKIP), frozenset(), SKIP)
    assert tr(p) == {"", "a", "a ✓"}
    q = csp.interleave(SKIP, csp.prefix(b, STOP))
    assert tr(q) == {"", "b"}  # the right side never terminates, so neither does the whole


def test_generalised_parallel_synchronises():
    p = csp.par(csp.prefixes([a, b], STOP), frozenset({b}), csp.prefixes([c, b], STOP))
    assert tr(p) == {"", "a", "c", "a c", "c a", "a c b", "c a b"}


def test_alphabetised_parallel_restricts_each_side():
    # P may only do events in {a}; its b is blocked.
    p = csp.apar(csp.prefixes([a, b], STOP), {a}, {c}, csp.prefix(c, STOP))
    assert tr(p) == {"", "a", "c", "a c", "c a"}


def test_hiding_and_renaming():
    assert tr(csp.hide(csp.prefixes([a, b], SKIP), {a})) == {"", "b", "b ✓"}
    r = csp.rename(csp.prefix(a, STOP), [(a, b), (a, c)])
    assert tr(r) == {"", "b", "c"}


def test_interrupt_timeout_exception_link():
    assert tr(csp.interrupt(csp.prefixes([a, a], STOP), csp.prefix(b, STOP))) == {
        "", "a", "b", "a a", "a b", "a a b"}
    t = csp.timeout(csp.prefix(a, STOP), csp.prefix(b, STOP))
    assert tr(t) == {"", "a", "b"}
    assert (TAU, csp.prefix(b, STOP)) in sem.transitions(t)
    x = csp.exception(csp.prefixes([a, b], STOP), {b}, csp.prefix(c, STOP))
    assert tr(x) == {"", "a", "a b", "a b c"}
    lk = csp.link(csp.prefixes([a, c], STOP), [(a, b)], csp.prefix(b, STOP))
    assert tr(lk) == {"", "c"}


def test_run_and_chaos():
    assert tr(csp.run({a, b}), 2) == {"", "a", "b", "a a", "a b", "b a", "b b"}
    ch = csp.chaos({a})
    assert (TAU, STOP) in sem.transitions(ch)
    assert tr(ch, 2) == {"", "a", "a a"}


def test_prioritise_gives_tau_priority_over_later_sets():
    p = csp.prioritise(csp.ext_choice(csp.prefix(a, STOP), csp.timeout(csp.prefix(b, STOP), STOP)), [set(), {a}])
    assert all(e is not a for e, _ in sem.transitions(p))


def test_unguarded_recursion_is_reported():
    import pytest

    from cspotlp.errors import CspEvalError

    e2 = Environment()
    e2.define("P", lambda: csp.ext_choice(csp.call("P"), STOP))
    with pytest.raises(CspEvalError, match="unguarded recursion"):
        Semantics(e2).transitions(csp.call("P"))


def test_input_prefix_binds_dotted_fields():
    e2 = Environment()
    ch = e2.channel("c", range(3), [True, False])
    got = csp.input_prefix(ch, [None, True], lambda x: csp.prefix(ch.event(x, False), STOP))
    ts = {" ".join(map(str, t)) for t in traces(got, e2, 2)}
    assert ts == {"", "c.0.true", "c.1.true", "c.2.true", "c.0.true c.0.false",
                  "c.1.true c.1.false", "c.2.true c.2.false"}


def test_channel_rejects_values_outside_its_type():
    import pytest

    from cspotlp.errors import CspEvalError

    e2 = Environment()
    ch = e2.channel("c", range(2))
    with pytest.raises(CspEvalError, match="outside the type"):
        ch.event(5)
    with pytest.raises(CspEvalError, match="outside the type"):
        ch.event(True)
