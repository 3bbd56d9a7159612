"""The checks the native engine's tests run on one model in several ways, and what each answers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from cspotlp.csp import Budget, deadlock_free, explore, native, refines


def searches(m: Any, state_limit: int | None = None) -> Iterator[Callable[[Budget], Any]]:
    """Explore, deadlock freedom [F], and the model's refinement in T and in F, each given a
    budget; with ``state_limit``, an exploration that this limit stops too."""
    (spec, impl), = m.refinements.values()
    yield lambda b: explore(m.process, m.env, budget=b)
    yield lambda b: deadlock_free(m.process, m.env, "F", budget=b)
    yield lambda b: refines(spec, impl, m.env, "T", budget=b)
    yield lambda b: refines(spec, impl, m.env, "F", budget=b)
    if state_limit is not None:
        yield lambda b: explore(m.process, m.env, budget=b.narrowed(state_limit))


def answer(result: Any) -> tuple[Any, ...]:
    """All a verdict or an exploration says but its time: (holds, states, transitions, reason,
    counterexample), or (states, transitions, complete, reason)."""
    if hasattr(result, "holds"):
        return (result.holds, result.states, result.transitions, result.reason, result.counterexample)
    return (result.states, result.transitions, result.complete, result.reason)


def kernel_program(monkeypatch: Any, m: Any) -> tuple[Any, int]:
    """The kernel's program of the model ``m`` (as a search makes it) and its words a state."""
    made = []
    make = native.program
    monkeypatch.setattr(native, "program", lambda *a: made.append((make(*a), a[2].words)) or made[-1][0])
    explore(m.process, m.env, budget=Budget(engine="native"))
    return made[0]
