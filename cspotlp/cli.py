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
