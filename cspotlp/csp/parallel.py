"""The native search over several worker processes: states partitioned by hash, levels in step.

This is how FDR3 uses every core (Gibson-Robinson et al., "FDR3: a parallel refinement checker
for CSP", 2016): each of P workers owns the states whose hash falls in its partition
(:c:func:`owner_of_state` in the kernel: a hash of the fields :mod:`cspotlp.csp.partition`
chose, or of the whole state) and keeps their hash table and their levels
(a :class:`~cspotlp.csp.levels.LevelStore` each). One level is one round in two steps:

1. every worker expands its part of the level, as the one-process search does, inserting the
   successors it owns and writing the others to a file for their owner (in ``/dev/shm`` when
   there is one, else the temporary folder; in the spill folder when the search spills);
2. every worker stores the states handed to it; the new ones join its part of the next level
   (a worker whose visited set moved to disk completes that level then:
   :meth:`~cspotlp.csp.levels.LevelStore.end_round`), and reports how many states it stores
   and how much room its table has left.

Where one worker's table would fill during a round, every worker's table grows before it
(:meth:`Workers._grow_ahead`): each growth keeps the others waiting, so growths in different
rounds add up where growths in the same round overlap.

The coordinator (the calling process) decides each round exactly as the one-process search
does (:func:`~cspotlp.csp.levels.level_search`): the least violation of the level over all
workers, or a bound, or the end. A worker that meets a violation says so to the others
(``met``), which then stop storing successors: the search ends with that level. The levels are
the same sets of states whatever the number of workers, so the verdicts, the state and
transition counts, and the counterexamples (the least shortest path, each step asked of every
worker) are the same too.

Bounds: in each round every worker may store as many states as are left of the state bound, and
the coordinator checks the sum, so a search is limited exactly when the one-process search is;
each worker checks its share of the memory bound and the time bound between kernel calls. Ctrl-C, or a worker that
dies, ends every worker at once. Workers are forked (they inherit the compiled program); where
the platform cannot fork, the search runs in one process.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import shutil
import signal
import tempfile
import time
from collections.abc import Callable, Iterator
from multiprocessing.connection import Connection, wait
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from cspotlp.csp.budget import Budget, format_bytes, resident_memory
from cspotlp.csp.levels import LevelReport, LevelStore
from cspotlp.errors import CspError, LimitReached

if TYPE_CHECKING:
    from multiprocessing.process import BaseProcess

    from cspotlp.csp._native import Program
    from cspotlp.csp.levels import Key

POLL = 0.2
"""Seconds between looks at the workers' progress (and at Ctrl-C) while a round runs."""

AHEAD = 1.5
"""A worker's next round is expected to store at most this many times its last round's new states."""

STOP_WAIT = 2.0
"""Seconds a worker has to end after it is told to, before it is killed."""


def can_fork() -> bool:
    """Whether worker processes can be forked here (they must inherit the compiled program)."""
    return "fork" in multiprocessing.get_all_start_methods()


def exchange_folder(spill: str | None) -> str:
    """A new folder for the states handed between workers: under ``spill``, else in memory (/dev/shm) if possible.

    ``spill`` is a folder the budget has made and checked already.
    """
    if spill is not None:
        return tempfile.mkdtemp(prefix="cspotlp-exchange-", dir=spill)
    shm = "/dev/shm"
    if os.path.isdir(shm) and os.access(shm, os.W_OK):
        return tempfile.mkdtemp(prefix="cspotlp-exchange-", dir=shm)
    return tempfile.mkdtemp(prefix="cspotlp-exchange-")


class Workers:
    """P forked workers holding the partitions of one search (see the module docstring).

    Use as a context manager: leaving it ends every worker and removes the exchange folder.
    """

    def __init__(self, parts: int, program: Program, words: int, budget: Budget,
                 diverges: Callable[[np.ndarray], np.ndarray] | None) -> None:
        if parts < 2:
            raise CspError(f"a partitioned search needs at least 2 workers (got {parts})")
        self.parts = parts
        self.budget = budget
        self.folder = exchange_folder(budget.spill)
        ctx = multiprocessing.get_context("fork")
        # live counts, written by each worker between kernel calls: states stored, transitions
        self.live = ctx.RawArray("q", 2 * parts)
        # the level where a worker met a violation: the others stop storing successors there
        self.met = ctx.RawArray("q", [-1])
        self.conns: list[Connection] = []
        self.procs: list[BaseProcess] = []
        self.stored = 0
        # each worker's states, its last round's new ones, its table's room left (-1: on disk) and bits
        self.held, self.added, self.room, self.bits = [0] * parts, [0] * parts, [-1] * parts, [0] * parts
        # each worker starts as a copy of this process (its pages shared until written): it may
        # use that much and its share of the rest of the bound
        base = resident_memory(anonymous=budget.spill is not None)
        share = Budget(state_limit=budget.states, time_limit=budget.time_limit,
                       memory_limit=base + max(1, (budget.memory - base) // parts),
                       growth_depth=budget.growth_depth, spill=budget.spill)
        share.started = budget.started
        try:
            for me in range(parts):
                ours, theirs = ctx.Pipe()
                proc = ctx.Process(target=_serve, name=f"cspotlp-search-{me}", daemon=True,
                                   args=(theirs, me, parts, program, words, share, diverges,
                                         self.live, self.met, self.folder))
                proc.start()
                theirs.close()
                self.conns.append(ours)
                self.procs.append(proc)
        except BaseException:
            self.close()
            raise

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, kind: type[BaseException] | None, *exc: object) -> None:
        # after Ctrl-C or an error the workers' work is worth nothing: end them at once
        self.close(at_once=kind is not None)

    # -- the search's steps ---------------------------------------------------------------------

    def seed(self, initial: np.ndarray) -> None:
        """Store the initial state in the partition that owns it."""
        self.held = self._all(("seed", initial))
        self.stored += sum(self.held)

    def expand(self, level: int) -> LevelReport:
        """One round: expand ``level`` on every worker, then hand the successors to their owners.

        As :meth:`LevelStore.expand <cspotlp.csp.levels.LevelStore.expand>` reports it for one
        process: each worker may store as many states as are left of the bound, so the search is
        limited exactly when the one-process search is (the sum is checked by the caller).
        """
        left = max(0, self.budget.states - self.stored)
        expanded = self._all(("expand", level, left, self._grow_ahead()), level)
        out = LevelReport(
            best=min((r.best for r, _ in expanded if r.best is not None), default=None),
            transitions=sum(r.transitions for r, _ in expanded),
            new=sum(r.new for r, _ in expanded),
            limited=any(r.limited for r, _ in expanded),
            stopped=next((self._whose(i, r.stopped) for i, (r, _) in enumerate(expanded) if r.stopped), ""))
        # a violation, a bound or the state limit ends the search with this round: what the
        # others would store cannot change that
        if out.best is None and not out.stopped and not out.limited:
            inbox: list[list[str]] = [[] for _ in range(self.parts)]
            for _report, files in expanded:
                for owner, path in files.items():
                    inbox[owner].append(path)
            received = self._all([("receive", files) for files in inbox], level)
            for i, (states, limited, stopped, room, bits) in enumerate(received):
                self.added[i], self.held[i], self.room[i], self.bits[i] = states - self.held[i], states, room, bits
                out.limited = out.limited or limited
                out.stopped = out.stopped or (stopped and self._whose(i, stopped))
            # a partition's new states are known when its round ends (with its visited set on
            # disk, not before): the sum of what each stores now
            out.new = sum(self.held) - self.stored
        self.stored += out.new
        return out

    def _grow_ahead(self) -> int:
        """The bits every worker's table should have before this round (0: as they are).

        Where one worker's table would grow during the round (its last round's new states, times
        :data:`AHEAD`, fill the room it has left), every worker's grows before it, to one bit
        more than the largest: the growths then take the same time on every core, where growths
        in different rounds add up, each keeping the other workers waiting. The partitions' sizes
        differ by a few per cent, so a worker grows at most a round or two early.
        """
        if any(0 <= room < added * AHEAD for added, room in zip(self.added, self.room, strict=True)):
            return max(self.bits) + 1
        return 0

    def predecessors(self, level: int, target: Key) -> list[tuple[Key, int]]:
        """Every (state, rule) of ``level``, in every partition, whose followed move leads to ``target``."""
        found: list[tuple[Key, int]] = []
        for part in self._all(("predecessors", level, target)):
            found.extend(part)
        return found

    def close(self, at_once: bool = False) -> None:
        """End every worker (told first, killed if it does not end) and remove the exchange folder.

        ``at_once``: kill them without telling them (a worker busy with a level hears nothing).
        """
        for conn in self.conns:
            with contextlib.suppress(OSError):
                conn.send(("stop",))
        deadline = time.monotonic() + (0.0 if at_once else STOP_WAIT)
        for proc in self.procs:
            proc.join(max(0.0, deadline - time.monotonic()))
            if proc.is_alive():
                proc.kill()
                proc.join()
        for conn in self.conns:
            conn.close()
        self.conns, self.procs = [], []
        shutil.rmtree(self.folder, ignore_errors=True)

    # -- talking to the workers -------------------------------------------------------------------

    def _all(self, message: Any, level: int = 0) -> list[Any]:
        """Send ``message`` (or one message per worker) to every worker and gather the answers in order."""
        messages = message if isinstance(message, list) else [message] * self.parts
        for i, (conn, m) in enumerate(zip(self.conns, messages, strict=True)):
            try:
                conn.send(m)
            except OSError:  # it died since the last round
                raise LimitReached(self._died(i), self._states()) from None
        answers: dict[int, Any] = {}
        while len(answers) < self.parts:
            waiting = [c for i, c in enumerate(self.conns) if i not in answers]
            for ready in wait(waiting, timeout=POLL):
                i = self.conns.index(cast(Connection, ready))
                try:
                    kind, value = self.conns[i].recv()
                except (EOFError, OSError):  # it died: its connection ends or is reset
                    raise LimitReached(self._died(i), self._states()) from None
                if kind == "limit":
                    raise LimitReached(self._whose(i, value), self._states())
                if kind == "error":
                    raise CspError(f"search worker {i} failed: {value}")
                answers[i] = value
            self._progress(level)
        return [answers[i] for i in range(self.parts)]

    def _whose(self, i: int, reason: str) -> str:
        """A worker's reason to stop, said as the search's."""
        share = f" (its share of the memory limit {format_bytes(self.budget.memory)})" if reason.startswith("memory limit ") else ""
        return f"search worker {i} of {self.parts}{share}: {reason}"

    def _died(self, i: int) -> str:
        proc = self.procs[i]
        proc.join(1.0)
        code = proc.exitcode
        how = f"killed by signal {-code}" if code is not None and code < 0 else f"exit status {code}"
        return f"search worker {i} ended unexpectedly ({how})"

    def _states(self) -> int:
        return sum(self.live[i] for i in range(self.parts))

    def _progress(self, level: int) -> None:
        transitions = sum(self.live[self.parts + i] for i in range(self.parts))
        self.budget.report(self._states(), transitions, level)


# -- the worker process ---------------------------------------------------------------------------


def _serve(conn: Connection, me: int, parts: int, program: Program, words: int, budget: Budget,
           diverges: Callable[[np.ndarray], np.ndarray] | None, live: Any, met: Any, folder: str) -> None:
    """A worker's loop: answer the coordinator's messages until told to stop (or it is gone)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the coordinator answers Ctrl-C and ends us
    parent = os.getppid()
    outbox = _Outbox(folder, me, parts, words)
    transitions = 0

    def report(states: int, more: int) -> None:
        nonlocal transitions
        transitions += more
        live[me], live[parts + me] = states, transitions
        if os.getppid() != parent:  # the coordinator is gone: nobody waits for this work
            os._exit(1)

    store = LevelStore(program, words, budget, diverges, report=report, parts=parts, me=me,
                       hand_over=outbox.write, met=met)
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        try:
            answer = _answer(store, outbox, message, words)
        except LimitReached as e:
            conn.send(("limit", e.reason))
            continue
        except Exception as e:  # noqa: BLE001 - reported to the coordinator, which raises it
            conn.send(("error", f"{type(e).__name__}: {e}"))
            return
        if answer is _STOP:
            return
        conn.send(("ok", answer))


_STOP = object()


def _answer(store: Any, outbox: _Outbox, message: tuple[Any, ...], words: int) -> Any:
    kind = message[0]
    if kind == "stop":
        return _STOP
    if kind == "seed":
        store.seed(message[1])
        return store.states
    if kind == "expand":
        level, left, grow = message[1], message[2], message[3]
        if grow:
            store.grow_ahead(grow)
        store.limit = store.table.size + left
        outbox.start(level)
        report: LevelReport = store.expand(level)
        return report, outbox.finish()
    if kind == "receive":
        limited, stopped = False, ""
        for path in message[1]:
            states = _mapped_file(path, words)
            os.unlink(path)
            limited = store.receive(states)
            if limited:
                break
            stopped = store.over_budget()
            if stopped:
                break
        room = store.table.grow_at - store.table.size if store.on_disk is None else -1
        return (store.states if limited or stopped else store.end_round()), limited, stopped, room, store.table.bits
    if kind == "predecessors":
        return store.predecessors(message[1], message[2])
    raise AssertionError(f"unknown message {kind!r}")


def _mapped_file(path: str, words: int) -> np.ndarray:
    """A file of handed-over states, mapped: read in place, not copied into a new array."""
    if os.path.getsize(path) == 0:
        return np.zeros((0, words), dtype=np.uint64)
    return np.memmap(path, dtype=np.uint64, mode="r").reshape(-1, words)


class _Outbox:
    """A worker's successors owned by other workers, written to one file per owner per level."""

    def __init__(self, folder: str, me: int, parts: int, words: int) -> None:
        self.folder, self.me, self.parts, self.words = folder, me, parts, words
        self.level = 0
        self.files: dict[int, Any] = {}

    def start(self, level: int) -> None:
        self.level = level
        self.files = {}

    def write(self, states: np.ndarray, owners: np.ndarray) -> None:
        for owner, part in self._split(states, owners):
            f = self.files.get(owner)
            if f is None:
                path = os.path.join(self.folder, f"level{self.level}-from{self.me}-to{owner}.u64")
                f = self.files[owner] = open(path, "wb")  # noqa: SIM115 - closed in finish()
            np.ascontiguousarray(part).tofile(f)

    def _split(self, states: np.ndarray, owners: np.ndarray) -> Iterator[tuple[int, np.ndarray]]:
        if self.parts == 2:  # every handed-over state belongs to the other worker
            yield 1 - self.me, states
            return
        for owner in range(self.parts):
            if owner != self.me:
                part = states[owners == owner]
                if len(part):
                    yield owner, part

    def finish(self) -> dict[int, str]:
        """Close the level's files: owner -> path."""
        out = {}
        for owner, f in self.files.items():
            f.close()
            out[owner] = f.name
        self.files = {}
        return out
