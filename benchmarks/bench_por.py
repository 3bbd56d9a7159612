"""Partial-order reduction: state counts and CPU time with and without it, side by side.

Rows:

* ``|||``: ``||| i : {0..N} @ a.i -> STOP`` deadlock-checked (2^(N+1) states unreduced; the
  unreduced search is run up to N = 20 only);
* dining philosophers N = 3..8, with and without a butler: the whole state space (``explore``,
  the reduced space keeps every deadlock) and the deadlock check;
* Milner's cyclic scheduler and the buffer pipeline: the whole state space, and their trace
  refinement questions (the pipeline's internal channels are hidden, so its τ moves reduce).

The baseline named in issue 11 is spin's partial-order reduction on the dining philosophers:
N = 8 goes from 1,679,616 states to about 1.1 M. When ``spin`` and ``gcc`` are on the PATH, the
same Promela model as ``bench_refinement.py``'s is run with ``-DNOREDUCE`` and with spin's
default reduction, and both counts are printed.

Run: ``PYTHONPATH=. python benchmarks/bench_por.py [--max-n 8] [--wide 20]``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from bench_refinement import promela  # noqa: E402
from timing import best_cpu_seconds  # noqa: E402

from cspotlp import csp  # noqa: E402
from cspotlp.csp import Environment, deadlock_free, explore, refines  # noqa: E402
from cspotlp.csp.models import buffer_pipeline, cyclic_scheduler, dining_philosophers  # noqa: E402

SPIN_N8 = (1_679_616, 1_100_000)
"""The baseline of issue 11: spin's state counts for dining philosophers N = 8 (no butler)."""


def measure(fn: Callable[[bool], tuple[int, object]], reduce: bool, repeat: int) -> tuple[int, float, object]:
    """(states, best CPU seconds, verdict) of ``fn(reduce)``."""
    out: list[tuple[int, object]] = []
    cpu = best_cpu_seconds(lambda: out.append(fn(reduce)), repeat)
    states, verdict = out[-1]
    return states, cpu, verdict


def row(model: str, n: int, task: str, fn: Callable[[bool], tuple[int, object]], *, full: bool = True,
        repeat: int = 3) -> None:
    states_r, cpu_r, verdict_r = measure(fn, True, repeat)
    if full:
        states_f, cpu_f, verdict_f = measure(fn, False, repeat)
        same = "same" if verdict_f == verdict_r else f"DIFFERENT ({verdict_f} / {verdict_r})"
        ratio = f"{states_r / states_f:.3f}"
        print(f"{model:<15} {n:>3} {task:<9} {states_f:>12,} {states_r:>12,} {ratio:>7} "
              f"{cpu_f:>9.3f} {cpu_r:>9.3f}  {verdict_r} ({same})")
    else:
        print(f"{model:<15} {n:>3} {task:<9} {'(not run)':>12} {states_r:>12,} {'-':>7} "
              f"{'-':>9} {cpu_r:>9.3f}  {verdict_r}")


def wide(n: int) -> Callable[[bool], tuple[int, object]]:
    env = Environment()
    a = env.channel("a", range(n + 1))
    p = csp.interleave(*(csp.prefix(a.event(i), csp.STOP) for i in range(n + 1)))

    def run(reduce: bool) -> tuple[int, object]:
        v = deadlock_free(p, env, "F", partial_order=reduce)
        return v.states, v.holds
    return run


def explored(model: csp.Proc, env: Environment) -> Callable[[bool], tuple[int, object]]:
    def run(reduce: bool) -> tuple[int, object]:
        e = explore(model, env, partial_order=reduce)
        return e.states, "complete" if e.complete else e.reason
    return run


def deadlock(model: csp.Proc, env: Environment) -> Callable[[bool], tuple[int, object]]:
    def run(reduce: bool) -> tuple[int, object]:
        v = deadlock_free(model, env, "F", partial_order=reduce)
        return v.states, v.holds
    return run


def refinement(spec: csp.Proc, impl: csp.Proc, env: Environment) -> Callable[[bool], tuple[int, object]]:
    def run(reduce: bool) -> tuple[int, object]:
        v = refines(spec, impl, env, "T", partial_order=reduce)
        return v.states, v.holds
    return run


def spin_counts(n: int, workdir: str) -> tuple[int, int] | None:
    """Spin's stored states for dining philosophers N without and with its reduction."""
    out = []
    for flags in (["-DNOREDUCE"], []):
        pml = os.path.join(workdir, f"dining{n}.pml")
        with open(pml, "w", encoding="utf-8") as f:
            f.write(promela(n, False))
        subprocess.run(["spin", "-a", os.path.basename(pml)], cwd=workdir, check=True, capture_output=True)
        subprocess.run(["gcc", "-O2", "-DSAFETY", *flags, "-o", "pan", "pan.c"], cwd=workdir, check=True,
                       capture_output=True)
        bound = 6**n + 1000
        proc = subprocess.run(["./pan", f"-m{bound}", f"-w{max(16, (2 * bound).bit_length())}", "-E"],
                              cwd=workdir, capture_output=True, text=True)
        states = [int(line.split()[0]) for line in proc.stdout.splitlines() if "states, stored" in line]
        if not states:
            return None
        out.append(states[0])
    return out[0], out[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--max-n", type=int, default=8, help="largest number of philosophers")
    ap.add_argument("--wide", type=int, default=20, help="largest N of ||| run without reduction")
    args = ap.parse_args()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"partial-order reduction benchmark (python {sys.version.split()[0]}, load average {load:.1f})")
    head = (f"{'model':<15} {'N':>3} {'task':<9} {'states':>12} {'reduced':>12} {'ratio':>7} "
            f"{'cpu s':>9} {'cpu s red':>9}  verdict (with reduction; same as without?)")
    print(head)
    print("-" * len(head))
    for n in (5, 10, 15, 20, 25, 30):
        row("|||", n, "deadlock", wide(n), full=n <= args.wide, repeat=1 if n >= 15 else 3)
    for butler in (False, True):
        for n in range(3, args.max_n + 1):
            m = dining_philosophers(n, butler=butler)
            name = "dining_butler" if butler else "dining"
            repeat = 1 if n >= 7 else 3
            row(name, n, "explore", explored(m.process, m.env), repeat=repeat)
            row(name, n, "deadlock", deadlock(m.process, m.env), repeat=repeat)
    for make, sizes in ((cyclic_scheduler, (8, 12, 14)), (buffer_pipeline, (6, 9, 11))):
        for n in sizes:
            m = make(n)
            row(m.name.split("(")[0], n, "explore", explored(m.process, m.env), repeat=1)
            for spec, impl in m.refinements.values():
                row(m.name.split("(")[0], n, "refine T", refinement(spec, impl, m.env), repeat=1)
    print(f"\nbaseline (issue 11): spin on dining philosophers N = 8: {SPIN_N8[0]:,} states unreduced, "
          f"about {SPIN_N8[1]:,} with its partial-order reduction (ratio {SPIN_N8[1] / SPIN_N8[0]:.2f})")
    if shutil.which("spin") and shutil.which("gcc"):
        with tempfile.TemporaryDirectory() as workdir:
            for n in range(3, args.max_n + 1):
                counts = spin_counts(n, workdir)
                if counts is not None:
                    print(f"spin here: dining N = {n}: {counts[0]:,} -> {counts[1]:,} "
                          f"(ratio {counts[1] / counts[0]:.3f})")
    else:
        print("spin or gcc not found: spin's own counts not measured here")
    started = time.perf_counter()
    v = deadlock_free(*_wide_term(30), "F", partial_order=True)
    print(f"\n||| i : {{0..30}} @ a.i -> STOP, deadlock check with reduction: {v.states} states, "
          f"{time.perf_counter() - started:.3f} s wall, verdict {'deadlocks' if v.holds is False else v.holds}")


def _wide_term(n: int) -> tuple[csp.Proc, Environment]:
    env = Environment()
    a = env.channel("a", range(n + 1))
    return csp.interleave(*(csp.prefix(a.event(i), csp.STOP) for i in range(n + 1))), env


if __name__ == "__main__":
    main()
