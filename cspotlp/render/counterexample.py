"""Counterexample drawings: where a captured trace left its specification.

:func:`span_tree_dot` draws a captured trace's span tree (Graphviz; children in start order,
real times in human units, error spans red) with the *offending* span — the one whose event
the specification refused — highlighted, and beside it a note with the refused event and the
events the specification accepted at that point. It takes the failure as the plain JSON
record that ``cspotlp conform --json`` and ``cspotlp serve`` write (``failure.span.span_id``,
``failure.event``, ``failure.accepted``), so it needs nothing but the spans and that record.

>>> from cspotlp.otlp import Span
>>> spans = [Span("t" * 32, "a" * 16, "", "root", 2, 10, 40)]
>>> failure = {"event": "call.X", "reason": "refused", "accepted": ["call.Y"],
...            "span": {"span_id": "a" * 16}}
>>> 'class="offending"' in span_tree_dot(spans, failure)
True
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from cspotlp.otlp.model import Span
from cspotlp.render.spans import STATUS_ERROR, epoch_of, span_label, span_rows

MAX_TREE_SPANS = 500
"""Spans drawn at most in a tree (Graphviz layouts grow quadratically)."""


def _q(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "")
    return f'"{escaped}"'


def offending_span(failure: Mapping[str, Any] | None) -> str | None:
    """The span id a failure record points at (None for none)."""
    if not failure:
        return None
    span = failure.get("span")
    return str(span["span_id"]) if isinstance(span, Mapping) and span.get("span_id") else None


def failure_note(failure: Mapping[str, Any]) -> str:
    """What the note beside the offending span says: the refused event, what was accepted."""
    accepted = list(failure.get("accepted") or [])
    shown = ", ".join(accepted[:12]) + (f", … ({len(accepted)} in all)" if len(accepted) > 12
                                        else "")
    reason = failure.get("reason")
    if reason == "not-terminated":
        head = "the trace ends where the specification cannot finish"
    elif reason == "outside-alphabet":
        head = f"{failure.get('event')} is outside the specification's alphabet"
    else:
        head = f"refused: {failure.get('event')}"
    return f"{head}\naccepted here: {shown or 'nothing (it has stopped)'}"


def span_tree_dot(spans: Sequence[Span], failure: Mapping[str, Any] | None = None, *,
                  title: str | None = None) -> str:
    """The span tree with the offending span of ``failure`` highlighted (see the module doc)."""
    rows = span_rows(spans)[:MAX_TREE_SPANS]
    highlight = offending_span(failure)
    epoch = epoch_of(spans)
    first_of: dict[str, int] = {}
    for k, row in enumerate(rows):
        first_of.setdefault(row.span.span_id, k)
    lines = ["digraph trace {", "  rankdir=TB;", "  ordering=out;",
             '  node [shape=box, style=rounded, fontname="Helvetica", fontsize=11];']
    if title:
        lines.append(f"  label={_q(title)}; labelloc=t; fontname=\"Helvetica\";")
    for k, row in enumerate(rows):
        sp = row.span
        attrs = [f"label={_q(chr(10).join(span_label(sp, epoch)))}",
                 f"tooltip={_q('span ' + sp.span_id)}"]
        if sp.status.code == STATUS_ERROR:
            attrs.append('color="red", fontcolor="red"')
        if highlight is not None and sp.span_id == highlight:
            attrs.append('penwidth=4, style="rounded,filled", fillcolor="#fff1d6", '
                         'class="offending"')
            if sp.status.code != STATUS_ERROR:
                attrs.append('color="#ff8c00"')
        if row.orphan:
            attrs.append("peripheries=2")
        lines.append(f"  s{k} [{', '.join(attrs)}];")
    for k, row in enumerate(rows):
        parent = row.span.parent_span_id
        if row.depth > 0 and parent in first_of:
            lines.append(f"  s{first_of[parent]} -> s{k};")
    if failure and highlight is not None and highlight in first_of:
        lines.append(f"  note [shape=note, style=filled, fillcolor=\"#fdecea\", fontsize=10, "
                     f"label={_q(failure_note(failure))}, class=\"failure-note\"];")
        lines.append(f"  s{first_of[highlight]} -> note [style=dashed, color=\"red\", "
                     "arrowhead=none];")
        lines.append(f"  {{rank=same; s{first_of[highlight]}; note;}}")
    elif failure:
        lines.append(f"  note [shape=note, style=filled, fillcolor=\"#fdecea\", fontsize=10, "
                     f"label={_q(failure_note(failure))}, class=\"failure-note\"];")
    lines.append("}")
    return "\n".join(lines) + "\n"


__all__ = ["MAX_TREE_SPANS", "failure_note", "offending_span", "span_tree_dot"]
