"""Hand-verified refinement verdicts for every operator, in the traces (T), stable failures (F)
and failures-divergences (FD) models.

``Spec [M= Impl`` holds when every behaviour of Impl in model M is one of Spec:
traces(Impl) ⊆ traces(Spec); in F also failures(Impl) ⊆ failures(Spec); in FD failures and
divergences, where after a divergence everything is possible (divergence strictness). FDR's
conventions: ✓ is a signal (a state that can terminate may refuse every other event; SKIP cannot
refuse ✓), and the terminated state Ω refuses everything.

Each case carries the justification of its verdict from those definitions.
"""

from dataclasses import dataclass

import pytest

from cspotlp import csp
from cspotlp.csp import DIV, SKIP, STOP, Environment, refines

env = Environment()
a, b, c, d = (env.channel(n).event() for n in "abcd")


def pre(*events_then_p):
    *evs, p = events_then_p
    return csp.prefixes(list(evs), p)


@dataclass(frozen=True)
class Case:
    spec: csp.Proc
    impl: csp.Proc
    model: str
    holds: bool
    why: str


CASES = [
    # -- STOP, SKIP, DIV --------------------------------------------------------------------
    Case(STOP, STOP, "FD", True, "identical processes"),
    Case(SKIP, STOP, "T", True, "traces(STOP) = {<>} ⊆ {<>, <✓>} = traces(SKIP)"),
    Case(SKIP, STOP, "F", False, "STOP refuses ✓ after <>; SKIP cannot (its only acceptance is {✓})"),
    Case(STOP, SKIP, "T", False, "<✓> is a trace of SKIP, not of STOP"),
    Case(DIV, STOP, "FD", True, "DIV diverges on <>, so every behaviour is allowed: DIV is the bottom of FD"),
    Case(DIV, pre(a, b, STOP), "FD", True, "anything refines DIV in FD"),
    Case(STOP, DIV, "FD", False, "DIV diverges on <>, STOP does not"),
    Case(STOP, DIV, "F", True, "F ignores divergence: DIV has traces {<>} and no stable failures"),
    Case(DIV, STOP, "F", False, "DIV has no stable failure, STOP has (<>, Σ✓)"),
    Case(STOP, DIV, "T", True, "traces(DIV) = {<>}"),
    # -- prefix ---------------------------------------------------------------------------------
    Case(pre(a, STOP), STOP, "T", True, "{<>} ⊆ {<>, <a>}"),
    Case(STOP, pre(a, STOP), "T", False, "<a> is not a trace of STOP"),
    Case(pre(a, STOP), STOP, "F", False, "STOP refuses a on <>; a -> STOP must accept it"),
    Case(pre(a, b, STOP), pre(a, STOP), "T", True, "{<>, <a>} ⊆ {<>, <a>, <a, b>}"),
    Case(pre(a, b, STOP), pre(a, STOP), "F", False, "after <a> the implementation refuses b"),
    Case(pre(a, b, STOP), pre(a, b, STOP), "FD", True, "identical"),
    # -- external choice ------------------------------------------------------------------------
    Case(csp.ext_choice(pre(a, STOP), pre(b, STOP)), pre(a, STOP), "T", True, "{<>, <a>} ⊆ {<>, <a>, <b>}"),
    Case(csp.ext_choice(pre(a, STOP), pre(b, STOP)), pre(a, STOP), "F", False,
         "a -> STOP refuses b on <>, the external choice must accept {a, b}"),
    Case(pre(a, STOP), csp.ext_choice(pre(a, STOP), pre(b, STOP)), "T", False, "<b> is not allowed"),
    Case(csp.ext_choice(pre(a, STOP), pre(b, STOP)), csp.ext_choice(pre(b, STOP), pre(a, STOP)), "FD", True,
         "[] is commutative: same traces, failures, divergences"),
    Case(pre(a, STOP), csp.ext_choice(pre(a, STOP), STOP), "FD", True, "STOP is the unit of []"),
    Case(csp.ext_choice(pre(a, STOP), STOP), pre(a, STOP), "FD", True, "STOP is the unit of []"),
    Case(csp.ext_choice(pre(a, STOP), SKIP), SKIP, "F", True,
         "✓ is a signal: a -> STOP [] SKIP may refuse a (it can terminate), so it has every failure of SKIP"),
    Case(SKIP, csp.ext_choice(pre(a, STOP), SKIP), "T", False, "<a> is not a trace of SKIP"),
    # -- internal choice ------------------------------------------------------------------------
    Case(csp.int_choice(pre(a, STOP), pre(b, STOP)), pre(a, STOP), "FD", True,
         "resolving nondeterminism is a refinement: each behaviour of a -> STOP is one of the choice"),
    Case(pre(a, STOP), csp.int_choice(pre(a, STOP), pre(b, STOP)), "T", False,
         "the b branch is explored: <b> is a trace of the choice"),
    Case(csp.ext_choice(pre(a, STOP), pre(b, STOP)), csp.int_choice(pre(a, STOP), pre(b, STOP)), "F", False,
         "the internal choice may refuse b on <> (after choosing a)"),
    Case(csp.int_choice(pre(a, STOP), pre(b, STOP)), csp.ext_choice(pre(a, STOP), pre(b, STOP)), "FD", True,
         "external refines internal: its acceptance {a, b} contains {a}"),
    Case(csp.int_choice(pre(a, STOP), pre(a, STOP)), pre(a, STOP), "FD", True, "P |~| P = P"),
    # -- sequential composition -------------------------------------------------------------------
    Case(pre(a, b, SKIP), csp.seq(pre(a, SKIP), pre(b, SKIP)), "FD", True,
         "the ✓ of a -> SKIP becomes an invisible τ: same traces and stable failures, no divergence"),
    Case(csp.seq(pre(a, SKIP), pre(b, SKIP)), pre(a, b, SKIP), "FD", True, "and conversely"),
    Case(pre(a, STOP), csp.seq(SKIP, pre(a, STOP)), "FD", True, "SKIP ; P = P"),
    Case(STOP, csp.seq(STOP, pre(a, STOP)), "FD", True, "STOP ; P = STOP"),
    Case(pre(a, STOP), csp.seq(pre(a, STOP), pre(b, STOP)), "FD", True, "P ; Q = P when P never terminates"),
    # -- interleaving ---------------------------------------------------------------------------
    Case(csp.ext_choice(pre(a, b, STOP), pre(b, a, STOP)), csp.interleave(pre(a, STOP), pre(b, STOP)), "FD", True,
         "expansion law: a -> STOP ||| b -> STOP = a -> b -> STOP [] b -> a -> STOP"),
    Case(csp.interleave(pre(a, STOP), pre(b, STOP)), csp.ext_choice(pre(a, b, STOP), pre(b, a, STOP)), "FD", True,
         "and conversely"),
    Case(SKIP, csp.interleave(SKIP, SKIP), "FD", True,
         "distributed termination: both components terminate (τ), then the whole does ✓"),
    Case(pre(a, STOP), csp.interleave(pre(a, STOP), STOP), "FD", True, "STOP is the unit of ||| for non-terminating P"),
    Case(pre(a, b, STOP), csp.interleave(pre(a, STOP), pre(a, b, STOP)), "T", False,
         "<a, a> is a trace: both sides can do a"),
    Case(csp.run({a, b}), csp.interleave(pre(a, STOP), pre(a, b, STOP)), "T", True, "every trace uses only a and b"),
    # -- generalised parallel -------------------------------------------------------------------
    Case(STOP, csp.par(pre(a, STOP), {a}, STOP), "FD", True, "a needs both sides and STOP never agrees"),
    Case(pre(a, c, STOP), csp.par(pre(a, c, STOP), {c}, pre(c, STOP)), "FD", True,
         "a is free, then both synchronise on c"),
    Case(STOP, csp.par(pre(a, b, STOP), {a, b}, pre(b, a, STOP)), "FD", True,
         "each side waits for the other's first event: immediate deadlock"),
    Case(csp.par(pre(a, b, STOP), {b}, pre(c, b, STOP)),
         csp.ext_choice(pre(a, c, b, STOP), pre(c, a, b, STOP)), "FD", True,
         "a and c interleave, then b is shared"),
    # -- alphabetised parallel --------------------------------------------------------------------
    Case(csp.interleave(pre(a, STOP), pre(b, STOP)), csp.apar(pre(a, b, STOP), {a}, {b}, pre(b, STOP)), "FD", True,
         "the left side may not do b (outside its alphabet {a}), so only the right's b happens"),
    Case(csp.apar(pre(a, b, STOP), {a}, {b}, pre(b, STOP)), csp.interleave(pre(a, STOP), pre(b, STOP)), "FD", True,
         "and conversely"),
    Case(pre(a, STOP), csp.apar(pre(a, STOP), {a, b}, {b}, pre(b, STOP)), "FD", True,
         "b is in both alphabets, so it needs the left side too, which never offers it: only a happens"),
    Case(pre(a, STOP), csp.apar(pre(a, STOP), {a}, {b}, pre(b, STOP)), "T", False,
         "with alphabets {a} and {b} nothing is shared: the right side's b happens freely"),
    # -- hiding ---------------------------------------------------------------------------------
    Case(pre(b, STOP), csp.hide(pre(a, b, STOP), {a}), "FD", True, "a becomes τ, then b is offered stably"),
    Case(csp.hide(pre(a, b, STOP), {a}), pre(b, STOP), "FD", True, "and conversely"),
    Case(STOP, csp.hide(csp.run({a}), {a}), "FD", False, "hiding an infinite a loop diverges"),
    Case(STOP, csp.hide(csp.run({a}), {a}), "F", True, "in F, a divergent process with no stable state has no failures"),
    Case(csp.int_choice(pre(b, STOP), STOP), csp.hide(csp.ext_choice(pre(a, STOP), pre(b, STOP)), {a}), "F", True,
         "(a -> STOP [] b -> STOP) \\ {a} offers b until the hidden a happens: b -> STOP [> STOP"),
    Case(pre(b, STOP), csp.hide(csp.ext_choice(pre(a, STOP), pre(b, STOP)), {a}), "F", False,
         "the hidden a may happen at once and lead to STOP, which refuses b"),
    # -- renaming -------------------------------------------------------------------------------
    Case(pre(b, STOP), csp.rename(pre(a, STOP), [(a, b)]), "FD", True, "a is renamed to b"),
    Case(csp.ext_choice(pre(b, STOP), pre(c, STOP)), csp.rename(pre(a, STOP), [(a, b), (a, c)]), "FD", True,
         "relational renaming: a becomes both b and c, an external choice"),
    Case(csp.rename(pre(a, STOP), [(a, b), (a, c)]), csp.ext_choice(pre(b, STOP), pre(c, STOP)), "FD", True,
         "and conversely"),
    # -- interrupt ------------------------------------------------------------------------------
    Case(csp.ext_choice(pre(a, b, STOP), pre(b, STOP)), csp.interrupt(pre(a, STOP), pre(b, STOP)), "FD", True,
         "b may interrupt before or after a"),
    Case(pre(a, STOP), csp.interrupt(pre(a, STOP), pre(b, STOP)), "T", False, "<b> is a trace"),
    # -- sliding choice (timeout) ---------------------------------------------------------------
    Case(csp.int_choice(csp.ext_choice(pre(a, STOP), pre(b, STOP)), pre(b, STOP)),
         csp.timeout(pre(a, STOP), pre(b, STOP)), "FD", True,
         "P [> Q = (P [] Q) |~| Q: a is offered only until the timeout"),
    Case(csp.timeout(pre(a, STOP), pre(b, STOP)),
         csp.int_choice(csp.ext_choice(pre(a, STOP), pre(b, STOP)), pre(b, STOP)), "FD", True, "and conversely"),
    Case(csp.ext_choice(pre(a, STOP), pre(b, STOP)), csp.timeout(pre(a, STOP), pre(b, STOP)), "F", False,
         "after the timeout a is refused"),
    # -- exception ------------------------------------------------------------------------------
    Case(pre(a, c, STOP), csp.exception(pre(a, b, STOP), {a}, pre(c, STOP)), "FD", True,
         "the a of the left side hands control to c -> STOP"),
    Case(pre(b, SKIP), csp.exception(pre(b, SKIP), {a}, pre(c, STOP)), "FD", True,
         "no event of {a} happens: the left side runs to termination"),
    # -- linked parallel ------------------------------------------------------------------------
    Case(pre(c, STOP), csp.link(pre(a, STOP), [(a, b)], pre(b, c, STOP)), "FD", True,
         "a of the left and b of the right synchronise as τ, then c"),
    Case(STOP, csp.link(pre(a, STOP), [(a, b)], pre(c, STOP)), "T", False, "the right side's c is not linked"),
    # -- RUN and CHAOS ----------------------------------------------------------------------------
    Case(csp.chaos({a, b}), pre(a, b, STOP), "F", True, "CHAOS(A) is the top of F among processes over A"),
    Case(csp.chaos({a}), pre(b, STOP), "T", False, "b is outside CHAOS({a})'s alphabet"),
    Case(csp.run({a}), csp.chaos({a}), "F", False, "CHAOS may refuse a, RUN never does"),
    Case(csp.chaos({a}), csp.run({a}), "FD", True, "RUN({a}) is one of CHAOS({a})'s resolutions"),
    Case(csp.chaos({a}), DIV, "FD", False, "CHAOS never diverges; DIV does"),
    Case(csp.run({a, b}), csp.run({a}), "T", True, "{a}* ⊆ {a, b}*"),
    Case(csp.run({a, b}), csp.run({a}), "F", False, "RUN({a}) refuses b"),
]


@pytest.mark.parametrize("case", CASES, ids=[f"{i}-{c.model}" for i, c in enumerate(CASES)])
def test_refinement_verdict(case):
    v = refines(case.spec, case.impl, env, case.model)
    assert v.holds is case.holds, f"{v}\nexpected {case.holds}: {case.why}"
    if not case.holds:
        assert v.counterexample is not None
    else:
        assert v.counterexample is None


def test_trace_counterexample_names_the_error_event():
    v = refines(pre(a, STOP), csp.int_choice(pre(a, STOP), pre(b, STOP)), env, "T")
    cex = v.counterexample
    assert cex.kind == "trace" and cex.trace == () and cex.error_event is b


def test_refusal_counterexample_gives_acceptance_and_requirement():
    # after <a>, STOP accepts nothing; the specification requires b
    v = refines(pre(a, b, STOP), pre(a, STOP), env, "F")
    cex = v.counterexample
    assert cex.kind == "refusal" and cex.trace == (a,)
    assert cex.acceptance == frozenset() and cex.required == (frozenset({b}),)


def test_divergence_counterexample_shows_the_loop():
    v = refines(pre(a, STOP), pre(a, csp.hide(csp.run({b}), {b})), env, "FD")
    cex = v.counterexample
    assert cex.kind == "divergence" and cex.trace == (a,)
    assert [str(s.event) for s in cex.divergence_loop] == ["τ"]


def test_divergence_after_spec_divergence_is_allowed():
    # the specification diverges after <a>, so the implementation may do anything there
    spec = pre(a, DIV)
    assert refines(spec, pre(a, csp.hide(csp.run({b}), {b})), env, "FD").holds is True
    assert refines(spec, pre(a, b, c, STOP), env, "FD").holds is True
    assert refines(spec, pre(b, STOP), env, "FD").holds is False


def test_counterexample_traces_are_shortest():
    # the violation (c) can be reached after <a, b> or after <d>: BFS reports the shorter one
    impl = csp.ext_choice(pre(a, b, c, STOP), pre(d, c, STOP))
    spec = csp.ext_choice(pre(a, b, STOP), pre(d, STOP))
    v = refines(spec, impl, env, "T")
    assert v.counterexample.trace == (d,) and v.counterexample.error_event is c
