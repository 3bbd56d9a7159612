"""The web view ``serve`` hosts: checked traces, a page per trace, the specification.

==========================  ==============================================================
``GET /``                   the traces checked, newest first; ``?verdict=fail&q=cart``
                            filters (by verdict; by trace id or service)
``GET /trace/{id}``         the verdict, the timeline with the offending span highlighted,
                            the counterexample span tree and the path through the spec
``GET /spec``               the specification's normal form
``GET /api/verdicts``       the listed records as JSON (newest first, same filters)
==========================  ==============================================================

Pages are built by :mod:`cspotlp.render.html` (static HTML + SVG); drawings of a trace are
made when its page is asked for, from the spans the receiver still keeps.
"""

from __future__ import annotations

import asyncio
import json

from aiohttp import web

from cspotlp.errors import CspotlpError
from cspotlp.render import render
from cspotlp.render.html import (
    VERDICT_FILTERS,
    TraceDrawings,
    index_page,
    matches,
    spec_page,
    trace_page,
)
from cspotlp.render.views import SpecDrawer
from cspotlp.serve.receiver import Receiver

LISTED = 1_000
"""Traces listed on the front page at most (newest first)."""


class WebView:
    """The pages of one receiver."""

    def __init__(self, receiver: Receiver, title: str = "cspotlp serve") -> None:
        self.receiver = receiver
        checker = receiver.checker
        self.title = title
        self.drawer = SpecDrawer(checker.spec, checker.abstraction, checker.binding,
                                 name=receiver.spec_name, repairs=checker.repairs)
        self._spec_svg: str | None = None

    def add_routes(self, app: web.Application) -> None:
        """Register the pages on an application."""
        app.router.add_get("/", self.index)
        app.router.add_get("/trace/{trace_id}", self.trace)
        app.router.add_get("/spec", self.spec)
        app.router.add_get("/api/verdicts", self.verdicts)

    def _filters(self, request: web.Request) -> tuple[str, str]:
        verdict = request.query.get("verdict", "all")
        if verdict not in VERDICT_FILTERS:
            verdict = "all"
        return verdict, request.query.get("q", "")[:200]

    def _listed(self, verdict: str, query: str) -> list[dict[str, object]]:
        out = []
        for record in reversed(list(self.receiver.history)):
            if matches(record, verdict, query):
                out.append(record)
                if len(out) >= LISTED:
                    break
        return out

    async def index(self, request: web.Request) -> web.StreamResponse:
        """``GET /``."""
        verdict, query = self._filters(request)
        rx = self.receiver
        received = int(sum(rx.metrics.value("cspotlp_spans_received_total", transport=t)
                           for t in ("http", "grpc")))
        subtitle = (f"checking against {rx.spec_name}; {received} span(s) received, "
                    f"{rx.buffer.waiting_traces} trace(s) waiting; newest first")
        records = list(reversed(list(rx.history)))[:LISTED]
        page = index_page(records, title=self.title, verdict=verdict, query=query,
                          subtitle=subtitle, spec_link="spec")
        return web.Response(text=page, content_type="text/html")

    async def trace(self, request: web.Request) -> web.StreamResponse:
        """``GET /trace/{id}``."""
        tid = request.match_info["trace_id"].lower()
        record = self.receiver.history.latest(tid)
        if record is None:
            raise web.HTTPNotFound(text=f"no checked trace {tid} is remembered\n")
        spans = self.receiver.buffer.kept(tid)
        drawings = TraceDrawings(spans)
        if spans:
            # the DOT text here (it reads the specification's automaton, owned by this loop);
            # Graphviz in a worker thread, so that receiving goes on meanwhile
            tree_dot, path_dot = self.drawer.trace_dots(record, spans)
            drawings = TraceDrawings(spans, await _svg(tree_dot), await _svg(path_dot))
        page = trace_page(record, drawings, back="../")
        return web.Response(text=page, content_type="text/html")

    async def spec(self, request: web.Request) -> web.StreamResponse:
        """``GET /spec``."""
        if self._spec_svg is None:
            self._spec_svg = await _svg(self.drawer.spec_dot())
        svg = self._spec_svg
        page = spec_page(f"{self.receiver.spec_name}: the specification", svg,
                         note=self.drawer.spec_note)
        return web.Response(text=page, content_type="text/html")

    async def verdicts(self, request: web.Request) -> web.StreamResponse:
        """``GET /api/verdicts``."""
        verdict, query = self._filters(request)
        return web.Response(text=json.dumps(self._listed(verdict, query), ensure_ascii=False),
                            content_type="application/json")


async def _svg(dot: str | None) -> str | None:
    """DOT drawn by Graphviz in a worker thread (None when it cannot be drawn)."""
    if dot is None:
        return None
    try:
        return (await asyncio.to_thread(render, dot)).decode("utf-8")
    except CspotlpError:
        return None


__all__ = ["LISTED", "WebView"]
