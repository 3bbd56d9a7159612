"""The mutable views OTTL statements act on, and how spans are rebuilt from them.

Spans are immutable records (:class:`cspotlp.otlp.Span`); pkg/ottl mutates pdata in place.
A batch of spans is therefore opened into mutable states — one :class:`ResourceState` per
resource object, one :class:`ScopeState` per (resource, scope) pair, one :class:`SpanState`
per span and, when a statement needs them, one :class:`EventState` per span event — that
statements read and change; :meth:`Batch.close` then builds new spans, resources and scopes
from the states that changed, and hands back the untouched spans themselves.

As in the Collector, spans that share a resource share its state: a span statement that sets
``resource.attributes["k"]`` changes it for every span of that resource.

Attributes are opened into insertion-ordered dicts only when a statement reads them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Generic, Protocol, TypeVar

from cspotlp.otlp.model import Attributes, Event, Resource, Scope, Span, Status
from cspotlp.ottl.values import open_attributes, to_attributes


class _Record(Protocol):
    @property
    def attributes(self) -> Attributes: ...
    @property
    def dropped_attributes_count(self) -> int: ...


R = TypeVar("R", bound=_Record)


class _Opened(Generic[R]):
    """What every state shares: its record (``orig``), whose attributes open on first use."""

    __slots__ = ("_attrs", "_snap", "cache", "dirty", "dropped_attributes_count", "orig")

    def __init__(self, orig: R) -> None:
        self.orig = orig
        self.dropped_attributes_count: int = orig.dropped_attributes_count
        self._attrs: dict[str, Any] | None = None
        self._snap: dict[str, Any] | None = None
        self.dirty = False
        self.cache: dict[str, Any] | None = None

    def attrs(self) -> dict[str, Any]:
        """The attributes as a dict (opened on first use)."""
        if self._attrs is None:
            self._attrs, self._snap = open_attributes(self.orig.attributes)
        return self._attrs

    def closed_attributes(self) -> Attributes:
        """The attributes as the statements left them (the record's own if never opened)."""
        if self._attrs is None:
            return self.orig.attributes
        return to_attributes(self._attrs, self.orig.attributes, self._snap)


class ResourceState(_Opened[Resource]):
    """A resource while statements run (shared by the spans of that resource)."""

    __slots__ = ("schema_url",)

    def __init__(self, resource: Resource) -> None:
        super().__init__(resource)
        self.schema_url = resource.schema_url

    def close(self) -> Resource:
        """The resource as the statements left it."""
        if not self.dirty:
            return self.orig
        return self.orig._replace(attributes=self.closed_attributes(), schema_url=self.schema_url,
                                  dropped_attributes_count=self.dropped_attributes_count)


class ScopeState(_Opened[Scope]):
    """An instrumentation scope while statements run (shared by its spans)."""

    __slots__ = ("name", "resource", "schema_url", "version")

    def __init__(self, scope: Scope, resource: ResourceState) -> None:
        super().__init__(scope)
        self.resource = resource
        self.name, self.version, self.schema_url = scope.name, scope.version, scope.schema_url

    def close(self) -> Scope:
        """The scope as the statements left it."""
        if not self.dirty:
            return self.orig
        return Scope(self.name, self.version, self.closed_attributes(), self.dropped_attributes_count,
                     self.schema_url)


class SpanState(_Opened[Span]):
    """One span while statements run: every field, mutable; attributes opened on demand."""

    __slots__ = ("_events", "dropped_events_count", "dropped_links_count", "end_time_unix_nano", "flags",
                 "kind", "name", "parent_span_id", "removed", "resource", "scope",
                 "span_id",
                 "start_time_unix_nano", "status_code", "status_message", "trace_id",
                 "trace_state")

    def __init__(self, span: Span, resource: ResourceState, scope: ScopeState) -> None:
        super().__init__(span)
        self.resource, self.scope = resource, scope
        self.trace_id, self.span_id, self.parent_span_id = (span.trace_id, span.span_id,
                                                            span.parent_span_id)
        self.name, self.kind = span.name, span.kind
        self.start_time_unix_nano, self.end_time_unix_nano = (span.start_time_unix_nano,
                                                              span.end_time_unix_nano)
        self.status_code, self.status_message = span.status.code, span.status.message
        self.trace_state, self.flags = span.trace_state, span.flags
        self.dropped_events_count = span.dropped_events_count
        self.dropped_links_count = span.dropped_links_count
        self._events: list[EventState] | None = None
        self.removed = False  # dropped by a filter condition

    def events(self) -> list[EventState]:
        """The span events as states (opened on first use)."""
        if self._events is None:
            self._events = [EventState(e, self, i) for i, e in enumerate(self.orig.events)]
        return self._events

    def close(self, resource: Resource, scope: Scope) -> Span:
        """The span as the statements left it, with its (possibly new) resource and scope."""
        events_changed = self._events is not None and any(e.dirty or e.dropped
                                                          for e in self._events)
        if not (self.dirty or events_changed) and resource is self.orig.resource \
                and scope is self.orig.scope:
            return self.orig
        span = self.orig
        events = span.events
        if events_changed and self._events is not None:
            events = tuple(e.close() for e in self._events if not e.dropped)
        if not self.dirty:
            return span._replace(events=events, resource=resource, scope=scope)
        status = span.status
        if (self.status_code, self.status_message) != (status.code, status.message):
            status = Status(self.status_code, self.status_message)
        return Span(self.trace_id, self.span_id, self.parent_span_id, self.name, self.kind,
                    self.start_time_unix_nano, self.end_time_unix_nano,
                    self.closed_attributes(), events,
                    span.links, status, self.trace_state, self.flags,
                    self.dropped_attributes_count, self.dropped_events_count,
                    self.dropped_links_count, resource, scope)


class EventState(_Opened[Event]):
    """One span event while statements run (``spanevent`` context)."""

    __slots__ = ("dropped", "index", "name", "span", "time_unix_nano")

    def __init__(self, event: Event, span: SpanState, index: int) -> None:
        super().__init__(event)
        self.span, self.index = span, index
        self.name, self.time_unix_nano = event.name, event.time_unix_nano
        self.dropped = False

    def close(self) -> Event:
        """The event as the statements left it."""
        if not self.dirty:
            return self.orig
        return Event(self.time_unix_nano, self.name, self.closed_attributes(),
                     self.dropped_attributes_count)


class Batch:
    """The states of a batch of spans: resources and scopes shared as the spans share them.

    Resource and scope objects are grouped by identity (the readers share one object among
    the spans of one ResourceSpans / ScopeSpans), in order of first appearance.
    """

    def __init__(self, spans: Sequence[Span]) -> None:
        resources: dict[int, ResourceState] = {}
        scopes: dict[tuple[int, int], ScopeState] = {}
        self.spans: list[SpanState] = []
        for span in spans:
            rkey = id(span.resource)
            rstate = resources.get(rkey)
            if rstate is None:
                rstate = resources[rkey] = ResourceState(span.resource)
            skey = (rkey, id(span.scope))
            sstate = scopes.get(skey)
            if sstate is None:
                sstate = scopes[skey] = ScopeState(span.scope, rstate)
            self.spans.append(SpanState(span, rstate, sstate))
        self.resources = list(resources.values())
        self.scopes = list(scopes.values())

    def close(self, keep: Sequence[bool] | None = None) -> list[Span]:
        """The spans as the statements left them (only those ``keep`` marks, if given)."""
        new_resources = {id(r): r.close() for r in self.resources}
        new_scopes = {id(s): s.close() for s in self.scopes}
        # a scope rebuilt for another reason keeps pointing at the same scope object
        out: list[Span] = []
        for k, st in enumerate(self.spans):
            if keep is not None and not keep[k]:
                continue
            out.append(st.close(new_resources[id(st.resource)], new_scopes[id(st.scope)]))
        return out


__all__ = ["Batch", "EventState", "ResourceState", "ScopeState", "SpanState"]
