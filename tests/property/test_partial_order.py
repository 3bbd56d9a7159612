"""Partial-order reduction keeps verdicts: deadlock freedom (F) and trace refinement on random
networks give the same verdict with and without it, and a counterexample found with it is a
real one (its trace is a trace of the implementation; a refinement's is not one of the spec)."""

from hypothesis import example, given, settings
from hypothesis import strategies as st

from cspotlp import csp
from cspotlp.csp import deadlock_free, explore, has_trace, refines
from tests.strategies import ENV, A, B, C, processes


def networks(p, q, r):
    yield csp.interleave(p, q, r)
    yield csp.par(csp.interleave(p, q), {A}, r)
    yield csp.hide(csp.interleave(p, q, r), {B})
    yield csp.hide(csp.par(p, {A, B}, csp.interleave(q, r)), {A})
    yield csp.apar(csp.interleave(p, csp.SKIP), {A, C}, {A, B}, csp.rename(q, [(B, C)]))
    yield csp.link(csp.interleave(p, r), [(A, B)], q)


@settings(max_examples=60, deadline=None)
@given(processes, processes, processes)
def test_deadlock_verdicts_are_kept(p, q, r):
    for net in networks(p, q, r):
        full = deadlock_free(net, ENV, "F")
        reduced = deadlock_free(net, ENV, "F", partial_order=True)
        assert reduced.holds == full.holds, str(net)
        assert reduced.states <= full.states
        if reduced.counterexample is not None:
            assert has_trace(net, reduced.counterexample.trace, ENV, "T").holds
        assert explore(net, ENV, partial_order=True).states <= explore(net, ENV).states


@settings(max_examples=60, deadline=None)
@given(processes, processes, processes, processes)
# the ignoring problem: r's τ loop is always ample; without the cycle proviso, q's a is never seen
@example(csp.STOP, csp.STOP, csp.run({A}), csp.hide(csp.run({A}), {A}))
def test_trace_refinement_verdicts_are_kept(spec, p, q, r):
    for net in networks(p, q, r):
        full = refines(spec, net, ENV, "T")
        reduced = refines(spec, net, ENV, "T", partial_order=True)
        assert reduced.holds == full.holds, (str(spec), str(net))
        cex = reduced.counterexample
        if cex is not None:
            trace = (*cex.trace, cex.error_event)
            assert has_trace(net, trace, ENV, "T").holds
            assert has_trace(spec, trace, ENV, "T").holds is False


@given(st.integers(min_value=2, max_value=12))
def test_independent_components_are_explored_in_one_order(n):
    env = csp.Environment()
    a = env.channel("a", range(n))
    wide = csp.interleave(*(csp.prefix(a.event(i), csp.STOP) for i in range(n)))
    v = deadlock_free(wide, env, "F", partial_order=True)
    assert v.holds is False and v.states == n + 1  # one path: a.0, a.1, ... (2^n states unreduced)
