"""The drawings of one checked trace and of a specification, ready for the HTML views.

:class:`SpecDrawer` knows the specification (its lazily normalised automaton, the abstraction
and the binding of abstract events to the specification's alphabet) and draws

* the specification's normal form (:meth:`SpecDrawer.spec_svg`, computed once);
* for a checked trace, :meth:`SpecDrawer.drawings`: the span tree with the offending span
  highlighted and the accepted events (:func:`~cspotlp.render.counterexample.span_tree_dot`),
  and the path the trace's events took through the normal form up to the refused event.

The automaton is any object with ``events`` and ``expand(node)`` (the conformance checker's
``NormalisedSpec``); only the nodes drawn are expanded, and at most ``max_nodes`` of them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from cspotlp.errors import CspotlpError
from cspotlp.mapping.abstraction import Abstraction, abstract_trace
from cspotlp.mapping.alphabet import EventBinding
from cspotlp.otlp.model import Span
from cspotlp.otlp.reader import CapturedTrace
from cspotlp.render.automaton import (
    LazyAutomaton,
    automaton_to_dot,
    normalised_spec_successors,
)
from cspotlp.render.counterexample import failure_note, span_tree_dot
from cspotlp.render.dot import render
from cspotlp.render.html import TraceDrawings


class SpecDrawer:
    """Draws a specification and the traces checked against it (see the module docstring)."""

    def __init__(self, automaton: LazyAutomaton, abstraction: Abstraction, binding: EventBinding,
                 *, name: str = "SPEC", repairs: Sequence[str] = (), max_nodes: int = 80) -> None:
        self.automaton = automaton
        self.abstraction = abstraction
        self.binding = binding
        self.name = name
        self.repairs = tuple(repairs)
        self.max_nodes = max_nodes
        self._spec_svg: str | None = None
        self.spec_note = ""

    def spec_dot(self) -> str:
        """The normal form of the specification as DOT (at most ``max_nodes`` nodes)."""
        self.spec_note = (f"The normal form of {self.name}: one node per set of states the "
                          "specification can be in after a trace; at most "
                          f"{self.max_nodes} nodes are drawn (… marks a cut).")
        return automaton_to_dot(normalised_spec_successors(self.automaton),
                                max_nodes=self.max_nodes, name=f"{self.name}: normal form")

    def spec_svg(self, draw: Callable[[str], bytes] = render) -> str | None:
        """The normal form of the specification as SVG, drawn once (None if it cannot be)."""
        if self._spec_svg is None:
            try:
                self._spec_svg = draw(self.spec_dot()).decode("utf-8")
            except CspotlpError as e:
                self.spec_note = f"the specification cannot be drawn: {e}"
                return None
        return self._spec_svg

    def path(self, spans: Sequence[Span], trace_id: str,
             failure: Mapping[str, Any] | None) -> tuple[list[str], str | None]:
        """The specification's events a trace performed (up to its failure), and the refused one."""
        try:
            abstract = abstract_trace(CapturedTrace(trace_id, tuple(spans)), self.abstraction,
                                      repairs=self.repairs)
        except CspotlpError:
            return [], None
        names = []
        for ev in abstract.events:
            bound = self.binding.event(ev)
            names.append(bound.name if bound is not None else ev.name)
        if not failure:
            return names, None
        index = int(failure.get("index", len(names)))
        refused = failure.get("event") if failure.get("reason") != "not-terminated" else None
        return names[:index], None if refused is None else str(refused)

    def trace_dots(self, record: Mapping[str, Any], spans: Sequence[Span]
                   ) -> tuple[str, str | None]:
        """DOT of the counterexample span tree and of the trace's path through the spec."""
        failure = record.get("failure")
        tid = str(record.get("trace_id", ""))
        tree = span_tree_dot(spans, failure, title=f"trace {tid}")
        path, refused = self.path(spans, tid, failure)
        try:
            spec_path: str | None = automaton_to_dot(
                normalised_spec_successors(self.automaton), path=path, refused=refused,
                note=failure_note(failure) if failure else None, max_nodes=self.max_nodes,
                name=f"{self.name}: the trace's path")
        except CspotlpError:  # a limit of the specification while expanding it
            spec_path = None
        return tree, spec_path

    def drawings(self, record: Mapping[str, Any], spans: Sequence[Span] | None,
                 draw: Callable[[str], bytes] = render) -> TraceDrawings:
        """The drawings of a checked trace (none but the record when its spans are gone)."""
        if not spans:
            return TraceDrawings(spans)
        tree_dot, path_dot = self.trace_dots(record, spans)
        return TraceDrawings(spans, _svg(draw, tree_dot), _svg(draw, path_dot))


def _svg(draw: Callable[[str], bytes], dot: str | None) -> str | None:
    if dot is None:
        return None
    try:
        return draw(dot).decode("utf-8")
    except CspotlpError:
        return None


__all__ = ["SpecDrawer"]
