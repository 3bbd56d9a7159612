"""Explicit labelled transition systems built from process terms.

States are numbered 0.. in breadth-first order from the initial state 0; events are numbered too
(0 is τ, 1 is ✓). Transitions are kept in compressed-row form (``offsets``, ``labels``,
``targets``), so a million-state LTS costs a few arrays rather than a million Python lists.
Construction is iterative, honours a :class:`~cspotlp.csp.budget.Budget` (raising
:class:`~cspotlp.errors.LimitReached` past its states, memory or time, or when the terms grow
without bound: :mod:`cspotlp.csp.growth`) and reports progress through a callback.
"""

from __future__ import annotations

import time
from array import array
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from cspotlp.csp.budget import Budget
from cspotlp.csp.environment import Environment
from cspotlp.csp.events import TAU, TICK, Event
from cspotlp.csp.growth import GrowthWatch
from cspotlp.csp.semantics import Semantics
from cspotlp.csp.terms import OMEGA, Proc
from cspotlp.errors import CspError, LimitReached, StateLimitExceeded

CHECK_EVERY = 1024
"""States explored between checks of memory and time."""

WATCH_FROM = 64
"""States a component has before its terms are watched for growth (one move adds a level or two)."""

HINT_STATES = 256
"""The last states looked at to explain why an exploration hit a limit."""

Progress = Callable[[int, int, float], None]
"""Called with (states, transitions, seconds) during long explorations."""


@dataclass(frozen=True)
class LtsSummary:
    """Size of an LTS and how long building it took."""

    states: int
    transitions: int
    seconds: float

    def __str__(self) -> str:
        rate = self.states / self.seconds if self.seconds > 0 else float("inf")
        return (f"{self.states} states, {self.transitions} transitions, "
                f"{self.seconds:.3f} s ({rate:,.0f} states/s)")


class Lts:
    """An explicit LTS with integer states; state 0 is initial.

    Attributes:
        events: event number -> event (0 is τ, 1 is ✓).
        terms: state number -> the process term it stands for.
    """

    def __init__(
        self,
        events: list[Event],
        terms: list[Proc],
        offsets: array[int],
        labels: array[int],
        targets: array[int],
        seconds: float,
    ) -> None:
        self.events = events
        self.event_number = {e: i for i, e in enumerate(events)}
        self.terms = terms
        self.offsets = offsets
        self.labels = labels
        self.targets = targets
        self.seconds = seconds

    # -- size ----------------------------------------------------------------------------------

    @property
    def num_states(self) -> int:
        """Number of states."""
        return len(self.terms)

    @property
    def num_transitions(self) -> int:
        """Number of transitions."""
        return len(self.targets)

    def summary(self) -> LtsSummary:
        """States, transitions and seconds taken to build."""
        return LtsSummary(self.num_states, self.num_transitions, self.seconds)

    # -- structure -----------------------------------------------------------------------------

    def successors(self, state: int) -> list[tuple[Event, int]]:
        """Transitions of ``state`` as (event, target)."""
        lo, hi = self.offsets[state], self.offsets[state + 1]
        ev = self.events
        return [(ev[self.labels[i]], self.targets[i]) for i in range(lo, hi)]

    def successor_numbers(self, state: int) -> Iterator[tuple[int, int]]:
        """Transitions of ``state`` as (event number, target)."""
        for i in range(self.offsets[state], self.offsets[state + 1]):
            yield self.labels[i], self.targets[i]

    def is_stable(self, state: int) -> bool:
        """True when ``state`` has no τ transition."""
        return all(lab != 0 for lab, _ in self.successor_numbers(state))

    def acceptance(self, state: int) -> frozenset[Event]:
        """For a stable state, the events it offers (its refusals are everything else)."""
        if not self.is_stable(state):
            raise CspError(f"state {state} is not stable: it has no acceptance set")
        return frozenset(e for e, _ in self.successors(state))

    def tau_closure(self, states: Iterable[int]) -> frozenset[int]:
        """Every state reachable from ``states`` by τ transitions alone."""
        seen = set(states)
        todo = list(seen)
        while todo:
            s = todo.pop()
            for lab, t in self.successor_numbers(s):
                if lab == 0 and t not in seen:
                    seen.add(t)
                    todo.append(t)
        return frozenset(seen)

    def after(self, trace: Sequence[Event], start: int = 0) -> frozenset[int]:
        """States (τ-closed) reachable by the visible ``trace``; empty if it is not a trace."""
        current = self.tau_closure([start])
        for e in trace:
            k = self.event_number.get(e)
            if k is None:
                return frozenset()
            step = {t for s in current for lab, t in self.successor_numbers(s) if lab == k}
            current = self.tau_closure(step)
        return current

    def initials(self, state: int = 0) -> frozenset[Event]:
        """Visible events (✓ included) possible from ``state`` after any τ steps."""
        return frozenset(
            self.events[lab]
            for s in self.tau_closure([state])
            for lab, _ in self.successor_numbers(s)
            if lab != 0
        )

    def deadlocks(self) -> list[int]:
        """Reachable stable states with no transitions that have not terminated."""
        return [
            s for s in range(self.num_states)
            if self.offsets[s] == self.offsets[s + 1] and self.terms[s] is not OMEGA
        ]

    def traces(self, max_length: int) -> set[tuple[Event, ...]]:
        """Every visible trace of length <= ``max_length`` (✓ only at the end)."""
        result: set[tuple[Event, ...]] = {()}
        frontier: dict[tuple[Event, ...], frozenset[int]] = {(): self.tau_closure([0])}
        for _ in range(max_length):
            nxt: dict[tuple[Event, ...], frozenset[int]] = {}
            for tr, states in frontier.items():
                steps: dict[int, set[int]] = {}
                for s in states:
                    for lab, t in self.successor_numbers(s):
                        if lab != 0:
                            steps.setdefault(lab, set()).add(t)
                for lab, targets in steps.items():
                    ev = self.events[lab]
                    new = (*tr, ev)
                    result.add(new)
                    if ev is not TICK:
                        nxt[new] = self.tau_closure(targets)
            frontier = nxt
        return result

    def to_networkx(self) -> Any:
        """The LTS as a networkx ``MultiDiGraph``.

        Nodes are state numbers with a ``term`` attribute; edges carry ``event`` (its text) and
        ``event_obj`` (the :class:`Event`).
        """
        import networkx as nx

        g = nx.MultiDiGraph()
        for s, term in enumerate(self.terms):
            g.add_node(s, term=str(term) if len(self.terms) <= 10_000 else "", initial=s == 0)
        for s in range(self.num_states):
            for e, t in self.successors(s):
                g.add_edge(s, t, event=str(e), event_obj=e)
        return g


def build_lts(
    root: Proc,
    env: Environment,
    *,
    state_limit: int | None = None,
    progress: Progress | None = None,
    progress_every: float = 1.0,
    semantics: Semantics | None = None,
    budget: Budget | None = None,
    phase: str | Callable[[], str] = "",
) -> Lts:
    """Explore every state reachable from ``root`` breadth first.

    ``state_limit`` (or the ``budget``'s, which also bounds memory and time and watches for
    terms that grow without bound) raises :class:`~cspotlp.errors.StateLimitExceeded` or
    :class:`~cspotlp.errors.LimitReached`; ``phase`` labels the budget's progress reports.

    >>> from cspotlp.csp import Environment, prefix, SKIP
    >>> env = Environment(); a = env.channel("a").event()
    >>> build_lts(prefix(a, SKIP), env).summary().states
    3
    """
    sem = semantics or Semantics(env)
    if budget is None:
        budget = Budget(state_limit=state_limit)
    default_limit = state_limit is None and not budget.explicit_states
    if state_limit is None:
        state_limit = budget.component_states
    growth: GrowthWatch | None = None  # made once the component is not tiny (most are)
    started = time.perf_counter()
    last_report = started
    events: list[Event] = [TAU, TICK]
    event_number: dict[Event, int] = {TAU: 0, TICK: 1}
    number: dict[Proc, int] = {root: 0}
    terms: list[Proc] = [root]
    offsets = array("q", [0])
    labels = array("i")
    targets = array("q")
    queue: deque[int] = deque([0])
    try:
        while queue:
            s = queue.popleft()
            for e, t in sem.transitions(terms[s]):
                k = event_number.get(e)
                if k is None:
                    k = event_number[e] = len(events)
                    events.append(e)
                n = number.get(t)
                if n is None:
                    n = number[t] = len(terms)
                    terms.append(t)
                    queue.append(n)
                    if len(terms) > state_limit:
                        raise StateLimitExceeded(state_limit, len(terms))
                    if growth is not None:
                        growth.check(t, len(terms))
                    elif len(terms) >= WATCH_FROM:
                        growth = GrowthWatch(env, root, budget.growth_depth)
                labels.append(k)
                targets.append(n)
            offsets.append(len(targets))
            if len(offsets) % CHECK_EVERY == 0:
                budget.check(len(terms))
                budget.report(len(terms), len(targets), phase=phase if isinstance(phase, str) else phase())
            if progress is not None:
                now = time.perf_counter()
                if now - last_report >= progress_every:
                    progress(len(terms), len(targets), now - started)
                    last_report = now
    except LimitReached as e:
        if default_limit and isinstance(e, StateLimitExceeded):
            e.reason = (f"a sequential component has more than {state_limit:,} states (the default "
                        "limit for one component; an explicit state limit replaces it)")
        if growth is None:
            growth = GrowthWatch(env, root, budget.growth_depth)
        hint = "" if "grow without bound" in e.reason else growth.explain(terms[-HINT_STATES:])
        if hint:
            e.reason = f"{e.reason}; {hint}"
        e.args = (e.reason,)
        raise
    seconds = time.perf_counter() - started
    if progress is not None:
        progress(len(terms), len(targets), seconds)
    return Lts(events, terms, offsets, labels, targets, seconds)
