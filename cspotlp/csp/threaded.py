"""A level of the native search expanded by several threads sharing one hash table (``--threads N``).

This is how multi-core spin and LTSmin use the cores of one machine: one table in shared memory,
whose free slots the threads claim with an atomic compare-and-swap (the kernel's
``expand_shared``), where the partitions of :mod:`cspotlp.csp.parallel` (FDR3's way, which also
spans machines) hand each other the successors they do not own, most of them stored already.

A level's chunks go to the threads in turn (the calling thread is one of them); a kernel call
runs without the GIL. Each thread appends the new states it stores to blocks of its own, which
together are the next level: a set, whose order changes nothing (:mod:`cspotlp.csp.levels`).
So the levels, the verdicts, the counts and the counterexamples are the one-thread search's.

The table's room (its load bound, and the state bound) is shared out: a call may add at most the
room it is given, so no thread fills the table. When the room runs out, every thread stops at
its next state (the pause flag the kernel reads) and the table grows as in one thread, its rows
moved to the new slots on every thread. A thread that meets a violation raises the other flag:
the level is the search's last, so from then on no thread stores anything (as one thread stops
storing there).
When the state bound leaves too little room, or the visited set moves to disk
(:mod:`cspotlp.csp.external`), the rest of the level is expanded on one thread, which counts the
bound exactly. Memory and time are checked by each thread between its calls; Ctrl-C stops every
thread at its next state. A counterexample's path (the parts of each level) and a growth (its
pieces of old slots) go to every thread once they take long; until then the calling thread works
alone.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, TypeVar

import numpy as np

if TYPE_CHECKING:
    from cspotlp.csp._native import Program
    from cspotlp.csp.levels import Key, LevelReport, LevelStore

T = TypeVar("T")

NEED_TABLE, NEED_NEXT, PAUSED = 1, 2, 4  # the kernel's reasons to stop early

ROOM = 1 << 16
"""States one kernel call may add at most (less when the table has less room left)."""

SMALLEST_CHUNK = 1024
"""Rows of a level's chunks at least (a kernel call costs some microseconds)."""

POLL = 0.2
"""Seconds between progress reports (and looks at Ctrl-C) while the threads run."""

INTERRUPTED = "interrupted"  # why the threads stop on Ctrl-C

ALONE = 0.001
"""Seconds the calling thread works alone (a path's level, a growth's moves) before the others join in."""


class _Lane:
    """One thread's program (its own scratch), its block of the next level and its findings."""

    def __init__(self, program: Program, words: int) -> None:
        self.program = program
        self.block = np.zeros((0, words), dtype=np.uint64)
        self.pos = 0
        self.transitions = 0
        self.best: tuple[tuple[int, ...], int] | None = None
        self.error: BaseException | None = None
        self.inserting = True  # False once its states show the level holds a violation


class SharedTable:
    """The threads of one :class:`~cspotlp.csp.levels.LevelStore` (see the module docstring)."""

    def __init__(self, store: LevelStore, threads: int) -> None:
        self.store = store
        self.programs = [store.program] + [store.program.clone() for _ in range(threads - 1)]
        self.flags = np.zeros(2, dtype=np.uint8)  # the kernel's: [0] pause, [1] a violation met
        self.cond = threading.Condition()
        self.oracle = threading.Lock()
        self.lanes: list[_Lane] = []
        self.helpers = _Helpers(threads - 1)
        self._begin(iter([]))

    def close(self) -> None:
        """End the helper threads (they wait between levels)."""
        self.helpers.close()

    def _begin(self, work: Iterator[np.ndarray]) -> None:
        self.work = work
        self.left: list[np.ndarray] = []  # what the one thread expands after these
        self.granted = 0  # room given to calls running now
        self.active = 0  # calls running now
        self.pausing = False
        self.one_thread = False
        self.halted = ""  # a bound's reason, or why the threads were stopped
        self.flags[:] = 0

    def portions(self, blocks: list[np.ndarray], largest: int) -> Iterator[np.ndarray]:
        """The level ``blocks`` in chunks for the threads to take in turn, smaller towards its end.

        At most ``largest`` rows, fewer as the level runs out (what is left over twice the
        threads, but at least :data:`SMALLEST_CHUNK`), so that the threads end the level together.
        """
        left = sum(len(b) for b in blocks)
        for block in blocks:
            lo = 0
            while lo < len(block):
                rows = min(largest, max(SMALLEST_CHUNK, left // (2 * len(self.programs))))
                view = block[lo:lo + rows]
                lo += len(view)
                left -= len(view)
                yield view

    def expand(self, blocks: list[np.ndarray], largest: int, out: LevelReport) -> list[np.ndarray]:
        """Expand the level ``blocks`` on every thread into ``out``; returns the chunks left for one thread.

        Chunks have at most ``largest`` rows (:meth:`portions`). A level of one chunk is left to
        one thread whole (a small model's levels: no threads to start).
        """
        work = self.portions(blocks, largest)
        first = list(itertools.islice(work, 2))
        if len(first) < 2:
            return first
        self._begin(itertools.chain(first, work))
        lanes = self.lanes = [_Lane(program, self.store.k) for program in self.programs]
        try:
            self.helpers.post(lambda i: self._run(lanes[i]))
            self._run(lanes[0], reports=True)  # this thread searches too (one more to start cost ~2 ms)
            self.helpers.wait(self._report)
        except BaseException:  # Ctrl-C: every thread stops at its next state
            self._halt(INTERRUPTED)
            self.helpers.wait()
            raise
        for lane in lanes:
            self._seal(lane)
            if lane.error is not None:
                raise lane.error
            out.transitions += lane.transitions
            if lane.best is not None and (out.best is None or lane.best < out.best):
                out.best = lane.best
        if self.halted:
            out.stopped = self.halted
            return []
        return self.left + list(self.work)

    # -- one thread ----------------------------------------------------------------------------

    def _run(self, lane: _Lane, reports: bool = False) -> None:
        """Expand chunks until the level or the search ends.

        ``reports``: the progress too, every :data:`POLL` seconds (the calling thread's lane,
        which Ctrl-C reaches).
        """
        reported = time.monotonic()
        try:
            while True:
                with self.cond:
                    view = None if self.halted or self.one_thread else next(self.work, None)
                if view is None:
                    return
                self._chunk(lane, view)
                reason = self.store.over_budget()
                if reason:
                    self._halt(reason)
                if reports and time.monotonic() - reported >= POLL:
                    self._report()
                    reported = time.monotonic()
        except KeyboardInterrupt:  # in the calling thread: expand() stops the others
            self._halt(INTERRUPTED)
            raise
        except BaseException as e:  # noqa: BLE001 - raised again by expand() in the calling thread
            lane.error = e
            self._halt(f"{type(e).__name__}: {e}")

    def _report(self) -> None:
        if self.store.report is not None:
            self.store.report(self.store.table.size, sum(lane.transitions for lane in self.lanes))

    def _chunk(self, lane: _Lane, view: np.ndarray) -> None:
        store = self.store
        div = None
        if store.diverges is not None:
            with self.oracle:  # the divergence oracle's tables are not for two threads at once
                div = store.diverges(view)
        at, n, need = 0, len(view), 1
        while at < n:
            room = self._take(need)
            if room is None:
                if self.one_thread:
                    with self.cond:
                        self.left.append(view[at:])
                return
            try:
                (at, code, _limited, transitions, best, priority, need, lane.inserting, lane.pos,
                 _out, _added) = store.kernel.expand_shared(lane.program, store.table, view, at, n, div,
                                                            lane.block, lane.pos, room, lane.inserting,
                                                            self.flags)
            finally:  # the lane's block is up to date before a growth may read it
                self._give_back(room)
            lane.transitions += transitions
            if best >= 0:
                cand = (tuple(int(w) for w in view[best]), priority)
                if lane.best is None or cand < lane.best:
                    lane.best = cand
            if code == NEED_NEXT:
                with self.cond:
                    self._new_block(lane, need)
            if code != NEED_TABLE:
                need = 1

    def _take(self, need: int) -> int | None:
        """Room for a call that must be able to add ``need`` states; None when the threads stop."""
        store, table = self.store, self.store.table
        with self.cond:
            while True:
                while self.pausing and not self.halted:
                    self.cond.wait()
                if self.halted or self.one_thread:
                    return None
                free = min(table.grow_at, store.limit) - table.size - self.granted
                if free >= need:
                    room = min(free, max(need, ROOM))
                    self.granted += room
                    self.active += 1
                    return room
                if store.limit <= table.grow_at:  # the state bound, counted exactly on one thread
                    self.one_thread = True
                    self.flags[0] = 1
                    return None
                self._grow(need)

    def _grow(self, need: int) -> None:
        """The table grows (as in one thread) once no call runs; called holding the lock."""
        self.pausing = True
        self.flags[0] = 1
        while self.active:
            self.cond.wait()
        try:
            if not self.halted:
                for lane in self.lanes:
                    self._seal(lane)
                self.store.grow_table(need)
                if self.store.on_disk is not None:  # the visited set moved to disk: one thread
                    self.one_thread = True
        finally:
            self.pausing = False
            self.flags[0] = 1 if self.halted or self.one_thread else 0
            self.cond.notify_all()

    def _give_back(self, room: int) -> None:
        with self.cond:
            self.granted -= room
            self.active -= 1
            self.cond.notify_all()

    def _halt(self, reason: str) -> None:
        with self.cond:
            self.halted = self.halted or reason
            self.flags[0] = 1
            self.cond.notify_all()

    def move(self, pieces: list[tuple[int, int]]) -> bool:
        """Move the rows of a growing table's old slots, ``pieces`` of them, on every thread.

        False when Ctrl-C stopped the threads first (the search ends there, the table half grown);
        a bound reached meanwhile lets the growth end, so the states are counted right.
        """
        table = self.store.table
        self._each(pieces, lambda _program, piece: table.move(*piece, True), stop=self._interrupted)
        return not self._interrupted()

    def _interrupted(self) -> bool:
        return self.halted == INTERRUPTED

    def predecessors(self, blocks: list[np.ndarray], goal: np.ndarray) -> list[tuple[Key, int]]:
        """Every (state, rule) of the level ``blocks`` whose followed move leads to ``goal``, on every thread."""
        found: list[tuple[Key, int]] = []

        def ask(program: Program, chunk: np.ndarray) -> None:
            pairs = self.store.kernel.predecessors(program, chunk, goal)
            found.extend((tuple(int(w) for w in chunk[i]), int(rule)) for i, rule in pairs)

        self._each(self.portions(blocks, ROOM), ask)
        return found

    def _each(self, items: Iterable[T], work: Callable[[Program, T], object],
              stop: Callable[[], bool] = lambda: False) -> None:
        """``work(program, item)`` for every item, on every thread (this one too), each with its program.

        This thread works alone for :data:`ALONE` seconds first: most of a path's levels, and the
        moves of a small table's growth, take less time than starting a thread.
        An error, or Ctrl-C in this thread, stops every thread after its current item, and is raised;
        so does ``stop()`` becoming true (nothing raised).
        """
        pending = iter(items)
        start = time.perf_counter()
        while time.perf_counter() - start < ALONE:
            item = None if stop() else next(pending, None)
            if item is None:
                return
            work(self.programs[0], item)
        lock = threading.Lock()
        errors: list[BaseException] = []

        def run(program: Program) -> None:
            try:
                while True:
                    with lock:
                        item = None if errors or stop() else next(pending, None)
                    if item is None:
                        return
                    work(program, item)
            except BaseException as e:  # noqa: BLE001 - raised again below, in the calling thread
                with lock:
                    errors.append(e)

        started: list[threading.Thread] = []
        try:
            _start_helpers(run, self.programs[1:], started)
        except BaseException as e:  # noqa: BLE001 - Ctrl-C during a start: raised again below
            with lock:
                errors.append(e)
        else:
            run(self.programs[0])
        _join_all(started)
        if errors:
            raise errors[0]

    # -- the next level's blocks -----------------------------------------------------------------

    def _new_block(self, lane: _Lane, need: int) -> None:
        self._seal(lane)
        lane.block = self.store.new_block_array(need)

    def _seal(self, lane: _Lane) -> None:
        if lane.pos:
            self.store.building.append(lane.block[:lane.pos])
        lane.block = lane.block[lane.pos:]
        lane.pos = 0


class _Helpers:
    """The helper threads that expand each level with the calling thread (``cspotlp-search-1``..).

    They start with the first level of several chunks and wait between levels until
    :meth:`close`: starting threads for each level cost 0.15 to 0.2 ms a level, 8 % of a search
    of 92 levels of 17,000 states on average. A growth's moves, which any thread may start while
    the others wait inside a level, start threads of their own (:meth:`SharedTable._each`).
    """

    def __init__(self, count: int) -> None:
        self.cond = threading.Condition()
        self.threads: list[threading.Thread] = []
        self.job: Callable[[int], object] | None = None
        self.posted = 0  # jobs posted so far
        self.done = [0] * count  # the last job each helper finished
        self.closed = False

    def post(self, job: Callable[[int], object]) -> None:
        """``job(i)`` on helper i (from 1), each at once; :meth:`wait` for them to finish it."""
        if self.closed:
            raise RuntimeError("the search's helper threads have ended")
        if not self.threads:
            try:
                _start_helpers(self._serve, list(range(len(self.done))), self.threads)
            except BaseException:  # Ctrl-C during a start: a helper that runs late ends at once
                self.close()
                raise
        with self.cond:
            self.job = job
            self.posted += 1
            self.cond.notify_all()

    def wait(self, poll: Callable[[], object] | None = None) -> None:
        """Until every helper has finished the last job; ``poll()`` every :data:`POLL` seconds meanwhile."""
        while True:
            with self.cond:
                self.cond.notify_all()  # in case Ctrl-C came between a job's post and its notice
                if not self._finished():
                    self.cond.wait(POLL)
                if self._finished():
                    self.job = None
                    return
            if poll is not None:
                poll()

    def _finished(self) -> bool:
        return all(d == self.posted or not t.is_alive() for d, t in zip(self.done, self.threads, strict=False))

    def _serve(self, i: int) -> None:
        seen = 0
        while True:
            with self.cond:
                while self.posted == seen and not self.closed:
                    self.cond.wait()
                if self.closed:
                    return
                seen, job = self.posted, self.job
            try:
                if job is not None:
                    job(i + 1)
            finally:
                with self.cond:
                    self.done[i] = seen
                    self.cond.notify_all()

    def close(self) -> None:
        """End the helpers (each after its job, if one runs)."""
        with self.cond:
            self.closed = True
            self.cond.notify_all()
        _join_all(self.threads)
        self.threads = []


def _start_helpers(target: Callable[[T], object], items: list[T], started: list[threading.Thread]) -> None:
    """Start a thread ``cspotlp-search-<i>`` (i from 1) running ``target(item)`` for each item.

    Each goes into ``started`` before its start: Ctrl-C may interrupt one, which
    :func:`_join_all` then waits for.
    """
    for i, item in enumerate(items, 1):
        t = threading.Thread(target=target, args=(item,), name=f"cspotlp-search-{i}", daemon=True)
        started.append(t)
        t.start()


START = 1.0
"""Seconds a thread whose start Ctrl-C interrupted is given to be running (else it never will)."""


def _join_all(threads: list[threading.Thread]) -> None:
    """Join the threads started, the last one too if Ctrl-C interrupted its start.

    Such a thread was made (and runs) or never will be; ``join`` refuses it until it runs, so it
    is given :data:`START` seconds, rather than left running while the process ends.
    """
    for t in threads:
        deadline = time.monotonic() + START
        while True:
            try:
                t.join()
                break
            except RuntimeError:  # "cannot join thread before it is started"
                if time.monotonic() > deadline:
                    break
                time.sleep(0.001)
