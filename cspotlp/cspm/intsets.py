"""Sets of integers too large to enumerate, kept as intervals: ``{n..}``, ``Int``, ``{0..10^9}``.

An :class:`IntervalSet` is an :class:`~cspotlp.cspm.values.InfiniteSet` (membership only, never
enumerated) that also knows its members as disjoint intervals, some unbounded, so that the set
algebra FDR does on them works: ``diff({1..}, {1}) == {2..}``, ``inter({0..}, {..})``,
``{1} <= {0..}``. A result that turns out finite and small is an ordinary ``frozenset``.

>>> from_intervals(difference(intervals_of(at_least(1)), intervals_of(frozenset({1}))))
IntervalSet({2..})
>>> from_intervals(intersection(intervals_of(at_least(0)), intervals_of(frozenset({-1, 0, 5}))))
frozenset({0, 5})
"""

from __future__ import annotations

import math
from typing import Any

from cspotlp.cspm.values import InfiniteSet

__all__ = ["MAX_ENUMERATED", "IntervalSet", "all_integers", "at_least", "between",
           "complement", "difference", "from_intervals", "intersection", "intervals_of",
           "union"]

Bound = float  # an int, or ±math.inf
Intervals = tuple[tuple[Bound, Bound], ...]
"""Disjoint, non-adjacent closed intervals in increasing order."""

MAX_ENUMERATED = 4_000_000
"""A finite result with more members stays an interval set (membership only)."""


class IntervalSet(InfiniteSet):
    """A set of integers as intervals (see the module docstring)."""

    __slots__ = ("intervals",)

    def __init__(self, intervals: Intervals, text: str | None = None) -> None:
        self.intervals = intervals
        super().__init__(text if text is not None else _text(intervals), self._member)

    def _member(self, v: Any) -> bool:
        if not isinstance(v, int) or isinstance(v, bool):
            return False
        return any(lo <= v <= hi for lo, hi in self.intervals)

    def __repr__(self) -> str:
        return f"IntervalSet({self.text})"


def _bound(b: Bound) -> str:
    return str(int(b))


def _text(intervals: Intervals) -> str:
    if intervals == ((-math.inf, math.inf),):
        return "Int"
    parts = []
    for lo, hi in intervals:
        if lo == -math.inf:
            parts.append(f"diff(Int, {{{_bound(hi + 1)}..}})")
        elif hi == math.inf:
            parts.append(f"{{{_bound(lo)}..}}")
        elif lo == hi:
            parts.append(f"{{{_bound(lo)}}}")
        else:
            parts.append(f"{{{_bound(lo)}..{_bound(hi)}}}")
    if not parts:
        return "{}"
    return parts[0] if len(parts) == 1 else "Union({" + ", ".join(parts) + "})"


def _normal(pairs: list[tuple[Bound, Bound]]) -> Intervals:
    out: list[tuple[Bound, Bound]] = []
    for lo, hi in sorted(p for p in pairs if p[0] <= p[1]):
        if out and lo <= out[-1][1] + 1:
            if hi > out[-1][1]:
                out[-1] = (out[-1][0], hi)
        else:
            out.append((lo, hi))
    return tuple(out)


def at_least(low: int) -> IntervalSet:
    """``{low..}``."""
    return IntervalSet(((low, math.inf),))


def between(low: int, high: int, text: str | None = None) -> IntervalSet:
    """``{low..high}`` kept as an interval (too large to enumerate)."""
    return IntervalSet(_normal([(low, high)]), text)


def all_integers() -> IntervalSet:
    """``Int``."""
    return IntervalSet(((-math.inf, math.inf),))


def intervals_of(v: Any) -> Intervals | None:
    """The intervals of an interval set or of a finite set of integers (None otherwise)."""
    if isinstance(v, IntervalSet):
        return v.intervals
    if isinstance(v, frozenset) and all(isinstance(x, int) and not isinstance(x, bool)
                                        for x in v):
        return _normal([(x, x) for x in v])
    return None


def union(a: Intervals, b: Intervals) -> Intervals:
    """The members of either."""
    return _normal([*a, *b])


def complement(a: Intervals) -> Intervals:
    """The integers not in ``a``."""
    out: list[tuple[Bound, Bound]] = []
    low: Bound = -math.inf
    for lo, hi in a:
        if lo > low:
            out.append((low, lo - 1))
        low = hi + 1
    if low != math.inf:
        out.append((low, math.inf))
    return _normal(out)


def intersection(a: Intervals, b: Intervals) -> Intervals:
    """The members of both."""
    out: list[tuple[Bound, Bound]] = []
    i = j = 0
    while i < len(a) and j < len(b):
        lo, hi = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if lo <= hi:
            out.append((lo, hi))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return tuple(out)


def difference(a: Intervals, b: Intervals) -> Intervals:
    """The members of ``a`` not in ``b``."""
    return intersection(a, complement(b))


def from_intervals(a: Intervals) -> frozenset[int] | IntervalSet:
    """A ``frozenset`` when ``a`` is finite and small enough, else an :class:`IntervalSet`."""
    size = sum(hi - lo + 1 for lo, hi in a)
    if size <= MAX_ENUMERATED:
        return frozenset(x for lo, hi in a for x in range(int(lo), int(hi) + 1))
    return IntervalSet(a)
