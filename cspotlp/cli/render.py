"""``render`` (drawings with Graphviz) and ``report`` (one self-contained HTML file)."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from typing import Any

from cspotlp.cli.common import (
    COMMANDS,
    EXIT_FAILED,
    EXIT_INPUT,
    EXIT_OK,
    Subparsers,
    abstraction_from,
    add_trace_input_options,
    captured_traces,
    repairs_named,
    without_cycle_collection,
)
from cspotlp.cli.ottl_options import ottl_traces

FORMATS = ("svg", "png", "pdf", "dot")


def _output_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("-o", "--output", required=True, metavar="OUT",
                   help="the drawing to write ('-' for standard output); its suffix "
                   f"({', '.join(FORMATS)}) gives the format unless --format does")
    p.add_argument("--format", choices=FORMATS, help="svg, png, pdf or dot (Graphviz source)")


def _add_render(sub: Subparsers) -> None:
    p = sub.add_parser(
        "render", help="draw an LTS, a normal form, a span forest or a counterexample",
        description="Drawings with Graphviz, as SVG, PNG, PDF or DOT source. 'lts' and "
        "'normal-form' draw a process of a CSPm script; 'spans' draws a captured trace as a "
        "tree (children in start order, times in human units, error spans red) or, with "
        "--timeline, as a timeline (SVG); 'counterexample' draws where a trace left its "
        "specification (the span tree with the offending span highlighted and the events the "
        "specification accepted there, or with --path the normal form with the path taken), "
        "or for a refinement assertion of a script (--assertion N) the specification's normal "
        "form with the counterexample's path.")
    what = p.add_subparsers(dest="drawing", metavar="WHAT", required=True)
    lts = what.add_parser("lts", help="the labelled transition system of a process")
    lts.add_argument("script", metavar="MODEL.csp")
    lts.add_argument("process", metavar="PROCESS")
    lts.add_argument("--max-states", type=int, default=2_000,
                     help="refuse to draw more states (default 2000)")
    lts.add_argument("--show-terms", action="store_true", help="label states with their terms")
    _output_options(lts)
    nf = what.add_parser("normal-form", help="the normal form of a process (what traces are "
                         "checked against)")
    nf.add_argument("script", metavar="MODEL.csp")
    nf.add_argument("process", metavar="PROCESS")
    nf.add_argument("--max-nodes", type=int, default=200, help="nodes drawn at most (default 200)")
    _output_options(nf)
    spans = what.add_parser("spans", help="a captured trace as a span tree or timeline")
    spans.add_argument("files", nargs="+", metavar="TRACES")
    spans.add_argument("--trace", metavar="ID", help="the trace to draw (default: the first)")
    spans.add_argument("--timeline", action="store_true", help="a timeline (SVG) instead of a tree")
    spans.add_argument("--lenient", action="store_true",
                       help="accept base64 ids, enum names and snake_case keys, with a warning")
    _output_options(spans)
    cex = what.add_parser("counterexample", help="where a trace (or a refinement) failed")
    cex.add_argument("files", nargs="+", metavar="TRACES|MODEL.csp",
                     help="captured traces (with --spec), or one CSPm script (with --assertion)")
    cex.add_argument("--spec", metavar="MODEL.csp", help="check the traces against this script")
    cex.add_argument("--process", default="SPEC", help="the specification process (default SPEC)")
    cex.add_argument("--complete", action="store_true",
                     help="also require the specification to be able to finish")
    cex.add_argument("--trace", metavar="ID", help="the trace to draw (default: the first failing)")
    cex.add_argument("--path", action="store_true",
                     help="draw the normal form with the trace's path instead of the span tree")
    cex.add_argument("--assertion", type=int, metavar="N",
                     help="the N-th assertion (1-based) of the script: a failed refinement")
    cex.add_argument("--max-nodes", type=int, default=200, help="nodes drawn at most (default 200)")
    add_trace_input_options(cex)
    _output_options(cex)


def _format(args: argparse.Namespace) -> str:
    chosen: str | None = args.format
    if chosen:
        return chosen
    output: str = args.output
    suffix = os.path.splitext(output)[1].lstrip(".").lower()
    if suffix in FORMATS:
        return suffix
    if output == "-":
        return "dot"
    from cspotlp.errors import ExportError

    raise ExportError(f"{output}: cannot tell the format from the suffix; use --format "
                      f"({', '.join(FORMATS)})")


def _write(path: str, data: bytes) -> None:
    """Write ``data`` to ``path`` whole (:func:`cspotlp.files.write_outputs`)."""
    if path == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    from cspotlp.errors import ExportError
    from cspotlp.files import write_outputs

    try:
        write_outputs({path: data})
    except OSError as e:
        raise ExportError(f"cannot write {path}: {e.strerror}") from e


def _emit(args: argparse.Namespace, dot: str) -> None:
    from cspotlp.render import render

    fmt = _format(args)
    _write(args.output, dot.encode("utf-8") if fmt == "dot" else render(dot, fmt))


def _run_render(args: argparse.Namespace) -> int:
    runners: dict[str, Callable[[argparse.Namespace], int]] = {
        "lts": _render_lts, "normal-form": _render_normal_form, "spans": _render_spans,
        "counterexample": _render_counterexample}
    return runners[args.drawing](args)


def _render_lts(args: argparse.Namespace) -> int:
    from cspotlp.conformance import load_spec
    from cspotlp.csp import build_lts
    from cspotlp.render import lts_to_dot

    process, env = load_spec(args.script, args.process)
    lts = build_lts(process, env, state_limit=args.max_states + 1)
    _emit(args, lts_to_dot(lts, max_states=args.max_states, show_terms=args.show_terms))
    return EXIT_OK


def _render_normal_form(args: argparse.Namespace) -> int:
    from cspotlp.conformance import NormalisedSpec, load_spec
    from cspotlp.render.automaton import automaton_to_dot, normalised_spec_successors

    process, env = load_spec(args.script, args.process)
    spec = NormalisedSpec(process, env)
    _emit(args, automaton_to_dot(normalised_spec_successors(spec), max_nodes=args.max_nodes,
                                 name=f"{args.process}: normal form"))
    return EXIT_OK


def _pick(traces: Any, wanted: str | None) -> Any:
    from cspotlp.errors import OtlpError

    for trace in traces:
        if wanted is None or trace.trace_id == wanted.lower():
            return trace
    raise OtlpError(f"no trace {wanted} in the input" if wanted else "the input holds no traces")


def _render_spans(args: argparse.Namespace) -> int:
    from cspotlp.errors import ExportError
    from cspotlp.render.counterexample import span_tree_dot
    from cspotlp.render.timelines import timeline_svg

    trace = _pick(ottl_traces(args, captured_traces(args.files, args.lenient, "render"),
                              "render"), args.trace)
    if args.timeline:
        if _format(args) != "svg":
            raise ExportError("a timeline is drawn as SVG only (-o OUT.svg)")
        _write(args.output, timeline_svg(trace.spans, title=f"trace {trace.trace_id}").encode())
        return EXIT_OK
    _emit(args, span_tree_dot(trace.spans, title=f"trace {trace.trace_id}"))
    return EXIT_OK


def _render_counterexample(args: argparse.Namespace) -> int:
    if args.assertion is not None:
        return _render_refinement(args)
    from cspotlp.conformance import ConformanceChecker, load_spec
    from cspotlp.errors import VerifyError
    from cspotlp.render.automaton import automaton_to_dot, normalised_spec_successors
    from cspotlp.render.counterexample import failure_note, span_tree_dot
    from cspotlp.render.views import SpecDrawer

    if args.spec is None:
        raise VerifyError("render counterexample: give --spec MODEL.csp (traces against a "
                          "specification) or --assertion N (a refinement of a script)")
    abstraction = abstraction_from(args.abstraction)
    process, env = load_spec(args.spec, args.process)
    checker = ConformanceChecker.for_process(process, env, abstraction,
                                             repairs=repairs_named(args.repair),
                                             complete=args.complete)
    for trace in ottl_traces(args, captured_traces(args.files, args.lenient, "render"),
                             "render"):
        if args.trace is not None and trace.trace_id != args.trace.lower():
            continue
        result = checker.check(trace)
        if result.verdict != "fail" or result.failure is None:
            if args.trace is not None:
                print(f"cspotlp render: trace {trace.trace_id} did not fail "
                      f"({result.verdict}); nothing to draw", file=sys.stderr)
                return EXIT_FAILED
            continue
        failure = result.failure.to_json()
        if args.path:
            drawer = SpecDrawer(checker.spec, abstraction, checker.binding, name=args.process,
                                repairs=checker.repairs)
            path, refused = drawer.path(trace.spans, trace.trace_id, failure)
            _emit(args, automaton_to_dot(normalised_spec_successors(checker.spec), path=path,
                                         refused=refused, note=failure_note(failure),
                                         max_nodes=args.max_nodes,
                                         name=f"{args.process}: trace {trace.trace_id}"))
        else:
            _emit(args, span_tree_dot(trace.spans, failure, title=f"trace {trace.trace_id}"))
        print(result.describe(), file=sys.stderr)
        return EXIT_OK
    print("cspotlp render: no trace failed; nothing to draw", file=sys.stderr)
    return EXIT_FAILED


def _render_refinement(args: argparse.Namespace) -> int:
    from cspotlp.csp.refine import normal_form
    from cspotlp.csp.semantics import Semantics
    from cspotlp.cspm import ast
    from cspotlp.cspm.assertions import check_assertion
    from cspotlp.cspm.evaluate import load_script
    from cspotlp.errors import VerifyError
    from cspotlp.render.automaton import automaton_to_dot, normal_form_successors

    if len(args.files) != 1:
        raise VerifyError("render counterexample --assertion N takes one CSPm script")
    loaded = load_script(args.files[0])
    decls = loaded.assertions()
    if not 1 <= args.assertion <= len(decls):
        raise VerifyError(f"{args.files[0]} has {len(decls)} assertion(s); "
                          f"--assertion {args.assertion} is not one of them")
    decl = decls[args.assertion - 1]
    if not isinstance(decl.assertion, ast.Refinement) or decl.negated:
        raise VerifyError(f"assertion {args.assertion} is not a refinement (SPEC [M= IMPL); "
                          "only refinements have a specification normal form to draw")
    result = check_assertion(loaded, decl)
    print("\n".join(result.lines()), file=sys.stderr)
    if result.result != "failed" or result.verdict is None:
        return EXIT_FAILED if result.result != "passed" else EXIT_OK
    cex = result.verdict.counterexample
    spec = loaded.evaluator.evaluate(decl.assertion.spec)
    model = decl.assertion.model.value
    nf = normal_form(spec, Semantics(loaded.env), model)
    if isinstance(nf, str):
        raise VerifyError(f"the specification's normal form cannot be built: {nf}")
    path = [e.name for e in cex.trace]
    refused = cex.error_event.name if cex.error_event is not None else None
    note = None
    if cex.kind != "trace":
        accepted = "{" + ", ".join(sorted(e.name for e in cex.acceptance or ())) + "}"
        note = f"{cex.kind}: the implementation accepts only {accepted} here"
    _emit(args, automaton_to_dot(normal_form_successors(nf), path=path, refused=refused,
                                 note=note, max_nodes=args.max_nodes,
                                 name=f"{result.assertion}: normal form ({model})"))
    return EXIT_OK


COMMANDS["render"] = (_add_render, _run_render)


def _add_report(sub: Subparsers) -> None:
    p = sub.add_parser(
        "report", help="check captured traces and write one self-contained HTML report",
        description="Check every captured trace against the specification (as 'cspotlp "
        "conform' does) and write one HTML file with no outside references, for CI "
        "artifacts: the traces (filter by verdict, search by trace id or service), for each "
        "failing trace its timeline, the span tree with the offending span highlighted and "
        "the path through the specification's normal form, and the specification's drawing. "
        "Exit 0 when all pass, 1 when some fail, 2 on input errors.")
    p.add_argument("files", nargs="+", metavar="TRACES")
    p.add_argument("--spec", required=True, metavar="MODEL.csp", help="the CSPm specification")
    p.add_argument("--process", default="SPEC", help="the specification process (default SPEC)")
    p.add_argument("--complete", action="store_true",
                   help="also require the specification to be able to finish")
    p.add_argument("-o", "--output", required=True, metavar="REPORT.html")
    p.add_argument("--max-drawn", type=int, default=50, metavar="N",
                   help="traces drawn at most, failing ones first (default 50); all are listed")
    add_trace_input_options(p)


def _run_report(args: argparse.Namespace) -> int:
    from cspotlp.conformance import ConformanceChecker, Summary, load_spec
    from cspotlp.render.html import report_document, trace_section
    from cspotlp.render.spans import service_of
    from cspotlp.render.views import SpecDrawer

    abstraction = abstraction_from(args.abstraction)
    process, env = load_spec(args.spec, args.process)
    checker = ConformanceChecker.for_process(process, env, abstraction,
                                             repairs=repairs_named(args.repair),
                                             complete=args.complete)
    records: list[dict[str, Any]] = []
    spans_of: dict[str, Any] = {}
    summary = Summary()
    for trace in ottl_traces(args, captured_traces(args.files, args.lenient, "report"),
                             "report"):
        result = checker.check(trace)
        summary.add(result)
        record = result.to_json()
        record["spans"] = len(trace.spans)
        record["services"] = sorted({service_of(s) for s in trace.spans})
        records.append(record)
        spans_of.setdefault(trace.trace_id, trace.spans)
    order = sorted(range(len(records)), key=lambda k: (records[k]["verdict"] == "pass", k))
    drawer = SpecDrawer(checker.spec, abstraction, checker.binding, name=args.process,
                        repairs=checker.repairs)
    sections = {}
    for k in order[:max(args.max_drawn, 0)]:
        r = records[k]
        sections[r["trace_id"]] = trace_section(
            r, drawer.drawings(r, spans_of.get(r["trace_id"])), heading="h2")
    html = report_document(records, sections, title=f"cspotlp report: {args.process} of "
                           f"{os.path.basename(args.spec)}",
                           subtitle=f"{summary}; traces from {', '.join(args.files)}",
                           spec_svg=drawer.spec_svg(), spec_note=drawer.spec_note)
    _write(args.output, html.encode("utf-8"))
    print(f"wrote {args.output}: {summary}")
    if summary.errors:
        return EXIT_INPUT
    return EXIT_FAILED if summary.failed else EXIT_OK


COMMANDS["report"] = (_add_report, without_cycle_collection(_run_report))
