"""``--ottl FILE``, ``--ottl-drop CONDITION``, ``--ottl-error-mode``: OTTL on captured traces.

Commands that read captured traces call :func:`add_ottl_options` on their parser and pass
their traces through :func:`ottl_traces` (or a whole capture through :func:`ottl_capture`);
with no OTTL option given, both hand their input back untouched. The program is compiled once
per run (:func:`ottl_program`), so a bad statement stops the command before any trace is read,
with ``file:line:col`` and a caret.

The live receiver (``serve``) takes :func:`ottl_span_transform` as its per-request span hook
(``ServeConfig.transform``): each export request's spans are one batch, as in the Collector.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Iterator
from typing import Any

_PROGRAM = "_ottl_program"


def add_ottl_options(p: argparse.ArgumentParser) -> None:
    """Add ``--ottl``, ``--ottl-drop`` and ``--ottl-error-mode`` to a command's parser."""
    g = p.add_argument_group(
        "OTTL", "transform captured spans with the OpenTelemetry Transformation Language "
        "before anything else reads them (the Collector's transform and filter processors)")
    g.add_argument("--ottl", action="append", default=[], metavar="FILE",
                   help="OTTL statements: one per line, or the Collector's transform / filter "
                   "processor YAML (trace_statements, traces.span); repeatable, applied in "
                   "order")
    g.add_argument("--ottl-drop", action="append", default=[], metavar="CONDITION",
                   help="drop the spans for which this OTTL condition holds (filter processor: "
                   "any condition drops); children move to the nearest kept ancestor")
    g.add_argument("--ottl-error-mode", choices=("propagate", "ignore", "silent"),
                   help="when a statement fails on a span: stop with an error (propagate, the "
                   "Collector's default), note it and go on (ignore), or go on (silent); "
                   "overrides the files' error_mode")


def ottl_program(args: argparse.Namespace) -> Any:
    """The OTTL program the options name (compiled once per run), or None without options.

    Raises:
        OttlError: a file cannot be read or a statement or condition is wrong.
    """
    if not hasattr(args, "ottl"):
        return None
    cached = getattr(args, _PROGRAM, False)
    if cached is not False:
        return cached
    program = None
    if args.ottl or args.ottl_drop:
        from cspotlp.ottl import Program, drop_program, load_program

        program = Program()
        for path in args.ottl:
            program = program.then(load_program(path))
        if args.ottl_drop:
            program = program.then(drop_program(args.ottl_drop))
        if args.ottl_error_mode is not None:
            program = program.with_error_mode(args.ottl_error_mode)
    setattr(args, _PROGRAM, program)
    return program


def ottl_needs_attributes(args: argparse.Namespace) -> bool:
    """Whether spans must be read with their attributes (any OTTL may read them)."""
    return ottl_program(args) is not None


def ottl_traces(args: argparse.Namespace, traces: Iterable[Any], command: str) -> Iterator[Any]:
    """Each captured trace after the OTTL program (unchanged when there is none)."""
    program = ottl_program(args)
    if program is None:
        yield from traces
        return
    from cspotlp.ottl import RunNotes

    for trace in traces:
        notes = RunNotes()
        yield program.apply_trace(trace, notes)
        print_notes(notes, command)


def ottl_capture(args: argparse.Namespace, capture: Any, command: str) -> Any:
    """A whole capture after the OTTL program (unchanged when there is none)."""
    program = ottl_program(args)
    if program is None:
        return capture
    import dataclasses

    from cspotlp.ottl import RunNotes

    notes = RunNotes()
    traces = tuple(program.apply_trace(t, notes) for t in capture.traces)
    print_notes(notes, command)
    return dataclasses.replace(capture, traces=traces)


def ottl_span_transform(args: argparse.Namespace, command: str) -> Any:
    """The per-request span hook of a live receiver, or None without OTTL options.

    A statement that fails in error mode ``propagate`` drops the request's spans and prints
    the located error, as the Collector drops a batch whose processing failed; the receiver
    keeps serving.
    """
    program = ottl_program(args)
    if program is None:
        return None
    from cspotlp.errors import OttlRuntimeError
    from cspotlp.ottl import RunNotes

    def transform(spans: list[Any]) -> list[Any]:
        notes = RunNotes()
        try:
            out: list[Any] = program.apply_spans(spans, notes)
        except OttlRuntimeError as e:
            print(f"cspotlp {command}: {e}; the request's {len(spans)} span(s) are dropped",
                  file=sys.stderr)
            return []
        print_notes(notes, command)
        return out

    return transform


def print_notes(notes: Any, command: str) -> None:
    """Print the errors a run ignored (error mode ``ignore``) on stderr."""
    for line in notes.summary():
        print(f"cspotlp {command}: note: {line}", file=sys.stderr)
