"""The native engine on models large enough to grow its table, fill blocks of states and need two
words a state: the same verdicts, counts and counterexamples as the numpy engine."""

import os
import sys
import threading
import types

import numpy as np
import pytest

import cspotlp.csp
from cspotlp import csp
from cspotlp.csp import (
    Budget,
    Environment,
    compile_network,
    deadlock_free,
    divergence_free,
    explore,
    levels,
    native,
    refines,
)
from cspotlp.csp.budget import resident_memory
from cspotlp.csp.models import dining_philosophers
from cspotlp.csp.search import SpecAutomaton, search
from cspotlp.csp.semantics import Semantics
from cspotlp.errors import CspError
from tests.native_checks import kernel_program

needs_native = pytest.mark.skipif(native.KERNEL is None, reason=f"native engine: {native.UNAVAILABLE}")


def outcome(verdict):
    return (verdict.holds, verdict.states, verdict.transitions, verdict.reason, verdict.counterexample)


def both(check):
    reference = check(Budget(engine="numpy"))
    fast = check(Budget(engine="native"))
    assert outcome(fast) == outcome(reference)
    return fast


def token_ring(n):
    """n stations passing one token: 2n states, but 2 bits a station (two words from 32 on)."""
    env = Environment()
    work, take = env.channel("work", range(n)), env.channel("take", range(n))
    env.define("HOLD", lambda i: csp.prefixes([work.event(i), take.event((i + 1) % n)], csp.call("IDLE", i)))
    env.define("IDLE", lambda i: csp.prefix(take.event(i), csp.call("HOLD", i)))
    stations = [(frozenset({work.event(i), take.event(i), take.event((i + 1) % n)}),
                 csp.call("HOLD" if i == 0 else "IDLE", i)) for i in range(n)]
    return env, csp.apar_all(stations), work


@needs_native
def test_dining_philosophers_checks_agree():
    m = dining_philosophers(6)  # 46,656 states: the table grows four times
    e = explore(m.process, m.env, budget=Budget(engine="native"))
    reference = explore(m.process, m.env, budget=Budget(engine="numpy"))
    assert (e.states, e.transitions, e.complete) == (reference.states, reference.transitions, True)
    assert e.states == 6 ** 6
    v = both(lambda b: deadlock_free(m.process, m.env, "F", budget=b))
    assert v.holds is False and len(v.counterexample.trace) == 12
    (spec, impl), = m.refinements.values()
    assert both(lambda b: refines(spec, impl, m.env, "T", budget=b)).holds is True
    assert both(lambda b: refines(spec, impl, m.env, "F", budget=b)).holds is False


@needs_native
def test_two_words_a_state():
    env, ring, work = token_ring(40)
    net = compile_network(ring, Semantics(env))
    res = search(net, SpecAutomaton.anything(net.events), engine="native")
    assert res.layout is not None and res.layout.words == 2
    assert res.states == 80 and res.engine == "native"
    # after station 0, station 2 must work (but station 1 does): a counterexample through two words
    spec = csp.prefixes([work.event(0), work.event(2)], csp.run(set(work.events())))
    v = both(lambda b: refines(spec, csp.hide(ring, set(env.channels["take"].events())), env, "T", budget=b))
    assert v.holds is False and [str(e) for e in v.counterexample.trace] == ["work.0"]
    assert str(v.counterexample.error_event) == "work.1"


@needs_native
def test_blocks_of_states_fill_and_the_limit_holds_within_a_level():
    env = Environment()
    ws = [env.channel(f"w{i}").event() for i in range(17)]
    wide = csp.interleave(*(csp.prefix(w, csp.STOP) for w in ws))  # 131,072 states: two blocks
    assert explore(wide, env, budget=Budget(engine="native")).states == 2 ** 17
    assert both(lambda b: deadlock_free(wide, env, "F", budget=b)).states == 2 ** 17
    for limit in (2, 17, 1000, 70_000):
        v = deadlock_free(wide, env, "F", budget=Budget(engine="native", state_limit=limit))
        assert v.holds is None and v.states == limit and "state limit" in v.reason


@needs_native
def test_divergence_is_found_and_explained():
    env = Environment()
    a, b = env.channel("a").event(), env.channel("b").event()
    env.define("LOOP", lambda: csp.prefix(a, csp.call("LOOP")))
    p = csp.interleave(csp.prefix(b, csp.hide(csp.call("LOOP"), {a})), csp.run({b}))
    v = both(lambda bud: divergence_free(p, env, budget=bud))
    assert v.holds is False and v.counterexample.divergence_loop


@needs_native
def test_a_memory_bound_stops_the_native_engine():
    m = dining_philosophers(8)
    budget = Budget(engine="native", memory_limit=resident_memory() + (8 << 20))
    e = explore(m.process, m.env, budget=budget)
    assert not e.complete and e.reason.startswith("memory limit")


@needs_native
def test_the_kernels_hash_set_of_two_word_states():
    table = native.KERNEL.Table(2, 6)  # 64 slots
    keys = np.array([[i % 10, 7 * (i % 10) + (1 << 62)] for i in range(25)], dtype=np.uint64)
    out = np.zeros((25, 2), dtype=np.uint64)
    pos, limited = table.add(keys, out, 0, 1000)
    assert (pos, limited, table.size) == (10, 0, 10)  # each distinct key once, in order of arrival
    assert (out[:10] == keys[:10]).all()
    mask = np.zeros(3, dtype=np.uint8)
    table.contains(np.array([[3, 21 + (1 << 62)], [3, 21], [11, 77 + (1 << 62)]], dtype=np.uint64), mask)
    assert mask.tolist() == [1, 0, 0]
    more = np.array([[20 + i, i] for i in range(10)], dtype=np.uint64)
    pos, limited = table.add(more, None, 0, 14)  # the state limit: the 15th new key is refused
    assert (limited, table.size) == (1, 14)
    with pytest.raises(ValueError, match="too small"):
        table.add(np.zeros((60, 2), dtype=np.uint64), None, 0, 1000)
    table.reset(7)
    assert (table.size, table.bits) == (0, 7)


@needs_native
@pytest.mark.parametrize(("words", "movers", "spilled"), [(1, 1, False), (2, 3, False), (3, 2, True)])
def test_a_table_grown_by_moving_its_rows_holds_them_all(tmp_path, words, movers, spilled):
    rng = np.random.default_rng(words)
    keys = np.unique(rng.integers(1, 1 << 62, size=(300_000, words), dtype=np.uint64), axis=0)
    table = native.KERNEL.Table(words, 19, str(tmp_path) if spilled else None)  # mapped: pages given back
    table.add(keys, None, 0, len(keys))
    old = table.grow(21)
    assert (old, table.size, table.bits) == (1 << 19, 0, 21)
    # pieces that end inside pages; several threads move pieces at once (shared)
    pieces = iter([(lo, min(lo + 10_000, old)) for lo in range(0, old, 10_000)])
    lock = threading.Lock()

    def mover() -> None:
        while True:
            with lock:
                piece = next(pieces, None)
            if piece is None:
                return
            table.move(*piece, movers > 1)

    helpers = [threading.Thread(target=mover) for _ in range(movers - 1)]
    for t in helpers:
        t.start()
    mover()
    for t in helpers:
        t.join()
    table.end_growth()
    assert table.size == len(keys)
    mask = np.zeros(len(keys), dtype=np.uint8)
    table.contains(keys, mask)
    assert mask.all()
    table.add(keys, None, 0, 1 << 40)
    assert table.size == len(keys)  # each row once: adding them again adds none
    others = keys.copy()
    others[:, -1] ^= 1 << 62
    table.contains(others, mask)
    assert not mask.any()


def store_of_2000_states(monkeypatch, quick_bytes):
    """A one-process store holding 2,000 one-word states, quadrupling its table up to ``quick_bytes``."""
    program, words = kernel_program(monkeypatch, dining_philosophers(3))
    monkeypatch.setattr(levels, "QUICK_GROWTH_BYTES", quick_bytes)
    store = levels.LevelStore(program, words, Budget(engine="native"))
    states = np.arange(1, 2001, dtype=np.uint64).reshape(-1, 1)
    store.receive(states)
    return store, states


def assert_holds_exactly(store, states):
    mask = np.zeros(len(states), dtype=np.uint8)
    store.table.contains(states, mask)
    assert store.table.size == len(states) and mask.all()


@needs_native
def test_a_small_table_grows_four_times_over_a_large_or_bounded_one_twice(monkeypatch):
    store, states = store_of_2000_states(monkeypatch, 1 << 20)  # 2**17 one-word slots
    grown = []
    for _ in range(4):
        store.grow_table(1)
        grown.append(store.table.bits)
    assert (levels.FIRST_BITS, grown) == (12, [14, 16, 17, 18])
    monkeypatch.setattr(levels, "MAX_TABLE_BITS", 19)
    monkeypatch.setattr(levels, "QUICK_GROWTH_BYTES", 1 << 30)
    store.grow_table(1)  # four times over is beyond the bound: twice
    assert store.table.bits == 19
    assert_holds_exactly(store, states)


@needs_native
def test_a_partition_grows_four_times_over_to_a_pth_of_the_bound(monkeypatch):
    # over two workers, the partitions' tables together stay within the bound of one table
    program, words = kernel_program(monkeypatch, dining_philosophers(3))
    monkeypatch.setattr(levels, "QUICK_GROWTH_BYTES", 1 << 19)  # 2**16 one-word slots
    grown = {}
    for parts in (1, 2):
        store = levels.LevelStore(program, words, Budget(engine="native"), parts=parts,
                                  hand_over=lambda states, owners: None)
        grown[parts] = []
        for _ in range(3):
            store.grow_table(1)
            grown[parts].append(store.table.bits)
    assert grown == {1: [14, 16, 17], 2: [14, 15, 16]}


@needs_native
def test_a_table_grows_ahead_to_the_bits_asked_within_the_bounds(monkeypatch):
    # a partition grows when another must (parallel.Workers): to the bits asked, never smaller,
    # and not where the bounds forbid it (it grows when it must, as it would have)
    store, states = store_of_2000_states(monkeypatch, 1 << 19)  # 2**16 one-word slots
    bits = store.table.bits
    store.grow_ahead(bits)
    assert store.table.bits == bits  # not smaller than it is
    store.grow_ahead(bits + 1)
    assert store.table.bits == bits + 2  # four times over while small, as any growth
    monkeypatch.setattr(levels, "MAX_TABLE_BITS", bits + 3)
    store.grow_ahead(bits + 4)
    assert store.table.bits == bits + 2  # beyond the bound: no growth, and no error
    assert_holds_exactly(store, states)


@needs_native
def test_a_growth_is_refused_out_of_turn():
    table = native.KERNEL.Table(1, 6)
    table.add(np.arange(1, 11, dtype=np.uint64).reshape(-1, 1), None, 0, 100)
    with pytest.raises(ValueError, match="move: no growth is under way"):
        table.move(0, 1, False)
    with pytest.raises(ValueError, match="end_growth: no growth is under way"):
        table.end_growth()
    with pytest.raises(ValueError, match=r"grow: 2\*\*6 slots is not larger than 2\*\*6"):
        table.grow(6)
    old = table.grow(8)
    with pytest.raises(ValueError, match="grow: a growth is under way"):
        table.grow(9)
    with pytest.raises(ValueError, match="add: the table is growing"):
        table.add(np.array([[11]], dtype=np.uint64), None, 0, 100)
    with pytest.raises(ValueError, match="contains: the table is growing"):
        table.contains(np.array([[1]], dtype=np.uint64), np.zeros(1, dtype=np.uint8))
    with pytest.raises(ValueError, match="move: old slots out of range"):
        table.move(0, old + 1, False)
    table.move(0, 0, False)
    with pytest.raises(ValueError, match="end_growth: 0 of 10 rows moved"):
        table.end_growth()
    table.reset(6)
    assert (table.size, table.bits) == (0, 6)
    table.grow(7)
    table.reset(6)  # a reset ends a growth under way
    with pytest.raises(ValueError, match="move: no growth is under way"):
        table.move(0, 1, False)


@needs_native
def test_a_time_bound_and_progress_on_the_native_engine():
    m = dining_philosophers(7)  # 279,934 states: many kernel calls
    reports = []
    e = explore(m.process, m.env, budget=Budget(engine="native", progress=reports.append))
    assert e.complete and e.states == 279_934
    assert reports and reports[-1].states == e.states and reports[-1].transitions == e.transitions
    stopped = explore(m.process, m.env, budget=Budget(engine="native", time_limit=1e-6))
    assert not stopped.complete and stopped.reason.startswith("time limit 1e-06 s reached after ")
    assert stopped.states < e.states


def test_asking_for_a_missing_native_engine_is_an_error(monkeypatch):
    monkeypatch.setattr(native, "UNAVAILABLE", "not built here")
    m = dining_philosophers(3)
    with pytest.raises(CspError, match="the native engine is not available: not built here"):
        explore(m.process, m.env, budget=Budget(engine="native"))
    assert explore(m.process, m.env).states == 214  # auto: the numpy engine


def test_a_stale_or_disabled_kernel_is_not_used(monkeypatch):
    stale = types.ModuleType("cspotlp.csp._native")
    stale.ABI_VERSION = native.ABI_VERSION - 1  # built from an older _native.c
    monkeypatch.setitem(sys.modules, "cspotlp.csp._native", stale)
    monkeypatch.setattr(cspotlp.csp, "_native", stale, raising=False)
    monkeypatch.delenv(native.DISABLE_VARIABLE, raising=False)
    kernel, why = native._load()
    assert kernel is None and "stale" in why
    monkeypatch.setenv(native.DISABLE_VARIABLE, "1")
    kernel, why = native._load()
    assert kernel is None and why == f"disabled by {native.DISABLE_VARIABLE}"


def test_a_build_older_than_its_source_is_not_used(monkeypatch, tmp_path):
    built, source = tmp_path / "_native.so", tmp_path / "_native.c"
    built.write_bytes(b"")
    source.write_text("/* edited after the build */\n")
    os.utime(built, (1_000_000, 1_000_000))
    old = types.ModuleType("cspotlp.csp._native")
    old.ABI_VERSION = native.ABI_VERSION
    old.__file__ = str(built)
    monkeypatch.setitem(sys.modules, "cspotlp.csp._native", old)
    monkeypatch.setattr(cspotlp.csp, "_native", old, raising=False)
    monkeypatch.setattr(native, "SOURCE", str(source))
    monkeypatch.delenv(native.DISABLE_VARIABLE, raising=False)
    kernel, why = native._load()
    assert kernel is None and "older than" in why
    os.utime(built, None)
    os.utime(source, (1_000_000, 1_000_000))
    assert native._load() == (old, "")
