"""The main job on bundled example data (what ``bin/demo`` runs).

Captured traces in, verdicts out: an instrumented example program writes real OpenTelemetry
telemetry, cspotlp reads and diagnoses it, abstracts spans into events, exports them for FDR4
(CSPm) and TLC (TLA+), and checks them natively against a CSP specification, pointing every failure at the span
that caused it. Then the same on a real capture of the OpenTelemetry Demo (when the shared corpus
is present), and a short look at the process algebra itself. Every step prints what it does,
the command that does it and what came out.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from cspotlp.cli import main as cli

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"
OTEL_DEMO_CAPTURE = "otlpjson__otel-tui__otel-demo-fileexporter-part1.jsonl"


@dataclass(frozen=True)
class Step:
    """One step of the tour: a title, what a newcomer should know, and what to run."""

    title: str
    explain: str
    run: Callable[[], int]
    shown: str | Callable[[], str]
    ok: tuple[int, ...] = (0,)
    """Exit statuses that mean the step did what it should (a failing check can be the point)."""


def _cli(argv: Sequence[str]) -> Callable[[], int]:
    return lambda: cli(list(argv))


def _all(*runs: Callable[[], int]) -> Callable[[], int]:
    """Run each in turn; the first non-zero status, or 0."""
    def run() -> int:
        for r in runs:
            status = r()
            if status:
                return status
        return 0

    return run


def _python(argv: Sequence[str]) -> Callable[[], int]:
    def run() -> int:
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(
            [str(REPO), *filter(None, [os.environ.get("PYTHONPATH")])])}
        return subprocess.run([sys.executable, *argv], env=env, check=False).returncode

    return run


def _rel(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _shared_capture() -> Path | None:
    env = os.environ.get("CSPOTLP_SHARED_DATA")
    candidates = [Path(env) / "otlp"] if env else []
    candidates += [p / "shared" / "data" / "otlp" for p in REPO.parents]
    for c in candidates:
        if (c / OTEL_DEMO_CAPTURE).is_file():
            return c / OTEL_DEMO_CAPTURE
    return None


def _order_trace(capture: Path, number: int) -> str:
    """The trace id of order ``number`` in the example app's capture (its root's order id)."""
    from cspotlp.otlp import load
    from cspotlp.otlp.model import attribute

    for trace in load(capture).traces:
        for span in trace.spans:
            value = attribute(span.attributes, "app.order.id")
            if not span.parent_span_id and value is not None and value.value == f"order-{number}":
                return trace.trace_id
    return "(no such order)"


def _counterexample(script: Path) -> str:
    """The counterexample of ``SPEC [T= OBSERVED`` in an exported script, as FDR prints it."""
    from cspotlp.cspm.assertions import check_assertion
    from cspotlp.cspm.evaluate import load_script

    loaded = load_script(script, allow_include=[EXAMPLES])
    for decl in loaded.assertions():
        if loaded.source_text(decl).endswith("[T= OBSERVED"):
            found = check_assertion(loaded, decl).counterexample
            return "<" + ", ".join(found or ()) + ">"
    return "<>"


def steps(out: Path) -> list[Step]:
    """The tour, writing its files under ``out``."""
    capture = out / "checkout.pb"
    spec, abstraction = EXAMPLES / "checkout_spec.csp", EXAMPLES / "checkout_abstraction.json"
    script = out / "checkout.csp"
    flow = ["--abstraction", _rel(abstraction)]
    tour = [
        Step("1. Capture telemetry from a real program",
             "examples/checkout_app.py is a small shop instrumented with the OpenTelemetry "
             "Python SDK: 8 services, 4 orders, product look-ups running concurrently in "
             "threads. Order 3's card is declined (error status); order 4 has a bug: it ships "
             "before charging the card. The SDK's spans are written the way the OpenTelemetry "
             "Collector's file exporter writes them (length-prefixed protobuf).",
             _python([str(EXAMPLES / "checkout_app.py"), str(capture)]),
             f"python examples/checkout_app.py {_rel(capture)}"),
        Step("2. Read it back and diagnose it",
             "cspotlp detects the format and reports traces, spans, services and anything that "
             "would stop a trace from being a span tree (orphans, cycles, duplicate ids, clock "
             "skew). This capture is clean.",
             _cli(["inspect", str(capture)]), f"cspotlp inspect {_rel(capture)}"),
        Step("3. Abstract spans into events",
             "Model checkers need a small alphabet. The abstraction in "
             "examples/checkout_abstraction.json keeps each RPC once (its server span), names "
             "it by its method, and turns every span into call.<label> when it begins and "
             "ret.<label> (or error.<label>) when it ends, in a deterministic order that "
             "respects the tree. Each event remembers its span. Here is the buggy order 4:",
             lambda: cli(["abstract", str(capture), *flow, "--trace", _order_trace(capture, 4)]),
             lambda: f"cspotlp abstract {_rel(capture)} --abstraction {_rel(abstraction)} "
             f"--trace {_order_trace(capture, 4)}"),
        Step("4. Export for FDR4 (CSPm)",
             "otlp2cspm writes a CSPm script that includes the specification "
             "(examples/checkout_spec.csp) and writes each captured trace as the partial order "
             "of its events (concurrent look-ups interleaved, |||, inside PlaceOrder's call "
             "... ret); it asserts that every order of every trace is a trace of SPEC "
             "(Obs_SPEC [T= OBSERVED), per trace the same, and per trace that some order is. "
             "FDR4 would answer with a counterexample; the sidecar .json maps its events back "
             "to trace and span ids.",
             _cli(["otlp2cspm", str(capture), "-o", str(script), "--spec", str(spec), *flow,
                   "--per-trace"]),
             f"cspotlp otlp2cspm {_rel(capture)} -o {_rel(script)} --spec {_rel(spec)} "
             f"--abstraction {_rel(abstraction)} --per-trace"),
        Step("5. Run the exported assertions",
             "The export is read back by cspotlp's own CSPm front end and evaluator, and its "
             "assertions are checked as FDR4 checks them (normalise the specification, explore "
             "the product breadth first): the specification's own sanity checks pass, "
             "Obs_SPEC [T= OBSERVED fails with the shortest counterexample, and so do order "
             "4's own assertions. Exit status 1: some assertion failed, as it should.",
             _cli(["check", str(script), "--allow-include", str(EXAMPLES)]),
             f"cspotlp check {_rel(script)} --allow-include {_rel(EXAMPLES)}", ok=(1,)),
        Step("5b. Point the counterexample at the real spans",
             "The sidecar written with the script maps every event back to the span that made "
             "it; 'locate' finds the captured trace that performed the counterexample (FDR4's "
             "or ours) and marks the span where the specification was left.",
             lambda: cli(["locate", f"{script}.json", _counterexample(script)]),
             lambda: f"cspotlp locate {_rel(script)}.json '{_counterexample(script)}'"),
        Step("6. Export for TLC (TLA+)",
             "csp2tla writes the specification's LTS as a TLA+ module (a state variable and "
             "the last event; Init/Next) with a config for TLC; otlp2tla writes, per captured "
             "trace, a trace-validation module whose behaviours match the logged events one "
             "by one to steps of the model. TLC accepts orders 1-3 and reports order 4's "
             "TraceAccepted violation with the trace and span id of the first unmatched event. "
             "(TLC itself is not run here: it needs Java and tla2tools.jar.)",
             _all(_cli(["csp2tla", str(spec), "SPEC", "-o", str(out / "tla")]),
                  _cli(["otlp2tla", str(capture), "--model", str(spec), "--process", "SPEC",
                        *flow, "-o", str(out / "tla")])),
             f"cspotlp csp2tla {_rel(spec)} SPEC -o {_rel(out / 'tla')}\n"
             f"$ cspotlp otlp2tla {_rel(capture)} --model {_rel(spec)} --process SPEC "
             f"--abstraction {_rel(abstraction)} -o {_rel(out / 'tla')}"),
        Step("7. Check every captured trace against the specification",
             "Natively: the specification is normalised (made deterministic) once, then each "
             "trace is walked through it. Orders 1-3 follow the specification (the declined "
             "card takes the specified error path); order 4 fails exactly where it ships before "
             "paying, naming the real span and what the specification expected instead. Exit "
             "status 1 means 'some trace failed' — here, the point.",
             _cli(["conform", "--spec", str(spec), *flow, "--complete", str(capture)]),
             f"cspotlp conform --spec {_rel(spec)} --abstraction {_rel(abstraction)} "
             f"--complete {_rel(capture)}", ok=(1,)),
        Step("7b. See it: a picture of the counterexample, and an HTML report",
             "render draws the failing order's span tree with the offending span highlighted "
             "and the events the specification accepted there; report writes one "
             "self-contained HTML page (for a CI artifact) with every verdict, the failing "
             "trace's timeline and tree, its path through the specification's normal form, and "
             "the specification's drawing. Open out/demo/report.html in a browser.",
             _all(_cli(["render", "counterexample", str(capture), "--spec", str(spec), *flow,
                        "--complete", "-o", str(out / "order4.svg")]),
                  _cli(["report", str(capture), "--spec", str(spec), *flow, "--complete",
                        "-o", str(out / "report.html")])),
             f"cspotlp render counterexample {_rel(capture)} --spec {_rel(spec)} "
             f"--abstraction {_rel(abstraction)} --complete -o {_rel(out / 'order4.svg')}\n"
             f"$ cspotlp report {_rel(capture)} --spec {_rel(spec)} "
             f"--abstraction {_rel(abstraction)} --complete -o {_rel(out / 'report.html')}",
             ok=(1,)),
    ]
    demo = _shared_capture()
    if demo is None:
        tour.append(Step(
            "8. The real OpenTelemetry Demo capture",
            "skipped: the shared corpus (shared/data beside the checkout, or "
            "CSPOTLP_SHARED_DATA) is not here; it holds a real capture of the OpenTelemetry Demo "
            "that this step would check against examples/otel_demo_spec.csp.",
            lambda: 0, "(nothing to run)"))
    else:
        dspec = EXAMPLES / "otel_demo_spec.csp"
        dabs = EXAMPLES / "otel_demo_abstraction.json"
        tour.append(Step(
            "8. The real OpenTelemetry Demo capture",
            "61 traces captured from the OpenTelemetry Demo by a collector (load generator, "
            "proxy, frontend, product catalogue, ads, recommendations, flagd; no checkout in "
            "this part of the capture). Checked as captured, with no flags: children that "
            "start a little before their parent (clocks of different services) stay its "
            "children, spans whose parent is outside the capture hang from a synthetic root, "
            "and both are counted in the summary. A trace passes when some order of its "
            "concurrent events follows examples/otel_demo_spec.csp. Only failures are listed: "
            "three traces hold a lone GetProduct whose frontend parent is missing from the "
            "capture.",
            _cli(["conform", "--spec", str(dspec), "--abstraction", str(dabs),
                  "--failures-only", str(demo)]),
            f"cspotlp conform --spec {_rel(dspec)} --abstraction {_rel(dabs)} "
            f"--failures-only {_rel(demo)}", ok=(0, 1)))
    tour.append(Step(
        "9. The process algebra underneath: dining philosophers",
        "Five philosophers who each pick up their left fork first can deadlock: the checker "
        "finds the shortest trace into the deadlock and shows what every component is waiting "
        "for (exit status 1: the check failed, as it should).",
        _cli(["explore", "--builtin", "dining_philosophers", "--n", "5"]),
        "cspotlp explore --builtin dining_philosophers --n 5", ok=(1,)))
    tour.append(Step(
        "10. ... and with a butler",
        "A butler who seats at most four at a time removes the deadlock.",
        _cli(["explore", "--builtin", "dining_philosophers", "--n", "5", "--butler"]),
        "cspotlp explore --builtin dining_philosophers --n 5 --butler"))
    return tour


def run_demo(out: Path | None = None) -> int:
    """Run every step; returns 0 when each did what it should, else the first odd status."""
    out = out or Path("out") / "demo"
    out.mkdir(parents=True, exist_ok=True)
    for step in steps(out):
        print(f"\n== {step.title}")
        print(textwrap.fill(step.explain, width=96))
        shown = step.shown if isinstance(step.shown, str) else step.shown()
        print(f"$ {shown}", flush=True)
        status = step.run()
        sys.stdout.flush()
        if status not in step.ok:
            print(f"demo: this step ended with status {status}, expected "
                  f"{' or '.join(map(str, step.ok))}", file=sys.stderr)
            return status or 1
    print(f"\nAll steps done; the files are in {_rel(out)}/.")
    return 0


if __name__ == "__main__":
    sys.exit(run_demo(Path(sys.argv[1]) if len(sys.argv) > 1 else None))
