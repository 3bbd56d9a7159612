"""Large span traces shared by the mapping stress tests and benchmarks/bench_mapping.py."""

from __future__ import annotations

from cspotlp.mapping import Begin, End, Link, Mark, SpanEvent, Trace


def deep_chain(n: int) -> Trace:
    """Span i is the child of span i-1; a mark on every tenth; parents end before children."""
    events: list[SpanEvent] = []
    for i in range(n):
        events.append(Begin(i, i - 1 if i else None, "step"))
        if i % 10 == 0:
            events.append(Mark(i, "tick"))
    events.extend(End(i, "OK") for i in range(n))
    return tuple(events)


def wide_trace(n_events: int) -> Trace:
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
