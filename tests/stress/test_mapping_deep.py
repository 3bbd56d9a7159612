"""Deep and large inputs through the whole mapping API: no recursion, linear-ish time."""

from __future__ import annotations

import pytest

from cspotlp.mapping import (
    Begin,
    End,
    Forest,
    Link,
    Mark,
    SpanEvent,
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

N = 100_000


def _deep_chain(n: int) -> Trace:
    """Span i is the child of span i-1; a mark on every tenth; parents end before children."""
    events: list[SpanEvent] = []
    for i in range(n):
        events.append(Begin(i, i - 1 if i else None, "step"))
        if i % 10 == 0:
            events.append(Mark(i, "tick"))
    events.extend(End(i, "OK") for i in range(n))
    return tuple(events)


def _wide_trace(n_events: int) -> Trace:
    """About ``n_events`` events: requests of 4 spans each, overlapping, with marks and links."""
    events: list[SpanEvent] = []
    sid = 0
    while len(events) < n_events:
        root, a, b, c = (f"s{sid + k:06d}" for k in range(4))
        sid += 4
        events += [Begin(root, None, "GET /"), Begin(a, root, "db"), Mark(a, "sql"),
                   Begin(b, root, "rpc"), Link(b, (root, "ctx")), End(root, "OK"),
                   Begin(c, b, "cache"), End(a, "OK"), End(c, "OK"), End(b, "ERROR")]
    return tuple(events)


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
    t = _deep_chain(N)
    f = _check(t)
    assert max(depths(f).values()) == N - 1
    assert is_linear_extension(causal_order(shape(f)), t)       # T7, one direction
    assert not is_strictly_nested(t)
    nested = (*(e for e in t if not isinstance(e, End)), *(End(i) for i in reversed(range(N))))
    assert is_strictly_nested(nested)


@pytest.mark.slow
def test_hundred_thousand_events() -> None:
    t = _wide_trace(N)
    assert len(t) >= N
    f = _check(t)
    assert cut(f, len(t) // 3) == phi(t[: len(t) // 3])      # T5
    first = spans_of(t[:10])
    assert project(f, first) == phi(restrict_trace(t, first))     # T6
