"""The native engine: a level-synchronous breadth-first search on the C kernel.

The search keeps its states in a hash table (8 bytes a word, at most 70 % full) and, level by
level, in blocks of packed words (8 bytes a word). That is all a state costs: no parent or rule
is stored, because a counterexample's path is rebuilt from the levels
(:func:`~cspotlp.csp.automaton.least_path` asks each level for the least predecessor of a state,
which the kernel finds by expanding that level again).

One level is one round: the kernel expands the level's states (checking each against the
specification) and inserts the successors, new ones forming the next level; then the round
decides: the least violation of the level (if there is one), a bound, the end (no new state), or
the next level. The result does not depend on the order states are met in: a level's violation
is its least one, and the path is the least shortest one (:mod:`cspotlp.csp.automaton`), exactly
as the numpy engine reports them.

Budgets: the state limit is the kernel's (the table stores at most that many states, and the
level in which the limit is reached is still examined, storing nothing more); memory and time
are checked between kernel calls of :data:`CHUNK` states, which keeps Ctrl-C prompt too.

Spilling (``Budget.spill``, ``--spill DIR``): the hash table and every completed level are files
of the spill folder mapped into memory (unlinked as soon as they are made, so nothing is left
behind), so the kernel writes the levels to disk and drops them when memory runs short, instead
of the search running out of memory. The memory bound then counts the anonymous memory (the
level being built, the kernel's buffers) and the table, which must stay in memory: it is probed
at random, and on disk every probe would wait for it. When the table can grow no more, the
visited set moves to disk (:mod:`cspotlp.csp.external`: sorted levels, the table a cache of the
level being built, duplicates removed at the level's end), and the search goes on within the
memory bound, bounded by the disk. A partition of a search over workers does the same with its
own states (its level is complete once the states handed to it are in: :meth:`LevelStore.end_round`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING, Any

import numpy as np

from cspotlp.csp import native, partition, threaded
from cspotlp.csp.automaton import (
    PRIORITY,
    SearchResult,
    SpecAutomaton,
    StateChecker,
    Violation,
    examine,
    least_path,
)
from cspotlp.csp.budget import Budget
from cspotlp.csp.divergence import DivergenceOracle
from cspotlp.csp.engine import Expander, Layout
from cspotlp.csp.external import DiskVisited, mapped
from cspotlp.csp.supercombinator import Network
from cspotlp.errors import CspError, LimitReached

if TYPE_CHECKING:
    from cspotlp.csp import parallel
    from cspotlp.csp._native import Program, Table

CHUNK = 1 << 14
"""States per kernel call: memory, time, progress and Ctrl-C are looked at between calls."""

BLOCK = 1 << 16
"""States per block of a level (a level is a list of blocks: it grows without copying)."""

MOVE = 1 << 16
"""Old slots a growing table moves in one kernel call (Ctrl-C is looked at between calls)."""

FIRST_BITS = 12
"""The table starts with 2**FIRST_BITS slots."""

QUICK_GROWTH_BYTES = 128 << 20
"""A table growing to no more than this grows four times over, not two (where the bounds let it);
over P worker processes, each partition's table to no more than a P-th of it.

Each growth pauses every search thread, and the last rows before one are probed at the highest
load: a quadrupling moves a third of the rows that doublings would. It holds at most 64 MiB more
than doublings would at the same moment (half of a 128 MiB table); larger tables double, so their
memory stays close to the states'.
"""

MAX_TABLE_BITS = 40
"""The largest table grown to store more states: 2**MAX_TABLE_BITS slots (the kernel's bound)."""

UNBOUNDED = 1 << 62
"""The kernel's bound on the table once the visited set is on disk (the levels are counted instead)."""

NEED_TABLE, NEED_NEXT, NEED_OUT = 1, 2, 3  # the kernel's reasons to stop early

OUTBOX = 1 << 16
"""Rows of a partition's outbox (successors owned by other partitions) between hand-overs."""

Key = tuple[int, ...]
Candidate = tuple[Key, int]  # (state words, violation priority)


def runs(engine: str, *, record: bool, reduce: str | None) -> bool:
    """Whether the native engine runs a search (``engine`` as :func:`~cspotlp.csp.search.search` takes it).

    Recording the LTS and partial-order reduction are the numpy engine's, whatever ``engine``
    says; ``auto`` falls back to numpy when the kernel is not built.

    Raises:
        CspError: ``engine`` is ``native`` but the kernel is not built.
    """
    if engine == "numpy" or record or reduce is not None:
        return False
    if native.UNAVAILABLE:
        if engine == "native":
            raise CspError(f"the native engine is not available: {native.UNAVAILABLE}")
        return False
    return True


@dataclass
class LevelReport:
    """What one partition did in one round."""

    best: Candidate | None = None
    transitions: int = 0
    new: int = 0
    limited: bool = False
    stopped: str = ""


class LevelStore:
    """The states of one search: their hash table and their levels.

    With ``parts`` > 1 it holds one partition of a search (:mod:`cspotlp.csp.parallel`): the
    states whose owner is ``me``; successors owned by other partitions go to ``hand_over``
    (states, owners) instead of the table. ``limit`` is the table's bound (the budget's states
    unless the caller sets a round's share). ``met``, shared by the partitions (a one-number
    array), is the level where one of them met a violation: the search ends with that level, so
    the others stop storing successors there, as one process does once it meets one. With
    ``threads`` > 1 each level is expanded by that many threads sharing the table
    (:mod:`cspotlp.csp.threaded`).
    """

    def __init__(
        self, program: Program, words: int, budget: Budget,
        diverges: Callable[[np.ndarray], np.ndarray] | None = None,
        report: Callable[[int, int], None] | None = None,
        parts: int = 1, me: int = 0,
        hand_over: Callable[[np.ndarray, np.ndarray], None] | None = None,
        threads: int = 1, met: Any = None,
    ) -> None:
        assert native.KERNEL is not None
        self.kernel = native.KERNEL
        self.program = program
        self.k = words
        self.budget = budget
        self.diverges = diverges
        self.report = report
        self.spill = budget.spill
        self.table: Table = self.kernel.Table(words, FIRST_BITS, self.spill)
        budget.reserve(self.table.nbytes, "the state table", spilled=True)
        self.levels: list[list[np.ndarray]] = []
        self.building: list[np.ndarray] = []  # blocks of the next level
        self._block = np.zeros((0, words), dtype=np.uint64)
        self._pos = 0
        self.limit = budget.states
        self.parts, self.me, self.hand_over, self.met = parts, me, hand_over, met
        assert parts == 1 or hand_over is not None
        self._out = np.empty((OUTBOX if parts > 1 else 0, words), dtype=np.uint64)
        self._to = np.empty(len(self._out), dtype=np.uint8)
        self._out_pos = 0
        self.on_disk: DiskVisited | None = None  # the visited set, once it is on disk
        self.shared = None if threads == 1 else threaded.SharedTable(self, threads)

    def __enter__(self) -> LevelStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """End the search's helper threads, if it has any (use the store as a context manager)."""
        if self.shared is not None:
            self.shared.close()

    @property
    def states(self) -> int:
        """States stored: the table's, or the levels' once the visited set is on disk."""
        return self.table.size if self.on_disk is None else self.on_disk.stored

    # -- the levels ---------------------------------------------------------------------------

    def seed(self, initial: np.ndarray) -> None:
        """Store the initial state (level 0), if this partition owns it."""
        if self.parts > 1:
            initial = initial[partition.owners(self.program.owner_mask, initial, self.parts) == self.me]
        self._insert(initial)

    def receive(self, states: np.ndarray) -> bool:
        """Store states handed over by other partitions; True when the limit stopped it."""
        # any() stops at the first chunk the limit stopped
        return any(self._insert(states[lo:lo + CHUNK]) for lo in range(0, len(states), CHUNK))

    def end_round(self) -> int:
        """A partition's round is over (the states handed to it are in): the states it stores.

        With the visited set on disk, this is when the level built is complete.
        """
        if self.on_disk is not None:
            self._next_level_on_disk()
        return self.states

    def close_level(self) -> None:
        """The level being built is complete: it becomes the last stored level (on disk when spilling)."""
        self._seal_block()
        level = self.building
        if self.spill is not None and level:
            level = [self._to_disk(level)]
        self.levels.append(level)
        self.building = []

    def _to_disk(self, blocks: list[np.ndarray]) -> np.ndarray:
        """The blocks' states in one file of the spill folder, mapped (and unlinked at once).

        The file's pages are the page cache's: written back and dropped when memory runs short,
        read again when the level is expanded or asked for a counterexample's path.
        """
        rows = sum(len(b) for b in blocks)
        self.budget.reserve(rows * self.k * 8, "a level of states", self.table.size, spilled=True)
        assert self.spill is not None
        return mapped(self.spill, blocks, self.k)

    # -- one round ------------------------------------------------------------------------------

    def expand(self, level: int) -> LevelReport:
        """Expand the states of ``level`` and store their new successors (see the module docstring)."""
        if len(self.levels) == level:
            self.close_level()
        out = LevelReport()
        before = self.table.size
        blocks = self.levels[level]
        if self.shared is not None and self.on_disk is None:
            chunks = self.shared.expand(blocks, CHUNK, out)  # what is left for one thread
        else:
            chunks = [block[lo:lo + CHUNK] for block in blocks for lo in range(0, len(block), CHUNK)]
        inserting = out.best is None
        for view in chunks:
            if out.stopped:
                break
            if self.met is not None and self.met[0] == level:
                inserting = False  # another partition met a violation: this level is the last
            inserting = self._expand_chunk(view, inserting, out)
            if self.met is not None and out.best is not None:
                self.met[0] = level
            out.stopped = self.over_budget()
        self._hand_over()
        if self.on_disk is None:
            out.new = self.table.size - before
        elif self.parts == 1 and out.best is None and not out.stopped:
            out.new = self._next_level_on_disk()
        # a partition on disk counts its new states at the round's end (end_round)
        return out

    def _next_level_on_disk(self) -> int:
        """The level built is complete: its new states (the runs without the visited ones) stored."""
        assert self.on_disk is not None
        self._building_to_run()
        level = self.on_disk.next_level(self.levels)
        self.levels.append([level] if len(level) else [])
        return len(level)

    def predecessors(self, level: int, target: Key) -> list[tuple[Key, int]]:
        """Every (state, rule) of ``level`` whose followed move leads to ``target`` (the kernel expands it again)."""
        goal = np.array(target, dtype=np.uint64)
        if self.shared is not None:
            return self.shared.predecessors(self.levels[level], goal)
        found: list[tuple[Key, int]] = []
        for block in self.levels[level]:
            for i, rule in self.kernel.predecessors(self.program, block, goal):
                found.append((tuple(int(w) for w in block[i]), int(rule)))
        return found

    # -- the kernel ---------------------------------------------------------------------------

    def _expand_chunk(self, view: np.ndarray, inserting: bool, out: LevelReport) -> bool:
        div = None if self.diverges is None else self.diverges(view)
        at, n = 0, len(view)
        while at < n:
            (at, code, limited, transitions, best, priority, need, inserting,
             self._pos, self._out_pos, _added) = self.kernel.expand(
                self.program, self.table, view, at, n, div, self._block, self._pos, self._table_limit(),
                inserting, self.parts, self.me, self._out, self._to, self._out_pos)
            out.transitions += transitions
            out.limited = out.limited or bool(limited)
            if best >= 0:
                cand = (tuple(int(w) for w in view[best]), priority)
                if out.best is None or cand < out.best:
                    out.best = cand
            if code == NEED_TABLE:
                self.grow_table(need)
            elif code == NEED_NEXT:
                self._new_block(need)
            elif code == NEED_OUT:
                self._hand_over(need)
        if self.report is not None:
            self.report(self.states, out.transitions)
        return inserting

    def _hand_over(self, room: int = 0) -> None:
        """Give the outbox's states to ``hand_over``; then it has room for ``room`` more."""
        if self._out_pos:
            assert self.hand_over is not None
            self.hand_over(self._out[:self._out_pos], self._to[:self._out_pos])
            self._out_pos = 0
        if room > len(self._out):
            self._out = np.empty((room, self.k), dtype=np.uint64)
            self._to = np.empty(room, dtype=np.uint8)

    def _insert(self, states: np.ndarray) -> bool:
        """Insert states (new ones go to the level being built); True when the limit stopped it."""
        n = len(states)
        if self.table.size + n > self.table.grow_at:
            self.grow_table(n)
        if len(self._block) - self._pos < n:
            self._new_block(n)
        self._pos, limited = self.table.add(states, self._block, self._pos, self._table_limit())
        return bool(limited)

    def _table_limit(self) -> int:
        """The kernel's bound on the table: the state bound, unless the levels are counted instead."""
        return self.limit if self.on_disk is None else UNBOUNDED

    def _new_block(self, need: int) -> None:
        self._seal_block()
        self._block = self.new_block_array(need)
        self._pos = 0

    def new_block_array(self, need: int) -> np.ndarray:
        """An empty block of the next level, with room for ``need`` states at least (within the budget)."""
        rows = max(BLOCK, need)
        self.budget.reserve(rows * self.k * 8, "a block of states", self.table.size)
        return np.empty((rows, self.k), dtype=np.uint64)

    def _seal_block(self) -> None:
        if self._pos:
            self.building.append(self._block[:self._pos])
        self._block = self._block[self._pos:]
        self._pos = 0

    def grow_table(self, need: int) -> None:
        """A table twice as large or more (four times while small), its rows moved from the old one.

        A spilled search whose table cannot grow moves its visited set to disk instead (module
        docstring); from then on a full table is emptied into a run.
        """
        if self.on_disk is not None:
            self._empty_table(need)
            return
        bits = self._bits_for(self.table.size + need)
        try:
            bits = self._reserve_growth(bits)
        except LimitReached:
            if self.spill is None:
                raise
            stored = sum(len(b) for level in self.levels for b in level)
            self.on_disk = DiskVisited(self.spill, self.k, self.budget, stored)
            self._empty_table(need)
            return
        self._grow_to(bits)

    def grow_ahead(self, bits: int) -> None:
        """Grow the table now to 2**``bits`` slots (or more while small, as it grows), if it is smaller and the bounds allow it.

        The partitions of a search grow together, in the same round, where one of them would
        grow during it (:meth:`cspotlp.csp.parallel.Workers.expand`): growths in different rounds
        add up, each keeping the others waiting. Where the bounds forbid it the table grows when
        it must, as it would have.
        """
        if self.on_disk is not None or bits <= self.table.bits:
            return
        try:
            bits = self._reserve_growth(bits)
        except LimitReached:
            return
        self._grow_to(bits)

    def _grow_to(self, bits: int) -> None:
        old = self.table.grow(bits)  # its rows move from the old slots, piece by piece
        pieces = [(lo, min(lo + MOVE, old)) for lo in range(0, old, MOVE)]
        if self.shared is not None:
            if not self.shared.move(pieces):
                return  # Ctrl-C: the search ends here
        else:
            for lo, hi in pieces:
                self.table.move(lo, hi, False)
        self.table.end_growth()

    def _bits_for(self, states: int) -> int:
        """Bits of a table larger than this one that holds ``states``."""
        bits = self.table.bits + 1
        max_load = self.kernel.MAX_LOAD_PERCENT / 100
        while states > max_load * (1 << bits):
            bits += 1
        return bits

    def _reserve_growth(self, bits: int) -> int:
        """The bits of the grown table: ``bits``, or one more when that is small and within the bounds."""
        if (2 << bits) * self.k * 8 * self.parts <= QUICK_GROWTH_BYTES:  # the partitions' tables together
            try:
                self._reserve_table(bits + 1)
                return bits + 1
            except LimitReached:
                pass
        self._reserve_table(bits)
        return bits

    def _reserve_table(self, bits: int, *, capped: bool = True) -> None:
        """Raise :class:`LimitReached` unless a table of 2**bits slots fits the bounds.

        ``capped``: within :data:`MAX_TABLE_BITS` too (not when it grows to hold one state's
        successors, which the memory bound alone limits).
        """
        new_bytes = (1 << bits) * self.k * 8
        if capped and bits > MAX_TABLE_BITS:
            raise LimitReached(f"the state table cannot grow beyond 2**{MAX_TABLE_BITS} slots "
                               f"({self.table.size:,} states stored)", self.table.size)
        self.budget.reserve(new_bytes - self.table.nbytes, "growing the state table", self.table.size,
                            spilled=True)
        if self.spill is not None:
            # the levels may live on disk, the table may not: it is probed at random, so a table
            # larger than memory makes every probe wait for the disk (measured: a search that
            # takes 2 s in memory still ran after 10 minutes)
            self.budget.reserve(new_bytes, "the state table (a spilled search keeps it in memory)",
                                self.table.size)

    def _empty_table(self, need: int) -> None:
        """Visited set on disk: the table's new states become a run, and it starts again empty.

        It grows only when one state's successors do not fit an empty table.
        """
        self._building_to_run()
        bits = self.table.bits
        if need > self.table.grow_at:
            bits = self._bits_for(need)
            self._reserve_table(bits, capped=False)
        self.table.reset(bits)

    def _building_to_run(self) -> None:
        """Visited set on disk: the states of the level being built so far become a run."""
        assert self.on_disk is not None
        self._seal_block()
        self.on_disk.add_run(self.building)
        self.building = []

    def over_budget(self) -> str:
        """The memory or time bound this partition has reached, or ''."""
        states = self.states
        return self.budget.memory_reason(states) or self.budget.time_reason(states)


def level_search(net: Network, spec: SpecAutomaton, layout: Layout, expander: Expander,
                 oracle: DivergenceOracle | None, budget: Budget) -> SearchResult:
    """Breadth-first search of ``net`` against ``spec`` on the native engine (see the module docstring).

    With ``budget.workers`` > 1 the levels are partitioned over that many worker processes
    (:mod:`cspotlp.csp.parallel`), with ``budget.threads`` > 1 expanded by that many threads
    sharing the table (:mod:`cspotlp.csp.threaded`); the result is the same.
    """
    over_workers = _parallel() if budget.workers > 1 else None
    if over_workers is not None and not over_workers.can_fork():
        over_workers = None  # the search runs in one process
    # which worker owns a state: a hash of the fields that moves rarely change
    owner = partition.choose(expander, layout, budget.workers, budget) if over_workers else None
    program = native.program(expander, spec, layout, owner.mask if owner else 0)
    diverges = _divergence_check(oracle, layout, len(net.components))
    report = None
    if budget.progress is not None:
        def report(states: int, transitions: int) -> None:
            budget.report(states, transitions)
    try:
        with contextlib.ExitStack() as stack:
            store: LevelStore | parallel.Workers
            if over_workers is not None:
                store = stack.enter_context(
                    over_workers.Workers(budget.workers, program, layout.words, budget, diverges))
            else:
                store = stack.enter_context(LevelStore(program, layout.words, budget, diverges,
                                                       report=report, threads=budget.threads))
            result = _rounds(store, layout, budget)
            if result.violation is not None:  # while the levels are there to ask
                v = result.violation
                result.trail = KnownPath(least_path(store, v.words, v.level))
    except LimitReached as e:
        result = SearchResult("limit", e.explored, 0, budget.elapsed(), e.reason)
    result.layout, result.expander, result.oracle, result.engine = layout, expander, oracle, "native"
    result.partition = owner
    if result.violation is not None:
        result.violation = _details(result.violation, net, spec, layout, expander, oracle)
    return result


def _parallel() -> ModuleType:
    """:mod:`cspotlp.csp.parallel`, imported only for a search over workers.

    It builds on this module, and it imports :mod:`multiprocessing` (2 ms, a fifth of a small
    model's whole check).
    """
    from cspotlp.csp import parallel

    return parallel


def _rounds(store: LevelStore | parallel.Workers, layout: Layout, budget: Budget) -> SearchResult:
    """The loop over levels (see the module docstring)."""
    store.seed(np.zeros((1, layout.words), dtype=np.uint64))
    stored = 1
    transitions = 0
    level = 0
    while True:
        report = store.expand(level)
        transitions += report.transitions
        if report.best is not None:
            words, priority = report.best
            kind = {p: k for k, p in PRIORITY.items()}[priority]
            return _result("violation", stored, transitions, budget, violation=Violation(kind, words, level))
        stored += report.new
        if report.limited or stored > budget.states:
            kept = min(stored, budget.states)
            return _result("limit", kept, transitions, budget, reason=budget.state_reason(kept))
        if report.stopped:
            return _result("limit", stored, transitions, budget, reason=report.stopped)
        budget.report(stored, transitions, level + 1)
        if report.new == 0:
            return _result("complete", stored, transitions, budget)
        level += 1


def _result(status: str, states: int, transitions: int, budget: Budget, *, reason: str = "",
            violation: Violation | None = None) -> SearchResult:
    budget.report(states, transitions, final=True)
    return SearchResult(status, states, transitions, budget.elapsed(), reason, violation)


def _divergence_check(oracle: DivergenceOracle | None, layout: Layout,
                      node_field: int) -> Callable[[np.ndarray], np.ndarray] | None:
    """Per state of a block: does it diverge (the oracle asked about the implementation's part)."""
    if oracle is None:
        return None

    def diverges(block: np.ndarray) -> np.ndarray:
        words = [np.ascontiguousarray(block[:, j]) for j in range(layout.words)]
        words = layout.with_field(words, node_field, np.zeros(len(block), dtype=np.int64))
        return np.ascontiguousarray(oracle.classify(words), dtype=np.uint8)

    return diverges


def _details(v: Violation, net: Network, spec: SpecAutomaton, layout: Layout, expander: Expander,
             oracle: DivergenceOracle | None) -> Violation:
    """The violation at one state, as the numpy engine describes it (its rule, target, acceptance)."""
    words = [np.array([w], dtype=np.uint64) for w in v.words]
    checker = StateChecker(spec, len(spec.events))
    *_rest, found = examine(words, expander, spec, checker, spec.search_steps(), oracle, layout,
                            len(net.components), v.level)
    assert found is not None and PRIORITY[found.kind] == PRIORITY[v.kind], (v, found)
    return found


class KnownPath:
    """A trail whose path was found already (the partitions that stored the levels are gone)."""

    def __init__(self, steps: list[tuple[Key, int]]) -> None:
        self.steps = steps  # (state, rule) of each step from the initial state

    def predecessors(self, level: int, target: Key) -> list[tuple[Key, int]]:
        """The one predecessor on the known path."""
        return [self.steps[level]]
