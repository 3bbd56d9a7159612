"""Checks on the textbook models: the dining philosophers deadlock (all left forks held) for
N = 3..8 and the butler variant is deadlock free; state counts agree with the closed form and with
the term semantics; refinement against a fork-discipline specification; vending machines."""

import pytest

from cspotlp import csp
from cspotlp.csp import build_lts, deadlock_free, deterministic, divergence_free, explore, refines
from cspotlp.csp.models import (
    buffer_pipeline,
    cyclic_scheduler,
    dining_philosophers,
    vending_machines,
)


@pytest.mark.parametrize("n", [3, 4, 5, 6, 7, 8])
def test_philosophers_deadlock_with_every_left_fork_held(n):
    m = dining_philosophers(n)
    v = deadlock_free(m.process, m.env, "F", name=m.name)
    assert v.holds is False
    cex = v.counterexample
    assert cex.kind == "deadlock" and cex.acceptance == frozenset()
    # the shortest deadlock: everyone sits down and picks up their left fork (2n events)
    assert sorted(map(str, cex.trace)) == sorted([f"sits.{i}" for i in range(n)] + [f"picks.{i}.{i}" for i in range(n)])
    # the debugger view: each philosopher waits for its right fork, each fork is held by its left user
    views = {c.name: c for c in cex.components}
    for i in range(n):
        phil = views[f"PHIL({i})"]
        assert [str(e) for e in phil.trace] == [f"sits.{i}", f"picks.{i}.{i}"]
        assert [str(e) for e in phil.offers] == [f"picks.{i}.{(i + 1) % n}"]
        fork = views[f"FORK({i})"]
        assert [str(e) for e in fork.offers] == [f"putsdown.{i}.{i}"]
    assert f"{m.name} :[deadlock free [F]]: Failed" in str(v)


@pytest.mark.parametrize("n", [3, 4, 5, 6, 7])
def test_butler_prevents_deadlock(n):
    m = dining_philosophers(n, butler=True)
    v = deadlock_free(m.process, m.env, "FD", name=m.name)
    assert v.holds is True and v.states == explore(m.process, m.env).states


@pytest.mark.slow
def test_butler_prevents_deadlock_for_eight():
    m = dining_philosophers(8, butler=True)
    assert deadlock_free(m.process, m.env, "F").holds is True


@pytest.mark.parametrize("n", [3, 4, 5, 6, 7])
def test_philosopher_state_counts(n):
    # reachable states: 6^n - 1 + (-1)^n (214, 1296, 7774, 46656, 279934; checked against the
    # term semantics and the brute-force product in test_textbook_models for small n)
    m = dining_philosophers(n)
    e = explore(m.process, m.env)
    assert e.complete and e.states == philosopher_states(n)


def philosopher_states(n):
    return 6**n - 1 + (-1) ** n


@pytest.mark.slow
def test_philosopher_state_count_for_eight():
    m = dining_philosophers(8)
    e = explore(m.process, m.env)
    assert e.states == philosopher_states(8) == 1_679_616 and e.transitions == 11_837_296


@pytest.mark.parametrize(("n", "butler"), [(3, False), (4, False), (3, True), (4, True)])
def test_engine_counts_match_the_term_semantics(n, butler):
    m = dining_philosophers(n, butler)
    lts = build_lts(m.process, m.env)
    e = explore(m.process, m.env)
    assert (e.states, e.transitions) == (lts.num_states, lts.num_transitions)


@pytest.mark.parametrize("n", [3, 4, 5])
def test_philosophers_respect_the_fork_discipline(n):
    for butler in (False, True):
        m = dining_philosophers(n, butler)
        spec, impl = m.refinements["fork discipline"]
        v = refines(spec, impl, m.env, "T")
        assert v.holds is True
        assert v.states == (philosopher_states(n) if not butler else explore(m.process, m.env).states)


def test_fork_discipline_violation_is_found():
    m = dining_philosophers(3)
    putsdown = m.env.channels["putsdown"]
    spec, impl = m.refinements["fork discipline"]
    rogue = csp.prefix(putsdown.event(0, 1), csp.STOP)  # puts down fork 1 without having it
    v = refines(spec, csp.interleave(impl, rogue), m.env, "T")
    assert v.holds is False and v.counterexample.error_event is putsdown.event(0, 1)
    assert v.counterexample.trace == ()
    # synchronised with the philosophers, the rogue event can never happen
    synced = csp.apar(impl, m.env.events(), {putsdown.event(0, 1)}, rogue)
    assert refines(spec, synced, m.env, "T").holds is True


@pytest.mark.parametrize("n", [3, 6, 10])
def test_cyclic_scheduler_starts_jobs_in_order(n):
    m = cyclic_scheduler(n)
    spec, impl = m.refinements["jobs in cyclic order"]
    assert refines(spec, impl, m.env, "T").holds is True
    assert refines(spec, impl, m.env, "FD").holds is True  # and never refuses the next job, never diverges
    assert deadlock_free(m.process, m.env).holds is True


@pytest.mark.parametrize("n", [1, 3, 6])
def test_buffer_pipeline_keeps_order_of_counts(n):
    m = buffer_pipeline(n)
    spec, impl = m.refinements["at most n in flight"]
    assert refines(spec, impl, m.env, "T").holds is True
    assert explore(impl, m.env).states == 3**n
    # in F the counter specification is too strong: it must accept an output of either value,
    # while the pipe offers only the value it holds
    v = refines(spec, impl, m.env, "F")
    assert v.holds is False and v.counterexample.kind == "refusal"
    assert divergence_free(impl, m.env).holds is True


def test_vending_machines():
    env, procs = vending_machines()
    vms, vmc = procs["VMS"], procs["VMC"]
    assert deadlock_free(vms, env).holds is True
    assert deterministic(vms, env).holds is True
    assert divergence_free(vmc, env).holds is True
    # VMC's third in1p leads to STOP
    v = deadlock_free(vmc, env)
    assert v.holds is False and [str(e) for e in v.counterexample.trace] == ["in1p", "in1p", "in1p"]
    assert refines(vms, vms, env, "FD").holds is True
    assert refines(vms, vmc, env, "T").holds is False
