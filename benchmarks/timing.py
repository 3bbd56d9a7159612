"""The one timing rule of the benchmark scripts: best CPU time of a few runs."""

from __future__ import annotations

import time
from collections.abc import Callable


def best_cpu_seconds(fn: Callable[[], object], repeat: int = 3) -> float:
    """The least CPU time (``time.process_time``) of ``repeat`` calls of ``fn``."""
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        fn()
        best = min(best, time.process_time() - start)
    return best
