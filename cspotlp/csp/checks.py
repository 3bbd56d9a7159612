"""Property checks: deadlock freedom, divergence freedom, determinism and ``has trace``.

Each is one breadth-first search of the implementation (:mod:`cspotlp.csp.search`) and returns a
:class:`~cspotlp.csp.verdict.Verdict`, as FDR's ``assert P :[deadlock free [F]]`` and friends:

* deadlock free: no reachable stable state refuses everything; a state that can ✓ is not a
  deadlock, nor is the terminated state (so SKIP is deadlock free). In ``FD`` a divergence is
  also a counterexample.
* divergence free: no reachable state can perform τ forever.
* deterministic (FDR's algorithm): normalise P in the traces model, then check that P
  failures-refines the deterministic process with the same traces: after no trace s can P both
  perform an event a and refuse it. In ``FD``, P must also be divergence free.
* has trace: the trace is a trace of P (in ``FD``, also when P diverges on a prefix of it),
  answered by a search guided by the trace (:mod:`cspotlp.csp.guided`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from cspotlp.csp.budget import Budget, budget_of
from cspotlp.csp.environment import Environment
from cspotlp.csp.events import TICK, Event
from cspotlp.csp.explore import lts_from_search
from cspotlp.csp.guided import follow_trace
from cspotlp.csp.normalise import normalise
from cspotlp.csp.por import por_mode
from cspotlp.csp.refine import NAME_CHARS, verdict_of
from cspotlp.csp.search import SpecAutomaton, search
from cspotlp.csp.semantics import Semantics
from cspotlp.csp.show import show
from cspotlp.csp.supercombinator import compile_network
from cspotlp.csp.terms import Proc
from cspotlp.csp.verdict import ProgressCallback, Verdict, show_trace
from cspotlp.errors import CspError, LimitReached


def deadlock_free(
    p: Proc, env: Environment, model: str = "F", *, state_limit: int | None = None,
    time_limit: float | None = None, progress: ProgressCallback | None = None,
    semantics: Semantics | None = None, name: str | None = None, leaf_compression: str | None = None,
    memory_limit: int | None = None, budget: Budget | None = None, partial_order: bool = False,
) -> Verdict:
    """``assert P :[deadlock free [F]]`` (or ``[FD]``, which also rejects divergence).

    Like every check, it runs within a :class:`~cspotlp.csp.budget.Budget` (``budget``, or one
    made of ``state_limit``, ``memory_limit`` in bytes, ``time_limit`` in seconds and
    ``progress``; defaults sized from the machine's free memory): reaching a bound gives an
    inconclusive verdict with the reason. ``partial_order`` explores a reduced state space that
    keeps every deadlock (:mod:`cspotlp.csp.por`; FDR's ``:[partial order reduce]``), in ``F``
    only (or in ``FD`` for a process without τ, which cannot diverge): otherwise it is ignored,
    with a note, since reduction does not keep divergences.
    """
    _check_model(model, ("F", "FD"))
    kind = f"{name or show(p, NAME_CHARS)} :[deadlock free [{model}]]"
    budget = budget_of(budget, state_limit, time_limit, progress, memory_limit)
    sem = semantics or Semantics(env)
    try:
        net = compile_network(p, sem, budget=budget, leaf_compression=leaf_compression)
    except LimitReached as e:
        return Verdict(None, kind, states=e.explored, seconds=budget.elapsed(), reason=e.reason)
    spec = SpecAutomaton.anything(net.events, any_event=True, check_divergence=model == "FD", follow_tick=True)
    # without τ there is no divergence: deadlock freedom in FD is then that in F
    keeps = model == "F" or not net.has_tau
    reduce, notes = por_mode(partial_order, "deadlock" if keeps else None, f"deadlock freedom in {model}")
    res = search(net, spec, budget=budget, reduce=reduce)
    return verdict_of(res, net, spec, kind, budget.elapsed(), notes=notes)



def divergence_free(
    p: Proc, env: Environment, *, state_limit: int | None = None, time_limit: float | None = None,
    progress: ProgressCallback | None = None, semantics: Semantics | None = None, name: str | None = None,
    leaf_compression: str | None = None, memory_limit: int | None = None, budget: Budget | None = None,
) -> Verdict:
    """``assert P :[divergence free]``."""
    kind = f"{name or show(p, NAME_CHARS)} :[divergence free]"
    budget = budget_of(budget, state_limit, time_limit, progress, memory_limit)
    sem = semantics or Semantics(env)
    try:
        net = compile_network(p, sem, budget=budget, leaf_compression=leaf_compression)
    except LimitReached as e:
        return Verdict(None, kind, states=e.explored, seconds=budget.elapsed(), reason=e.reason)
    spec = SpecAutomaton.anything(net.events, check_divergence=True, follow_tick=False)
    res = search(net, spec, budget=budget)
    return verdict_of(res, net, spec, kind, budget.elapsed())


def deterministic(
    p: Proc, env: Environment, model: str = "FD", *, state_limit: int | None = None,
    time_limit: float | None = None, progress: ProgressCallback | None = None,
    semantics: Semantics | None = None, name: str | None = None, leaf_compression: str | None = None,
    memory_limit: int | None = None, budget: Budget | None = None,
) -> Verdict:
    """``assert P :[deterministic [FD]]`` (or ``[F]``, which ignores divergence)."""
    _check_model(model, ("F", "FD"))
    kind = f"{name or show(p, NAME_CHARS)} :[deterministic [{model}]]"
    budget = budget_of(budget, state_limit, time_limit, progress, memory_limit)
    sem = semantics or Semantics(env)
    try:
        net = compile_network(p, sem, budget=budget, leaf_compression=leaf_compression)
        whole = search(net, SpecAutomaton.anything(net.events), record=True, budget=budget)
        if whole.status != "complete":
            return Verdict(None, kind, seconds=budget.elapsed(),
                           reason=f"while normalising: {whole.reason}")
        nf = normalise(lts_from_search(whole, net), "T", node_limit=budget.states, budget=budget)
    except LimitReached as e:
        return Verdict(None, kind, states=e.explored, seconds=budget.elapsed(), reason=e.reason)
    # The deterministic process with P's traces: each node must accept all of its initials.
    step = np.full((nf.num_nodes, len(net.events)), -1, dtype=np.int64)
    step[:, 0] = np.arange(nf.num_nodes)
    for node, moves in enumerate(nf.step):
        for ev, t in moves.items():
            step[node, ev] = t
    spec = SpecAutomaton(net.events, step, np.zeros(nf.num_nodes, dtype=np.bool_),
                         tuple((nf.initials(i),) for i in range(nf.num_nodes)),
                         check_divergence=model == "FD")
    res = search(net, spec, budget=budget)
    return verdict_of(res, net, spec, kind, budget.elapsed(), counterexample_kind="nondeterminism")


def has_trace(
    p: Proc, trace: Sequence[Event], env: Environment, model: str = "F", *,
    state_limit: int | None = None, semantics: Semantics | None = None, name: str | None = None,
    leaf_compression: str | None = None, time_limit: float | None = None,
    memory_limit: int | None = None, progress: ProgressCallback | None = None,
    budget: Budget | None = None,
) -> Verdict:
    """``assert P :[has trace [M]]: <trace>``: can ``p`` perform the visible ``trace``?

    In ``T`` and ``F`` the trace must be a trace of ``p``; in ``FD`` it is also one when ``p``
    can diverge after a prefix of it (divergence-strictness). The search is guided by the trace
    (:func:`~cspotlp.csp.guided.follow_trace`): it visits only the τ-closures along it, so it
    answers for infinite-state processes too. ``leaf_compression`` is accepted for symmetry
    with the other checks and has no effect here.
    """
    _check_model(model)
    trace = tuple(trace)
    kind = f"{name or show(p, NAME_CHARS)} :[has trace [{model}]]: {show_trace(trace)}"
    if any(e is TICK for e in trace[:-1]):
        raise CspError("✓ can only be the last event of a trace")
    budget = budget_of(budget, state_limit, time_limit, progress, memory_limit)
    return follow_trace(p, trace, semantics or Semantics(env), model, kind, budget)


def _check_model(model: str, allowed: tuple[str, ...] = ("T", "F", "FD")) -> None:
    if model not in allowed:
        raise CspError(f"model {model!r} is not available here (expected one of {', '.join(allowed)})")
