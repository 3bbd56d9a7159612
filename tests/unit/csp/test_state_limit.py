"""A state limit holds within a breadth-first level: a search never stores more than the limit.

``WIDE`` interleaves twelve one-shot processes, so its levels hold 1, 12, 66, 220, ... states;
a limit of 30 falls inside the third level. Before the limit held within a level, the search
stopped only between levels and stored 79 states. A violation among the states examined within
the budget is still reported (a failure is conclusive); otherwise the verdict is inconclusive.
"""

import numpy as np
import pytest

from cspotlp import csp
from cspotlp.csp import (
    STOP,
    Environment,
    compile_network,
    deadlock_free,
    deterministic,
    divergence_free,
    explore,
    refines,
)
from cspotlp.csp.search import SpecAutomaton, search
from cspotlp.csp.semantics import Semantics
from cspotlp.cspm.evaluate import load_text

LIMIT = 30

env = Environment()
ws = [env.channel(f"w{i}").event() for i in range(12)]
x = env.channel("x").event()
y = env.channel("y").event()
vs = [env.channel(f"v{i}").event() for i in range(4)]
WIDE = csp.interleave(*(csp.prefix(w, STOP) for w in ws))
LOOP = csp.call("LOOP")
env.define("LOOP", lambda: csp.prefix(x, LOOP))


def test_explore_stores_at_most_the_limit():
    e = explore(WIDE, env, state_limit=LIMIT)
    assert not e.complete
    assert e.states == LIMIT
    assert e.reason == f"state limit {LIMIT} reached ({LIMIT} states stored)"
    assert explore(WIDE, env).states == 2 ** 12  # unlimited: every subset of the events done


def test_deadlock_free_within_a_level_is_inconclusive():
    v = deadlock_free(WIDE, env, "F", state_limit=LIMIT)  # the deadlock (all done) is at depth 12
    assert v.holds is None and v.states <= LIMIT
    assert "state limit" in v.reason


def test_deadlock_found_within_the_budget_is_still_reported():
    # after <x> the left side stops, and it synchronises on every event of WIDE: a deadlock in level 1
    p = csp.par(csp.ext_choice(csp.prefix(x, STOP), csp.run(set(ws))), set(ws), WIDE)
    v = deadlock_free(p, env, "F", state_limit=LIMIT)
    assert v.holds is False and v.states <= LIMIT
    unlimited = deadlock_free(p, env, "F")
    assert v.counterexample is not None and unlimited.counterexample is not None
    assert v.counterexample.trace == unlimited.counterexample.trace == (x,)


def test_refines_within_a_level_is_inconclusive():
    v = refines(csp.run(set(ws)), WIDE, env, "T", state_limit=LIMIT)
    assert v.holds is None and v.states <= LIMIT
    assert refines(csp.run(set(ws)), WIDE, env, "T").holds is True


def test_refinement_violation_within_the_budget_is_still_reported():
    impl = csp.interleave(WIDE, csp.prefixes([y, x], STOP))  # x is not allowed, after <y>
    v = refines(csp.run({*ws, y}), impl, env, "T", state_limit=LIMIT)
    assert v.holds is False and v.states <= LIMIT
    assert v.counterexample is not None
    assert v.counterexample.trace == (y,) and v.counterexample.error_event == x


def test_deterministic_within_a_level_is_inconclusive():
    v = deterministic(csp.interleave(WIDE, csp.run({y})), env, "F", state_limit=LIMIT)
    assert v.holds is None and v.states <= LIMIT


def test_divergence_free_within_a_level_is_inconclusive():
    v = divergence_free(WIDE, env, state_limit=LIMIT)
    assert v.holds is None and v.states <= LIMIT


def test_divergence_found_within_the_budget_is_still_reported():
    p = csp.interleave(WIDE, csp.prefix(y, csp.hide(LOOP, {x})))  # diverges after <y>
    v = divergence_free(p, env, state_limit=LIMIT)
    assert v.holds is False and v.states <= LIMIT


@pytest.mark.parametrize("limit", [1, 13, 30, 100, 3000, 6000, 40000])
def test_stored_states_are_the_first_an_unlimited_search_numbers(limit):
    """Sixteen one-shot processes: 65,536 states; past 4,096 the table switches to numpy probing."""
    wide = csp.interleave(*(csp.prefix(w, STOP) for w in [*ws, *vs]))
    net = compile_network(wide, Semantics(env))
    spec = SpecAutomaton.anything(net.events)
    native = search(net, spec, state_limit=limit)  # whichever engine runs by default
    assert native.status == "limit" and native.states == limit
    # the numpy engine numbers its states: the ones kept are the first ones, with their parents
    full = search(net, spec, engine="numpy")
    cut = search(net, spec, state_limit=limit, engine="numpy")
    assert full.status == "complete" and full.states == 2 ** 16
    assert cut.status == "limit" and cut.states == limit
    assert cut.table is not None and full.table is not None
    for i in range(limit):
        assert cut.table.state(i) == full.table.state(i)
        assert cut.table.parent(i) == full.table.parent(i)
    recorded = search(net, spec, state_limit=limit, record=True)
    assert recorded.states == limit and recorded.edges is not None
    assert bool((recorded.edges[2] < limit).all())  # no edge leads to a state that was dropped
    for i in range(0, limit, max(1, limit // 50)):  # look-ups still find the states kept
        ids, fresh = cut.table.insert([np.array([w], dtype=np.uint64) for w in full.table.state(i)], need_ids=True)
        assert int(ids[0]) == i and not fresh[0]


@pytest.mark.slow
def test_big_interleaving_stops_at_the_limit():
    script = load_text("N = 20000\nchannel a : {1..N}\nP = ||| i : {1..N} @ a.i -> STOP\n")
    script.force_declarations()
    p = script.value("P")
    e = explore(p, script.env, state_limit=100)
    assert not e.complete and e.states == 100
    assert e.reason == "state limit 100 reached (100 states stored)"
