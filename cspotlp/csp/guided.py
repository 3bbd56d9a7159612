"""Searches that follow the question instead of the whole state space, on the term semantics.

The supercombinator engine compiles every component completely before it starts, which is right
for finite-state systems and impossible for infinite ones. These searches compute transitions of
terms only as they need them (:class:`~cspotlp.csp.semantics.Semantics`), so their cost depends
on the part of the state space the question reaches, whatever the size of the rest:

* :func:`follow_trace` answers ``P :[has trace]: t``: τ-closures along ``t`` only;
* :func:`refines_on_the_fly` checks ``Spec [T= Impl`` with a finite-state ``Spec`` by exploring
  the product of ``Impl``'s terms with ``Spec``'s normal form, following only the events the
  specification allows (a forbidden event is the counterexample).

Both stop within a :class:`~cspotlp.csp.budget.Budget` (states visited, memory, time) with an
inconclusive verdict.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Sequence

import numpy as np

from cspotlp.csp.budget import Budget
from cspotlp.csp.events import TAU, TICK, Event
from cspotlp.csp.explicit import divergent_states
from cspotlp.csp.normalise import NormalForm
from cspotlp.csp.semantics import Semantics
from cspotlp.csp.terms import Proc
from cspotlp.csp.verdict import Counterexample, Verdict, show_trace
from cspotlp.errors import LimitReached

CHECK_EVERY = 1024
"""Terms visited between checks of memory and time."""


class _Visits:
    """Counts the distinct terms a search visits and checks the budget as they grow."""

    def __init__(self, budget: Budget) -> None:
        self.budget = budget
        self.seen: set[object] = set()
        self.transitions = 0

    def add(self, key: object) -> bool:
        if key in self.seen:
            return False
        self.seen.add(key)
        n = len(self.seen)
        if n > self.budget.states:
            raise LimitReached(self.budget.state_reason(n), n)
        if n % CHECK_EVERY == 0:
            self.budget.check(n)
            self.budget.report(n, self.transitions)
        return True


def _closure(start: Iterable[Proc], sem: Semantics, visits: _Visits) -> tuple[list[Proc], bool]:
    """The τ-closure of ``start`` (in discovery order) and whether it contains a τ cycle."""
    index: dict[Proc, int] = {}
    order: list[Proc] = []
    queue: deque[Proc] = deque()
    for p in start:
        if p not in index:
            index[p] = len(order)
            order.append(p)
            queue.append(p)
            visits.add(p)
    edges: list[tuple[int, int]] = []
    while queue:
        p = queue.popleft()
        for e, t in sem.transitions(p):
            visits.transitions += 1
            if e is not TAU:
                continue
            if t not in index:
                index[t] = len(order)
                order.append(t)
                queue.append(t)
                visits.add(t)
            edges.append((index[p], index[t]))
    if not edges:
        return order, False
    src = np.array([s for s, _ in edges], dtype=np.int64)
    tgt = np.array([t for _, t in edges], dtype=np.int64)
    div = divergent_states(len(order), src, np.zeros(len(edges), dtype=np.int64), tgt)
    return order, bool(div.any())


def follow_trace(p: Proc, trace: Sequence[Event], sem: Semantics, model: str, kind: str,
                 budget: Budget) -> Verdict:
    """``p :[has trace [model]]: trace``, exploring only the τ-closures along ``trace``.

    In ``FD``, a divergence after a prefix of the trace makes every extension a trace
    (divergence strictness), as FDR has it.
    """
    visits = _Visits(budget)

    def verdict(holds: bool | None, cex: Counterexample | None = None, reason: str = "",
                notes: tuple[str, ...] = ()) -> Verdict:
        return Verdict(holds, kind, cex, len(visits.seen), visits.transitions, budget.elapsed(),
                       reason, notes)

    try:
        current, diverges = _closure([p], sem, visits)
        for k, ev in enumerate(trace):
            if model == "FD" and diverges:
                return verdict(True, notes=(f"diverges after {show_trace(trace[:k])}, so every "
                                            "extension is a trace in FD",))
            after = [t for s in current for e, t in sem.transitions(s) if e is ev]
            if not after:
                return verdict(False, Counterexample("missing trace", tuple(trace[:k]), error_event=ev))
            if ev is TICK:
                break
            current, diverges = _closure(after, sem, visits)
    except LimitReached as e:
        return verdict(None, reason=e.reason)
    return verdict(True)


def refines_on_the_fly(nf: NormalForm, impl: Proc, sem: Semantics, kind: str, budget: Budget,
                       notes: tuple[str, ...] = ()) -> Verdict:
    """``Spec [T= impl`` against ``Spec``'s traces normal form, breadth first over the product.

    Only the implementation's moves that the specification allows are followed, so the search
    visits the product the specification allows; the first forbidden event found is a shortest
    counterexample.
    """
    number = {e: i for i, e in enumerate(nf.events)}
    start = (impl, 0)
    parent: dict[tuple[Proc, int], tuple[tuple[Proc, int], Event] | None] = {start: None}
    visits = _Visits(budget)
    queue: deque[tuple[Proc, int]] = deque([start])

    def path(state: tuple[Proc, int]) -> tuple[Event, ...]:
        out: list[Event] = []
        link = parent[state]
        while link is not None:
            state, e = link
            if e is not TAU:
                out.append(e)
            link = parent[state]
        return tuple(reversed(out))

    try:
        visits.add(start)
        while queue:
            cur = queue.popleft()
            term, node = cur
            for e, t in sem.transitions(term):
                visits.transitions += 1
                if e is TAU:
                    nxt = (t, node)
                else:
                    k = number.get(e)
                    j = nf.step[node].get(k) if k is not None else None
                    if j is None:
                        cex = Counterexample("trace", path(cur), error_event=e)
                        return Verdict(False, kind, cex, len(visits.seen), visits.transitions,
                                       budget.elapsed(), notes=notes)
                    if e is TICK:
                        continue
                    nxt = (t, j)
                if nxt not in parent:
                    parent[nxt] = (cur, e)
                    visits.add(nxt)
                    queue.append(nxt)
    except LimitReached as e:
        return Verdict(None, kind, None, len(visits.seen), visits.transitions, budget.elapsed(),
                       e.reason, notes)
    return Verdict(True, kind, None, len(visits.seen), visits.transitions, budget.elapsed(),
                   notes=notes)
