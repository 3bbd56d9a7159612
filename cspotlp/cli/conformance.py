"""``abstract``, ``otlp2cspm``, ``locate``, ``conform``, ``otlp2tla``: captured traces against a CSP specification."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from cspotlp.cli.common import (
    COMMANDS,
    EXIT_FAILED,
    EXIT_INPUT,
    EXIT_OK,
    STATE_LIMIT,
    Subparsers,
    abstraction_from,
    add_include_option,
    add_trace_input_options,
    captured_traces,
    repairs_named,
    tla_module_name,
    without_cycle_collection,
)
from cspotlp.cli.ottl_options import ottl_needs_attributes, ottl_program, ottl_traces
from cspotlp.errors import CspotlpError
from cspotlp.files import write_outputs

# -- how captured traces are read: their partial order, skew, orphans ------------------------

_UNITS = {"ns": 1, "us": 10**3, "µs": 10**3, "ms": 10**6, "s": 10**9}


def duration_ns(text: str) -> int:
    """A duration such as ``1ms``, ``250us``, ``0.5s`` or ``0``, in nanoseconds (argparse type)."""
    t = text.strip()
    for unit in sorted(_UNITS, key=len, reverse=True):
        if t.endswith(unit):
            number, scale = t[:-len(unit)].strip(), _UNITS[unit]
            break
    else:
        number, scale = t, 0
    try:
        value = float(number)
    except ValueError:
        value = float("nan")
    if not (value >= 0 and value < float("inf")) or (scale == 0 and value != 0) or value > 1e6:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a duration: write a non-negative number with a unit (ns, us, ms, "
            "s), e.g. 1ms, or 0")
    return round(value * scale)


def _add_order_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--skew-tolerance", type=duration_ns, default=1_000_000, metavar="DURATION",
                   help="clocks may disagree by this much (default 1ms): two sibling spans are "
                   "ordered only when one ends more than this before the other starts, and a "
                   "parent waits for a child that ends less than this after it")
    p.add_argument("--strict", action="store_true",
                   help="refuse spans whose parent is outside the capture and children whose "
                   "times lie outside their parent's (as without partial orders) instead of "
                   "hanging them from a synthetic root / keeping them as children")


def _observed(args: argparse.Namespace, abstraction: Any, trace: Any) -> Any:
    """The abstract trace of a captured trace, with its order, under the command's options."""
    from cspotlp.mapping.observed import abstract_observed

    return abstract_observed(trace, abstraction, repairs=repairs_named(args.repair),
                             tolerance=args.skew_tolerance, strict=args.strict)


def _observed_traces(args: argparse.Namespace, abstraction: Any, command: str
                     ) -> tuple[list[Any], list[str]]:
    """Every captured trace of ``args.files`` abstracted, and the traces left out (and why)."""
    from cspotlp.errors import OtlpError

    traces, left_out = [], []
    for trace in ottl_traces(args, captured_traces(args.files, args.lenient, command), command):
        try:
            traces.append(_observed(args, abstraction, trace))
        except OtlpError as e:
            left_out.append(f"trace {trace.trace_id} left out: {e}")
    return traces, left_out


def _tolerated(traces: Sequence[Any]) -> list[str]:
    """The summary lines of what was tolerated in the captured data (orphans, skew)."""
    from cspotlp.conformance.checker import ConformanceResult, Summary

    summary = Summary()
    for t in traces:
        summary.add(ConformanceResult(t.trace_id, "pass", len(t.events), repairs=t.repairs))
    return summary.notes()

# -- otlp2cspm / conform: captured traces against a CSP specification ---------------------------


def _add_abstract(sub: Subparsers) -> None:
    p = sub.add_parser(
        "abstract", help="print the abstract events (call/ret/error.<label>) of captured traces",
        description="What the model checkers see of each captured trace: one abstract event per "
        "line, in time order, with the service and span it came from. Concurrent spans may "
        "run in other orders (conform and otlp2cspm check those too). The abstraction (--"
        "abstraction FILE, JSON or TOML) decides labels, drops spans and picks event data.")
    p.add_argument("files", nargs="+", metavar="TRACES")
    p.add_argument("--trace", action="append", default=[], metavar="ID",
                   help="only this trace id (repeatable)")
    p.add_argument("--json", action="store_true", help="one JSON object per trace, one per line")
    add_trace_input_options(p)
    _add_order_options(p)


def _run_abstract(args: argparse.Namespace) -> int:
    from cspotlp.errors import OtlpError

    abstraction = abstraction_from(args.abstraction)
    wanted = set(args.trace)
    status = EXIT_OK
    for trace in ottl_traces(args, captured_traces(args.files, args.lenient, "abstract"),
                             "abstract"):
        if wanted and trace.trace_id not in wanted:
            continue
        try:
            t = _observed(args, abstraction, trace)
        except OtlpError as e:
            print(f"cspotlp abstract: {e}", file=sys.stderr)
            status = EXIT_INPUT
            continue
        if args.json:
            print(json.dumps({"trace_id": t.trace_id, "file": t.file, "repairs": list(t.repairs),
                              "events": [{"event": e.name, "span_id": e.span_id,
                                          "span_name": e.span_name, "service": e.service}
                                         for e in t.events]}, ensure_ascii=False))
            continue
        lines = [f"-- trace {t.trace_id}: {len(t.events)} events"]
        lines.extend(f"-- repaired ({note})" for note in t.repairs)
        width = max((len(e.name) for e in t.events), default=0)
        lines.extend(f"{e.name:<{width}}  span {e.span_id} {json.dumps(e.span_name)} "
                     f"({e.service})" for e in t.events)
        print("\n".join(lines))
    return status


COMMANDS["abstract"] = (_add_abstract, without_cycle_collection(_run_abstract))


def _add_otlp2cspm(sub: Subparsers) -> None:
    p = sub.add_parser(
        "otlp2cspm", help="write captured traces as a CSPm script for FDR4",
        description="Abstract every captured trace (spans -> call/ret/error events) and write "
        "a CSPm script: the alphabet (or an include of --spec), each trace as the partial order "
        "of its events (concurrent spans interleaved, |||, inside their parent's call ... ret), "
        "OBSERVED, their choice, and with --spec the assertions 'Obs_SPEC [T= OBSERVED' (every "
        "order of every trace: conform --all-orders) and, per trace, that some order is a "
        "trace of the specification (conform). With --sequential, each trace's time order "
        "only, merged into one prefix tree. A sidecar OUT.json maps every event back to its "
        "trace and span ids.")
    p.add_argument("files", nargs="+", metavar="TRACES")
    p.add_argument("-o", "--output", required=True, metavar="OUT.csp",
                   help="the script to write ('-' for standard output, without sidecar); its "
                   "directory is created if absent")
    p.add_argument("--spec", metavar="MODEL.csp", help="a specification to include and check")
    p.add_argument("--process", default="SPEC", help="the specification process (default SPEC)")
    p.add_argument("--per-trace", action="store_true",
                   help="also one assertion per captured trace")
    p.add_argument("--sequential", action="store_true",
                   help="write each trace in its time order only (one linearisation), not its "
                   "partial order")
    p.add_argument("--skip-invalid", action="store_true",
                   help="leave out traces that are not span forests (listed in the script) "
                   "instead of failing")
    p.add_argument("--no-sidecar", action="store_true", help="do not write OUT.csp.json")
    add_trace_input_options(p)
    add_include_option(p)
    _add_order_options(p)


def _run_otlp2cspm(args: argparse.Namespace) -> int:
    from cspotlp.export.cspm import SpecRef, export_cspm
    from cspotlp.export.cspm_spec import read_spec_interface

    abstraction = abstraction_from(args.abstraction)
    spec = None
    if args.spec is not None:
        interface = read_spec_interface(args.spec, args.allow_include)
        base = os.path.dirname(os.path.abspath(args.output)) if args.output != "-" else "."
        include = os.path.relpath(os.path.abspath(args.spec), base).replace(os.sep, "/")
        spec = SpecRef(include, args.process, interface.channels, interface.names)
    traces, skipped = _observed_traces(args, abstraction, "otlp2cspm")
    if skipped and not args.skip_invalid:
        for line in skipped:
            print(f"cspotlp otlp2cspm: {line}", file=sys.stderr)
        print("cspotlp otlp2cspm: nothing written; name a --repair, or --skip-invalid",
              file=sys.stderr)
        return EXIT_INPUT
    result = export_cspm(traces, abstraction, spec=spec, per_trace=args.per_trace,
                         sources=args.files, notes=skipped, sequential=args.sequential)
    events = sum(len(t.events) for t in traces)
    if spec is not None and events and result.unexpected == events:
        print("cspotlp otlp2cspm: warning: every event fell on the 'unexpected' channel: no "
              "label of the abstraction is in the specification's alphabet (give --abstraction "
              "FILE whose labels the specification declares)", file=sys.stderr)
    elif result.unexpected:
        print(f"cspotlp otlp2cspm: note: {result.unexpected} of {events} event(s) are outside "
              "the specification's alphabet (written on the 'unexpected' channel)",
              file=sys.stderr)
    for line in _tolerated(traces):
        print(f"cspotlp otlp2cspm: note: {line}", file=sys.stderr)
    if args.output == "-":
        sys.stdout.write(result.text)
        return EXIT_OK
    outputs = {args.output: result.text}
    if not args.no_sidecar:  # written together with the script: both or neither
        outputs[args.output + ".json"] = json.dumps(result.sidecar, indent=1,
                                                    ensure_ascii=False) + "\n"
    try:
        write_outputs(outputs)
    except OSError as e:
        print(f"cspotlp otlp2cspm: cannot write {e.filename or args.output}: "
              f"{e.strerror or e}; nothing written", file=sys.stderr)
        return EXIT_INPUT
    print(f"wrote {args.output}: {len(traces)} trace(s), {events} abstract event(s)"
          + (f", {len(skipped)} left out" if skipped else "")
          + ("" if args.no_sidecar else f"; event -> span map in {args.output}.json"))
    if spec is not None and spec.include.startswith("../"):
        spec_dir = os.path.dirname(os.path.abspath(args.spec))
        print(f"the script includes {args.spec}, outside its own directory tree: check it with "
              f"cspotlp check {args.output} --allow-include {os.path.relpath(spec_dir)}")
    return EXIT_OK


def _add_locate(sub: Subparsers) -> None:
    p = sub.add_parser(
        "locate", help="point a counterexample (from FDR4 or cspotlp check) at captured spans",
        description="Find the captured traces that performed a counterexample trace, using the "
        "sidecar that otlp2cspm wrote next to the script (OUT.csp.json), in any order a "
        "trace's partial order allows, and print the span behind each of its events; the last "
        "one is where the specification was left.")
    p.add_argument("sidecar", metavar="OUT.csp.json")
    p.add_argument("trace", metavar="TRACE",
                   help="the counterexample as FDR prints it: '<call.A, ret.A, call.B>'")


def _run_locate(args: argparse.Namespace) -> int:
    from cspotlp.export.cspm import spans_of_counterexample
    from cspotlp.export.sidecar import load_sidecar

    sidecar = load_sidecar(args.sidecar)  # ExportError: "not a sidecar" (exit 2)
    events = [e.strip() for e in args.trace.strip().strip("<>").split(",") if e.strip()]
    found = spans_of_counterexample(sidecar, events)
    if not found:
        print(f"no captured trace starts with these {len(events)} events")
        return EXIT_FAILED
    for hit in found:
        print(f"trace {hit['trace_id']}" + (f" ({hit['file']})" if hit["file"] else ""))
        for k, (event, span_id, name, service) in enumerate(hit["spans"], 1):
            mark = "  <- here" if k == len(hit["spans"]) else ""
            print(f"  {k:>3}. {event:<30} span {span_id} {json.dumps(name)} ({service}){mark}")
    return EXIT_OK


COMMANDS["locate"] = (_add_locate, _run_locate)


def _add_conform(sub: Subparsers) -> None:
    p = sub.add_parser(
        "conform", help="check captured traces against a CSP specification",
        description="Check every captured trace against the specification process. A trace's "
        "events are partially ordered: a parent's call before its children's events and its "
        "return after those it waited for, siblings ordered only when one ended before the "
        "other started (by more than --skew-tolerance). A trace passes when some order of its "
        "events is a trace of the specification (--all-orders: every order; --sequential: the "
        "time order); a failure names the order it used, the offending event, the span that "
        "produced it and the events the specification accepted there. TRACES are files, "
        "directories or glob patterns; a trace whose spans are spread over several files is "
        "checked whole. An unreadable file is reported and the run goes on. Exit 0 when all "
        "pass, 1 when some fail or are inconclusive (or there are no traces), 2 on input "
        "errors.")
    p.add_argument("files", nargs="+", metavar="TRACES")
    p.add_argument("--spec", required=True, metavar="MODEL.csp", help="the CSPm specification")
    p.add_argument("--process", default="SPEC", help="the specification process (default SPEC)")
    p.add_argument("--complete", action="store_true",
                   help="also require the specification to be able to finish (SKIP) at the end "
                   "of each trace")
    orders = p.add_mutually_exclusive_group()
    orders.add_argument("--all-orders", action="store_true",
                        help="require every order of a trace's events to be a trace of the "
                        "specification (what a concurrent implementation must guarantee)")
    orders.add_argument("--sequential", action="store_true",
                        help="check only the time order of a trace's events")
    p.add_argument("--search-limit", type=int, default=1_000_000, metavar="N",
                   help="states (events done, specification node) a trace's search may visit "
                   "before its verdict is inconclusive (default 1,000,000)")
    p.add_argument("--json", action="store_true", help="one JSON document with every verdict")
    p.add_argument("--failures-only", action="store_true",
                   help="list only failing traces and errors (and the summary)")
    p.add_argument("--out", metavar="FILE",
                   help="also write one verdict per trace to FILE: JSON Lines, or Parquet when "
                   "FILE ends in .parquet (replaced only when the run completes)")
    p.add_argument("--dask", metavar="CLUSTER",
                   help="check on Dask: local[:N] (a LocalCluster of N worker processes on "
                   "loopback; default one per core) or tcp://HOST:PORT (a running scheduler). "
                   "The verdicts are the same (in another order: each file's own traces, then "
                   "the traces spread over files), and so are the summary and exit status")
    add_trace_input_options(p)
    add_include_option(p)
    _add_order_options(p)


def _conform_progress() -> Callable[[int, int, float], None] | None:
    if not sys.stderr.isatty():
        return None

    def show(traces: int, events: int, seconds: float) -> None:
        rate = events / seconds if seconds > 0 else 0.0
        print(f"\rconform: {traces:,} traces, {events:,} events, {rate:,.0f} events/s",
              end="", file=sys.stderr, flush=True)

    return show


def _run_conform(args: argparse.Namespace) -> int:
    from cspotlp.conformance.checker import ConformanceChecker, Summary
    from cspotlp.conformance.spec import load_spec
    from cspotlp.conformance.verdicts import VerdictWriter, find_inputs, verdict_row

    if args.search_limit < 1:
        print("cspotlp conform: --search-limit must be at least 1", file=sys.stderr)
        return EXIT_INPUT
    orders = "all" if args.all_orders else "sequential" if args.sequential else "some"
    abstraction = abstraction_from(args.abstraction)
    process, env = load_spec(args.spec, args.process, args.allow_include)
    checker = ConformanceChecker.for_process(
        process, env, abstraction, repairs=repairs_named(args.repair), complete=args.complete,
        orders=orders, tolerance=args.skew_tolerance, strict=args.strict,
        search_limit=args.search_limit)
    files = find_inputs(args.files)
    if args.dask is not None:
        if ottl_program(args) is not None:
            # the Dask workers read the files themselves; OTTL does not run there (yet)
            print("cspotlp conform: --ottl and --ottl-drop do not work with --dask yet",
                  file=sys.stderr)
            return EXIT_INPUT
        return _run_conform_dask(args, checker, files)
    summary = Summary()
    progress = None if args.json else _conform_progress()
    results = []
    # span attributes matter only when the abstraction or OTTL reads some
    needs_attributes = abstraction.reads_attributes or ottl_needs_attributes(args)
    unreadable: list[str] = []
    traces = ottl_traces(args, _readable_traces(files, args.lenient, needs_attributes,
                                                unreadable), "conform")
    with VerdictWriter(args.out) if args.out else contextlib.nullcontext() as out:
        for result in checker.check_all(traces, progress):
            summary.add(result)
            if out is not None:
                out.write(verdict_row(result))
            if args.json:
                results.append(result.to_json())
            elif not args.failures_only or not result.passed:
                if progress is not None:
                    print("\r\033[K", end="", file=sys.stderr, flush=True)
                print(result.describe())
    if progress is not None:
        print(file=sys.stderr)
    _print_summary(args, checker, results, summary)
    return _conform_status(summary, unreadable)


def _print_summary(args: argparse.Namespace, checker: Any, results: list[Any],
                   summary: Any) -> None:
    """The JSON document of a run, or its summary lines (and what was tolerated)."""
    if args.json:
        print(json.dumps({"spec": args.spec, "process": args.process,
                          "abstraction": checker.abstraction.to_json(),
                          "complete": args.complete, "orders": checker.orders,
                          "skew_tolerance_ns": checker.tolerance, "strict": checker.strict,
                          "results": results, "summary": summary.to_json()},
                         ensure_ascii=False))
        return
    print(summary)
    for line in summary.notes():
        print(line)


def _readable_traces(files: list[str], lenient: bool, keep_attributes: bool,
                     unreadable: list[str]) -> Iterator[Any]:
    """The traces of every readable file; several files are read whole and merged by trace id.

    An unreadable file is reported on stderr and listed in ``unreadable``; reading goes on.
    """
    from cspotlp.otlp.reader import merge_traces

    def each_file() -> Iterator[Any]:
        for path in files:
            try:
                yield from captured_traces([path], lenient, "conform", keep_attributes)
            except CspotlpError as e:
                print(f"cspotlp conform: {e}", file=sys.stderr)
                unreadable.append(path)

    if len(files) == 1:
        yield from each_file()
    else:
        yield from merge_traces(each_file())


def _conform_status(summary: Any, unreadable: Sequence[object]) -> int:
    if unreadable:
        print(f"cspotlp conform: {len(unreadable)} input file(s) could not be read",
              file=sys.stderr)
    if summary.errors or unreadable:
        return EXIT_INPUT
    if summary.traces == 0:  # a CI job must not pass on an empty capture
        print("cspotlp conform: no traces to check", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_FAILED if summary.failed or summary.inconclusive else EXIT_OK


def _run_conform_dask(args: argparse.Namespace, checker: Any, files: list[str]) -> int:
    """``conform --dask``: the same check on a Dask cluster (cspotlp.conformance.archive)."""
    from cspotlp.conformance.archive import connect, run_archive
    from cspotlp.conformance.verdicts import VerdictWriter

    client = connect(args.dask)
    tty = sys.stderr.isatty() and not args.json
    if tty:
        print(f"cspotlp conform: Dask dashboard at {client.dashboard_link}", file=sys.stderr)
    results: list[Any] = []

    def show(row: Any) -> None:
        if out is not None:
            out.write(row._asdict())
        if args.json:
            results.append(json.loads(row.json))
        elif not args.failures_only or row.verdict != "pass":
            print(row.text)

    try:
        with VerdictWriter(args.out) if args.out else contextlib.nullcontext() as out:
            run = run_archive(client, files, checker, on_verdict=show, lenient=args.lenient,
                              progress=tty, describe=not args.json)
    finally:
        client.close()
        if args.dask.startswith("local"):
            client.cluster.close()
    for file, error in run.unreadable:
        print(f"cspotlp conform: {error}" if file in error else f"cspotlp conform: {file}: {error}",
              file=sys.stderr)
    _print_summary(args, checker, results, run.summary)
    return _conform_status(run.summary, run.unreadable)


COMMANDS["otlp2cspm"] = (_add_otlp2cspm, without_cycle_collection(_run_otlp2cspm))
COMMANDS["conform"] = (_add_conform, without_cycle_collection(_run_conform))


# -- otlp2tla: captured traces as trace-validation modules for TLC -------------------------------


def _add_otlp2tla(sub: Subparsers) -> None:
    p = sub.add_parser(
        "otlp2tla", help="write TLA+ trace-validation modules checking captured traces with TLC",
        description="Build the model process's LTS and write it as a TLA+ module M, and per "
        "captured trace a module MTrace<k> (with its .cfg) whose behaviours match the trace's "
        "abstract events, one log line per step, to a behaviour of M. TLC accepts a trace "
        "when the postcondition TraceAccepted holds; for a trace the model forbids it reports "
        "the violation and prints the first unmatched line with its trace id and span id. "
        "Events are bound to the model's alphabet exactly as by `cspotlp conform`. Each log is "
        "ONE order of the trace's events, its time order: TLC checks that linearisation only "
        "(conform --sequential), not the other orders concurrency allows (conform, "
        "conform --all-orders, otlp2cspm).")
    p.add_argument("files", nargs="+", metavar="TRACES")
    p.add_argument("--model", required=True, metavar="MODEL.csp", help="the CSPm model")
    p.add_argument("--process", default="SPEC", help="the model process (default SPEC)")
    p.add_argument("--module", help="TLA+ name of the model module (default: the process name)")
    p.add_argument("--ndjson", action="store_true",
                   help="one trace module reading its log from MTrace<k>.ndjson at run time "
                   "(needs the CommunityModules jar) instead of one module per trace")
    p.add_argument("--state-limit", type=STATE_LIMIT, default=1_000_000,
                   help="refuse models with more states than this (default 1,000,000)")
    p.add_argument("-o", "--output", required=True, metavar="DIR",
                   help="directory for the modules, configs and logs (created if absent)")
    add_trace_input_options(p)
    add_include_option(p)
    _add_order_options(p)


def _run_otlp2tla(args: argparse.Namespace) -> int:
    from cspotlp.conformance.checker import channel_domains
    from cspotlp.conformance.spec import load_spec
    from cspotlp.csp import build_lts
    from cspotlp.export import trace_validation, write_files
    from cspotlp.export.tla_capture import event_logs
    from cspotlp.mapping.alphabet import EventBinding

    abstraction = abstraction_from(args.abstraction)
    process, env = load_spec(args.model, args.process, args.allow_include)
    traces, left_out = _observed_traces(args, abstraction, "otlp2tla")
    if left_out:
        for line in left_out:
            print(f"cspotlp otlp2tla: {line}", file=sys.stderr)
        print("cspotlp otlp2tla: nothing written; name a --repair", file=sys.stderr)
        return EXIT_INPUT
    if not traces:
        print("cspotlp otlp2tla: the input holds no traces", file=sys.stderr)
        return EXIT_INPUT
    lts = build_lts(process, env, state_limit=args.state_limit)
    logs = event_logs(traces, EventBinding(abstraction, channel_domains(env)))
    out = trace_validation(lts, logs, model=args.module or tla_module_name(args.process),
                           title=f"{args.process} of {args.model}", ndjson=args.ndjson)
    for path in write_files(out.files, args.output):
        print(path)
    first = out.modules[0]
    if out.ndjson:
        run = (f"JSON={out.ndjson[0]} java -cp tla2tools.jar:CommunityModules-deps.jar tlc2.TLC "
               f"-config {first}.cfg {first}.tla (one run per .ndjson log)")
    else:
        run = f"java -cp tla2tools.jar tlc2.TLC -config {first}.cfg {first}.tla (one per trace)"
    print(f"{len(traces)} trace(s), model {lts.summary()}; TLC: {run}", file=sys.stderr)
    return EXIT_OK


COMMANDS["otlp2tla"] = (_add_otlp2tla, without_cycle_collection(_run_otlp2tla))
