"""The explicit LTS API: numbering, networkx export, after, initials, acceptances, limits."""

import networkx as nx
import numpy as np
import pytest

from cspotlp import csp
from cspotlp.csp import SKIP, STOP, TAU, TICK, Environment, acceptances, after, build_lts, initials
from cspotlp.csp.explore import _edge_order
from cspotlp.errors import CspError, StateLimitExceeded

env = Environment()
a, b, c = (env.channel(n).event() for n in "abc")
P = csp.ext_choice(csp.prefix(a, csp.prefix(b, STOP)), csp.int_choice(csp.prefix(c, SKIP), STOP))


def test_states_are_numbered_breadth_first_from_zero():
    lts = build_lts(P, env)
    assert lts.terms[0] is P
    assert [str(e) for e, _ in lts.successors(0)] == ["a", "τ", "τ"]
    assert lts.summary().states == lts.num_states == len(lts.terms)
    assert lts.events[0] is TAU and lts.events[1] is TICK


def test_networkx_export():
    lts = build_lts(P, env)
    g = lts.to_networkx()
    assert isinstance(g, nx.MultiDiGraph)
    assert g.number_of_nodes() == lts.num_states and g.number_of_edges() == lts.num_transitions
    assert g.nodes[0]["initial"] is True
    assert sorted(d["event"] for _, _, d in g.out_edges(0, data=True)) == ["a", "τ", "τ"]


def test_initials_after_and_acceptances():
    lts = build_lts(P, env)
    assert lts.initials(0) == frozenset({a, c})
    assert initials(P, env) == frozenset({a, c})
    # after <a> the process is b -> STOP, whichever way it got there
    assert {str(lts.terms[s]) for s in lts.after([a])} == {"b -> STOP"}
    assert after(P, [c, TICK], env) == frozenset({csp.OMEGA})
    assert after(P, [b], env) == frozenset()
    # P's stable states after τ: (a -> b -> STOP [] c -> SKIP) offers {a, c}; with STOP it offers {a}
    assert acceptances(P, env) == frozenset({frozenset({a, c}), frozenset({a})})
    stable = [s for s in range(lts.num_states) if lts.is_stable(s)]
    assert frozenset({a}) in {lts.acceptance(s) for s in stable}
    with pytest.raises(CspError, match="not stable"):
        lts.acceptance(0)


def test_state_limit_and_progress():
    env2 = Environment()
    ch = env2.channel("n", range(1000))
    env2.define("COUNT", lambda k: csp.prefix(ch.event(k % 1000), csp.call("COUNT", k + 1)))
    seen = []
    with pytest.raises(StateLimitExceeded) as info:
        build_lts(csp.call("COUNT", 0), env2, state_limit=50, progress=lambda *x: seen.append(x))
    assert info.value.limit == 50
    lts = build_lts(csp.prefixes([a, b], STOP), env, progress=lambda *x: seen.append(x), progress_every=0.0)
    assert seen and seen[-1][:2] == (lts.num_states, lts.num_transitions)


# the combined key fits 63 bits; it does not; an event out of its range (the key would mix sources)
@pytest.mark.parametrize(("states", "events"), [(50, 7), (1 << 31, 7), (50, 6)])
def test_a_search_s_edges_are_ordered_as_lexsort_orders_them(states, events):
    rng = np.random.default_rng(states)
    src, ev, tgt = (rng.integers(0, high, 5_000) for high in (50, 7, 50))
    src[:100], ev[:100], tgt[:100] = 3, 2, 4  # equal edges keep their order
    order = _edge_order(src, ev, tgt, states, events)
    assert order.tolist() == np.lexsort((tgt, ev, src)).tolist()
