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


# ---- prove ---------------------------------------------------------------------------------

def _add_prove(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from cspotlp.verify import THEOREM_IDS

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


def _run_prove(args: argparse.Namespace) -> int:
    import json

    from cspotlp.verify import format_counterexample, prove

    results = prove(args.theorem, args.bound, timeout=args.timeout)
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


if __name__ == "__main__":
    sys.exit(main())
