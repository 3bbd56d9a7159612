"""cspotlp in a test suite: assert_conforms on 10^4 spans, and the model-based state machine.

* ``assert_conforms``: about 10^4 spans of the checkout example (examples/checkout_app.py run
  with an in-memory exporter: eight services, concurrent lookups, some declined cards) checked
  against examples/checkout_spec.csp — as a test hands them over (the SDK spans of
  ``otel_spans``: conversion, grouping, abstraction, check), and as cspotlp spans (no
  conversion). *warm*: the specification already loaded and normalised by an earlier test (the
  cache a test suite runs with); *cold*: assert_conforms' caches emptied, so the CSPm file is
  read, checked and evaluated and the specification normalised again (in a process that has
  built the CSPm grammar already, as any earlier test has). Target: under 0.5 s.
* ``state machine``: the model-based test of examples/test_bounded_batch_processor.py
  (Hypothesis drawing inputs, the processor inside a real SDK TracerProvider, every observation checked
  against the normalised specification, quiescence checked after each step): steps per second,
  Hypothesis included. Target: at least 200 steps/s.

Times are CPU seconds (``time.process_time``), best of three.

    PYTHONPATH=. python benchmarks/bench_testing.py [--spans 10000]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

from timing import best_cpu_seconds

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"
sys.path.insert(0, str(EXAMPLES))

SECONDS_TARGET = 0.5
STEPS_TARGET = 200


def checkout_spans(n_spans: int) -> list:
    """SDK spans of checkout orders (about ``n_spans``), as an in-memory exporter keeps them."""
    from checkout_app import Shop, place_order
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    memory = InMemorySpanExporter()
    rng = random.Random(7)
    shop = Shop(memory, rng)
    k = 0
    while len(memory.get_finished_spans()) < n_spans:
        k += 1
        items = [f"P{rng.randrange(100):02d}" for _ in range(rng.randint(1, 3))]
        place_order(shop, f"order-{k}", items, decline=k % 13 == 0, ship_first=False)
    return list(memory.get_finished_spans())


def bench_assert_conforms(n_spans: int) -> list[tuple[str, int, float, str]]:
    from cspotlp.otel import to_traces
    from cspotlp.testing import assert_conforms, sources
    from cspotlp.testing.conform import _CHECKERS

    sdk = checkout_spans(n_spans)
    spec, abstraction = EXAMPLES / "checkout_spec.csp", EXAMPLES / "checkout_abstraction.json"
    ours = to_traces(sdk)

    def check(spans: object) -> None:
        results = assert_conforms(spans, spec, "SPEC", abstraction, complete=True)
        assert len(results) == len(ours)

    def cold() -> None:
        sources._SPECS.clear()
        _CHECKERS.clear()
        check(sdk)

    check(sdk)  # warm the caches
    return [("assert_conforms, SDK spans, warm", len(sdk), best_cpu_seconds(lambda: check(sdk)),
             "s"),
            ("assert_conforms, cspotlp spans, warm", len(sdk),
             best_cpu_seconds(lambda: check(ours)), "s"),
            ("assert_conforms, SDK spans, cold", len(sdk), best_cpu_seconds(cold), "s")]


def bench_state_machine(examples: int) -> tuple[str, int, float, str]:
    from hypothesis import HealthCheck, settings
    from hypothesis.stateful import run_state_machine_as_test
    from test_bounded_batch_processor import BINDINGS, SPEC, Harness

    from cspotlp.testing import state_machine

    steps = 0

    def counted(binding):
        def step(harness):
            nonlocal steps
            steps += 1
            return binding(harness)
        return step

    machine = state_machine(SPEC, "SPEC", {k: counted(f) for k, f in BINDINGS.items()},
                            make=Harness, stable=True)
    run_settings = settings(max_examples=examples, stateful_step_count=50, deadline=None,
                            database=None, derandomize=True,
                            suppress_health_check=list(HealthCheck))
    best = float("inf")
    for _ in range(3):
        steps = 0
        start = time.process_time()
        run_state_machine_as_test(machine, settings=run_settings)
        seconds = time.process_time() - start
        best = min(best, seconds / steps)
    return "state machine (batch processor)", steps, best, "steps/s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spans", type=int, default=10_000)
    parser.add_argument("--examples", type=int, default=100)
    args = parser.parse_args()
    rows = bench_assert_conforms(args.spans)
    print(f"{'case':<38} {'size':>7} {'cpu s':>8} {'target':>8} {'ratio':>6}")
    for name, size, seconds, _ in rows:
        print(f"{name:<38} {size:>7} {seconds:>8.3f} {SECONDS_TARGET:>7.2f}s "
              f"{seconds / SECONDS_TARGET:>6.2f}")
    name, steps, per_step, _ = bench_state_machine(args.examples)
    rate = 1 / per_step
    print(f"{name:<38} {steps:>7} {rate:>6.0f}/s {STEPS_TARGET:>6}/s {STEPS_TARGET / rate:>6.2f}")
    print("ratio: measured / target for times, target / measured for rates (<= 1 meets the target)")


if __name__ == "__main__":
    main()
