"""Test helpers for refinement: a small, independent reference checker written directly over the
term semantics (``build_lts``) with Python sets, and bounded failure sets for cross-checks.

The reference follows the definitions (traces, stable failures with ✓ as a signal, divergences)
rather than the engine's data structures, so the two can be compared on random processes.
"""

from __future__ import annotations

from collections import deque

from cspotlp.csp import TAU, TICK, build_lts


def _closure(lts, states):
    seen = set(states)
    todo = list(seen)
    while todo:
        s = todo.pop()
        for lab, t in lts.successor_numbers(s):
            if lab == 0 and t not in seen:
                seen.add(t)
                todo.append(t)
    return frozenset(seen)


def _divergent(lts):
    """States from which an infinite τ path starts: those that τ-reach a state on a τ cycle."""
    on_cycle = set()
    for s in range(lts.num_states):
        # s is on a τ cycle if s is τ-reachable from one of its τ successors
        succ = [t for lab, t in lts.successor_numbers(s) if lab == 0]
        if s in _closure(lts, succ):
            on_cycle.add(s)
    return {s for s in range(lts.num_states) if _closure(lts, [s]) & on_cycle}


def _acceptance(lts, s):
    """None for unstable states; {✓} for states that can terminate; else the initials."""
    evs = {lts.events[lab] for lab, _ in lts.successor_numbers(s)}
    if TAU in evs:
        return None
    return frozenset({TICK}) if TICK in evs else frozenset(evs)


def reference_refines(spec, impl, env, model):
    """Does impl refine spec in model T, F or FD? (Breadth first over (spec state set, impl state).)"""
    S, M = build_lts(spec, env), build_lts(impl, env)
    sdiv = _divergent(S) if model == "FD" else set()
    idiv = _divergent(M) if model == "FD" else set()
    start = (_closure(S, [0]), 0)
    seen = {start}
    queue = deque([start])
    while queue:
        node, x = queue.popleft()
        if model == "FD" and node & sdiv:
            continue  # the specification diverged: anything goes
        if model == "FD" and x in idiv:
            return False
        if model != "T":
            acc = _acceptance(M, x)
            if acc is not None:
                spec_accs = [a for s in node if (a := _acceptance(S, s)) is not None]
                if not any(a <= acc for a in spec_accs):
                    return False
        for lab, t in M.successor_numbers(x):
            ev = M.events[lab]
            if ev is TAU:
                nxt = (node, t)
            else:
                k = S.event_number.get(ev)
                after = {u for s in node for l2, u in S.successor_numbers(s) if l2 == k} if k is not None else set()
                if not after:
                    return False
                if ev is TICK:
                    continue
                nxt = (_closure(S, after), t)
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return True


def bounded_traces(p, env, depth):
    """Visible traces of length <= depth, from the term semantics."""
    from cspotlp.csp import traces

    return traces(p, env, depth)
