"""A captured trace as an SVG timeline, the way Jaeger shows one.

One row per span in tree order (:func:`~cspotlp.render.spans.span_rows`: children under their
parent, in start order), the name indented by depth on the left, a bar over the span's interval
on a time axis labelled in human units. Error spans are red; the *highlighted* span (the one a
counterexample points at) has a thick outline, a marker and the CSS class ``offending``, so a
browser test — or a person — can find it. Every bar has a ``<title>`` tooltip (service, times,
status) and the ``data-span-id`` attribute.

The SVG is self-contained text (no scripts, no external fonts), deterministic for given spans.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from cspotlp.otlp.model import Span
from cspotlp.render.spans import (
    STATUS_ERROR,
    epoch_of,
    human_duration,
    service_of,
    span_rows,
)

ROW = 22
LEFT = 300
WIDTH = 1000
AXIS = 28
INDENT = 14
MAX_ROWS = 2_000
"""Rows drawn at most; a larger trace ends with a row saying how many were left out."""


def _ticks(span_ns: int) -> list[int]:
    """About six round tick positions over ``[0, span_ns]``."""
    if span_ns <= 0:
        return [0]
    raw = span_ns / 6
    step = 1
    while step * 10 <= raw:
        step *= 10
    for mult in (1, 2, 5, 10):
        if step * mult >= raw:
            step *= mult
            break
    return list(range(0, span_ns + 1, step))


def timeline_svg(spans: Sequence[Span], *, highlight: str | None = None,
                 title: str | None = None) -> str:
    """The SVG timeline of one trace's spans; ``highlight`` is a span id to mark as offending."""
    rows = span_rows(spans)
    shown = rows[:MAX_ROWS]
    epoch = epoch_of(spans)
    last = max((max(sp.start_time_unix_nano, sp.end_time_unix_nano) for sp in spans),
               default=epoch)
    total = max(last - epoch, 1)
    bar_width = WIDTH - LEFT - 20
    scale = bar_width / total
    extra = 1 if len(rows) > len(shown) else 0
    height = AXIS + ROW * (len(shown) + extra) + 10
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="timeline" width="{WIDTH}" '
           f'height="{height}" viewBox="0 0 {WIDTH} {height}" font-family="Helvetica, Arial, '
           f'sans-serif" font-size="12">']
    if title:
        out.append(f"<title>{escape(title)}</title>")
    out.append('<style>.bar{fill:#5b8def}.bar.error{fill:#d93025}.offending .bar{stroke:#ff8c00;'
               'stroke-width:4}.offending text{font-weight:bold;fill:#b35900}'
               '.axis{stroke:#bbb}.tick{fill:#666;font-size:10px}</style>')
    for t in _ticks(total):
        x = LEFT + t * scale
        out.append(f'<line class="axis" x1="{x:.1f}" y1="{AXIS - 6}" x2="{x:.1f}" '
                   f'y2="{height - 6}"/>')
        out.append(f'<text class="tick" x="{x:.1f}" y="{AXIS - 10}" text-anchor="middle">'
                   f'{escape(human_duration(t))}</text>')
    for i, row in enumerate(shown):
        out.append(_row(row.span, row.depth, row.orphan, AXIS + i * ROW, epoch, scale, total,
                        highlight))
    if extra:
        y = AXIS + len(shown) * ROW + 15
        out.append(f'<text x="4" y="{y}">… {len(rows) - len(shown)} more spans not drawn</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _row(sp: Span, depth: int, orphan: bool, y: int, epoch: int, scale: float, total: int,
         highlight: str | None) -> str:
    start = sp.start_time_unix_nano - epoch
    ended = sp.end_time_unix_nano != 0
    end = (sp.end_time_unix_nano - epoch) if ended else total
    x = LEFT + start * scale
    w = max((end - start) * scale, 2.0)
    error = sp.status.code == STATUS_ERROR
    offending = highlight is not None and sp.span_id == highlight
    classes = ["span"] + (["error"] if error else []) + (["offending"] if offending else [])
    name = ("↳ " if orphan else "") + sp.name
    label = name if len(name) <= 38 - depth else name[:35 - depth] + "…"
    service = service_of(sp)
    tip = [f"{sp.name} ({service})", f"span {sp.span_id}",
           f"start +{human_duration(start)}, "
           + (f"duration {human_duration(end - start)}" if ended else "not ended")]
    if error:
        tip.append(f"status ERROR {sp.status.message}".rstrip())
    if orphan:
        tip.append(f"parent {sp.parent_span_id} is not in the trace")
    if offending:
        tip.append("the counterexample points here")
    bar_class = "bar error" if error else "bar"
    parts = [f'<g class="{" ".join(classes)}" data-span-id="{escape(sp.span_id)}">',
             f"<title>{escape(chr(10).join(tip))}</title>",
             f'<text x="{4 + depth * INDENT}" y="{y + 15}">{escape(label)}</text>',
             f'<rect class="{bar_class}" x="{x:.1f}" y="{y + 4}" width="{w:.1f}" height="14" '
             f'rx="2"/>']
    if offending:
        parts.append(f'<text x="{x + w + 6:.1f}" y="{y + 15}" class="marker">◀ offending</text>')
    parts.append("</g>")
    return "".join(parts)


__all__ = ["timeline_svg"]
