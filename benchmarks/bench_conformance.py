"""Conformance throughput: abstract events checked per second, after normalisation.

The checkout specification (examples/checkout_spec.csp, loaded with the CSPm evaluator) is
normalised once; then N captured orders
(1-3 concurrent lookups, some declined, some shipping before charging) go through each phase:

* ``normalise (all nodes)``  — FDR-style eager normalisation of the specification;
* ``walk (integer codes)``   — the automaton walk alone, every trace walked (no memo);
* ``check (abstract)``       — :meth:`ConformanceChecker.check_abstract`: event numbering,
  walk with the memo of sequences already seen, verdicts with spans for failures;
* ``abstract``               — validation + abstraction of captured traces (spans -> events),
  in Ψ's order (:func:`abstract_trace`);
* ``abstract (with order)``  — the same keeping each trace's partial order
  (:func:`abstract_observed`, what ``conform`` does);
* ``end to end (some|all)``  — abstraction + check, from captured traces in memory, for the
  default (some order) and ``--all-orders``.

Then traces with *concurrent siblings* (fan-outs of k calls under one parent span, each call in
a service of its own, so their order is only partial), checked by the search over (events done,
specification node):

* ``all orders, k alike``    — k identical concurrent calls against a specification that
  interleaves them: every order must pass; symmetry makes it (k+1)(k+2)/2 ideals, not 3^k;
* ``some order, k alike``    — the same calls staggered in time against a specification that
  wants every call before any return: the time order fails, the search finds the order;
* ``all orders, k distinct`` — k different concurrent calls: no symmetry, 3^k ideals.

Run: ``PYTHONPATH=. python benchmarks/bench_conformance.py [N]`` (default 20000 traces). Times
are CPU seconds (``time.process_time``), best of three. The first table's last column is the
rate divided by the target of 10^6 events/s; the second's is the rate divided by that of the
time-order walk of the same traces (``conform --sequential``), i.e. what the partial order costs.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from timing import best_cpu_seconds

from cspotlp.conformance.checker import ConformanceChecker
from cspotlp.conformance.normalise import NormalisedSpec
from cspotlp.conformance.spec import load_spec
from cspotlp.csp import SKIP, Environment, Proc, ext_choice, interleave, prefix, seq
from cspotlp.csp import call as call_process
from cspotlp.csp.values import Datum, Value
from cspotlp.mapping.abstraction import Abstraction, abstract_trace
from cspotlp.mapping.observed import abstract_observed
from cspotlp.otlp import CapturedTrace, Resource, Span, attributes
from tests.flow_fixtures import CHECKOUT_SPEC, checkout_abstraction, order

TARGET = 1_000_000
MS = 1_000_000


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

    def observed() -> None:
        for t in traces:
            abstract_observed(t, abstraction)

    def end_to_end(orders: str) -> Callable[[], None]:
        def run() -> None:
            fresh = ConformanceChecker(full, abstraction, orders=orders)  # type: ignore[arg-type]
            for t in traces:
                fresh.check(t)
        return run

    rows = [("walk (integer codes)", best_cpu_seconds(walk)),
            ("check (abstract)", best_cpu_seconds(check)),
            ("abstract", best_cpu_seconds(abstract)),
            ("abstract (with order)", best_cpu_seconds(observed)),
            ("end to end (some)", best_cpu_seconds(end_to_end("some"))),
            ("end to end (all)", best_cpu_seconds(end_to_end("all")))]
    print(f"{n} traces, {events} abstract events; spec normalised to {full.num_nodes} nodes "
          f"in {normalise:.3f} s")
    print(f"{'phase':<22} {'cpu s':>8} {'events/s':>12} {'x target':>9}")
    for name, secs in rows:
        rate = events / secs if secs > 0 else float("inf")
        print(f"{name:<22} {secs:>8.3f} {rate:>12,.0f} {rate / TARGET:>9.2f}")
    print()
    concurrent_siblings()


# -- concurrent siblings ------------------------------------------------------------------------

_ABSTRACTION = Abstraction(label="{name}")


def fan_out(number: int, names: list[str], staggered: bool) -> CapturedTrace:
    """A root span ``Batch`` over one call per name, each from a service of its own.

    All calls overlap, or (``staggered``) each starts a little after the one before and ends
    soon after the next one starts, all within 1 ms: the clocks order returns between calls,
    yet every pair is closer than the skew tolerance, so the calls stay concurrent.
    """
    tid, root = f"{number:032x}", f"{number:016x}"
    width = len(names)
    step = 900_000 // width  # ns
    spans = [Span(tid, root, "", "Batch", 2, 0, 10 * MS,
                  resource=Resource(attributes({"service.name": "front"})))]
    for k, name in enumerate(names):
        start = k * step if staggered else 0
        end = start + 3 * step // 2 if staggered else 5 * MS
        spans.append(Span(tid, f"{number:08x}{k + 1:08x}", root, name, 2, MS + start, MS + end,
                          resource=Resource(attributes({"service.name": f"svc{k}"}))))
    return CapturedTrace(tid, tuple(spans))


def fan_spec(names: list[str], calls_first: bool) -> tuple[Proc, Environment]:
    """``call.Batch``, then the calls interleaved (or every call before any return), then
    ``ret.Batch``.

    Identical calls are interleaved by counting (``Fan(called, returned)``), as one would write
    it in CSPm: ``|||`` of k identical processes is the same process, but its normalisation
    tracks which copy moved (sets of up to C(k, k/2) terms per node).
    """
    env = Environment()
    labels = sorted({"Batch", *names})
    call, ret = env.channel("call", [Datum(x) for x in labels]), \
        env.channel("ret", [Datum(x) for x in labels])
    env.channel("error", [Datum(x) for x in labels])
    k = len(names)
    body: Proc = SKIP
    if calls_first:
        for n in reversed(names):
            body = prefix(ret.event(Datum(n)), body)
        for n in reversed(names):
            body = prefix(call.event(Datum(n)), body)
    elif len(set(names)) == 1:
        work = names[0]

        def fan(called: Value, returned: Value) -> Proc:
            assert isinstance(called, int) and isinstance(returned, int)
            options = [prefix(call.event(Datum(work)), call_process("Fan", called + 1, returned))
                       ] if called < k else []
            if returned < called:
                options.append(prefix(ret.event(Datum(work)),
                                      call_process("Fan", called, returned + 1)))
            return SKIP if returned == k else ext_choices(options)

        env.define("Fan", fan)
        body = call_process("Fan", 0, 0)
    else:
        for n in names:
            body = interleave(prefix(call.event(Datum(n)), prefix(ret.event(Datum(n)), SKIP)),
                              body)
    whole = prefix(call.event(Datum("Batch")), seq(body, prefix(ret.event(Datum("Batch")), SKIP)))
    return whole, env


def ext_choices(options: list[Proc]) -> Proc:
    out = options[0]
    for p in options[1:]:
        out = ext_choice(out, p)
    return out


def concurrent_siblings() -> None:
    print("concurrent siblings: search over (events done, spec node); nodes: of the normalised "
          "spec (built first, not timed); x seq: rate / time-order walk")
    print(f"{'case':<24} {'nodes':>6} {'traces':>6} {'states/trace':>12} {'cpu s':>8} "
          f"{'events/s':>10} {'x seq':>7}")
    cases = [("all orders, k alike", k, "all", False, 200 // k) for k in (4, 8, 16, 32)]
    cases += [("some order, k alike", k, "some", True, 200 // k) for k in (4, 8, 16, 32)]
    cases += [("all orders, k distinct", k, "all", False, 4) for k in (4, 6, 8)]
    for title, k, orders, staggered, count in cases:
        names = ["Work"] * k if "alike" in title else [f"W{i}" for i in range(k)]
        process, env = fan_spec(names, calls_first=staggered)
        spec = NormalisedSpec(process, env)
        nodes = spec.normalise_all()  # once, as one run does for all its traces
        traces = [abstract_observed(fan_out(n + 1, names, staggered), _ABSTRACTION)
                  for n in range(count)]
        events = sum(len(t.events) for t in traces)
        secs, states = _measure(spec, traces, orders)
        seq_secs, _ = _measure(spec, traces, "sequential")
        rate = events / secs if secs > 0 else float("inf")
        seq_rate = events / seq_secs if seq_secs > 0 else float("inf")
        print(f"{title.replace('k', str(k), 1):<24} {nodes:>6} {count:>6} "
              f"{states // count:>12,} {secs:>8.3f} {rate:>10,.0f} {rate / seq_rate:>7.3f}")


def _measure(spec: NormalisedSpec, traces: list[Any], orders: str) -> tuple[float, int]:
    """CPU seconds to check ``traces`` against the normalised ``spec``, and the search states
    visited; every trace must pass (except in time order, which may fail)."""
    states = [0]

    def check() -> None:
        checker = ConformanceChecker(spec, _ABSTRACTION, orders=orders)  # type: ignore[arg-type]
        results = [checker.check_abstract(t) for t in traces]
        assert orders == "sequential" or all(r.passed for r in results), results[0].describe()
        states[0] = sum(r.states for r in results)

    return best_cpu_seconds(check), states[0]


if __name__ == "__main__":
    main()
