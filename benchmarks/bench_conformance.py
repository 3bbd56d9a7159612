"""Conformance throughput: abstract events checked per second, after normalisation.

The checkout specification (examples/checkout_spec.csp, loaded with the CSPm evaluator) is
normalised once; then N captured orders
(1-3 concurrent lookups, some declined, some shipping before charging) go through each phase:

* ``normalise (all nodes)``  — FDR-style eager normalisation of the specification;
* ``walk (integer codes)``   — the automaton walk alone, every trace walked (no memo);
* ``check (abstract)``       — :meth:`ConformanceChecker.check_abstract`: event numbering,
  walk with the memo of sequences already seen, verdicts with spans for failures;
* ``abstract``               — validation + abstraction of captured traces (spans -> events);
* ``end to end``             — abstraction + check, from captured traces in memory.

Run: ``PYTHONPATH=. python benchmarks/bench_conformance.py [N]`` (default 20000 traces). Times
are CPU seconds (``time.process_time``), best of three; the last column is the rate divided by
the target of 10^6 events/s.
"""

from __future__ import annotations

import sys

from timing import best_cpu_seconds

from cspotlp.conformance.checker import ConformanceChecker
from cspotlp.conformance.normalise import NormalisedSpec
from cspotlp.conformance.spec import load_spec
from cspotlp.mapping.abstraction import abstract_trace
from tests.flow_fixtures import CHECKOUT_SPEC, checkout_abstraction, order

TARGET = 1_000_000


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    traces = [order(k, 1 + k % 3, decline=k % 13 == 0, ship_first=k % 17 == 0)
              for k in range(1, n + 1)]
    abstraction = checkout_abstraction()
    spec, env = load_spec(CHECKOUT_SPEC, "SPEC")
    abstracts = [abstract_trace(t, abstraction) for t in traces]
    events = sum(len(a.events) for a in abstracts)

    full = NormalisedSpec(spec, env)
    normalise = best_cpu_seconds(lambda: NormalisedSpec(spec, env).normalise_all())
    checker = ConformanceChecker(full, abstraction)
    full.normalise_all()
    codes = [checker.codes(a.events) for a in abstracts]

    def walk() -> None:
        run = full.run
        for c in codes:
            run(c)

    def check() -> None:
        fresh = ConformanceChecker(full, abstraction)
        for a in abstracts:
            fresh.check_abstract(a)

    def abstract() -> None:
        for t in traces:
            abstract_trace(t, abstraction)

    def end_to_end() -> None:
        fresh = ConformanceChecker(full, abstraction)
        for t in traces:
            fresh.check(t)

    rows = [("walk (integer codes)", best_cpu_seconds(walk)),
            ("check (abstract)", best_cpu_seconds(check)),
            ("abstract", best_cpu_seconds(abstract)),
            ("end to end", best_cpu_seconds(end_to_end))]
    print(f"{n} traces, {events} abstract events; spec normalised to {full.num_nodes} nodes "
          f"in {normalise:.3f} s")
    print(f"{'phase':<22} {'cpu s':>8} {'events/s':>12} {'x target':>9}")
    for name, secs in rows:
        rate = events / secs if secs > 0 else float("inf")
        print(f"{name:<22} {secs:>8.3f} {rate:>12,.0f} {rate / TARGET:>9.2f}")


if __name__ == "__main__":
    main()
