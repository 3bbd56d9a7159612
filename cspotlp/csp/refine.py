"""Refinement checks ``Spec [T= Impl``, ``Spec [F= Impl``, ``Spec [FD= Impl`` as FDR does them.

The specification is explored, then normalised (:mod:`cspotlp.csp.normalise`) for the model; the
implementation is compiled to a supercombinator network and searched breadth first against the
normal form (:mod:`cspotlp.csp.search`), so the counterexample is a shortest one.

>>> from cspotlp.csp import Environment, prefix, STOP, int_choice
>>> env = Environment(); a, b = env.channel("a").event(), env.channel("b").event()
>>> spec = int_choice(prefix(a, STOP), prefix(b, STOP))
>>> refines(spec, prefix(a, STOP), env, "FD").holds
True
>>> print(refines(prefix(a, STOP), spec, env, "T").counterexample.error_event)
b
"""

from __future__ import annotations

import numpy as np

from cspotlp.csp.budget import COMPONENT_STATES, Budget, budget_of
from cspotlp.csp.environment import Environment
from cspotlp.csp.events import Event
from cspotlp.csp.explain import explain
from cspotlp.csp.explore import lts_from_search
from cspotlp.csp.guided import refines_on_the_fly
from cspotlp.csp.normalise import MODELS, NormalForm, normalise
from cspotlp.csp.por import por_mode
from cspotlp.csp.search import SearchResult, SpecAutomaton, search
from cspotlp.csp.semantics import Semantics
from cspotlp.csp.show import show
from cspotlp.csp.supercombinator import Network, compile_network
from cspotlp.csp.terms import Proc
from cspotlp.csp.verdict import ProgressCallback, Verdict
from cspotlp.errors import CspError, LimitReached

NAME_CHARS = 80


LEAF_PROBE = COMPONENT_STATES
"""States a component of the implementation may have before ``[T=`` checks on the fly instead."""


def refines(
    spec: Proc,
    impl: Proc,
    env: Environment,
    model: str = "FD",
    *,
    state_limit: int | None = None,
    time_limit: float | None = None,
    progress: ProgressCallback | None = None,
    semantics: Semantics | None = None,
    spec_name: str | None = None,
    impl_name: str | None = None,
    leaf_compression: str | None = None,
    memory_limit: int | None = None,
    budget: Budget | None = None,
    partial_order: bool = False,
) -> Verdict:
    """Does ``impl`` refine ``spec`` in ``model`` (``T``, ``F`` or ``FD``)?

    Returns a :class:`Verdict`: passed, failed with a shortest counterexample, or inconclusive
    when the budget (``budget``, or one made of ``state_limit``, ``memory_limit`` in bytes,
    ``time_limit`` in seconds and ``progress``) stopped the work. ``leaf_compression``
    compresses each sequential component of the implementation first (e.g. ``"sbisim"``, or
    ``"diamond"`` for components with internal τ).

    In the traces model, when a component of the implementation cannot be compiled (its terms
    grow without bound, or it has more than :data:`LEAF_PROBE` states), the check runs on the fly
    instead (:func:`~cspotlp.csp.guided.refines_on_the_fly`): it explores only the part of the
    implementation the specification allows.

    ``partial_order`` explores a reduced state space that keeps the implementation's traces
    (:mod:`cspotlp.csp.por`; FDR's ``:[partial order reduce]``), in ``T`` only; in ``F`` and
    ``FD`` it is ignored with a note.
    """
    _check_model(model)
    kind = f"{spec_name or show(spec, NAME_CHARS)} [{model}= {impl_name or show(impl, NAME_CHARS)}"
    sem = semantics or Semantics(env)
    budget = budget_of(budget, state_limit, time_limit, progress, memory_limit)
    try:
        nf = normal_form(spec, sem, model, budget=budget)
        if isinstance(nf, str):
            return Verdict(None, kind, seconds=budget.elapsed(), reason=nf)
    except LimitReached as e:
        return Verdict(None, kind, seconds=budget.elapsed(), reason=f"while normalising the specification: {e.reason}")
    probe = budget.narrowed(min(budget.component_states, LEAF_PROBE)) if model == "T" else budget
    try:
        net = compile_network(impl, sem, budget=probe, leaf_compression=leaf_compression)
    except LimitReached as e:
        if probe is budget or budget.exceeded(0):
            return Verdict(None, kind, states=e.explored, seconds=budget.elapsed(), reason=e.reason)
        note = f"checked on the fly: a component could not be compiled ({e.reason})"
        return refines_on_the_fly(nf, impl, sem, kind, budget, notes=(note,))
    automaton = spec_automaton(nf, net.events, model)
    reduce, notes = por_mode(partial_order, "traces" if model == "T" else None, f"refinement in {model}")
    res = search(net, automaton, budget=budget, reduce=reduce)
    return verdict_of(res, net, automaton, kind, budget.elapsed(), notes=notes)


def normal_form(
    p: Proc, sem: Semantics, model: str, *, state_limit: int | None = None, time_limit: float | None = None,
    budget: Budget | None = None,
) -> NormalForm | str:
    """The normal form of ``p`` for ``model``, or the reason a limit stopped its construction.

    Raises:
        LimitReached: a component of ``p`` could not be compiled within the budget.
    """
    budget = budget_of(budget, state_limit, time_limit)
    net = compile_network(p, sem, budget=budget)
    res = search(net, SpecAutomaton.anything(net.events), record=True, budget=budget)
    if res.status != "complete":
        return f"while exploring the specification: {res.reason}"
    return normalise(lts_from_search(res, net, "spec"), model, node_limit=budget.states, budget=budget)


def spec_automaton(nf: NormalForm, impl_events: tuple[Event, ...], model: str) -> SpecAutomaton:
    """A normal form as a :class:`SpecAutomaton` over the implementation's event numbering."""
    extra = [e for e in nf.events[2:] if e not in set(impl_events)]
    events = (*impl_events, *extra)
    number = {e: i for i, e in enumerate(events)}
    remap = np.array([number[e] for e in nf.events], dtype=np.int64)
    step = np.full((nf.num_nodes, len(events)), -1, dtype=np.int64)
    step[:, 0] = np.arange(nf.num_nodes)
    moves = nf.step
    step[np.repeat(np.arange(nf.num_nodes), np.diff(moves.offsets)), remap[moves.labels]] = moves.targets
    acceptances = None
    if model != "T":
        acceptances = tuple(tuple(frozenset(int(remap[e]) for e in a) for a in accs) for accs in nf.acceptances)
    divergent = np.array(nf.divergent, dtype=np.bool_) if model == "FD" else np.zeros(nf.num_nodes, dtype=np.bool_)
    return SpecAutomaton(events, step, divergent, acceptances, check_divergence=model == "FD")


def verdict_of(
    res: SearchResult, net: Network, spec: SpecAutomaton, kind: str, seconds: float, *,
    counterexample_kind: str | None = None, notes: tuple[str, ...] = (),
) -> Verdict:
    """The verdict of a finished search (with its counterexample when it failed)."""
    if res.status == "complete":
        return Verdict(True, kind, None, res.states, res.transitions, seconds, notes=notes)
    if res.status == "limit":
        return Verdict(None, kind, None, res.states, res.transitions, seconds, res.reason, notes=notes)
    cex = explain(res, net, spec, kind=counterexample_kind if res.violation and res.violation.kind == "refusal" else None)
    return Verdict(False, kind, cex, res.states, res.transitions, seconds, notes=notes)


def _check_model(model: str) -> None:
    if model not in MODELS:
        raise CspError(f"unknown semantic model {model!r} (expected T, F or FD)")
