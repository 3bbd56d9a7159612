"""How far Z3 gets: the largest bound proved per theorem within a time limit.

For each theorem and encoding the bound grows one event at a time; proving bound K means every
size 0..K, so the time reported for K is the sum over those sizes (formula building included).
The run stops when that sum would exceed the limit (default 60 s) or at a cap. The reference
point is issue 7's "straightforward encoding of T3 reaches about 14 spans in about 12 s".

    PYTHONPATH=. python benchmarks/bench_z3_bounds.py                 # all, 60 s each
    PYTHONPATH=. python benchmarks/bench_z3_bounds.py --theorem T3 --limit 20

The bound counts events (trace length; forest occurrences). A trace of K events has at most K
spans, a complete one (every span ended, no marks) K // 2: both are printed.
"""

import argparse
import os
import time

from cspotlp.verify import STEP_THEOREMS, THEOREMS, check_size, prove_step

REFERENCE_T3_SPANS = 14
REFERENCE_T3_SECONDS = 12.0


def reach(tid, encoding, limit, cap):
    """(largest bound proved, wall seconds for it, CPU seconds for it, what stopped the run)."""
    theorem = THEOREMS[tid]
    wall = cpu = 0.0
    proved, at_wall, at_cpu = -1, 0.0, 0.0
    stop = f"cap {cap}"
    for n in range(cap + 1):
        remaining = limit - wall
        if remaining <= 0:
            stop = "time limit"
            break
        w0, c0 = time.monotonic(), time.process_time()
        outcome, _cex, why = check_size(theorem, n, remaining, encoding=encoding)
        wall += time.monotonic() - w0
        cpu += time.process_time() - c0
        if outcome != "unsat" or wall > limit:
            stop = "time limit" if outcome in ("unknown", "unsat") else f"{outcome} at {n}"
            break
        proved, at_wall, at_cpu = n, wall, cpu
    return proved, at_wall, at_cpu, stop


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--theorem", action="append", help="theorem id (default: all)")
    parser.add_argument("--limit", type=float, default=60.0, help="seconds per theorem")
    parser.add_argument("--cap", type=int, default=400, help="largest bound tried")
    parser.add_argument("--baseline-cap", type=int, default=40,
                        help="largest bound tried with the baseline encoding")
    parser.add_argument("--no-baseline", action="store_true", help="skip the baseline encoding")
    args = parser.parse_args()
    ids = args.theorem or list(THEOREMS)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"limit {args.limit:g} s per theorem and encoding; {os.cpu_count()} CPUs; "
          f"load average {load:.1f} at start")
    print()
    header = (f"{'theorem':<8} {'encoding':<10} {'bound (events)':>14} {'spans':>6} "
              f"{'complete spans':>14} {'wall s':>8} {'cpu s':>8}  stopped by")
    print(header)
    print("-" * len(header))
    best = {}
    for tid in ids:
        for encoding in ("optimised", "baseline"):
            if encoding == "baseline" and args.no_baseline:
                continue
            cap = args.cap if encoding == "optimised" else args.baseline_cap
            k, wall, cpu, stop = reach(tid, encoding, args.limit, cap)
            best[(tid, encoding)] = k
            print(f"{tid:<8} {encoding:<10} {k:>14} {k:>6} {k // 2:>14} {wall:>8.1f} {cpu:>8.1f}"
                  f"  {stop}", flush=True)
    print()
    for sid, theorem in STEP_THEOREMS.items():
        r = prove_step(theorem, args.limit)
        print(f"{sid:<16} unbounded  {r.result:<10} {r.seconds:6.2f} s")
    if ("T3", "optimised") in best:
        k = best[("T3", "optimised")]
        print()
        print(f"T3: {k} events proved within {args.limit:g} s — {k} spans (traces of begins), "
              f"{k // 2} spans of complete traces.")
        print(f"    ratio to the reference ({REFERENCE_T3_SPANS} spans in about "
              f"{REFERENCE_T3_SECONDS:g} s): {k / REFERENCE_T3_SPANS:.1f}x in events, "
              f"{(k // 2) / REFERENCE_T3_SPANS:.1f}x in complete-trace spans")
        if ("T3", "baseline") in best:
            b = best[("T3", "baseline")]
            print(f"    ratio to this repository's baseline encoding ({b} events): "
                  f"{k / max(b, 1):.1f}x")


if __name__ == "__main__":
    main()
