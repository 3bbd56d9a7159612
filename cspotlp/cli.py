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
_MAX_BUILTIN_N = 256


def _add_explore(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "explore",
        help="explore a process's state space (of a CSPm script, or a built-in model)",
        description="FILE PROCESS: explore every state of a process of a CSPm script (PROCESS is "
        "a top-level name or an expression) and report the size of its LTS (exit 1 if a limit "
        "stopped the exploration). --builtin MODEL: explore a built-in model with the "
        "supercombinator engine and check deadlock freedom (exit 1 if it deadlocks).",
    )
    p.add_argument("file", nargs="?", help="a CSPm script (.csp)")
    p.add_argument("process", nargs="?", help="the process to explore: a name or an expression")
    p.add_argument("--builtin", choices=_BUILTINS, help="a built-in model instead of a script")
    p.add_argument("--n", type=int, default=5, help="size (philosophers, cells, buffers); default 5")
    p.add_argument("--butler", action="store_true", help="dining philosophers with a butler")
    p.add_argument("--state-limit", type=int, default=None, help="stop (inconclusive) past this many states")
    p.add_argument("--progress", action="store_true", help="report progress on stderr")
    p.add_argument("--json", action="store_true", help="print one JSON object")


def _builtin_model(args: argparse.Namespace) -> Any:
    """The built-in model ``--builtin`` names at size ``--n``; ``None`` after a message if bad."""
    from cspotlp.csp.models import buffer_pipeline, cyclic_scheduler, dining_philosophers

    if not 2 <= args.n <= _MAX_BUILTIN_N:
        print(f"cspotlp: --n must be between 2 and {_MAX_BUILTIN_N} (the built-in models "
              "have exponentially many states in N)", file=sys.stderr)
        return None
    if args.builtin == "dining_philosophers":
        return dining_philosophers(args.n, butler=args.butler)
    if args.builtin == "cyclic_scheduler":
        return cyclic_scheduler(args.n)
    return buffer_pipeline(args.n)


def _script_process(args: argparse.Namespace) -> tuple[Any, Any]:
    """The environment and process named by FILE PROCESS."""
    from cspotlp.csp.terms import Proc
    from cspotlp.cspm.evaluate import load_script

    loaded = load_script(args.file)
    loaded.force_declarations()
    try:
        value = loaded.value(args.process)
    except KeyError:
        if args.process.isidentifier():
            raise CspotlpError(f"{args.file}: no top-level definition named "
                               f"'{args.process}'") from None
        value = loaded.evaluate(args.process)
        loaded = loaded.last_evaluation or loaded
    if not isinstance(value, Proc):
        raise CspotlpError(f"{args.file}: {args.process} is not a process")
    return loaded.env, value


def _explore_script(args: argparse.Namespace) -> int:
    from cspotlp.csp import explore

    env, process = _script_process(args)
    show_progress = args.progress or (sys.stderr.isatty() and not args.json)

    def report(r: object) -> None:
        print(f"\r  {r}", end="", file=sys.stderr, flush=True)

    e = explore(process, env, state_limit=args.state_limit,
                progress=report if show_progress else None)
    if show_progress:
        print("\r\033[K", end="", file=sys.stderr, flush=True)
    if args.json:
        print(json.dumps({"states": e.states, "transitions": e.transitions,
                          "seconds": round(e.seconds, 6), "complete": e.complete}))
    else:
        status = "complete" if e.complete else f"incomplete: {e.reason}"
        print(f"{args.process}: {e.states:,} states, {e.transitions:,} transitions, "
              f"{e.seconds:.3f} s ({e.states_per_second:,.0f} states/s), {status}")
    return EXIT_OK if e.complete else EXIT_FAILED


def _run_explore(args: argparse.Namespace) -> int:
    from cspotlp.csp import deadlock_free, explore

    if args.builtin is None:
        if args.file is None or args.process is None:
            print("cspotlp explore: give FILE PROCESS, or --builtin MODEL", file=sys.stderr)
            return EXIT_INPUT
        return _explore_script(args)
    if args.file is not None:
        print("cspotlp explore: give FILE PROCESS or --builtin MODEL, not both", file=sys.stderr)
        return EXIT_INPUT
    model = _builtin_model(args)
    if model is None:
        return EXIT_INPUT

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
    except BrokenPipeError:
        # the reader went away (``| head``): stop quietly, as Unix tools do
        _silence_stdout()
        return 141


def _silence_stdout() -> None:
    """Point stdout at /dev/null so that Python's final flush cannot fail again."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # stdout is not a real file (captured in tests)
        pass


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


# -- check -------------------------------------------------------------------------------------


def _add_check(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "check",
        help="read a CSPm script (FDR4's language) and run its assertions",
        description="Parse, resolve names, type-check and evaluate a CSPm script (includes "
        "are read relative to it), then run every assertion in order, as FDR's batch mode "
        "does. Exit status: 0 if every assertion passes, 1 if any fails (or cannot be "
        "decided), 2 if the script cannot be loaded.",
    )
    p.add_argument("file", help="the CSPm script (.csp)")
    p.add_argument(
        "--typecheck",
        action="store_true",
        help="only parse, resolve and type-check (exit 0 if well-typed, 2 otherwise)",
    )
    p.add_argument("--json", action="store_true",
                   help="print a JSON list of {assertion, result, counterexample, states, "
                   "seconds, ...}, in the script's order")
    p.add_argument("--state-limit", type=int, default=None,
                   help="give up a check (result: error) after storing this many states")


def _check_progress(report: Any) -> None:
    print(f"\r  {report}", end="", file=sys.stderr, flush=True)


def _run_check(args: argparse.Namespace) -> int:
    from cspotlp.cspm import ast as cspm_ast
    from cspotlp.cspm import check_script, parse_file

    if args.typecheck:
        script = parse_file(args.file)
        check_script(script)
        asserts = sum(isinstance(d, cspm_ast.AssertDecl) for d in script.decls)
        print(f"{args.file}: well-typed ({len(script.decls)} declarations, "
              f"{asserts} assertions)")
        return EXIT_OK

    from cspotlp.cspm.assertions import AssertionResult, check_assertions
    from cspotlp.cspm.evaluate import load_script

    loaded = load_script(args.file)
    loaded.force_declarations()
    tty = sys.stderr.isatty()

    def show(result: AssertionResult) -> None:
        if tty:
            print("\r\033[K", end="", file=sys.stderr, flush=True)
        if not args.json:
            print("\n".join(result.lines()), flush=True)

    results = check_assertions(loaded, state_limit=args.state_limit,
                               progress=_check_progress if tty else None, on_result=show)
    if args.json:
        print(json.dumps([r.to_json() for r in results], indent=2, ensure_ascii=False))
    elif not results:
        print(f"{args.file}: no assertions")
    return EXIT_OK if all(r.result == "passed" for r in results) else EXIT_FAILED


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
    p.add_argument("file", nargs="?", metavar="MODEL.csp", help="a CSPm script")
    p.add_argument("process", nargs="?", help="the process to export: a name or an expression")
    _add_builtin_options(p)
    p.add_argument("--module", help="TLA+ module name (default: from the process name)")
    p.add_argument("--state-limit", type=int, default=1_000_000,
                   help="refuse processes with more states than this (default 1,000,000)")
    p.add_argument("-o", "--output", required=True, metavar="DIR",
                   help="directory for NAME.tla and NAME.cfg (created if absent)")


def _add_builtin_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--builtin", choices=sorted(_BUILTINS), help="a bundled textbook model")
    p.add_argument("--n", type=int, default=5, help="size parameter of the builtin model")
    p.add_argument("--butler", action="store_true", help="dining philosophers with a butler")


def _module_name(name: str) -> str:
    """``dining_philosophers`` -> ``DiningPhilosophers``; other text is kept (then sanitised)."""
    words = [w for w in name.replace("-", "_").split("_") if w]
    return "".join(w[:1].upper() + w[1:] for w in words) or "Model"


def _process_to_export(args: argparse.Namespace) -> tuple[str, str, Any, Any] | None:
    """The process a TLA+ export starts from: (title, default module name, process, environment).

    The single place where export commands find their process: ``MODEL.csp PROCESS`` (a CSPm
    script) or ``--builtin MODEL``; ``None`` (after a message) when neither or both were given.
    """
    if (args.builtin is None) == (args.file is None) or (args.file is None) != (args.process is None):
        print(f"cspotlp {args.command}: give MODEL.csp PROCESS, or --builtin MODEL",
              file=sys.stderr)
        return None
    if args.file is not None:
        env, process = _script_process(args)
        return f"{args.process} of {args.file}", _module_name(args.process), process, env
    model = _builtin_model(args)
    if model is None:
        return None
    butler = "Butler" if args.butler and args.builtin == "dining_philosophers" else ""
    module = _module_name(args.builtin) + butler + str(args.n)
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


# -- otlp2cspm / conform: captured traces against a CSP specification ---------------------------


def _add_trace_input_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--abstraction", metavar="FILE",
                   help="span -> label rules (JSON or TOML; default: service.name + span name)")
    p.add_argument("--repair", action="append", default=[], metavar="NAME",
                   choices=[*_REPAIR_NAMES.split(", "), "all"],
                   help=f"repair traces that are not span forests (repeatable): {_REPAIR_NAMES}; "
                   "'all' is every one but drop-duplicates")
    p.add_argument("--lenient", action="store_true",
                   help="accept base64 ids, enum names and snake_case keys, with a warning")


def _repairs(names: Sequence[str]) -> tuple[str, ...]:
    from cspotlp.otlp.repair import REPAIRS

    if "all" in names:
        return tuple(r for r in REPAIRS if r != "drop-duplicates")
    return tuple(names)


def _abstraction(path: str | None) -> Any:
    from cspotlp.mapping.abstraction import DEFAULT_ABSTRACTION
    from cspotlp.mapping.abstraction_file import load_abstraction

    return DEFAULT_ABSTRACTION if path is None else load_abstraction(path)


def _captured_traces(files: Sequence[str], lenient: bool, command: str,
                     keep_attributes: bool = True) -> Any:
    """Every trace of every file, in order (files read one at a time, with progress)."""
    from cspotlp.otlp import load

    for path in files:
        show = _progress(path)
        try:
            capture = load(path, lenient=lenient, keep_attributes=keep_attributes,
                           progress=show)
        finally:
            _end_progress(show)
        for note in capture.notes:
            print(f"cspotlp {command}: note: {note}", file=sys.stderr)
        yield from capture.traces


def _add_abstract(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "abstract", help="print the abstract events (call/ret/error.<label>) of captured traces",
        description="What the model checkers see of each captured trace: one abstract event per "
        "line, in Ψ's order, with the service and span it came from. The abstraction (--"
        "abstraction FILE, JSON or TOML) decides labels, drops spans and picks event data.")
    p.add_argument("files", nargs="+", metavar="TRACES")
    p.add_argument("--trace", action="append", default=[], metavar="ID",
                   help="only this trace id (repeatable)")
    p.add_argument("--json", action="store_true", help="one JSON object per trace, one per line")
    _add_trace_input_options(p)


def _run_abstract(args: argparse.Namespace) -> int:
    from cspotlp.errors import OtlpError
    from cspotlp.mapping.abstraction import abstract_trace

    abstraction = _abstraction(args.abstraction)
    repairs = _repairs(args.repair)
    wanted = set(args.trace)
    status = EXIT_OK
    for trace in _captured_traces(args.files, args.lenient, "abstract"):
        if wanted and trace.trace_id not in wanted:
            continue
        try:
            t = abstract_trace(trace, abstraction, repairs=repairs)
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


COMMANDS["abstract"] = (_add_abstract, _without_cycle_collection(_run_abstract))


def _abstracted_traces(args: argparse.Namespace, abstraction: Any, command: str
                       ) -> tuple[list[Any], list[str]]:
    """Every captured trace of ``args.files`` abstracted, and the traces left out.

    A trace is left out (one line saying why) when it is not a span forest under the
    ``--repair`` policies given.
    """
    from cspotlp.errors import OtlpError
    from cspotlp.mapping.abstraction import abstract_trace

    repairs = _repairs(args.repair)
    traces, left_out = [], []
    for trace in _captured_traces(args.files, args.lenient, command):
        try:
            traces.append(abstract_trace(trace, abstraction, repairs=repairs))
        except OtlpError as e:
            left_out.append(f"trace {trace.trace_id} left out: {e}")
    return traces, left_out


def _add_otlp2cspm(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "otlp2cspm", help="write captured traces as a CSPm script for FDR4",
        description="Abstract every captured trace (spans -> call/ret/error events) and write "
        "a CSPm script: the alphabet (or an include of --spec), the traces as one prefix-tree "
        "process OBSERVED, and with --spec the assertion 'SPEC [T= OBSERVED'. A sidecar "
        "OUT.json maps every event back to its trace and span ids.")
    p.add_argument("files", nargs="+", metavar="TRACES")
    p.add_argument("-o", "--output", required=True, metavar="OUT.csp",
                   help="the script to write ('-' for standard output, without sidecar)")
    p.add_argument("--spec", metavar="MODEL.csp", help="a specification to include and check")
    p.add_argument("--process", default="SPEC", help="the specification process (default SPEC)")
    p.add_argument("--per-trace", action="store_true",
                   help="also one process (and assertion) per captured trace")
    p.add_argument("--skip-invalid", action="store_true",
                   help="leave out traces that are not span forests (listed in the script) "
                   "instead of failing")
    p.add_argument("--no-sidecar", action="store_true", help="do not write OUT.csp.json")
    _add_trace_input_options(p)


def _run_otlp2cspm(args: argparse.Namespace) -> int:
    import os

    from cspotlp.export.cspm import SpecRef, export_cspm
    from cspotlp.export.cspm_spec import read_spec_interface

    abstraction = _abstraction(args.abstraction)
    spec = None
    if args.spec is not None:
        interface = read_spec_interface(args.spec)
        base = os.path.dirname(os.path.abspath(args.output)) if args.output != "-" else "."
        include = os.path.relpath(os.path.abspath(args.spec), base).replace(os.sep, "/")
        spec = SpecRef(include, args.process, interface.channels, interface.names)
    traces, skipped = _abstracted_traces(args, abstraction, "otlp2cspm")
    if skipped and not args.skip_invalid:
        for line in skipped:
            print(f"cspotlp otlp2cspm: {line}", file=sys.stderr)
        print("cspotlp otlp2cspm: nothing written; name a --repair, or --skip-invalid",
              file=sys.stderr)
        return EXIT_INPUT
    result = export_cspm(traces, abstraction, spec=spec, per_trace=args.per_trace,
                         sources=args.files, notes=skipped)
    if args.output == "-":
        sys.stdout.write(result.text)
        return EXIT_OK
    try:
        with open(args.output, "w", encoding="utf-8", newline="\n") as f:
            f.write(result.text)
        if not args.no_sidecar:
            with open(args.output + ".json", "w", encoding="utf-8", newline="\n") as f:
                json.dump(result.sidecar, f, indent=1, ensure_ascii=False)
                f.write("\n")
    except OSError as e:
        print(f"cspotlp otlp2cspm: cannot write {args.output}: {e}", file=sys.stderr)
        return EXIT_INPUT
    events = sum(len(t.events) for t in traces)
    print(f"wrote {args.output}: {len(traces)} trace(s), {events} abstract event(s)"
          + (f", {len(skipped)} left out" if skipped else "")
          + ("" if args.no_sidecar else f"; event -> span map in {args.output}.json"))
    return EXIT_OK


def _add_locate(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "locate", help="point a counterexample (from FDR4 or cspotlp check) at captured spans",
        description="Find the captured traces that performed a counterexample trace, using the "
        "sidecar that otlp2cspm wrote next to the script (OUT.csp.json), and print the span "
        "behind each of its events; the last one is where the specification was left.")
    p.add_argument("sidecar", metavar="OUT.csp.json")
    p.add_argument("trace", metavar="TRACE",
                   help="the counterexample as FDR prints it: '<call.A, ret.A, call.B>'")


def _run_locate(args: argparse.Namespace) -> int:
    from cspotlp.export.cspm import spans_of_counterexample

    try:
        with open(args.sidecar, encoding="utf-8") as f:
            sidecar = json.load(f)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        print(f"cspotlp locate: {args.sidecar}: cannot read: {e}", file=sys.stderr)
        return EXIT_INPUT
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


def _add_conform(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "conform", help="check captured traces against a CSP specification",
        description="Check every captured trace against the specification process: pass when "
        "the specification can perform the trace's abstract events, fail otherwise, with the "
        "first offending event, the span that produced it and the events the specification "
        "accepted there. Exit 0 when all pass, 1 when some fail, 2 on input errors.")
    p.add_argument("files", nargs="+", metavar="TRACES")
    p.add_argument("--spec", required=True, metavar="MODEL.csp", help="the CSPm specification")
    p.add_argument("--process", default="SPEC", help="the specification process (default SPEC)")
    p.add_argument("--complete", action="store_true",
                   help="also require the specification to be able to finish (SKIP) at the end "
                   "of each trace")
    p.add_argument("--json", action="store_true", help="one JSON document with every verdict")
    p.add_argument("--failures-only", action="store_true",
                   help="list only failing traces and errors (and the summary)")
    _add_trace_input_options(p)


def _conform_progress() -> Callable[[int, int, float], None] | None:
    if not sys.stderr.isatty():
        return None

    def show(traces: int, events: int, seconds: float) -> None:
        rate = events / seconds if seconds > 0 else 0.0
        print(f"\rconform: {traces:,} traces, {events:,} events, {rate:,.0f} events/s",
              end="", file=sys.stderr, flush=True)

    return show


def _run_conform(args: argparse.Namespace) -> int:
    from cspotlp.verify.conformance import ConformanceChecker, Summary
    from cspotlp.verify.spec import load_spec

    abstraction = _abstraction(args.abstraction)
    process, env = load_spec(args.spec, args.process)
    checker = ConformanceChecker.for_process(process, env, abstraction,
                                             repairs=_repairs(args.repair),
                                             complete=args.complete)
    summary = Summary()
    progress = None if args.json else _conform_progress()
    results = []
    # span attributes matter only when the abstraction turns some into event data
    needs_attributes = any(not key.startswith("{") for key in abstraction.data)
    traces = _captured_traces(args.files, args.lenient, "conform", needs_attributes)
    for result in checker.check_all(traces, progress):
        summary.add(result)
        if args.json:
            results.append(result.to_json())
        elif not args.failures_only or not result.passed:
            if progress is not None:
                print("\r\033[K", end="", file=sys.stderr, flush=True)
            print(result.describe())
    if progress is not None:
        print(file=sys.stderr)
    if args.json:
        print(json.dumps({"spec": args.spec, "process": args.process,
                          "abstraction": abstraction.to_json(), "complete": args.complete,
                          "results": results, "summary": summary.to_json()},
                         ensure_ascii=False))
    else:
        print(summary)
    if summary.errors:
        return EXIT_INPUT
    return EXIT_FAILED if summary.failed else EXIT_OK


COMMANDS["otlp2cspm"] = (_add_otlp2cspm, _without_cycle_collection(_run_otlp2cspm))
COMMANDS["conform"] = (_add_conform, _without_cycle_collection(_run_conform))


# -- otlp2tla: captured traces as trace-validation modules for TLC -------------------------------


def _add_otlp2tla(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "otlp2tla", help="write TLA+ trace-validation modules checking captured traces with TLC",
        description="Build the model process's LTS and write it as a TLA+ module M, and per "
        "captured trace a module MTrace<k> (with its .cfg) whose behaviours match the trace's "
        "abstract events, one log line per step, to a behaviour of M. TLC accepts a trace "
        "when the postcondition TraceAccepted holds; for a trace the model forbids it reports "
        "the violation and prints the first unmatched line with its trace id and span id. "
        "Events are bound to the model's alphabet exactly as by `cspotlp conform`.")
    p.add_argument("files", nargs="+", metavar="TRACES")
    p.add_argument("--model", required=True, metavar="MODEL.csp", help="the CSPm model")
    p.add_argument("--process", default="SPEC", help="the model process (default SPEC)")
    p.add_argument("--module", help="TLA+ name of the model module (default: the process name)")
    p.add_argument("--ndjson", action="store_true",
                   help="one trace module reading its log from MTrace<k>.ndjson at run time "
                   "(needs the CommunityModules jar) instead of one module per trace")
    p.add_argument("--state-limit", type=int, default=1_000_000,
                   help="refuse models with more states than this (default 1,000,000)")
    p.add_argument("-o", "--output", required=True, metavar="DIR",
                   help="directory for the modules, configs and logs (created if absent)")
    _add_trace_input_options(p)


def _run_otlp2tla(args: argparse.Namespace) -> int:
    from cspotlp.csp import build_lts
    from cspotlp.export import trace_validation, write_files
    from cspotlp.export.tla_capture import event_logs
    from cspotlp.mapping.alphabet import EventBinding
    from cspotlp.verify.conformance import channel_domains
    from cspotlp.verify.spec import load_spec

    abstraction = _abstraction(args.abstraction)
    process, env = load_spec(args.model, args.process)
    traces, left_out = _abstracted_traces(args, abstraction, "otlp2tla")
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
    out = trace_validation(lts, logs, model=args.module or _module_name(args.process),
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


COMMANDS["otlp2tla"] = (_add_otlp2tla, _without_cycle_collection(_run_otlp2tla))

if __name__ == "__main__":  # keep last: every command above is registered by now
    sys.exit(main())
