"""The OpenTelemetry SDK's finished spans as cspotlp's span model, without a file.

:func:`to_span` turns one SDK ``ReadableSpan`` (what span processors and exporters receive, and
what ``InMemorySpanExporter.get_finished_spans()`` returns) into a :class:`cspotlp.otlp.Span`
carrying every field the OTLP exporter would send: ids, parent, trace state, flags, kind, times,
attributes, events, links, status, dropped counts, resource and instrumentation scope.
:func:`to_traces` groups spans by trace id as :func:`cspotlp.otlp.load` does, so the result goes
straight into the conformance checker, Ψ or the writers::

    exporter = InMemorySpanExporter()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    ...                                            # run the code under test
    traces = to_traces(exporter.get_finished_spans())

Spans of one SDK resource (or scope) share one converted :class:`~cspotlp.otlp.Resource`
object, as spans read from a file do.

The span kinds follow the OTLP exporter (SDK ``INTERNAL`` is OTLP 1, ``SERVER`` 2, ...). The
``flags`` field holds the W3C trace flags in its low byte (OTLP's definition; the Python OTLP
exporter leaves that byte empty) and the two "is the parent remote" bits the exporter sets.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from cspotlp.otlp.model import (
    Event,
    KeyValue,
    Link,
    Resource,
    Scope,
    Span,
    Status,
    attributes,
)
from cspotlp.otlp.reader import CapturedTrace

HAS_IS_REMOTE = 0x100
"""``SPAN_FLAGS_CONTEXT_HAS_IS_REMOTE_MASK``: the flags say whether the parent is remote."""
IS_REMOTE = 0x200
"""``SPAN_FLAGS_CONTEXT_IS_REMOTE_MASK``: the parent (or link target) is remote."""


def _attrs(values: Mapping[str, Any] | None) -> tuple[KeyValue, ...]:
    return attributes(values) if values else ()


def _flags(trace_flags: int, parent: Any) -> int:
    flags = (int(trace_flags) & 0xFF) | HAS_IS_REMOTE
    if parent is not None and parent.is_remote:
        flags |= IS_REMOTE
    return flags


def _trace_state(state: Any) -> str:
    return ",".join(f"{k}={v}" for k, v in state.items()) if state else ""


class _Shared:
    """Converted resources and scopes by the SDK object they came from (one conversion each).

    The SDK objects are kept referenced while this lives, so their ids stay unique.
    """

    def __init__(self) -> None:
        self._resources: dict[int, tuple[Any, Resource]] = {}
        self._scopes: dict[int, tuple[Any, Scope]] = {}

    def resource(self, sdk: Any) -> Resource:
        if sdk is None:
            return Resource()
        hit = self._resources.get(id(sdk))
        if hit is None:
            hit = self._resources[id(sdk)] = (
                sdk, Resource(_attrs(sdk.attributes), schema_url=sdk.schema_url or ""))
        return hit[1]

    def scope(self, sdk: Any) -> Scope:
        if sdk is None:
            return Scope()
        hit = self._scopes.get(id(sdk))
        if hit is None:
            hit = self._scopes[id(sdk)] = (sdk, Scope(
                sdk.name or "", sdk.version or "", _attrs(getattr(sdk, "attributes", None)),
                0, sdk.schema_url or ""))
        return hit[1]


def _convert(span: Any, shared: _Shared) -> Span:
    ctx = span.get_span_context()
    parent = span.parent
    status = span.status
    return Span(
        trace_id=f"{ctx.trace_id:032x}",
        span_id=f"{ctx.span_id:016x}",
        parent_span_id=f"{parent.span_id:016x}" if parent is not None else "",
        name=span.name,
        kind=int(span.kind.value) + 1,
        start_time_unix_nano=span.start_time or 0,
        end_time_unix_nano=span.end_time or 0,
        attributes=_attrs(span.attributes),
        events=tuple(Event(e.timestamp, e.name, _attrs(e.attributes), e.dropped_attributes)
                     for e in span.events),
        links=tuple(Link(f"{k.context.trace_id:032x}", f"{k.context.span_id:016x}",
                         _trace_state(k.context.trace_state), _attrs(k.attributes),
                         k.dropped_attributes, _flags(k.context.trace_flags, k.context))
                    for k in span.links),
        status=Status(int(status.status_code.value), status.description or ""),
        trace_state=_trace_state(ctx.trace_state),
        flags=_flags(ctx.trace_flags, parent),
        dropped_attributes_count=span.dropped_attributes,
        dropped_events_count=span.dropped_events,
        dropped_links_count=span.dropped_links,
        resource=shared.resource(span.resource),
        scope=shared.scope(span.instrumentation_scope),
    )


def to_span(span: Any) -> Span:
    """The cspotlp span of one SDK ``ReadableSpan``.

    A span that has not ended gets ``end_time_unix_nano == 0`` (cspotlp's "open").
    """
    return _convert(span, _Shared())


def to_spans(spans: Iterable[Any]) -> list[Span]:
    """The cspotlp spans of SDK ``ReadableSpan`` objects, in the same order."""
    shared = _Shared()
    return [_convert(s, shared) for s in spans]


def to_traces(spans: Iterable[Any]) -> tuple[CapturedTrace, ...]:
    """SDK spans grouped by trace id (traces in order of first appearance, spans in order).

    The traces are what :func:`cspotlp.otlp.load` returns for a file holding these spans;
    ``file`` is ``""``.
    """
    groups: dict[str, list[Span]] = {}
    for sp in to_spans(spans):
        groups.setdefault(sp.trace_id, []).append(sp)
    return tuple(CapturedTrace(tid, tuple(group)) for tid, group in groups.items())


__all__ = ["HAS_IS_REMOTE", "IS_REMOTE", "to_span", "to_spans", "to_traces"]
