"""The native engine is the numpy engine, faster: on random networks every check gives the same
verdict, the same state and transition counts and the same counterexample (to the step) on both,
also when a state limit stops them (and so does the native search partitioned over several worker
processes or threads, states packed as mixed-radix cells, and a visited set on disk); and its deadlock counterexamples are shortest ones, measured on the term semantics'
own LTS.

The numpy engine (``Budget(engine="numpy")``) is the reference; the native one (the C kernel,
``cspotlp/csp/_native.c``) runs by default when it is built.
"""

import os
import tempfile
from unittest import mock

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from cspotlp import csp
from cspotlp.csp import (
    Budget,
    build_lts,
    deadlock_free,
    deterministic,
    divergence_free,
    engine,
    explore,
    external,
    levels,
    native,
    parallel,
    partition,
    refines,
    threaded,
)
from tests.strategies import ENV, A, B, C, processes

pytestmark = pytest.mark.skipif(native.KERNEL is None, reason=f"native engine: {native.UNAVAILABLE}")


def networks(p, q, r):
    yield csp.interleave(p, q, r)
    yield csp.par(csp.interleave(p, q), {A}, r)
    yield csp.hide(csp.interleave(p, q, r), {B})
    yield csp.apar(csp.interleave(p, csp.SKIP), {A, C}, {A, B}, csp.rename(q, [(B, C)]))
    yield csp.link(csp.interleave(p, r), [(A, B)], q)
    yield csp.seq(csp.interleave(p, q), r)


def outcome(verdict):
    """Everything a verdict says except how long it took."""
    return (verdict.holds, verdict.kind, verdict.states, verdict.transitions, verdict.reason,
            verdict.counterexample, verdict.notes)


def checks(spec, net, limit):
    yield lambda b: explore(net, ENV, budget=b)
    yield lambda b: deadlock_free(net, ENV, "F", budget=b)
    yield lambda b: deadlock_free(net, ENV, "FD", budget=b)
    yield lambda b: divergence_free(net, ENV, budget=b)
    yield lambda b: deterministic(net, ENV, "FD", budget=b)
    for model in ("T", "F", "FD"):
        yield lambda b, m=model: refines(spec, net, ENV, m, budget=b)
    yield lambda b: deadlock_free(net, ENV, "F", budget=b.narrowed(limit))
    yield lambda b: refines(spec, net, ENV, "F", budget=b.narrowed(limit))


def explored(e):
    return (e.states, e.transitions, e.complete, e.reason)


def same(check, reference_engine="numpy", **options):
    reference = check(Budget(engine=reference_engine))
    fast = check(Budget(engine="native", **options))
    if hasattr(reference, "holds"):
        assert outcome(fast) == outcome(reference)
    else:
        assert explored(fast) == explored(reference)


@settings(max_examples=25, deadline=None)
@given(processes, processes, processes, processes, st.integers(min_value=1, max_value=40))
def test_native_engine_matches_the_numpy_engine(spec, p, q, r, limit):
    for net in networks(p, q, r):
        for check in checks(spec, net, limit):
            same(check)


@settings(max_examples=8, deadline=None)
@given(processes, processes, processes, processes, st.integers(min_value=1, max_value=40),
       st.integers(min_value=2, max_value=4), st.none() | st.integers(min_value=1, max_value=2**16 - 1))
def test_the_partitioned_search_matches_the_one_process_search(spec, p, q, r, limit, workers, mask):
    # the same levels, partitioned by hash over forked workers (cspotlp.csp.parallel): the same
    # verdicts, counts, counterexamples and limits; whatever bits of the state the owner is a
    # hash of (``mask``; None: the ones cspotlp.csp.partition chooses)
    if not parallel.can_fork():
        pytest.skip("worker processes are forked: this platform cannot fork")
    forced = partition.Partition(workers, mask, (), 0.0, 0.0, 1.0) if mask else None
    with mock.patch.object(partition, "choose", (lambda *a: forced) if forced else partition.choose):
        for net in networks(p, q, r):
            for check in checks(spec, net, limit):
                same(check, reference_engine="native", workers=workers)


@settings(max_examples=10, deadline=None)
@given(processes, processes, processes, processes, st.integers(min_value=1, max_value=40),
       st.integers(min_value=1, max_value=3))
def test_a_search_with_its_visited_set_on_disk_matches_the_one_in_memory(spec, p, q, r, limit, workers):
    # a spilled search whose table of 16 slots cannot grow: every level is built from runs of
    # at most 11 states, merged in slices of 8 without the stored levels (cspotlp.csp.external);
    # over workers, each partition does so with its own states
    if workers > 1 and not parallel.can_fork():
        workers = 1
    for net in networks(p, q, r):
        for check in checks(spec, net, limit):
            reference = check(Budget(engine="native"))
            with (tempfile.TemporaryDirectory() as folder, mock.patch.object(levels, "FIRST_BITS", 4),
                  mock.patch.object(levels, "MAX_TABLE_BITS", 4), mock.patch.object(external, "SLICE", 8)):
                on_disk = check(Budget(engine="native", spill=folder, workers=workers))
                assert os.listdir(folder) == []
            if hasattr(reference, "holds"):
                assert outcome(on_disk) == outcome(reference)
            else:
                assert explored(on_disk) == explored(reference)


@settings(max_examples=10, deadline=None)
@given(processes, processes, processes, processes, st.integers(min_value=1, max_value=40),
       st.integers(min_value=2, max_value=4), st.booleans())
def test_threads_sharing_the_table_match_the_one_thread_search(spec, p, q, r, limit, threads, spilled):
    # levels in chunks of 4 states, rooms of 4 and a table of 16 slots that doubles: the threads
    # interleave, pause for many growths (moving pieces of 4 old slots at once), hand the state
    # bound's last room to one thread, and ask a counterexample's every level on every thread;
    # spilled with a capped table, they hand the search to one thread when the visited set moves
    # to disk
    for net in networks(p, q, r):
        for check in checks(spec, net, limit):
            reference = check(Budget(engine="native"))
            with (tempfile.TemporaryDirectory() as folder, mock.patch.object(levels, "CHUNK", 4),
                  mock.patch.object(threaded, "ROOM", 4), mock.patch.object(levels, "FIRST_BITS", 4),
                  mock.patch.object(levels, "MOVE", 4), mock.patch.object(levels, "QUICK_GROWTH_BYTES", 0),
                  mock.patch.object(threaded, "ALONE", 0.0),
                  mock.patch.object(levels, "MAX_TABLE_BITS", 5 if spilled else 40)):
                many = check(Budget(engine="native", threads=threads, spill=folder if spilled else None))
            if hasattr(reference, "holds"):
                assert outcome(many) == outcome(reference)
            else:
                assert explored(many) == explored(reference)


def up_to_ties(verdict):
    """A verdict without which of several shortest counterexamples it gives: the level of its
    violating state instead (None for a divergence).

    The least violating state of a level is picked by the packed state words, so another packing
    may pick another, of another kind too: a trace counterexample's last step is its forbidden
    event (one step more than a refusal at the same level), and a divergence's τ steps to its
    cycle follow the first divergent τ move, whose order depends on the packing too.
    """
    cx = verdict.counterexample
    level = None if cx is None or cx.kind == "divergence" else len(cx.steps) - (cx.kind == "trace")
    return (*outcome(verdict)[:5], verdict.notes, cx is not None, level)


def same_up_to_ties(a, b):
    """The verdicts agree, and so do their counterexamples' levels where both are known."""
    x, y = up_to_ties(a), up_to_ties(b)
    return x[:-1] == y[:-1] and (x[-1] == y[-1] or None in (x[-1], y[-1]))


@settings(max_examples=10, deadline=None)
@given(processes, processes, processes, processes, st.integers(min_value=1, max_value=40),
       st.integers(min_value=2, max_value=6))
# a tie of kinds: SKIP [F= the net with a link refuses ✓ after one τ and may do b after another;
# one packing picks the refusal, the other the forbidden b
@example(csp.SKIP, csp.STOP, csp.chaos({B}), csp.prefix(A, csp.chaos({B})), 1, 2)
def test_states_packed_as_mixed_radix_cells_give_the_same_answers(spec, p, q, r, limit, word_bits):
    # narrow words make the layout join neighbouring fields into cells (engine.Layout), as a
    # large model's 63-bit words do: both engines give the very same answer on them, and the
    # answer of one bit field per component up to ties between shortest counterexamples
    for net in networks(p, q, r):
        for check in checks(spec, net, limit):
            reference = check(Budget(engine="numpy"))
            with mock.patch.object(engine, "WORD_BITS", word_bits):
                celled, fast = check(Budget(engine="numpy")), check(Budget(engine="native"))
            if hasattr(reference, "holds"):
                assert outcome(fast) == outcome(celled)
                assert same_up_to_ties(celled, reference), (up_to_ties(celled), up_to_ties(reference))
            else:
                assert explored(fast) == explored(celled) == explored(reference)


def distance_to_deadlock(lts):
    """Breadth-first distance (τ and ✓ steps included) from the initial state to the nearest deadlock."""
    goal = set(lts.deadlocks())
    seen, frontier, depth = {0}, [0], 0
    while frontier:
        if goal.intersection(frontier):
            return depth
        nxt = []
        for s in frontier:
            for _label, t in lts.successor_numbers(s):
                if t not in seen:
                    seen.add(t)
                    nxt.append(t)
        frontier, depth = nxt, depth + 1
    return None


@settings(max_examples=25, deadline=None)
@given(processes, processes, processes)
def test_native_deadlock_counterexamples_are_shortest(p, q, r):
    # the law, against the term semantics' own LTS (not the numpy engine): the path to the
    # deadlock found is as short as any path to any deadlock
    for net in networks(p, q, r):
        v = deadlock_free(net, ENV, "F", budget=Budget(engine="native"))
        nearest = distance_to_deadlock(build_lts(net, ENV))
        if v.holds:
            assert nearest is None
        else:
            assert v.holds is False and len(v.counterexample.steps) == nearest
