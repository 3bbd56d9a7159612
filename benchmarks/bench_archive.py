"""Conformance over an archive: `conform --dask local:2` against the single-process command.

Generates (once, cached in ``--dir``) an archive of checkout orders written as a collector's
file exporter would rotate them: ``--files`` JSON Lines files, traces in arrival order, so that
a trace open at a rotation boundary is split over two files (``--split`` of the traces are cut
at a random point of their spans). Then runs, as a user would, each as a fresh process:

* ``cspotlp conform --spec examples/checkout_spec.csp --abstraction ... DIR --out single.jsonl``
* ``cspotlp conform ... DIR --out dask.jsonl --dask local:2`` (a 2-worker LocalCluster)

and prints wall-clock spans/s of each, the ratio (target >= 1.7), the peak memory of the
single process and of each Dask worker, and whether the verdicts agree byte for byte after
sorting by trace id (they must). Then the machine's *ceiling*: the single-process command run
as ``--workers`` independent processes at once, each on its share of the files (every
``--workers``-th file), against the one process on all of them. That is the most any split of
this work over that many processes can gain here, whatever the engine (on a VM whose cores
share memory bandwidth and caches it is well under the number of processes).

Run: ``python benchmarks/bench_archive.py [--spans 10000000] [--files 120] [--dir DIR]``
(10^7 spans is ~4 GB of JSON Lines and takes minutes to generate; ``--spans 200000`` is a quick
look). Wall-clock times: run it on a quiet machine.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from cspotlp.otlp import Capture, CapturedTrace, dumps_jsonl  # noqa: E402
from tests.flow_fixtures import CHECKOUT_ABSTRACTION, CHECKOUT_SPEC, order  # noqa: E402

TARGET = 1.7


def generate(root: Path, spans: int, files: int, split: float, seed: int = 7) -> int:
    """Write the archive (unless a complete one is there); returns its span count."""
    stamp = root / ".complete"
    want = f"{spans} {files} {split} {seed}"
    if stamp.exists() and stamp.read_text().rsplit(" ", 1)[0] == want:
        return int(stamp.read_text().rsplit(" ", 1)[1])  # the spans written (whole traces)
    root.mkdir(parents=True, exist_ok=True)
    for old in root.glob("*.jsonl"):
        old.unlink()
    rng = random.Random(seed)
    per_file = spans // files
    written = k = 0
    pending: list = []  # spans of the trace cut at the last rotation
    for f in range(files):
        batch = pending
        while len(batch) < per_file and written + len(batch) < spans:
            k += 1
            trace = order(k, 1 + k % 3, decline=k % 13 == 0, ship_first=k % 17 == 0)
            batch.extend(trace.spans)
        pending = []
        if f < files - 1 and rng.random() < split * 20 and len(batch) > 10:
            cut = len(batch) - rng.randrange(1, 10)  # the last trace continues in the next file
            batch, pending = batch[:cut], batch[cut:]
        lines = []
        for start in range(0, len(batch), 512):  # one export request per 512 spans
            chunk = tuple(batch[start:start + 512])
            lines.append(dumps_jsonl(Capture("x", "x", (CapturedTrace("x", chunk),))))
        (root / f"traces-{f:04d}.jsonl").write_text("".join(lines))
        written += len(batch)
        print(f"\rgenerating: {written:,} spans in {f + 1} files", end="", file=sys.stderr)
    print(file=sys.stderr)
    stamp.write_text(f"{want} {written}")
    return written


def run(cmd: list[str]) -> tuple[float, int]:
    """Wall seconds and peak RSS (MB) of a command run as a fresh process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode not in (0, 1):
        sys.exit(f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return seconds, max(peak, before) // 1024


def run_at_once(cmds: list[list[str]]) -> float:
    """Wall seconds of several commands started together, until the last ends."""
    start = time.perf_counter()
    procs = [subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True) for cmd in cmds]
    for cmd, proc in zip(cmds, procs, strict=True):
        _out, err = proc.communicate()
        if proc.returncode not in (0, 1):
            sys.exit(f"{' '.join(cmd[:6])} ... failed ({proc.returncode}):\n{err[-3000:]}")
    return time.perf_counter() - start


def _peak_rss_mb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--spans", type=int, default=10_000_000)
    ap.add_argument("--files", type=int, default=120)
    ap.add_argument("--split", type=float, default=0.03,
                    help="the share of rotations that cut a trace in two (x20 per file)")
    ap.add_argument("--dir", default="/tmp/cspotlp-archive")
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    root = Path(args.dir)
    spans = generate(root, args.spans, args.files, args.split)
    size = sum(p.stat().st_size for p in root.glob("*.jsonl"))
    command = [sys.executable, "-m", "cspotlp", "conform", "--spec", str(CHECKOUT_SPEC),
               "--abstraction", str(CHECKOUT_ABSTRACTION), "--failures-only"]
    base = [*command, str(root)]
    single_out, dask_out = root.parent / "single.jsonl", root.parent / "dask.jsonl"
    t1, rss1 = run([*base, "--out", str(single_out)])
    # the workers run as on a real cluster: the command is given the scheduler's address
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                      host="127.0.0.1", dashboard_address="127.0.0.1:0") as cluster, \
            Client(cluster) as client:
        t2, _ = run([*base, "--out", str(dask_out), "--dask", cluster.scheduler_address])
        worker_peaks = sorted(client.run(_peak_rss_mb).values())

    files = sorted(str(p) for p in root.glob("*.jsonl"))
    shares = [files[k::args.workers] for k in range(args.workers)]
    t3 = run_at_once([[*command, *share, "--out", os.devnull] for share in shares])

    def by_id(path: Path) -> list[str]:
        return sorted(path.read_text().splitlines(), key=lambda ln: json.loads(ln)["trace_id"])

    same = by_id(single_out) == by_id(dask_out)
    print(f"archive: {spans:,} spans, {args.files} files, {size / 2**30:.2f} GiB of JSON Lines")
    print(f"{'run':<28}{'seconds':>10}{'spans/s':>14}{'peak RSS MB':>14}")
    print(f"{'single process':<28}{t1:>10.1f}{spans / t1:>14,.0f}{rss1:>14,}")
    peaks = ", ".join(f"{p:,}" for p in worker_peaks) or "n/a"
    print(f"{f'dask local:{args.workers}':<28}{t2:>10.1f}{spans / t2:>14,.0f}{'workers ' + peaks:>14}")
    print(f"{f'{args.workers} single processes at once':<28}{t3:>10.1f}{spans / t3:>14,.0f}"
          f"{'(each on 1/' + str(args.workers) + ' of the files)':>14}")
    print(f"ratio dask / single: {t1 / t2:.2f}x (target >= {TARGET}x); "
          f"this machine's ceiling for {args.workers} processes: {t1 / t3:.2f}x; "
          f"verdicts identical after sorting by trace id: {same}; "
          f"load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
