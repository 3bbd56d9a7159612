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


if __name__ == "__main__":
    sys.exit(main())
