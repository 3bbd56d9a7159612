"""The visited set on disk: sorted runs and delayed duplicate detection, for a spilled search.

A spilled search (``--spill DIR``) keeps its hash table in memory while it fits. When the table
can grow no more within the memory bound, the visited set moves to disk and the table becomes a
cache of it (Stern and Dill's delayed duplicate detection, as disk-based model checkers do):

- every level is a file of the spill folder, its states sorted (one total order on packed
  words: :func:`keys`); together the levels are the visited set;
- while a level is expanded, the table keeps the successors met since it was last emptied, so a
  successor met twice is written once; when it is full, its new states are sorted into a *run*
  (a file) and it is emptied;
- at the end of the level the runs are merged in slices of at most :data:`SLICE` states, each
  slice without the states already in a level, which leaves the next level, sorted.

Every state the table holds is in a level or a run, so a state it knows is never lost. The levels
are the same sets of states as the in-memory search's, so states, transitions, verdicts and
counterexamples (rebuilt from the levels) are the same; only the order of a level differs, which
no result depends on. The cost is reading the levels again at each level's end: a disk search is
a few times slower than one in memory, and memory no longer bounds it, the disk does.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Iterator

import numpy as np

from cspotlp.csp import native
from cspotlp.csp.budget import Budget
from cspotlp.errors import LimitReached

SLICE = 1 << 20
"""States of the runs merged at once (8 MiB a word of the state): about what the merge holds in memory."""

SAMPLES = 64
"""Samples per slice taken from the runs to choose the slices' bounds."""

MAX_RUNS = 64
"""Runs of a level before they are merged into one (each is a mapping; a process has a few thousand)."""


def keys(rows: np.ndarray) -> np.ndarray:
    """The states of ``rows`` (n x k words) as n sortable keys, sharing their memory.

    One word is a number; several are compared as bytes. Any total order will do: sorted runs
    are only merged and searched, always with the same one.
    """
    k = rows.shape[1]
    if k == 1:
        return rows.reshape(-1)
    return rows.view(np.dtype((np.void, 8 * k))).reshape(-1)


def rows_of(found: np.ndarray, k: int) -> np.ndarray:
    """Keys back as rows of ``k`` words."""
    return found.view(np.uint64).reshape(-1, k)


def mapped(folder: str, blocks: Iterable[np.ndarray], k: int) -> np.ndarray:
    """A new file of the spill folder holding ``blocks`` (rows of ``k`` words, written in turn), mapped.

    The file is unlinked as soon as it is mapped: its pages are the page cache's (written back
    and dropped when memory runs short), and nothing is left behind when the search ends,
    however it ends.
    """
    fd, path = tempfile.mkstemp(prefix="cspotlp-level-", dir=folder)
    try:
        rows = 0
        with os.fdopen(fd, "wb") as f:
            for b in blocks:
                np.ascontiguousarray(b, dtype=np.uint64).tofile(f)
                rows += len(b)
        if rows == 0:
            return np.zeros((0, k), dtype=np.uint64)
        return np.memmap(path, dtype=np.uint64, mode="r+", shape=(rows, k))
    finally:
        os.unlink(path)


def sort_level(level: np.ndarray) -> None:
    """Sort a level's states in place (into the order of :func:`keys`)."""
    keys(level).sort()


class DiskVisited:
    """The runs of the level being built, merged into the next level at its end (module docstring)."""

    def __init__(self, folder: str, k: int, budget: Budget, stored: int) -> None:
        self.folder, self.k, self.budget = folder, k, budget
        self.stored = stored  # states in the levels
        self.runs: list[np.ndarray] = []
        self.sorted_levels = 0  # the levels before this one are sorted

    def add_run(self, blocks: list[np.ndarray]) -> None:
        """The table's new states (distinct, in ``blocks``) as one more sorted run."""
        rows = sum(len(b) for b in blocks)
        if rows:
            self.budget.reserve(rows * self.k * 8, "a run of states", self.stored, spilled=True)
            run = mapped(self.folder, blocks, self.k)
            sort_level(run)
            self.runs.append(run)
        if len(self.runs) >= MAX_RUNS:
            rows = sum(len(r) for r in self.runs)
            self.budget.reserve(rows * self.k * 8, "merging runs of states", self.stored, spilled=True)
            merged = self._merged([keys(r) for r in self.runs])
            self.runs = [mapped(self.folder, (rows_of(m, self.k) for m in merged), self.k)]

    def next_level(self, levels: list[list[np.ndarray]]) -> np.ndarray:
        """The runs' states that are in none of ``levels`` (sorted, on disk); the runs are dropped.

        Levels stored before the table moved to disk are sorted here, once, when none of them is
        being expanded any more (sorting a level while it is expanded would skip states).
        """
        for level in levels[self.sorted_levels:]:
            for block in level:
                sort_level(block)
        self.sorted_levels = len(levels) + 1
        visited = [block for level in levels for block in level]
        runs = [keys(r) for r in self.runs]
        self.runs = []
        total = sum(len(r) for r in runs)

        def pieces() -> Iterator[np.ndarray]:
            done = 0
            for part in self._merged(runs):
                # a large level's merge takes long: the time bound is kept between its slices,
                # and progress is reported
                late = self.budget.time_reason(self.stored)
                if late:
                    raise LimitReached(late, self.stored)
                done += len(part)
                self.budget.report(self.stored, 0, phase=f"merging a level with the visited set on disk: "
                                   f"{done:,} states so far (its runs hold {total:,}, duplicates included)")
                new = rows_of(_unseen(part, visited, self.k), self.k)
                self.budget.reserve(new.nbytes, "a level of states", self.stored, spilled=True)
                yield new

        new_level = mapped(self.folder, pieces(), self.k)
        self.stored += len(new_level)
        return new_level

    def _merged(self, runs: list[np.ndarray]) -> Iterator[np.ndarray]:
        """The runs' distinct keys, sorted, in slices of about :data:`SLICE` (bounds from a sample)."""
        total = sum(len(r) for r in runs)
        slices = -(-total // SLICE)
        if slices <= 1:
            cuts = np.zeros(0, dtype=runs[0].dtype) if runs else None
        else:
            step = max(1, total // (slices * SAMPLES))
            sample = np.sort(np.concatenate([r[::step] for r in runs]))
            cuts = np.unique(sample[np.linspace(0, len(sample), slices + 1).astype(np.int64)[1:-1]])
        if cuts is None:
            return
        bounds = [np.concatenate([[0], np.searchsorted(r, cuts), [len(r)]]) for r in runs]
        for i in range(len(cuts) + 1):
            part = [r[b[i]:b[i + 1]] for r, b in zip(runs, bounds, strict=True)]
            rows = sum(len(p) for p in part)
            if rows:
                self.budget.reserve(2 * rows * self.k * 8, "merging runs of states", self.stored)
                yield _distinct(np.concatenate(part))


def _distinct(part: np.ndarray) -> np.ndarray:
    """The distinct keys of ``part``, sorted (in place; numpy's unique hashes, several times slower here)."""
    part.sort()
    keep = np.empty(len(part), dtype=bool)
    keep[:1] = True
    keep[1:] = part[1:] != part[:-1]  # (the operator: the ufunc has no loop for raw bytes)
    return part[keep]


def _unseen(part: np.ndarray, levels: list[np.ndarray], k: int) -> np.ndarray:
    """The keys of ``part`` (sorted, distinct) in none of the sorted ``levels``.

    Each level is merged with the part (the kernel's ``unseen``) between the part's least and
    greatest key only, so a level's pages are read once per slice, in order.
    """
    assert native.KERNEL is not None
    keep = np.ones(len(part), dtype=np.uint8)
    rows = rows_of(part, k)
    for level in levels:
        lv = keys(level)
        lo = int(np.searchsorted(lv, part[:1], side="left")[0])
        hi = int(np.searchsorted(lv, part[-1:], side="right")[0])
        if lo < hi:
            native.KERNEL.unseen(rows, level[lo:hi], k, keep)
    found: np.ndarray = part[keep.view(bool)]
    return found
