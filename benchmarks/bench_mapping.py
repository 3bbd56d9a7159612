"""Time the mapping functions on a deep parent chain and on a wide trace; print a table.

Run: ``PYTHONPATH=. python benchmarks/bench_mapping.py [N]`` (default N = 100000). Times are CPU
seconds (``time.process_time``), best of three.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from cspotlp.mapping import (
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

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from timing import best_cpu_seconds  # noqa: E402

from tests.mapping_inputs import deep_chain, wide_trace  # noqa: E402


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
        rows.extend((label, name, len(t), best_cpu_seconds(fn)) for name, fn in steps)
    print(f"{'input':<12} {'function':<20} {'events':>8} {'cpu s':>8} {'us/event':>9}")
    for label, name, size, secs in rows:
        print(f"{label:<12} {name:<20} {size:>8} {secs:>8.3f} {secs / size * 1e6:>9.2f}")


if __name__ == "__main__":
    main()
