"""Hand-verified verdicts of the property checks: deadlock freedom, divergence freedom, determinism,
has trace; nondeterministic branches are all explored; limits give inconclusive verdicts.

Deadlock (F): a reachable stable state that refuses every event and ✓ (the terminated state Ω is
not a deadlock; a state that can ✓ is not one either). FD also counts a divergence as a failure of
the check. Determinism: no trace s and event a with s^<a> a trace and (s, {a}) a failure; in FD the
process must also be divergence free.
"""

import pytest

from cspotlp import csp
from cspotlp.csp import (
    DIV,
    SKIP,
    STOP,
    Environment,
    deadlock_free,
    deterministic,
    divergence_free,
    has_trace,
    refines,
)
from cspotlp.errors import CspError

env = Environment()
a, b, c = (env.channel(n).event() for n in "abc")


def pre(*events_then_p):
    *evs, p = events_then_p
    return csp.prefixes(list(evs), p)


LOOP = csp.call("LOOP")
env.define("LOOP", lambda: pre(a, LOOP))
env.define("COUNT", lambda n: pre(a, csp.call("COUNT", n + 1)))  # infinite state
LIVELOCK = csp.hide(LOOP, {a})


@pytest.mark.parametrize(("p", "model", "holds", "why"), [
    (SKIP, "F", True, "SKIP can always ✓; after ✓ it is terminated, which is not a deadlock"),
    (STOP, "F", False, "STOP refuses everything at once"),
    (pre(a, SKIP), "F", True, "a, then ✓, then terminated"),
    (pre(a, STOP), "F", False, "after <a> it refuses everything"),
    (LOOP, "FD", True, "always offers a"),
    (csp.int_choice(pre(a, SKIP), STOP), "F", False, "the STOP branch of the internal choice deadlocks"),
    (csp.ext_choice(pre(a, STOP), SKIP), "F", False, "after <a> it deadlocks (the ✓ branch is not taken)"),
    (csp.interleave(SKIP, STOP), "F", False, "STOP never terminates, so the interleaving cannot ✓: deadlock"),
    (csp.interleave(SKIP, SKIP), "F", True, "both terminate, then the whole does ✓"),
    (DIV, "F", True, "DIV has no stable state, so it never refuses everything in a stable state"),
    (DIV, "FD", False, "in FD a divergence fails the check"),
    (LIVELOCK, "F", True, "a hidden infinite loop has no stable state"),
    (LIVELOCK, "FD", False, "... but it diverges"),
    (csp.run({a}), "F", True, "RUN never refuses a"),
    (csp.chaos({a}), "F", False, "CHAOS may refuse everything (it can become STOP)"),
])
def test_deadlock_freedom(p, model, holds, why):
    v = deadlock_free(p, env, model)
    assert v.holds is holds, f"{v}\n{why}"


def test_deadlock_counterexample_reports_empty_acceptance():
    v = deadlock_free(pre(a, b, STOP), env)
    cex = v.counterexample
    assert cex.kind == "deadlock" and cex.trace == (a, b) and cex.acceptance == frozenset()


@pytest.mark.parametrize(("p", "holds", "why"), [
    (STOP, True, "no τ at all"),
    (DIV, False, "DIV performs τ forever"),
    (LIVELOCK, False, "hiding a in a -> a -> ... gives a τ loop"),
    (csp.hide(pre(a, b, STOP), {a}), True, "one τ, then b: finite τ paths only"),
    (csp.int_choice(LOOP, STOP), True, "the choice's τ happens once"),
    (pre(a, LIVELOCK), False, "diverges after <a>"),
    (csp.hide(csp.par(LOOP, {a}, pre(a, STOP)), {a}), True, "the loop is stopped by synchronisation after one a"),
])
def test_divergence_freedom(p, holds, why):
    v = divergence_free(p, env)
    assert v.holds is holds, f"{v}\n{why}"


def test_divergence_counterexample_has_trace_and_loop():
    v = divergence_free(csp.hide(pre(b, LOOP), {a}), env)
    cex = v.counterexample
    assert cex.kind == "divergence" and cex.trace == (b,)
    assert cex.divergence_loop and all(str(s.event) == "τ" for s in cex.divergence_loop)
    assert any(e is a for s in cex.divergence_loop for _c, e in s.moves)  # the hidden a, in its component


@pytest.mark.parametrize(("p", "model", "holds", "why"), [
    (csp.ext_choice(pre(a, STOP), pre(b, STOP)), "FD", True, "external choice between different events"),
    (csp.int_choice(pre(a, STOP), pre(b, STOP)), "FD", False, "after <> it may refuse b though <b> is a trace"),
    (csp.int_choice(pre(a, STOP), pre(a, STOP)), "FD", True, "both branches behave identically"),
    (csp.ext_choice(pre(a, b, STOP), pre(a, c, STOP)), "F", False,
     "after <a> it may refuse c (having chosen the b branch) though <a, c> is a trace"),
    (LOOP, "FD", True, "one event at a time, always offered"),
    (DIV, "FD", False, "divergence is nondeterministic in FD"),
    (DIV, "F", True, "F ignores divergence: DIV has no failures at all"),
    (csp.ext_choice(pre(a, STOP), SKIP), "F", False, "✓ is a signal: it may terminate, refusing a"),
    (SKIP, "FD", True, "only ✓"),
    (csp.interleave(pre(a, STOP), pre(b, STOP)), "FD", True, "both events stay offered until taken"),
    (csp.hide(csp.ext_choice(pre(a, STOP), pre(b, STOP)), {a}), "F", False,
     "the hidden a may silently pre-empt b"),
])
def test_determinism(p, model, holds, why):
    v = deterministic(p, env, model)
    assert v.holds is holds, f"{v}\n{why}"


def test_nondeterminism_counterexample_names_the_refused_event():
    v = deterministic(csp.int_choice(pre(a, STOP), pre(b, STOP)), env)
    cex = v.counterexample
    assert cex.kind == "nondeterminism" and cex.trace == ()
    assert cex.refused_event in (a, b) and cex.refused_event not in cex.acceptance


@pytest.mark.parametrize(("p", "trace", "model", "holds"), [
    (csp.interleave(pre(a, STOP), pre(a, b, STOP)), (a, b), "T", True),  # either side's a may go first
    (csp.interleave(pre(a, STOP), pre(a, b, STOP)), (a, a, b), "F", True),
    (csp.interleave(pre(a, STOP), pre(a, b, STOP)), (b,), "F", False),
    (csp.int_choice(pre(a, STOP), pre(b, STOP)), (b,), "T", True),  # both branches explored
    (pre(a, SKIP), (a, csp.TICK), "F", True),
    (pre(a, DIV), (a, b, c), "T", False),
    (pre(a, DIV), (a, b, c), "FD", True),  # divergence after <a>: every extension is an FD trace
    (csp.rename(pre(a, STOP), [(a, b), (a, c)]), (c,), "T", True),  # every image of a renaming
    (csp.par(csp.ext_choice(pre(a, b, STOP), pre(a, c, STOP)), {a}, pre(a, STOP)), (a, c), "T", True),
])
def test_has_trace(p, trace, model, holds):
    v = has_trace(p, trace, env, model)
    assert v.holds is holds, str(v)


def test_missing_trace_reports_where_it_stops():
    v = has_trace(pre(a, b, STOP), (a, c), env)
    assert v.counterexample.kind == "missing trace"
    assert v.counterexample.trace == (a,) and v.counterexample.error_event is c


def test_tick_only_last_in_a_trace():
    with pytest.raises(CspError):
        has_trace(SKIP, (csp.TICK, a), env)


def test_nondeterministic_branches_of_each_operator_are_all_explored():
    # a component with two a-moves to different states, inside a synchronisation
    left = csp.ext_choice(pre(a, b, STOP), pre(a, c, STOP))
    sync = csp.par(left, {a}, pre(a, STOP))
    assert has_trace(sync, (a, b), env, "T").holds and has_trace(sync, (a, c), env, "T").holds
    # both sides of an interleaving can do a shared event
    both = csp.interleave(pre(a, STOP), pre(a, b, STOP))
    assert refines(pre(a, a, STOP), both, env, "T").holds is False
    # hiding makes a choice internal: both outcomes reachable
    hidden = csp.hide(csp.ext_choice(pre(a, b, STOP), pre(a, c, STOP)), {a})
    assert has_trace(hidden, (b,), env, "T").holds and has_trace(hidden, (c,), env, "T").holds


def test_state_limit_is_inconclusive_never_passed():
    counter = csp.call("COUNT", 0)
    v = deadlock_free(counter, env, state_limit=50)
    assert v.holds is None and v.inconclusive and not v.passed
    assert "state limit" in v.reason
    assert "Inconclusive" in str(v)
    r = refines(csp.run({a}), counter, env, "T", state_limit=50)
    assert r.holds is None


def test_time_limit_is_inconclusive():
    big = csp.interleave(*(csp.run({a}) for _ in range(3)), csp.call("COUNT", 0))
    v = divergence_free(big, env, time_limit=0.0, state_limit=10_000)
    assert v.holds is None and v.reason


def test_verdict_is_not_a_bool():
    v = deadlock_free(SKIP, env)
    with pytest.raises(TypeError):
        bool(v)


def test_verdict_text_in_fdr_style():
    v = refines(pre(a, b, STOP), pre(a, STOP), env, "F", spec_name="SPEC", impl_name="IMPL")
    text = str(v)
    assert text.startswith("SPEC [F= IMPL: Failed\n")
    assert "Counterexample (refusal)" in text and "Trace: <a>" in text
    assert "Specification requires one of: {b}" in text
    assert text.endswith("\n")


def test_progress_reports_arrive():
    reports = []
    deadlock_free(LOOP, env, progress=reports.append)
    assert reports and reports[-1].states >= 1
    assert "states/s" in str(reports[-1])


def test_unknown_model_is_an_error():
    with pytest.raises(CspError):
        refines(STOP, STOP, env, "R")
    with pytest.raises(CspError):
        deadlock_free(STOP, env, "T")
