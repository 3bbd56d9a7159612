"""Trace-level questions asked of terms directly, without building a whole LTS.

These work on infinite-state processes too, since they only explore to a bounded depth; τ-closure
is bounded by a state limit so a process with unboundedly many τ-reachable states is reported,
never looped on.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from cspotlp.csp.environment import Environment
from cspotlp.csp.events import TAU, TICK, Event
from cspotlp.csp.semantics import Semantics
from cspotlp.csp.terms import Proc
from cspotlp.errors import StateLimitExceeded

DEFAULT_TAU_LIMIT = 1_000_000


def tau_closure(sem: Semantics, terms: Iterable[Proc], limit: int = DEFAULT_TAU_LIMIT) -> frozenset[Proc]:
    """Every term reachable from ``terms`` by τ alone."""
    seen = set(terms)
    todo = list(seen)
    while todo:
        p = todo.pop()
        for e, q in sem.transitions(p):
            if e is TAU and q not in seen:
                seen.add(q)
                todo.append(q)
                if len(seen) > limit:
                    raise StateLimitExceeded(limit, len(seen))
    return frozenset(seen)


def after(p: Proc, trace: Sequence[Event], env: Environment, *, semantics: Semantics | None = None) -> frozenset[Proc]:
    """The τ-closed set of terms ``p`` can reach by the visible ``trace`` (empty if none)."""
    sem = semantics or Semantics(env)
    current = tau_closure(sem, [p])
    for ev in trace:
        step = {q for r in current for e, q in sem.transitions(r) if e is ev}
        current = tau_closure(sem, step)
    return current


def initials(p: Proc, env: Environment, *, semantics: Semantics | None = None) -> frozenset[Event]:
    """``{a | <a> ∈ traces(p)}``: visible events (✓ included) ``p`` can do first."""
    sem = semantics or Semantics(env)
    return frozenset(e for r in tau_closure(sem, [p]) for e, _ in sem.transitions(r) if e is not TAU)


def acceptances(p: Proc, env: Environment, *, semantics: Semantics | None = None) -> frozenset[frozenset[Event]]:
    """Acceptance sets of the stable states ``p`` can reach by τ (the refusal side of failures)."""
    sem = semantics or Semantics(env)
    out: set[frozenset[Event]] = set()
    for r in tau_closure(sem, [p]):
        trans = sem.transitions(r)
        if all(e is not TAU for e, _ in trans):
            out.add(frozenset(e for e, _ in trans))
    return frozenset(out)


def traces(p: Proc, env: Environment, max_length: int, *, semantics: Semantics | None = None) -> set[tuple[Event, ...]]:
    """Every visible trace of ``p`` with at most ``max_length`` events (✓ only last).

    >>> from cspotlp.csp import Environment, prefix, STOP, interleave
    >>> env = Environment(); a, b = env.channel("a").event(), env.channel("b").event()
    >>> sorted(" ".join(map(str, t)) for t in traces(interleave(prefix(a, STOP), prefix(a, prefix(b, STOP))), env, 3))
    ['', 'a', 'a a', 'a a b', 'a b', 'a b a']
    """
    sem = semantics or Semantics(env)
    result: set[tuple[Event, ...]] = {()}
    frontier: dict[tuple[Event, ...], frozenset[Proc]] = {(): tau_closure(sem, [p])}
    for _ in range(max_length):
        nxt: dict[tuple[Event, ...], frozenset[Proc]] = {}
        for tr, terms in frontier.items():
            steps: dict[Event, set[Proc]] = {}
            for r in terms:
                for e, q in sem.transitions(r):
                    if e is not TAU:
                        steps.setdefault(e, set()).add(q)
            for e, targets in steps.items():
                new = (*tr, e)
                result.add(new)
                if e is not TICK:
                    nxt[new] = tau_closure(sem, targets)
        frontier = nxt
    return result
