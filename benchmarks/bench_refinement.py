"""Refinement-checker benchmark: cspotlp against agenticraft-foundation and spin.

For dining philosophers N = 3..8 (with and without a butler), Milner's cyclic scheduler and a
buffer pipeline it prints states, transitions, seconds, states/s and peak memory for

  (a) full exploration of the state space,
  (b) the deadlock check,
  (c) a trace refinement against a normalised specification,

then measures the same dining-philosopher models with agenticraft-foundation (the other Python CSP
library, ``pip install agenticraft-foundation``) and with spin on an equivalent Promela model
(exhaustive safety search, ``-DNOREDUCE``: no partial-order reduction, so the state spaces match),
and prints the ratios. State counts of the three tools are compared.

Every measurement runs in its own subprocess (so peak memory is per run); seconds are wall clock,
and CPU seconds (user + system of that subprocess) are shown too, since a loaded machine inflates
wall time. Ratios use CPU seconds.

The targets of issue 16 (the engine near the machine's limits) are printed last, for dining
philosophers at N = 8 and 9 (``--targets 8,9,10`` adds N = 10): states per CPU second of the whole
check for exploration, the deadlock check, trace refinement and failures refinement (``DF [F=``
the philosophers with a butler, who pass it: see :func:`worker_cspotlp`), bytes per state (peak resident
memory of the run / states), the ratio to spin's exhaustive search, and N = 3's start-up (the
engine's own seconds, model compilation included). Then the explorations again under a memory
bound too small for their hash table, spilled (``--spill``: the visited set moves to disk, see
:mod:`cspotlp.csp.external`), against the same bound in memory (stopped) and memory without a bound.
``--targets-only`` prints only these tables (and the spin runs they need). Then the same checks over ``--workers`` processes (default 2; the
partitioned search of :mod:`cspotlp.csp.parallel`) and on as many threads (sharing one table,
:mod:`cspotlp.csp.threaded`): wall-clock speed-up against one process, and whether the states,
transitions and verdict are the same, with the machine's ceiling for independent work (that many
one-process checks at once). The engine is the native one when it is built; ``CSPOTLP_NO_NATIVE=1``
measures the numpy reference (the variable reaches every subprocess).

Run: ``PYTHONPATH=. python benchmarks/bench_refinement.py [--max-n 8] [--quick]
[--agenticraft-timeout 60] [--no-spin] [--no-agenticraft] [--targets 8,9] [--targets-only]
[--workers 2] [--repeat 3]``.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import math
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


@dataclass
class Run:
    tool: str
    model: str
    n: int
    task: str
    states: int | None = None
    transitions: int | None = None
    seconds: float | None = None
    cpu: float | None = None
    peak_mb: float | None = None
    engine_seconds: float | None = None
    worker_peak_mb: float | None = None
    before_mb: float | None = None  # resident before the check (the interpreter, modules, model)
    verdict: str = ""
    note: str = ""

    @property
    def rate(self) -> float | None:
        return self.states / self.seconds if self.states and self.seconds else None

    @property
    def cpu_rate(self) -> float | None:
        return self.states / self.cpu if self.states and self.cpu else None


# -- workers (run in a subprocess, print one JSON line) ---------------------------------------------


def build_model(model: str, n: int):
    from cspotlp.csp.models import buffer_pipeline, cyclic_scheduler, dining_philosophers

    if model == "dining":
        return dining_philosophers(n)
    if model == "dining_butler":
        return dining_philosophers(n, butler=True)
    if model == "scheduler":
        return cyclic_scheduler(n)
    if model == "pipeline":
        return buffer_pipeline(n)
    raise SystemExit(f"unknown model {model}")


def deadlock_freedom_spec(env):
    """``DF = |~| e : Events @ e -> DF``, defined in ``env`` (a call to it)."""
    from cspotlp.csp.terms import call, int_choice, prefix

    events = sorted(env.events(), key=str)
    env.define("DF", lambda: int_choice(*(prefix(e, call("DF")) for e in events)))
    return call("DF")


def children_cpu() -> float:
    """CPU seconds of the ended child processes (the search's workers)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def worker_cspotlp(model: str, n: int, task: str) -> dict[str, object]:
    """One check; ``task`` is explore, deadlock, refine or failures, ``/P`` after it runs it on P
    worker processes, ``/Pt`` on P threads.

    failures: ``DF [F= P`` with ``DF = |~| e : Events @ e -> DF`` (FDR's deadlock freedom as a
    failures refinement: P may never refuse every event), a normalised nondeterministic
    specification whose acceptance sets are checked at every state; the dining philosophers with a
    butler pass it, without one they fail it at their deadlock.
    """
    from cspotlp.csp import Budget, deadlock_free, explore, refines
    from cspotlp.csp.budget import parse_size, resident_memory

    task, _, parts = task.partition("/")
    # explore@150M: under a memory bound; explore@150M+spill: spilled to a new folder, too
    task, _, bound = task.partition("@")
    bound, spilled, _ = bound.partition("+spill")
    threads = int(parts[:-1]) if parts.endswith("t") else 1
    workers = 1 if parts.endswith("t") else int(parts or 1)
    m = build_model(model, n)
    spill = tempfile.mkdtemp(prefix="bench-spill-") if spilled == "+spill" else None
    before_mb = resident_memory() / 2**20  # the interpreter, the modules and the model
    start, cpu, child_cpu = time.perf_counter(), time.process_time(), children_cpu()
    budget = Budget(workers=workers, threads=threads, spill=spill,
                    memory_limit=parse_size(bound) if bound else None)
    if task == "explore":
        e = explore(m.process, m.env, budget=budget)
        states, transitions, verdict, engine_seconds = e.states, e.transitions, "complete" if e.complete else e.reason, e.seconds
        if spill is not None:
            shutil.rmtree(spill)
    else:
        if task == "deadlock":
            v = deadlock_free(m.process, m.env, "F", budget=budget)
        elif task == "failures":
            v = refines(deadlock_freedom_spec(m.env), m.process, m.env, "F", budget=budget)
        else:
            (spec, impl), = m.refinements.values()
            v = refines(spec, impl, m.env, "T", budget=budget)
        states, transitions, engine_seconds = v.states, v.transitions, v.seconds
        verdict = {True: "passed", False: "failed", None: "inconclusive"}[v.holds]
    return {"states": states, "transitions": transitions, "verdict": verdict,
            "seconds": time.perf_counter() - start,
            "cpu": time.process_time() - cpu + children_cpu() - child_cpu,
            "engine_seconds": engine_seconds, "before_mb": before_mb}


def worker_agenticraft(model: str, n: int, task: str) -> dict[str, object]:
    from agenticraft_foundation.algebra.csp import (
        Event,
        ExternalChoice,
        Parallel,
        Prefix,
        Recursion,
        Variable,
    )
    from agenticraft_foundation.algebra.refinement import trace_refines
    from agenticraft_foundation.algebra.semantics import LTSBuilder, detect_deadlock

    def chain(events, end):
        p = end
        for e in reversed(events):
            p = Prefix(Event(e), p)
        return p

    def par_all(ps, sync=frozenset()):
        out = ps[0]
        for p in ps[1:]:
            out = Parallel(out, p, sync)
        return out

    # PHILS [| picks, putsdown |] FORKS: the same LTS as cspotlp's alphabetised version
    phils = [Recursion(f"P{i}", chain([f"sits.{i}", f"picks.{i}.{i}", f"picks.{i}.{(i + 1) % n}", f"eats.{i}",
                                        f"putsdown.{i}.{(i + 1) % n}", f"putsdown.{i}.{i}", f"getsup.{i}"],
                                       Variable(f"P{i}"))) for i in range(n)]
    forks = [Recursion(f"F{j}", ExternalChoice(*(chain([f"picks.{u}.{j}", f"putsdown.{u}.{j}"], Variable(f"F{j}"))
                                                 for u in (j, (j - 1) % n)))) for j in range(n)]
    sync = frozenset(Event(f"{k}.{i}.{j}") for k in ("picks", "putsdown") for i in range(n) for j in range(n))
    system = Parallel(par_all(phils), par_all(forks), sync)
    if model != "dining":
        raise SystemExit(f"agenticraft: model {model} is not built for it")
    start, cpu = time.perf_counter(), time.process_time()
    if task == "refine":
        forkspecs = [Recursion(f"S{j}", ExternalChoice(*(chain([f"picks.{u}.{j}", f"putsdown.{u}.{j}"], Variable(f"S{j}"))
                                                        for u in (j, (j - 1) % n)))) for j in range(n)]
        free = [Recursion(f"R{e}", Prefix(Event(e), Variable(f"R{e}")))
                for i in range(n) for e in (f"sits.{i}", f"eats.{i}", f"getsup.{i}")]
        spec = par_all(forkspecs + free)
        depth = 4 * n
        r = trace_refines(spec, system, max_trace_length=depth)
        return {"states": None, "transitions": None, "verdict": "passed" if r.refines else "failed",
                "seconds": time.perf_counter() - start, "cpu": time.process_time() - cpu,
                "note": f"traces up to length {depth} only"}
    lts = LTSBuilder(max_states=10**8, max_depth=10**8).build(system)
    out: dict[str, object] = {"states": lts.num_states, "transitions": lts.num_transitions}
    if task == "deadlock":
        d = detect_deadlock(lts)
        out["verdict"] = "failed" if d.has_deadlock else "passed"
    else:
        out["verdict"] = "complete"
    out["seconds"] = time.perf_counter() - start
    out["cpu"] = time.process_time() - cpu
    return out


def promela(n: int, butler: bool) -> str:
    """Dining philosophers as one Promela process whose d_step options are the CSP events."""
    lines = [f"byte phil[{n}]; byte fork[{n}];"]
    if butler:
        lines.append("byte seated;")
    lines.append("active proctype system() {\n  do")
    for i in range(n):
        lf, rf = i, (i + 1) % n
        sit_guard = f"phil[{i}] == 0" + (f" && seated < {n - 1}" if butler else "")
        lines += [
            f"  :: d_step {{ {sit_guard} -> phil[{i}] = 1{'; seated++' if butler else ''} }}",
            f"  :: d_step {{ phil[{i}] == 1 && fork[{lf}] == 0 -> phil[{i}] = 2; fork[{lf}] = 1 }}",
            f"  :: d_step {{ phil[{i}] == 2 && fork[{rf}] == 0 -> phil[{i}] = 3; fork[{rf}] = 2 }}",
            f"  :: d_step {{ phil[{i}] == 3 -> phil[{i}] = 4 }}",
            f"  :: d_step {{ phil[{i}] == 4 -> phil[{i}] = 5; fork[{rf}] = 0 }}",
            f"  :: d_step {{ phil[{i}] == 5 -> phil[{i}] = 6; fork[{lf}] = 0 }}",
            f"  :: d_step {{ phil[{i}] == 6 -> phil[{i}] = 0{'; seated--' if butler else ''} }}",
        ]
    lines.append("  od\n}")
    return "\n".join(lines) + "\n"


# -- the driver ---------------------------------------------------------------------------------


def run_child(argv: list[str], timeout: float | None) -> tuple[dict[str, object] | None, float, float, str]:
    """Run a subprocess; returns (JSON result, CPU seconds, peak MB, error text)."""
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        return None, 0.0, 0.0, f"timeout after {timeout:g} s"
    if proc.returncode != 0:
        return None, 0.0, 0.0, (err.strip().splitlines() or ["failed"])[-1]
    data = json.loads(out.strip().splitlines()[-1])
    return data, float(data.pop("cpu")), float(data.pop("peak_mb")), ""


def measure_python(tool: str, model: str, n: int, task: str, timeout: float | None) -> Run:
    data, cpu, peak, err = run_child([sys.executable, __file__, "--worker", tool, model, str(n), task], timeout)
    r = Run(tool, model, n, task, cpu=cpu or None, peak_mb=peak or None)
    if data is None:
        r.note = err
        return r
    r.states = data.get("states")  # type: ignore[assignment]
    r.transitions = data.get("transitions")  # type: ignore[assignment]
    r.seconds = data.get("seconds")  # type: ignore[assignment]
    r.engine_seconds = data.get("engine_seconds")  # type: ignore[assignment]
    r.worker_peak_mb = data.get("worker_peak_mb")  # type: ignore[assignment]
    r.before_mb = data.get("before_mb")  # type: ignore[assignment]
    r.verdict = str(data.get("verdict", ""))
    r.note = str(data.get("note", ""))
    return r


def measure_spin(model: str, n: int, task: str, workdir: str, bfs: bool) -> Run:
    r = Run("spin-bfs" if bfs else "spin", model, n, task)
    pml = os.path.join(workdir, f"{model}{n}.pml")
    with open(pml, "w", encoding="utf-8") as f:
        f.write(promela(n, model == "dining_butler"))
    subprocess.run(["spin", "-a", os.path.basename(pml)], cwd=workdir, check=True, capture_output=True)
    pan = os.path.join(workdir, f"pan_{model}{n}{'_bfs' if bfs else ''}")
    flags = ["-O2", "-DSAFETY", "-DNOREDUCE"] + (["-DBFS"] if bfs else [])
    subprocess.run(["gcc", *flags, "-o", pan, "pan.c"], cwd=workdir, check=True, capture_output=True)
    bound = 6**n + 1000  # more than the reachable states: sizes the DFS stack and hash table
    args = [pan, f"-m{bound}", f"-w{max(16, (2 * bound).bit_length())}"] + (["-E"] if task == "explore" else [])
    start = time.perf_counter()
    proc = subprocess.Popen(args, cwd=workdir, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    _pid, _status, usage = os.wait4(proc.pid, 0)
    r.seconds = time.perf_counter() - start
    out = proc.stdout.read() if proc.stdout else ""
    r.cpu = usage.ru_utime + usage.ru_stime
    r.peak_mb = usage.ru_maxrss / 1024
    for line in out.splitlines():
        words = line.split()
        if "states, stored" in line:
            r.states = int(float(words[0]))  # large counts are printed as 5.3267822e+08
        elif "transitions (= stored+matched)" in line:
            r.transitions = int(float(words[0]))
        elif line.startswith("State-vector") and "errors:" in line:
            errors = int(line.rsplit("errors:", 1)[1])
            r.verdict = ("failed" if errors else "passed") if task == "deadlock" else "complete"
    if task == "deadlock":
        r.note = f"{'BFS' if bfs else 'DFS'}, stops at the first invalid end state"
    return r


def fmt(x: float | int | None, spec: str = ",.0f") -> str:
    return "-" if x is None else format(x, spec)


def print_table(title: str, runs: list[Run]) -> None:
    print(f"\n{title}")
    head = (f"{'tool':<12} {'model':<15} {'N':>3} {'task':<9} {'states':>11} {'transitions':>12} {'wall s':>8} "
            f"{'cpu s':>8} {'states/s':>11} {'st/s cpu':>11} {'peak MB':>8}  verdict / note")
    print(head)
    print("-" * len(head))
    for r in runs:
        print(f"{r.tool:<12} {r.model:<15} {r.n:>3} {r.task:<9} {fmt(r.states):>11} {fmt(r.transitions):>12} "
              f"{fmt(r.seconds, '.3f'):>8} {fmt(r.cpu, '.3f'):>8} {fmt(r.rate):>11} {fmt(r.cpu_rate):>11} "
              f"{fmt(r.peak_mb, '.0f'):>8}  {r.verdict}{(' (' + r.note + ')') if r.note else ''}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--max-n", type=int, default=8)
    ap.add_argument("--quick", action="store_true", help="N up to 6, smaller other models")
    ap.add_argument("--no-spin", action="store_true")
    ap.add_argument("--no-agenticraft", action="store_true")
    ap.add_argument("--agenticraft-timeout", type=float, default=60.0)
    ap.add_argument("--targets", default="8,9", help="N of the issue-16 table (comma-separated)")
    ap.add_argument("--targets-only", action="store_true", help="only the issue-16 table and its spin runs")
    ap.add_argument("--workers", type=int, default=2,
                    help="worker processes of the every-core table (default 2; 1 leaves it out)")
    ap.add_argument("--repeat", type=int, default=3, help="runs of each every-core figure (their median)")
    ap.add_argument("--worker", nargs=4, metavar=("TOOL", "MODEL", "N", "TASK"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        tool, model, n, task = args.worker
        fn = worker_cspotlp if tool == "cspotlp" else worker_agenticraft
        out = fn(model, int(n), task)
        out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        out["worker_peak_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(json.dumps(out))
        return
    target_ns = [int(x) for x in args.targets.split(",") if x]
    if args.targets_only:
        print_targets(target_ns, args.no_spin, args.workers, args.repeat)
        return
    max_n = min(args.max_n, 6) if args.quick else args.max_n
    ns = list(range(3, max_n + 1))
    tasks = ["explore", "deadlock", "refine"]
    ours: list[Run] = []
    for model in ("dining", "dining_butler"):
        for n in ns:
            for task in tasks:
                ours.append(measure_python("cspotlp", model, n, task, None))
    others = [("scheduler", [8, 12, 14] if args.quick else [8, 12, 14, 16]),
              ("pipeline", [6, 9, 11] if args.quick else [6, 9, 11, 13])]
    for model, sizes in others:
        for n in sizes:
            for task in tasks:
                ours.append(measure_python("cspotlp", model, n, task, None))
    print("cspotlp refinement checker benchmark")
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    print_table("cspotlp (supercombinator engine, numpy)", ours)

    theirs: list[Run] = []
    if not args.no_agenticraft:
        try:
            import agenticraft_foundation  # noqa: F401
        except ImportError:
            print("\nagenticraft-foundation is not installed (pip install agenticraft-foundation): skipped")
        else:
            gave_up: set[str] = set()
            for n in ns:
                for task in tasks:
                    if task in gave_up:  # a smaller N already timed out: a bigger one would too
                        theirs.append(Run("agenticraft", "dining", n, task, note="skipped (smaller N timed out)"))
                        continue
                    run = measure_python("agenticraft", "dining", n, task, args.agenticraft_timeout)
                    if run.note.startswith("timeout"):
                        gave_up.add(task)
                    theirs.append(run)
            print_table("agenticraft-foundation 0.1 (LTSBuilder, detect_deadlock, trace_refines)", theirs)
    spins: list[Run] = []
    if not args.no_spin and shutil.which("spin") and shutil.which("gcc"):
        with tempfile.TemporaryDirectory() as workdir:
            for model in ("dining", "dining_butler"):
                for n in ns:
                    for task in ("explore", "deadlock"):
                        for bfs in (False, True):
                            spins.append(measure_spin(model, n, task, workdir, bfs))
        print_table("spin 6.5 (gcc -O2 -DSAFETY -DNOREDUCE [-DBFS]; pan -m/-w sized to 6^N)", spins)
    elif not args.no_spin:
        print("\nspin or gcc not found: skipped")
    print_comparison(ours, theirs, spins)
    print_targets(target_ns, args.no_spin, args.workers, args.repeat)


def engine_name() -> str:
    """Which engine the subprocesses run (they inherit this process's environment)."""
    from cspotlp.csp import native

    return "native (C kernel)" if native.KERNEL is not None else f"numpy ({native.UNAVAILABLE})"


TARGET_RATE = {"explore": 3e6, "deadlock": 2e6, "refine": 2e6, "failures": 2e6}
"""Issue 16: states per second on one core."""
TARGET_BYTES = 40
"""Issue 16: bytes per stored state (peak RSS / states)."""
TARGET_STARTUP = 0.010
"""Issue 16: N = 3 start-up, engine seconds."""


SPIN_MAX_N = 9
"""spin is not run above this N in the targets table (N = 10 takes it many minutes)."""


def print_targets(ns: list[int], no_spin: bool, workers: int, repeat: int = 3) -> None:
    """The table of issue 16: rates, bytes per state, ratio to spin, start-up; then every core."""
    runs = [measure_python("cspotlp", model, n, task, None) for n in ns
            for model, task in (("dining", "explore"), ("dining", "deadlock"), ("dining", "refine"),
                                ("dining_butler", "failures"))]
    spins: dict[tuple[int, str], Run] = {}
    if not no_spin and shutil.which("spin") and shutil.which("gcc"):
        with tempfile.TemporaryDirectory() as workdir:
            for n in ns:
                if n > SPIN_MAX_N:
                    continue
                for task in ("explore", "deadlock"):
                    done = [measure_spin("dining", n, task, workdir, bfs) for bfs in (False, True)]
                    rated = [x for x in done if x.cpu_rate]
                    if rated:
                        spins[(n, task)] = max(rated, key=lambda x: x.cpu_rate or 0.0)
    startup = measure_python("cspotlp", "dining", 3, "explore", None)
    print(f"\nIssue 16 targets (engine: {engine_name()}; load average {os.getloadavg()[0]:.1f}; "
          "rates per CPU second of the whole check)")
    head = (f"{'N':>3} {'task':<9} {'states':>11} {'cpu s':>8} {'states/s':>11} {'x target':>9} {'peak MB':>8} "
            f"{'bytes/st':>9} {'x target':>9} {'search':>7} {'spin st/s':>11} {'x spin':>7}  verdict")
    print(head)
    print("-" * len(head))
    for r in runs:
        per_state = r.peak_mb * 2**20 / r.states if r.peak_mb and r.states else None
        s = spins.get((r.n, r.task))
        x_spin = r.cpu_rate / s.cpu_rate if s and s.cpu_rate and r.cpu_rate else None
        x_rate = r.cpu_rate / TARGET_RATE[r.task] if r.cpu_rate else None
        x_bytes = TARGET_BYTES / per_state if per_state else None
        search = ((r.peak_mb - r.before_mb) * 2**20 / r.states
                  if r.peak_mb and r.before_mb is not None and r.states else None)
        print(f"{r.n:>3} {r.task:<9} {fmt(r.states):>11} {fmt(r.cpu, '.2f'):>8} {fmt(r.cpu_rate):>11} "
              f"{fmt(x_rate, '.2f'):>9} {fmt(r.peak_mb, '.0f'):>8} {fmt(per_state, '.1f'):>9} {fmt(x_bytes, '.2f'):>9} "
              f"{fmt(search, '.1f'):>7} {fmt(s.cpu_rate if s else None):>11} {fmt(x_spin, '.2f'):>7}  {r.verdict}{(' (' + r.note + ')') if r.note else ''}")
    ms = startup.engine_seconds * 1000 if startup.engine_seconds is not None else None
    print(f"N = 3 start-up: {fmt(ms, '.1f')} ms of engine time (target {TARGET_STARTUP * 1000:.0f} ms), "
          f"{fmt(startup.states)} states")
    print("x target: above 1 meets the target (rate / target; target bytes / bytes). x spin: states per CPU "
          "second over spin's (the faster of DFS and BFS; deadlock: both stop at the first deadlock, at "
          "different states). Bytes per state include the interpreter's own memory; search: without what was "
          "resident before the check (the interpreter, the modules, the model), which weighs most on a check "
          "that stops early.")
    print_beyond_memory([r for r in runs if r.task == "explore"])
    if workers > 1:
        print_every_core(runs, workers, repeat)


BEYOND_MEMORY = {8: "60M", 9: "150M", 10: "600M"}
"""Memory bounds that stop the in-memory exploration (the table cannot grow within them)."""


def print_beyond_memory(in_memory: list[Run]) -> None:
    """The same explorations spilled under a memory bound too small for their table.

    The table cannot grow within the bound, so the visited set moves to disk
    (:mod:`cspotlp.csp.external`); the in-memory search, under the same bound, stops. Seconds:
    the whole check, wall clock; the ratio is to the exploration in memory without a bound.
    """
    print("\nBeyond memory: exploration spilled (--spill) under a memory bound that stops it in memory")
    head = (f"{'N':>3} {'bound':>6} {'states':>11} {'stopped at':>11} {'spilled s':>10} {'memory s':>9} "
            f"{'x slower':>9} {'peak MB':>8}  result")
    print(head)
    print("-" * len(head))
    for row in in_memory:
        bound = BEYOND_MEMORY.get(row.n)
        if bound is None:
            continue
        stopped = measure_python("cspotlp", row.model, row.n, f"explore@{bound}", None)
        spilled = measure_python("cspotlp", row.model, row.n, f"explore@{bound}+spill", None)
        same = (spilled.states, spilled.transitions) == (row.states, row.transitions)
        slower = spilled.seconds / row.seconds if spilled.seconds and row.seconds else None
        print(f"{row.n:>3} {bound:>6} {fmt(spilled.states):>11} {fmt(stopped.states):>11} {fmt(spilled.seconds, '.2f'):>10} "
              f"{fmt(row.seconds, '.2f'):>9} {fmt(slower, '.2f'):>9} {fmt(spilled.peak_mb, '.0f'):>8}  "
              f"{spilled.verdict}{'' if same else ' (NOT the in-memory counts)'}{(' ' + spilled.note) if spilled.note else ''}")
    print("stopped at: the in-memory exploration under the same bound. memory s: in memory without a bound. "
          "peak MB: resident, the spill folder's mapped pages included (the bound counts the rest).")


TARGET_SPEEDUP = 1.8
"""Issue 16: the search over the worker processes, or threads, against one process, on this 2-core machine."""


def print_every_core(single: list[Run], workers: int, repeat: int) -> None:
    """The same checks over ``workers`` processes and over as many threads: wall-clock speed-up
    against one process.

    Processes partition the states by hash (:mod:`cspotlp.csp.parallel`); threads share one table
    (:mod:`cspotlp.csp.threaded`). The machine's own ceiling is shown next to them: ``workers``
    copies of the one-process check run at once (independent work, nothing exchanged) against one
    copy alone. A search is memory-bound (random probes of its hash table), so copies sharing the
    memory system slow each other down. Each figure is the median of ``repeat`` runs, the kinds
    interleaved (this VM's speed varies from minute to minute).
    """
    print(f"\nEvery core: the search over {workers} worker processes, and on {workers} threads, against one "
          f"process ({os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f}; wall clock of the whole "
          f"check, median of {repeat})")
    head = (f"{'N':>3} {'task':<9} {'states':>11} {'1 proc s':>9} {f'{workers} proc s':>9} {'speed-up':>9} "
            f"{f'{workers} thr s':>9} {'speed-up':>9} {'x target':>9} {'ceiling':>8} {'thr MB':>7}  same result")
    print(head)
    print("-" * len(head))
    for row in single:
        ones: list[Run] = []
        procs: list[Run] = []
        threads: list[Run] = []
        copies: list[Run] = []
        for _ in range(repeat):  # interleaved: a slow spell of the machine slows every kind alike
            ones.append(measure_python("cspotlp", row.model, row.n, row.task, None))
            procs.append(measure_python("cspotlp", row.model, row.n, f"{row.task}/{workers}", None))
            threads.append(measure_python("cspotlp", row.model, row.n, f"{row.task}/{workers}t", None))
            copies.append(measure_together(workers, row))
        one_s, procs_s, threads_s, copies_s = (median([x.seconds for x in runs])
                                               for runs in (ones, procs, threads, copies))
        by_procs = one_s / procs_s if one_s and procs_s else None
        by_threads = one_s / threads_s if one_s and threads_s else None
        ceiling = workers * one_s / copies_s if one_s and copies_s else None
        r = threads[0]
        odd = [x for x in [*ones, *procs, *threads]
               if (x.states, x.transitions, x.verdict) != (row.states, row.transitions, row.verdict)]
        print(f"{r.n:>3} {row.task:<9} {fmt(r.states):>11} {fmt(one_s, '.2f'):>9} {fmt(procs_s, '.2f'):>9} "
              f"{fmt(by_procs, '.2f'):>9} {fmt(threads_s, '.2f'):>9} {fmt(by_threads, '.2f'):>9} "
              f"{fmt(by_threads / TARGET_SPEEDUP if by_threads else None, '.2f'):>9} "
              f"{fmt(ceiling, '.2f'):>8} {fmt(r.peak_mb, '.0f'):>7}  "
              f"{'NO: ' + str((odd[0].states, odd[0].transitions, odd[0].verdict, odd[0].note)) if odd else 'yes'}")
    print(f"speed-up: one process's seconds over {workers} processes' or {workers} threads' (x target: the "
          f"threads' against {TARGET_SPEEDUP}); the whole check, model compilation in one process included. "
          f"ceiling: the same ratio for independent work, {workers} copies of the one-process check at once "
          "against one alone. thr MB: peak resident memory of the threaded run.")


def measure_together(copies: int, row: Run) -> Run:
    """``copies`` one-process runs of ``row``'s check at once; seconds: the slowest one's."""
    with concurrent.futures.ThreadPoolExecutor(copies) as pool:
        runs = list(pool.map(lambda _: measure_python("cspotlp", row.model, row.n, row.task, None), range(copies)))
    slowest = max(runs, key=lambda x: x.seconds or math.inf)
    return slowest


def median(xs: list[float | None]) -> float | None:
    values = [x for x in xs if x is not None]
    return statistics.median(values) if len(values) == len(xs) and values else None


def print_comparison(ours: list[Run], theirs: list[Run], spins: list[Run]) -> None:
    print("\nComparison (CPU-second rates; spin: the faster of DFS and BFS; state counts must agree)")
    head = f"{'model':<15} {'N':>3} {'task':<9} {'states':>11} {'agenticraft':>12} {'spin':>11} {'x agenticraft':>14} {'x spin':>8}"
    print(head)
    print("-" * len(head))
    index = {(r.tool, r.model, r.n, r.task): r for r in [*ours, *theirs, *spins]}
    for r in ours:
        if r.model not in ("dining", "dining_butler"):
            continue
        if r.task == "refine":
            a = index.get(("agenticraft", r.model, r.n, r.task))
            if a and a.cpu and r.cpu:
                print(f"{r.model:<15} {r.n:>3} {r.task:<9} {fmt(r.states):>11} {'(time)':>12} {'-':>11} "
                      f"{fmt(a.cpu / r.cpu, ',.0f'):>14} {'-':>8}  agenticraft {a.cpu:.2f} s for traces up to "
                      f"a bound, cspotlp {r.cpu:.3f} s complete")
            continue
        a = index.get(("agenticraft", r.model, r.n, r.task))
        spin_runs = [x for x in (index.get(("spin", r.model, r.n, r.task)), index.get(("spin-bfs", r.model, r.n, r.task)))
                     if x is not None and x.cpu_rate]
        s = max(spin_runs, key=lambda x: x.cpu_rate or 0.0) if spin_runs else None
        agree = []
        if a and a.states is not None and r.task == "explore":
            agree.append("=" if a.states == r.states else f"agenticraft {a.states}")
        if s and s.states is not None and r.task == "explore":
            agree.append("=" if s.states == r.states else f"spin {s.states}")
        ra = r.cpu_rate / a.cpu_rate if a and a.cpu_rate and r.cpu_rate else None
        rs = r.cpu_rate / s.cpu_rate if s and s.cpu_rate and r.cpu_rate else None
        print(f"{r.model:<15} {r.n:>3} {r.task:<9} {fmt(r.states):>11} {fmt(a.cpu_rate if a else None):>12} "
              f"{fmt(s.cpu_rate if s else None):>11} {fmt(ra, ',.0f'):>14} {fmt(rs, '.2f'):>8}  "
              f"{'counts ' + ' '.join(agree) if agree else ''}")
    print(f"\nload average at the end: {os.getloadavg()[0]:.1f}")
    print("\nNotes: deadlock checks stop at the first deadlock (cspotlp: breadth first, shortest "
          "counterexample; spin: depth first), so their state counts differ by design. agenticraft's "
          "trace_refines enumerates traces up to a bounded length (it is not a complete check); a "
          "timeout is shown when a run exceeds --agenticraft-timeout.")


if __name__ == "__main__":
    main()
