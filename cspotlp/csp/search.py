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

A budget (:mod:`cspotlp.csp.budget`: states, memory, time) ends the search with an inconclusive
outcome, never a pass. Memory is bounded before it is allocated: a chunk whose expansion would
take more than :data:`EXPANSION_BYTES` is cut (by the number of candidate moves of its states),
and the initial state's expansion and the rule tables are checked against the bound before they
are built. The state limit holds within a level: a batch whose new states would take the store past it is inserted as
usual (so the numbering is an unlimited search's) and then cut back to exactly the limit. Batches
are not shrunk as the budget runs out, because the numbering depends on the batch boundaries and
a search that ends below the limit must number its states as it always has.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from cspotlp.csp.budget import Budget, budget_of
from cspotlp.csp.divergence import DivergenceOracle
from cspotlp.csp.engine import (
    I64,
    U64,
    Bools,
    Expander,
    Expansion,
    Layout,
    StateTable,
    Words,
    affinity_order,
    fitting_group_bits,
)
from cspotlp.csp.events import Event
from cspotlp.csp.por import MODES, PartialOrder
from cspotlp.csp.supercombinator import FIN_LABEL, OMEGA_LABEL, Network
from cspotlp.csp.verdict import ProgressCallback
from cspotlp.errors import LimitReached

CHUNK = 1 << 17
"""States expanded per numpy batch (bounds the size of temporary arrays)."""

TRACE, REFUSAL, DEADLOCK, DIVERGENCE = "trace", "refusal", "deadlock", "divergence"
_PRIORITY = {DIVERGENCE: 0, REFUSAL: 1, DEADLOCK: 1, TRACE: 2}


@dataclass(frozen=True)
class SpecAutomaton:
    """A deterministic specification over the product's event numbering.

    Attributes:
        events: product event numbering (0 τ, 1 ✓, the implementation's events, then events only
            the specification mentions).
        step: ``step[node, event]`` is the next node, or -1 when the event is not allowed; column
            0 (τ) is the identity.
        divergent: nodes after which anything is allowed (failures-divergences model).
        acceptances: per node, its minimal acceptances (sets of event numbers); None when
            refusals are not checked (traces model).
        any_event: deadlock freedom: a stable state must accept something (an event or ✓).
        check_divergence: report implementation divergence (failures-divergences model).
        follow_tick: also explore the terminated states reached by ✓.
    """

    events: tuple[Event, ...]
    step: I64
    divergent: Bools
    acceptances: tuple[tuple[frozenset[int], ...], ...] | None = None
    any_event: bool = False
    check_divergence: bool = False
    follow_tick: bool = False

    @property
    def num_nodes(self) -> int:
        """Number of specification nodes."""
        return int(self.step.shape[0])

    @staticmethod
    def anything(events: tuple[Event, ...], *, any_event: bool = False, check_divergence: bool = False,
                 follow_tick: bool = True) -> SpecAutomaton:
        """The one-node specification allowing every trace (optionally: no deadlock/divergence)."""
        step = np.zeros((1, len(events)), dtype=np.int64)
        return SpecAutomaton(events, step, np.zeros(1, dtype=np.bool_), None, any_event,
                             check_divergence, follow_tick)


@dataclass(frozen=True)
class Violation:
    """Where a search found a counterexample.

    Attributes:
        kind: ``trace``, ``refusal``, ``deadlock`` or ``divergence``.
        state: the product state (table number) where it was found.
        rule: for a trace violation, the concrete rule whose event is not allowed; else -1.
        target: for a trace violation, the packed words the forbidden step leads to.
        acceptance: for refusals and deadlocks, the implementation's acceptance (event numbers).
        node: the specification node at ``state``.
    """

    kind: str
    state: int
    rule: int = -1
    target: tuple[int, ...] = ()
    acceptance: frozenset[int] = frozenset()
    node: int = 0


@dataclass
class SearchResult:
    """The outcome of a search and what is needed to explain it."""

    status: str  # "complete", "violation" or "limit"
    states: int
    transitions: int
    seconds: float
    reason: str = ""
    violation: Violation | None = None
    table: StateTable | None = None
    layout: Layout | None = None
    expander: Expander | None = None
    oracle: DivergenceOracle | None = None
    edges: tuple[I64, I64, I64] | None = None  # (source, event, target) when recorded
    terminated: Bools | None = None
    extra: dict[str, object] = field(default_factory=dict)


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
) -> SearchResult:
    """Breadth-first search of ``net`` against ``spec`` (see the module docstring).

    The ``budget`` (or one made of ``state_limit``, ``time_limit`` and ``progress``) bounds the
    states stored, the memory and the time; reaching a bound gives status ``limit``. With
    ``record``, every transition is kept as (source, event, target) and terminated states are
    flagged, so the caller can build the explicit LTS.

    ``reduce`` (``"deadlock"`` or ``"traces"``) applies partial-order reduction
    (:mod:`cspotlp.csp.por`): it keeps deadlocks, or the visible traces, and nothing else, so
    it is for deadlock checks in F and trace refinement only, and not with ``record``.
    """
    if reduce is not None and (record or reduce not in MODES):
        raise ValueError(f"partial-order reduction {reduce!r} is not available here")
    budget = budget_of(budget, state_limit, time_limit, progress)
    ncomp = len(net.components)
    radices = [c.num_states for c in net.components] + [spec.num_nodes]
    layout = Layout(radices, affinity_order(net) + [ncomp])
    per_pair = pair_bytes(layout)
    max_pairs = max(1, min(EXPANSION_BYTES, budget.memory // 8) // per_pair)
    try:
        budget.reserve(initial_moves(net) * per_pair, "expanding the initial state")
        bits, need = fitting_group_bits(net, layout, min(TABLE_BYTES, budget.memory // 4))
        budget.reserve(need, f"the rule tables of {len(net.rules):,} rules")
    except LimitReached as e:
        return SearchResult("limit", 0, 0, budget.elapsed(), e.reason, layout=layout)
    node_field = ncomp
    expander = Expander(net, layout, group_bits=bits)
    table = StateTable(layout.words, budget=budget)
    table.insert([np.zeros(1, dtype=np.uint64) for _ in range(layout.words)])
    oracle = None
    if spec.check_divergence and net.has_tau:
        oracle = DivergenceOracle(net, layout, node_field, group_bits=bits)
    checker = _StateChecker(spec, len(spec.events))
    por = PartialOrder(net, expander, layout, reduce) if reduce is not None else None
    trivial = spec.num_nodes == 1 and bool((spec.step >= 0).all())  # every event allowed: no look-ups
    step_table = spec.step
    if not spec.follow_tick:  # an allowed ✓ is not followed: -2 means "allowed, but stop here"
        step_table = step_table.copy()
        step_table[:, 1] = np.where(step_table[:, 1] >= 0, -2, -1)
    cut_chunks = chunk * expander.max_candidates > max_pairs
    edges: list[tuple[I64, I64, I64]] = []
    terminated: list[Bools] = []
    transitions = 0
    depth = 0
    head, level_end = 0, 1
    result = SearchResult("complete", 0, 0, 0.0, table=table, layout=layout, expander=expander, oracle=oracle)
    try:
        while head < table.size:
            if head == level_end:
                level_end = table.size
                depth += 1
            start, stop = head, min(head + chunk, level_end)
            if cut_chunks:  # bound the expansion's memory, not only the number of states
                stop = start + _fitting(expander.candidate_counts(table.words(start, stop)), max_pairs,
                                        per_pair, budget, table.size)
            ids = np.arange(start, stop, dtype=np.int64)
            words = table.words(head, stop)
            head = stop
            node = layout.digits(words, node_field)
            if bool(spec.divergent.any()):
                live = ~spec.divergent[node]
                if not live.all():
                    ids, node = ids[live], node[live]
                    words = [w[live] for w in words]
            x = expander.expand(words)
            omega = np.zeros(len(ids), dtype=np.bool_)
            if expander.has_pseudo:
                pseudo = x.event < 0
                if pseudo.any():
                    omega[x.src[pseudo]] = True
                    x = x.select(~pseudo)
            full: Expansion | None = None
            if por is not None:  # keep the ample set of each state that has one
                chosen = por.choose(words)
                ample = por.ample(x, chosen)
                if not ample.all():
                    full, x = x, x.select(ample)
            transitions += x.src.size
            if record:
                terminated.append(omega)
            nxt = None if trivial else step_table[node[x.src], x.event]
            found = checker.check(ids, words, node, x, nxt, omega, oracle, layout, node_field)
            if found is not None:
                result.status, result.violation = "violation", found
                break
            x, targets = _followed(x, nxt, spec, layout, node_field)
            if record:
                tid, _fresh = table.insert(targets, ids[x.src], x.rule, need_ids=True)
                edges.append((ids[x.src], x.event, tid))
            elif full is not None and reduce == "traces":
                # the cycle proviso: a reduced state with a successor stored before is expanded fully
                before = table.size
                tid, _fresh = table.insert(targets, ids[x.src], x.rule, need_ids=True)
                redo = np.zeros(len(ids), dtype=np.bool_)
                redo[x.src[tid < before]] = True
                redo &= chosen >= 0
                if redo.any():
                    extra = full.select(~ample & redo[full.src])
                    transitions += extra.src.size
                    nxt = None if trivial else step_table[node[extra.src], extra.event]
                    found = checker.check(ids, words, node, extra, nxt, np.zeros_like(omega), None,
                                          layout, node_field)
                    if found is not None:
                        result.status, result.violation = "violation", found
                        break
                    extra, targets = _followed(extra, nxt, spec, layout, node_field)
                    table.add(targets, ids[extra.src], extra.rule)
            elif ids.size == stop - start:  # the chunk's states are start .. stop-1
                table.add(targets, x.src, x.rule, parent_offset=start)
            else:
                table.add(targets, ids[x.src], x.rule)
            if table.size > budget.states and head < table.size:
                # keep the limit within a level: the batch was numbered as an unlimited search would
                # number it, so the states kept are exactly the first ones that search stores
                table.truncate(max(budget.states, head))  # never a state already examined
                if record:
                    src, ev, tid = edges[-1]
                    inside = tid < table.size
                    edges[-1] = (src[inside], ev[inside], tid[inside])
                result.status, result.reason = "limit", budget.state_reason(table.size)
                break
            budget.report(table.size, transitions, depth)
            reason = budget.exceeded(table.size)
            if reason and head < table.size:
                result.status, result.reason = "limit", reason
                break
    except LimitReached as e:
        result.status, result.reason = "limit", e.reason
    result.states = table.size
    result.transitions = transitions
    result.seconds = budget.elapsed()
    budget.report(table.size, transitions, depth, final=True)
    if record:
        if edges:
            result.edges = (np.concatenate([e[0] for e in edges]), np.concatenate([e[1] for e in edges]),
                            np.concatenate([e[2] for e in edges]))
        else:
            z = np.zeros(0, dtype=np.int64)
            result.edges = (z, z, z)
        result.terminated = np.concatenate(terminated) if terminated else np.zeros(0, dtype=np.bool_)
    return result


def _followed(x: Expansion, nxt: I64 | None, spec: SpecAutomaton, layout: Layout,
              node_field: int) -> tuple[Expansion, Words]:
    """The pairs the search follows (the specification allows them) and their target words."""
    keep = None if nxt is None else nxt >= 0
    if keep is None and not spec.follow_tick:
        keep = x.event != 1
    if keep is not None and not keep.all():
        x = x.select(keep)
        nxt = None if nxt is None else nxt[keep]
    targets = x.targets if nxt is None or spec.num_nodes == 1 else layout.with_field(x.targets, node_field, nxt)
    return x, targets


def _fitting(counts: I64, max_pairs: int, per_pair: int, budget: Budget, states: int) -> int:
    """How many of these states to expand at once so that their pairs fit in ``max_pairs``."""
    within = int(np.searchsorted(np.cumsum(counts), max_pairs, side="right"))
    if within == 0:  # one state alone has more: expand it if the memory bound allows
        budget.reserve(int(counts[0]) * per_pair, "expanding one state", states)
        within = 1
    return within


class _StateChecker:
    """The per-chunk checks: divergence, acceptance (refusals, deadlock) and allowed events."""

    def __init__(self, spec: SpecAutomaton, num_events: int) -> None:
        self.spec = spec
        self.words = (num_events + 63) // 64
        if spec.acceptances is not None:
            offsets = [0]
            rows: list[U64] = []
            for accs in spec.acceptances:
                for a in accs:
                    rows.append(_bits_of(a, self.words))
                offsets.append(offsets[-1] + len(accs))
            self.acc_offsets = np.array(offsets, dtype=np.int64)
            self.acc_bits = np.stack(rows) if rows else np.zeros((0, self.words), dtype=np.uint64)

    def check(
        self, ids: I64, words: Words, node: I64, x: Expansion, step: I64 | None, omega: Bools,
        oracle: DivergenceOracle | None, layout: Layout, node_field: int,
    ) -> Violation | None:
        """The first violation among these states (lowest state number, then kind), if any.

        ``step`` is the specification node after each pair's event (-1: not allowed, -2:
        allowed but not followed), or None when the specification allows every event.
        """
        spec = self.spec
        n = len(ids)
        found: list[tuple[int, int, Violation]] = []  # (local state, priority, violation)
        if oracle is not None and n:
            div = np.flatnonzero(oracle.classify(layout.with_field(words, node_field, np.zeros(n, dtype=np.int64))))
            if div.size:
                i = int(div[0])
                found.append((i, _PRIORITY[DIVERGENCE], Violation(DIVERGENCE, int(ids[i]), node=int(node[i]))))
        if spec.acceptances is not None or spec.any_event:
            v = self._acceptance(ids, node, x, omega)
            if v is not None:
                found.append(v)
        bad = np.zeros(0, dtype=np.int64) if step is None else np.flatnonzero(step == -1)
        if bad.size:
            j = int(bad[np.argmin(x.src[bad])])
            i = int(x.src[j])
            target = tuple(int(t[j]) for t in x.targets)
            found.append((i, _PRIORITY[TRACE],
                          Violation(TRACE, int(ids[i]), int(x.rule[j]), target, node=int(node[i]))))
        if not found:
            return None
        return min(found, key=lambda f: (f[0], f[1]))[2]

    def _acceptance(self, ids: I64, node: I64, x: Expansion, omega: Bools) -> tuple[int, int, Violation] | None:
        n = len(ids)
        if self.spec.any_event:
            # a deadlock is a state with no transition at all (τ, ✓ or visible) that is not Ω
            moves = np.zeros(n, dtype=np.bool_)
            moves[x.src] = True
            bad = np.flatnonzero(~moves & ~omega)
            if bad.size == 0:
                return None
            i = int(bad[0])
            return (i, _PRIORITY[DEADLOCK], Violation(DEADLOCK, int(ids[i]), node=int(node[i])))
        has_tau = np.zeros(n, dtype=np.bool_)
        has_tau[x.src[x.event == 0]] = True
        has_tick = np.zeros(n, dtype=np.bool_)
        has_tick[x.src[x.event == 1]] = True
        stable = ~has_tau & ~omega
        vis = x.event >= 2
        cand = np.flatnonzero(stable)
        if cand.size == 0:
            return None
        w = self.words
        bits = np.zeros((n, w), dtype=np.uint64)
        ev = x.event[vis]
        np.bitwise_or.at(bits, (x.src[vis], ev >> 6), np.left_shift(np.uint64(1), (ev & 63).astype(np.uint64)))
        tick_bits = _bits_of(frozenset({1}), w)
        bits[has_tick] = tick_bits  # ✓ is a signal: such a state may refuse everything but ✓
        nodes = node[cand]
        counts = self.acc_offsets[nodes + 1] - self.acc_offsets[nodes]
        owner = np.repeat(np.arange(cand.size, dtype=np.int64), counts)
        ends = np.cumsum(counts)
        k = np.arange(int(counts.sum()), dtype=np.int64) + np.repeat(self.acc_offsets[nodes] - (ends - counts), counts)
        subset = ((self.acc_bits[k] & ~bits[cand[owner]]) == 0).all(axis=1)
        ok = np.bincount(owner[subset], minlength=cand.size) > 0
        bad = cand[~ok]
        if bad.size == 0:
            return None
        i = int(bad[0])
        acceptance = frozenset(int(e) for e in _events_of(bits[i]))
        return (i, _PRIORITY[REFUSAL], Violation(REFUSAL, int(ids[i]), acceptance=acceptance, node=int(node[i])))


def _bits_of(events: frozenset[int], words: int) -> U64:
    out = np.zeros(words, dtype=np.uint64)
    for e in events:
        out[e >> 6] |= np.uint64(1) << np.uint64(e & 63)
    return out


def _events_of(bits: U64) -> list[int]:
    return [w * 64 + b for w in range(len(bits)) for b in range(64) if (int(bits[w]) >> b) & 1]
