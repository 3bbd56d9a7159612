"""Breadth-first search of an implementation against a deterministic specification automaton.

Every check is one search: the state is (implementation state, specification node), explored
level by level so the first violation found has a shortest path. At each state the search asks
what the :class:`SpecAutomaton` requires:

* every visible event (✓ included) must be allowed by the node (``step`` is not -1), else a
  *trace* violation;
* in the stable-failures models, a stable state (no τ) must accept all events of at least one of
  the node's minimal acceptances (a state that can ✓ counts as accepting exactly {✓}: FDR's ✓ is
  a signal, so it may refuse everything else), else a *refusal* (or *deadlock*) violation;
* in the failures-divergences model, the implementation must not diverge where the node does not,
  and after a divergent node anything goes (the search stops there).

Two engines run the search. The native one (:mod:`cspotlp.csp.levels`, on the C kernel of
:mod:`cspotlp.csp.native`) is used when it was built; the numpy
one below is the reference, and the only one that records the LTS (``record``) or reduces the
state space (``reduce``). Both report the same thing (:mod:`cspotlp.csp.automaton`): the first
level with a violation, its least violating state, a least shortest path to it.

A budget (:mod:`cspotlp.csp.budget`: states, memory, time) ends the search with an inconclusive
outcome, never a pass. Memory is bounded before it is allocated: a chunk whose expansion would
take more than :data:`EXPANSION_BYTES` is cut (by the number of candidate moves of its states),
and the initial state's expansion and the rule tables are checked against the bound before they
are built. The state limit holds within a level: a batch whose new states would take the store
past it is inserted as usual (so the numbering is an unlimited search's) and then cut back to
exactly the limit; the rest of the level is still examined (a violation in it is conclusive),
but nothing more is stored.
"""

from __future__ import annotations

import numpy as np

from cspotlp.csp import levels
from cspotlp.csp.automaton import (
    DEADLOCK,
    DIVERGENCE,
    REFUSAL,
    TRACE,
    SearchResult,
    SpecAutomaton,
    StateChecker,
    Violation,
    examine,
    expand_flagging_omega,
    followed,
    live_states,
    rank,
)
from cspotlp.csp.budget import ENGINES, Budget, budget_of
from cspotlp.csp.divergence import DivergenceOracle
from cspotlp.csp.engine import (
    I64,
    Bools,
    Expander,
    Expansion,
    Layout,
    StateTable,
    affinity_order,
    fitting_group_bits,
)
from cspotlp.csp.por import MODES, PartialOrder
from cspotlp.csp.supercombinator import FIN_LABEL, OMEGA_LABEL, Network
from cspotlp.csp.verdict import ProgressCallback
from cspotlp.errors import LimitReached

__all__ = [
    "CHUNK", "DEADLOCK", "DIVERGENCE", "ENGINES", "EXPANSION_BYTES", "REFUSAL", "TABLE_BYTES", "TRACE",
    "SearchResult", "SpecAutomaton", "Violation", "search",
]

CHUNK = 1 << 17
"""States expanded per numpy batch (bounds the size of temporary arrays)."""

EXPANSION_BYTES = 256 << 20
"""Memory one batch's expansion may take; a chunk whose successors would need more is cut."""

TABLE_BYTES = 512 << 20
"""Memory the rule tables may take before narrower joint fields are used."""


def pair_bytes(layout: Layout) -> int:
    """About the memory one (state, rule) pair of an expansion takes, temporaries included."""
    return 64 + 24 * layout.words


def initial_moves(net: Network) -> int:
    """Rules enabled when every component is in its initial state (a bound of its successors)."""
    offered: list[set[int] | None] = [None] * len(net.components)

    def can(c: int, label: int) -> bool:
        comp = net.components[c]
        if comp.flag:
            return label == FIN_LABEL
        if label == OMEGA_LABEL:
            return bool(comp.lts.terminated[0])
        labels = offered[c]
        if labels is None:
            lts = comp.lts
            labels = offered[c] = set(lts.labels[int(lts.offsets[0]):int(lts.offsets[1])].tolist())
        return label in labels

    return sum(1 for r in net.rules if all(can(c, lab) for c, lab in r.moves))


def search(
    net: Network,
    spec: SpecAutomaton,
    *,
    state_limit: int | None = None,
    time_limit: float | None = None,
    progress: ProgressCallback | None = None,
    record: bool = False,
    chunk: int = CHUNK,
    budget: Budget | None = None,
    reduce: str | None = None,
    engine: str | None = None,
) -> SearchResult:
    """Breadth-first search of ``net`` against ``spec`` (see the module docstring).

    The ``budget`` (or one made of ``state_limit``, ``time_limit`` and ``progress``) bounds the
    states stored, the memory and the time; reaching a bound gives status ``limit``. With
    ``record``, every transition is kept as (source, event, target) and terminated states are
    flagged, so the caller can build the explicit LTS.

    ``reduce`` (``"deadlock"`` or ``"traces"``) applies partial-order reduction
    (:mod:`cspotlp.csp.por`): it keeps deadlocks, or the visible traces, and nothing else, so
    it is for deadlock checks in F and trace refinement only, and not with ``record``.

    ``engine`` picks the implementation (:data:`ENGINES`; by default the budget's); ``native``
    raises :class:`~cspotlp.errors.CspError` when the kernel is not built or cannot run this search.
    """
    if reduce is not None and (record or reduce not in MODES):
        raise ValueError(f"partial-order reduction {reduce!r} is not available here")
    if engine is not None and engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r} (expected one of {', '.join(ENGINES)})")
    budget = budget_of(budget, state_limit, time_limit, progress)
    engine = engine or budget.engine
    ncomp = len(net.components)
    radices = [c.num_states for c in net.components] + [spec.num_nodes]
    layout = Layout(radices, affinity_order(net) + [ncomp], joinable=ncomp)
    per_pair = pair_bytes(layout)
    try:
        budget.reserve(initial_moves(net) * per_pair, "expanding the initial state")
        bits, need = fitting_group_bits(net, layout, min(TABLE_BYTES, budget.memory // 4))
        budget.reserve(need, f"the rule tables of {len(net.rules):,} rules")
    except LimitReached as e:
        return SearchResult("limit", 0, 0, budget.elapsed(), e.reason, layout=layout)
    expander = Expander(net, layout, group_bits=bits)
    oracle = None
    if spec.check_divergence and net.has_tau:
        oracle = DivergenceOracle(net, layout, ncomp, group_bits=bits)
    if levels.runs(engine, record=record, reduce=reduce):
        return levels.level_search(net, spec, layout, expander, oracle, budget)
    return _numpy_search(net, spec, layout, expander, oracle, budget, record=record, chunk=chunk,
                         reduce=reduce)


def _numpy_search(
    net: Network, spec: SpecAutomaton, layout: Layout, expander: Expander, oracle: DivergenceOracle | None,
    budget: Budget, *, record: bool, chunk: int, reduce: str | None,
) -> SearchResult:
    """The reference engine: numpy over whole chunks of a level, states numbered as stored."""
    return _NumpySearch(net, spec, layout, expander, oracle, budget, record, reduce).run(chunk)


class _NumpySearch:
    """One run of the numpy engine (its state between chunks)."""

    def __init__(self, net: Network, spec: SpecAutomaton, layout: Layout, expander: Expander,
                 oracle: DivergenceOracle | None, budget: Budget, record: bool, reduce: str | None) -> None:
        self.spec, self.layout, self.expander, self.oracle, self.budget = spec, layout, expander, oracle, budget
        self.record, self.reduce = record, reduce
        self.node_field = len(net.components)
        self.table = StateTable(layout.words, budget=budget)
        self.table.insert([np.zeros(1, dtype=np.uint64) for _ in range(layout.words)])
        self.checker = StateChecker(spec, len(spec.events))
        self.por = PartialOrder(net, expander, layout, reduce) if reduce is not None else None
        self.steps = spec.search_steps()
        self.edges: list[tuple[I64, I64, I64]] = []
        self.terminated: list[Bools] = []
        self.transitions = 0
        self.starts = [0, 1]  # where each level's states are numbered from
        self.best: Violation | None = None
        self.inserting = True  # until the level holds a violation, or the store reached the state limit
        self.status, self.reason = "complete", ""

    def run(self, chunk: int) -> SearchResult:
        """Search level by level until the end, a violation's level, or a bound."""
        table, budget, expander = self.table, self.budget, self.expander
        per_pair = pair_bytes(self.layout)
        max_pairs = max(1, min(EXPANSION_BYTES, budget.memory // 8) // per_pair)
        cut_chunks = chunk * expander.max_candidates > max_pairs
        result = SearchResult("complete", 0, 0, 0.0, table=table, layout=self.layout, expander=expander,
                              oracle=self.oracle, trail=TableTrail(table, self.starts, expander, self.spec,
                                                                    self.layout))
        starts = self.starts
        try:
            while starts[-2] < starts[-1] and self.best is None and self.status == "complete":
                depth = len(starts) - 2
                head, level_end = starts[-2], starts[-1]
                while head < level_end:
                    stop = min(head + chunk, level_end)
                    if cut_chunks:  # bound the expansion's memory, not only the number of states
                        stop = head + _fitting(expander.candidate_counts(table.words(head, stop)), max_pairs,
                                               per_pair, budget, table.size)
                    self._chunk(head, stop, depth)
                    head = stop
                    budget.report(table.size, self.transitions, depth)
                    reason = budget.exceeded(table.size)
                    if reason and (head < table.size or self.best is not None):
                        if self.best is None:
                            self.status, self.reason = "limit", reason
                        break
                starts.append(table.size)
        except LimitReached as e:
            if self.best is None:
                self.status, self.reason = "limit", e.reason
        if self.best is not None:
            result.status, result.violation = "violation", self.best
            result.states = starts[self.best.level + 1]
        else:
            result.status, result.reason, result.states = self.status, self.reason, table.size
        result.transitions = self.transitions
        result.seconds = budget.elapsed()
        budget.report(result.states, self.transitions, len(starts) - 2, final=True)
        if self.record:
            result.edges, result.terminated = self._recorded()
        return result

    def _chunk(self, start: int, stop: int, depth: int) -> None:
        """Examine states ``start .. stop-1`` and store their successors (while storing)."""
        spec, layout, node_field, table = self.spec, self.layout, self.node_field, self.table
        ids = np.arange(start, stop, dtype=np.int64)
        words = table.words(start, stop)
        live = live_states(words, spec, layout, node_field)
        if live is not None:
            ids = ids[live]
            words = [w[live] for w in words]
        x, node, nxt, omega, found, full, chosen, ample = _examine_reduced(
            words, self.expander, spec, self.checker, self.steps, self.oracle, layout, node_field, depth,
            self.por)
        self.transitions += x.src.size
        if self._found(found) or not self.inserting:
            return
        if self.record:
            self.terminated.append(omega)
        x, targets = followed(x, nxt, spec, layout, node_field)
        if self.record:
            tid, _fresh = table.insert(targets, ids[x.src], x.rule, need_ids=True)
            self.edges.append((ids[x.src], x.event, tid))
        elif full is not None and self.reduce == "traces":
            extra = _cycle_proviso(table, ids, x, targets, full, ample, chosen)
            if extra is not None:
                self.transitions += extra.src.size
                nxt = None if spec.trivial else self.steps[node[extra.src], extra.event]
                found = self.checker.check(words, node, extra, nxt, np.zeros_like(omega), None, layout,
                                           node_field, depth)
                if self._found(found):
                    return
                extra, targets = followed(extra, nxt, spec, layout, node_field)
                table.add(targets, ids[extra.src], extra.rule)
        elif ids.size == stop - start:  # the chunk's states are start .. stop-1
            table.add(targets, x.src, x.rule, parent_offset=start)
        else:
            table.add(targets, ids[x.src], x.rule)
        if table.size > self.budget.states:
            # keep the limit within a level: the batch was numbered as an unlimited search would
            # number it, so the states kept are exactly the first ones that search stores (never
            # one of this level: the level before would have reached the limit)
            table.truncate(self.budget.states)
            if self.record:
                src, ev, tid = self.edges[-1]
                inside = tid < table.size
                self.edges[-1] = (src[inside], ev[inside], tid[inside])
            self.status, self.reason = "limit", self.budget.state_reason(table.size)
            self.inserting = False

    def _found(self, found: Violation | None) -> bool:
        """Keep the least violation of the level; once there is one, nothing more is stored."""
        if found is None:
            return False
        if self.best is None or rank(found) < rank(self.best):
            self.best = found
        self.inserting = False
        return True

    def _recorded(self) -> tuple[tuple[I64, I64, I64], Bools]:
        if self.edges:
            edges = (np.concatenate([e[0] for e in self.edges]), np.concatenate([e[1] for e in self.edges]),
                     np.concatenate([e[2] for e in self.edges]))
        else:
            z = np.zeros(0, dtype=np.int64)
            edges = (z, z, z)
        terminated = np.concatenate(self.terminated) if self.terminated else np.zeros(0, dtype=np.bool_)
        return edges, terminated


def _examine_reduced(
    words: list[np.ndarray], expander: Expander, spec: SpecAutomaton, checker: StateChecker, steps: I64,
    oracle: DivergenceOracle | None, layout: Layout, node_field: int, depth: int, por: PartialOrder | None,
) -> tuple[Expansion, I64, I64 | None, Bools, Violation | None, Expansion | None, I64 | None, Bools | None]:
    """:func:`~cspotlp.csp.automaton.examine`, keeping only each state's ample set under reduction.

    Returns the pairs examined, nodes, next nodes, Ω flags, the violation, and under reduction
    the full expansion, the component chosen per state and which full pairs are ample.
    """
    if por is None:
        x, node, nxt, omega, found = examine(words, expander, spec, checker, steps, oracle, layout,
                                             node_field, depth)
        return x, node, nxt, omega, found, None, None, None
    node = layout.digits(words, node_field)
    x, omega = expand_flagging_omega(expander, words, len(node))
    chosen = por.choose(words)
    ample = por.ample(x, chosen)
    full = None
    if not ample.all():
        full, x = x, x.select(ample)
    nxt = None if spec.trivial else steps[node[x.src], x.event]
    found = checker.check(words, node, x, nxt, omega, oracle, layout, node_field, depth)
    return x, node, nxt, omega, found, full, chosen, ample


def _cycle_proviso(table: StateTable, ids: I64, x: Expansion, targets: list[np.ndarray], full: Expansion,
                   ample: Bools | None, chosen: I64 | None) -> Expansion | None:
    """Insert a reduced chunk's successors; the pairs to add for states that must expand fully.

    A reduced state with a successor stored before this chunk is expanded in full (the cycle
    proviso of :mod:`cspotlp.csp.por`).
    """
    assert ample is not None and chosen is not None
    before = table.size
    tid, _fresh = table.insert(targets, ids[x.src], x.rule, need_ids=True)
    redo = np.zeros(len(ids), dtype=np.bool_)
    redo[x.src[tid < before]] = True
    redo &= chosen >= 0
    if not redo.any():
        return None
    return full.select(~ample & redo[full.src])


def _fitting(counts: I64, max_pairs: int, per_pair: int, budget: Budget, states: int) -> int:
    """How many of these states to expand at once so that their pairs fit in ``max_pairs``."""
    within = int(np.searchsorted(np.cumsum(counts), max_pairs, side="right"))
    if within == 0:  # one state alone has more: expand it if the memory bound allows
        budget.reserve(int(counts[0]) * per_pair, "expanding one state", states)
        within = 1
    return within


class TableTrail:
    """The numpy engine's levels (consecutive state numbers), asked for predecessors."""

    def __init__(self, table: StateTable, starts: list[int], expander: Expander, spec: SpecAutomaton,
                 layout: Layout, chunk: int = 1 << 14) -> None:
        self.table = table
        self.starts = starts
        self.expander = expander
        self.spec = spec
        self.layout = layout
        self.steps = spec.search_steps()
        self.chunk = chunk

    def predecessors(self, level: int, target: tuple[int, ...]) -> list[tuple[tuple[int, ...], int]]:
        """Every (state, rule) of ``level`` whose followed move leads to ``target``."""
        lo, hi = self.starts[level], self.starts[level + 1]
        return [hit for head in range(lo, hi, self.chunk)
                for hit in predecessors_among(self.table.words(head, min(hi, head + self.chunk)), target,
                                              self.expander, self.spec, self.steps, self.layout)]


def predecessors_among(
    words: list[np.ndarray], target: tuple[int, ...], expander: Expander, spec: SpecAutomaton, steps: I64,
    layout: Layout,
) -> list[tuple[tuple[int, ...], int]]:
    """The (state, rule) pairs among ``words`` whose followed move leads to ``target`` (numpy)."""
    node_field = len(layout.radices) - 1
    live = live_states(words, spec, layout, node_field)
    if live is not None:
        words = [w[live] for w in words]
    x = expander.expand(words)
    if expander.has_pseudo:
        x = x.select(x.event >= 0)
    node = layout.digits(words, node_field)
    nxt = None if spec.trivial else steps[node[x.src], x.event]
    x, targets = followed(x, nxt, spec, layout, node_field)
    hit = np.ones(x.src.size, dtype=np.bool_)
    for t, w in zip(targets, target, strict=True):
        hit &= t == np.uint64(w)
    return [(tuple(int(w[int(x.src[j])]) for w in words), int(x.rule[j])) for j in np.flatnonzero(hit)]
