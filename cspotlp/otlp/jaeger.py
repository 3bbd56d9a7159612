"""Jaeger JSON: the query/UI format and the api_v2 model JSON, translated to OTLP spans.

Shapes read (all detected from the parsed JSON):

* query API / UI: ``{"data": [trace, ...]}``, the UI's ``{"data": trace, ...}``, a bare trace
  ``{"traceID", "spans", "processes"}`` or a bare span array (processes inline). Ids are hex
  (64-bit trace ids are left-padded to 128 bits), times are microseconds.
* api_v2 model JSON (``{"spans": [...], "processMap": [...]}``, lowerCamelCase ``traceId``): ids
  are base64, times RFC 3339 with nanoseconds, durations like ``"5000ns"`` or ``"1.5s"``, tags
  typed by ``vType``.

Translation (as the OpenTelemetry collector's Jaeger translator does it):

* parent = the first ``CHILD_OF`` reference within the same trace, else the first such
  ``FOLLOWS_FROM`` (Jaeger's own ``Span.ParentSpanID`` rule); every other reference becomes a
  link with attribute ``opentracing.ref_type`` = ``child_of`` / ``follows_from``;
* the process becomes the resource (``service.name`` + process tags); ``otel.library.name`` /
  ``otel.scope.name`` (+ ``version``) tags become the scope;
* tag ``span.kind`` becomes the kind, ``otel.status_code`` / ``otel.status_description`` the
  status, and a true ``error`` tag sets status ERROR; those tags except ``error`` are consumed;
* logs become events, named by their ``event`` field (consumed), times in nanoseconds.

A malformed value (``"duration": "invalid"``) is an error; with ``lenient`` it is read as 0 and
noted.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterator
from typing import Any

from cspotlp.errors import MalformedInput
from cspotlp.otlp.context import DecodeContext, padded_hex_id
from cspotlp.otlp.model import (
    EMPTY_SCOPE,
    UNSET_STATUS,
    AnyValue,
    Attributes,
    Event,
    KeyValue,
    Link,
    Resource,
    Scope,
    Span,
    Status,
)
from cspotlp.otlp.times import checked_ns, rfc3339_ns

_KINDS = {"internal": 1, "server": 2, "client": 3, "producer": 4, "consumer": 5}
_CONSUMED = frozenset({"span.kind", "otel.status_code", "otel.status_description",
                       "otel.library.name", "otel.library.version", "otel.scope.name",
                       "otel.scope.version", "w3c.tracestate"})
_DURATION_PART = re.compile(r"(\d+)(?:\.(\d*))?(ns|us|µs|μs|ms|s|m|h)")
_UNIT_NS = {"ns": 1, "us": 1_000, "µs": 1_000, "μs": 1_000, "ms": 1_000_000, "s": 1_000_000_000,
            "m": 60_000_000_000, "h": 3_600_000_000_000}


def looks_like_jaeger(doc: object) -> bool:
    """True when parsed JSON has one of the Jaeger shapes."""
    if isinstance(doc, dict):
        if "data" in doc:
            return True
        if "spans" in doc and isinstance(doc["spans"], list):
            return True
        return "spanID" in doc or ("spanId" in doc and "operationName" in doc)
    if isinstance(doc, list) and doc and isinstance(doc[0], dict):
        return "spanID" in doc[0] or ("spanId" in doc[0] and "operationName" in doc[0])
    return False


class JaegerDecoder:
    """Translates parsed Jaeger JSON into :class:`Span` records (see the module docstring)."""

    __slots__ = ("ctx", "_processes")

    def __init__(self, ctx: DecodeContext) -> None:
        self.ctx = ctx
        self._processes: dict[str, Resource] = {}

    def document(self, doc: object) -> Iterator[Span]:
        """Every span of a Jaeger document, in file order."""
        ctx = self.ctx
        if isinstance(doc, list):
            for sp in doc:
                yield self.span(sp)
            return
        if not isinstance(doc, dict):
            ctx.fail("expected a Jaeger JSON object or array")
        if "data" in doc:
            data = doc["data"]
            traces = data if isinstance(data, list) else [data]
            for trace in traces:
                yield from self._trace(trace)
        elif "spans" in doc:
            yield from self._trace(doc)
        else:
            ctx.nonconforming(
                "single-span", "the document is a single Jaeger span object where Jaeger's JSON "
                "has a trace ({\"data\": [...]}, {\"spans\": [...]}) or an array of spans",
                lenient_reading="read as a one-span trace")
            yield self.span(doc)

    def _trace(self, trace: object) -> Iterator[Span]:
        ctx = self.ctx
        if not isinstance(trace, dict) or not isinstance(trace.get("spans", []), list):
            ctx.fail("a Jaeger trace must be an object with a 'spans' array")
        self._processes = {}
        processes = trace.get("processes")
        if isinstance(processes, dict):
            for pid, proc in processes.items():
                self._processes[pid] = self._process(proc)
        for entry in trace.get("processMap") or []:
            if isinstance(entry, dict) and isinstance(entry.get("processId"), str):
                self._processes[entry["processId"]] = self._process(entry.get("process"))
        for sp in trace.get("spans") or []:
            yield self.span(sp)

    def _process(self, proc: object) -> Resource:
        if not isinstance(proc, dict):
            self.ctx.fail(f"a Jaeger process {proc!r} is not an object")
        attrs: list[KeyValue] = []
        service = proc.get("serviceName")
        if isinstance(service, str) and service:
            attrs.append(self.ctx.key_value("service.name", AnyValue("string", service)))
        attrs.extend(self._tags(proc.get("tags"), "", ""))
        return self.ctx.resource(Resource(tuple(attrs)))

    def span(self, sp: object) -> Span:
        """One Jaeger span (either JSON flavour) as an OTLP span."""
        ctx = self.ctx
        if not isinstance(sp, dict):
            ctx.fail(f"a Jaeger span {sp!r} is not an object")
        model = "traceId" in sp or "spanId" in sp  # api_v2 model JSON: base64 ids, RFC 3339
        raw_tid = sp.get("traceId" if model else "traceID")
        raw_sid = sp.get("spanId" if model else "spanID")
        tid = ctx.intern(self._id(raw_tid, 32, "traceID", model, "", ""))
        sid = self._id(raw_sid, 16, "spanID", model, tid, "")
        name = sp.get("operationName", "")
        if not isinstance(name, str):
            ctx.fail(f"operationName {name!r} is not a string", tid, sid)
        start = self._time(sp.get("startTime"), model, "startTime", tid, sid)
        duration = self._duration(sp.get("duration"), model, tid, sid)
        self._checked(start + duration, "startTime + duration", tid, sid)
        parent, links = self._references(sp.get("references"), tid, sid, model)
        tags = self._tags(sp.get("tags"), tid, sid)
        kind, status, scope, trace_state, attrs = self._special(tags, tid, sid)
        return Span(
            tid, sid, parent, ctx.intern(name), kind, start, start + duration if start or duration else 0,
            attrs if ctx.keep_attributes else (), self._logs(sp.get("logs"), model, tid, sid),
            links, status, trace_state, self._uint(sp.get("flags"), "flags", tid, sid) & 0xFFFFFFFF,
            0, 0, 0, self._resource_of(sp, tid, sid), scope)

    def _resource_of(self, sp: dict[str, Any], tid: str, sid: str) -> Resource:
        if isinstance(sp.get("process"), dict):
            return self._process(sp["process"])
        pid = sp.get("processID", sp.get("processId"))
        if pid is None:
            return self.ctx.resource(Resource())
        resource = self._processes.get(pid) if isinstance(pid, str) else None
        if resource is None:
            self.ctx.fail(f"processID {pid!r} is not in the trace's processes", tid, sid)
        return resource

    def _id(self, raw: object, hex_len: int, what: str, model: bool, tid: str, sid: str) -> str:
        if not model:
            return padded_hex_id(self.ctx, raw, hex_len, what, tid, sid)
        if raw is None or raw == "":
            return ""
        if not isinstance(raw, str):
            self.ctx.fail(f"{what} {raw!r} is not a base64 string", tid, sid)
        try:
            data = base64.b64decode(raw + "=" * (-len(raw) % 4), validate=True)
        except (binascii.Error, ValueError) as e:
            raise self._error(f"{what} {raw!r} is not base64: {e}", tid, sid) from e
        if len(data) > hex_len // 2:
            self.ctx.fail(f"{what} {raw!r} holds {len(data)} bytes, more than {hex_len // 2}",
                          tid, sid)
        return data.hex().rjust(hex_len, "0")

    def _error(self, message: str, tid: str, sid: str) -> Exception:
        return MalformedInput(message, self.ctx.where(tid, sid))

    def _uint(self, raw: object, what: str, tid: str, sid: str) -> int:
        if raw is None:
            return 0
        if isinstance(raw, int) and not isinstance(raw, bool) and raw >= 0:
            return raw
        if isinstance(raw, str) and raw.isascii() and raw.isdigit():
            return int(raw)
        if isinstance(raw, float) and raw.is_integer() and raw >= 0:
            return int(raw)
        self.ctx.nonconforming("jaeger-number", f"{what} {raw!r} is not a number", tid, sid,
                               "read as 0")
        return 0

    def _time(self, raw: object, model: bool, what: str, tid: str, sid: str) -> int:
        """A time stamp in ns: RFC 3339 (model JSON) or microseconds (UI JSON), range-checked."""
        if isinstance(raw, str) and not raw.isdigit():
            ns, why = rfc3339_ns(raw)
            if ns is None and why == "not an RFC 3339 time":
                self.ctx.nonconforming("jaeger-time", f"{what} {raw!r} is not an RFC 3339 time",
                                       tid, sid, "read as 0")
                return 0
            if ns is None:
                self.ctx.fail(f"{what} {raw!r}: {why}", tid, sid)
            return ns
        return self._checked(self._uint(raw, what, tid, sid) * 1000, what, tid, sid)

    def _checked(self, ns: int, what: str, tid: str, sid: str) -> int:
        checked, why = checked_ns(ns)
        if checked is None:
            self.ctx.fail(f"{what} ({ns // 1000} µs) {why}", tid, sid)
        return checked

    def _duration(self, raw: object, model: bool, tid: str, sid: str) -> int:
        """A duration in ns: a Go/protobuf duration string (model JSON) or microseconds."""
        if isinstance(raw, str) and not raw.isdigit():
            parts = list(_DURATION_PART.finditer(raw))
            if parts and "".join(p.group(0) for p in parts) == raw:
                total = 0
                for p in parts:
                    unit = _UNIT_NS[p.group(3)]
                    frac = p.group(2) or ""
                    total += int(p.group(1)) * unit + (int(frac) * unit // 10 ** len(frac) if frac else 0)
                return total
            self.ctx.nonconforming("jaeger-duration", f"duration {raw!r} is not a number of "
                                   "microseconds or a duration string", tid, sid, "read as 0")
            return 0
        return self._uint(raw, "duration", tid, sid) * 1000

    def _references(self, refs: object, tid: str, sid: str, model: bool
                    ) -> tuple[str, tuple[Link, ...]]:
        if not refs:
            return "", ()
        if not isinstance(refs, list):
            self.ctx.fail("'references' is not an array", tid, sid)
        parsed: list[tuple[str, str, str]] = []  # (ref type, trace id, span id)
        for ref in refs:
            if not isinstance(ref, dict):
                self.ctx.fail(f"reference {ref!r} is not an object", tid, sid)
            ref_type = ref.get("refType", "CHILD_OF")
            if ref_type not in ("CHILD_OF", "FOLLOWS_FROM"):
                self.ctx.fail(f"reference type {ref_type!r} is neither CHILD_OF nor FOLLOWS_FROM",
                              tid, sid)
            parsed.append((ref_type,
                           self._id(ref.get("traceId" if model else "traceID"), 32, "reference traceID",
                                    model, tid, sid),
                           self._id(ref.get("spanId" if model else "spanID"), 16, "reference spanID",
                                    model, tid, sid)))
        parent_at = next((i for i, (t, rt, _) in enumerate(parsed) if t == "CHILD_OF" and rt == tid),
                         None)
        if parent_at is None:
            parent_at = next((i for i, (t, rt, _) in enumerate(parsed)
                              if t == "FOLLOWS_FROM" and rt == tid), None)
        links = tuple(
            Link(self.ctx.intern(rt), rs, "", (self.ctx.key_value(
                "opentracing.ref_type", AnyValue("string", t.lower())),))
            for i, (t, rt, rs) in enumerate(parsed) if i != parent_at)
        return (parsed[parent_at][2] if parent_at is not None else ""), links

    def _tags(self, tags: object, tid: str, sid: str) -> Attributes:
        if not tags:
            return ()
        if not isinstance(tags, list):
            self.ctx.fail("'tags' is not an array", tid, sid)
        out: list[KeyValue] = []
        for tag in tags:
            if not isinstance(tag, dict) or not isinstance(tag.get("key"), str):
                self.ctx.fail(f"tag {tag!r} has no string 'key'", tid, sid)
            out.append(self.ctx.key_value(tag["key"], self._tag_value(tag, tid, sid)))
        return tuple(out)

    def _tag_value(self, tag: dict[str, Any], tid: str, sid: str) -> AnyValue:
        if "vType" in tag or any(k.startswith("v") and k[1:2].isupper() for k in tag):
            vtype = str(tag.get("vType", "STRING")).lower()
            raw = tag.get({"string": "vStr", "bool": "vBool", "int64": "vInt64",
                           "float64": "vFloat64", "binary": "vBinary"}.get(vtype, "vStr"))
        else:
            vtype = str(tag.get("type", "string")).lower()
            raw = tag.get("value")
        try:
            if vtype == "string":
                return AnyValue("string", "" if raw is None else str(raw))
            if vtype == "bool":
                if isinstance(raw, bool):
                    return AnyValue("bool", raw)
                if raw in ("true", "false"):
                    return AnyValue("bool", raw == "true")
            elif vtype == "int64":
                if isinstance(raw, int | str) and not isinstance(raw, bool):
                    return AnyValue("int", int(raw))
            elif vtype == "float64":
                if isinstance(raw, int | float | str) and not isinstance(raw, bool):
                    return AnyValue("double", float(raw))
            elif vtype == "binary" and isinstance(raw, str):
                return AnyValue("bytes", base64.b64decode(raw + "=" * (-len(raw) % 4)))
        except (ValueError, binascii.Error) as e:
            raise self._error(f"tag {tag.get('key')!r}: {raw!r} is not a {vtype}", tid, sid) from e
        self.ctx.fail(f"tag {tag.get('key')!r}: {raw!r} is not a {vtype}", tid, sid)

    def _special(self, tags: Attributes, tid: str, sid: str
                 ) -> tuple[int, Status, Scope, str, Attributes]:
        """Kind, status, scope and trace state from the tags that carry them; the other tags."""
        kind, code, message, error = 0, 0, "", False
        scope_name = scope_version = trace_state = ""
        rest: list[KeyValue] = []
        for kv in tags:
            key, value = kv.key, kv.value.value
            if key not in _CONSUMED:
                rest.append(kv)
                if key == "error" and value in (True, "true"):
                    error = True
                continue
            text = value if isinstance(value, str) else str(value)
            if key == "span.kind":
                kind = _KINDS.get(text.lower(), 0)
            elif key == "otel.status_code":
                code = {"OK": 1, "ERROR": 2}.get(text.upper(), 0)
            elif key == "otel.status_description":
                message = text
            elif key in ("otel.library.name", "otel.scope.name"):
                scope_name = text
            elif key in ("otel.library.version", "otel.scope.version"):
                scope_version = text
            else:
                trace_state = text
        if code == 0 and error:
            code = 2
        status = Status(code, message) if code or message else UNSET_STATUS
        scope = (self.ctx.scope(Scope(scope_name, scope_version)) if scope_name or scope_version
                 else EMPTY_SCOPE)
        return kind, status, scope, trace_state, tuple(rest)

    def _logs(self, logs: object, model: bool, tid: str, sid: str) -> tuple[Event, ...]:
        if not logs:
            return ()
        if not isinstance(logs, list):
            self.ctx.fail("'logs' is not an array", tid, sid)
        out: list[Event] = []
        for log in logs:
            if not isinstance(log, dict):
                self.ctx.fail(f"log {log!r} is not an object", tid, sid)
            fields = self._tags(log.get("fields"), tid, sid)
            name = ""
            rest: list[KeyValue] = []
            for kv in fields:
                if kv.key == "event" and not name and isinstance(kv.value.value, str):
                    name = kv.value.value
                else:
                    rest.append(kv)
            out.append(Event(self._time(log.get("timestamp"), model, "log timestamp", tid, sid),
                             self.ctx.intern(name), tuple(rest) if self.ctx.keep_attributes else ()))
        return tuple(out)
