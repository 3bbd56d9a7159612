"""Laws of refinement on random finite processes (Roscoe, UCS ch. 3-6), and agreement of the fast
checker with an independent reference written over the term semantics."""

from hypothesis import given, settings
from hypothesis import strategies as st

from cspotlp import csp
from cspotlp.csp import DIV, after, deadlock_free, divergence_free, refines
from tests.strategies import ENV, processes
from tests.strategies_refinement import reference_refines

models = st.sampled_from(["T", "F", "FD"])


def R(p, q, model):
    return refines(p, q, ENV, model).holds


@given(processes, models)
def test_refinement_is_reflexive(p, model):
    assert R(p, p, model) is True


@settings(max_examples=100)  # several full checks per example
@given(processes, processes, processes, models)
def test_refinement_is_transitive(p, q, r, model):
    if R(p, q, model) and R(q, r, model):
        assert R(p, r, model) is True


@settings(max_examples=100)  # several full checks per example
@given(processes, processes, processes, models)
def test_chains_of_internal_choices_are_transitive(p, q, r, model):
    # P |~| Q |~| R  ⊑  P |~| Q  ⊑  P, so the outer pair is a refinement too
    top = csp.int_choice(p, q, r)
    mid = csp.int_choice(p, q)
    assert R(top, mid, model) and R(mid, p, model) and R(top, p, model)


@given(processes, processes)
def test_internal_choice_is_refined_by_either_branch(p, q):
    assert R(csp.int_choice(p, q), p, "FD") is True


@settings(max_examples=100)  # several full checks per example
@given(processes, processes)
def test_external_choice_has_every_trace_of_either_side(p, q):
    assert R(csp.ext_choice(p, q), p, "T") is True
    # P [T= P [] Q exactly when Q adds no trace
    assert R(p, csp.ext_choice(p, q), "T") is R(p, q, "T")


@settings(max_examples=100)  # several full checks per example
@given(processes, processes)
def test_internal_and_external_choice_have_equal_traces(p, q):
    i, e = csp.int_choice(p, q), csp.ext_choice(p, q)
    assert R(i, e, "T") and R(e, i, "T")


@given(processes)
def test_div_is_the_bottom_of_fd_and_stop_of_traces(p):
    assert R(DIV, p, "FD") is True
    assert R(p, csp.STOP, "T") is True


@given(processes, processes)
def test_failures_refinement_implies_traces_refinement(p, q):
    if R(p, q, "F"):
        assert R(p, q, "T") is True


@settings(max_examples=100)  # several full checks per example
@given(processes, processes)
def test_fd_implies_f_for_a_divergence_free_specification(p, q):
    if divergence_free(p, ENV).holds and R(p, q, "FD"):
        assert R(p, q, "F") is True


@given(processes, processes, models)
def test_verdicts_agree_with_the_reference_checker(p, q, model):
    assert R(p, q, model) is reference_refines(p, q, ENV, model)


@given(processes, processes)
def test_trace_counterexamples_are_real(p, q):
    v = refines(p, q, ENV, "T")
    if v.holds is False:
        cex = v.counterexample
        bad = (*cex.trace, cex.error_event)
        assert after(q, bad, ENV)  # the implementation can do it ...
        assert not after(p, bad, ENV)  # ... the specification cannot


@given(processes)
def test_deadlock_freedom_is_refinement_of_the_deadlock_free_process(p):
    # DF = |~| a : Σ @ a -> DF |~| SKIP; P is deadlock free iff DF [F= P
    events = sorted(ENV.events(), key=lambda e: e.name)
    env = ENV
    if "DF" not in env.definitions:
        env.define("DF", lambda: csp.int_choice(*(csp.prefix(e, csp.call("DF")) for e in events), csp.SKIP))
    assert deadlock_free(p, env, "F").holds is refines(csp.call("DF"), p, env, "F").holds
