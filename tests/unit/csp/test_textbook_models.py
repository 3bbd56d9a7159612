"""Textbook results: Hoare's vending machines, dining philosophers checked against an independent
brute-force product construction written here, separately from the engine."""

from collections import deque

import pytest

from cspotlp.csp import build_lts, traces
from cspotlp.csp.models import dining_philosophers, vending_machines


def names(ts):
    return {" ".join(map(str, t)) for t in ts}


def test_vms_traces():
    env, procs = vending_machines()
    assert names(traces(procs["VMS"], env, 4)) == {"", "coin", "coin choc", "coin choc coin", "coin choc coin choc"}


def test_vmc_traces_include_hoare_examples():
    env, procs = vending_machines()
    ts = names(traces(procs["VMC"], env, 3))
    for t in ("in2p large", "in2p small out1p", "in1p small", "in1p in1p large", "in1p in1p in1p"):
        assert t in ts
    assert "in1p in1p in1p in1p" not in names(traces(procs["VMC"], env, 4))  # then STOP


def brute_force_philosophers(n, butler=False):
    """Independent product construction: components as explicit automata over event names."""
    comps = []
    for i in range(n):
        lf, r = i, (i + 1) % n
        seq = [f"sits.{i}", f"picks.{i}.{lf}", f"picks.{i}.{r}", f"eats.{i}",
               f"putsdown.{i}.{r}", f"putsdown.{i}.{lf}", f"getsup.{i}"]
        comps.append({s: [(seq[s], (s + 1) % 7)] for s in range(7)})
    for j in range(n):
        users = [j, (j - 1) % n]
        auto = {0: [(f"picks.{u}.{j}", k + 1) for k, u in enumerate(users)]}
        for k, u in enumerate(users):
            auto[k + 1] = [(f"putsdown.{u}.{j}", 0)]
        comps.append(auto)
    if butler:
        auto = {}
        for k in range(n):
            moves = []
            if k < n - 1:
                moves += [(f"sits.{i}", k + 1) for i in range(n)]
            if k > 0:
                moves += [(f"getsup.{i}", k - 1) for i in range(n)]
            auto[k] = moves
        comps.append(auto)
    alphas = [{e for moves in c.values() for e, _ in moves} for c in comps]
    start = tuple(0 for _ in comps)
    seen = {start}
    queue = deque([start])
    deadlocks = []
    transitions = 0
    all_events = sorted(set().union(*alphas))
    while queue:
        st = queue.popleft()
        enabled = 0
        for ev in all_events:
            parts = [k for k, al in enumerate(alphas) if ev in al]
            nxt = list(st)
            ok = True
            for k in parts:
                opts = [t for e, t in comps[k][st[k]] if e == ev]
                if not opts:
                    ok = False
                    break
                nxt[k] = opts[0]
            if ok:
                enabled += 1
                transitions += 1
                t = tuple(nxt)
                if t not in seen:
                    seen.add(t)
                    queue.append(t)
        if enabled == 0:
            deadlocks.append(st)
    return len(seen), transitions, deadlocks


@pytest.mark.parametrize("n", [3, 4, 5])
def test_state_counts_match_brute_force(n):
    for butler in (False, True):
        m = dining_philosophers(n, butler)
        lts = build_lts(m.process, m.env)
        states, transitions, _ = brute_force_philosophers(n, butler)
        assert (lts.num_states, lts.num_transitions) == (states, transitions)


@pytest.mark.parametrize("n", [3, 4, 5, 6])
def test_exactly_one_deadlock_with_every_left_fork_held(n):
    m = dining_philosophers(n)
    lts = build_lts(m.process, m.env)
    dead = lts.deadlocks()
    assert len(dead) == 1
    # the (unique) shortest path to it: every philosopher sat down and picked up their left fork
    path = shortest_path_events(lts, dead[0])
    assert sorted(path) == sorted([f"sits.{i}" for i in range(n)] + [f"picks.{i}.{i}" for i in range(n)])
    _, _, brute = brute_force_philosophers(n)
    assert brute == [tuple([2] * n + [1] * n)]  # phil i after picks.i.i; fork i held by its left user


def test_butler_prevents_deadlock():
    for n in (3, 4, 5):
        m = dining_philosophers(n, butler=True)
        assert build_lts(m.process, m.env).deadlocks() == []


def shortest_path_events(lts, target):
    prev = {0: None}
    queue = deque([0])
    while queue:
        s = queue.popleft()
        if s == target:
            break
        for e, t in lts.successors(s):
            if t not in prev:
                prev[t] = (s, str(e))
                queue.append(t)
    out = []
    cur = target
    while prev[cur] is not None:
        s, e = prev[cur]
        out.append(e)
        cur = s
    return out[::-1]
