"""The ``cspotlp`` command: the only place that prints or exits.

Each subcommand is a pair ``_add_<name>(subparsers)`` / ``_run_<name>(args) -> int`` registered
in :data:`COMMANDS`. Errors from the library arrive as :class:`CspotlpError` and are printed on
stderr with their location; a library traceback never reaches the user.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

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


if __name__ == "__main__":
    sys.exit(main())
