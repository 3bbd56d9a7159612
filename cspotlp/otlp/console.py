"""What the OpenTelemetry Python SDK's ``ConsoleSpanExporter`` prints, read as spans.

The exporter prints ``ReadableSpan.to_json()`` for every span: JSON objects one after another
(not one JSON document), each ``{"name", "context": {"trace_id": "0x…", "span_id": "0x…",
"trace_state"}, "kind": "SpanKind.SERVER", "parent_id", "start_time", "end_time", "status":
{"status_code", "description"}, "attributes": {…}, "events", "links", "resource":
{"attributes": {…}, "schema_url"}}``.

It is a debugging format, not an export: times are ISO 8601 text to the microsecond (the
nanoseconds are gone), attributes are plain JSON values (an integer and a float that happens to
be whole are told apart only by how JSON writes them), and the instrumentation scope is not
printed. So it is read only with ``--lenient``, with a note saying what was lost; without it the
message names the format and what to do.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from cspotlp.otlp.context import DecodeContext
from cspotlp.otlp.model import (
    EMPTY_SCOPE,
    EMPTY_VALUE,
    UNSET_STATUS,
    AnyValue,
    Attributes,
    Event,
    KeyValue,
    Link,
    Resource,
    Span,
    Status,
)
from cspotlp.otlp.times import rfc3339_ns

FORMAT = "otel-console"

_KINDS = {"SpanKind.INTERNAL": 1, "SpanKind.SERVER": 2, "SpanKind.CLIENT": 3,
          "SpanKind.PRODUCER": 4, "SpanKind.CONSUMER": 5}
_STATUS = {"UNSET": 0, "OK": 1, "ERROR": 2}
_HEX_ID = re.compile(r"0x([0-9a-fA-F]+)")
_TRACE_STATE_PAIR = re.compile(r"\('([^'\\]*)', '([^'\\]*)'\)")
_INT64 = (-(1 << 63), (1 << 63) - 1)


def looks_like_console(head: bytes) -> bool:
    """Whether the first bytes of a file look like ``ConsoleSpanExporter`` output."""
    text = head.lstrip()
    return (text.startswith(b"{") and b'"context": {' in text and b'"trace_id": "0x' in text
            and b'"kind": "SpanKind.' in text)


def objects(text: str, ctx: DecodeContext, parse: Any) -> Iterator[tuple[int, Any]]:
    """The JSON objects of ``text`` one after another, each with its 1-based line.

    ``parse(text, line)`` parses one object's text (the reader's checked JSON parser).
    """
    decoder = json.JSONDecoder()
    at, n = 0, len(text)
    while True:
        while at < n and text[at] in " \t\r\n":
            at += 1
        if at >= n:
            return
        line = text.count("\n", 0, at) + 1
        try:
            _obj, end = decoder.raw_decode(text, at)
        except json.JSONDecodeError:
            end = _object_end(text, at)
        except RecursionError:
            ctx.fail("JSON nested too deeply to parse")
        yield line, parse(text[at:end], line)
        at = end


def _object_end(text: str, at: int) -> int:
    """Where the object starting at ``at`` ends as far as brackets tell (for the error message)."""
    depth, i, n, in_string = 0, at, len(text), False
    while i < n:
        ch = text[i]
        if in_string:
            if ch == "\\":
                i += 1
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "{[":
            depth += 1
        elif ch in "}]":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return n


class ConsoleDecoder:
    """Turns the objects ``ConsoleSpanExporter`` printed into :class:`Span` records."""

    __slots__ = ("ctx",)

    def __init__(self, ctx: DecodeContext) -> None:
        self.ctx = ctx

    def span(self, d: object) -> Span:
        """One printed span."""
        ctx = self.ctx
        if type(d) is not dict:
            ctx.fail("a ConsoleSpanExporter record is not a JSON object")
        context = d.get("context")
        if type(context) is not dict:
            ctx.fail("a ConsoleSpanExporter record has no 'context' object")
        tid = ctx.intern(self._id(context.get("trace_id"), 32, "trace_id", "", ""))
        sid = self._id(context.get("span_id"), 16, "span_id", tid, "")
        parent = d.get("parent_id")
        pid = "" if parent is None else self._id(parent, 16, "parent_id", tid, sid)
        name = d.get("name", "")
        if type(name) is not str:
            ctx.fail(f"name {name!r} is not a string", tid, sid)
        raw_kind = d.get("kind")
        kind = _KINDS.get(raw_kind) if isinstance(raw_kind, str) else None
        if kind is None:
            ctx.fail(f"kind {d.get('kind')!r} is not a SpanKind", tid, sid)
        start = self._time(d.get("start_time"), "start_time", tid, sid)
        end = self._time(d.get("end_time"), "end_time", tid, sid)
        return Span(
            tid, sid, pid, ctx.intern(name), kind, start, end,
            self._attributes(d.get("attributes"), tid, sid) if ctx.keep_attributes else (),
            self._events(d.get("events"), tid, sid), self._links(d.get("links"), tid, sid),
            self._status(d.get("status"), tid, sid),
            self._trace_state(context.get("trace_state")), 0, 0, 0, 0,
            self._resource(d.get("resource"), tid, sid), EMPTY_SCOPE)

    def _id(self, raw: object, hex_len: int, what: str, tid: str, sid: str) -> str:
        m = _HEX_ID.fullmatch(raw) if isinstance(raw, str) else None
        if m is None:
            self.ctx.fail(f"{what} {raw!r} is not 0x followed by hex digits", tid, sid)
        digits = m.group(1).lower()
        if len(digits) > hex_len:
            self.ctx.fail(f"{what} {raw!r} has more than {hex_len} hex digits", tid, sid)
        return digits.rjust(hex_len, "0")

    def _time(self, raw: object, what: str, tid: str, sid: str) -> int:
        if raw is None:
            return 0
        if not isinstance(raw, str):
            self.ctx.fail(f"{what} {raw!r} is not a time", tid, sid)
        ns, why = rfc3339_ns(raw)
        if ns is None:
            self.ctx.fail(f"{what} {raw!r}: {why}", tid, sid)
        return ns

    def _status(self, raw: object, tid: str, sid: str) -> Status:
        if raw is None:
            return UNSET_STATUS
        if type(raw) is not dict or raw.get("status_code") not in _STATUS:
            self.ctx.fail(f"status {raw!r} is not {{'status_code': UNSET|OK|ERROR}}", tid, sid)
        code = _STATUS[raw["status_code"]]
        message = raw.get("description", "")
        if not isinstance(message, str):
            self.ctx.fail(f"status description {message!r} is not a string", tid, sid)
        return Status(code, message) if code or message else UNSET_STATUS

    def _trace_state(self, raw: object) -> str:
        if not isinstance(raw, str):
            return ""
        return ",".join(f"{k}={v}" for k, v in _TRACE_STATE_PAIR.findall(raw))

    def _attributes(self, raw: object, tid: str, sid: str) -> Attributes:
        if raw is None:
            return ()
        if type(raw) is not dict:
            self.ctx.fail("'attributes' is not a JSON object", tid, sid)
        return tuple(self.ctx.key_value(k, self._value(v, k, tid, sid)) for k, v in raw.items())

    def _value(self, v: object, key: str, tid: str, sid: str) -> AnyValue:
        if isinstance(v, list):  # the SDK's attribute sequences hold scalars only
            return AnyValue("array", tuple(self._scalar(x, key, tid, sid) for x in v))
        return self._scalar(v, key, tid, sid)

    def _scalar(self, v: object, key: str, tid: str, sid: str) -> AnyValue:
        if v is None:
            return EMPTY_VALUE
        if isinstance(v, bool):
            return AnyValue("bool", v)
        if isinstance(v, int):
            if not _INT64[0] <= v <= _INT64[1]:
                self.ctx.fail(f"attribute {key!r}: {v} does not fit in 64 bits", tid, sid)
            return AnyValue("int", v)
        if isinstance(v, float):
            return AnyValue("double", v)
        if isinstance(v, str):
            return AnyValue("string", v)
        self.ctx.fail(f"attribute {key!r}: {v!r} is not a scalar value", tid, sid)

    def _events(self, raw: object, tid: str, sid: str) -> tuple[Event, ...]:
        if not raw:
            return ()
        if type(raw) is not list:
            self.ctx.fail("'events' is not a JSON array", tid, sid)
        out = []
        for e in raw:
            if type(e) is not dict or not isinstance(e.get("name", ""), str):
                self.ctx.fail(f"event {e!r} is not an object with a string 'name'", tid, sid)
            out.append(Event(self._time(e.get("timestamp"), "event timestamp", tid, sid),
                             self.ctx.intern(e.get("name", "")),
                             self._attributes(e.get("attributes"), tid, sid)
                             if self.ctx.keep_attributes else ()))
        return tuple(out)

    def _links(self, raw: object, tid: str, sid: str) -> tuple[Link, ...]:
        if not raw:
            return ()
        if type(raw) is not list:
            self.ctx.fail("'links' is not a JSON array", tid, sid)
        out = []
        for k in raw:
            context = k.get("context") if type(k) is dict else None
            if type(context) is not dict:
                self.ctx.fail(f"link {k!r} has no 'context' object", tid, sid)
            out.append(Link(self.ctx.intern(self._id(context.get("trace_id"), 32, "link trace_id",
                                                     tid, sid)),
                            self._id(context.get("span_id"), 16, "link span_id", tid, sid),
                            self._trace_state(context.get("trace_state")),
                            self._attributes(k.get("attributes"), tid, sid)
                            if self.ctx.keep_attributes else ()))
        return tuple(out)

    def _resource(self, raw: object, tid: str, sid: str) -> Resource:
        if raw is None:
            return self.ctx.resource(Resource())
        if type(raw) is not dict:
            self.ctx.fail("'resource' is not a JSON object", tid, sid)
        schema = raw.get("schema_url", "")
        attrs: tuple[KeyValue, ...] = self._attributes(raw.get("attributes"), tid, sid)
        return self.ctx.resource(Resource(attrs, 0, (), schema if isinstance(schema, str) else ""))


__all__ = ["FORMAT", "ConsoleDecoder", "looks_like_console", "objects"]
