"""Deep inputs must not hit Python's recursion limit (no recursion over user data)."""

import pytest

from cspotlp import csp
from cspotlp.csp import STOP, Environment, after, build_lts, show

N = 100_000


@pytest.mark.slow
def test_deep_prefix_chain_builds_explores_and_prints():
    env = Environment()
    a = env.channel("a").event()
    p = csp.prefixes([a] * N, STOP)
    lts = build_lts(p, env)
    assert lts.num_states == N + 1 and lts.num_transitions == N
    text = show(p)
    assert text.count("a -> ") == N and text.endswith("STOP")
    assert after(p, [a] * N, env) == frozenset({STOP})
    assert lts.after([a] * N) == frozenset({N})


@pytest.mark.slow
def test_deeply_nested_operators_explore_and_print():
    # Nesting far beyond Python's recursion limit: transitions are computed with an explicit stack.
    env = Environment()
    a, b = env.channel("a").event(), env.channel("b").event()
    depth = 50_000
    hidden = csp.prefixes([a, b], STOP)
    choice = csp.prefix(b, STOP)
    for i in range(depth):
        hidden = csp.hide(hidden, {a} if i == 0 else set())
        choice = csp.ext_choice(choice, STOP) if i % 2 else csp.interrupt(choice, STOP)
    lts = build_lts(hidden, env)
    assert lts.num_states == 3 and [str(e) for e, _ in lts.successors(0)] == ["τ"]
    assert lts.initials(0) == frozenset({b})
    assert len(show(hidden)) > depth
    assert csp.initials(choice, env) == frozenset({b})
    assert build_lts(choice, env).num_states == 2
