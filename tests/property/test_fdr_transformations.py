"""FDR's process transformations state laws: checked on random finite processes.

- ``deter(P)`` is the deterministic process with P's traces: P is deterministic iff
  ``deter(P) [M= P`` (M = F, FD), when P does not terminate (a process offering ✓ beside an
  event is never deterministic, ✓ being a signal: no process with its traces is).
- A trace watchdog barks iff the refinement fails in T; a failures watchdog barks or is stable
  iff it fails in F (for implementations that do not terminate: termination is not watched).
- ``dbisim``, ``tau_loop_factor`` and ``model_compress`` preserve T, F and FD; ``chase`` only
  removes behaviour (``P [FD= chase(P)``) and leaves τ-free processes as they are.
"""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from cspotlp import csp
from cspotlp.csp import bisimilar, compress_lts, deterministic, explicate, refines
from cspotlp.csp.semantics import Semantics, explicit
from cspotlp.csp.watchdogs import failure_watchdog_lts, trace_watchdog_lts
from tests.strategies import ALPHABET, ENV, A, B, _extend, processes

BARK = csp.event("bark")
WATCHED = frozenset(ALPHABET)

non_terminating = st.recursive(
    st.sampled_from([csp.STOP, csp.run(frozenset(ALPHABET[:1])), csp.chaos(frozenset(ALPHABET[1:2]))]),
    _extend, max_leaves=6)
"""Processes over {a, b, c} without SKIP: none of them can terminate."""


@settings(max_examples=60)
@given(p=non_terminating)
def test_a_process_is_deterministic_iff_deter_of_it_refines_it(p):
    d = csp.compress("deter", p)
    for model in ("F", "FD"):
        assert deterministic(p, ENV, model).holds == refines(d, p, ENV, model).holds, model
    assert refines(p, d, ENV, "T").holds and refines(d, p, ENV, "T").holds
    assert deterministic(d, ENV, "FD").holds


def _watchdog(build, spec: csp.Proc) -> csp.Proc:
    lts = build(explicate(spec, Semantics(ENV)), WATCHED, BARK)
    return explicit(lts, lts.initial)


A_OR_B = (csp.prefix(A, csp.STOP), csp.prefix(B, csp.STOP))


@settings(max_examples=60)
@given(spec=processes, impl=non_terminating)
@example(spec=A_OR_B[0], impl=A_OR_B[1])  # fails: b is not a trace of the specification
@example(spec=csp.run(WATCHED), impl=csp.int_choice(*A_OR_B))  # holds
def test_the_trace_watchdog_barks_iff_trace_refinement_fails(spec, impl):
    watched = csp.hide(csp.par(impl, WATCHED, _watchdog(trace_watchdog_lts, spec)), WATCHED)
    assert refines(csp.STOP, watched, ENV, "T").holds == refines(spec, impl, ENV, "T").holds


@settings(max_examples=60)
@given(spec=processes, impl=non_terminating)
@example(spec=csp.ext_choice(*A_OR_B), impl=csp.int_choice(*A_OR_B))  # fails: a refusal
@example(spec=csp.int_choice(*A_OR_B), impl=csp.ext_choice(*A_OR_B))  # holds
@example(spec=csp.DIV, impl=csp.STOP)  # fails: the specification is never stable
@example(spec=csp.SKIP, impl=csp.STOP)  # fails: STOP refuses ✓
@example(spec=csp.int_choice(csp.SKIP, A_OR_B[0]), impl=A_OR_B[0])  # holds
def test_the_failures_watchdog_barks_or_stops_iff_failures_refinement_fails(spec, impl):
    watched = csp.hide(csp.par(impl, WATCHED, _watchdog(failure_watchdog_lts, spec)), WATCHED)
    assert refines(csp.DIV, watched, ENV, "F").holds == refines(spec, impl, ENV, "F").holds


@pytest.mark.parametrize("name", ["dbisim", "tau_loop_factor", "model_compress"])
@settings(max_examples=40)
@given(p=processes)
def test_equivalence_preserving_compressions(name, p):
    q = csp.compress(name, p)
    for model in ("T", "F", "FD"):
        assert refines(p, q, ENV, model).holds and refines(q, p, ENV, model).holds, model


@settings(max_examples=60)
@given(p=processes)
def test_chase_only_removes_behaviour(p):
    assert refines(p, csp.compress("chase", p), ENV, "FD").holds
    lts = explicate(p, Semantics(ENV))
    if not bool((lts.labels == 0).any()):
        assert bisimilar(lts, compress_lts("chase", lts))
