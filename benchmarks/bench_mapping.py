"""Time the mapping functions on a deep parent chain and on a wide trace; print a table.

Run: ``PYTHONPATH=. python benchmarks/bench_mapping.py [N]`` (default N = 100000). Times are CPU
seconds (``time.process_time``), best of three.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

from cspotlp.mapping import (
    Begin,
    End,
    Link,
    Mark,
    SpanEvent,
    Trace,
    causal_order,
    cut,
    depths,
    forest_violations,
    is_linear_extension,
    is_wf,
    norm,
    phi,
    psi,
    shape,
)


def deep_chain(n: int) -> Trace:
    events: list[SpanEvent] = []
    for i in range(n):
        events.append(Begin(i, i - 1 if i else None, "step"))
        if i % 10 == 0:
            events.append(Mark(i, "tick"))
    events.extend(End(i, "OK") for i in range(n))
    return tuple(events)


def wide_trace(n_events: int) -> Trace:
    events: list[SpanEvent] = []
    sid = 0
    while len(events) < n_events:
        root, a, b, c = (f"s{sid + k:06d}" for k in range(4))
        sid += 4
        events += [Begin(root, None, "GET /"), Begin(a, root, "db"), Mark(a, "sql"),
                   Begin(b, root, "rpc"), Link(b, (root, "ctx")), End(root, "OK"),
                   Begin(c, b, "cache"), End(a, "OK"), End(c, "OK"), End(b, "ERROR")]
    return tuple(events)


def best_of_three(fn: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(3):
        start = time.process_time()
        fn()
        best = min(best, time.process_time() - start)
    return best


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    rows: list[tuple[str, str, int, float]] = []
    for label, t in (("deep chain", deep_chain(n)), ("wide trace", wide_trace(n))):
        f = phi(t)
        s = shape(f)
        order = causal_order(s)
        steps: list[tuple[str, Callable[[], object]]] = [
            ("is_wf", lambda t=t: is_wf(t)),
            ("phi", lambda t=t: phi(t)),
            ("psi", lambda f=f: psi(f)),
            ("norm", lambda f=f: norm(f)),
            ("cut(half)", lambda f=f, t=t: cut(f, len(t) // 2)),
            ("depths", lambda f=f: depths(f)),
            ("forest_violations", lambda f=f: forest_violations(f)),
            ("shape", lambda f=f: shape(f)),
            ("causal_order", lambda s=s: causal_order(s)),
            ("is_linear_extension", lambda o=order, t=t: is_linear_extension(o, t)),
        ]
        rows.extend((label, name, len(t), best_of_three(fn)) for name, fn in steps)
    print(f"{'input':<12} {'function':<20} {'events':>8} {'cpu s':>8} {'us/event':>9}")
    for label, name, size, secs in rows:
        print(f"{label:<12} {name:<20} {size:>8} {secs:>8.3f} {secs / size * 1e6:>9.2f}")


if __name__ == "__main__":
    main()
