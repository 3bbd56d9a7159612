"""OTTL's runtime values in Python, and the operations pkg/ottl defines on them.

pkg/ottl evaluates to Go values; here they are:

========================  ==================================================================
Go (pkg/ottl)             Python (this module)
========================  ==================================================================
string, bool              ``str``, ``bool``
int64, float64            ``int`` (kept within 64 bits, wrapping like Go), ``float``
[]byte                    ``bytes``
pcommon.Map / Slice       ``dict`` (insertion-ordered, like pcommon.Map) / ``list``
pcommon.TraceID, SpanID   :class:`TraceId`, :class:`SpanId` (lowercase hex, all-zero is ``""``)
time.Time, time.Duration  :class:`Timestamp`, :class:`Duration` (nanoseconds)
nil                       ``None``
========================  ==================================================================

Comparison (:func:`compare`) and arithmetic (:func:`arithmetic`) follow pkg/ottl's compare.go
and math.go: values of different types are never equal (but an int equals the float of the same
number), ``nil`` equals only ``nil``, and inequalities between types that have no order are
false.
"""

from __future__ import annotations

import base64
import json
import math
from collections.abc import Callable
from typing import Any, NamedTuple

from cspotlp.otlp.model import EMPTY_VALUE, AnyValue, Attributes, KeyValue

INT64_MIN, INT64_MAX = -(1 << 63), (1 << 63) - 1


def wrap_int64(value: int) -> int:
    """``value`` wrapped to a signed 64-bit integer, as Go's int64 arithmetic wraps."""
    if INT64_MIN <= value <= INT64_MAX:
        return value
    return ((value - INT64_MIN) % (1 << 64)) + INT64_MIN


class _Id(NamedTuple):
    hex: str

    def to_bytes(self, width: int) -> bytes:
        """The id's bytes (all zero when the id is absent)."""
        if not self.hex:
            return bytes(width)
        try:
            return bytes.fromhex(self.hex)
        except ValueError:
            return self.hex.encode()


class TraceId(_Id):
    """A trace id (pcommon.TraceID): 32 lowercase hex digits, or ``""`` for the empty id."""

    WIDTH = 16


class SpanId(_Id):
    """A span id (pcommon.SpanID): 16 lowercase hex digits, or ``""`` for the empty id."""

    WIDTH = 8


def id_from_bytes(cls: type[TraceId] | type[SpanId], raw: bytes) -> TraceId | SpanId:
    """The id of ``raw`` (all zero bytes are the empty id, as in OTLP)."""
    return cls("" if not any(raw) else raw.hex())


class Timestamp(NamedTuple):
    """A point in time (time.Time) in nanoseconds since the Unix epoch."""

    ns: int


class Duration(NamedTuple):
    """A span of time (time.Duration) in nanoseconds."""

    ns: int


# -- OTLP attribute values <-> Python values -------------------------------------------------

_SCALAR_KINDS = frozenset(("string", "bool", "int", "double", "bytes"))


def from_any(value: AnyValue) -> Any:
    """The Python value of an OTLP value (dicts and lists for kvlists and arrays)."""
    if value.kind in _SCALAR_KINDS:
        return value.value
    if value.kind == "empty":
        return None
    return value.to_python()


def attributes_dict(attrs: Attributes) -> dict[str, Any]:
    """Attributes as an insertion-ordered dict (a repeated key keeps its last value)."""
    return {kv.key: (kv.value.value if kv.value.kind in _SCALAR_KINDS else from_any(kv.value))
            for kv in attrs}


_KIND_OF_TYPE: dict[type, str] = {str: "string", bool: "bool", int: "int", float: "double",
                                  bytes: "bytes"}
_CONTAINERS = (list, dict)


def to_any(value: Any) -> AnyValue:
    """The OTLP value of a Python value (iterative: nesting depth costs no stack)."""
    kind = _KIND_OF_TYPE.get(type(value))
    if kind is not None:
        return AnyValue(kind, value)  # type: ignore[arg-type]
    if not isinstance(value, _CONTAINERS):
        return _scalar_any(value)
    done: list[AnyValue] = []  # converted values; a container's children end up on top
    stack: list[tuple[Any, bool]] = [(value, False)]
    while stack:
        val, children_done = stack.pop()
        if isinstance(val, _CONTAINERS):
            members = list(val.values()) if isinstance(val, dict) else val
            if not children_done:
                stack.append((val, True))
                stack.extend((v, False) for v in reversed(members))
                continue
            n = len(members)
            items = done[len(done) - n:]
            del done[len(done) - n:]
            if isinstance(val, dict):
                done.append(AnyValue("kvlist", tuple(
                    KeyValue(str(k), v) for k, v in zip(val, items, strict=True))))
            else:
                done.append(AnyValue("array", tuple(items)))
        else:
            done.append(_scalar_any(val))
    return done[0]


def _scalar_any(value: Any) -> AnyValue:
    if value is None:
        return EMPTY_VALUE
    if isinstance(value, bool):
        return AnyValue("bool", value)
    if isinstance(value, int):
        return AnyValue("int", value)
    if isinstance(value, float):
        return AnyValue("double", value)
    if isinstance(value, str):
        return AnyValue("string", value)
    if isinstance(value, bytes):
        return AnyValue("bytes", value)
    if isinstance(value, _Id):
        return AnyValue("bytes", value.to_bytes(value.WIDTH))  # type: ignore[attr-defined]
    if isinstance(value, Timestamp | Duration):
        return AnyValue("int", value.ns)
    raise TypeError(f"no OTLP value for {type_name(value)}")


def open_attributes(attrs: Attributes) -> tuple[dict[str, Any], dict[str, Any]]:
    """Attributes as a dict, and copies of its map and list values as they were opened.

    The copies let :func:`to_attributes` tell an untouched nested value from an edited one.
    """
    values = attributes_dict(attrs)
    snapshots = {k: deep_copy(v) for k, v in values.items() if isinstance(v, _CONTAINERS)}
    return values, snapshots


def to_attributes(values: dict[str, Any], original: Attributes = (),
                  snapshots: dict[str, Any] | None = None) -> Attributes:
    """Attributes from a dict of Python values, in the dict's order.

    An entry that statements left alone keeps its original record: a scalar that is the very
    object read from ``original``, or a map or list equal to its ``snapshots`` copy. So only
    what statements changed is converted again, and untouched values keep everything OTLP
    can hold (repeated keys inside a kvlist, for one).
    """
    if not original:
        return tuple(KeyValue(k, to_any(v)) for k, v in values.items())
    old = {kv.key: kv for kv in original}
    snaps = snapshots or {}
    out: list[KeyValue] = []
    for k, v in values.items():
        kv = old.get(k)
        if kv is not None and (kv.value.value is v or (
                k in snaps and isinstance(v, _CONTAINERS) and values_equal(v, snaps[k]))):
            out.append(kv)
        else:
            out.append(KeyValue(k, to_any(v)))
    return tuple(out)


def deep_copy(value: Any) -> Any:
    """A copy of ``value`` sharing no dict or list with it (iterative)."""
    if not isinstance(value, list | dict):
        return value
    root: list[Any] = [None]
    frames: list[tuple[Any, Any, Any]] = [(value, root, 0)]
    while frames:
        val, box, slot = frames.pop()
        if isinstance(val, dict):
            new: Any = dict.fromkeys(val)
            box[slot] = new
            frames.extend((v, new, k) for k, v in val.items())
        elif isinstance(val, list):
            new = [None] * len(val)
            box[slot] = new
            frames.extend((v, new, i) for i, v in enumerate(val))
        else:
            box[slot] = val
    return root[0]


# -- type names, as pkg/ottl's errors spell them ---------------------------------------------


def type_name(value: Any) -> str:
    """The Go-ish type name pkg/ottl's messages use (``string``, ``int64``, ``pcommon.Map``)."""
    if value is None:
        return "nil"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int64"
    if isinstance(value, float):
        return "float64"
    if isinstance(value, str):
        return "string"
    if isinstance(value, bytes):
        return "[]byte"
    if isinstance(value, dict):
        return "pcommon.Map"
    if isinstance(value, list):
        return "pcommon.Slice"
    if isinstance(value, TraceId):
        return "pcommon.TraceID"
    if isinstance(value, SpanId):
        return "pcommon.SpanID"
    if isinstance(value, Timestamp):
        return "time.Time"
    if isinstance(value, Duration):
        return "time.Duration"
    return type(value).__name__


# -- equality and comparison (pkg/ottl compare.go) -------------------------------------------


def values_equal(a: Any, b: Any) -> bool:
    """Equality of OTTL values: types must agree (ints and floats compare as numbers).

    ``True`` is not ``1`` here, unlike in Python; maps compare key by key, lists item by item
    (iteratively).
    """
    pairs = [(a, b)]
    while pairs:
        x, y = pairs.pop()
        if isinstance(x, bool) or isinstance(y, bool):
            if not (isinstance(x, bool) and isinstance(y, bool) and x == y):
                return False
        elif isinstance(x, dict):
            if not isinstance(y, dict) or len(x) != len(y):
                return False
            for k, v in x.items():
                if k not in y:
                    return False
                pairs.append((v, y[k]))
        elif isinstance(x, list):
            if not isinstance(y, list) or len(x) != len(y):
                return False
            pairs.extend(zip(x, y, strict=True))
        elif isinstance(x, int | float) and isinstance(y, int | float):
            if x != y:
                return False
        elif type(x) is not type(y) or x != y:
            return False
    return True


_ORDER: dict[str, Callable[[Any, Any], bool]] = {
    "<": lambda x, y: x < y, "<=": lambda x, y: x <= y,
    ">": lambda x, y: x > y, ">=": lambda x, y: x >= y,
}


def compare(left: Any, right: Any, op: str) -> bool:
    """``left op right`` under pkg/ottl's rules (compare.go).

    >>> compare(1, 1.0, "=="), compare(True, 1, "=="), compare(None, None, "=="), compare("a", 1, "<")
    (True, False, True, False)
    """
    if op == "==":
        return values_equal(left, right)
    if op == "!=":
        return not values_equal(left, right)
    if left is None or right is None or isinstance(left, bool) or isinstance(right, bool):
        return False
    if isinstance(left, int | float):
        ok = isinstance(right, int | float)
    elif isinstance(left, str | bytes | Timestamp | Duration):
        ok = type(left) is type(right)
    else:
        ok = False  # maps, lists, ids: no order
    if not ok:
        return False
    if isinstance(left, float) and math.isnan(left):
        return False
    return _ORDER[op](left, right)


# -- arithmetic (pkg/ottl math.go) -----------------------------------------------------------


class MathError(Exception):
    """An arithmetic operation pkg/ottl refuses (types, division by zero)."""


def arithmetic(left: Any, op: str, right: Any) -> Any:
    """``left op right`` for ints, floats, times and durations, as pkg/ottl's math.go.

    >>> arithmetic(7, "/", 2), arithmetic(Timestamp(5), "-", Timestamp(2))
    (3, Duration(ns=3))

    Raises:
        MathError: mismatched or unsupported types, or division by zero.
    """
    if isinstance(left, bool) or isinstance(right, bool):
        raise MathError(f"cannot apply {op} to {type_name(left)} and {type_name(right)}")
    if isinstance(left, int) and isinstance(right, int):
        if op == "+":
            return wrap_int64(left + right)
        if op == "-":
            return wrap_int64(left - right)
        if op == "*":
            return wrap_int64(left * right)
        if right == 0:
            raise MathError("attempted to divide by 0")
        q = abs(left) // abs(right)  # Go truncates toward zero
        return wrap_int64(q if (left < 0) == (right < 0) else -q)
    if isinstance(left, float) and isinstance(right, float):
        if op == "+":
            return left + right
        if op == "-":
            return left - right
        if op == "*":
            return left * right
        if right == 0:
            raise MathError("attempted to divide by 0")
        return left / right
    if isinstance(left, Timestamp):
        if isinstance(right, Duration) and op in "+-":
            return Timestamp(left.ns + right.ns if op == "+" else left.ns - right.ns)
        if isinstance(right, Timestamp) and op == "-":
            return Duration(left.ns - right.ns)
        raise MathError(f"only time.Time - time.Time and time.Time +/- time.Duration are "
                        f"allowed, not time.Time {op} {type_name(right)}")
    if isinstance(left, Duration):
        if isinstance(right, Duration) and op in "+-":
            return Duration(left.ns + right.ns if op == "+" else left.ns - right.ns)
        raise MathError(f"only time.Duration +/- time.Duration is allowed, not "
                        f"time.Duration {op} {type_name(right)}")
    if isinstance(left, int | float) and isinstance(right, int | float):
        raise MathError(f"{type_name(right)} must be {type_name(left)}: pkg/ottl does not mix "
                        f"int64 and float64 (convert with Int or Double)")
    raise MathError(f"cannot apply {op} to {type_name(left)} and {type_name(right)}")


def to_json_text(value: Any) -> str:
    """``value`` as compact JSON (maps and lists, as pkg/ottl's String and Concat print them).

    Raises:
        ValueError: the value is nested too deeply to encode.
    """
    try:
        return json.dumps(_jsonable(value), separators=(",", ":"), ensure_ascii=False)
    except RecursionError as e:
        raise ValueError("value nested too deeply to encode as JSON") from e


def _jsonable(value: Any) -> Any:
    if isinstance(value, bytes):  # Go's encoding/json writes []byte as base64
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, _Id):
        return list(value.to_bytes(value.WIDTH))  # type: ignore[attr-defined]
    if isinstance(value, dict):
        root: dict[str, Any] = {}
        frames: list[tuple[Any, Any, Any]] = [(v, root, k) for k, v in value.items()]
        for k in value:
            root[k] = None
    elif isinstance(value, list):
        root_list: list[Any] = [None] * len(value)
        frames = [(v, root_list, i) for i, v in enumerate(value)]
    else:
        return value
    while frames:
        val, box, slot = frames.pop()
        if isinstance(val, dict):
            new: Any = dict.fromkeys(val)
            frames.extend((v, new, k) for k, v in val.items())
        elif isinstance(val, list):
            new = [None] * len(val)
            frames.extend((v, new, i) for i, v in enumerate(val))
        elif isinstance(val, bytes | _Id):
            new = _jsonable(val)
        else:
            new = val
        box[slot] = new
    return root if isinstance(value, dict) else root_list


__all__ = [
    "INT64_MAX", "INT64_MIN", "Duration", "MathError", "SpanId", "Timestamp", "TraceId",
    "arithmetic", "attributes_dict", "compare", "deep_copy", "from_any", "id_from_bytes",
    "open_attributes",
    "to_any", "to_attributes", "to_json_text", "type_name", "values_equal", "wrap_int64",
]
