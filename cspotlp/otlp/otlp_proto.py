"""OTLP protobuf: one ``ExportTraceServiceRequest``, or the collector file exporter's stream.

The binary encoding uses the generated classes of ``opentelemetry-proto``. Two layouts are read:

* a single message (what an OTLP/HTTP request body holds), recognised by its first byte ``0x0a``
  (field 1, length-delimited: ``resource_spans``);
* the collector file exporter's ``proto`` format: each message preceded by its size as 4 bytes,
  big-endian. The stream is read one message at a time.

``DecodeError`` and truncation become :class:`MalformedInput` naming the file and the byte offset
of the message. A message whose top level carries unknown fields is refused: such bytes are not an
OTLP export at all (protobuf would otherwise accept almost any bytes as a message).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import IO, Any

from google.protobuf.message import DecodeError
from google.protobuf.unknown_fields import UnknownFieldSet
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2
from opentelemetry.proto.common.v1 import common_pb2
from opentelemetry.proto.trace.v1 import trace_pb2

from cspotlp.errors import MalformedInput
from cspotlp.files import MAX_DOCUMENT_BYTES, read_limited
from cspotlp.otlp.context import DecodeContext, ValueFrame, decode_nested
from cspotlp.otlp.model import (
    EMPTY_VALUE,
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

_SINGLE_MESSAGE_FIRST_BYTE = 0x0A


def is_single_message(head: bytes) -> bool:
    """True when bytes starting with ``head`` are one message rather than a size-prefixed stream."""
    return bool(head) and head[0] == _SINGLE_MESSAGE_FIRST_BYTE


def read_messages(stream: IO[bytes], ctx: DecodeContext, single: bool
                  ) -> Iterator[trace_service_pb2.ExportTraceServiceRequest]:
    """The messages of a binary file: the whole file, or each size-prefixed message in turn."""
    if single:
        yield _parse(read_limited(stream, ctx.file, MAX_DOCUMENT_BYTES), ctx, 0)
        return
    offset = 0
    while True:
        head = stream.read(4)
        if not head:
            return
        if len(head) < 4:
            raise MalformedInput(f"truncated size prefix at byte {offset} ({len(head)} of 4 bytes)",
                                 ctx.where())
        size = int.from_bytes(head, "big")
        if size == 0:
            # The file exporter writes one non-empty request per batch; zeros here mean the
            # file is not such a stream (a run of zero bytes would otherwise read as no traces).
            raise MalformedInput(
                f"message at byte {offset} has size 0: not a protobuf stream of trace exports "
                "(the collector's file exporter never writes an empty message)", ctx.where())
        body = stream.read(size)
        if len(body) < size:
            raise MalformedInput(
                f"message at byte {offset} is truncated: its prefix says {size} bytes, "
                f"{len(body)} remain", ctx.where())
        yield _parse(body, ctx, offset)
        offset += 4 + size


def _parse(data: bytes, ctx: DecodeContext, offset: int
           ) -> trace_service_pb2.ExportTraceServiceRequest:
    msg = trace_service_pb2.ExportTraceServiceRequest()
    try:
        msg.ParseFromString(data)
    except DecodeError as e:
        raise MalformedInput(f"message at byte {offset} is not OTLP protobuf: {e}", ctx.where()) from e
    unknown = UnknownFieldSet(msg)
    if len(unknown):
        numbers = sorted({unknown[i].field_number for i in range(len(unknown))})
        raise MalformedInput(
            f"message at byte {offset} is not an OTLP trace export (unknown top-level field(s) "
            f"{', '.join(map(str, numbers))})", ctx.where())
    return msg


def decode_message(msg: trace_service_pb2.ExportTraceServiceRequest | trace_pb2.TracesData,
                   ctx: DecodeContext) -> list[Span]:
    """The spans of a parsed message, in order."""
    keep = ctx.keep_attributes
    out: list[Span] = []
    for rs in msg.resource_spans:
        r = rs.resource
        resource = ctx.resource(Resource(
            _attributes(r.attributes, ctx), r.dropped_attributes_count,
            tuple(EntityRef(e.schema_url, e.type, tuple(e.id_keys), tuple(e.description_keys))
                  for e in r.entity_refs),
            rs.schema_url))
        for ss in rs.scope_spans:
            s = ss.scope
            scope = ctx.scope(Scope(ctx.intern(s.name), ctx.intern(s.version),
                                    _attributes(s.attributes, ctx), s.dropped_attributes_count,
                                    ss.schema_url))
            for sp in ss.spans:
                tid = ctx.intern(sp.trace_id.hex())
                st = sp.status
                out.append(Span(
                    tid, sp.span_id.hex(), sp.parent_span_id.hex(), ctx.intern(sp.name), sp.kind,
                    sp.start_time_unix_nano, sp.end_time_unix_nano,
                    _attributes(sp.attributes, ctx) if keep else (),
                    tuple(Event(e.time_unix_nano, ctx.intern(e.name),
                                _attributes(e.attributes, ctx) if keep else (),
                                e.dropped_attributes_count) for e in sp.events),
                    tuple(Link(ctx.intern(k.trace_id.hex()), k.span_id.hex(), k.trace_state,
                               _attributes(k.attributes, ctx) if keep else (),
                               k.dropped_attributes_count, k.flags) for k in sp.links),
                    UNSET_STATUS if st.code == 0 and not st.message else Status(st.code, st.message),
                    sp.trace_state, sp.flags, sp.dropped_attributes_count, sp.dropped_events_count,
                    sp.dropped_links_count, resource, scope))
    return out


def _attributes(kvs: Iterable[common_pb2.KeyValue], ctx: DecodeContext) -> Attributes:
    return tuple(ctx.key_value(kv.key, _value(kv.value, ctx)) for kv in kvs)


def _value(root: common_pb2.AnyValue, ctx: DecodeContext) -> AnyValue:
    """An AnyValue message as a model value, nested values converted without recursion."""
    which = root.WhichOneof("value")
    if which != "array_value" and which != "kvlist_value":
        return _scalar(root, which, ctx)

    def member(frame: ValueFrame, item: Any) -> ValueFrame | AnyValue:
        if frame.kind == "kvlist":
            frame.key = ctx.intern(item.key)
            item = item.value
        w = item.WhichOneof("value")
        if w == "array_value" or w == "kvlist_value":
            return _open(item, w)
        return _scalar(item, w, ctx)

    return decode_nested(_open(root, which), member)

def _open(v: common_pb2.AnyValue, which: str) -> ValueFrame:
    if which == "array_value":
        return ValueFrame("array", list(v.array_value.values))
    return ValueFrame("kvlist", list(v.kvlist_value.values))


def _scalar(v: common_pb2.AnyValue, which: str | None, ctx: DecodeContext) -> AnyValue:
    if which == "string_value":
        return AnyValue("string", v.string_value)
    if which == "int_value":
        return AnyValue("int", v.int_value)
    if which == "bool_value":
        return AnyValue("bool", v.bool_value)
    if which == "double_value":
        return AnyValue("double", v.double_value)
    if which == "bytes_value":
        return AnyValue("bytes", v.bytes_value)
    if which is None:
        return EMPTY_VALUE
    raise MalformedInput(f"attribute value uses {which}, which only profiles define", ctx.where())


# -- encoding -------------------------------------------------------------------------------

def encode_value(value: AnyValue, out: common_pb2.AnyValue) -> None:
    """Fill the message ``out`` with ``value`` (nested values without recursion)."""
    stack: list[tuple[AnyValue, common_pb2.AnyValue]] = [(value, out)]
    while stack:
        v, msg = stack.pop()
        kind, x = v.kind, v.value
        if kind == "string":
            assert isinstance(x, str)
            msg.string_value = x
        elif kind == "int":
            assert isinstance(x, int)
            msg.int_value = x
        elif kind == "bool":
            assert isinstance(x, bool)
            msg.bool_value = x
        elif kind == "double":
            assert isinstance(x, float)
            msg.double_value = x
        elif kind == "bytes":
            assert isinstance(x, bytes)
            msg.bytes_value = x
        elif kind == "array":
            assert isinstance(x, tuple)
            arr = msg.array_value
            arr.SetInParent()
            for item in x:
                assert isinstance(item, AnyValue)
                stack.append((item, arr.values.add()))
        elif kind == "kvlist":
            assert isinstance(x, tuple)
            kvl = msg.kvlist_value
            kvl.SetInParent()
            for kv in x:
                assert isinstance(kv, KeyValue)
                entry = kvl.values.add()
                entry.key = kv.key
                stack.append((kv.value, entry.value))


def _fill_attributes(attrs: Attributes, target: Any) -> None:
    for kv in attrs:
        entry = target.add()
        entry.key = kv.key
        encode_value(kv.value, entry.value)


def _fill_span(sp: Span, out: trace_pb2.Span) -> None:
    out.trace_id = bytes.fromhex(sp.trace_id)
    out.span_id = bytes.fromhex(sp.span_id)
    out.trace_state = sp.trace_state
    out.parent_span_id = bytes.fromhex(sp.parent_span_id)
    out.flags = sp.flags
    out.name = sp.name
    out.kind = sp.kind  # type: ignore[assignment]
    out.start_time_unix_nano = sp.start_time_unix_nano
    out.end_time_unix_nano = sp.end_time_unix_nano
    _fill_attributes(sp.attributes, out.attributes)
    out.dropped_attributes_count = sp.dropped_attributes_count
    for e in sp.events:
        ev = out.events.add()
        ev.time_unix_nano = e.time_unix_nano
        ev.name = e.name
        _fill_attributes(e.attributes, ev.attributes)
        ev.dropped_attributes_count = e.dropped_attributes_count
    out.dropped_events_count = sp.dropped_events_count
    for k in sp.links:
        link = out.links.add()
        link.trace_id = bytes.fromhex(k.trace_id)
        link.span_id = bytes.fromhex(k.span_id)
        link.trace_state = k.trace_state
        _fill_attributes(k.attributes, link.attributes)
        link.dropped_attributes_count = k.dropped_attributes_count
        link.flags = k.flags
    out.dropped_links_count = sp.dropped_links_count
    out.status.code = sp.status.code  # type: ignore[assignment]
    out.status.message = sp.status.message


def encode_request(spans: Iterable[Span]) -> trace_service_pb2.ExportTraceServiceRequest:
    """One ``ExportTraceServiceRequest`` holding ``spans``.

    Consecutive spans of equal resource and scope share a group, as in
    :func:`cspotlp.otlp.otlp_json_encode.encode_traces_data`.
    """
    req = trace_service_pb2.ExportTraceServiceRequest()
    cur_res: Resource | None = None
    cur_scope: Scope | None = None
    scope_spans: Any = None
    rs: Any = None
    for sp in spans:
        if cur_res is None or sp.resource != cur_res:
            cur_res, cur_scope = sp.resource, None
            rs = req.resource_spans.add()
            rs.resource.SetInParent()
            _fill_attributes(cur_res.attributes, rs.resource.attributes)
            rs.resource.dropped_attributes_count = cur_res.dropped_attributes_count
            for ref in cur_res.entity_refs:
                e = rs.resource.entity_refs.add()
                e.schema_url, e.type = ref.schema_url, ref.type
                e.id_keys.extend(ref.id_keys)
                e.description_keys.extend(ref.description_keys)
            rs.schema_url = cur_res.schema_url
        if cur_scope is None or sp.scope != cur_scope:
            cur_scope = sp.scope
            scope_spans = rs.scope_spans.add()
            scope_spans.scope.SetInParent()
            scope_spans.scope.name = cur_scope.name
            scope_spans.scope.version = cur_scope.version
            _fill_attributes(cur_scope.attributes, scope_spans.scope.attributes)
            scope_spans.scope.dropped_attributes_count = cur_scope.dropped_attributes_count
            scope_spans.schema_url = cur_scope.schema_url
        _fill_span(sp, scope_spans.spans.add())
    return req


def size_prefixed(message: bytes) -> bytes:
    """``message`` preceded by its size as 4 big-endian bytes (the file exporter's framing)."""
    return len(message).to_bytes(4, "big") + message
