"""OTLP JSON encoding: spans to ``TracesData`` objects, ready for ``json.dumps``.

Writes what the OTLP JSON encoding asks for: hex ids, 64-bit integers as decimal strings, enums
as integers, bytes as base64, non-finite doubles as ``"NaN"`` / ``"Infinity"``; default values
are omitted, except ids, name, kind and times, which are always present. Nested attribute values
are built without recursion.
"""

from __future__ import annotations

import base64
import math
from collections.abc import Iterable
from typing import Any

from cspotlp.otlp.model import (
    UNSET_STATUS,
    AnyValue,
    Attributes,
    Event,
    KeyValue,
    Link,
    Resource,
    Scope,
    Span,
)


def encode_value(value: AnyValue) -> dict[str, Any]:
    """The OTLP JSON object of an AnyValue (nested values built without recursion)."""
    root: dict[str, Any] = {}
    # (value, container, slot): container[slot] receives the JSON of value
    stack: list[tuple[AnyValue, Any, Any]] = [(value, root, "v")]
    while stack:
        v, box, slot = stack.pop()
        if v.kind == "array":
            assert isinstance(v.value, tuple)
            items: list[Any] = [None] * len(v.value)
            box[slot] = {"arrayValue": {"values": items}}
            stack.extend((x, items, i) for i, x in enumerate(v.value) if isinstance(x, AnyValue))
        elif v.kind == "kvlist":
            assert isinstance(v.value, tuple)
            entries: list[dict[str, Any]] = []
            for kv in v.value:
                assert isinstance(kv, KeyValue)
                entry: dict[str, Any] = {"key": kv.key, "value": None}
                entries.append(entry)
                stack.append((kv.value, entry, "value"))
            box[slot] = {"kvlistValue": {"values": entries}}
        else:
            box[slot] = _scalar_json(v)
    result: dict[str, Any] = root["v"]
    return result


def _scalar_json(v: AnyValue) -> dict[str, Any]:
    kind, x = v.kind, v.value
    if kind == "string":
        return {"stringValue": x}
    if kind == "int":
        return {"intValue": str(x)}
    if kind == "bool":
        return {"boolValue": x}
    if kind == "double":
        assert isinstance(x, float)
        if math.isnan(x):
            return {"doubleValue": "NaN"}
        if math.isinf(x):
            return {"doubleValue": "Infinity" if x > 0 else "-Infinity"}
        return {"doubleValue": x}
    if kind == "bytes":
        assert isinstance(x, bytes)
        return {"bytesValue": base64.b64encode(x).decode("ascii")}
    return {}


def encode_attributes(attrs: Attributes) -> list[dict[str, Any]]:
    """OTLP JSON ``attributes``."""
    return [{"key": kv.key, "value": encode_value(kv.value)} for kv in attrs]


def encode_span(sp: Span) -> dict[str, Any]:
    """The OTLP JSON object of one span."""
    out: dict[str, Any] = {"traceId": sp.trace_id, "spanId": sp.span_id}
    if sp.trace_state:
        out["traceState"] = sp.trace_state
    if sp.parent_span_id:
        out["parentSpanId"] = sp.parent_span_id
    if sp.flags:
        out["flags"] = sp.flags
    out["name"] = sp.name
    out["kind"] = sp.kind
    out["startTimeUnixNano"] = str(sp.start_time_unix_nano)
    out["endTimeUnixNano"] = str(sp.end_time_unix_nano)
    if sp.attributes:
        out["attributes"] = encode_attributes(sp.attributes)
    if sp.dropped_attributes_count:
        out["droppedAttributesCount"] = sp.dropped_attributes_count
    if sp.events:
        out["events"] = [_encode_event(e) for e in sp.events]
    if sp.dropped_events_count:
        out["droppedEventsCount"] = sp.dropped_events_count
    if sp.links:
        out["links"] = [_encode_link(k) for k in sp.links]
    if sp.dropped_links_count:
        out["droppedLinksCount"] = sp.dropped_links_count
    if sp.status != UNSET_STATUS:
        status: dict[str, Any] = {}
        if sp.status.message:
            status["message"] = sp.status.message
        if sp.status.code:
            status["code"] = sp.status.code
        out["status"] = status
    return out


def _encode_event(e: Event) -> dict[str, Any]:
    out: dict[str, Any] = {"timeUnixNano": str(e.time_unix_nano), "name": e.name}
    if e.attributes:
        out["attributes"] = encode_attributes(e.attributes)
    if e.dropped_attributes_count:
        out["droppedAttributesCount"] = e.dropped_attributes_count
    return out


def _encode_link(k: Link) -> dict[str, Any]:
    out: dict[str, Any] = {"traceId": k.trace_id, "spanId": k.span_id}
    if k.trace_state:
        out["traceState"] = k.trace_state
    if k.attributes:
        out["attributes"] = encode_attributes(k.attributes)
    if k.dropped_attributes_count:
        out["droppedAttributesCount"] = k.dropped_attributes_count
    if k.flags:
        out["flags"] = k.flags
    return out


def _encode_resource(r: Resource) -> dict[str, Any]:
    out: dict[str, Any] = {"attributes": encode_attributes(r.attributes)}
    if r.dropped_attributes_count:
        out["droppedAttributesCount"] = r.dropped_attributes_count
    if r.entity_refs:
        refs: list[dict[str, Any]] = []
        for ref in r.entity_refs:
            item: dict[str, Any] = {}
            if ref.schema_url:
                item["schemaUrl"] = ref.schema_url
            if ref.type:
                item["type"] = ref.type
            if ref.id_keys:
                item["idKeys"] = list(ref.id_keys)
            if ref.description_keys:
                item["descriptionKeys"] = list(ref.description_keys)
            refs.append(item)
        out["entityRefs"] = refs
    return out


def _encode_scope(s: Scope) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if s.name:
        out["name"] = s.name
    if s.version:
        out["version"] = s.version
    if s.attributes:
        out["attributes"] = encode_attributes(s.attributes)
    if s.dropped_attributes_count:
        out["droppedAttributesCount"] = s.dropped_attributes_count
    return out


def encode_traces_data(spans: Iterable[Span]) -> dict[str, Any]:
    """A ``TracesData`` object; consecutive spans of equal resource and scope share a group."""
    resource_spans: list[dict[str, Any]] = []
    scope_list: list[dict[str, Any]] = []
    span_list: list[dict[str, Any]] = []
    cur_res: Resource | None = None
    cur_scope: Scope | None = None
    for sp in spans:
        if cur_res is None or sp.resource != cur_res:
            cur_res, cur_scope = sp.resource, None
            scope_list = []
            group: dict[str, Any] = {"resource": _encode_resource(cur_res), "scopeSpans": scope_list}
            if cur_res.schema_url:
                group["schemaUrl"] = cur_res.schema_url
            resource_spans.append(group)
        if cur_scope is None or sp.scope != cur_scope:
            cur_scope = sp.scope
            span_list = []
            scope_group: dict[str, Any] = {"scope": _encode_scope(cur_scope), "spans": span_list}
            if cur_scope.schema_url:
                scope_group["schemaUrl"] = cur_scope.schema_url
            scope_list.append(scope_group)
        span_list.append(encode_span(sp))
    return {"resourceSpans": resource_spans}
