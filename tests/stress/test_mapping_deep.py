"""Deep and large inputs through the whole mapping API: no recursion, linear-ish time."""

from __future__ import annotations

import pytest

from cspotlp.mapping import (
    End,
    Forest,
    Trace,
    causal_order,
    cut,
    depths,
    forest_violations,
    is_linear_extension,
    is_strictly_nested,
    norm,
    phi,
    project,
    psi,
    restrict_trace,
    shape,
    spans_of,
)
from tests.mapping_inputs import deep_chain, wide_trace

N = 100_000


def _check(t: Trace) -> Forest:
    """Every function of the mapping once over ``t``; each result checked against a law."""
    f = phi(t)
    assert psi(f) == t                                          # T3
    assert norm(f) == f                                         # T4
    assert forest_violations(f) == []
    half = len(t) // 2
    seen = cut(f, half)                                         # T5, checked below
    assert len(seen) == len(spans_of(t[:half]))
    assert sum(rec.end is not None for rec in seen.values()) == sum(
        isinstance(e, End) for e in t[:half])
    assert len(shape(f)) == len(f)
    return f


@pytest.mark.slow
def test_deep_parent_chain() -> None:
    t = deep_chain(N)
    f = _check(t)
    assert max(depths(f).values()) == N - 1
    assert is_linear_extension(causal_order(shape(f)), t)       # T7, one direction
    assert not is_strictly_nested(t)
    nested = (*(e for e in t if not isinstance(e, End)), *(End(i) for i in reversed(range(N))))
    assert is_strictly_nested(nested)


@pytest.mark.slow
def test_hundred_thousand_events() -> None:
    t = wide_trace(N)
    assert len(t) >= N
    f = _check(t)
    assert cut(f, len(t) // 3) == phi(t[: len(t) // 3])      # T5
    first = spans_of(t[:10])
    assert project(f, first) == phi(restrict_trace(t, first))     # T6
