"""The ``cspotlp`` command: the only place that prints or exits.

Each subcommand is a pair ``_add_<name>(subparsers)`` / ``_run_<name>(args) -> int`` registered
in :data:`COMMANDS`. Errors from the library arrive as :class:`CspotlpError` and are printed on
stderr with their location; a library traceback never reaches the user.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from typing import Any

from cspotlp import __version__
from cspotlp.errors import CspotlpError, LocatedError

EXIT_OK, EXIT_FAILED, EXIT_INPUT = 0, 1, 2

Runner = Callable[[argparse.Namespace], int]
COMMANDS: dict[str, tuple[Callable[[argparse._SubParsersAction[argparse.ArgumentParser]], None], Runner]] = {}


# -- explore: state-space exploration and checks of the built-in textbook models ------------------

_BUILTINS = ("dining_philosophers", "cyclic_scheduler", "buffer_pipeline")


def _add_explore(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "explore",
        help="explore a built-in model's state space and check it for deadlock",
        description="Explore every state of a built-in model with the supercombinator engine and "
        "check deadlock freedom (exit 1 if it deadlocks).",
    )
    p.add_argument("--builtin", choices=_BUILTINS, required=True, help="which model")
    p.add_argument("--n", type=int, default=5, help="size (philosophers, cells, buffers); default 5")
    p.add_argument("--butler", action="store_true", help="dining philosophers with a butler")
    p.add_argument("--state-limit", type=int, default=None, help="stop (inconclusive) past this many states")
    p.add_argument("--progress", action="store_true", help="report progress on stderr")
    p.add_argument("--json", action="store_true", help="print one JSON object")


def _run_explore(args: argparse.Namespace) -> int:
    import json

    from cspotlp.csp import deadlock_free, explore
    from cspotlp.csp.models import buffer_pipeline, cyclic_scheduler, dining_philosophers

    if args.n < 2:
        print("cspotlp: --n must be at least 2", file=sys.stderr)
        return EXIT_INPUT
    if args.builtin == "dining_philosophers":
        model = dining_philosophers(args.n, butler=args.butler)
    elif args.builtin == "cyclic_scheduler":
        model = cyclic_scheduler(args.n)
    else:
        model = buffer_pipeline(args.n)

    def report(r: object) -> None:
        print(f"  {r}", file=sys.stderr)

    progress = report if args.progress else None
    e = explore(model.process, model.env, state_limit=args.state_limit, progress=progress)
    v = deadlock_free(model.process, model.env, "F", state_limit=args.state_limit, progress=progress,
                      name=model.name)
    if args.json:
        out = {
            "model": model.name, "states": e.states, "transitions": e.transitions, "complete": e.complete,
            "seconds": round(e.seconds, 6), "deadlock_free": v.holds,
            "counterexample": None if v.counterexample is None else [ev.name for ev in v.counterexample.trace],
        }
        print(json.dumps(out, sort_keys=True))
    else:
        status = "complete" if e.complete else f"incomplete: {e.reason}"
        print(f"{model.name}: {e.states:,} states, {e.transitions:,} transitions, {e.seconds:.3f} s "
              f"({e.states_per_second:,.0f} states/s), {status}")
        print(v, end="")
    if v.holds is None or not e.complete:
        return EXIT_FAILED
    return EXIT_OK if v.holds else EXIT_FAILED


COMMANDS["explore"] = (_add_explore, _run_explore)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every registered subcommand."""
    parser = argparse.ArgumentParser(
        prog="cspotlp",
        description="CSP process algebra and OpenTelemetry traces, connected by a proved "
        "correspondence.",
    )
    parser.add_argument("--version", action="version", version=f"cspotlp {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for add, _run in COMMANDS.values():
        add(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_OK
    _add, run = COMMANDS[args.command]
    try:
        return run(args)
    except LocatedError as e:
        print(e.report(), file=sys.stderr)
        return EXIT_INPUT
    except CspotlpError as e:
        print(f"cspotlp: {e}", file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt:
        print("cspotlp: interrupted", file=sys.stderr)
        return 130


# -- prove ---------------------------------------------------------------------------------------

def _add_prove(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from cspotlp.verify import MUTATIONS, THEOREM_IDS

    p = sub.add_parser(
        "prove",
        help="prove the trace/span-forest correspondence with Z3",
        description="Check T1–T5 of DESIGN.md §2 for every trace or forest of up to BOUND events, "
        "and the inductive steps (*-step) for every length. Exit status: 0 when every requested "
        "theorem is proved; 1 when one has a counterexample or is unknown (not proved within "
        "the time limit); 2 on bad input.",
    )
    p.add_argument("--theorem", action="append", metavar="ID",
                   help=f"theorem to check (repeatable; default all): {', '.join(THEOREM_IDS)}")
    p.add_argument("--bound", type=int, default=8, metavar="K",
                   help="number of events (trace length, forest occurrences) up to which the "
                   "bounded theorems are checked (default 8)")
    p.add_argument("--timeout", type=float, default=60.0, metavar="S",
                   help="seconds per theorem before it is reported unknown (default 60)")
    p.add_argument("--json", action="store_true",
                   help='print a JSON list of {"theorem", "bound", "result", "seconds"}')
    p.add_argument("--encoding", choices=("optimised", "baseline"), default="optimised",
                   help="how the bounded theorems are given to Z3 (default optimised)")
    p.add_argument("--mutation", choices=sorted(MUTATIONS), default=None,
                   help="check deliberately broken definitions instead (to see a counterexample)")


def _run_prove(args: argparse.Namespace) -> int:
    from cspotlp.verify import DEFAULT, MUTATIONS, format_counterexample, prove

    defs = DEFAULT if args.mutation is None else MUTATIONS[args.mutation]
    results = prove(args.theorem, args.bound, timeout=args.timeout, defs=defs,
                    encoding=args.encoding)
    if args.json:
        print(json.dumps([r.as_json() for r in results], indent=2))
    else:
        for r in results:
            scope = "unbounded" if r.bound is None else f"bound {r.bound}"
            print(f"{r.theorem:<16} {scope:<10} {r.result:<15} {r.seconds:8.2f} s")
            if r.result == "counterexample":
                print(f"  {r.detail}")
                for line in format_counterexample(r.counterexample) if r.counterexample else []:
                    print(f"    {line}")
    failed = False
    for r in results:
        if r.result == "unknown":
            print(f"cspotlp: {r.theorem} is unknown, not proved: {r.detail}; "
                  "raise --timeout or lower --bound", file=sys.stderr)
            failed = True
        elif r.result == "counterexample":
            print(f"cspotlp: {r.theorem} has a counterexample: {r.detail}", file=sys.stderr)
            failed = True
    return EXIT_FAILED if failed else EXIT_OK


COMMANDS["prove"] = (_add_prove, _run_prove)


# -- explore -------------------------------------------------------------------------------------


def _add_explore(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("explore", help="build a process's full LTS and report its size")
    p.add_argument("--builtin", choices=sorted(_BUILTINS), help="a bundled textbook model")
    p.add_argument("--n", type=int, default=5, help="size parameter of the builtin model")
    p.add_argument("--butler", action="store_true", help="dining philosophers with a butler")
    p.add_argument("--state-limit", type=int, default=None, help="stop after this many states")
    p.add_argument("--json", action="store_true", help="print {states, transitions, seconds}")


def _builtin_model(args: argparse.Namespace) -> Any:
    from cspotlp.csp.models import dining_philosophers

    if args.builtin == "dining_philosophers":
        return dining_philosophers(args.n, butler=args.butler)
    raise AssertionError(args.builtin)


_BUILTINS = {"dining_philosophers"}


def _progress_printer(label: str) -> Callable[[int, int, float], None]:
    def report(states: int, transitions: int, seconds: float) -> None:
        rate = states / seconds if seconds > 0 else 0.0
        print(f"\r{label}: {states:,} states, {transitions:,} transitions, {rate:,.0f} states/s",
              end="", file=sys.stderr, flush=True)

    return report


def _run_explore(args: argparse.Namespace) -> int:
    from cspotlp.csp import build_lts

    if args.builtin is None:
        print("cspotlp explore: give --builtin MODEL", file=sys.stderr)
        return EXIT_INPUT
    model = _builtin_model(args)
    show_progress = sys.stderr.isatty() and not args.json
    lts = build_lts(model.process, model.env, state_limit=args.state_limit,
                    progress=_progress_printer(model.name) if show_progress else None)
    if show_progress:
        print(file=sys.stderr)
    summary = lts.summary()
    if args.json:
        print(json.dumps({"states": summary.states, "transitions": summary.transitions,
                          "seconds": round(summary.seconds, 6)}))
    else:
        dead = lts.deadlocks()
        print(f"{model.name}: {summary}")
        print(f"deadlock states: {len(dead)}")
    return EXIT_OK


COMMANDS["explore"] = (_add_explore, _run_explore)


# -- check -------------------------------------------------------------------------------------


def _add_check(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "check",
        help="read a CSPm script (FDR4's language) and check it",
        description="Parse, resolve names and type-check a CSPm script (includes are read "
        "relative to it). With --typecheck that is all; running the script's assertions "
        "comes with the CSPm evaluator.",
    )
    p.add_argument("file", help="the CSPm script (.csp)")
    p.add_argument(
        "--typecheck",
        action="store_true",
        help="only parse, resolve and type-check (exit 0 if well-typed, 2 otherwise)",
    )


def _run_check(args: argparse.Namespace) -> int:
    from cspotlp.cspm import ast as cspm_ast
    from cspotlp.cspm import check_script, parse_file

    script = parse_file(args.file)
    check_script(script)
    asserts = sum(isinstance(d, cspm_ast.AssertDecl) for d in script.decls)
    print(f"{args.file}: well-typed ({len(script.decls)} declarations, {asserts} assertions)")
    if args.typecheck:
        return EXIT_OK
    print(
        "cspotlp check: running assertions is not implemented yet (the CSPm evaluator comes "
        "next); use --typecheck to only type-check",
        file=sys.stderr,
    )
    return EXIT_INPUT


COMMANDS["check"] = (_add_check, _run_check)


# -- inspect / psi / phi: captured telemetry ---------------------------------------------------

def _progress(label: str) -> Callable[[int], None] | None:
    """A progress line on stderr for long reads (only when stderr is a terminal)."""
    if not sys.stderr.isatty():
        return None

    def show(count: int) -> None:
        print(f"\r{label}: {count} spans read", end="", file=sys.stderr, flush=True)

    return show


def _end_progress(show: Callable[[int], None] | None) -> None:
    if show is not None:
        print("\r\033[K", end="", file=sys.stderr, flush=True)


def _without_cycle_collection(run: Runner) -> Runner:
    """``run`` with the cyclic garbage collector off while it runs (restored afterwards).

    A capture of 10^6 spans is millions of objects without reference cycles, alive while the
    command runs; the collector would rescan them over and over (reference counting still frees
    garbage).
    """
    import functools
    import gc

    @functools.wraps(run)
    def wrapped(args: argparse.Namespace) -> int:
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            return run(args)
        finally:
            if was_enabled:
                gc.enable()

    return wrapped


def _add_inspect(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("inspect", help="summarise trace files and list their diagnostics",
                       description="Per file: traces, spans, services, depth and the diagnostics "
                       "(orphans, cycles, duplicate ids, children outside their parent, invalid "
                       "ids). Formats are detected: OTLP JSON / JSON Lines / protobuf, Jaeger, "
                       "Zipkin.")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--json", action="store_true", help="one JSON object per file, one per line")
    p.add_argument("--lenient", action="store_true",
                   help="accept base64 ids, enum names and snake_case keys, with a warning")
    p.add_argument("--max-diagnostics", type=int, default=20, metavar="N",
                   help="diagnostics listed per file in text output (default 20)")


def _run_inspect(args: argparse.Namespace) -> int:
    import json

    from cspotlp.otlp import load, summarise
    from cspotlp.otlp.report import inspect_json, inspect_text

    status = EXIT_OK
    for path in args.files:
        show = _progress(path)
        try:
            capture = load(path, lenient=args.lenient, keep_attributes=False, progress=show)
        except CspotlpError as e:
            _end_progress(show)
            print(f"cspotlp inspect: {e}", file=sys.stderr)
            status = EXIT_INPUT
            continue
        _end_progress(show)
        summary = summarise(capture)
        if args.json:
            print(json.dumps(inspect_json(capture, summary), ensure_ascii=False))
        else:
            print(inspect_text(capture, summary, args.max_diagnostics), end="")
    return status


_REPAIR_NAMES = "drop-duplicates, split-shared, synthetic-root, break-cycles, clamp-skew"
"""The repairs of cspotlp.otlp.repair.REPAIRS, spelled out so that building the parser does not
import the OTLP readers (a test keeps the two in step)."""


def _add_psi(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("psi", help="print the CSP trace (Ψ) of each trace in a file",
                       description="Ψ of each trace of FILE, one event per line (CSPm-style "
                       "names, see cspotlp.mapping.event_text), each trace after a '-- trace "
                       "<id>' line. Traces that break the span-forest conditions are rejected "
                       "unless a repair is named; applied repairs are listed as '-- repaired' "
                       "comments.")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--lenient", action="store_true",
                   help="accept base64 ids, enum names and snake_case keys, with a warning")
    p.add_argument("--repair", action="append", default=[], metavar="NAME",
                   choices=[*_REPAIR_NAMES.split(", "), "all"],
                   help=f"apply a repair policy (repeatable): {_REPAIR_NAMES}; 'all' is every "
                   "one but drop-duplicates")


def _run_psi(args: argparse.Namespace) -> int:
    from cspotlp.mapping.correspondence import psi
    from cspotlp.mapping.event_text import event_text
    from cspotlp.mapping.otlp_bridge import to_forest
    from cspotlp.otlp import load
    from cspotlp.otlp.repair import REPAIRS, validate

    # "all" repairs everything without dropping data: exact repeats are split, not dropped
    repairs = (tuple(r for r in REPAIRS if r != "drop-duplicates") if "all" in args.repair
               else tuple(args.repair))
    show = _progress(args.file)
    capture = load(args.file, lenient=args.lenient, keep_attributes=False, progress=show)
    _end_progress(show)
    for note in capture.notes:
        print(f"cspotlp psi: note: {note}", file=sys.stderr)
    status = EXIT_OK
    out = sys.stdout
    for trace in capture.traces:
        try:
            valid = validate(trace, repairs)
            events = psi(to_forest(valid))
        except CspotlpError as e:
            print(f"cspotlp psi: {e}", file=sys.stderr)
            status = EXIT_INPUT
            continue
        lines = [f"-- trace {trace.trace_id}"]
        lines.extend(f"-- repaired ({d.repair}) span {d.span_id}: {d.message}"
                     for d in valid.repairs)
        lines.extend(event_text(ev) for ev in events)
        out.write("\n".join(lines) + "\n")
    return status


def _add_phi(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("phi", help="print the OTLP JSON (Φ) of CSP traces written as by psi",
                       description="Φ of each trace in TRACEFILE (the text 'cspotlp psi' prints) "
                       "as one OTLP JSON document. Span times are the event positions, scaled: "
                       "time = EPOCH + position * TICK nanoseconds.")
    p.add_argument("tracefile", metavar="TRACEFILE")
    p.add_argument("--epoch", type=int, default=0, metavar="NS",
                   help="Unix time in ns of position 0 (default 0)")
    p.add_argument("--tick", type=int, default=1, metavar="NS",
                   help="nanoseconds per event position (default 1)")


def _run_phi(args: argparse.Namespace) -> int:
    from cspotlp.errors import MappingError
    from cspotlp.mapping.correspondence import phi
    from cspotlp.mapping.event_text import parse_trace_text
    from cspotlp.mapping.otlp_bridge import forest_to_spans
    from cspotlp.otlp import Span, dumps_json

    try:
        with open(args.tracefile, encoding="utf-8") as f:
            text = f.read()
    except (OSError, UnicodeDecodeError) as e:
        print(f"cspotlp phi: {args.tracefile}: cannot read: {e}", file=sys.stderr)
        return EXIT_INPUT
    spans: list[Span] = []
    try:
        for trace_id, events in parse_trace_text(text):
            tid = trace_id if trace_id is not None and len(trace_id) == 32 else None
            spans.extend(forest_to_spans(phi(events), trace_id=tid, epoch=args.epoch,
                                         tick=args.tick))
    except MappingError as e:
        print(f"cspotlp phi: {args.tracefile}: {e}", file=sys.stderr)
        return EXIT_INPUT
    sys.stdout.write(dumps_json(spans))
    return EXIT_OK


COMMANDS["inspect"] = (_add_inspect, _without_cycle_collection(_run_inspect))
COMMANDS["psi"] = (_add_psi, _without_cycle_collection(_run_psi))
COMMANDS["phi"] = (_add_phi, _run_phi)


# -- csp2tla -----------------------------------------------------------------------------------


def _add_csp2tla(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "csp2tla",
        help="export a finite CSP process as a TLA+ module and its TLC config",
        description="Build the process's LTS and write NAME.tla (explicit state variable and the "
        "last event; Init/Next over the transition table) and NAME.cfg (TLC checks the type "
        "invariant and deadlock freedom). A deadlocking process makes TLC report the deadlock.",
    )
    p.add_argument("--builtin", choices=sorted(_BUILTINS), help="a bundled textbook model")
    p.add_argument("--n", type=int, default=5, help="size parameter of the builtin model")
    p.add_argument("--butler", action="store_true", help="dining philosophers with a butler")
    p.add_argument("--module", help="TLA+ module name (default: from the process name)")
    p.add_argument("--state-limit", type=int, default=1_000_000,
                   help="refuse processes with more states than this (default 1,000,000)")
    p.add_argument("-o", "--output", required=True, metavar="DIR",
                   help="directory for NAME.tla and NAME.cfg (created if absent)")


def _process_to_export(args: argparse.Namespace) -> tuple[str, str, Any, Any] | None:
    """The process a TLA+ export starts from: (title, default module name, process, environment).

    The single place where export commands find their process; ``None`` (after a message) when
    none was given. CSPm input (``MODEL.csp PROCESS``) plugs in here.
    """
    if args.builtin is None:
        print(f"cspotlp {args.command}: give --builtin MODEL", file=sys.stderr)
        return None
    model = _builtin_model(args)
    module = ("DiningPhilosophersButler" if args.butler else "DiningPhilosophers") + str(args.n)
    return model.name, module, model.process, model.env


def _run_csp2tla(args: argparse.Namespace) -> int:
    from cspotlp.csp import build_lts
    from cspotlp.export import lts_to_tla, write_files

    found = _process_to_export(args)
    if found is None:
        return EXIT_INPUT
    title, default_module, process, env = found
    lts = build_lts(process, env, state_limit=args.state_limit)
    module = lts_to_tla(lts, module=args.module or default_module, title=title)
    for path in write_files(module.files(), args.output):
        print(path)
    print(f"{title}: {lts.summary()}; TLC: java -cp tla2tools.jar tlc2.TLC -config "
          f"{module.name}.cfg {module.name}.tla", file=sys.stderr)
    return EXIT_OK


COMMANDS["csp2tla"] = (_add_csp2tla, _run_csp2tla)


if __name__ == "__main__":  # keep last: every command above is registered by now
    sys.exit(main())
