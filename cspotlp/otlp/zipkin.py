"""Zipkin v2 JSON, translated to OTLP spans.

Shapes read: an array of spans, or an array of traces (arrays of spans); a single span object
only when lenient (Zipkin's API takes and gives arrays). Times are range-checked as OTLP's are
(see :mod:`cspotlp.otlp.times`).
Zipkin ids are hex, 64-bit trace ids and short ids (``"id": "2"``) are left-padded with zeros as
Zipkin's own decoder does; times are microseconds.

Translation, chosen so that nothing Zipkin carries is dropped:

* ``kind`` CLIENT/SERVER/PRODUCER/CONSUMER → OTLP kinds 3/2/4/5; absent → 0 (unspecified);
* ``localEndpoint.serviceName`` → resource ``service.name``;
* endpoint addresses → span attributes ``zipkin.local_endpoint.ipv4|ipv6|port`` and
  ``zipkin.remote_endpoint.service_name|ipv4|ipv6|port``; ``debug`` and ``shared`` →
  ``zipkin.debug`` / ``zipkin.shared`` (booleans);
* every tag → a string attribute, kept as it is;
* status: tags ``otel.status_code`` / ``otel.status_description`` when present, otherwise an
  ``error`` tag (any value, even empty) gives status ERROR with the tag's value as message;
* annotations → events named by their ``value``;
* a missing ``duration`` leaves the span open (end time 0).

A Zipkin *shared* span (client and server halves reported under one id) arrives as two spans
with the same id; the diagnostics report it as a duplicate id and the ``split-shared`` repair
separates the halves (see :mod:`cspotlp.otlp.repair`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from cspotlp.otlp.context import DecodeContext, padded_hex_id
from cspotlp.otlp.model import (
    EMPTY_SCOPE,
    UNSET_STATUS,
    AnyValue,
    Event,
    KeyValue,
    Resource,
    Span,
    Status,
)
from cspotlp.otlp.times import checked_ns

_KINDS = {"CLIENT": 3, "SERVER": 2, "PRODUCER": 4, "CONSUMER": 5}


def looks_like_zipkin(doc: object) -> bool:
    """True when parsed JSON is a Zipkin v2 span, span array or array of traces."""
    if isinstance(doc, list) and doc and isinstance(doc[0], list):
        doc = doc[0]
    if isinstance(doc, list) and doc:
        doc = doc[0]
    return isinstance(doc, dict) and "traceId" in doc and "id" in doc


class ZipkinDecoder:
    """Translates parsed Zipkin v2 JSON into :class:`Span` records."""

    __slots__ = ("ctx",)

    def __init__(self, ctx: DecodeContext) -> None:
        self.ctx = ctx

    def document(self, doc: object) -> Iterator[Span]:
        """Every span of the document, in file order.

        Zipkin's JSON is an array of spans (or of traces); a lone span object where the array
        should be is read only when lenient.
        """
        if isinstance(doc, dict):
            self.ctx.nonconforming(
                "single-span", "the document is a single Zipkin span object where Zipkin's v2 "
                "JSON has an array of spans ([{...}])", lenient_reading="read as a one-span list")
            yield self.span(doc)
            return
        if not isinstance(doc, list):
            self.ctx.fail("expected a Zipkin span object or array")
        for item in doc:
            if isinstance(item, list):
                for sp in item:
                    yield self.span(sp)
            else:
                yield self.span(item)

    def span(self, sp: object) -> Span:
        """One Zipkin span as an OTLP span."""
        ctx = self.ctx
        if not isinstance(sp, dict):
            ctx.fail(f"a Zipkin span {sp!r} is not an object")
        tid = ctx.intern(padded_hex_id(ctx, sp.get("traceId"), 32, "traceId"))
        sid = padded_hex_id(ctx, sp.get("id"), 16, "id", tid)
        parent = padded_hex_id(ctx, sp.get("parentId"), 16, "parentId", tid, sid)
        name = sp.get("name", "")
        if not isinstance(name, str):
            ctx.fail(f"name {name!r} is not a string", tid, sid)
        kind_name = sp.get("kind")
        kind = 0 if kind_name is None else _KINDS.get(kind_name) if isinstance(kind_name, str) else None
        if kind is None:
            ctx.fail(f"kind {kind_name!r} is not CLIENT, SERVER, PRODUCER or CONSUMER", tid, sid)
        start = self._micros(sp.get("timestamp"), "timestamp", tid, sid) * 1000
        duration = sp.get("duration")
        end = 0 if duration is None else self._time(
            start + self._micros(duration, "duration", tid, sid) * 1000, "timestamp + duration",
            tid, sid)
        local = self._endpoint(sp.get("localEndpoint"), "localEndpoint", tid, sid)
        remote = self._endpoint(sp.get("remoteEndpoint"), "remoteEndpoint", tid, sid)
        attrs, status = self._tags(sp.get("tags"), tid, sid)
        extra: list[KeyValue] = []
        for key, value in (("ipv4", local.get("ipv4")), ("ipv6", local.get("ipv6")),
                           ("port", local.get("port"))):
            if value is not None:
                extra.append(self._kv(f"zipkin.local_endpoint.{key}", value))
        for key, value in (("service_name", remote.get("serviceName")), ("ipv4", remote.get("ipv4")),
                           ("ipv6", remote.get("ipv6")), ("port", remote.get("port"))):
            if value is not None:
                extra.append(self._kv(f"zipkin.remote_endpoint.{key}", value))
        for flag in ("debug", "shared"):
            if sp.get(flag) is not None:
                if not isinstance(sp[flag], bool):
                    ctx.fail(f"{flag} {sp[flag]!r} is not true or false", tid, sid)
                extra.append(self._kv(f"zipkin.{flag}", sp[flag]))
        service = local.get("serviceName")
        resource = ctx.resource(Resource(
            (ctx.key_value("service.name", AnyValue("string", service)),)
            if isinstance(service, str) and service else ()))
        return Span(tid, sid, parent, ctx.intern(name), kind, start, end,
                    attrs + tuple(extra) if ctx.keep_attributes else (),
                    self._annotations(sp.get("annotations"), tid, sid), (), status,
                    resource=resource, scope=EMPTY_SCOPE)

    def _kv(self, key: str, value: object) -> KeyValue:
        return self.ctx.key_value(key, AnyValue.of(value))

    def _micros(self, raw: object, what: str, tid: str, sid: str) -> int:
        """A time or duration in microseconds, within OTLP's range once in nanoseconds."""
        if raw is None:
            return 0
        if isinstance(raw, int) and not isinstance(raw, bool) and raw >= 0:
            self._time(raw * 1000, what, tid, sid)
            return raw
        self.ctx.fail(f"{what} {raw!r} is not a number of microseconds", tid, sid)

    def _time(self, ns: int, what: str, tid: str, sid: str) -> int:
        checked, why = checked_ns(ns)
        if checked is None:
            self.ctx.fail(f"{what} {ns // 1000} µs {why}", tid, sid)
        return checked

    def _endpoint(self, raw: object, what: str, tid: str, sid: str) -> dict[str, Any]:
        if raw is None:
            return {}
        if not isinstance(raw, dict):
            self.ctx.fail(f"{what} {raw!r} is not an object", tid, sid)
        return raw

    def _tags(self, raw: object, tid: str, sid: str) -> tuple[tuple[KeyValue, ...], Status]:
        if not raw:
            return (), UNSET_STATUS
        if not isinstance(raw, dict):
            self.ctx.fail("'tags' is not an object", tid, sid)
        attrs: list[KeyValue] = []
        for key, value in raw.items():
            if not isinstance(value, str):
                self.ctx.fail(f"tag {key!r} has a value {value!r} that is not a string", tid, sid)
            attrs.append(self.ctx.key_value(key, AnyValue("string", value)))
        code = {"OK": 1, "ERROR": 2}.get(str(raw.get("otel.status_code", "")).upper(), 0)
        message = str(raw.get("otel.status_description", ""))
        if code == 0 and "error" in raw:
            code, message = 2, str(raw["error"])
        status = Status(code, message) if code or message else UNSET_STATUS
        return tuple(attrs), status

    def _annotations(self, raw: object, tid: str, sid: str) -> tuple[Event, ...]:
        if not raw:
            return ()
        if not isinstance(raw, list):
            self.ctx.fail("'annotations' is not an array", tid, sid)
        out: list[Event] = []
        for ann in raw:
            if not isinstance(ann, dict) or not isinstance(ann.get("value", ""), str):
                self.ctx.fail(f"annotation {ann!r} has no string 'value'", tid, sid)
            out.append(Event(self._micros(ann.get("timestamp"), "annotation timestamp", tid, sid)
                             * 1000, self.ctx.intern(ann.get("value", ""))))
        return tuple(out)
