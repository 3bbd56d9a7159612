"""The visited set on disk (:mod:`cspotlp.csp.external`): sorted runs, merged in slices, without
the states of the stored levels; and a spilled search whose table cannot grow goes on with it,
giving the answers of the search in memory."""

import os

import numpy as np
import pytest

from cspotlp.csp import (
    Budget,
    engine,
    explore,
    external,
    levels,
    native,
    parallel,
)
from cspotlp.csp import budget as budget_module
from cspotlp.csp.models import dining_philosophers
from cspotlp.errors import LimitReached
from tests.native_checks import answer, searches

pytestmark = pytest.mark.skipif(native.KERNEL is None, reason=f"native engine: {native.UNAVAILABLE}")


LIMIT = 20_000
"""The state limit of the last of the searches compared (an exploration it stops)."""


def as_set(rows):
    return {tuple(int(w) for w in row) for row in rows}


@pytest.mark.parametrize("k", [1, 2, 3])
def test_keys_sort_rows_into_one_total_order_and_back(k):
    rows = np.random.default_rng(k).integers(0, 50, size=(500, k), dtype=np.uint64)
    distinct = external.rows_of(np.unique(external.keys(rows)), k)
    assert as_set(distinct) == as_set(rows) and len(distinct) == len(as_set(rows))
    level = rows.copy()
    external.sort_level(level)
    assert np.array_equal(external.keys(level), np.sort(external.keys(rows)))


@pytest.mark.parametrize("k", [1, 2])
def test_the_next_level_is_the_runs_without_duplicates_or_visited_states(tmp_path, monkeypatch, k):
    # slices of 64 states and at most 3 runs: many slices, and runs merged on the way
    monkeypatch.setattr(external, "SLICE", 64)
    monkeypatch.setattr(external, "SAMPLES", 4)
    monkeypatch.setattr(external, "MAX_RUNS", 3)
    rng = np.random.default_rng(7)
    visited = [rng.integers(0, 300, size=(n, k), dtype=np.uint64) for n in (40, 0, 250)]
    visited = [np.unique(v, axis=0) for v in visited]
    disk = external.DiskVisited(str(tmp_path), k, Budget(spill=str(tmp_path)), stored=0)
    runs = [np.unique(rng.integers(0, 300, size=(n, k), dtype=np.uint64), axis=0) for n in (100, 1, 400, 77, 0, 300)]
    for run in runs:
        disk.add_run([run[: len(run) // 2], run[len(run) // 2:]])
    assert len(disk.runs) < 3
    levels_so_far = [[v] if len(v) else [] for v in visited]
    new = disk.next_level(levels_so_far)
    expected = set().union(*map(as_set, runs)) - set().union(*map(as_set, visited))
    assert as_set(new) == expected and len(new) == len(expected)
    assert np.array_equal(external.keys(new), np.sort(external.keys(new)))  # sorted
    assert all(np.array_equal(external.keys(v[0]), np.sort(external.keys(v[0]))) for v in levels_so_far if v)
    assert disk.stored == len(expected) and disk.runs == []
    assert os.listdir(tmp_path) == []  # unlinked as soon as mapped


def test_the_time_bound_stops_a_level_s_merge(tmp_path):
    disk = external.DiskVisited(str(tmp_path), 1, Budget(spill=str(tmp_path), time_limit=0), stored=5)
    disk.add_run([np.arange(10, dtype=np.uint64).reshape(-1, 1)])
    with pytest.raises(LimitReached, match="time limit 0 s reached after 5 states"):
        disk.next_level([])
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize(("butler", "word_bits"), [(False, 63), (True, 63), (False, 8)])
def test_a_spilled_search_whose_table_cannot_grow_gives_the_answers_of_one_in_memory(
        tmp_path, monkeypatch, butler, word_bits):
    # 8-bit words: a state takes several words, compared as bytes on disk
    monkeypatch.setattr(engine, "WORD_BITS", word_bits)
    m = dining_philosophers(6, butler=butler)
    in_memory = [answer(check(Budget(engine="native"))) for check in searches(m, LIMIT)]
    moved = []
    next_level = external.DiskVisited.next_level

    def watch(disk, stored):
        moved.append(len(disk.runs))
        return next_level(disk, stored)

    monkeypatch.setattr(external.DiskVisited, "next_level", watch)
    monkeypatch.setattr(levels, "MAX_TABLE_BITS", levels.FIRST_BITS)  # 2,867 states fill it
    monkeypatch.setattr(external, "SLICE", 4096)
    on_disk = [answer(check(Budget(engine="native", spill=str(tmp_path)))) for check in searches(m, LIMIT)]
    assert on_disk == in_memory
    assert moved and max(moved) > 1  # levels were built from several runs
    assert os.listdir(tmp_path) == []


def test_a_level_s_merge_on_disk_reports_its_progress(tmp_path, monkeypatch):
    monkeypatch.setattr(levels, "MAX_TABLE_BITS", levels.FIRST_BITS)
    monkeypatch.setattr(external, "SLICE", 1024)
    monkeypatch.setattr(budget_module, "REPORT_EVERY", 0.0)
    reports = []
    m = dining_philosophers(6)
    e = explore(m.process, m.env, budget=Budget(engine="native", spill=str(tmp_path), progress=reports.append))
    assert e.complete and e.states == 6 ** 6
    merging = [r.phase for r in reports if r.phase.startswith("merging a level with the visited set on disk: ")]
    assert len(merging) > 10 and merging[-1].endswith("duplicates included)")


def test_a_table_that_cannot_grow_stops_a_search_in_memory_and_says_why(monkeypatch):
    monkeypatch.setattr(levels, "MAX_TABLE_BITS", levels.FIRST_BITS)
    m = dining_philosophers(6)
    e = explore(m.process, m.env, budget=Budget(engine="native"))
    assert not e.complete
    assert e.reason.startswith(f"the state table cannot grow beyond 2**{levels.FIRST_BITS} slots")


def test_a_partitioned_search_moves_each_partition_s_visited_set_to_disk(tmp_path, monkeypatch):
    if not parallel.can_fork():
        pytest.skip("worker processes are forked: this platform cannot fork")
    m = dining_philosophers(6)
    in_memory = [answer(check(Budget(engine="native"))) for check in searches(m, LIMIT)]
    # each worker stores about 23,000 states, past the 2,867 its capped table holds: without
    # moving to disk it would stop ("cannot grow"), so the same complete answers show it moved
    monkeypatch.setattr(levels, "MAX_TABLE_BITS", levels.FIRST_BITS)
    on_disk = [answer(check(Budget(engine="native", workers=2, spill=str(tmp_path)))) for check in searches(m, LIMIT)]
    assert on_disk == in_memory
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("k", [1, 2, 3])
def test_the_kernel_merge_finds_exactly_the_rows_of_the_level(k):
    # numbers past 2**63 too: one word compares as an unsigned number, several as bytes
    rng = np.random.default_rng(k)
    for n, m in [(0, 5), (5, 0), (1, 1), (300, 40), (40, 300)]:
        pool = rng.integers(0, 1 << 64, size=(60, k), dtype=np.uint64, endpoint=False)
        part = external.rows_of(np.unique(external.keys(pool[rng.integers(0, 60, n)])), k)
        near = external.rows_of(np.unique(external.keys(pool[rng.integers(0, 60, m)])), k)
        keep = np.ones(len(part), dtype=np.uint8)
        native.KERNEL.unseen(part, near, k, keep)
        assert as_set(part[keep == 1]) == as_set(part) - as_set(near)
