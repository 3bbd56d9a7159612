"""Which worker process owns a state (:mod:`cspotlp.csp.partition`): a hash of the fields that
moves rarely change, chosen from a sample of the first levels; the kernel's search and its
``owners`` agree on it, and the answers do not depend on it."""

import dataclasses
from unittest import mock

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cspotlp.cli import main
from cspotlp.csp import Budget, explore, levels, native, parallel, partition
from cspotlp.csp.budget import resident_memory
from cspotlp.csp.models import buffer_pipeline, dining_philosophers
from tests.native_checks import answer, searches

pytestmark = [
    pytest.mark.skipif(native.KERNEL is None, reason=f"native engine: {native.UNAVAILABLE}"),
]


@pytest.fixture(autouse=True)
def unhurried(monkeypatch):
    """Samples are not cut short by the clock (a busy machine would change the choices tested)."""
    monkeypatch.setattr(partition, "SECONDS", float("inf"))


needs_fork = pytest.mark.skipif(not parallel.can_fork(), reason="worker processes are forked: this platform cannot fork")


def search_parts(m):
    """What a search of ``m`` over workers chooses its partition from: (expander, layout, spec)."""
    made = {}
    make = native.program

    def program(expander, spec, layout, mask):
        made.update(expander=expander, layout=layout, spec=spec)
        return make(expander, spec, layout, mask)

    whole = partition.Partition(2, 0, (), 0.5, 0.5, 1.0)
    with (mock.patch.object(partition, "choose", lambda *a: whole), mock.patch.object(native, "program", program),
          mock.patch.object(parallel, "can_fork", lambda: True)):
        explore(m.process, m.env, budget=Budget(engine="native", workers=2, state_limit=1000))
    return made["expander"], made["layout"], made["spec"]


words = st.integers(0, 2**63 - 1)


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 3).flatmap(lambda k: st.lists(st.tuples(st.lists(words, min_size=k, max_size=k),
                                                               st.lists(words, min_size=k, max_size=k)),
                                                     min_size=1, max_size=30)),
       words, st.integers(2, 9))
def test_the_owner_is_a_hash_of_the_mask_bits_alone(pairs, mask, parts):
    # rows that agree on the mask's bits of word 0 have one owner, whatever their other bits
    rows = np.array([a for a, _ in pairs], dtype=np.uint64)
    others = np.array([b for _, b in pairs], dtype=np.uint64)
    keep = np.uint64(mask)
    others[:, 0] = (rows[:, 0] & keep) | (others[:, 0] & ~keep)
    got = partition.owners(mask, rows, parts)
    assert (got < parts).all()
    if mask:
        assert (partition.owners(mask, others, parts) == got).all()


def test_the_whole_hash_and_a_wide_mask_split_many_states_evenly():
    rows = np.arange(20_000, dtype=np.uint64).reshape(-1, 1) * np.uint64(2654435761)
    for mask in (0, 2**40 - 1):
        share = np.bincount(partition.owners(mask, rows, 2), minlength=2) / len(rows)
        assert abs(share[0] - 0.5) < 0.02, (mask, share)
    # a mask of one bit leaves two values: at most two owners
    assert len(set(partition.owners(1 << 10, rows, 5).tolist())) <= 2


def test_the_dining_philosophers_are_split_by_some_forks():
    m = dining_philosophers(6)  # components: the philosophers 0-5, then the forks 6-11
    expander, layout, _ = search_parts(m)
    chosen = partition.choose(expander, layout, 2)
    assert chosen.mask and chosen.components
    assert len(layout.radices) - 1 not in chosen.components  # the specification's node is never hashed
    assert chosen.crossing <= partition.KEEP * chosen.whole_crossing
    assert 0.45 < chosen.whole_crossing < 0.55  # a successor is the other worker's half the time
    assert chosen.largest <= partition.EVEN
    # the mask is the bits of the chosen components' fields in word 0
    bits = 0
    for i in chosen.components:
        f = layout.fields[i]
        assert f.word == 0
        bits |= f.mask << f.shift
    assert bits == chosen.mask
    names = [f"PHIL({i})" for i in range(6)] + [f"FORK({i})" for i in range(6)]
    said = chosen.describe(names)
    assert said.startswith("states split by a hash of ") and "FORK(" in said
    assert chosen.describe().startswith(f"states split by a hash of {len(chosen.components)} components (")


def test_a_small_search_keeps_the_whole_hash():
    # 214 states: too few values in any few fields to split them evenly
    expander, layout, _ = search_parts(dining_philosophers(3))
    chosen = partition.choose(expander, layout, 2)
    assert chosen.mask == 0 and chosen.components == ()
    assert "the whole state" in chosen.describe()


def test_a_process_without_moves_keeps_the_whole_hash():
    from cspotlp import csp

    m = dining_philosophers(2)
    m = dataclasses.replace(m, process=csp.interleave(csp.STOP, csp.STOP))
    expander, layout, _ = search_parts(m)
    assert partition.choose(expander, layout, 2).mask == 0


def test_no_sample_is_taken_where_the_memory_bound_leaves_no_room():
    expander, layout, _ = search_parts(dining_philosophers(6))
    tight = Budget(memory_limit=resident_memory() + (1 << 20))  # the sample's table takes 2 MiB or more
    chosen = partition.choose(expander, layout, 2, tight)
    assert chosen.mask == 0 and "no sample" in chosen.describe()
    assert partition.choose(expander, layout, 2, Budget()).mask != 0


def test_the_sample_takes_a_tenth_of_the_time_left_at_most():
    expander, layout, _ = search_parts(dining_philosophers(6))
    hurried = Budget(time_limit=0.001)  # a tenth of it is up before the first level is expanded
    assert partition.choose(expander, layout, 2, hurried).mask == 0
    assert partition.choose(expander, layout, 2, Budget(time_limit=3600)).mask != 0


def test_the_sample_is_bounded(monkeypatch):
    expander, layout, _ = search_parts(dining_philosophers(8))
    monkeypatch.setattr(partition, "SAMPLE", 500)
    lv, sources, targets = partition.sample(expander, layout)
    assert sum(len(x) for x in lv[:-1]) < 500 <= sum(len(x) for x in lv)
    assert len(sources) == len(targets) > 0
    monkeypatch.setattr(partition, "SAMPLE", 10**6)
    monkeypatch.setattr(partition, "MAX_MOVES", 1000)
    monkeypatch.setattr(partition, "CHUNK", 16)
    _, sources, _ = partition.sample(expander, layout)
    assert 1000 <= len(sources) < 1000 + 16 * expander.max_candidates
    monkeypatch.setattr(partition, "MAX_MOVES", 10**6)
    monkeypatch.setattr(partition, "MAX_LEVELS", 3)
    lv, _, _ = partition.sample(expander, layout)
    assert len(lv) == 4  # three levels expanded, and the fourth they reach
    monkeypatch.setattr(partition, "MAX_LEVELS", 64)
    lv, sources, _ = partition.sample(expander, layout, seconds=0.0)
    assert len(lv) == 2 and 0 < len(sources) <= expander.max_candidates  # the initial state's moves: time is up


@pytest.mark.parametrize("mask", [0, "chosen"])
def test_the_kernel_hands_over_exactly_the_states_another_worker_owns(mask):
    expander, layout, spec = search_parts(dining_philosophers(6))
    chosen = partition.choose(expander, layout, 3).mask if mask == "chosen" else 0
    program = native.program(expander, spec, layout, chosen)
    assert program.owner_mask == chosen
    handed = []
    store = levels.LevelStore(program, layout.words, Budget(engine="native"), parts=3, me=1,
                              hand_over=lambda states, to: handed.append((states.copy(), to.copy())))
    store.seed(np.zeros((1, layout.words), dtype=np.uint64))
    for level in range(6):
        store.expand(level)
    stored = np.concatenate([b for lv in store.levels for b in lv])
    assert (partition.owners(chosen, stored, 3) == 1).all()
    states = np.concatenate([s for s, _ in handed])
    to = np.concatenate([t for _, t in handed])
    assert len(states) and (partition.owners(chosen, states, 3) == to).all() and (to != 1).all()


@needs_fork
@pytest.mark.parametrize("model", [dining_philosophers(6), dining_philosophers(5, butler=True), buffer_pipeline(6)],
                         ids=["dining", "butler", "pipeline"])
@pytest.mark.parametrize("mask", [1, 2**63 - 1, "chosen"])
def test_the_answers_do_not_depend_on_the_partition(model, mask):
    # one bit of word 0 (one or two owners: very uneven), every bit, or the chosen fields (at
    # N = 6 some forks; the other two are too small and keep the whole hash)
    reference = [answer(check(Budget(engine="native"))) for check in searches(model, state_limit=300)]
    forced = None if mask == "chosen" else partition.Partition(3, mask, (), 0.0, 0.0, 1.0)
    with mock.patch.object(partition, "choose", (lambda *a: forced) if forced else partition.choose):
        got = [answer(check(Budget(engine="native", workers=3))) for check in searches(model, state_limit=300)]
    assert got == reference


@needs_fork
def test_the_cli_says_how_the_workers_split_the_states(capsys):
    assert main(["explore", "--builtin", "dining_philosophers", "--n", "6", "--workers", "2"]) == 1  # it deadlocks
    out = capsys.readouterr().out
    line = next(x for x in out.splitlines() if x.startswith("  on 2 workers: "))
    assert "states split by a hash of " in line and "FORK(" in line and "of moves change worker" in line
