"""OTLP JSON: decode ``TracesData`` / ``ExportTraceServiceRequest`` objects, encode spans.

Decoding follows the OTLP JSON encoding (OTLP specification, "JSON Protobuf Encoding"):
trace and span ids are hex strings (case-insensitive; stored lowercase), 64-bit integers may be
strings or numbers, enums are integers, keys are lowerCamelCase and unknown keys are ignored.
protobuf's ``json_format`` is not used: it would decode hex ids as base64 without a word.

Common deviations are read only when the :class:`DecodeContext` is ``lenient``, each noted once
per file with a count: base64 ids (proto3's canonical JSON), enum names (``"SPAN_KIND_SERVER"``),
snake_case keys (``"trace_id"``) and the pre-1.0 ``instrumentationLibrarySpans`` keys. Without
``lenient`` they raise :class:`NonConformingInput`, which says so.

Encoding is in :mod:`cspotlp.otlp.otlp_json_encode`.
"""

from __future__ import annotations

import base64
import binascii
import math
import operator
import re
from typing import Any, Literal

from cspotlp.errors import MalformedInput
from cspotlp.otlp.context import TABLE_LIMIT, DecodeContext, ValueFrame, decode_nested
from cspotlp.otlp.model import (
    EMPTY_VALUE,
    SPAN_KIND_NAMES,
    STATUS_CODE_NAMES,
    UNSET_STATUS,
    AnyValue,
    Attributes,
    EntityRef,
    Event,
    KeyValue,
    Link,
    Resource,
    Scope,
    Span,
    Status,
)

_HEX = re.compile(r"[0-9a-fA-F]*").fullmatch
_INT = re.compile(r"-?[0-9]+").fullmatch
_INT64_MIN, _INT64_MAX, _UINT64_MAX, _UINT32_MAX = -(1 << 63), (1 << 63) - 1, (1 << 64) - 1, (1 << 32) - 1
_INT32_MIN, _INT32_MAX = -(1 << 31), (1 << 31) - 1
_KEY_AND_VALUE = operator.itemgetter("key", "value")
_new = tuple.__new__  # builds a NamedTuple without the Python-level __new__ (hot path)
_NO_COUNTS: list[object] = [None, None, None, None]
_BOOLS = {True: AnyValue("bool", True), False: AnyValue("bool", False)}
_COUNT_NAMES = ("flags", "droppedAttributesCount", "droppedEventsCount", "droppedLinksCount")
_KIND_CODES = {name: code for code, name in enumerate(SPAN_KIND_NAMES)}
_STATUS_CODES = {name: code for code, name in enumerate(STATUS_CODE_NAMES)}

_TOP_SNAKE = {"resource_spans": "resourceSpans"}
_RESOURCE_SPANS_SNAKE = {"scope_spans": "scopeSpans", "schema_url": "schemaUrl"}
_RESOURCE_SNAKE = {"dropped_attributes_count": "droppedAttributesCount", "entity_refs": "entityRefs"}
_ENTITY_SNAKE = {"schema_url": "schemaUrl", "id_keys": "idKeys", "description_keys": "descriptionKeys"}
_SCOPE_SPANS_SNAKE = {"schema_url": "schemaUrl"}
_SCOPE_SNAKE = {"dropped_attributes_count": "droppedAttributesCount"}
_SPAN_SNAKE = {
    "trace_id": "traceId", "span_id": "spanId", "trace_state": "traceState",
    "parent_span_id": "parentSpanId", "start_time_unix_nano": "startTimeUnixNano",
    "end_time_unix_nano": "endTimeUnixNano", "dropped_attributes_count": "droppedAttributesCount",
    "dropped_events_count": "droppedEventsCount", "dropped_links_count": "droppedLinksCount",
}
_EVENT_SNAKE = {"time_unix_nano": "timeUnixNano", "dropped_attributes_count": "droppedAttributesCount"}
_SPAN_SNAKE_KEYS, _EVENT_SNAKE_KEYS = frozenset(_SPAN_SNAKE), frozenset(_EVENT_SNAKE)  # hot paths
_LINK_SNAKE = {"trace_id": "traceId", "span_id": "spanId", "trace_state": "traceState",
               "dropped_attributes_count": "droppedAttributesCount"}
_VALUE_SNAKE = {"string_value": "stringValue", "bool_value": "boolValue", "int_value": "intValue",
                "double_value": "doubleValue", "array_value": "arrayValue",
                "kvlist_value": "kvlistValue", "bytes_value": "bytesValue"}
SIGNAL_KEYS = ("resourceSpans", "resource_spans", "resourceLogs", "resource_logs",
               "resourceMetrics", "resource_metrics", "resourceProfiles", "resource_profiles")
"""Top-level keys that make a JSON object an OTLP export (of traces, logs, metrics, profiles)."""


class OtlpJsonDecoder:
    """Decodes parsed OTLP JSON (``json.loads`` output) into :class:`Span` records."""

    __slots__ = ("ctx", "_trace_ids", "_strings", "_string_kvs", "_int_kvs")

    def __init__(self, ctx: DecodeContext) -> None:
        self.ctx = ctx
        self._trace_ids: dict[str, str] = {}  # trace id as written -> lowercase, shared
        self._strings = ctx.strings
        self._string_kvs: dict[tuple[str, str], KeyValue] = {}
        self._int_kvs: dict[tuple[str, str], KeyValue] = {}

    # -- structure ------------------------------------------------------------------------

    def traces_data(self, doc: object) -> list[Span]:
        """The spans of one ``TracesData`` / ``ExportTraceServiceRequest`` object, in order."""
        ctx = self.ctx
        out: list[Span] = []
        span = self.span
        if type(doc) is not dict:
            ctx.fail("expected a JSON object with 'resourceSpans'")
        doc = self._camel(doc, _TOP_SNAKE, "TracesData")
        for rs in self._list(doc.get("resourceSpans"), "resourceSpans"):
            if type(rs) is not dict:
                ctx.fail("an entry of 'resourceSpans' is not a JSON object")
            rs = self._camel(rs, _RESOURCE_SPANS_SNAKE, "ResourceSpans")
            resource = self._resource(rs.get("resource"), rs.get("schemaUrl"))
            scope_list = rs.get("scopeSpans")
            old = scope_list is None and "instrumentationLibrarySpans" in rs
            if old:
                ctx.nonconforming("obsolete-keys", "obsolete key 'instrumentationLibrarySpans' "
                                  "(OTLP before 0.19) instead of 'scopeSpans'")
                scope_list = rs["instrumentationLibrarySpans"]
            for ss in self._list(scope_list, "scopeSpans"):
                if type(ss) is not dict:
                    ctx.fail("an entry of 'scopeSpans' is not a JSON object")
                ss = self._camel(ss, _SCOPE_SPANS_SNAKE, "ScopeSpans")
                scope = self._scope(ss.get("instrumentationLibrary") if old else ss.get("scope"),
                                    ss.get("schemaUrl"))
                out.extend([span(sp, resource, scope) for sp in self._list(ss.get("spans"), "spans")])
        return out

    def _resource(self, raw: object, schema_url: object) -> Resource:
        ctx = self.ctx
        if raw is None:
            raw = {}
        if type(raw) is not dict:
            ctx.fail("'resource' is not a JSON object")
        raw = self._camel(raw, _RESOURCE_SNAKE, "Resource")
        refs: list[EntityRef] = []
        for ref in self._list(raw.get("entityRefs"), "entityRefs"):
            if type(ref) is not dict:
                ctx.fail("an entry of 'entityRefs' is not a JSON object")
            ref = self._camel(ref, _ENTITY_SNAKE, "EntityRef")
            refs.append(EntityRef(self._str(ref.get("schemaUrl"), "schemaUrl"),
                                  self._str(ref.get("type"), "type"),
                                  self._strs(ref.get("idKeys"), "idKeys"),
                                  self._strs(ref.get("descriptionKeys"), "descriptionKeys")))
        return ctx.resource(Resource(
            self._attributes(raw.get("attributes"), "", ""),
            self._uint(raw.get("droppedAttributesCount"), _UINT32_MAX, "droppedAttributesCount"),
            tuple(refs), self._str(schema_url, "schemaUrl")))

    def _scope(self, raw: object, schema_url: object) -> Scope:
        ctx = self.ctx
        if raw is None:
            raw = {}
        if type(raw) is not dict:
            ctx.fail("'scope' is not a JSON object")
        raw = self._camel(raw, _SCOPE_SNAKE, "InstrumentationScope")
        return ctx.scope(Scope(
            ctx.intern(self._str(raw.get("name"), "scope name")),
            ctx.intern(self._str(raw.get("version"), "scope version")),
            self._attributes(raw.get("attributes"), "", ""),
            self._uint(raw.get("droppedAttributesCount"), _UINT32_MAX, "droppedAttributesCount"),
            self._str(schema_url, "schemaUrl")))

    def span(self, d: object, resource: Resource, scope: Scope) -> Span:
        """One span object, under ``resource`` and ``scope``.

        This is the hot path of reading: the common, conforming case of every field is decoded
        inline; anything else goes to the general (checking, lenient-aware) helpers.
        """
        ctx = self.ctx
        if type(d) is not dict:
            ctx.fail("an entry of 'spans' is not a JSON object")
        if not _SPAN_SNAKE_KEYS.isdisjoint(d):
            d = self._camel(d, _SPAN_SNAKE, "Span")
        get = d.get
        raw_tid, raw_sid, raw_pid = get("traceId"), get("spanId"), get("parentSpanId")
        tid = self._trace_ids.get(raw_tid) if type(raw_tid) is str else None
        if tid is None:
            tid = self.id(raw_tid, 32, "trace id", raw_tid, raw_sid)
            if type(raw_tid) is str and len(raw_tid) == 32 and _HEX(raw_tid) \
                    and len(self._trace_ids) < TABLE_LIMIT:
                self._trace_ids[raw_tid] = tid
        if type(raw_sid) is str and len(raw_sid) == 16 and _HEX(raw_sid):
            sid = raw_sid.lower()
        else:
            sid = self.id(raw_sid, 16, "span id", tid, raw_sid)
        if not raw_pid:
            pid = "" if raw_pid is None or raw_pid == "" else self.id(raw_pid, 16, "parent span id",
                                                                     tid, sid)
        elif type(raw_pid) is str and len(raw_pid) == 16 and _HEX(raw_pid):
            pid = raw_pid.lower()
        else:
            pid = self.id(raw_pid, 16, "parent span id", tid, sid)
        name = get("name", "")
        if type(name) is not str:
            ctx.fail(f"span name {name!r} is not a string", tid, sid)
        name = self._strings.get(name) or ctx.intern(name)
        kind = get("kind", 0)
        if type(kind) is not int or not _INT32_MIN <= kind <= _INT32_MAX:
            kind = self._enum(kind, _KIND_CODES, "span kind", tid, sid)
        v = get("startTimeUnixNano")
        if type(v) is str and v.isascii() and v.isdigit() and len(v) < 20:
            start = int(v)
        else:
            start = self._uint(v, _UINT64_MAX, "startTimeUnixNano", tid, sid)
        v = get("endTimeUnixNano")
        if type(v) is str and v.isascii() and v.isdigit() and len(v) < 20:
            end = int(v)
        else:
            end = self._uint(v, _UINT64_MAX, "endTimeUnixNano", tid, sid)
        attrs = get("attributes")
        events = get("events")
        links = get("links")
        status = get("status")
        trace_state = get("traceState", "")
        if type(trace_state) is not str:
            trace_state = self._str(trace_state, "traceState", tid, sid)
        rest = [get("flags"), get("droppedAttributesCount"), get("droppedEventsCount"),
                get("droppedLinksCount")]
        if rest != _NO_COUNTS:
            rest = [self._uint(x, _UINT32_MAX, what, tid, sid) for x, what in zip(rest, _COUNT_NAMES,
                                                                                  strict=True)]
        return _new(Span, (
            tid, sid, pid, name, kind, start, end,
            self._attributes(attrs, tid, sid) if attrs and ctx.keep_attributes else (),
            self._events(events, tid, sid) if events else (),
            self._links(links, tid, sid) if links else (),
            self._status(status, tid, sid) if status else UNSET_STATUS,
            trace_state, rest[0] or 0, rest[1] or 0, rest[2] or 0, rest[3] or 0, resource, scope))

    def _events(self, raw: object, tid: str, sid: str) -> tuple[Event, ...]:
        if not raw:
            return ()
        ctx, keep = self.ctx, self.ctx.keep_attributes
        strings = self._strings
        out: list[Event] = []
        for e in self._list(raw, "events", tid, sid):
            if type(e) is not dict:
                ctx.fail("an entry of 'events' is not a JSON object", tid, sid)
            if not _EVENT_SNAKE_KEYS.isdisjoint(e):
                e = self._camel(e, _EVENT_SNAKE, "Event", tid, sid)
            get = e.get
            t = get("timeUnixNano")
            if type(t) is str and t.isascii() and t.isdigit() and len(t) < 20:
                time = int(t)
            else:
                time = self._uint(t, _UINT64_MAX, "event timeUnixNano", tid, sid)
            name = get("name", "")
            if type(name) is not str:
                name = self._str(name, "event name", tid, sid)
            attrs = get("attributes")
            dropped = get("droppedAttributesCount")
            out.append(_new(Event, (
                time, strings.get(name) or ctx.intern(name),
                self._attributes(attrs, tid, sid) if attrs and keep else (),
                0 if dropped is None else self._uint(dropped, _UINT32_MAX,
                                                     "droppedAttributesCount", tid, sid))))
        return tuple(out)

    def _links(self, raw: object, tid: str, sid: str) -> tuple[Link, ...]:
        if not raw:
            return ()
        ctx, keep = self.ctx, self.ctx.keep_attributes
        out: list[Link] = []
        for k in self._list(raw, "links", tid, sid):
            if type(k) is not dict:
                ctx.fail("an entry of 'links' is not a JSON object", tid, sid)
            if not k.keys().isdisjoint(_LINK_SNAKE):
                k = self._camel(k, _LINK_SNAKE, "Link", tid, sid)
            out.append(Link(
                self.id(k.get("traceId"), 32, "link trace id", tid, sid),
                self.id(k.get("spanId"), 16, "link span id", tid, sid),
                self._str(k.get("traceState"), "link traceState", tid, sid),
                self._attributes(k.get("attributes"), tid, sid) if keep else (),
                self._uint(k.get("droppedAttributesCount"), _UINT32_MAX, "droppedAttributesCount",
                           tid, sid),
                self._uint(k.get("flags"), _UINT32_MAX, "link flags", tid, sid)))
        return tuple(out)

    def _status(self, raw: object, tid: str, sid: str) -> Status:
        if not raw:
            return UNSET_STATUS
        if type(raw) is not dict:
            self.ctx.fail(f"status {raw!r} is not a JSON object", tid, sid)
        code = raw.get("code", 0)
        if type(code) is not int or not _INT32_MIN <= code <= _INT32_MAX:
            code = self._enum(code, _STATUS_CODES, "status code", tid, sid)
        message = self._str(raw.get("message"), "status message", tid, sid)
        return UNSET_STATUS if code == 0 and not message else Status(code, message)

    # -- scalars --------------------------------------------------------------------------

    def id(self, raw: object, hex_len: int, what: str, tid: object, sid: object) -> str:
        """A hex id (lowercase), ``""`` when absent; base64 ids only when lenient.

        One rule for every length: a string of hex digits is kept as it is written (lowercased)
        and, if it is not ``hex_len`` digits long, reported by the diagnostics as an invalid id
        with its file, line, trace and span — whether it has 15 digits or 14, 3 or 40. Only
        text that is no hex at all is refused here; base64 of the right size (proto3 JSON) is
        read when lenient (or the format documents it, as Tempo's does).
        """
        if type(raw) is str:
            if len(raw) == hex_len and _HEX(raw):
                return self.ctx.intern(raw.lower()) if hex_len == 32 else raw.lower()
            if not raw:
                return ""
            accept_base64 = self.ctx.lenient or "base64-id" in self.ctx.accepted
            if _HEX(raw) and not accept_base64:
                return raw.lower()  # hex of the wrong length: kept, and diagnosed later
            decoded = _base64_id(raw, hex_len // 2)
            if decoded is not None:
                self.ctx.nonconforming(
                    "base64-id", f"{what} {raw!r} is base64: proto3's canonical JSON, as "
                    "protobuf's MessageToJson/MessageToDict write it; OTLP JSON requires hex ids",
                    _text(tid), _text(sid))
                return decoded
            if _HEX(raw):
                return raw.lower()
            self.ctx.fail(f"{what} {raw!r} is not hex (an OTLP JSON id is {hex_len} hex "
                          "digits)", _text(tid), _text(sid))
        if raw is None:
            return ""
        self.ctx.fail(f"{what} {raw!r} is not a string", _text(tid), _text(sid))

    def _uint(self, raw: object, limit: int, what: str, tid: str = "", sid: str = "") -> int:
        if raw is None:
            return 0
        if type(raw) is int:
            value = raw
        elif (type(raw) is str and raw.isascii() and raw.isdigit()) or (
                type(raw) is float and raw.is_integer()):
            value = int(raw)
        else:
            self.ctx.fail(f"{what} {raw!r} is not an unsigned integer", tid, sid)
        if not 0 <= value <= limit:
            self.ctx.fail(f"{what} {raw!r} is out of range", tid, sid)
        return value

    def _int64(self, raw: object, tid: str, sid: str) -> int:
        if type(raw) is int:
            value = raw
        elif (type(raw) is str and _INT(raw)) or (type(raw) is float and raw.is_integer()):
            value = int(raw)
        else:
            self.ctx.fail(f"intValue {raw!r} is not an integer", tid, sid)
        if not _INT64_MIN <= value <= _INT64_MAX:
            self.ctx.fail(f"intValue {raw!r} does not fit in 64 bits", tid, sid)
        return value

    def _double(self, raw: object, tid: str, sid: str) -> float:
        if type(raw) is float or type(raw) is int:
            return float(raw)
        if type(raw) is str:
            special = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}.get(raw)
            if special is not None:
                return special
            try:
                return float(raw)
            except ValueError:
                pass
        self.ctx.fail(f"doubleValue {raw!r} is not a number", tid, sid)

    def _str(self, raw: object, what: str, tid: str = "", sid: str = "") -> str:
        if raw is None:
            return ""
        if type(raw) is not str:
            self.ctx.fail(f"{what} {raw!r} is not a string", tid, sid)
        return raw

    def _strs(self, raw: object, what: str) -> tuple[str, ...]:
        return tuple(self._str(x, what) for x in self._list(raw, what))

    def _enum(self, raw: object, codes: dict[str, int], what: str, tid: str, sid: str) -> int:
        if raw is None:
            return 0
        if type(raw) is str:
            code = codes.get(raw)
            if code is None:
                valid = ", ".join(f"{c} ({n})" for n, c in codes.items())
                self.ctx.fail(f"invalid {what} {raw!r}: OTLP JSON encodes it as an integer, one of "
                              f"{valid}", tid, sid)
            self.ctx.nonconforming("enum-name", f"{what} given by name {raw!r} (proto3's "
                                   f"canonical JSON); OTLP JSON requires the integer {code}",
                                   tid, sid)
            return code
        self.ctx.fail(f"invalid {what} {raw!r}: expected a 32-bit integer", tid, sid)

    def _list(self, raw: object, what: str, tid: str = "", sid: str = "") -> list[Any]:
        if raw is None:
            return []
        if type(raw) is not list:
            self.ctx.fail(f"'{what}' is not a JSON array", tid, sid)
        return raw

    def _camel(self, d: dict[str, Any], snake: dict[str, str], what: str, tid: str = "",
               sid: str = "") -> dict[str, Any]:
        """``d`` with snake_case keys renamed (lenient) or refused (strict)."""
        if d.keys().isdisjoint(snake):
            return d
        found = sorted(k for k in d if k in snake)
        self.ctx.nonconforming(
            "snake-case-keys", f"{what} has snake_case key(s) {', '.join(map(repr, found))} (as "
            "protobuf's MessageToDict writes them with preserving_proto_field_name); OTLP JSON "
            f"requires lowerCamelCase ({', '.join(repr(snake[k]) for k in found)})", tid, sid)
        return {snake.get(k, k): v for k, v in d.items()}

    # -- attribute values -----------------------------------------------------------------

    def _attributes(self, raw: object, tid: str, sid: str) -> Attributes:
        if not raw:
            return ()
        if type(raw) is not list:
            self.ctx.fail("'attributes' is not a JSON array", tid, sid)
        try:
            pairs: list[tuple[Any, Any]] = list(map(_KEY_AND_VALUE, raw))  # a C-level loop
        except (KeyError, TypeError):  # an entry that is not {"key": ..., "value": ...}
            return tuple([self._attribute(item, tid, sid) for item in raw])
        ctx = self.ctx
        strings, strs, ints = self._strings, self._string_kvs, self._int_kvs
        out: list[KeyValue] = []
        append = out.append
        for key, v in pairs:
            # fast paths for scalars; strings and decimal-string ints share one KeyValue per
            # distinct (key, value) pair
            if type(v) is dict and type(key) is str:
                x = v.get("stringValue")
                if type(x) is str:  # the first member a value is read by (see value())
                    kv = strs.get((key, x))
                    if kv is None:
                        kv = _new(KeyValue, (strings.get(key) or ctx.intern(key),
                                             _new(AnyValue, ("string", x))))
                        if len(strs) < TABLE_LIMIT:
                            strs[(key, x)] = kv
                    append(kv)
                    continue
                if len(v) == 1:
                    x = v.get("intValue")
                    if type(x) is str and x.isascii() and x.isdigit() and len(x) < 19:
                        kv = ints.get((key, x))
                        if kv is None:
                            kv = _new(KeyValue, (strings.get(key) or ctx.intern(key),
                                                 _new(AnyValue, ("int", int(x)))))
                            if len(ints) < TABLE_LIMIT:
                                ints[(key, x)] = kv
                        append(kv)
                        continue
                    x = v.get("doubleValue")
                    if type(x) is float:
                        append(_new(KeyValue, (strings.get(key) or ctx.intern(key),
                                               _new(AnyValue, ("double", x)))))
                        continue
                    x = v.get("boolValue")
                    if type(x) is bool:
                        append(_new(KeyValue, (strings.get(key) or ctx.intern(key), _BOOLS[x])))
                        continue
            append(self._key_value(key, v, tid, sid))
        return tuple(out)

    def _attribute(self, item: object, tid: str, sid: str) -> KeyValue:
        """One attribute object, checked in full (the general path of :meth:`_attributes`)."""
        if type(item) is not dict:
            self.ctx.fail(f"attribute {item!r} is not a JSON object", tid, sid)
        return self._key_value(item.get("key"), item.get("value"), tid, sid)

    def _key_value(self, key: object, v: object, tid: str, sid: str) -> KeyValue:
        if type(key) is not str:
            self.ctx.fail(f"attribute key {key!r} is not a string", tid, sid)
        return self.ctx.key_value(key, self.value(v, tid, sid))

    def value(self, v: object, tid: str = "", sid: str = "") -> AnyValue:
        """An ``AnyValue`` object (nested arrays and kvlists decoded without recursion)."""
        if type(v) is not dict:
            if v is None:
                return EMPTY_VALUE
            self.ctx.fail(f"attribute value {v!r} is not a JSON object", tid, sid)
        if "stringValue" in v:
            s = v["stringValue"]
            if type(s) is not str:
                self.ctx.fail(f"stringValue {s!r} is not a string", tid, sid)
            return AnyValue("string", s)
        if "intValue" in v:
            return AnyValue("int", self._int64(v["intValue"], tid, sid))
        if "boolValue" in v:
            b = v["boolValue"]
            if type(b) is not bool:
                self.ctx.fail(f"boolValue {b!r} is not true or false", tid, sid)
            return AnyValue("bool", b)
        if "doubleValue" in v:
            return AnyValue("double", self._double(v["doubleValue"], tid, sid))
        if "arrayValue" in v or "kvlistValue" in v:
            return self._nested(v, tid, sid)
        if "bytesValue" in v:
            return AnyValue("bytes", self._bytes(v["bytesValue"], tid, sid))
        if not v.keys().isdisjoint(_VALUE_SNAKE):
            return self.value(self._camel(v, _VALUE_SNAKE, "AnyValue", tid, sid), tid, sid)
        return EMPTY_VALUE  # no member set (unknown keys are ignored)

    def _bytes(self, raw: object, tid: str, sid: str) -> bytes:
        if type(raw) is not str:
            self.ctx.fail(f"bytesValue {raw!r} is not a base64 string", tid, sid)
        try:
            if "-" in raw or "_" in raw:
                return base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4))
            return base64.b64decode(raw + "=" * (-len(raw) % 4), validate=True)
        except (binascii.Error, ValueError) as e:
            raise self._error(f"bytesValue {raw!r} is not base64: {e}", tid, sid) from e

    def _error(self, message: str, tid: str, sid: str) -> Exception:
        return MalformedInput(message, self.ctx.where(tid, sid))

    def _open(self, v: dict[str, Any], tid: str, sid: str) -> ValueFrame:
        kind: Literal["array", "kvlist"] = "array" if "arrayValue" in v else "kvlist"
        inner = v["arrayValue" if kind == "array" else "kvlistValue"]
        if inner is None:
            inner = {}
        if type(inner) is not dict:
            self.ctx.fail(f"{kind}Value {inner!r} is not a JSON object", tid, sid)
        return ValueFrame(kind, self._list(inner.get("values"), f"{kind}Value values", tid, sid))

    def _nested(self, root: dict[str, Any], tid: str, sid: str) -> AnyValue:
        def member(frame: ValueFrame, item: Any) -> ValueFrame | AnyValue:
            if frame.kind == "kvlist":
                if type(item) is not dict or type(item.get("key")) is not str:
                    self.ctx.fail(f"kvlist entry {item!r} has no string 'key'", tid, sid)
                frame.key = self.ctx.intern(item["key"])
                item = item.get("value")
            if type(item) is dict and ("arrayValue" in item or "kvlistValue" in item):
                return self._open(item, tid, sid)
            return self.value(item, tid, sid)

        return decode_nested(self._open(root, tid, sid), member)

def _text(raw: object) -> str:
    return raw if isinstance(raw, str) else ""


def _base64_id(raw: str, nbytes: int) -> str | None:
    """The hex of ``raw`` if it is base64 (standard or URL-safe) of exactly ``nbytes`` bytes."""
    if len(raw) != 4 * ((nbytes + 2) // 3) and len(raw.rstrip("=")) != (nbytes * 8 + 5) // 6:
        return None
    padded = raw + "=" * (-len(raw) % 4)
    try:
        data = (base64.urlsafe_b64decode(padded) if ("-" in raw or "_" in raw)
                else base64.b64decode(padded, validate=True))
    except (binascii.Error, ValueError):
        return None
    return data.hex() if len(data) == nbytes else None
