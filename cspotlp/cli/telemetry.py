"""``inspect``, ``psi``, ``phi``: captured telemetry read, diagnosed, mapped."""

from __future__ import annotations

import argparse
import json
import sys

from cspotlp.cli.common import (
    COMMANDS,
    EXIT_INPUT,
    EXIT_OK,
    REPAIR_NAMES,
    Subparsers,
    end_progress,
    int_in,
    progress_line,
    without_cycle_collection,
)
from cspotlp.cli.ottl_options import (
    add_ottl_options,
    ottl_capture,
    ottl_needs_attributes,
    ottl_program,
)
from cspotlp.errors import CspotlpError

UINT64_MAX = (1 << 64) - 1  # OTLP times are unsigned 64-bit nanoseconds


def _add_inspect(sub: Subparsers) -> None:
    p = sub.add_parser("inspect", help="summarise trace files and list their diagnostics",
                       description="Per file: traces, spans, services, depth and the diagnostics "
                       "(orphans, cycles, duplicate ids, children outside their parent, invalid "
                       "ids). Formats are detected: OTLP JSON / JSON Lines / protobuf, Jaeger, "
                       "Zipkin.")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--json", action="store_true", help="one JSON object per file, one per line")
    p.add_argument("--lenient", action="store_true",
                   help="accept base64 ids, enum names and snake_case keys, with a warning")
    p.add_argument("--max-diagnostics", type=int_in(0, 1 << 31), default=20, metavar="N",
                   help="diagnostics listed per file in text output (default 20)")
    add_ottl_options(p)


def _run_inspect(args: argparse.Namespace) -> int:

    from cspotlp.otlp import load, summarise
    from cspotlp.otlp.report import inspect_json, inspect_text

    status = EXIT_OK
    ottl_program(args)  # a bad OTTL file stops the command before any trace is read
    for path in args.files:
        show = progress_line(path)
        try:
            capture = load(path, lenient=args.lenient, keep_attributes=ottl_needs_attributes(args),
                           progress=show)
            capture = ottl_capture(args, capture, "inspect")
        except CspotlpError as e:
            end_progress(show)
            print(f"cspotlp inspect: {e}", file=sys.stderr)
            status = EXIT_INPUT
            continue
        end_progress(show)
        summary = summarise(capture)
        if args.json:
            print(json.dumps(inspect_json(capture, summary), ensure_ascii=False))
        else:
            print(inspect_text(capture, summary, args.max_diagnostics), end="")
    return status


def _add_psi(sub: Subparsers) -> None:
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
                   choices=[*REPAIR_NAMES.split(", "), "all"],
                   help=f"apply a repair policy (repeatable): {REPAIR_NAMES}; 'all' is every "
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
    show = progress_line(args.file)
    capture = load(args.file, lenient=args.lenient, keep_attributes=False, progress=show)
    end_progress(show)
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


def _add_phi(sub: Subparsers) -> None:
    p = sub.add_parser("phi", help="print the OTLP JSON (Φ) of CSP traces written as by psi",
                       description="Φ of each trace in TRACEFILE (the text 'cspotlp psi' prints) "
                       "as one OTLP JSON document. Span times are the event positions, scaled: "
                       "time = EPOCH + position * TICK nanoseconds.")
    p.add_argument("tracefile", metavar="TRACEFILE")
    p.add_argument("--epoch", type=int_in(0, UINT64_MAX), default=0, metavar="NS",
                   help="Unix time in ns of position 0 (default 0)")
    p.add_argument("--tick", type=int_in(1, UINT64_MAX), default=1, metavar="NS",
                   help="nanoseconds per event position, at least 1 (default 1); every time "
                   "must fit OTLP's 64 bits")


def _run_phi(args: argparse.Namespace) -> int:
    from cspotlp.errors import MappingError
    from cspotlp.files import MAX_DOCUMENT_BYTES, read_text
    from cspotlp.mapping.correspondence import phi
    from cspotlp.mapping.event_text import parse_trace_text
    from cspotlp.mapping.otlp_bridge import forest_to_spans
    from cspotlp.otlp import Span, dumps_json

    try:
        text = read_text(args.tracefile, MAX_DOCUMENT_BYTES)
    except (OSError, UnicodeDecodeError, ValueError) as e:
        reason = e.strerror if isinstance(e, OSError) and e.strerror else e
        print(f"cspotlp phi: {args.tracefile}: cannot read: {reason}", file=sys.stderr)
        return EXIT_INPUT
    spans: list[Span] = []
    try:
        traces = parse_trace_text(text)
        if not any(events for _tid, events in traces):
            print(f"cspotlp phi: {args.tracefile}: no events: the file holds no trace (expected "
                  "the text 'cspotlp psi' prints, one event a line)", file=sys.stderr)
            return EXIT_INPUT
        for trace_id, events in traces:
            last = args.epoch + len(events) * args.tick
            if last > UINT64_MAX:
                print(f"cspotlp phi: {args.tracefile}: --epoch {args.epoch} + {len(events)} "
                      f"events x --tick {args.tick} ns is past OTLP's 64-bit times; lower them",
                      file=sys.stderr)
                return EXIT_INPUT
            tid = trace_id if trace_id is not None and len(trace_id) == 32 else None
            spans.extend(forest_to_spans(phi(events), trace_id=tid, epoch=args.epoch,
                                         tick=args.tick))
    except MappingError as e:
        print(f"cspotlp phi: {args.tracefile}: {e}", file=sys.stderr)
        return EXIT_INPUT
    sys.stdout.write(dumps_json(spans))
    return EXIT_OK


COMMANDS["inspect"] = (_add_inspect, without_cycle_collection(_run_inspect))
COMMANDS["psi"] = (_add_psi, without_cycle_collection(_run_psi))
COMMANDS["phi"] = (_add_phi, _run_phi)
