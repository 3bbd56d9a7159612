"""Levels expanded by several threads sharing one table (:mod:`cspotlp.csp.threaded`) give what one
thread gives: the same verdicts, counts, counterexamples and limits, through the table's growths,
states of several words, the state bound and a visited set moved to disk; a bound or an error in
one thread stops them all, and Ctrl-C ends the search at once."""

import os
import threading
import time

import numpy as np
import pytest

from cspotlp.cli import build_parser, main
from cspotlp.cli.models import budget_for
from cspotlp.csp import Budget, deadlock_free, engine, explore, levels, native, threaded
from cspotlp.csp.models import dining_philosophers
from cspotlp.errors import CspError
from tests.interrupt import interrupt, start_cli
from tests.native_checks import answer, kernel_program, searches

pytestmark = pytest.mark.skipif(native.KERNEL is None, reason=f"native engine: {native.UNAVAILABLE}")


def interleaved(monkeypatch):
    """Chunks of 64 states, rooms of 32 and a table of 16 slots that doubles: the threads take
    turns within each level, run out of room often and grow the table many times (and the
    counterexample's path asks every level on every thread)."""
    monkeypatch.setattr(levels, "CHUNK", 64)
    monkeypatch.setattr(threaded, "ROOM", 32)
    monkeypatch.setattr(levels, "FIRST_BITS", 4)
    monkeypatch.setattr(levels, "QUICK_GROWTH_BYTES", 0)  # every growth a doubling: more of them
    monkeypatch.setattr(threaded, "ALONE", 0.0)  # a path's levels and a growth's moves on every thread


def no_search_threads():
    return not [t for t in threading.enumerate() if t.name.startswith("cspotlp-search-")]


@pytest.mark.parametrize(("butler", "word_bits", "threads"), [(False, 63, 2), (True, 63, 3), (False, 8, 2)])
def test_threads_give_the_answers_of_one(monkeypatch, butler, word_bits, threads):
    # 8-bit words: a state takes several words, whose slots are claimed before they are written
    monkeypatch.setattr(engine, "WORD_BITS", word_bits)
    m = dining_philosophers(6, butler=butler)
    one = [answer(check(Budget(engine="native"))) for check in searches(m)]
    interleaved(monkeypatch)
    grown = []
    grow = levels.LevelStore.grow_table
    monkeypatch.setattr(levels.LevelStore, "grow_table", lambda store, need: grown.append(need) or grow(store, need))
    many = [answer(check(Budget(engine="native", threads=threads))) for check in searches(m)]
    assert many == one
    assert len(grown) > 8 * len(one)  # the table grew under the threads, level after level
    assert no_search_threads()


def test_the_calling_thread_expands_chunks_too(monkeypatch):
    m = dining_philosophers(6)
    interleaved(monkeypatch)
    names = set()
    chunk = threaded.SharedTable._chunk
    monkeypatch.setattr(threaded.SharedTable, "_chunk",
                        lambda table, lane, view: names.add(threading.current_thread().name) or chunk(table, lane, view))
    e = explore(m.process, m.env, budget=Budget(engine="native", threads=3))
    assert e.complete and e.states == 6 ** 6
    caller = threading.current_thread().name
    assert caller in names and len(names) > 1  # the caller and its helpers, no idle caller
    assert names <= {caller, "cspotlp-search-1", "cspotlp-search-2"}


@pytest.mark.parametrize("alone", [0.0, 60.0])
def test_a_path_and_a_growth_work_on_one_thread_until_they_take_long(monkeypatch, alone):
    m = dining_philosophers(6)
    one = deadlock_free(m.process, m.env, "F", budget=Budget(engine="native"))
    interleaved(monkeypatch)
    monkeypatch.setattr(threaded, "ALONE", alone)
    kernel = native.KERNEL
    asked: set[str] = set()  # the threads that asked a level of the path
    helped: list[str] = []  # what each start of helper threads was for

    class Watched:
        def __getattr__(self, name):
            return getattr(kernel, name)

        def predecessors(self, *args):
            asked.add(threading.current_thread().name)
            return kernel.predecessors(*args)

    growing = []
    grow, start_helpers = levels.LevelStore.grow_table, threaded._start_helpers
    monkeypatch.setattr(levels.native, "KERNEL", Watched())
    monkeypatch.setattr(levels.LevelStore, "grow_table",
                        lambda store, need: growing.append(1) or grow(store, need) or growing.pop())
    monkeypatch.setattr(threaded, "_start_helpers", lambda target, items, started: helped.append(
        "growth" if growing else target.__name__) or start_helpers(target, items, started))
    many = deadlock_free(m.process, m.env, "F", budget=Budget(engine="native", threads=2))
    assert answer(many) == answer(one) and one.counterexample is not None
    caller = threading.current_thread().name
    assert helped.count("_serve") == 1  # the levels' helper, kept from level to level
    if alone == 0:
        assert asked == {caller, "cspotlp-search-1"} and "growth" in helped
    else:
        assert asked == {caller} and helped == ["_serve"]


def test_the_helper_threads_start_once_a_search_and_end_with_it(monkeypatch):
    m = dining_philosophers(6)
    interleaved(monkeypatch)
    starts, levels_on_threads = [], []
    start_helpers, expand = threaded._start_helpers, threaded.SharedTable.expand
    monkeypatch.setattr(threaded, "_start_helpers",
                        lambda target, items, started: starts.append(target.__name__) or start_helpers(target, items, started))
    monkeypatch.setattr(threaded.SharedTable, "expand",
                        lambda table, *args: levels_on_threads.append(table.helpers.threads[:]) or expand(table, *args))
    e = explore(m.process, m.env, budget=Budget(engine="native", threads=3))
    assert e.complete and e.states == 6 ** 6
    assert starts.count("_serve") == 1
    kept = [threads for threads in levels_on_threads if threads]
    assert len(kept) > 5 and all(threads == kept[0] for threads in kept)  # the same two threads
    assert no_search_threads()


def test_helpers_run_each_job_once_and_a_job_posted_without_notice_is_still_run():
    helpers = threaded._Helpers(2)
    ran = []
    lock = threading.Lock()

    def job(i):
        with lock:
            ran.append((i, threading.current_thread()))

    helpers.post(job)
    helpers.wait()
    first = sorted(ran, key=lambda r: r[0])
    assert [i for i, _t in first] == [1, 2]
    ran.clear()
    with helpers.cond:  # as if Ctrl-C came between the post and its notice
        helpers.job, helpers.posted = job, helpers.posted + 1
    waiting = threading.Thread(target=helpers.wait, daemon=True)
    waiting.start()
    waiting.join(10)
    assert not waiting.is_alive()  # it woke the helpers
    assert sorted(ran, key=lambda r: r[0]) == first  # the same threads, each once
    helpers.close()
    assert no_search_threads()
    with pytest.raises(RuntimeError, match="helper threads have ended"):
        helpers.post(job)


def test_a_large_search_on_threads_gives_the_answer_of_one():
    # N = 8: the table grows past 2 MiB, so it is mapped and its pages made by the threads
    m = dining_philosophers(8)
    one = explore(m.process, m.env, budget=Budget(engine="native"))
    many = explore(m.process, m.env, budget=Budget(engine="native", threads=2))
    assert answer(many) == answer(one) == (1_679_616, 11_837_296, True, "")


@pytest.mark.parametrize("limit", [1, 2, 100, 46_655, 46_656])
def test_a_state_limit_stops_threads_exactly_where_it_stops_one(monkeypatch, limit):
    # when the bound leaves too little room, the rest of the level is expanded on one thread
    m = dining_philosophers(6)
    one = explore(m.process, m.env, budget=Budget(engine="native", state_limit=limit))
    interleaved(monkeypatch)
    many = explore(m.process, m.env, budget=Budget(engine="native", state_limit=limit, threads=2))
    assert answer(many) == answer(one)
    assert one.complete == (limit == 46_656)


def test_threads_go_on_after_the_visited_set_moves_to_disk(tmp_path, monkeypatch):
    m = dining_philosophers(6)
    one = [answer(check(Budget(engine="native"))) for check in searches(m)]
    interleaved(monkeypatch)
    monkeypatch.setattr(levels, "MAX_TABLE_BITS", 8)  # 179 states fill it: then the disk
    moved = []
    make = levels.DiskVisited

    def watch(*args, **kw):
        moved.append(1)
        return make(*args, **kw)

    monkeypatch.setattr(levels, "DiskVisited", watch)
    many = [answer(check(Budget(engine="native", threads=2, spill=str(tmp_path)))) for check in searches(m)]
    assert many == one
    stored = [a[0] if len(a) == 4 else a[1] for a in one]  # explore: (states, ...), else (holds, states, ...)
    assert len(moved) == sum(n > 179 for n in stored) >= 2  # each search the capped table cannot hold
    assert os.listdir(tmp_path) == []


def test_a_time_bound_stops_every_thread():
    m = dining_philosophers(9)
    e = explore(m.process, m.env, budget=Budget(engine="native", threads=2, time_limit=0.3))
    assert not e.complete
    assert e.reason.startswith("time limit 0.3 s reached")
    assert no_search_threads()


def test_an_error_in_one_thread_stops_them_all_and_is_raised(monkeypatch):
    m = dining_philosophers(7)
    calls = []
    kernel = levels.native.KERNEL

    class Failing:
        def __getattr__(self, name):
            return getattr(kernel, name)

        def expand_shared(self, *args):
            calls.append(threading.current_thread().name)
            if len(set(calls)) == 2:  # once both threads work
                raise MemoryError("no room for the successors")
            return kernel.expand_shared(*args)

    monkeypatch.setattr(levels.native, "KERNEL", Failing())
    with pytest.raises(MemoryError, match="no room for the successors"):
        explore(m.process, m.env, budget=Budget(engine="native", threads=2))
    assert len(set(calls)) == 2  # both threads had worked
    assert no_search_threads()


def test_the_kernel_adds_no_more_than_its_room_and_heeds_the_shared_flags(monkeypatch):
    m = dining_philosophers(5)
    program, words = kernel_program(monkeypatch, m)
    table = native.KERNEL.Table(words, 12, None)
    start = np.zeros((1, words), dtype=np.uint64)
    table.add(start, None, 0, 10)
    block = np.empty((4096, words), dtype=np.uint64)
    flags = np.zeros(2, dtype=np.uint8)

    def expand(states, room, inserting=True):
        at, code, _lim, _tr, best, _prio, need, inserting, pos, _out, added = native.KERNEL.expand_shared(
            program, table, states, 0, len(states), None, block, 0, room, inserting, flags)
        return at, code, need, inserting, pos, added

    # one state, room for 2 of its successors at most: it stops before the state (NEED_TABLE)
    at, code, need, inserting, pos, added = expand(start, 2)
    assert (at, code, pos, added, inserting) == (0, threaded.NEED_TABLE, 0, 0, True) and need > 2
    at, code, _need, _ins, pos, added = expand(start, need)
    assert (at, code) == (1, 0) and 0 < added == pos <= need and table.size == 1 + added
    level = block[:pos].copy()
    flags[0] = 1  # pause: it stops before the first state
    assert expand(level, 1000)[:2] == (0, threaded.PAUSED)
    flags[:] = (0, 1)  # another thread met a violation: the states are examined, nothing stored
    at, code, _need, inserting, pos, added = expand(level, 1000)
    assert (at, code, inserting, pos, added) == (len(level), 0, False, 0, 0) and table.size == 1 + len(level)
    table.grow(13)  # its rows not moved yet: no search may probe it
    with pytest.raises(ValueError, match="expand: the table is growing"):
        expand(level, 1000)


@pytest.mark.parametrize("halt", [threaded.INTERRUPTED, "time limit 1 s reached after 300 states"])
def test_ctrl_c_stops_a_growth_on_threads_and_a_bound_lets_it_end(monkeypatch, halt):
    m = dining_philosophers(5)
    program, words = kernel_program(monkeypatch, m)
    monkeypatch.setattr(levels, "MOVE", 64)  # many pieces
    store = levels.LevelStore(program, words, Budget(engine="native", threads=2), threads=2)
    assert words == 1
    states = np.arange(1, 301, dtype=np.uint64).reshape(-1, 1)  # any rows: the growth moves them
    store.receive(states)
    assert store.shared is not None
    store.shared._halt(halt)
    store.grow_table(1)
    if halt == threaded.INTERRUPTED:  # no piece moved: the search ends here
        assert store.table.size == 0
        with pytest.raises(ValueError, match="end_growth: 0 of 300 rows moved"):
            store.table.end_growth()
    else:  # the growth ends: every state is counted
        assert store.table.size == 300
        mask = np.zeros(300, dtype=np.uint8)
        store.table.contains(states, mask)
        assert mask.all()


def test_workers_and_threads_together_are_refused():
    with pytest.raises(CspError, match="worker processes or threads, not both"):
        Budget(workers=2, threads=2)
    with pytest.raises(CspError, match="number of threads must be 1..255"):
        Budget(threads=0)


def interrupted_start(monkeypatch, starts_late):
    """Ctrl-C in the middle of starting the second search thread: it runs a moment later, or never."""
    start = threading.Thread.start

    def interrupted(thread):
        if thread.name != "cspotlp-search-1":
            return start(thread)
        if starts_late:
            threading.Timer(0.05, start, args=(thread,)).start()
        raise KeyboardInterrupt

    monkeypatch.setattr(threading.Thread, "start", interrupted)
    monkeypatch.setattr(threaded, "START", 0.2)


@pytest.mark.parametrize("starts_late", [True, False])
def test_ctrl_c_while_the_threads_start_ends_the_search_cleanly(monkeypatch, starts_late):
    m = dining_philosophers(6)
    monkeypatch.setattr(levels, "CHUNK", 64)  # levels of several chunks: threads start
    interrupted_start(monkeypatch, starts_late)
    with pytest.raises(KeyboardInterrupt):  # not "cannot join thread before it is started"
        explore(m.process, m.env, budget=Budget(engine="native", threads=2))
    assert no_search_threads()


@pytest.mark.parametrize("starts_late", [True, False])
def test_ctrl_c_while_helpers_start_stops_the_work_on_every_thread(monkeypatch, starts_late):
    program, words = kernel_program(monkeypatch, dining_philosophers(5))
    store = levels.LevelStore(program, words, Budget(engine="native", threads=2), threads=2)
    assert store.shared is not None
    done = []
    interrupted_start(monkeypatch, starts_late)
    monkeypatch.setattr(threaded, "ALONE", 0.0)  # the helpers start before any item
    with pytest.raises(KeyboardInterrupt):
        store.shared._each(range(1000), lambda _program, item: done.append(item))
    time.sleep(0.2)  # a helper left running would have started and taken the items by now
    assert no_search_threads()
    assert done == []  # the calling thread took no item, nor did a helper that started late


def test_ctrl_c_ends_a_threaded_search_at_once():
    proc = start_cli("explore", "--builtin", "dining_philosophers", "--n", "11", "--threads", "2", "--progress")
    assert proc.stderr is not None
    first = proc.stderr.readline()  # a progress line: the threads are searching
    assert "states" in first, first
    out, err = interrupt(proc, timeout=10)
    assert proc.returncode == 130, err
    assert err.strip().endswith("cspotlp: interrupted") and "Traceback" not in err + out


@pytest.mark.parametrize(("options", "threads"), [([], 4), (["--threads", "3"], 3), (["--workers", "2"], 1),
                                                  (["--threads", "auto"], 4), (["--threads", "1"], 1)])
def test_the_cli_searches_on_every_core_unless_told_otherwise(monkeypatch, options, threads):
    monkeypatch.setattr(os, "cpu_count", lambda: 4)
    for command in (["explore", "--builtin", "dining_philosophers"], ["check", "x.csp"]):
        args = build_parser().parse_args([*command, *options])
        assert budget_for(args, None).threads == threads


def test_the_cli_refuses_threads_with_workers(capsys):
    # the same answer on threads: tests/unit/csp/test_spill.py
    args = ["explore", "--builtin", "dining_philosophers", "--n", "5", "--threads", "2", "--workers", "2"]
    assert main(args) == 2
    assert "worker processes or threads, not both" in capsys.readouterr().err
