"""Explicit LTSs as numpy arrays: what the engine produces and what compressed processes point into.

An :class:`ExplicitLts` numbers its states 0.. (``initial`` is usually 0) and its events (0 is τ,
1 is ✓); transitions are in compressed-row form. It implements the
:class:`~cspotlp.csp.semantics.ExplicitGraph` protocol, so ``explicit(graph, state)`` terms built
on it can be used inside any process.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Sequence

import numpy as np
import numpy.typing as npt

from cspotlp.csp.events import TAU, TICK, Event
from cspotlp.csp.lts import Lts
from cspotlp.csp.show import show
from cspotlp.csp.terms import OMEGA

NAME_CHARS = 60

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


class ExplicitLts:
    """An LTS with integer states and numbered events (0 = τ, 1 = ✓), transitions in CSR form.

    Attributes:
        events: event number -> event.
        offsets: ``offsets[s]:offsets[s+1]`` are the transitions of state ``s``.
        labels: event number of each transition.
        targets: target state of each transition.
        terminated: True for the terminated state Ω (reached by ✓; no transitions).
        initial: the initial state.
        name: label used when a state is printed (``name#3``).
        state_names: optional text of each state (the process term it stands for).
    """

    def __init__(
        self,
        events: Sequence[Event],
        offsets: IntArray,
        labels: IntArray,
        targets: IntArray,
        terminated: BoolArray,
        *,
        initial: int = 0,
        name: str = "lts",
        state_names: Sequence[str] | None = None,
    ) -> None:
        if tuple(events[:2]) != (TAU, TICK):
            raise ValueError("events must start with τ and ✓")
        self.events = tuple(events)
        self.event_number = {e: i for i, e in enumerate(self.events)}
        self.offsets = np.asarray(offsets, dtype=np.int64)
        self.labels = np.asarray(labels, dtype=np.int64)
        self.targets = np.asarray(targets, dtype=np.int64)
        self.terminated = np.asarray(terminated, dtype=np.bool_)
        self.initial = initial
        self.name = name
        self.state_names = state_names
        self.namer: Callable[[int], str] | None = None
        self._divergent: BoolArray | None = None
        self._sources: IntArray | None = None

    def __repr__(self) -> str:
        return f"ExplicitLts({self.name!r}, {self.num_states} states, {self.num_transitions} transitions)"

    # -- construction ---------------------------------------------------------------------------

    @classmethod
    def from_lts(cls, lts: Lts, name: str = "lts") -> ExplicitLts:
        """The same LTS as arrays (state and event numbers are kept; states print as their terms)."""
        offsets = np.frombuffer(lts.offsets, dtype=np.int64).copy() if len(lts.offsets) else np.zeros(1, np.int64)
        labels = np.array(lts.labels, dtype=np.int64)
        targets = np.array(lts.targets, dtype=np.int64)
        terms = lts.terms
        terminated = np.array([t is OMEGA for t in terms], dtype=np.bool_)
        out = cls(lts.events, offsets, labels, targets, terminated, name=name)
        out.namer = lambda s: show(terms[s], max_chars=NAME_CHARS)
        return out

    @classmethod
    def from_edges(
        cls,
        events: Sequence[Event],
        num_states: int,
        edges: Iterable[tuple[int, int, int]],
        terminated: Iterable[int] = (),
        *,
        initial: int = 0,
        name: str = "lts",
    ) -> ExplicitLts:
        """Build from (source, event number, target) triples (sorted by source here)."""
        triples = sorted(set(edges))
        src = np.array([t[0] for t in triples], dtype=np.int64)
        labels = np.array([t[1] for t in triples], dtype=np.int64)
        targets = np.array([t[2] for t in triples], dtype=np.int64)
        offsets = np.zeros(num_states + 1, dtype=np.int64)
        np.cumsum(np.bincount(src, minlength=num_states), out=offsets[1:])
        term = np.zeros(num_states, dtype=np.bool_)
        term[list(terminated)] = True
        return cls(events, offsets, labels, targets, term, initial=initial, name=name)

    # -- ExplicitGraph protocol -------------------------------------------------------------------

    def successors(self, state: int) -> list[tuple[Event, int]]:
        """Transitions of ``state`` as (event, target)."""
        lo, hi = int(self.offsets[state]), int(self.offsets[state + 1])
        ev = self.events
        return [(ev[int(lab)], int(t)) for lab, t in zip(self.labels[lo:hi], self.targets[lo:hi], strict=True)]

    def successor_numbers(self, state: int) -> list[tuple[int, int]]:
        """Transitions of ``state`` as (event number, target)."""
        lo, hi = int(self.offsets[state]), int(self.offsets[state + 1])
        return list(zip(self.labels[lo:hi].tolist(), self.targets[lo:hi].tolist(), strict=True))

    def describe(self, state: int) -> str:
        """Text of a state: its term when known, else ``name#state``."""
        if self.state_names is not None:
            return self.state_names[state]
        if self.namer is not None:
            return self.namer(state)
        return f"{self.name}#{state}"

    # -- size and structure -----------------------------------------------------------------------

    @property
    def num_states(self) -> int:
        """Number of states."""
        return len(self.offsets) - 1

    @property
    def num_transitions(self) -> int:
        """Number of transitions."""
        return len(self.targets)

    def sources(self) -> IntArray:
        """Source state of each transition (aligned with ``labels`` and ``targets``)."""
        if self._sources is None:
            self._sources = np.repeat(np.arange(self.num_states, dtype=np.int64), np.diff(self.offsets))
        return self._sources

    def stable(self) -> BoolArray:
        """Per state: True when it has no τ transition."""
        has_tau = np.zeros(self.num_states, dtype=np.bool_)
        has_tau[self.sources()[self.labels == 0]] = True
        return ~has_tau

    def divergent(self) -> BoolArray:
        """Per state: True when an infinite sequence of τ steps starts there.

        Computed by peeling: a state whose τ successors are all non-divergent is non-divergent;
        what remains after peeling can reach a τ cycle.
        """
        if self._divergent is None:
            self._divergent = divergent_states(self.num_states, self.sources(), self.labels, self.targets)
        return self._divergent

    def tau_closure(self, states: Iterable[int]) -> list[int]:
        """States reachable from ``states`` by τ alone, in discovery order."""
        seen = dict.fromkeys(states)
        todo = list(seen)
        off, lab, tgt = self.offsets, self.labels, self.targets
        while todo:
            s = todo.pop()
            for i in range(int(off[s]), int(off[s + 1])):
                if lab[i] == 0:
                    t = int(tgt[i])
                    if t not in seen:
                        seen[t] = None
                        todo.append(t)
        return list(seen)

    def reachable_from(self, start: int, name: str | None = None) -> ExplicitLts:
        """The part reachable from ``start``, renumbered breadth first (``start`` becomes 0)."""
        number = {start: 0}
        order = [start]
        queue = deque([start])
        while queue:
            s = queue.popleft()
            for _lab, t in self.successor_numbers(s):
                if t not in number:
                    number[t] = len(order)
                    order.append(t)
                    queue.append(t)
        edges = [(number[s], lab, number[t]) for s in order for lab, t in self.successor_numbers(s)]
        lts = ExplicitLts.from_edges(
            self.events, len(order), edges, [number[s] for s in order if self.terminated[s]],
            name=name or self.name,
        )
        if self.state_names is not None:
            lts.state_names = [self.state_names[s] for s in order]
        return lts


def divergent_states(num_states: int, src: IntArray, labels: IntArray, tgt: IntArray) -> BoolArray:
    """Per state, whether it can perform an infinite τ path (τ edges among ``num_states`` states)."""
    tau = labels == 0
    s, t = src[tau], tgt[tau]
    pending = np.bincount(s, minlength=num_states).astype(np.int64)
    # reverse adjacency of τ edges, grouped by target
    order = np.argsort(t, kind="stable")
    rev_src = s[order]
    rev_off = np.zeros(num_states + 1, dtype=np.int64)
    np.cumsum(np.bincount(t, minlength=num_states), out=rev_off[1:])
    safe = pending == 0
    frontier = np.flatnonzero(safe)
    while frontier.size:
        preds = _gather_ranges(rev_off, frontier, rev_src)
        if preds.size == 0:
            break
        np.subtract.at(pending, preds, 1)
        cand = distinct(preds)
        newly = cand[(pending[cand] == 0) & ~safe[cand]]
        safe[newly] = True
        frontier = newly
    result: BoolArray = ~safe
    return result


def distinct(values: IntArray) -> IntArray:
    """The distinct values, sorted.

    Sort-based: numpy's hash-based ``unique`` can be very slow on structured integer keys.
    """
    if values.size == 0:
        return values
    ordered = np.sort(values)
    keep = np.ones(ordered.size, dtype=np.bool_)
    keep[1:] = ordered[1:] != ordered[:-1]
    out: IntArray = ordered[keep]
    return out


def _gather_ranges(offsets: IntArray, rows: IntArray, values: IntArray) -> IntArray:
    """Concatenation of ``values[offsets[r]:offsets[r+1]]`` for each r in ``rows``."""
    starts = offsets[rows]
    counts = offsets[rows + 1] - starts
    total = int(counts.sum())
    if total == 0:
        return np.zeros(0, dtype=values.dtype)
    ends = np.cumsum(counts)
    idx = np.arange(total, dtype=np.int64) - np.repeat(ends - counts, counts) + np.repeat(starts, counts)
    out: IntArray = values[idx]
    return out
