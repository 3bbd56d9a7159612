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
    from cspotlp.csp.models import buffer_pipeline, cyclic_scheduler, dining_philosophers

    if args.builtin is None:
        if args.file is None or args.process is None:
            print("cspotlp explore: give FILE PROCESS, or --builtin MODEL", file=sys.stderr)
            return EXIT_INPUT
        return _explore_script(args)
    if args.file is not None:
        print("cspotlp explore: give FILE PROCESS or --builtin MODEL, not both", file=sys.stderr)
        return EXIT_INPUT
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


if __name__ == "__main__":  # keep last: every command above is registered by now
    sys.exit(main())
