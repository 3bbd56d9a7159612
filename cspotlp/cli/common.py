"""What the command families share.

Exit statuses, the command registry, progress lines, and the options and readers of captured
traces.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import Any, TypeAlias

from cspotlp.cli.ottl_options import add_ottl_options

EXIT_OK, EXIT_FAILED, EXIT_INPUT = 0, 1, 2

Subparsers: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"
Runner = Callable[[argparse.Namespace], int]
COMMANDS: dict[str, tuple[Callable[[Subparsers], None], Runner]] = {}
"""Every subcommand: name -> (add its parser, run it). Filled as the family modules load."""



def progress_line(label: str) -> Callable[[int], None] | None:
    """A progress line on stderr for long reads (only when stderr is a terminal)."""
    if not sys.stderr.isatty():
        return None

    def show(count: int) -> None:
        print(f"\r{label}: {count} spans read", end="", file=sys.stderr, flush=True)

    return show


def end_progress(show: Callable[[int], None] | None) -> None:
    """Clear the progress line ``show`` wrote (nothing when it is ``None``)."""
    if show is not None:
        print("\r\033[K", end="", file=sys.stderr, flush=True)


def without_cycle_collection(run: Runner) -> Runner:
    """``run`` with the cyclic garbage collector off while it runs (restored afterwards).

    A capture of 10^6 spans is millions of objects without reference cycles, alive while the
    command runs; the collector would rescan them over and over (reference counting still frees
    garbage).
    """
    import functools

    @functools.wraps(run)
    def wrapped(args: argparse.Namespace) -> int:
        # imported here: these commands read spans anyway, the others should not pay for it
        from cspotlp.otlp.reader import gc_paused

        with gc_paused():
            return run(args)

    return wrapped

def int_in(low: int, high: int) -> Callable[[str], int]:
    """An argparse type: an integer in ``low..high`` (both included), else a usage error.

    Every number a command takes from its arguments is range-checked, so that none can make it
    allocate, loop or write out of bounds (``--bound 10**9``, ``--tick 0``, ``--epoch -1``).
    """
    def parse(text: str) -> int:
        try:
            value = int(text, 10)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{value} is not between {low:,} and {high:,}")
        return value

    parse.__name__ = "integer"  # what argparse calls the type in its messages
    return parse


def seconds_up_to(high: float) -> Callable[[str], float]:
    """An argparse type: a finite number of seconds, more than 0 and at most ``high``."""
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        if not 0 < value <= high:  # also false for NaN; inf is above high
            raise argparse.ArgumentTypeError(
                f"{text} is not a number of seconds above 0 and at most {high:,.0f}")
        return value

    parse.__name__ = "seconds"
    return parse


STATE_LIMIT = int_in(1, 1 << 40)
"""``--state-limit``: at least one state, at most 2^40 (past any machine's memory)."""

REPAIR_NAMES = "drop-duplicates, split-shared, synthetic-root, break-cycles, clamp-skew"
"""The repairs of cspotlp.otlp.repair.REPAIRS, spelled out so that building the parser does not
import the OTLP readers (a test keeps the two in step)."""


def add_include_option(p: argparse.ArgumentParser) -> None:
    """``--allow-include DIR``: where a script's includes may reach beyond its own tree."""
    p.add_argument("--allow-include", action="append", default=[], metavar="DIR",
                   help="let includes read files under DIR too (repeatable); by default an "
                   "include must stay inside the including script's directory tree")


def add_trace_input_options(p: argparse.ArgumentParser) -> None:
    """``--abstraction``, ``--repair`` and ``--lenient``: how captured traces are read."""
    p.add_argument("--abstraction", metavar="FILE",
                   help="span -> label rules (JSON or TOML; default: service.name + span name)")
    p.add_argument("--repair", action="append", default=[], metavar="NAME",
                   choices=[*REPAIR_NAMES.split(", "), "all"],
                   help=f"repair traces that are not span forests (repeatable): {REPAIR_NAMES}; "
                   "'all' is every one but drop-duplicates")
    p.add_argument("--lenient", action="store_true",
                   help="accept base64 ids, enum names and snake_case keys, with a warning")
    add_ottl_options(p)


def repairs_named(names: Sequence[str]) -> tuple[str, ...]:
    """The repair policies ``--repair`` named ('all': every one but drop-duplicates)."""
    from cspotlp.otlp.repair import REPAIRS

    if "all" in names:
        return tuple(r for r in REPAIRS if r != "drop-duplicates")
    return tuple(names)


def abstraction_from(path: str | None) -> Any:
    """The abstraction in the file ``path``, or the default one."""
    from cspotlp.mapping.abstraction import DEFAULT_ABSTRACTION
    from cspotlp.mapping.abstraction_file import load_abstraction

    return DEFAULT_ABSTRACTION if path is None else load_abstraction(path)


def captured_traces(files: Sequence[str], lenient: bool, command: str,
                     keep_attributes: bool = True) -> Any:
    """Every trace of every file, in order (files read one at a time, with progress)."""
    from cspotlp.otlp import load

    for path in files:
        show = progress_line(path)
        try:
            capture = load(path, lenient=lenient, keep_attributes=keep_attributes,
                           progress=show)
        finally:
            end_progress(show)
        for note in capture.notes:
            print(f"cspotlp {command}: note: {note}", file=sys.stderr)
        yield from capture.traces


def tla_module_name(name: str) -> str:
    """``dining_philosophers`` -> ``DiningPhilosophers``; other text is kept (then sanitised)."""
    words = [w for w in name.replace("-", "_").split("_") if w]
    return "".join(w[:1].upper() + w[1:] for w in words) or "Model"
