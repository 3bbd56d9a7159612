"""Which worker process owns a state: a hash of the fields that moves rarely change.

A search over P worker processes (:mod:`cspotlp.csp.parallel`) gives each state to one worker.
FDR3 hashes the whole state, so a successor belongs to another worker P - 1 times in P, and
every one of those is written out, read back and probed in the owner's table. At N = 9 of the
dining philosophers each of two workers hands over 14.6 M rows in a search, and only 0.7 % of
them are new to the receiver. A hash of some fields only keeps a successor with its source
whenever its move leaves those fields alone.

The fields are chosen from a sample: the first levels of the search (about :data:`SAMPLE`
states, breadth first), explored by the numpy engine before the workers start. Starting from no
field, the field whose addition leaves the fewest of the sample's moves *crossing* (changing one
of the chosen fields) is added, until the chosen fields split the sample's last levels evenly
(:data:`EVEN`) over enough values (:data:`VALUES` per worker). The choice is kept if
its moves cross at most :data:`KEEP` times as often as the whole state's hash; else the whole
state is hashed, as before.

Only fields of the state's first word are chosen (the kernel hashes ``owner_mask`` bits of word
0), and never the specification's node, which most visible events move. The verdicts, the counts
and the counterexamples do not depend on the choice: every level is the same set of states,
whoever stores it. Only the speed does: how many states are handed over, and how evenly the
workers share each level.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from cspotlp.csp import native
from cspotlp.csp.budget import Budget
from cspotlp.csp.engine import Expander, Layout

SAMPLE = 10_000
"""About this many states of the first levels are sampled (fewer when the search ends first)."""

MAX_LEVELS = 64
"""The sample stops after this many levels (a long thin search would take long to reach SAMPLE)."""

MAX_MOVES = 100_000
"""... or this many moves (a model of many moves a state)."""

GREEDY_MOVES = 32_768
"""The fields are added by the changes of at most this many of the sample's moves (evenly spaced)."""

SECONDS = 0.25
"""The sample ends after this long (or a tenth of the time bound left, if less)."""

CHUNK = 1024
"""States expanded by the numpy engine at once while sampling (fewer if they have many moves)."""

EVEN = 1.1
"""The largest worker's share of the sample's last levels may be this many times 1 / P."""

VALUES = 16
"""The chosen fields are worth at least this many equally common values per worker in the sample
(:func:`_effective_values`): a few common values hashed to P workers split them unevenly."""

KEEP = 0.7
"""The chosen fields are kept if their moves cross at most this share of the whole hash's."""


@dataclass(frozen=True)
class Partition:
    """How states are split between ``parts`` workers.

    Attributes:
        mask: the bits of word 0 hashed to find a state's owner (0: the whole state is hashed).
        components: the components whose fields those bits hold.
        crossing: the share of the sample's moves whose successor another worker owns.
        whole_crossing: the same for a hash of the whole state (about (P - 1) / P).
        largest: the largest worker's share of the sample's last levels, times P (1 is even).

    The shares are NaN when no sample was taken.
    """

    parts: int
    mask: int
    components: tuple[int, ...]
    crossing: float
    whole_crossing: float
    largest: float

    def describe(self, names: Sequence[str] = ()) -> str:
        """One line: what a state's owner is a hash of, and how often a move changes worker.

        ``names``: the components' names (by default they are counted).
        """
        if math.isnan(self.whole_crossing):  # no sample was taken
            return "states split by a hash of the whole state (no sample: the memory bound leaves no room for it)"
        if not self.mask:
            return f"states split by a hash of the whole state ({self.whole_crossing:.0%} of moves change worker)"
        which = ", ".join(names[i] for i in self.components) if names else f"{len(self.components)} components"
        return (f"states split by a hash of {which} ({self.crossing:.0%} of moves change worker, "
                f"against {self.whole_crossing:.0%} by the whole state)")


def choose(expander: Expander, layout: Layout, parts: int, budget: Budget | None = None) -> Partition:
    """The partition of a search over ``parts`` workers (see the module docstring).

    The specification's node is the layout's last field, as :func:`~cspotlp.csp.search.search`
    lays states out. Where the sample's table does not fit ``budget``'s memory bound, the whole
    state is hashed without a sample.
    """
    if budget is not None and budget.memory_reason(0, (1 << _sample_room(expander)[2]) * layout.words * 8):
        return Partition(parts, 0, (), float("nan"), float("nan"), float("nan"))  # not sampled
    remaining = None if budget is None else budget.remaining()
    levels, sources, targets = sample(expander, layout, SECONDS if remaining is None else min(SECONDS, remaining / 10))
    last = np.concatenate(levels[-2:])
    whole = _crossing(0, sources, targets, parts)
    for mask, components in _growing_masks(_cells(layout), sources, targets):
        largest = _largest(mask, last, parts)
        if _effective_values(mask, last) >= VALUES * parts and largest <= EVEN:
            crossing = _crossing(mask, sources, targets, parts)
            if crossing <= KEEP * whole:
                return Partition(parts, mask, components, crossing, whole, largest)
            break  # more fields would only cross more often
    return Partition(parts, 0, (), whole, whole, _largest(0, last, parts))


def _growing_masks(cells: list[tuple[int, tuple[int, ...]]], sources: np.ndarray,
                   targets: np.ndarray) -> Iterator[tuple[int, tuple[int, ...]]]:
    """Masks of ever more cells, and their components.

    Each adds the cell whose addition leaves the fewest moves changing a chosen cell.
    """
    stride = max(1, -(-len(sources) // GREEDY_MOVES))
    moved = sources[::stride, 0] ^ targets[::stride, 0]
    changed = np.stack([(moved & np.uint64(m)) != 0 for m, _ in cells]) if cells else None  # cell x move
    chosen: list[int] = []
    crossed = np.zeros(len(moved), dtype=np.bool_)
    while changed is not None and len(chosen) < len(cells):
        left = [c for c in range(len(cells)) if c not in chosen]
        best = left[int(np.argmin((crossed | changed[left]).sum(axis=1)))]  # of equals, the lowest bits
        chosen.append(best)
        crossed |= changed[best]
        yield sum(cells[c][0] for c in chosen), tuple(sorted(i for c in chosen for i in cells[c][1]))


def sample(expander: Expander, layout: Layout,
           seconds: float = float("inf")) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    """The first levels of the search, breadth first, and their moves.

    Returns the levels (rows of words), and the sources and targets of the moves out of all but
    the last (rows of words). It stops at about :data:`SAMPLE` states, :data:`MAX_LEVELS`
    levels, :data:`MAX_MOVES` moves or after the chunk that ends ``seconds`` (the initial state is
    expanded in any case). The specification is not followed: its node stays 0.
    """
    deadline = time.perf_counter() + seconds
    assert native.KERNEL is not None, native.UNAVAILABLE
    k = layout.words
    chunk, room, bits = _sample_room(expander)
    seen = native.KERNEL.Table(k, bits)
    level = np.zeros((1, k), dtype=np.uint64)
    seen.add(level, None, 0, room)
    levels: list[np.ndarray] = []
    sources: list[np.ndarray] = [np.zeros((0, k), dtype=np.uint64)]
    targets: list[np.ndarray] = [np.zeros((0, k), dtype=np.uint64)]
    moves = 0
    while (len(level) and seen.size < SAMPLE and len(levels) < MAX_LEVELS and moves < MAX_MOVES
           and (not levels or time.perf_counter() <= deadline)):  # the initial state's moves at least
        levels.append(level)
        found_new = []
        for lo in range(0, len(level), chunk):  # a chunk's moves at a time: bounded memory
            states = level[lo:lo + chunk]
            found = expander.expand([np.ascontiguousarray(states[:, j]) for j in range(k)])
            after = np.ascontiguousarray(np.stack(found.targets, axis=1).reshape(-1, k))
            sources.append(states[found.src])
            targets.append(after)
            new = np.empty_like(after)
            found_new.append(new[:seen.add(after, new, 0, room)[0]])
            moves += len(after)
            if moves >= MAX_MOVES or time.perf_counter() > deadline:
                break
        level = np.concatenate(found_new)
    if len(level):
        levels.append(level)
    return levels, np.concatenate(sources), np.concatenate(targets)


def _sample_room(expander: Expander) -> tuple[int, int, int]:
    """States expanded at once, the states the sample may meet, and the bits of a table that holds them.

    The table never grows.
    """
    assert native.KERNEL is not None, native.UNAVAILABLE
    chunk = max(1, min(CHUNK, MAX_MOVES // max(1, expander.max_candidates)))
    room = SAMPLE + MAX_MOVES + chunk * expander.max_candidates
    return chunk, room, (room * 100 // native.KERNEL.MAX_LOAD_PERCENT).bit_length()


def _cells(layout: Layout) -> list[tuple[int, tuple[int, ...]]]:
    """The cells of word 0 a partition may hash: (bit mask, their components), lowest bits first.

    Cells hold one field, or several neighbouring fields packed as one number; the
    specification's node (the last field) is never one of them.
    """
    node = len(layout.radices) - 1
    cells: dict[tuple[int, int], list[int]] = {}
    for i, f in enumerate(layout.fields):
        if f.word == 0 and f.bits and i != node:
            cells.setdefault((f.shift, f.bits), []).append(i)
    return [(((1 << bits) - 1) << shift, tuple(members)) for (shift, bits), members in sorted(cells.items())]


def owners(mask: int, rows: np.ndarray, parts: int) -> np.ndarray:
    """The worker (of ``parts``) that owns each row of states, as the kernel's search finds it for ``mask``."""
    assert native.KERNEL is not None, native.UNAVAILABLE
    found = np.empty(len(rows), dtype=np.uint8)
    native.KERNEL.owners(np.ascontiguousarray(rows), rows.shape[1], parts, mask, found)
    return found


def _effective_values(mask: int, rows: np.ndarray) -> float:
    """How many equally common values the ``mask`` bits of word 0 are worth in ``rows`` (1 / Σ p²).

    A hash splits V equally common values into shares about 1 / √V from even; a few common
    values among many rare ones count as few.
    """
    _, counts = np.unique(rows[:, 0] & np.uint64(mask), return_counts=True)
    share = counts / counts.sum()
    return float(1 / (share * share).sum())


def _largest(mask: int, rows: np.ndarray, parts: int) -> float:
    """The largest worker's share of ``rows``, times ``parts`` (1 is even)."""
    return float(np.bincount(owners(mask, rows, parts), minlength=parts).max() * parts / max(1, len(rows)))


def _crossing(mask: int, sources: np.ndarray, targets: np.ndarray, parts: int) -> float:
    """The share of moves whose target another worker owns than their source's."""
    if not len(sources):
        return 0.0
    return float(np.mean(owners(mask, sources, parts) != owners(mask, targets, parts)))
