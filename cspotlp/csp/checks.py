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
* has trace: the trace is a trace of P (in ``FD``, also when P diverges on a prefix of it).
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np

from cspotlp.csp.divergence import DivergenceOracle
from cspotlp.csp.engine import Expander, Layout, StateTable, Words, affinity_order
from cspotlp.csp.environment import Environment
from cspotlp.csp.events import TICK, Event
from cspotlp.csp.explore import lts_from_search
from cspotlp.csp.normalise import normalise
from cspotlp.csp.refine import NAME_CHARS, verdict_of
from cspotlp.csp.search import SpecAutomaton, search
from cspotlp.csp.semantics import Semantics
from cspotlp.csp.show import show
from cspotlp.csp.supercombinator import compile_network
from cspotlp.csp.terms import Proc
from cspotlp.csp.verdict import Counterexample, ProgressCallback, Verdict, show_trace
from cspotlp.errors import CspError, StateLimitExceeded


def deadlock_free(
    p: Proc, env: Environment, model: str = "F", *, state_limit: int | None = None,
    time_limit: float | None = None, progress: ProgressCallback | None = None,
    semantics: Semantics | None = None, name: str | None = None, leaf_compression: str | None = None,
) -> Verdict:
    """``assert P :[deadlock free [F]]`` (or ``[FD]``, which also rejects divergence)."""
    _check_model(model, ("F", "FD"))
    kind = f"{name or show(p, NAME_CHARS)} :[deadlock free [{model}]]"
    started = time.perf_counter()
    sem = semantics or Semantics(env)
    try:
        net = compile_network(p, sem, state_limit=state_limit, leaf_compression=leaf_compression)
    except StateLimitExceeded as e:
        return Verdict(None, kind, seconds=time.perf_counter() - started, reason=str(e))
    spec = SpecAutomaton.anything(net.events, any_event=True, check_divergence=model == "FD", follow_tick=True)
    res = search(net, spec, state_limit=state_limit, time_limit=time_limit, progress=progress)
    return verdict_of(res, net, spec, kind, time.perf_counter() - started)


def divergence_free(
    p: Proc, env: Environment, *, state_limit: int | None = None, time_limit: float | None = None,
    progress: ProgressCallback | None = None, semantics: Semantics | None = None, name: str | None = None,
    leaf_compression: str | None = None,
) -> Verdict:
    """``assert P :[divergence free]``."""
    kind = f"{name or show(p, NAME_CHARS)} :[divergence free]"
    started = time.perf_counter()
    sem = semantics or Semantics(env)
    try:
        net = compile_network(p, sem, state_limit=state_limit, leaf_compression=leaf_compression)
    except StateLimitExceeded as e:
        return Verdict(None, kind, seconds=time.perf_counter() - started, reason=str(e))
    spec = SpecAutomaton.anything(net.events, check_divergence=True, follow_tick=False)
    res = search(net, spec, state_limit=state_limit, time_limit=time_limit, progress=progress)
    return verdict_of(res, net, spec, kind, time.perf_counter() - started)


def deterministic(
    p: Proc, env: Environment, model: str = "FD", *, state_limit: int | None = None,
    time_limit: float | None = None, progress: ProgressCallback | None = None,
    semantics: Semantics | None = None, name: str | None = None, leaf_compression: str | None = None,
) -> Verdict:
    """``assert P :[deterministic [FD]]`` (or ``[F]``, which ignores divergence)."""
    _check_model(model, ("F", "FD"))
    kind = f"{name or show(p, NAME_CHARS)} :[deterministic [{model}]]"
    started = time.perf_counter()
    sem = semantics or Semantics(env)
    try:
        net = compile_network(p, sem, state_limit=state_limit, leaf_compression=leaf_compression)
        whole = search(net, SpecAutomaton.anything(net.events), state_limit=state_limit,
                       time_limit=time_limit, record=True)
        if whole.status != "complete":
            return Verdict(None, kind, seconds=time.perf_counter() - started,
                           reason=f"while normalising: {whole.reason}")
        nf = normalise(lts_from_search(whole, net), "T", node_limit=state_limit)
    except StateLimitExceeded as e:
        return Verdict(None, kind, seconds=time.perf_counter() - started, reason=str(e))
    # The deterministic process with P's traces: each node must accept all of its initials.
    step = np.full((nf.num_nodes, len(net.events)), -1, dtype=np.int64)
    step[:, 0] = np.arange(nf.num_nodes)
    for node, moves in enumerate(nf.step):
        for ev, t in moves.items():
            step[node, ev] = t
    spec = SpecAutomaton(net.events, step, np.zeros(nf.num_nodes, dtype=np.bool_),
                         tuple((nf.initials(i),) for i in range(nf.num_nodes)),
                         check_divergence=model == "FD")
    remaining = None if time_limit is None else max(0.0, time_limit - (time.perf_counter() - started))
    res = search(net, spec, state_limit=state_limit, time_limit=remaining, progress=progress)
    return verdict_of(res, net, spec, kind, time.perf_counter() - started, counterexample_kind="nondeterminism")


def has_trace(
    p: Proc, trace: Sequence[Event], env: Environment, model: str = "F", *,
    state_limit: int | None = None, semantics: Semantics | None = None, name: str | None = None,
    leaf_compression: str | None = None,
) -> Verdict:
    """``assert P :[has trace [M]]: <trace>``: can ``p`` perform the visible ``trace``?

    In ``T`` and ``F`` the trace must be a trace of ``p``; in ``FD`` it is also one when ``p``
    can diverge after a prefix of it (divergence-strictness).
    """
    _check_model(model)
    trace = tuple(trace)
    kind = f"{name or show(p, NAME_CHARS)} :[has trace [{model}]]: {show_trace(trace)}"
    started = time.perf_counter()
    sem = semantics or Semantics(env)
    if any(e is TICK for e in trace[:-1]):
        raise CspError("✓ can only be the last event of a trace")
    try:
        net = compile_network(p, sem, state_limit=state_limit, leaf_compression=leaf_compression)
    except StateLimitExceeded as e:
        return Verdict(None, kind, seconds=time.perf_counter() - started, reason=str(e))
    layout = Layout([c.num_states for c in net.components] + [1], affinity_order(net) + [len(net.components)])
    expander = Expander(net, layout, terminated=False)
    oracle = DivergenceOracle(net, layout, len(net.components)) if model == "FD" and net.has_tau else None
    number = {e: i for i, e in enumerate(net.events)}
    current: Words = [np.zeros(1, dtype=np.uint64) for _ in range(layout.words)]
    explored = 0
    for k, ev in enumerate(trace):
        current, seen = _tau_closure(expander, current, state_limit)
        explored += seen
        if seen < 0:
            return Verdict(None, kind, states=explored, seconds=time.perf_counter() - started,
                           reason=f"state limit {state_limit:,} reached in a τ-closure")
        if oracle is not None and bool(oracle.classify(current).any()):
            return Verdict(True, kind, states=explored, seconds=time.perf_counter() - started,
                           notes=(f"diverges after {show_trace(trace[:k])}, so every extension is a trace in FD",))
        x = expander.expand(current)
        pick = x.event == number.get(ev, -2)
        if not pick.any():
            cex = Counterexample("missing trace", trace[:k], error_event=ev)
            return Verdict(False, kind, cex, explored, 0, time.perf_counter() - started)
        current = x.select(pick).targets
    return Verdict(True, kind, states=explored, seconds=time.perf_counter() - started)


def _tau_closure(expander: Expander, start: Words, state_limit: int | None) -> tuple[Words, int]:
    """States reachable by τ from ``start`` (-1 as the count when the limit is hit)."""
    table = StateTable(len(start))
    table.insert(start)
    frontier = np.arange(table.size, dtype=np.int64)
    while frontier.size:
        x = expander.expand(table.words_at(frontier))
        taus = x.event == 0
        before = table.size
        table.insert([t[taus] for t in x.targets])
        frontier = np.arange(before, table.size, dtype=np.int64)
        if state_limit is not None and table.size > state_limit:
            return start, -1
    return table.words(0, table.size), table.size


def _check_model(model: str, allowed: tuple[str, ...] = ("T", "F", "FD")) -> None:
    if model not in allowed:
        raise CspError(f"model {model!r} is not available here (expected one of {', '.join(allowed)})")
