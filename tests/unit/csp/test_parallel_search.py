"""The native search over several worker processes (:mod:`cspotlp.csp.parallel`) gives what the
one-process search gives: the same verdicts, counts, counterexamples and limits; and a worker
that dies, or Ctrl-C, ends every worker at once."""

import multiprocessing
import os
import signal
import time

import numpy as np
import pytest

from cspotlp.csp import Budget, deadlock_free, explore, levels, native, parallel, partition, refines
from cspotlp.csp.models import dining_philosophers
from tests.interrupt import interrupt, start_cli

pytestmark = [
    pytest.mark.skipif(native.KERNEL is None, reason=f"native engine: {native.UNAVAILABLE}"),
    pytest.mark.skipif(not parallel.can_fork(), reason="worker processes are forked: this platform cannot fork"),
]


def outcome(verdict):
    return (verdict.holds, verdict.states, verdict.transitions, verdict.reason, verdict.counterexample)


@pytest.mark.parametrize("workers", [2, 3, 5])
def test_dining_philosophers_on_several_workers(workers):
    m = dining_philosophers(6)
    one = explore(m.process, m.env, budget=Budget(engine="native"))
    many = explore(m.process, m.env, budget=Budget(engine="native", workers=workers))
    assert (many.states, many.transitions, many.complete) == (one.states, one.transitions, True) == (
        6 ** 6, one.transitions, True)
    v1 = deadlock_free(m.process, m.env, budget=Budget(engine="native"))
    vp = deadlock_free(m.process, m.env, budget=Budget(engine="native", workers=workers))
    assert v1.holds is False and outcome(vp) == outcome(v1)
    assert len(vp.counterexample.trace) == 12  # each philosopher sits and picks up a fork


def test_refinement_counterexamples_are_the_same_on_several_workers():
    butler = dining_philosophers(5, butler=True)
    for name, (spec, impl) in butler.refinements.items():
        for model in ("T", "F"):
            one = refines(spec, impl, butler.env, model, budget=Budget(engine="native"))
            many = refines(spec, impl, butler.env, model, budget=Budget(engine="native", workers=3))
            assert outcome(many) == outcome(one), (name, model)


@pytest.mark.parametrize("limit", [1, 2, 100, 46_655, 46_656])
def test_a_state_limit_stops_several_workers_exactly_where_it_stops_one(limit):
    # every worker may store what is left of the bound, and the sum is checked: the search is
    # limited exactly when the one-process search is (46,656 states: the limit 46,656 holds all)
    m = dining_philosophers(6)
    one = explore(m.process, m.env, budget=Budget(engine="native", state_limit=limit))
    many = explore(m.process, m.env, budget=Budget(engine="native", state_limit=limit, workers=2))
    assert (many.states, many.transitions, many.complete, many.reason) == (
        one.states, one.transitions, one.complete, one.reason)
    assert one.complete == (limit == 46_656)


def test_a_worker_that_dies_makes_the_search_inconclusive(monkeypatch):
    m = dining_philosophers(9)  # about 2 s on two workers: time for a progress report
    killed = []

    def kill_one_worker(report):
        workers = [p.pid for p in multiprocessing.active_children() if p.name.startswith("cspotlp-search-")]
        if workers and not killed:
            os.kill(workers[0], signal.SIGKILL)
            killed.append(workers[0])

    folders = []
    make_folder = parallel.exchange_folder
    monkeypatch.setattr(parallel, "exchange_folder", lambda spill: folders.append(make_folder(spill)) or folders[-1])
    e = explore(m.process, m.env, budget=Budget(engine="native", workers=2, progress=kill_one_worker))
    assert killed, "no progress report came while the workers ran"
    assert not e.complete
    assert "search worker" in e.reason and "ended unexpectedly (killed by signal 9)" in e.reason
    assert not [p for p in multiprocessing.active_children() if p.name.startswith("cspotlp-search-")]
    assert len(folders) == 1 and not os.path.exists(folders[0])  # and the exchange folder gone


def test_ctrl_c_ends_every_worker_at_once():
    proc = start_cli("explore", "--builtin", "dining_philosophers", "--n", "11", "--workers", "2", "--progress")
    assert proc.stderr is not None
    first = proc.stderr.readline()  # a progress line: the workers are searching
    assert "states" in first, first
    workers = _children(proc.pid)
    assert len(workers) == 2
    out, err = interrupt(proc, timeout=30)
    assert proc.returncode == 130, err
    assert err.strip().endswith("cspotlp: interrupted") and "Traceback" not in err + out
    deadline = time.monotonic() + 5
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_alive(pid) for pid in workers)


def test_a_partition_stops_storing_where_another_met_a_violation(monkeypatch):
    # the deadlock check ends with the level where some partition meets a deadlock: the others
    # stop storing successors there (``met``), as one process does once it meets one
    m = dining_philosophers(4)
    made = []
    make = native.program
    monkeypatch.setattr(native, "program", lambda *a: made.append((make(*a), a[2].words)) or made[-1][0])
    deadlock_free(m.process, m.env, budget=Budget(engine="native"))
    program, words = made[0]

    def store(met, parts=2):
        made = levels.LevelStore(program, words, Budget(engine="native"), parts=parts, me=0,
                                 hand_over=lambda states, owners: None, met=met)
        made.seed(np.zeros((1, words), dtype=np.uint64))
        return made

    free, told = [-1], [-1]
    a, b = store(free), store(told)
    for level in range(3):
        a.expand(level)
        b.expand(level)
    told[0] = 3
    grown, stopped = a.expand(3), b.expand(3)
    assert (grown.best, stopped.best) == (None, None) and grown.new > 0
    assert stopped.new == 0 and stopped.transitions == grown.transitions  # every state still examined
    assert free == [-1]
    # a store that meets the violation says so: 4 philosophers deadlock after 8 moves
    met = [-1]
    whole = store(met, parts=1)
    found = [level for level in range(12) if whole.expand(level).best is not None]
    assert found[:1] == [8] and met == [8]


@pytest.mark.parametrize("ahead", [parallel.AHEAD, 0])
def test_the_workers_tables_grow_in_the_same_round(monkeypatch, ahead):
    # one philosopher's local state hashed: the workers hold 2 : 1 of the states, so their tables
    # would fill in different rounds; they grow together (each growth keeps the other waiting)
    m = dining_philosophers(7)
    monkeypatch.setattr(partition, "choose", lambda expander, layout, parts, budget=None: partition.Partition(
        parts, next(mask for mask, members in partition._cells(layout) if members == (0,)), (0,), 0, 0, 0))
    monkeypatch.setattr(parallel, "AHEAD", ahead)
    rounds = []
    expand = parallel.Workers.expand
    monkeypatch.setattr(parallel.Workers, "expand",
                        lambda self, level: (expand(self, level), rounds.append((list(self.held), list(self.bits))))[0])
    one = explore(m.process, m.env, budget=Budget(engine="native"))
    many = explore(m.process, m.env, budget=Budget(engine="native", workers=2))
    assert (many.states, many.transitions, many.complete) == (one.states, one.transitions, True)
    held, _ = rounds[-1]
    assert max(held) > 1.3 * min(held)  # the partition is uneven
    apart = [bits for _, bits in rounds if len(set(bits)) > 1]
    if ahead:
        assert not apart
    else:  # the test would catch growths in different rounds
        assert apart


def test_one_worker_or_too_many_is_refused():
    with pytest.raises(Exception, match="number of workers must be 1..255"):
        Budget(workers=0)
    with pytest.raises(Exception, match="number of workers must be 1..255"):
        Budget(workers=256)


def _children(pid=None):
    """The live child processes of ``pid`` (this process by default)."""
    pid = os.getpid() if pid is None else pid
    try:
        with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as f:
            return [int(c) for c in f.read().split() if _alive(int(c))]
    except FileNotFoundError:
        return []


def _alive(pid):
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"  # a zombie has ended
    except FileNotFoundError:
        return False
