"""Normal forms as drawings, with the path a trace took through them.

A specification's normal form (FDR's subset construction, deterministic on visible events) is
what a trace is checked against; a counterexample is a walk through it that ends where the
next event is refused. :func:`automaton_to_dot` draws such an automaton from its initial node,
breadth first up to ``max_nodes`` nodes (the nodes of the path are always drawn), with

* the path taken in bold blue, its nodes filled;
* the refused event as a red dashed edge from the last node to a red ✗;
* edges to nodes beyond the limit drawn to a single "…" node, so a cut is visible.

Two sources: :func:`normalised_spec_successors` for the lazily normalised specification of the
conformance checker, :func:`normal_form_successors` for a :class:`~cspotlp.csp.NormalForm` of a
refinement check. Output is deterministic (successors sorted by event text).

>>> from cspotlp.csp import Environment, prefix, STOP
>>> from cspotlp.conformance import NormalisedSpec
>>> env = Environment(); a = env.channel("a").event()
>>> spec = NormalisedSpec(prefix(a, STOP), env)
>>> dot = automaton_to_dot(normalised_spec_successors(spec), path=["a"], refused="a")
>>> '"n0" -> "n1" [label="a", color="#1a56db"' in dot, "✗" in dot
(True, True)
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence
from typing import Protocol

from cspotlp.csp.events import Event
from cspotlp.csp.normalise import NormalForm

Successors = Callable[[int], list[tuple[str, int]]]
"""A node's outgoing edges as (event text, node), node 0 initial."""

PATH = "#1a56db"


class LazyAutomaton(Protocol):
    """What is drawn of a lazily built automaton (the conformance checker's ``NormalisedSpec``)."""

    events: list[Event]

    def expand(self, node: int) -> dict[int, int]:
        """The node's edges: event number -> node."""
        ...


def normalised_spec_successors(spec: LazyAutomaton) -> Successors:
    """The edges of a lazily normalised specification (nodes are expanded as they are drawn)."""
    def successors(node: int) -> list[tuple[str, int]]:
        return sorted((spec.events[c].name, n) for c, n in spec.expand(node).items())

    return successors


def normal_form_successors(nf: NormalForm) -> Successors:
    """The edges of a normal form of a refinement check."""
    def successors(node: int) -> list[tuple[str, int]]:
        return sorted((nf.events[e].name, n) for e, n in nf.step[node].items())

    return successors


def walk(successors: Successors, path: Sequence[str]) -> list[int]:
    """The nodes visited by ``path`` from node 0 (stops before an event with no edge)."""
    nodes = [0]
    for event in path:
        nxt = dict(successors(nodes[-1])).get(event)
        if nxt is None:
            break
        nodes.append(nxt)
    return nodes


def automaton_to_dot(successors: Successors, *, path: Sequence[str] = (),
                     refused: str | None = None, note: str | None = None,
                     max_nodes: int = 80, name: str = "normal form") -> str:
    """The DOT drawing (see the module docstring).

    Args:
        successors: the automaton's edges.
        path: events walked from the initial node (the part the specification allowed).
        refused: the event refused after ``path`` (drawn red); None when there is none.
        note: a line shown under the last node of the path (e.g. the accepted events).
        max_nodes: nodes drawn at most, besides those of the path.
        name: the title of the drawing.
    """
    visited = walk(successors, path)
    on_path = set(visited)
    path_edges = {(visited[i], path[i], visited[i + 1]) for i in range(len(visited) - 1)}
    drawn: dict[int, list[tuple[str, int]]] = {}
    order: list[int] = []
    queue: deque[int] = deque([0])
    seen = {0}
    while queue:
        node = queue.popleft()
        if len(order) >= max_nodes and node not in on_path:
            continue
        order.append(node)
        drawn[node] = successors(node)
        for _event, nxt in drawn[node]:
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    # path nodes beyond the breadth-first cut are still drawn
    for node in visited:
        if node not in drawn:
            order.append(node)
            drawn[node] = successors(node)
    lines = ["digraph normal_form {", "  rankdir=LR;",
             f'  label="{_escape(name)}"; labelloc=t; fontname="Helvetica";',
             '  node [shape=circle, fontname="Helvetica", width=0.35, fixedsize=false];',
             '  edge [fontname="Helvetica", fontsize=10];']
    last = visited[-1]
    for node in order:
        attrs = [f'label="{node}"']
        if node == 0:
            attrs.append("penwidth=2.5")
        if node in on_path:
            attrs.append(f'style=filled, fillcolor="#dbe7ff", color="{PATH}"')
        if node == last and (refused is not None or note):
            attrs.append('class="path-end"')
        lines.append(f'  "n{node}" [{", ".join(attrs)}];')
    cut = False
    for node in order:
        for event, nxt in drawn[node]:
            if nxt not in drawn:
                cut = True
                lines.append(f'  "n{node}" -> "more" [label="{_escape(event)}", style=dotted];')
                continue
            style = (f', color="{PATH}", fontcolor="{PATH}", penwidth=2.5'
                     if (node, event, nxt) in path_edges else "")
            lines.append(f'  "n{node}" -> "n{nxt}" [label="{_escape(event)}"{style}];')
    if cut:
        lines.append('  "more" [label="…", shape=plaintext];')
    if refused is not None:
        lines.append('  "refused" [label="✗", shape=circle, color="red", fontcolor="red", '
                     'class="refused"];')
        lines.append(f'  "n{last}" -> "refused" [label="{_escape(refused)}", color="red", '
                     'fontcolor="red", style=dashed, penwidth=2];')
    if note:
        lines.append(f'  "note" [label="{_escape(note)}", shape=note, fontsize=10];')
        lines.append(f'  "n{last}" -> "note" [style=dotted, arrowhead=none];')
    lines.append("}")
    return "\n".join(lines) + "\n"


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "")


__all__ = ["LazyAutomaton", "Successors", "automaton_to_dot", "normal_form_successors",
           "normalised_spec_successors", "walk"]
