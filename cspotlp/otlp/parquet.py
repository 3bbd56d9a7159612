"""Span tables in Parquet: one row per span, as trace archives keep them.

The layout is the one the ClickHouse exporter of the OpenTelemetry Collector defines and
``otlp2parquet`` writes (PascalCase columns): ``Timestamp`` (span start, ns), ``TraceId``,
``SpanId``, ``ParentSpanId``, ``TraceState``, ``SpanName``, ``SpanKind``, ``ServiceName``,
``ResourceAttributes``, ``ScopeName``, ``ScopeVersion``, ``SpanAttributes``, ``Duration`` (ns),
``StatusCode``, ``StatusMessage``, and the event and link lists ``Events_Timestamp``,
``Events_Name``, ``Events_Attributes``, ``Links_TraceId``, ``Links_SpanId``,
``Links_TraceState``, ``Links_Attributes`` (ClickHouse spells these ``Events.Name`` etc.; both
spellings are read). Ids are hex strings or raw bytes; kinds and status codes are names
(``SERVER``, ``Server``, ``SPAN_KIND_SERVER``, ``Error``, ``STATUS_CODE_ERROR``) or numbers.
Attribute maps hold strings: a span read from Parquet has string attributes only.

Only ``TraceId``, ``SpanId``, ``SpanName`` and ``Timestamp`` are required; a missing optional
column reads as empty. Errors name the file, the row (as its line) and the trace and span ids.

``pyarrow`` is an optional dependency (the ``archive`` extra); it is imported when a Parquet
file is read or written.

>>> from cspotlp.otlp.model import Span
>>> import tempfile, os
>>> path = os.path.join(tempfile.mkdtemp(), "spans.parquet")
>>> write_parquet([Span("ab" * 16, "cd" * 8, "", "GET /", 2, 10, 25)], path)
>>> [(s.name, s.kind, s.end_time_unix_nano) for s in read_parquet(path)]
[('GET /', 2, 25)]
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from typing import IO, Any

from cspotlp.errors import MalformedInput, SpanWhere
from cspotlp.otlp.context import DecodeContext
from cspotlp.otlp.model import (
    SPAN_ID_HEX,
    SPAN_KIND_NAMES,
    STATUS_CODE_NAMES,
    TRACE_ID_HEX,
    AnyValue,
    Attributes,
    Event,
    KeyValue,
    Link,
    Resource,
    Scope,
    Span,
    Status,
    id_problem,
    service_name,
)

MAGIC = b"PAR1"
"""The first (and last) four bytes of every Parquet file."""

REQUIRED = ("TraceId", "SpanId", "SpanName", "Timestamp")
_BATCH_ROWS = 1 << 16

_KINDS = {name: code for code, name in enumerate(SPAN_KIND_NAMES)}
_KINDS.update({name.removeprefix("SPAN_KIND_"): code for name, code in list(_KINDS.items())})
_KINDS.update({name.capitalize(): code for name, code in list(_KINDS.items())})
_STATUS = {name: code for code, name in enumerate(STATUS_CODE_NAMES)}
_STATUS.update({name.removeprefix("STATUS_CODE_"): code for name, code in list(_STATUS.items())})
_STATUS.update({name.capitalize(): code for name, code in list(_STATUS.items())})
_STATUS[""] = 0


def _pyarrow() -> Any:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError as e:  # pragma: no cover - the archive extra is part of dev
        raise MalformedInput("reading Parquet needs pyarrow: pip install 'cspotlp[archive]'") from e
    return pa, pq


def is_parquet(head: bytes) -> bool:
    """Whether a file starting with ``head`` is a Parquet file."""
    return head.startswith(MAGIC)


def _column(names: Sequence[str], *spellings: str) -> str | None:
    return next((s for s in spellings if s in names), None)


class _Columns:
    """The column names of one file, each under the spelling the file uses (None if absent)."""

    def __init__(self, names: Sequence[str], file: str) -> None:
        missing = [c for c in REQUIRED if c not in names]
        if missing:
            raise MalformedInput(
                f"not a span table: no column {', '.join(missing)} (a Parquet span table has "
                f"one row per span with columns {', '.join(REQUIRED)}, ...)", SpanWhere(file))
        self.wanted: dict[str, str | None] = {
            field: _column(names, field, field.replace("_", "."))
            for field in ("TraceId", "SpanId", "ParentSpanId", "TraceState", "SpanName",
                          "SpanKind", "ServiceName", "ResourceAttributes", "ScopeName",
                          "ScopeVersion", "SpanAttributes", "Timestamp", "Duration",
                          "StatusCode", "StatusMessage", "Events_Timestamp", "Events_Name",
                          "Events_Attributes", "Links_TraceId", "Links_SpanId",
                          "Links_TraceState", "Links_Attributes")}

    def present(self) -> list[str]:
        return [c for c in self.wanted.values() if c is not None]


class ParquetDecoder:
    """Turns the rows of a Parquet span table into :class:`Span` records."""

    def __init__(self, ctx: DecodeContext) -> None:
        self.ctx = ctx
        self._resources: dict[tuple[str | None, tuple[tuple[str, str], ...]], Resource] = {}

    def batches(self, source: str | IO[bytes]) -> Iterator[list[Span]]:
        """The spans of a file (a path or a seekable binary stream), one list per batch of rows.

        Rows are numbered from 1 and reported as lines in errors.
        """
        pa, pq = _pyarrow()
        try:
            table = pq.ParquetFile(source)
            columns = _Columns(table.schema_arrow.names, self.ctx.file)
            row = 0
            for batch in table.iter_batches(batch_size=_BATCH_ROWS, columns=columns.present()):
                data = {field: (_as_python(pa, batch.column(name)) if name is not None else None)
                        for field, name in columns.wanted.items()}
                yield [self._span(data, k, row + k + 1) for k in range(batch.num_rows)]
                row += batch.num_rows
        except (OSError, pa.ArrowException) as e:
            raise MalformedInput(f"cannot read Parquet: {e}", SpanWhere(self.ctx.file)) from e
        finally:
            self.ctx.line = None

    def _span(self, data: dict[str, list[Any] | None], k: int, row: int) -> Span:
        ctx = self.ctx
        ctx.line = row

        def get(field: str, default: Any = None) -> Any:
            col = data[field]
            value = col[k] if col is not None else None
            return default if value is None else value

        tid = self._id(get("TraceId", ""), TRACE_ID_HEX, "trace id", "", "")
        sid = self._id(get("SpanId", ""), SPAN_ID_HEX, "span id", tid, "")
        parent = get("ParentSpanId", "")
        pid = self._id(parent, SPAN_ID_HEX, "parent span id", tid, sid) if parent else ""
        start = self._nanos(get("Timestamp"), "Timestamp", tid, sid)
        duration = self._nanos(get("Duration", 0), "Duration", tid, sid)
        kind = self._code(get("SpanKind", 0), _KINDS, len(SPAN_KIND_NAMES), "SpanKind", tid, sid)
        status = Status(self._code(get("StatusCode", 0), _STATUS, len(STATUS_CODE_NAMES),
                                   "StatusCode", tid, sid), str(get("StatusMessage", "")))
        return Span(
            trace_id=tid, span_id=sid, parent_span_id=pid, name=ctx.intern(str(get("SpanName"))),
            kind=kind, start_time_unix_nano=start, end_time_unix_nano=start + duration,
            attributes=self._attributes(get("SpanAttributes", ())),
            events=self._events(get("Events_Timestamp", ()), get("Events_Name", ()),
                                get("Events_Attributes", ()), tid, sid),
            links=self._links(get("Links_TraceId", ()), get("Links_SpanId", ()),
                              get("Links_TraceState", ()), get("Links_Attributes", ()), tid, sid),
            status=status, trace_state=str(get("TraceState", "")),
            resource=self._resource(get("ServiceName"), get("ResourceAttributes", ())),
            scope=ctx.scope(Scope(str(get("ScopeName", "")), str(get("ScopeVersion", "")))))

    def _id(self, raw: object, hex_len: int, what: str, tid: str, sid: str) -> str:
        text = raw.hex() if isinstance(raw, bytes) else str(raw).lower()
        problem = id_problem(text, hex_len)
        if problem is None and any(c not in "0123456789abcdef" for c in text):
            problem = "is not hexadecimal"
        if problem is not None:
            self.ctx.fail(f"invalid {what} {text!r}: {problem}", tid or None, sid or None)
        return self.ctx.intern(text)

    def _nanos(self, raw: object, what: str, tid: str, sid: str) -> int:
        if not isinstance(raw, int) or isinstance(raw, bool) or not 0 <= raw < 1 << 64:
            self.ctx.fail(f"{what} is not a time in nanoseconds: {raw!r}", tid, sid)
        return raw

    def _code(self, raw: object, names: dict[str, int], size: int, what: str,
              tid: str, sid: str) -> int:
        if isinstance(raw, int) and not isinstance(raw, bool) and 0 <= raw < size:
            return raw
        if isinstance(raw, str) and raw in names:
            return names[raw]
        self.ctx.fail(f"unknown {what} {raw!r}", tid, sid)

    def _attributes(self, raw: Iterable[Any]) -> Attributes:
        if not self.ctx.keep_attributes:
            return ()
        return tuple(self.ctx.key_value(str(k), AnyValue("string", str(v)))
                     for k, v in _pairs(raw))

    def _resource(self, service: object, raw: Iterable[Any]) -> Resource:
        pairs = tuple((str(k), str(v)) for k, v in _pairs(raw))
        key = (None if service is None else str(service), pairs)
        got = self._resources.get(key)
        if got is None:
            attrs: list[KeyValue] = [KeyValue(k, AnyValue("string", v)) for k, v in pairs]
            resource = Resource(tuple(attrs))
            if key[0] is not None and service_name(resource) is None:
                attrs.insert(0, KeyValue("service.name", AnyValue("string", key[0])))
            got = self._resources[key] = self.ctx.resource(Resource(tuple(attrs)))
        return got

    def _events(self, times: Sequence[Any], names: Sequence[Any], attrs: Sequence[Any],
                tid: str, sid: str) -> tuple[Event, ...]:
        if len(names) != len(times):
            self.ctx.fail("Events_Timestamp and Events_Name differ in length", tid, sid)
        return tuple(Event(self._nanos(t, "Events_Timestamp", tid, sid), str(n),
                           self._attributes(attrs[i] if i < len(attrs) else ()))
                     for i, (t, n) in enumerate(zip(times, names, strict=True)))

    def _links(self, tids: Sequence[Any], sids: Sequence[Any], states: Sequence[Any],
               attrs: Sequence[Any], tid: str, sid: str) -> tuple[Link, ...]:
        if len(tids) != len(sids):
            self.ctx.fail("Links_TraceId and Links_SpanId differ in length", tid, sid)
        return tuple(Link(self._id(t, TRACE_ID_HEX, "link trace id", tid, sid),
                          self._id(s, SPAN_ID_HEX, "link span id", tid, sid),
                          str(states[i]) if i < len(states) and states[i] is not None else "",
                          self._attributes(attrs[i] if i < len(attrs) else ()))
                     for i, (t, s) in enumerate(zip(tids, sids, strict=True)))


def _as_python(pa: Any, column: Any) -> list[Any]:
    """A column as Python values, times and durations as integer nanoseconds."""
    kind = column.type
    if pa.types.is_timestamp(kind):
        column = column.cast(pa.timestamp("ns")).cast(pa.int64())
    elif pa.types.is_duration(kind):
        column = column.cast(pa.duration("ns")).cast(pa.int64())
    elif pa.types.is_list(kind) and pa.types.is_timestamp(kind.value_type):
        column = column.cast(pa.list_(pa.timestamp("ns"))).cast(pa.list_(pa.int64()))
    values: list[Any] = column.to_pylist()
    return values


def _pairs(raw: Any) -> Iterable[tuple[Any, Any]]:
    """A Parquet map as (key, value) pairs: pyarrow gives a list of tuples (or a dict)."""
    if raw is None:
        return ()
    if isinstance(raw, dict):
        return raw.items()
    return ((k, v) for k, v in raw)


def read_parquet(path: str | os.PathLike[str], *, keep_attributes: bool = True) -> list[Span]:
    """Every span of a Parquet span table, in row order."""
    decoder = ParquetDecoder(DecodeContext(os.fspath(path), keep_attributes=keep_attributes))
    return [span for batch in decoder.batches(os.fspath(path)) for span in batch]


def _hex_or_none(text: str) -> str | None:
    return text or None


def write_parquet(spans: Iterable[Span], path: str | os.PathLike[str], *,
                  row_group_rows: int = _BATCH_ROWS) -> None:
    """Write spans as a Parquet span table in the layout this module reads.

    Attribute values are written as their text (the layout's maps hold strings).
    """
    pa, pq = _pyarrow()
    text_map = pa.map_(pa.string(), pa.string())
    schema = pa.schema([
        ("Timestamp", pa.int64()), ("TraceId", pa.string()), ("SpanId", pa.string()),
        ("ParentSpanId", pa.string()), ("TraceState", pa.string()), ("SpanName", pa.string()),
        ("SpanKind", pa.string()), ("ServiceName", pa.string()),
        ("ResourceAttributes", text_map), ("ScopeName", pa.string()),
        ("ScopeVersion", pa.string()), ("SpanAttributes", text_map), ("Duration", pa.int64()),
        ("StatusCode", pa.string()), ("StatusMessage", pa.string()),
        ("Events_Timestamp", pa.list_(pa.int64())), ("Events_Name", pa.list_(pa.string())),
        ("Events_Attributes", pa.list_(text_map)), ("Links_TraceId", pa.list_(pa.string())),
        ("Links_SpanId", pa.list_(pa.string())), ("Links_TraceState", pa.list_(pa.string())),
        ("Links_Attributes", pa.list_(text_map)),
    ])

    def text(attrs: Attributes) -> list[tuple[str, str]]:
        return [(kv.key, _attribute_text(kv.value)) for kv in attrs]

    writer = pq.ParquetWriter(os.fspath(path), schema)
    try:
        rows: list[dict[str, Any]] = []
        for span in spans:
            rows.append({
                "Timestamp": span.start_time_unix_nano, "TraceId": span.trace_id,
                "SpanId": span.span_id, "ParentSpanId": _hex_or_none(span.parent_span_id),
                "TraceState": span.trace_state, "SpanName": span.name,
                "SpanKind": SPAN_KIND_NAMES[span.kind].removeprefix("SPAN_KIND_"),
                "ServiceName": service_name(span.resource),
                "ResourceAttributes": text(span.resource.attributes),
                "ScopeName": span.scope.name, "ScopeVersion": span.scope.version,
                "SpanAttributes": text(span.attributes),
                "Duration": max(0, span.end_time_unix_nano - span.start_time_unix_nano),
                "StatusCode": STATUS_CODE_NAMES[span.status.code].removeprefix("STATUS_CODE_"),
                "StatusMessage": span.status.message,
                "Events_Timestamp": [e.time_unix_nano for e in span.events],
                "Events_Name": [e.name for e in span.events],
                "Events_Attributes": [text(e.attributes) for e in span.events],
                "Links_TraceId": [li.trace_id for li in span.links],
                "Links_SpanId": [li.span_id for li in span.links],
                "Links_TraceState": [li.trace_state for li in span.links],
                "Links_Attributes": [text(li.attributes) for li in span.links],
            })
            if len(rows) >= row_group_rows:
                writer.write_table(pa.Table.from_pylist(rows, schema=schema))
                rows = []
        if rows:
            writer.write_table(pa.Table.from_pylist(rows, schema=schema))
    finally:
        writer.close()


def _attribute_text(value: AnyValue) -> str:
    if value.kind == "string":
        assert isinstance(value.value, str)
        return value.value
    import json

    return json.dumps(value.to_python(bytes_hex=True), ensure_ascii=False, sort_keys=True)


__all__ = ["MAGIC", "REQUIRED", "ParquetDecoder", "is_parquet", "read_parquet", "write_parquet"]
