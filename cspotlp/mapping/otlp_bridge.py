"""The bridge between captured OTLP traces and span forests (and so, through Ψ, CSP traces).

:func:`to_forest` turns the spans of one trace id into a :class:`~cspotlp.mapping.Forest`:

* span id → forest id (hex string; ``<id>_2``... for split duplicates), parent → parent;
* times → nanoseconds as read (after the repairs of :func:`cspotlp.otlp.repair.validate`);
* the begin payload is a :class:`SpanPayload` holding every OTLP field the ``begin`` event does
  not carry itself (trace id, OTLP span and parent ids, trace state, flags, kind, attributes,
  dropped counts, resource, scope) and, with ``keep_times=True``, the original start and end;
* span events → marks with an :class:`EventPayload` (attributes; original time and position
  when times are kept); links → forest links at the span's start, target
  ``(trace id, span id)``, :class:`LinkPayload`; status → the ``end`` status (an OTLP
  :class:`~cspotlp.otlp.Status`);
* a synthetic root (``synthetic-root`` repair) has a :class:`SyntheticPayload`.

:func:`forest_to_spans` goes back: OTLP fields come from the payloads; times are the forest's
(normalised times, if the forest is normalised), or with ``original_times=True`` the ones kept in
the payloads. Hence, for a captured trace ``t`` converted with ``keep_times=True``::

    forest_to_spans(phi(psi(to_forest(t, keep_times=True))), original_times=True)

gives back exactly the spans of ``t`` (as a multiset: a forest does not keep file order), and
without ``original_times`` the same spans with times 1..m. A forest built from a CSP trace with
other payloads converts too: ids are derived deterministically from forest ids, other fields
take their defaults.

Problems in captured data are rejected or repaired by :func:`~cspotlp.otlp.repair.validate`,
never silently; the forest it yields satisfies every forest condition (the property tests check
this with ``check=True``, which runs ``forest_violations`` on the result).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from cspotlp.errors import MappingError
from cspotlp.mapping.forest import Forest, SpanRecord, TimedLink, TimedMark, forest_violations
from cspotlp.mapping.vocabulary import SpanId, id_key
from cspotlp.otlp.model import (
    EMPTY_RESOURCE,
    EMPTY_SCOPE,
    UNSET_STATUS,
    Attributes,
    Event,
    Link,
    Resource,
    Scope,
    Span,
    Status,
)
from cspotlp.otlp.reader import CapturedTrace
from cspotlp.otlp.repair import ValidTrace, validate

_new = tuple.__new__  # builds a NamedTuple without its Python-level __new__ (hot path)


class SpanPayload(NamedTuple):
    """The payload of ``begin``: the OTLP fields of a span beyond id, parent and name."""

    trace_id: str
    span_id: str
    parent_span_id: str
    trace_state: str
    flags: int
    kind: int
    attributes: Attributes
    dropped_attributes_count: int
    dropped_events_count: int
    dropped_links_count: int
    resource: Resource
    scope: Scope
    original_times: tuple[int, int] | None = None
    open_status: Status = UNSET_STATUS
    """The status of a span that has not ended (a forest gives open spans no end status)."""


class EventPayload(NamedTuple):
    """The payload of ``mark``: an OTLP event's attributes, and (kept times) its time and index."""

    attributes: Attributes
    dropped_attributes_count: int
    original: tuple[int, int] | None = None


class LinkPayload(NamedTuple):
    """The payload of ``link``: an OTLP link's fields beyond its target."""

    trace_state: str
    attributes: Attributes
    dropped_attributes_count: int
    flags: int


class SyntheticPayload(NamedTuple):
    """The payload of a span made up by a repair (``synthetic-root``); not an OTLP span."""

    trace_id: str
    reason: str


def to_forest(trace: CapturedTrace | ValidTrace, *, repairs: Iterable[str] = (),
              keep_times: bool = False, check: bool = False) -> Forest:
    """The span forest of one captured trace (see the module docstring).

    Args:
        trace: the spans of one trace id, or a trace already validated.
        repairs: repair policies for :func:`~cspotlp.otlp.repair.validate` (default: reject).
        keep_times: also keep the original times in the payloads.
        check: also run ``forest_violations`` on the result (validation already guarantees a
            valid forest; the property tests check that it does, so this costs time for
            nothing outside tests).

    Raises:
        OtlpError: the trace breaks a forest condition that no chosen repair fixes.
        MappingError: with ``check``, the result is not a valid forest (a bug).
    """
    valid = trace if isinstance(trace, ValidTrace) else validate(trace, repairs)
    records = _clean_records(valid.trace.spans, keep_times) if valid.clean else \
        _records(valid, keep_times)
    forest = Forest(records)
    if check and (problems := forest_violations(forest)):
        raise MappingError(f"trace {valid.trace.trace_id}: not a valid forest: {problems[0]}")
    return forest


def _records(valid: ValidTrace, keep_times: bool) -> list[SpanRecord]:
    """The forest records of the nodes of a validated (possibly repaired) trace."""
    spans = valid.trace.spans
    records: list[SpanRecord] = []
    for node in valid.nodes:
        if node.span_index < 0:
            records.append(SpanRecord(node.id, node.parent, node.name,
                                      SyntheticPayload(valid.trace.trace_id, "absent parent"),
                                      node.start, node.end, (), (), UNSET_STATUS))
            continue
        sp = spans[node.span_index]
        records.append(SpanRecord(
            node.id, node.parent, node.name, _payload(sp, keep_times, node.end is None),
            node.start, node.end, _marks(node.event_times, sp.events, keep_times) if sp.events
            else (), _timed_links(node.start, sp.links) if sp.links else (),
            sp.status if node.end is not None else None))
    return records


def _clean_records(spans: tuple[Span, ...], keep_times: bool) -> list[SpanRecord]:
    """The forest records of a trace that validation left as it is (its nodes are its spans).

    The same records as :func:`_records` gives for such a trace, read from the spans directly.
    """
    records: list[SpanRecord] = []
    append = records.append
    new = _new
    for sp in spans:
        (tid, sid, pid, name, kind, start, end, attrs, events, links, status, trace_state, flags,
         dropped_attrs, dropped_events, dropped_links, resource, scope) = sp
        payload = new(SpanPayload, (
            tid, sid, pid, trace_state, flags, kind, attrs, dropped_attrs, dropped_events,
            dropped_links, resource, scope, (start, end) if keep_times else None,
            UNSET_STATUS if end else status))
        append(SpanRecord(
            sid, pid or None, name, payload, start, end or None,
            _marks([e.time_unix_nano for e in events], events, keep_times) if events else (),
            _timed_links(start, links) if links else (), status if end else None))
    return records


def _payload(sp: Span, keep_times: bool, is_open: bool) -> SpanPayload:
    return _new(SpanPayload, (
        sp.trace_id, sp.span_id, sp.parent_span_id, sp.trace_state, sp.flags, sp.kind,
        sp.attributes, sp.dropped_attributes_count, sp.dropped_events_count,
        sp.dropped_links_count, sp.resource, sp.scope,
        (sp.start_time_unix_nano, sp.end_time_unix_nano) if keep_times else None,
        sp.status if is_open else UNSET_STATUS))


def _marks(times: Sequence[int], events: tuple[Event, ...], keep_times: bool
           ) -> tuple[TimedMark, ...]:
    return tuple([
        TimedMark(t, e.name, EventPayload(e.attributes, e.dropped_attributes_count,
                                          (e.time_unix_nano, k) if keep_times else None))
        for k, (t, e) in enumerate(zip(times, events, strict=True))])


def _timed_links(start: int, links: tuple[Link, ...]) -> tuple[TimedLink, ...]:
    return tuple([TimedLink(start, (k.trace_id, k.span_id),
                            LinkPayload(k.trace_state, k.attributes, k.dropped_attributes_count,
                                        k.flags))
                  for k in links])


def forest_to_spans(forest: Forest, *, original_times: bool = False, trace_id: str | None = None,
                    epoch: int = 0, tick: int = 1, include_synthetic: bool = False
                    ) -> tuple[Span, ...]:
    """OTLP spans of a forest, in forest (span id) order.

    Args:
        forest: a forest from :func:`to_forest`, Φ, or any other source.
        original_times: use the times kept in the payloads (``keep_times=True``) where present.
        trace_id: the trace id of spans whose payload has none (default: derived from the ids).
        epoch: forest time 0, in Unix nanoseconds, for spans without original times.
        tick: nanoseconds per forest time unit.
        include_synthetic: also return the spans made up by repairs.
    """
    default_trace = trace_id or _derived_id(tuple(sorted(id_key(s) for s in forest)), 32)
    spans: list[Span] = []
    for rec in forest.records():
        payload = rec.payload
        if isinstance(payload, SyntheticPayload) and not include_synthetic:
            continue
        start, end = epoch + rec.start * tick, (epoch + rec.end * tick if rec.end is not None else 0)
        if isinstance(payload, SpanPayload):
            tid, sid, pid = payload.trace_id, payload.span_id, payload.parent_span_id
            if original_times and payload.original_times is not None:
                start, end = payload.original_times
        else:
            tid = payload.trace_id if isinstance(payload, SyntheticPayload) else default_trace
            sid = _otlp_id(rec.id)
            pid = _otlp_id(rec.parent) if rec.parent is not None else ""
        spans.append(Span(
            tid, sid, pid, rec.name,
            payload.kind if isinstance(payload, SpanPayload) else 0, start, end,
            payload.attributes if isinstance(payload, SpanPayload) else (),
            _events(rec, original_times, epoch, tick), _links(rec),
            payload.open_status if isinstance(payload, SpanPayload) and rec.end is None
            else _status(rec.status),
            *_span_extras(payload)))
    return tuple(spans)


def _span_extras(payload: object) -> tuple[str, int, int, int, int, Resource, Scope]:
    if isinstance(payload, SpanPayload):
        return (payload.trace_state, payload.flags, payload.dropped_attributes_count,
                payload.dropped_events_count, payload.dropped_links_count, payload.resource,
                payload.scope)
    return "", 0, 0, 0, 0, EMPTY_RESOURCE, EMPTY_SCOPE


def _events(rec: SpanRecord, original_times: bool, epoch: int, tick: int) -> tuple[Event, ...]:
    items: list[tuple[int, Event]] = []
    for position, m in enumerate(rec.marks):
        p = m.payload
        time = epoch + m.time * tick
        if isinstance(p, EventPayload):
            if original_times and p.original is not None:
                time, position = p.original
            items.append((position, Event(time, m.name, p.attributes, p.dropped_attributes_count)))
        else:
            items.append((position, Event(time, m.name)))
    items.sort(key=lambda item: item[0])
    return tuple(e for _, e in items)


def _links(rec: SpanRecord) -> tuple[Link, ...]:
    out: list[Link] = []
    for k in rec.links:
        target = k.target
        if isinstance(target, tuple) and len(target) == 2 and all(isinstance(x, str) for x in target):
            tid, sid = str(target[0]), str(target[1])
        else:
            tid, sid = "", _otlp_id(target if isinstance(target, int | str) else repr(target))
        p = k.payload
        if isinstance(p, LinkPayload):
            out.append(Link(tid, sid, p.trace_state, p.attributes, p.dropped_attributes_count,
                            p.flags))
        else:
            out.append(Link(tid, sid))
    return tuple(out)


def _status(status: object) -> Status:
    return status if isinstance(status, Status) else UNSET_STATUS


_HEX_DIGITS = frozenset("0123456789abcdef")


def _otlp_id(forest_id: SpanId) -> str:
    """An OTLP span id for a forest id: itself if it is 16 lowercase hex digits, else derived."""
    if isinstance(forest_id, str) and len(forest_id) == 16 and set(forest_id) <= _HEX_DIGITS:
        return forest_id
    return _derived_id(id_key(forest_id), 16)


def _derived_id(key: object, hex_len: int) -> str:
    """A deterministic id from a value whose repr does not depend on the process (ints, strs)."""
    return hashlib.sha256(repr(key).encode()).hexdigest()[:hex_len]
