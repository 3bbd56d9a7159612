"""Turn a search's violation into a :class:`~cspotlp.csp.verdict.Counterexample` in model terms.

The path is rebuilt backwards from the search's stored levels (:func:`~cspotlp.csp.automaton.least_path`:
the least predecessor one level up, each time), so it is a shortest one and the same whichever
engine ran the search; each step records which components moved with which of their own events,
and each component's view (its own trace, final state and offers) is what FDR's debugger shows.
"""

from __future__ import annotations

import numpy as np

from cspotlp.csp.automaton import (
    DIVERGENCE,
    REFUSAL,
    TRACE,
    SearchResult,
    SpecAutomaton,
    least_path,
)
from cspotlp.csp.events import TAU, Event, sort_events
from cspotlp.csp.supercombinator import Network
from cspotlp.csp.verdict import ComponentView, Counterexample, Step

LASSO_LIMIT = 100_000


def explain(result: SearchResult, net: Network, spec: SpecAutomaton, *, kind: str | None = None) -> Counterexample:
    """The counterexample of a search that stopped on a violation."""
    v = result.violation
    layout, expander, trail = result.layout, result.expander, result.trail
    assert v is not None and trail is not None and layout is not None and expander is not None
    rules = [rule for _state, rule in least_path(trail, v.words, v.level)]
    steps = [_step(net, expander.rule_event, expander.rule_moves, r) for r in rules]
    final_words = v.words
    error_event: Event | None = None
    if v.kind == TRACE:
        steps.append(_step(net, expander.rule_event, expander.rule_moves, v.rule))
        error_event = steps[-1].event
        final_words = v.target
    loop: tuple[Step, ...] = ()
    if v.kind == DIVERGENCE and result.oracle is not None:
        prefix, cycle, final_words = _lasso(result, net, final_words)
        steps.extend(prefix)
        loop = tuple(cycle)
    digits = layout.unpack(final_words)
    trace = tuple(s.event for s in steps if s.event is not TAU)
    if error_event is not None:
        trace = trace[:-1]
    acceptance = required = None
    refused = None
    if v.kind == REFUSAL or v.kind == "deadlock":
        acceptance = frozenset(spec.events[e] for e in v.acceptance)
        if v.kind == REFUSAL and spec.acceptances is not None:
            required = tuple(frozenset(spec.events[e] for e in a) for a in spec.acceptances[v.node])
            if kind == "nondeterminism" and required:
                missing = sort_events(required[0] - acceptance)
                refused = missing[0] if missing else None
    return Counterexample(
        kind=kind or v.kind,
        trace=trace,
        error_event=error_event,
        acceptance=acceptance,
        required=required,
        refused_event=refused,
        divergence_loop=loop,
        steps=tuple(steps),
        components=_views(net, steps, digits),
    )


def _step(net: Network, rule_event: np.ndarray, rule_moves: tuple[tuple[tuple[int, int, int], ...], ...],
          rule: int) -> Step:
    moves = []
    for c, lab, _j in rule_moves[rule]:
        ev = net.components[c].label_event(lab)
        if ev is not None and not net.components[c].flag:
            moves.append((c, ev))
    return Step(net.events[int(rule_event[rule])], tuple(moves))


def _views(net: Network, steps: list[Step], digits: list[int]) -> tuple[ComponentView, ...]:
    traces: dict[int, list[Event]] = {}
    for s in steps:
        for c, e in s.moves:
            traces.setdefault(c, []).append(e)
    out: list[ComponentView] = []
    for c, comp in enumerate(net.components):
        if comp.flag:
            continue
        d = digits[c]
        offers = sort_events({e for e, _t in comp.lts.successors(d)})
        out.append(ComponentView(comp.name, tuple(traces.get(c, ())), comp.lts.describe(d), tuple(offers)))
    return tuple(out)


def _lasso(result: SearchResult, net: Network, start: tuple[int, ...]) -> tuple[list[Step], list[Step], tuple[int, ...]]:
    """τ steps from a divergent state that end in a repeated state: (prefix, cycle, cycle start)."""
    oracle, layout = result.oracle, result.layout
    assert oracle is not None and layout is not None
    node_field = oracle.node_field
    words = list(layout.pack([*layout.unpack(start)[:node_field], 0]))
    seen: dict[tuple[int, ...], int] = {}
    path: list[Step] = []
    states: list[tuple[int, ...]] = []
    current = tuple(words)
    while current not in seen and len(path) < LASSO_LIMIT:
        seen[current] = len(path)
        states.append(current)
        arrays = [np.array([w], dtype=np.uint64) for w in current]
        _src, rule, targets = oracle.tau_successors(arrays)
        div = oracle.classify(targets)
        pick = np.flatnonzero(div)
        if pick.size == 0:
            break
        j = int(pick[0])
        path.append(_step(net, oracle.expander.rule_event, oracle.expander.rule_moves, int(rule[j])))
        current = tuple(int(t[j]) for t in targets)
    first = seen.get(current, len(path))
    return path[:first], path[first:], states[first] if first < len(states) else current
