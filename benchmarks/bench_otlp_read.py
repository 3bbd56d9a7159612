"""Read + Ψ throughput and memory of cspotlp on a large OTLP JSON Lines file.

Generates (in a temporary directory, never in the repository) a collector-file-exporter style
JSON Lines file of N spans (default 10^6): one ``TracesData`` per batch, traces split over
batches, 4-8 attributes per span (repeated and unique values), some events, links and errors.
Then, each in a fresh subprocess so that peak memory is its own:

* ``json.loads``: every line parsed, nothing kept (the throughput baseline);
* ``read + Ψ``: :func:`cspotlp.otlp.load` and, for every trace, validation, the span forest and
  Ψ — with all attributes kept (full model) and without span attributes (as ``cspotlp psi`` and
  ``inspect`` read);
* ``dicts``: every line parsed and kept as Python dicts (the memory baseline).

Prints spans per CPU second (process time: steadier than wall time on a shared machine), the time ratio to ``json.loads`` (target <= 3) and peak RSS.

    python benchmarks/bench_otlp_read.py --spans 200000
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SERVICES = ["frontend", "cart", "checkout", "payment", "shipping", "email", "ads", "quote"]
OPS = ["GET /api/products", "POST /api/cart", "grpc.oteldemo.CartService/GetCart", "SELECT",
       "HTTP POST", "publish orders", "process order", "render"]


def _attr(key: str, value: object) -> dict[str, object]:
    if isinstance(value, bool):
        return {"key": key, "value": {"boolValue": value}}
    if isinstance(value, int):
        return {"key": key, "value": {"intValue": str(value)}}
    if isinstance(value, float):
        return {"key": key, "value": {"doubleValue": value}}
    return {"key": key, "value": {"stringValue": value}}


def generate(path: Path, n_spans: int, seed: int = 1) -> int:
    """Write about ``n_spans`` spans; returns the exact number written."""
    rng = random.Random(seed)
    resources = {svc: {"attributes": [_attr("service.name", svc), _attr("service.version", "1.4.2"),
                                      _attr("telemetry.sdk.language", "go"),
                                      _attr("host.name", f"{svc}-7d9f8b6c5-x2x4q"),
                                      _attr("os.type", "linux")]} for svc in SERVICES}
    written = 0
    pending: list[tuple[str, dict[str, object]]] = []  # (service, span) awaiting a batch
    with path.open("w", encoding="utf-8") as out:
        while written < n_spans:
            trace_id = f"{rng.getrandbits(128):032x}"
            size = min(rng.randint(1, 40), n_spans - written)
            base = 1_730_000_000_000_000_000 + rng.getrandbits(40)
            ids: list[tuple[str, int, int]] = []
            for i in range(size):
                span_id = f"{rng.getrandbits(64) | 1:016x}"
                if i == 0:
                    parent, start, end = "", base, base + rng.randint(10**6, 10**9)
                else:
                    p_id, p_start, p_end = ids[rng.randrange(len(ids))]
                    parent = p_id
                    start = rng.randint(p_start, p_end)
                    end = start + rng.randint(1000, max(1001, (p_end - start)))
                ids.append((span_id, start, end))
                span: dict[str, object] = {
                    "traceId": trace_id, "spanId": span_id, "parentSpanId": parent,
                    "name": rng.choice(OPS), "kind": rng.randint(1, 5),
                    "startTimeUnixNano": str(start), "endTimeUnixNano": str(end),
                    "attributes": [_attr("http.method", rng.choice(["GET", "POST"])),
                                   _attr("http.status_code", rng.choice([200, 200, 200, 404, 500])),
                                   _attr("net.peer.port", rng.randint(1024, 65535)),
                                   _attr("request.id", f"{rng.getrandbits(48):012x}")]
                    + [_attr(f"app.k{j}", rng.random()) for j in range(rng.randint(0, 4))],
                    "status": {"code": 2, "message": "boom"} if rng.random() < 0.05 else {},
                }
                if rng.random() < 0.3:
                    span["events"] = [{"timeUnixNano": str(rng.randint(start, end)),
                                       "name": "message", "attributes": [_attr("size", 512)]}]
                if rng.random() < 0.05:
                    span["links"] = [{"traceId": f"{rng.getrandbits(128):032x}",
                                      "spanId": f"{rng.getrandbits(64):016x}"}]
                pending.append((rng.choice(SERVICES), span))
            written += size
            # a batch leaves when it is big enough: traces end up split over lines, like a
            # collector exporting every few hundred milliseconds
            if len(pending) >= 64 or written >= n_spans:
                by_service: dict[str, list[dict[str, object]]] = {}
                for svc, sp in pending:
                    by_service.setdefault(svc, []).append(sp)
                line = {"resourceSpans": [
                    {"resource": resources[svc], "scopeSpans": [{"scope": {"name": "otel/http"},
                                                                 "spans": sps}],
                     "schemaUrl": "https://opentelemetry.io/schemas/1.26.0"}
                    for svc, sps in sorted(by_service.items())]}
                out.write(json.dumps(line, separators=(",", ":")) + "\n")
                pending = []
    return written


# -- the measured jobs (run in subprocesses) --------------------------------------------------

def job_json_loads(path: str) -> int:
    spans = 0
    with open(path, "rb") as f:
        for line in f:
            doc = json.loads(line)
            spans += sum(len(ss["spans"]) for rs in doc["resourceSpans"] for ss in rs["scopeSpans"])
    return spans


def job_dicts(path: str) -> int:
    with open(path, "rb") as f:
        docs = [json.loads(line) for line in f]
    return sum(len(ss["spans"]) for doc in docs for rs in doc["resourceSpans"]
               for ss in rs["scopeSpans"])


def _read_psi(path: str, keep_attributes: bool) -> int:
    """What ``cspotlp psi`` does, without printing: load, then per trace validate, forest, Ψ."""
    import gc

    from cspotlp.mapping.correspondence import psi
    from cspotlp.mapping.otlp_bridge import to_forest
    from cspotlp.otlp import load, validate

    gc.disable()  # as the CLI does: a one-shot process whose data has no reference cycles
    capture = load(path, keep_attributes=keep_attributes)
    events = 0
    for trace in capture.traces:
        events += len(psi(to_forest(validate(trace))))
    return capture.span_count if events else 0


def job_read_psi_full(path: str) -> int:
    return _read_psi(path, True)


def job_read_psi_lean(path: str) -> int:
    return _read_psi(path, False)


def job_read_only_full(path: str) -> int:
    from cspotlp.otlp import load

    return load(path).span_count


JOBS = {"json_loads": job_json_loads, "dicts": job_dicts, "read_psi_full": job_read_psi_full,
        "read_psi_lean": job_read_psi_lean, "read_only_full": job_read_only_full}


def run_job(name: str, path: Path, repeat: int = 1) -> tuple[float, int, int]:
    """(CPU seconds, spans, peak RSS in bytes) of a job, each run in a fresh interpreter; the
    least time of ``repeat`` runs (the run least disturbed by other processes)."""
    runs = [_run_once(name, path) for _ in range(repeat)]
    return min(r[0] for r in runs), runs[0][1], max(r[2] for r in runs)


def _run_once(name: str, path: Path) -> tuple[float, int, int]:
    here = str(Path(__file__).parent)
    code = (f"import sys, time, resource; sys.path.insert(0, {here!r}); "
            "import bench_otlp_read as b; t = time.process_time(); "
            f"n = b.JOBS[{name!r}]({str(path)!r}); t = time.process_time() - t; "
            "print(t, n, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)")
    env = {**os.environ, "PYTHONPATH": f"{REPO}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True,
                         env=env).stdout.split()
    return float(out[0]), int(out[1]), int(out[2]) * 1024  # ru_maxrss is in KiB on Linux


def baseline_rss() -> int:
    out = subprocess.run([sys.executable, "-c", "import resource, json; "
                          "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"],
                         check=True, capture_output=True, text=True).stdout
    return int(out) * 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--spans", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3,
                        help="runs per job; the least CPU time is reported (default 3)")
    parser.add_argument("--dict-sample", type=int, default=200_000,
                        help="measure dict memory on at most this many spans and scale linearly "
                        "(0: always the whole file)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "traces.jsonl"
        t = time.perf_counter()
        n = generate(path, args.spans)
        size = path.stat().st_size
        print(f"generated {n} spans, {size / 2**20:.1f} MiB, in {time.perf_counter() - t:.1f} s "
              f"({path})")
        base = baseline_rss()
        results = {name: run_job(name, path, args.repeat) for name in
                   ("json_loads", "read_only_full", "read_psi_full", "read_psi_lean")}
        sample = n if args.dict_sample == 0 or n <= args.dict_sample else args.dict_sample
        dict_path = path
        if sample < n:
            dict_path = Path(tmp) / "sample.jsonl"
            generate(dict_path, sample)
        d_time, d_spans, d_rss = run_job("dicts", dict_path)
        dict_mem = (d_rss - base) * n / d_spans
        t0 = results["json_loads"][0]
        print()
        print(f"{'job':<34}{'CPU s':>9}{'spans/s':>12}{'x json':>8}{'peak RSS':>11}"
              f"{'x dicts':>9}")
        rows = [("json.loads per line (baseline)", *results["json_loads"]),
                ("load (full model), no Ψ", *results["read_only_full"]),
                ("read + Ψ, full model", *results["read_psi_full"]),
                ("read + Ψ, lean (as the CLI reads)", *results["read_psi_lean"])]
        for label, secs, spans, rss in rows:
            print(f"{label:<34}{secs:>9.1f}{spans / secs:>12,.0f}{secs / t0:>8.2f}"
                  f"{rss / 2**20:>9.0f} M{(rss - base) / dict_mem:>9.2f}")
        scaled = "" if sample == n else f" (measured on {d_spans} spans, scaled to {n})"
        print(f"{'all lines kept as dicts':<34}{'':>9}{'':>12}{'':>8}"
              f"{(dict_mem + base) / 2**20:>9.0f} M{1:>9.2f}{scaled}")
        print(f"\ninterpreter baseline RSS {base / 2**20:.0f} MiB (subtracted for the x dicts "
              "column)")
        print(f"ratio read + Ψ (lean) / json.loads = {results['read_psi_lean'][0] / t0:.2f} "
              f"(target <= 3); full model: {results['read_psi_full'][0] / t0:.2f}")


if __name__ == "__main__":
    main()
