"""Whole-state-space exploration with the engine (counts, or the explicit LTS).

>>> from cspotlp.csp.models import dining_philosophers
>>> m = dining_philosophers(3)
>>> e = explore(m.process, m.env)
>>> (e.states, e.transitions, e.complete)
(214, 564, True)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cspotlp.csp.budget import Budget, budget_of
from cspotlp.csp.environment import Environment
from cspotlp.csp.explicit import ExplicitLts, IntArray
from cspotlp.csp.partition import Partition
from cspotlp.csp.search import SearchResult, SpecAutomaton, search
from cspotlp.csp.semantics import Semantics
from cspotlp.csp.supercombinator import Network, compile_network
from cspotlp.csp.terms import Proc
from cspotlp.csp.verdict import ProgressCallback
from cspotlp.errors import CspError, LimitReached


@dataclass(frozen=True)
class Exploration:
    """The result of exploring a process: sizes, time, and (when asked) the explicit LTS.

    ``complete`` is False when a limit stopped the exploration (then ``reason`` says which and the
    counts are lower bounds).
    """

    states: int
    transitions: int
    seconds: float
    complete: bool
    reason: str = ""
    lts: ExplicitLts | None = None
    network: Network | None = None
    partition: Partition | None = None  # over worker processes: how their states were split

    @property
    def states_per_second(self) -> float:
        """Exploration rate."""
        return self.states / self.seconds if self.seconds > 0 else 0.0


def explore(
    p: Proc,
    env: Environment,
    *,
    keep_lts: bool = False,
    state_limit: int | None = None,
    time_limit: float | None = None,
    progress: ProgressCallback | None = None,
    semantics: Semantics | None = None,
    leaf_compression: str | None = None,
    memory_limit: int | None = None,
    budget: Budget | None = None,
    partial_order: bool = False,
) -> Exploration:
    """Explore every state of ``p`` breadth first (the supercombinator engine).

    The budget (``budget``, or one made of ``state_limit``, ``memory_limit`` in bytes,
    ``time_limit`` in seconds and ``progress``) bounds the work; a component that cannot be
    compiled within it also makes the exploration incomplete, with the reason.

    ``partial_order`` explores the reduced state space that keeps every deadlock
    (:mod:`cspotlp.csp.por`) instead of the whole one (not with ``keep_lts``).
    """
    if partial_order and keep_lts:
        raise CspError("a reduced exploration does not give the process's LTS")
    sem = semantics or Semantics(env)
    budget = budget_of(budget, state_limit, time_limit, progress, memory_limit)
    try:
        net = compile_network(p, sem, budget=budget, leaf_compression=leaf_compression)
    except LimitReached as e:
        return Exploration(0, 0, budget.elapsed(), False, f"a component could not be compiled: {e.reason}")
    spec = SpecAutomaton.anything(net.events)
    res = search(net, spec, record=keep_lts, budget=budget, reduce="deadlock" if partial_order else None)
    complete = res.status == "complete"
    lts = lts_from_search(res, net) if keep_lts and complete else None
    return Exploration(res.states, res.transitions, res.seconds, complete, res.reason, lts, net, res.partition)


def explicate(p: Proc, sem: Semantics, *, state_limit: int | None = None, name: str = "explicate") -> ExplicitLts:
    """The explicit LTS of ``p`` (raises :class:`LimitReached` past ``state_limit`` or the default budget)."""
    net = compile_network(p, sem, state_limit=state_limit)
    res = search(net, SpecAutomaton.anything(net.events), state_limit=state_limit, record=True)
    if res.status != "complete":
        raise LimitReached(res.reason, res.states)
    return lts_from_search(res, net, name)


def _edge_order(src: IntArray, ev: IntArray, tgt: IntArray, states: int, events: int) -> IntArray:
    """The order of edges by (source, event, target), as ``np.lexsort`` gives it.

    One stable sort of a combined key where it fits 63 bits (and every number is in its range):
    numpy sorts integers stably by radix (a specification's 767,637 edges: 0.024 s, 0.18 s by
    lexsort).
    """
    in_range = all(not len(a) or (int(a.min()) >= 0 and int(a.max()) < top)
                   for a, top in ((src, states), (ev, events), (tgt, states)))
    if in_range and states * events * states < 1 << 63:
        order: IntArray = np.argsort((src * events + ev) * states + tgt, kind="stable")
        return order
    return np.lexsort((tgt, ev, src))


def lts_from_search(res: SearchResult, net: Network, name: str = "lts") -> ExplicitLts:
    """The explicit LTS recorded by a complete search with ``record=True``."""
    assert res.edges is not None and res.terminated is not None and res.table is not None
    src, ev, tgt = res.edges
    n = res.states
    order = _edge_order(src, ev, tgt, n, len(net.events))
    src, ev, tgt = src[order], ev[order], tgt[order]
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(src, minlength=n), out=offsets[1:])
    lts = ExplicitLts(net.events, offsets, ev, tgt, res.terminated[:n], name=name)
    table, layout = res.table, res.layout
    assert layout is not None
    comps = net.components

    def describe(state: int) -> str:
        digits = layout.unpack(table.state(state))
        parts = [c.lts.describe(d) for c, d in zip(comps, digits, strict=False) if not c.flag]
        return "<" + " | ".join(parts) + ">"

    lts.namer = describe
    return lts
