"""Traces and failures of a CSP model, drawn by walking its normalised automaton.

Each step offers the visible events the model can do next: a channel is drawn first (in name
order, ✓ last), then the event's data among the values the model accepts there, which come
from the channel's field types. The length is drawn up front, so examples shrink towards
shorter traces, and every choice is an index into a sorted list, so they shrink towards earlier
choices. The model is normalised lazily (only the states the draws reach are built), so models
with huge or infinite state spaces are fine.

A property of a vending machine model, for instance::

    env = Environment(); coin, tea = env.channel("coin").event(), env.channel("tea").event()
    env.define("VM", lambda: prefix(coin, prefix(tea, call("VM"))))

    @given(traces(call("VM"), env, max_length=12))
    def test_never_more_tea_than_coins(t):
        assert t.count(tea) <= t.count(coin)
"""

from __future__ import annotations

from typing import NamedTuple

from hypothesis import reject
from hypothesis import strategies as st

from cspotlp.conformance import NormalisedSpec
from cspotlp.csp.environment import Environment
from cspotlp.csp.events import TAU, TICK, Event, sort_events
from cspotlp.csp.terms import Proc

ModelTrace = tuple[Event, ...]


class ModelFailure(NamedTuple):
    """A stable failure of a model: after ``trace`` it can refuse every event of ``refusal``."""

    trace: ModelTrace
    refusal: frozenset[Event]


class _Walk:
    """The model's normalised automaton (built on first use) and its choices per node."""

    def __init__(self, process: Proc, env: Environment) -> None:
        self.process = process
        self.env = env
        self._spec: NormalisedSpec | None = None
        self._choices: dict[int, list[list[tuple[Event, int]]]] = {}

    @property
    def spec(self) -> NormalisedSpec:
        if self._spec is None:
            self._spec = NormalisedSpec(self.process, self.env)
        return self._spec

    def choices(self, node: int) -> list[list[tuple[Event, int]]]:
        """The next events at ``node`` grouped by channel (channels by name, ✓ last)."""
        hit = self._choices.get(node)
        if hit is None:
            spec = self.spec
            groups: dict[str, list[tuple[Event, int]]] = {}
            for code, target in spec.expand(node).items():
                ev = spec.events[code]
                groups.setdefault(ev.channel, []).append((ev, target))
            order = sorted(groups, key=lambda ch: (ch == TICK.channel, ch))
            hit = self._choices[node] = [
                sorted(groups[ch], key=lambda pair: pair[0].sort_key()) for ch in order]
        return hit

    def draw_trace(self, draw: st.DrawFn, max_length: int, tick: bool) -> tuple[ModelTrace, int]:
        length = draw(st.integers(0, max_length))
        node = 0
        out: list[Event] = []
        while len(out) < length:
            groups = [g for g in self.choices(node) if tick or g[0][0] is not TICK]
            if not groups:
                break
            group = groups[draw(st.integers(0, len(groups) - 1))]
            ev, node = group[draw(st.integers(0, len(group) - 1))]
            out.append(ev)
            if ev is TICK:
                break
        return tuple(out), node


def traces(process: Proc, env: Environment, max_length: int = 20, *, tick: bool = True
           ) -> st.SearchStrategy[ModelTrace]:
    """Traces of ``process`` (in ``env``) with at most ``max_length`` visible events.

    With ``tick`` (the default), a trace may end with ✓ when the process can terminate, as in
    FDR's trace semantics. To draw from a CSPm file, load it first:
    ``traces(*cspotlp.conformance.load_spec("model.csp", "SPEC"))``.
    """
    walk = _Walk(process, env)

    @st.composite
    def draw_trace(draw: st.DrawFn) -> ModelTrace:
        return walk.draw_trace(draw, max_length, tick)[0]

    return draw_trace()


def _acceptance(events: set[Event]) -> set[Event]:
    # ✓ is a signal (UCS §6): a stable state that can terminate may refuse every other event,
    # exactly as the refinement engine's normal form treats it
    return {TICK} if TICK in events else events


def failures(process: Proc, env: Environment, max_length: int = 20
             ) -> st.SearchStrategy[ModelFailure]:
    """Stable failures ``(trace, refusal)`` of ``process``.

    After the trace, some stable state of the process refuses every event of the refusal.
    The refusal is drawn from the declared events of ``env`` and ✓ that the chosen stable state
    does not accept (it shrinks towards the empty refusal). Traces after which the process has
    no stable state (it can only diverge) have no failures and are not drawn.
    """
    walk = _Walk(process, env)
    alphabet: list[Event] = []

    @st.composite
    def draw_failure(draw: st.DrawFn) -> ModelFailure:
        trace, node = walk.draw_trace(draw, max_length, True)
        spec = walk.spec
        stable: list[set[Event]] = []
        for p in sorted(spec.terms(node), key=str):
            moves = {e for e, _ in spec.sem.transitions(p)}
            if TAU not in moves:
                stable.append(_acceptance(moves))
        if not stable:
            reject()
        accepted = stable[draw(st.integers(0, len(stable) - 1))]
        if not alphabet:
            alphabet.extend(sort_events({*env.events(), TICK}))
        # one yes/no per refusable event: each shrinks to "no", so refusals shrink to minimal
        refusal = [e for e in alphabet if e not in accepted and draw(st.booleans())]
        return ModelFailure(trace, frozenset(refusal))

    return draw_failure()


__all__ = ["ModelFailure", "ModelTrace", "failures", "traces"]
