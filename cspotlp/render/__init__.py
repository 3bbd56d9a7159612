"""Drawings: Graphviz DOT for LTSs and span forests, text timelines."""

from cspotlp.render.dot import forest_to_dot, lts_to_dot, render, timeline

__all__ = ["forest_to_dot", "lts_to_dot", "render", "timeline"]
