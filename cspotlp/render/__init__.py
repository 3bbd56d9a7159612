"""Drawings: Graphviz DOT for LTSs and span forests, text timelines, Go-style models."""

from cspotlp.render.dot import forest_to_dot, lts_to_dot, render, timeline
from cspotlp.render.goroutines import go_event_text, goroutine_to_dot, sequence_svg

__all__ = ["forest_to_dot", "go_event_text", "goroutine_to_dot", "lts_to_dot", "render",
           "sequence_svg", "timeline"]
