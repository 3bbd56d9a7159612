r"""The OTLP span model: every field an OTLP trace carries, in compact immutable records.

A :class:`Span` holds its resource and instrumentation scope (shared objects, not copies), trace
id, span id, parent span id, trace state, flags, name, kind, start and end times in nanoseconds,
attributes of every OTLP value type, events, links, status and the three dropped counts. Nothing
that ``opentelemetry.proto.trace.v1.Span`` can carry is left out, so reading a file and writing it
back loses nothing.

Representation choices, made for large captures (10^6 spans):

* records are ``NamedTuple``\\ s: immutable, hashable, compared by value, cheap to build;
* ids are lowercase hex strings (``""`` when absent), so diagnostics can print them as they are;
* an attribute value is an :class:`AnyValue` ``(kind, value)``: the kind keeps ``True``, ``1``
  and ``1.0`` apart, which Python's ``==`` alone would not.

>>> v = AnyValue.of({"k": [1, 2.5, True]})
>>> v.kind, v.to_python()
('kvlist', {'k': [1, 2.5, True]})
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal, NamedTuple, TypeAlias

ValueKind: TypeAlias = Literal["string", "bool", "int", "double", "bytes", "array", "kvlist", "empty"]


class AnyValue(NamedTuple):
    """An OTLP ``AnyValue``: ``kind`` says which member of the oneof is set.

    ``value`` is a ``str`` (string), ``bool``, ``int`` (a signed 64-bit int), ``float`` (double),
    ``bytes``, a tuple of :class:`AnyValue` (array), a tuple of :class:`KeyValue` (kvlist), or None
    (empty: no member set).
    """

    kind: ValueKind
    value: str | bool | int | float | bytes | tuple[AnyValue, ...] | tuple[KeyValue, ...] | None

    @staticmethod
    def of(value: object) -> AnyValue:
        """The AnyValue of a plain Python value (str, bool, int, float, bytes, list, dict, None)."""
        if value is None:
            return EMPTY_VALUE
        if isinstance(value, AnyValue):
            return value
        if isinstance(value, bool):
            return AnyValue("bool", value)
        if isinstance(value, int):
            return AnyValue("int", value)
        if isinstance(value, float):
            return AnyValue("double", value)
        if isinstance(value, str):
            return AnyValue("string", value)
        if isinstance(value, bytes | bytearray):
            return AnyValue("bytes", bytes(value))
        if isinstance(value, Mapping):
            return AnyValue("kvlist", tuple(KeyValue(str(k), AnyValue.of(v)) for k, v in value.items()))
        if isinstance(value, Sequence):
            return AnyValue("array", tuple(AnyValue.of(v) for v in value))
        raise TypeError(f"no OTLP value for {type(value).__name__}")

    def to_python(self, *, bytes_hex: bool = False) -> object:
        """The plain Python value: lists for arrays, dicts for kvlists (iteratively built).

        With ``bytes_hex``, bytes become their hex text, so the value is JSON-ready.
        """
        out: list[object] = [None]
        # (value, container, slot): fill container[slot] with the conversion of value
        stack: list[tuple[AnyValue, list[object] | dict[str, object], int | str]] = [(self, out, 0)]
        while stack:
            val, box, slot = stack.pop()
            if val.kind == "array":
                assert isinstance(val.value, tuple)
                items: list[object] = [None] * len(val.value)
                _put(box, slot, items)
                stack.extend((v, items, i) for i, v in enumerate(val.value) if isinstance(v, AnyValue))
            elif val.kind == "kvlist":
                assert isinstance(val.value, tuple)
                table: dict[str, object] = {}
                _put(box, slot, table)
                for kv in val.value:
                    if isinstance(kv, KeyValue):
                        table[kv.key] = None
                        stack.append((kv.value, table, kv.key))
            elif bytes_hex and isinstance(val.value, bytes):
                _put(box, slot, val.value.hex())
            else:
                _put(box, slot, val.value)
        return out[0]


def _put(box: list[object] | dict[str, object], slot: int | str, value: object) -> None:
    if isinstance(box, list):
        assert isinstance(slot, int)
        box[slot] = value
    else:
        assert isinstance(slot, str)
        box[slot] = value


class KeyValue(NamedTuple):
    """One attribute: a key and its value."""

    key: str
    value: AnyValue


Attributes: TypeAlias = tuple[KeyValue, ...]

EMPTY_VALUE = AnyValue("empty", None)


def attributes(values: Mapping[str, object] | None = None) -> Attributes:
    """Attributes from a mapping of plain Python values, in the mapping's order."""
    return tuple(KeyValue(k, AnyValue.of(v)) for k, v in (values or {}).items())


class EntityRef(NamedTuple):
    """A reference from a resource to an entity (``opentelemetry.proto.common.v1.EntityRef``)."""

    schema_url: str = ""
    type: str = ""
    id_keys: tuple[str, ...] = ()
    description_keys: tuple[str, ...] = ()


class Resource(NamedTuple):
    """The resource that produced spans; ``schema_url`` is the enclosing ResourceSpans' one."""

    attributes: Attributes = ()
    dropped_attributes_count: int = 0
    entity_refs: tuple[EntityRef, ...] = ()
    schema_url: str = ""


class Scope(NamedTuple):
    """The instrumentation scope; ``schema_url`` is the enclosing ScopeSpans' one."""

    name: str = ""
    version: str = ""
    attributes: Attributes = ()
    dropped_attributes_count: int = 0
    schema_url: str = ""


class Status(NamedTuple):
    """A span status: ``code`` 0 unset, 1 ok, 2 error; ``message`` describes an error."""

    code: int = 0
    message: str = ""


class Event(NamedTuple):
    """A span event (a time-stamped annotation on a span)."""

    time_unix_nano: int
    name: str
    attributes: Attributes = ()
    dropped_attributes_count: int = 0


class Link(NamedTuple):
    """A link from a span to another span context (possibly in another trace)."""

    trace_id: str
    span_id: str
    trace_state: str = ""
    attributes: Attributes = ()
    dropped_attributes_count: int = 0
    flags: int = 0


EMPTY_RESOURCE = Resource()
EMPTY_SCOPE = Scope()
UNSET_STATUS = Status()


class Span(NamedTuple):
    """One OTLP span.

    ``parent_span_id == ""`` means a root; ``end_time_unix_nano == 0`` means the span has not
    ended (OTLP never exports such spans, but Φ of an incomplete trace has them).
    """

    trace_id: str
    span_id: str
    parent_span_id: str
    name: str
    kind: int
    start_time_unix_nano: int
    end_time_unix_nano: int
    attributes: Attributes = ()
    events: tuple[Event, ...] = ()
    links: tuple[Link, ...] = ()
    status: Status = UNSET_STATUS
    trace_state: str = ""
    flags: int = 0
    dropped_attributes_count: int = 0
    dropped_events_count: int = 0
    dropped_links_count: int = 0
    resource: Resource = EMPTY_RESOURCE
    scope: Scope = EMPTY_SCOPE


SPAN_KIND_NAMES: tuple[str, ...] = (
    "SPAN_KIND_UNSPECIFIED", "SPAN_KIND_INTERNAL", "SPAN_KIND_SERVER", "SPAN_KIND_CLIENT",
    "SPAN_KIND_PRODUCER", "SPAN_KIND_CONSUMER",
)
STATUS_CODE_NAMES: tuple[str, ...] = ("STATUS_CODE_UNSET", "STATUS_CODE_OK", "STATUS_CODE_ERROR")
KIND_SERVER, KIND_CLIENT = 2, 3
STATUS_ERROR = 2
TRACE_ID_HEX, SPAN_ID_HEX = 32, 16


def attribute(attrs: Attributes, key: str) -> AnyValue | None:
    """The value of the first attribute named ``key``, or None."""
    for kv in attrs:
        if kv.key == key:
            return kv.value
    return None


def service_name(resource: Resource) -> str | None:
    """The resource's ``service.name`` string attribute, or None when it has none."""
    value = attribute(resource.attributes, "service.name")
    return value.value if value is not None and isinstance(value.value, str) else None


def id_problem(hex_id: str, hex_len: int) -> str | None:
    """Why ``hex_id`` is not a valid OTLP id of ``hex_len`` hex digits, or None if it is valid.

    The reason reads after the id: ``f"span id {id!r} {problem}"``.

    >>> id_problem("", 16), id_problem("00" * 8, 16), id_problem("abc", 16)
    ('is empty', 'is all zero', 'has 3 hex digits, not 16')
    """
    if not hex_id:
        return "is empty"
    if len(hex_id) != hex_len:
        return f"has {len(hex_id)} hex digits, not {hex_len}"
    if hex_id.count("0") == hex_len:
        return "is all zero"
    return None
