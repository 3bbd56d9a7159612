"""HTML views of checked traces: the list, a trace's page, the specification, a whole report.

Static HTML with inline SVG and CSS; the only script is a few lines that filter the list as you
type (the list also filters without it: the form is an ordinary GET form, which ``serve``
answers on the server). No front-end build, nothing loaded from elsewhere, so a report is one
self-contained file that a CI system can keep as an artifact.

A trace is described by its verdict *record* — the JSON object ``cspotlp serve`` writes, which
is ``cspotlp conform --json``'s per-trace result plus ``spans`` and ``services`` — and, when
they are at hand, its spans. Markup hooks used by the browser tests and by users' own scripts:
each listed trace is a ``tr.trace-row`` with ``data-trace-id``, ``data-verdict`` and
``data-services``; the offending span of a counterexample has the class ``offending`` in the
timeline and in the span tree.

>>> page = index_page([{"trace_id": "ab", "verdict": "fail", "events": 3, "spans": 2,
...                     "services": ["cart"]}], title="t")
>>> 'data-trace-id="ab"' in page and 'data-verdict="fail"' in page
True
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

from cspotlp.otlp.model import Span
from cspotlp.render.counterexample import failure_note, offending_span
from cspotlp.render.timelines import timeline_svg

Record = Mapping[str, Any]
VERDICT_FILTERS = ("all", "pass", "fail", "error", "incomplete")

STYLE = """
body{font-family:Helvetica,Arial,sans-serif;margin:1.5em;color:#222}
h1{font-size:1.4em} h2{font-size:1.15em;margin-top:1.6em}
table.traces{border-collapse:collapse;width:100%} .traces td,.traces th{padding:3px 8px;
border-bottom:1px solid #eee;text-align:left;font-size:13px} .traces th{background:#f5f5f5}
.badge{display:inline-block;padding:1px 7px;border-radius:9px;color:#fff;font-size:12px}
.badge.pass{background:#1e8e3e}.badge.fail{background:#d93025}.badge.error{background:#7b1fa2}
.badge.incomplete{background:#888}
code,.mono{font-family:Menlo,Consolas,monospace;font-size:12px}
.failure{background:#fdecea;border-left:4px solid #d93025;padding:.5em 1em;white-space:pre-wrap}
.note{color:#666;font-size:13px} form.filter{margin:.8em 0} form.filter label{margin-right:.8em}
.drawing{overflow-x:auto;border:1px solid #eee;padding:.5em;margin:.5em 0}
section.trace{border-top:2px solid #ddd;margin-top:2em}
nav a{margin-right:1em}
"""

FILTER_SCRIPT = """
(function(){
  var form=document.querySelector('form.filter'); if(!form) return;
  function apply(){
    var v=(form.querySelector('input[name=verdict]:checked')||{}).value||'all';
    var q=(form.querySelector('input[name=q]').value||'').trim().toLowerCase();
    var shown=0;
    document.querySelectorAll('tr.trace-row').forEach(function(r){
      var ok=(v==='all'||r.dataset.verdict===v)&&(!q||r.dataset.traceId.indexOf(q)>=0||
             r.dataset.services.toLowerCase().indexOf(q)>=0);
      r.style.display=ok?'':'none'; if(ok) shown++;
    });
    var c=document.getElementById('shown'); if(c) c.textContent=shown;
  }
  form.addEventListener('input',apply); form.addEventListener('change',apply);
  form.addEventListener('submit',function(e){if(form.dataset.live){e.preventDefault();apply();}});
  apply();
})();
"""


def _page(title: str, body: str, *, script: bool = False) -> str:
    js = f"<script>{FILTER_SCRIPT}</script>" if script else ""
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f"<title>{escape(title)}</title><style>{STYLE}</style></head>"
            f"<body>{body}{js}</body></html>\n")


def inline_svg(svg: str | bytes) -> str:
    """An SVG document (as Graphviz writes it) reduced to its ``<svg>`` element, for inlining."""
    text = svg.decode("utf-8") if isinstance(svg, bytes) else svg
    start = text.find("<svg")
    return text[start:] if start >= 0 else text


def badge(verdict: str) -> str:
    """The coloured verdict label."""
    return f'<span class="badge {escape(verdict)}">{escape(verdict)}</span>'


def matches(record: Record, verdict: str = "all", query: str = "") -> bool:
    """Whether a record passes the list's filter (verdict, and trace id or service search)."""
    if verdict != "all" and record.get("verdict") != verdict:
        return False
    q = query.strip().lower()
    if not q:
        return True
    return q in str(record.get("trace_id", "")).lower() or any(
        q in str(s).lower() for s in record.get("services", ()))


def counts(records: Iterable[Record]) -> dict[str, int]:
    """How many records have each verdict."""
    out = dict.fromkeys(VERDICT_FILTERS[1:], 0)
    for r in records:
        v = str(r.get("verdict"))
        out[v] = out.get(v, 0) + 1
    return out


def _filter_form(verdict: str, query: str, *, live: bool, action: str = "") -> str:
    radios = "".join(
        f'<label><input type="radio" name="verdict" value="{v}"'
        f'{" checked" if v == verdict else ""}> {v}</label>' for v in VERDICT_FILTERS)
    return (f'<form class="filter" method="get" action="{escape(action)}"'
            f'{" data-live=1" if live else ""}>{radios}'
            f'<input type="search" name="q" value="{escape(query)}" '
            f'placeholder="trace id or service" size="34"> <button type="submit">filter</button>'
            "</form>")


def trace_table(records: Sequence[Record], link: str = "trace/{id}") -> str:
    """The table of traces (newest first as given); ``link`` formats each trace's address."""
    rows = []
    for r in records:
        tid = str(r.get("trace_id", ""))
        verdict = str(r.get("verdict", ""))
        services = " ".join(str(s) for s in r.get("services", ()))
        failure = r.get("failure") or {}
        what = ""
        if failure:
            what = escape(f"{failure.get('event') or 'end of trace'} ({failure.get('reason')})")
        elif r.get("error"):
            what = escape(str(r["error"])[:120])
        if r.get("incomplete"):
            what = escape(str(r["incomplete"])) + (f"<br>{what}" if what else "")
        late = " late" if r.get("late") else ""
        href = escape(link.format(id=tid))
        rows.append(f'<tr class="trace-row{late}" data-trace-id="{escape(tid)}" '
                    f'data-verdict="{escape(verdict)}" data-services="{escape(services)}">'
                    f'<td>{badge(verdict)}</td><td class="mono"><a href="{href}">{escape(tid)}'
                    f'</a>{" (late)" if late else ""}</td><td>{escape(services)}</td>'
                    f'<td>{r.get("spans", "")}</td><td>{r.get("events", "")}</td>'
                    f"<td>{what}</td></tr>")
    head = ("<tr><th>verdict</th><th>trace id</th><th>services</th><th>spans</th>"
            "<th>events</th><th>where it failed</th></tr>")
    return f'<table class="traces">{head}{"".join(rows)}</table>'


def index_page(records: Sequence[Record], *, title: str, verdict: str = "all", query: str = "",
               subtitle: str = "", spec_link: str | None = None, live: bool = False) -> str:
    """The list of checked traces, newest first, filtered by ``verdict`` and ``query``."""
    totals = counts(records)
    shown = [r for r in records if matches(r, verdict, query)]
    summary = ", ".join(f"{n} {v}" for v, n in totals.items())
    nav = f'<nav><a href="{escape(spec_link)}">the specification</a></nav>' if spec_link else ""
    body = (f"<h1>{escape(title)}</h1>{nav}<p class=note>{escape(subtitle)}</p>"
            f"<p>{len(records)} trace(s): {summary}. Showing <span id=shown>{len(shown)}</span>."
            f"</p>{_filter_form(verdict, query, live=live)}{trace_table(shown)}")
    return _page(title, body, script=True)


@dataclass(frozen=True)
class TraceDrawings:
    """What a trace's page shows besides its record (each part optional)."""

    spans: Sequence[Span] | None = None
    tree_svg: str | None = None
    spec_path_svg: str | None = None


def describe_record(record: Record) -> str:
    """The verdict of a record as a few lines of HTML (failure, error, incompleteness)."""
    parts = [f"<p>{badge(str(record.get('verdict')))} {record.get('events', 0)} abstract "
             f"event(s), {record.get('spans', 0)} span(s); services "
             f"{escape(', '.join(str(s) for s in record.get('services', ())))}</p>"]
    if record.get("incomplete"):
        parts.append(f"<p class=note>incomplete: {escape(str(record['incomplete']))}; checked "
                     f"as it was: {escape(str(record.get('partial_verdict')))}</p>")
    if record.get("late"):
        parts.append(f"<p class=note>re-checked after {record.get('late_spans')} late span(s); "
                     f"the earlier verdict was {escape(str(record.get('previous_verdict')))}</p>")
    failure = record.get("failure")
    if failure:
        span = failure.get("span") or {}
        where = (f"\nspan {span.get('span_id')} {span.get('name')!r} (service "
                 f"{span.get('service')})") if span else ""
        before = failure.get("before") or []
        after = f"\nafter: {', '.join(before)}" if before else ""
        parts.append(f'<div class="failure">event {int(failure.get("index", 0)) + 1}: '
                     f"{escape(failure_note(failure))}{escape(where)}{escape(after)}</div>")
    if record.get("error"):
        parts.append(f'<div class="failure">{escape(str(record["error"]))}</div>')
    return "".join(parts)


def trace_section(record: Record, drawings: TraceDrawings, *, heading: str = "h1") -> str:
    """A trace's verdict, timeline, counterexample and path through the specification."""
    tid = str(record.get("trace_id", ""))
    parts = [f"<{heading}>trace <span class=mono>{escape(tid)}</span></{heading}>",
             describe_record(record)]
    highlight = offending_span(record.get("failure"))
    if drawings.spans:
        parts.append(f'<h3>timeline</h3><div class="drawing">'
                     f"{timeline_svg(drawings.spans, highlight=highlight, title=f'trace {tid}')}"
                     "</div>")
    elif drawings.spans is not None or record.get("spans"):
        parts.append("<p class=note>the spans of this trace are no longer held "
                     "(--keep-checked-traces)</p>")
    if drawings.tree_svg:
        parts.append('<h3>counterexample: the span tree</h3><div class="drawing tree">'
                     f"{inline_svg(drawings.tree_svg)}</div>")
    if drawings.spec_path_svg:
        parts.append("<h3>the path through the specification's normal form</h3>"
                     f'<div class="drawing spec-path">{inline_svg(drawings.spec_path_svg)}</div>')
    return "".join(parts)


def trace_page(record: Record, drawings: TraceDrawings, *, back: str = "../") -> str:
    """The page of one trace."""
    body = f'<nav><a href="{escape(back)}">← all traces</a></nav>' + trace_section(record,
                                                                                    drawings)
    return _page(f"trace {record.get('trace_id')}", body)


def spec_page(title: str, svg: str | None, *, note: str = "", back: str = "./") -> str:
    """The specification's drawing (its normal form)."""
    drawing = f'<div class="drawing spec">{inline_svg(svg)}</div>' if svg else ""
    body = (f'<nav><a href="{escape(back)}">← all traces</a></nav><h1>{escape(title)}</h1>'
            f"<p class=note>{escape(note)}</p>{drawing}")
    return _page(title, body)


def report_document(records: Sequence[Record], sections: Mapping[str, str], *, title: str,
                    subtitle: str = "", spec_svg: str | None = None, spec_note: str = "") -> str:
    """One self-contained HTML file: the list, a section per drawn trace, the specification.

    ``sections`` maps trace ids to their :func:`trace_section` HTML; listed traces without a
    section link to nothing.
    """
    totals = counts(records)
    summary = ", ".join(f"{n} {v}" for v, n in totals.items())
    table = trace_table(records, link="#trace-{id}")
    body = [f"<h1>{escape(title)}</h1><p class=note>{escape(subtitle)}</p>"
            f"<p>{len(records)} trace(s): {summary}. Showing <span id=shown>{len(records)}"
            f"</span>.</p>{_filter_form('all', '', live=True)}{table}"]
    for r in records:
        tid = str(r.get("trace_id", ""))
        if tid in sections:
            body.append(f'<section class="trace" id="trace-{escape(tid)}">{sections[tid]}'
                        "</section>")
    body.append(f'<section id="specification"><h2>the specification</h2><p class=note>'
                f"{escape(spec_note)}</p>"
                + (f'<div class="drawing spec">{inline_svg(spec_svg)}</div>' if spec_svg else "")
                + "</section>")
    return _page(title, "".join(body), script=True)


__all__ = ["VERDICT_FILTERS", "TraceDrawings", "badge", "counts", "describe_record",
           "index_page", "inline_svg", "matches", "report_document", "spec_page", "trace_page",
           "trace_section", "trace_table"]
