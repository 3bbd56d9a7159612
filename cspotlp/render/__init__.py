"""Drawings: Graphviz DOT, SVG timelines, HTML views and self-contained reports.

DOT for LTSs, normal forms, span forests and counterexamples; Go-style models' goroutines and
runs (:mod:`.goroutines`). Every function returns text (DOT, SVG or HTML), deterministic for its
input; :func:`render` turns DOT into SVG/PNG/PDF bytes with Graphviz ``dot``.
"""

from cspotlp.render.automaton import (
    automaton_to_dot,
    normal_form_successors,
    normalised_spec_successors,
)
from cspotlp.render.counterexample import failure_note, offending_span, span_tree_dot
from cspotlp.render.dot import forest_to_dot, lts_to_dot, render, timeline, tree_order
from cspotlp.render.goroutines import go_event_text, goroutine_to_dot, sequence_svg
from cspotlp.render.html import (
    TraceDrawings,
    index_page,
    report_document,
    spec_page,
    trace_page,
    trace_section,
)
from cspotlp.render.spans import SpanRow, human_duration, is_error_status, span_rows
from cspotlp.render.timelines import timeline_svg
from cspotlp.render.views import SpecDrawer

__all__ = [
    "SpanRow", "SpecDrawer", "TraceDrawings", "automaton_to_dot", "failure_note",
    "forest_to_dot", "go_event_text", "goroutine_to_dot", "human_duration", "index_page",
    "is_error_status", "lts_to_dot", "normal_form_successors", "normalised_spec_successors",
    "offending_span", "render", "report_document", "sequence_svg", "spec_page", "span_rows",
    "span_tree_dot", "timeline", "timeline_svg", "trace_page", "trace_section", "tree_order",
]
