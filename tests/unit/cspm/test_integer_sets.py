"""Infinite sets of integers keep FDR's set algebra: ``diff({1..}, {1}) == {2..}``."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cspotlp.cspm.intsets import (
    IntervalSet,
    complement,
    difference,
    from_intervals,
    intersection,
    intervals_of,
    union,
)
from tests.unit.cspm.evalhelp import expr


@pytest.mark.parametrize("text", [
    "diff({1..}, {1}) == {2..}",
    "diff({1..}, Int) == {}",
    "union({0..}, { -2, -1}) == { -2..}",
    "inter({0..}, { -1, 0, 5}) == {0, 5}",  # (a space: {- opens a comment),
    "inter({3..}, diff(Int, {6..})) == {3, 4, 5}",
    "diff(Int, diff(Int, {4..})) == {4..}",
    "union(diff({0..}, {2}), {2}) == {0..}",
    "{1} <= {0..}",
    "{2..} < {1..}",
    "not ({1..} <= {2..})",
    "diff({1..}, {1}) != {1..}",
    "member(7, diff({0..}, {1, 2, 3}))",
    "not member(2, diff({0..}, {1, 2, 3}))",
    "member(5, inter({0..}, {0..1000000000})) and not member(-5, union({0..}, {0..9}))",
])
def test_set_algebra_on_infinite_sets_of_integers(text):
    assert expr(text) is True


def test_a_finite_result_is_an_ordinary_set_and_an_infinite_one_prints_as_fdr_writes_it():
    assert expr("inter({0..}, {0..3})") == frozenset({0, 1, 2, 3})
    assert str(expr("diff({1..}, {1, 2})")) == "{3..}"
    assert str(expr("Int")) == "Int"


WINDOW = range(-20, 21)
bounds = st.integers(-15, 15)
interval_sets = st.lists(
    st.tuples(st.one_of(st.just(-math.inf), bounds), st.one_of(st.just(math.inf), bounds)),
    max_size=3).map(lambda pairs: union((), tuple((lo, hi) for lo, hi in pairs if lo <= hi)))


def members(a):
    return {x for x in WINDOW if any(lo <= x <= hi for lo, hi in a)}


@given(interval_sets, interval_sets)
def test_the_algebra_agrees_with_the_members(a, b):
    assert members(union(a, b)) == members(a) | members(b)
    assert members(intersection(a, b)) == members(a) & members(b)
    assert members(difference(a, b)) == members(a) - members(b)
    assert members(complement(a)) == set(WINDOW) - members(a)
    assert intervals_of(from_intervals(a)) == a  # normal forms are unique


def test_interval_sets_are_infinite_sets():
    s = from_intervals(((0, math.inf),))
    assert isinstance(s, IntervalSet) and s.contains(10**12) and not s.contains(-1)
    assert not s.contains(True)  # booleans are not integers
