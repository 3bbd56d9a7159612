"""What a search checks at each state, and what it hands back: shared by both engines.

A search explores pairs (implementation state, specification node) breadth first and asks the
:class:`SpecAutomaton` about each state it examines (see :mod:`cspotlp.csp.search`). The answer
does not depend on the order a search meets states in, so that the numpy engine, the native one
and a search split over several processes report the same thing:

* the first breadth-first level holding a violation is the level reported, and within it the
  violating state whose packed words are least (word 0 first), then the kind of violation
  (divergence before refusal or deadlock before a forbidden event), then, for a forbidden
  event, the least concrete rule;
* the counterexample's path is rebuilt backwards from the stored levels (:class:`Trail`): the
  predecessor of a state at level d is the least one at level d - 1 (then the least rule), so
  no parent needs storing per state, and the path is a shortest one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

import numpy as np

from cspotlp.csp.engine import I64, U64, Bools, Expander, Expansion, Layout, StateTable, Words
from cspotlp.csp.events import Event

if TYPE_CHECKING:
    from cspotlp.csp.divergence import DivergenceOracle
    from cspotlp.csp.partition import Partition

TRACE, REFUSAL, DEADLOCK, DIVERGENCE = "trace", "refusal", "deadlock", "divergence"
PRIORITY = {DIVERGENCE: 0, REFUSAL: 1, DEADLOCK: 1, TRACE: 2}
"""Which violation a state reports when it has several (the least)."""

NO_VIOLATION = 3


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

    @property
    def trivial(self) -> bool:
        """One node allowing every event: a search needs no look-ups."""
        return self.num_nodes == 1 and bool((self.step >= 0).all())

    def search_steps(self) -> I64:
        """``step`` as searches use it: an allowed ✓ that is not followed is -2 ("stop here")."""
        if self.follow_tick:
            return self.step
        out = self.step.copy()
        out[:, 1] = np.where(out[:, 1] >= 0, -2, -1)
        return out

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
        words: the packed product state (implementation and specification node) where it was found.
        level: its breadth-first level (the length of a shortest path to it).
        rule: for a trace violation, the concrete rule whose event is not allowed; else -1.
        target: for a trace violation, the packed words the forbidden step leads to.
        acceptance: for refusals and deadlocks, the implementation's acceptance (event numbers).
        node: the specification node at ``words``.
    """

    kind: str
    words: tuple[int, ...]
    level: int
    rule: int = -1
    target: tuple[int, ...] = ()
    acceptance: frozenset[int] = frozenset()
    node: int = 0


class Trail(Protocol):
    """The stored levels of a search, asked backwards to rebuild a counterexample's path."""

    def predecessors(self, level: int, target: tuple[int, ...]) -> list[tuple[tuple[int, ...], int]]:
        """Every (state, concrete rule) of ``level`` whose followed move leads to ``target``."""
        ...  # pragma: no cover


def least_path(trail: Trail, words: tuple[int, ...], level: int) -> list[tuple[tuple[int, ...], int]]:
    """The least shortest path from the initial state to ``words``: (state, rule) of each step.

    Each step back takes the least predecessor one level up (then its least rule): the path
    depends only on the state space, not on the order a search met the states in.
    """
    steps: list[tuple[tuple[int, ...], int]] = []
    current = words
    for d in range(level, 0, -1):
        found = trail.predecessors(d - 1, current)
        if not found:
            raise AssertionError(f"no predecessor at level {d - 1} of a state at level {d}")
        current, rule = min(found)
        steps.append((current, rule))
    steps.reverse()
    return steps


@dataclass
class SearchResult:
    """The outcome of a search and what is needed to explain it.

    ``states`` is what the search stored when it ended: all states when complete, the state
    limit (or what was stored) when a bound stopped it, and the states of the levels up to the
    violation's when it found one (every one of them examined). ``transitions`` counts the moves
    of the states examined.
    """

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
    trail: Trail | None = None
    engine: str = "numpy"
    partition: Partition | None = None  # how a search over worker processes split its states
    extra: dict[str, object] = field(default_factory=dict)


class StateChecker:
    """The per-chunk checks: divergence, acceptance (refusals, deadlock) and allowed events."""

    def __init__(self, spec: SpecAutomaton, num_events: int) -> None:
        self.spec = spec
        self.words = (num_events + 63) // 64
        if spec.acceptances is not None:
            offsets = [0]
            rows: list[U64] = []
            for accs in spec.acceptances:
                for a in accs:
                    rows.append(bits_of(a, self.words))
                offsets.append(offsets[-1] + len(accs))
            self.acc_offsets = np.array(offsets, dtype=np.int64)
            self.acc_bits = np.stack(rows) if rows else np.zeros((0, self.words), dtype=np.uint64)

    def check(
        self, words: Words, node: I64, x: Expansion, step: I64 | None, omega: Bools,
        oracle: DivergenceOracle | None, layout: Layout, node_field: int, level: int,
    ) -> Violation | None:
        """The least violation among these states (least words, then kind; see the module docstring).

        ``step`` is the specification node after each pair's event (-1: not allowed, -2:
        allowed but not followed), or None when the specification allows every event.
        """
        n = len(node)
        priority = np.full(n, NO_VIOLATION, dtype=np.int64)
        bad = np.zeros(0, dtype=np.int64) if step is None else np.flatnonzero(step == -1)
        priority[x.src[bad]] = PRIORITY[TRACE]
        offered = None
        if self.spec.acceptances is not None or self.spec.any_event:
            refuses, offered = self._acceptance(n, node, x, omega)
            priority[refuses] = PRIORITY[REFUSAL]
        if oracle is not None and n:
            zero = np.zeros(n, dtype=np.int64)
            priority[oracle.classify(layout.with_field(words, node_field, zero))] = PRIORITY[DIVERGENCE]
        cand = np.flatnonzero(priority < NO_VIOLATION)
        if cand.size == 0:
            return None
        # lexsort's last key is the primary one: word 0, then the other words, then the kind
        order = np.lexsort((priority[cand], *(w[cand] for w in reversed(words))))
        i = int(cand[order[0]])
        state = tuple(int(w[i]) for w in words)
        kind_rank = int(priority[i])
        if kind_rank == PRIORITY[DIVERGENCE]:
            return Violation(DIVERGENCE, state, level, node=int(node[i]))
        if kind_rank == PRIORITY[REFUSAL]:
            if self.spec.any_event:
                return Violation(DEADLOCK, state, level, node=int(node[i]))
            assert offered is not None
            acceptance = frozenset(events_of(offered[i]))
            return Violation(REFUSAL, state, level, acceptance=acceptance, node=int(node[i]))
        mine = bad[x.src[bad] == i]
        j = int(mine[np.argmin(x.rule[mine])])
        target = tuple(int(t[j]) for t in x.targets)
        return Violation(TRACE, state, level, int(x.rule[j]), target, node=int(node[i]))

    def _acceptance(self, n: int, node: I64, x: Expansion, omega: Bools) -> tuple[Bools, U64 | None]:
        """Which states refuse what the node requires (or deadlock), and each state's offers."""
        if self.spec.any_event:
            # a deadlock is a state with no transition at all (τ, ✓ or visible) that is not Ω
            moves = np.zeros(n, dtype=np.bool_)
            moves[x.src] = True
            deadlocked: Bools = ~moves & ~omega
            return deadlocked, None
        has_tau = np.zeros(n, dtype=np.bool_)
        has_tau[x.src[x.event == 0]] = True
        has_tick = np.zeros(n, dtype=np.bool_)
        has_tick[x.src[x.event == 1]] = True
        stable = ~has_tau & ~omega
        vis = x.event >= 2
        w = self.words
        bits = np.zeros((n, w), dtype=np.uint64)
        ev = x.event[vis]
        np.bitwise_or.at(bits, (x.src[vis], ev >> 6), np.left_shift(np.uint64(1), (ev & 63).astype(np.uint64)))
        bits[has_tick] = bits_of(frozenset({1}), w)  # ✓ is a signal: such a state may refuse everything but ✓
        refuses = np.zeros(n, dtype=np.bool_)
        cand = np.flatnonzero(stable)
        if cand.size == 0:
            return refuses, bits
        nodes = node[cand]
        counts = self.acc_offsets[nodes + 1] - self.acc_offsets[nodes]
        owner = np.repeat(np.arange(cand.size, dtype=np.int64), counts)
        ends = np.cumsum(counts)
        k = np.arange(int(counts.sum()), dtype=np.int64) + np.repeat(self.acc_offsets[nodes] - (ends - counts), counts)
        subset = ((self.acc_bits[k] & ~bits[cand[owner]]) == 0).all(axis=1)
        ok = np.bincount(owner[subset], minlength=cand.size) > 0
        refuses[cand[~ok]] = True
        return refuses, bits


def expand_flagging_omega(expander: Expander, words: Words, count: int) -> tuple[Expansion, Bools]:
    """The pairs of ``count`` states, less the "terminated" pseudo rule, and which had it (Ω)."""
    x = expander.expand(words)
    omega = np.zeros(count, dtype=np.bool_)
    if expander.has_pseudo:
        pseudo = x.event < 0
        if pseudo.any():
            omega[x.src[pseudo]] = True
            x = x.select(~pseudo)
    return x, omega


def examine(
    words: Words, expander: Expander, spec: SpecAutomaton, checker: StateChecker, steps: I64,
    oracle: DivergenceOracle | None, layout: Layout, node_field: int, level: int,
) -> tuple[Expansion, I64, I64 | None, Bools, Violation | None]:
    """Expand states and check them: (their pairs, nodes, next nodes or None, Ω flags, violation).

    The pairs exclude the "terminated" pseudo rule (whose states are flagged Ω instead).
    """
    node = layout.digits(words, node_field)
    x, omega = expand_flagging_omega(expander, words, len(node))
    nxt = None if spec.trivial else steps[node[x.src], x.event]
    found = checker.check(words, node, x, nxt, omega, oracle, layout, node_field, level)
    return x, node, nxt, omega, found


def followed(x: Expansion, nxt: I64 | None, spec: SpecAutomaton, layout: Layout,
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


def live_states(words: Words, spec: SpecAutomaton, layout: Layout, node_field: int) -> Bools | None:
    """Which states a search expands (those at divergent nodes are not), or None for all."""
    if not bool(spec.divergent.any()):
        return None
    live: Bools = ~spec.divergent[layout.digits(words, node_field)]
    return None if live.all() else live


def bits_of(events: frozenset[int], words: int) -> U64:
    """A bit set of event numbers in ``words`` 64-bit words."""
    out = np.zeros(words, dtype=np.uint64)
    for e in events:
        out[e >> 6] |= np.uint64(1) << np.uint64(e & 63)
    return out


def events_of(bits: U64) -> list[int]:
    """The event numbers of a bit set."""
    return [w * 64 + b for w in range(len(bits)) for b in range(64) if (int(bits[w]) >> b) & 1]


def rank(v: Violation) -> tuple[tuple[int, ...], int]:
    """The order violations are reported in within a level: least state, then kind."""
    return v.words, PRIORITY[v.kind]
