"""The ``cspotlp`` command: the only place that prints or exits.

One module per family of subcommands (:mod:`.models`, :mod:`.telemetry`, :mod:`.conformance`,
:mod:`.proofs`, :mod:`.gomodel`); each registers pairs ``_add_<name>(subparsers)`` / ``_run_<name>(args) -> int``
in :data:`~cspotlp.cli.common.COMMANDS`. Errors from the library arrive as
:class:`CspotlpError` and are printed on stderr with their location; a library traceback never
reaches the user.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Iterator, Sequence

from cspotlp import __version__
from cspotlp.cli import (  # noqa: F401  (they register commands)
    conformance,
    gomodel,
    models,
    proofs,
    render,
    serve,
    telemetry,
)
from cspotlp.cli.common import COMMANDS, EXIT_INPUT, EXIT_OK
from cspotlp.errors import CspotlpError, LocatedError

__all__ = ["build_parser", "main"]


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
        with _escaping_output():
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


@contextlib.contextmanager
def _escaping_output() -> Iterator[None]:
    r"""Standard output writes what its encoding cannot hold escaped, as every writer does.

    A span name can carry a lone surrogate (``"\ud800"`` in JSON); it is written as the escape
    ``\ud800`` (:data:`cspotlp.files.TEXT_ERRORS`), never a ``UnicodeEncodeError``.
    """
    from cspotlp.files import TEXT_ERRORS

    out = sys.stdout
    previous = getattr(out, "errors", None)
    reconfigure = getattr(out, "reconfigure", None)
    if reconfigure is None or previous is None:
        yield
        return
    reconfigure(errors=TEXT_ERRORS)
    try:
        yield
    finally:
        with contextlib.suppress(ValueError, OSError):  # closed, or a broken pipe
            reconfigure(errors=previous)


def _silence_stdout() -> None:
    """Point stdout at /dev/null so that Python's final flush cannot fail again."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # stdout is not a real file (captured in tests)
        pass
