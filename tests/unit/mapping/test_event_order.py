"""The partial order of a captured trace (O1–O5) and the abstraction that keeps it."""

import pytest

from cspotlp.errors import OrphanSpan
from cspotlp.mapping.abstraction import Abstraction
from cspotlp.mapping.event_order import SpanTree
from cspotlp.mapping.observed import abstract_observed
from cspotlp.otlp import CapturedTrace, Resource, Span, attributes

MS = 1_000_000
TID = "ab" * 16
NAMES = Abstraction(label="{name}")


def res(service):
    return Resource(attributes({"service.name": service}))


def span(k, parent, name, start, end, service="s"):
    return Span(TID, f"{k:016x}", f"{parent:016x}" if parent else "", name, 1, start * MS,
                end * MS if end is not None else 0, resource=res(service))


def orders(tree):
    """The linearisations of a tree whose begin/end events are numbered 2k / 2k + 1."""
    return set(tree.order().linearisations())


def test_a_parent_call_precedes_and_its_ret_follows_its_children():
    # P [0, 10] with children A [1, 3] and B [2, 4]: A and B overlap
    tree = SpanTree([-1, 0, 0], [0, 1, 2], [10, 3, 4], [0, 2, 4], [1, 3, 5], 0)
    lins = orders(tree)
    assert all(lin[0] == 0 and lin[-1] == 1 for lin in lins)
    assert len(lins) == 6  # the two calls interleave freely: 4! / (2 * 2)


def test_siblings_are_ordered_only_beyond_the_tolerance():
    # A [1, 3] then B [5, 7]: a gap of 2
    for tolerance, expected in ((0, 1), (1, 1), (2, 6), (5, 6)):
        tree = SpanTree([-1, 0, 0], [0, 1, 5], [10, 3, 7], [0, 2, 4], [1, 3, 5], tolerance)
        assert len(orders(tree)) == expected, tolerance


def test_one_clock_is_read_exactly_whatever_the_tolerance():
    # same gap of 2, tolerance 5: B follows A when one clock timed both, not otherwise
    same = SpanTree([-1, 0, 0], [0, 1, 5], [10, 3, 7], [0, 2, 4], [1, 3, 5], 5, [0, 1, 1])
    other = SpanTree([-1, 0, 0], [0, 1, 5], [10, 3, 7], [0, 2, 4], [1, 3, 5], 5, [0, 1, 2])
    assert orders(same) == {(0, 2, 3, 4, 5, 1)}
    assert len(orders(other)) == 6
    assert same.delta(1, 2) == 0 and other.delta(1, 2) == 5


def test_a_child_that_starts_before_its_parent_stays_its_child():
    tree = SpanTree([-1, 0], [5, 3], [10, 6], [0, 1], [2, 3], 1)  # child starts 2 early
    assert orders(tree) == {(0, 1, 3, 2)}
    assert tree.order().greedy(lambda v: v) == [0, 2, 3, 1]  # nodes: P begin, C begin, ...


def test_a_child_that_outlives_its_parent_is_not_waited_for():
    # C ends 5 after P: asynchronous; within the tolerance it counts as ending before P
    detached = SpanTree([-1, 0], [0, 1], [10, 15], [0, 1], [2, 3], 2)
    attached = SpanTree([-1, 0], [0, 1], [10, 11], [0, 1], [2, 3], 2)
    assert orders(detached) == {(0, 1, 2, 3), (0, 1, 3, 2)}
    assert orders(attached) == {(0, 1, 3, 2)}
    assert not detached.attached(1) and attached.attached(1)


def test_hidden_spans_keep_their_place_in_the_order():
    # a hidden span H [1, 4] whose child A [2, 3] is visible; B [6, 7] after H
    tree = SpanTree([-1, 0, 1, 0], [0, 1, 2, 6], [10, 4, 3, 7], [0, -1, 2, 4], [1, -1, 3, 5], 1)
    assert orders(tree) == {(0, 2, 3, 4, 5, 1)}


def test_open_spans_have_no_end_and_nothing_follows_them():
    tree = SpanTree([-1, 0, 0], [0, 1, 5], [None, None, 7], [0, 1, 2], [-1, -1, 3], 0)
    lins = orders(tree)
    assert all(len(lin) == 4 for lin in lins) and (0, 2, 3, 1) in lins


def test_an_order_is_a_dag_with_joins_not_a_quadratic_relation():
    n = 400  # 400 siblings one after another: O(n) joins and edges, not n^2 / 2
    tree = SpanTree([-1] * n, [3 * k for k in range(n)], [3 * k + 1 for k in range(n)],
                    [2 * k for k in range(n)], [2 * k + 1 for k in range(n)], 0)
    order = tree.order()
    assert sum(len(p) for p in order.preds) < 4 * n
    assert list(order.linearisations()) == [tuple(range(2 * n))]


def test_the_tolerance_cannot_be_negative():
    with pytest.raises(ValueError, match=">= 0"):
        SpanTree([-1], [0], [1], [0], [1], -1)


# -- abstract_observed ---------------------------------------------------------------------


def test_skew_is_tolerated_and_reported_span_by_span():
    trace = CapturedTrace(TID, (span(1, 0, "P", 10, 20, "front"),
                                span(2, 1, "early", 9, 12, "back"),
                                span(3, 1, "late", 21, 22, "back")))
    observed = abstract_observed(trace, NAMES)
    assert [e.name for e in observed.events][:3] == ["call.P", "call.early", "ret.early"]
    assert observed.repairs == (
        f"clock-skew: span {2:016x}: starts 1.000 ms before its parent {1:016x}; it stays "
        "its parent's child",
        f"clock-skew: span {3:016x}: starts 1.000 ms after its parent {1:016x} ended; it "
        "stays its parent's child")
    assert observed.order().is_linearisation(range(len(observed.events)))


def test_strict_refuses_what_is_otherwise_tolerated():
    orphan = CapturedTrace(TID, (span(1, 9, "A", 0, 1),))
    tolerated = abstract_observed(orphan, NAMES)
    assert tolerated.repairs == (f"synthetic-root: span {1:016x}: its parent {9:016x} is not "
                                 "in the capture; it hangs from a synthetic root",)
    assert [e.name for e in tolerated.events] == ["call.A", "ret.A"]
    with pytest.raises(OrphanSpan, match="synthetic-root"):
        abstract_observed(orphan, NAMES, strict=True)
    named = abstract_observed(orphan, NAMES, strict=True, repairs=["synthetic-root"])
    assert named.repairs == tolerated.repairs


def test_a_named_clamp_moves_times_as_before():
    trace = CapturedTrace(TID, (span(1, 0, "P", 10, 20), span(2, 1, "C", 9, 12)))
    clamped = abstract_observed(trace, NAMES, repairs=["clamp-skew"])
    assert len(clamped.repairs) == 1 and clamped.repairs[0].startswith("clamp-skew:")
    assert clamped.tree.start[1] == 10 * MS


def test_an_end_before_the_start_counts_as_ending_at_the_start():
    trace = CapturedTrace(TID, (span(1, 0, "P", 10, 8),))
    observed = abstract_observed(trace, NAMES)
    assert observed.repairs == (f"clock-skew: span {1:016x}: ends 2.000 ms before it starts; "
                                "taken as ending when it starts",)
    assert observed.tree.end == (10 * MS,)


def test_an_interval_order_with_an_n_is_kept_exactly():
    """docs/theory.md §4: a = [0, 5], b = [0, 1], c = [7, 8], d = [3, 10] give b < c, b < d,
    a < c and nothing between a and d (nor between c and d)."""
    tree = SpanTree([-1] * 4, [0, 0, 7, 3], [5, 1, 8, 10], [0, 2, 4, 6], [1, 3, 5, 7], 1)
    below = tree.order().visible_preds()
    begin = {"a": 0, "b": 2, "c": 4, "d": 6}
    end = {"a": 1, "b": 3}
    assert end["b"] in below[begin["c"]] and end["b"] in below[begin["d"]]
    assert end["a"] in below[begin["c"]] and end["a"] not in below[begin["d"]]
    assert 7 not in below[begin["c"]] and 5 not in below[begin["d"]]
