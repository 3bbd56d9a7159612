"""OTTL's converters: the uppercase, pure functions that compute values.

Strings (``Concat``, ``Split``, ``Substring``, ``ConvertCase`` and kin, ``Format``), types
(``Is*``, ``Int``, ``Double``, ``String``, ``Bool``), hashes (``SHA256``, ``SHA1``, ``SHA512``,
``MD5``, ``FNV``), ids (``TraceID``, ``SpanID``), time (``Duration``, ``Hours`` ...
``Nanoseconds``, ``Unix*``), ``ParseJSON``, ``Len``, ``Hex``, ``Decode``, ``Log``, ``Sort``,
``ExtractPatterns``, ``IsValidLuhn`` and, in the span context, ``IsRootSpan``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import math
import struct
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from cspotlp.ottl.functions import (
    FUNCTIONS,
    BuildError,
    Function,
    Getter,
    Param,
    float_like,
    go_sprintf,
    int_like,
    regex_param,
    register,
    string_like,
    want_int,
    want_string,
)
from cspotlp.ottl.paths import EvalError
from cspotlp.ottl.values import (
    Duration,
    SpanId,
    Timestamp,
    TraceId,
    id_from_bytes,
    type_name,
    wrap_int64,
)


@register("Concat", Param("vals", "getters"), Param("delimiter", "string"))
def _concat(vals: list[Getter], delimiter: Getter) -> Getter:
    def get(c: Any) -> str:
        sep = want_string(delimiter(c))
        parts = [string_like(g(c)) for g in vals]
        return sep.join("<nil>" if p is None else p for p in parts)
    return get


@register("Split", Param("target", "string"), Param("delimiter", "lit_string"))
def _split(target: Getter, delimiter: str) -> Getter:
    def get(c: Any) -> list[str] | None:
        value = target(c)
        if value is None:
            return None
        text = want_string(value)
        if delimiter == "":
            return list(text)
        return text.split(delimiter)
    return get


@register("IsMatch", Param("target", "string_like"), Param("pattern", "lit_string"))
def _is_match(target: Getter, pattern: str) -> Getter:
    regex = regex_param(pattern, 1)

    def get(c: Any) -> bool:
        value = string_like(target(c))
        return value is not None and regex.search(value) is not None
    return get


def _is_type(check: Callable[[Any], bool]) -> Callable[[Getter], Getter]:
    def build(value: Getter) -> Getter:
        return lambda c: check(value(c))
    return build


for _name, _check in (
    ("IsString", lambda v: isinstance(v, str)),
    ("IsBool", lambda v: isinstance(v, bool)),
    ("IsInt", lambda v: isinstance(v, int) and not isinstance(v, bool)),
    ("IsDouble", lambda v: isinstance(v, float)),
    ("IsMap", lambda v: isinstance(v, dict)),
    ("IsList", lambda v: isinstance(v, list | tuple)),
):
    FUNCTIONS[_name] = Function(_name, (Param("value", "getter"),), _is_type(_check))


@register("Int", Param("value", "getter"))
def _int(value: Getter) -> Getter:
    return lambda c: int_like(value(c))


@register("Double", Param("value", "getter"))
def _double(value: Getter) -> Getter:
    return lambda c: float_like(value(c))


@register("String", Param("value", "getter"))
def _string(value: Getter) -> Getter:
    return lambda c: string_like(value(c))


@register("Bool", Param("value", "getter"))
def _bool(value: Getter) -> Getter:
    def get(c: Any) -> bool | None:
        v = value(c)
        if v is None or isinstance(v, bool):
            return v
        if isinstance(v, int | float):
            return v != 0
        if isinstance(v, str):
            table = {"1": True, "t": True, "T": True, "TRUE": True, "true": True, "True": True,
                     "0": False, "f": False, "F": False, "FALSE": False, "false": False,
                     "False": False}
            return table.get(v)
        raise EvalError(f"unsupported type: {type_name(v)}")
    return get


@register("Substring", Param("target", "string"), Param("start", "int"),
           Param("length", "int"))
def _substring(target: Getter, start: Getter, length: Getter) -> Getter:
    def get(c: Any) -> str:
        text = want_string(target(c))
        s, n = want_int(start(c)), want_int(length(c))
        if s < 0:
            raise EvalError(f"invalid start for substring function, {s} cannot be negative")
        if n <= 0:
            raise EvalError(f"invalid length for substring function, {n} cannot be negative "
                            f"or zero")
        raw = text.encode()
        if s + n > len(raw):
            raise EvalError(f"invalid range for substring function, {s + n} cannot be greater "
                            f"than the length of target string({len(raw)})")
        return raw[s:s + n].decode("utf-8", "replace")
    return get


@register("ConvertCase", Param("target", "string"), Param("toCase", "lit_string"))
def _convert_case(target: Getter, to_case: str) -> Getter:
    convert = _CASES.get(to_case)
    if convert is None:
        raise BuildError(f"invalid case: {to_case}, allowed cases are: lower, upper, snake, "
                         f"camel", 1)

    def get(c: Any) -> str | None:
        value = target(c)
        if value is None:
            return None
        return convert(want_string(value))
    return get


def to_snake(text: str) -> str:
    """iancoleman/strcase's ToSnake, which pkg/ottl uses (``fooBar`` -> ``foo_bar``)."""
    s = text.strip()
    out: list[str] = []
    for i, ch in enumerate(s):
        is_cap, is_low = "A" <= ch <= "Z", "a" <= ch <= "z"
        v = ch.lower() if is_cap else ch
        if i + 1 < len(s):
            nxt = s[i + 1]
            v_num = "0" <= v <= "9"
            n_cap, n_low, n_num = "A" <= nxt <= "Z", "a" <= nxt <= "z", "0" <= nxt <= "9"
            if (is_cap and (n_low or n_num)) or (is_low and (n_cap or n_num)) \
                    or (v_num and (n_cap or n_low)):
                if is_cap and n_low and i > 0 and "A" <= s[i - 1] <= "Z":
                    out.append("_")
                out.append(v)
                if is_low or v_num or n_num:
                    out.append("_")
                continue
        out.append("_" if v in " _-." else v)
    return "".join(out)


def to_camel(text: str) -> str:
    """iancoleman/strcase's ToCamel (``foo_bar`` -> ``FooBar``)."""
    s = text.strip()
    out: list[str] = []
    cap_next, prev_cap = True, False
    for i, ch in enumerate(s):
        is_cap, is_low = "A" <= ch <= "Z", "a" <= ch <= "z"
        v = ch
        if cap_next:
            v = ch.upper() if is_low else ch
        elif i == 0:
            v = ch.lower() if is_cap else ch
        elif prev_cap and is_cap:
            v = ch.lower()
        prev_cap = is_cap
        if is_cap or is_low:
            out.append(v)
            cap_next = False
        elif "0" <= ch <= "9":
            out.append(v)
            cap_next = True
        else:
            cap_next = ch in "_ -."
    return "".join(out)


_CASES: dict[str, Callable[[str], str]] = {
    "lower": str.lower, "upper": str.upper, "snake": to_snake, "camel": to_camel,
}

for _name, _case in (("ToLowerCase", "lower"), ("ToUpperCase", "upper"),
                     ("ToSnakeCase", "snake"), ("ToCamelCase", "camel")):
    FUNCTIONS[_name] = Function(
        _name, (Param("target", "string"),),
        (lambda case: lambda target: _convert_case(target, case))(_case))


def _hasher(algorithm: str) -> Callable[[Getter], Getter]:
    def build(value: Getter) -> Getter:
        def get(c: Any) -> str | None:
            v = value(c)
            if v is None:
                return None
            return hashlib.new(algorithm, want_string(v).encode()).hexdigest()
        return get
    return build


for _name, _algo in (("SHA256", "sha256"), ("SHA1", "sha1"), ("SHA512", "sha512"),
                     ("MD5", "md5")):
    FUNCTIONS[_name] = Function(_name, (Param("value", "string"),), _hasher(_algo))


def fnv1a_64(data: bytes) -> int:
    """FNV-1a, 64 bits, as a signed int64 (Go's ``int64(fnv.New64a().Sum64())``)."""
    h = 0xCBF29CE484222325
    for b in data:
        h = ((h ^ b) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return wrap_int64(h)


@register("FNV", Param("value", "string"))
def _fnv(value: Getter) -> Getter:
    def get(c: Any) -> int | None:
        v = value(c)
        return None if v is None else fnv1a_64(want_string(v).encode())
    return get


@register("Len", Param("target", "getter"))
def _len(target: Getter) -> Getter:
    def get(c: Any) -> int:
        v = target(c)
        if isinstance(v, str):
            return len(v.encode())
        if isinstance(v, dict | list | tuple):
            return len(v)
        raise EvalError("target arg must be of type string, []any, map[string]any, "
                        f"pcommon.Map, pcommon.Slice, not {type_name(v)}")
    return get


def _id_converter(cls: type[TraceId] | type[SpanId]) -> Callable[[bytes], Getter]:
    def build(raw: bytes) -> Getter:
        if len(raw) != cls.WIDTH:
            raise BuildError(f"{'traces' if cls is TraceId else 'span'} ids must be "
                             f"{cls.WIDTH} bytes", 0)
        value = id_from_bytes(cls, raw)
        return lambda c: value
    return build


FUNCTIONS["TraceID"] = Function("TraceID", (Param("bytes", "lit_bytes"),),
                                _id_converter(TraceId))
FUNCTIONS["SpanID"] = Function("SpanID", (Param("bytes", "lit_bytes"),), _id_converter(SpanId))


_UNITS = {"ns": 1, "us": 1_000, "µs": 1_000, "μs": 1_000, "ms": 1_000_000,
          "s": 1_000_000_000, "m": 60_000_000_000, "h": 3_600_000_000_000}


def parse_go_duration(text: str) -> Duration:
    """Go's ``time.ParseDuration``: ``1h30m``, ``-1.5s``, ``250ms``, ``0``.

    Raises:
        EvalError: not a duration.
    """
    s, total, sign = text, Decimal(0), 1
    if s[:1] in "+-":
        sign, s = (-1 if s[0] == "-" else 1), s[1:]
    if s == "0":
        return Duration(0)
    if not s:
        raise EvalError(f"time: invalid duration {text!r}")
    i = 0
    while i < len(s):
        j = i
        while j < len(s) and (s[j].isdigit() or s[j] == "."):
            j += 1
        number = s[i:j]
        k = j
        while k < len(s) and not (s[k].isdigit() or s[k] == "."):
            k += 1
        unit = s[j:k]
        if not number or number == "." or number.count(".") > 1:
            raise EvalError(f"time: invalid duration {text!r}")
        if unit not in _UNITS:
            raise EvalError(f"time: {'missing' if not unit else 'unknown'} unit "
                            f"{unit!r} in duration {text!r}")
        total += Decimal(number) * _UNITS[unit]
        i = k
    ns = int(total) * sign
    if not -(1 << 63) <= ns < (1 << 63):
        raise EvalError(f"time: invalid duration {text!r}")
    return Duration(ns)


@register("Duration", Param("duration", "string"))
def _duration(duration: Getter) -> Getter:
    return lambda c: parse_go_duration(want_string(duration(c)))


def _duration_to(scale: int, as_float: bool) -> Callable[[Getter], Getter]:
    def build(duration: Getter) -> Getter:
        def get(c: Any) -> float | int:
            d = duration(c)
            if not isinstance(d, Duration):
                raise EvalError(f"expected time.Duration but got {type_name(d)}")
            return d.ns / scale if as_float else int(d.ns / scale)
        return get
    return build


for _name, _scale, _float in (("Hours", 3_600_000_000_000, True),
                              ("Minutes", 60_000_000_000, True),
                              ("Seconds", 1_000_000_000, True),
                              ("Milliseconds", 1_000_000, False),
                              ("Microseconds", 1_000, False), ("Nanoseconds", 1, False)):
    FUNCTIONS[_name] = Function(_name, (Param("duration", "getter"),),
                                _duration_to(_scale, _float))


def _unix(scale: int) -> Callable[[Getter], Getter]:
    def build(time: Getter) -> Getter:
        def get(c: Any) -> int:
            t = time(c)
            if not isinstance(t, Timestamp):
                raise EvalError(f"expected time.Time but got {type_name(t)}")
            return t.ns // scale
        return get
    return build


for _name, _scale in (("UnixSeconds", 1_000_000_000), ("UnixMilli", 1_000_000),
                      ("UnixMicro", 1_000), ("UnixNano", 1)):
    FUNCTIONS[_name] = Function(_name, (Param("time", "getter"),), _unix(_scale))


@register("ParseJSON", Param("target", "string"))
def _parse_json(target: Getter) -> Getter:
    def get(c: Any) -> Any:
        text = want_string(target(c))
        try:
            value = json.loads(text, parse_int=float, parse_constant=_no_constant)
        except RecursionError as e:  # json's decoder recurses; such input is no one's data
            raise EvalError("could not parse JSON: JSON nested too deeply") from e
        except ValueError as e:
            raise EvalError(f"could not parse JSON: {e}") from e
        if not isinstance(value, dict | list):
            raise EvalError(f"could not convert parsed value of type {type_name(value)} to "
                            f"JSON object")
        return value
    return get


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


@register("Hex", Param("value", "getter"))
def _hex(value: Getter) -> Getter:
    def get(c: Any) -> str:
        v = value(c)
        if isinstance(v, bool):
            return "01" if v else "00"
        if isinstance(v, int):
            return struct.pack(">q", v).hex()
        if isinstance(v, float):
            return struct.pack(">d", v).hex()
        if isinstance(v, str):
            return v.encode().hex()
        if isinstance(v, bytes):
            return v.hex()
        raise EvalError(f"unsupported type: {type_name(v)}")
    return get


_DECODERS: dict[str, Callable[[str], bytes]] = {
    "base64": lambda s: base64.b64decode(s, validate=True),
    "base64-raw": lambda s: base64.b64decode(s + "=" * (-len(s) % 4), validate=True),
    "base64-url": lambda s: base64.urlsafe_b64decode(s),
    "base64-raw-url": lambda s: base64.urlsafe_b64decode(s + "=" * (-len(s) % 4)),
}


@register("Decode", Param("target", "getter"), Param("encoding", "lit_string"))
def _decode(target: Getter, encoding: str) -> Getter:
    decoder = _DECODERS.get(encoding)
    if decoder is None:
        raise BuildError(f"unsupported encoding {encoding!r}; cspotlp knows "
                         f"{', '.join(_DECODERS)}", 1)

    def get(c: Any) -> str:
        text = want_string(target(c))
        try:
            return decoder(text).decode("utf-8", "replace")
        except (binascii.Error, ValueError) as e:
            raise EvalError(f"could not decode: {e}") from e
    return get


@register("Base64Decode", Param("target", "string"))
def _base64_decode(target: Getter) -> Getter:
    get: Getter = _decode(target, "base64")
    return get


@register("Log", Param("value", "getter"))
def _log(value: Getter) -> Getter:
    def get(c: Any) -> float:
        v = float_like(value(c))
        if v is None or v <= 0:
            raise EvalError(f"invalid value for log function: {v}, must be greater than 0")
        return math.log(v)
    return get


@register("Sort", Param("target", "getter"), Param("order", "lit_string", True))
def _sort(target: Getter, order: str | None) -> Getter:
    if order not in (None, "asc", "desc"):
        raise BuildError(f"invalid sort order {order!r}, valid values are 'asc' and 'desc'", 1)
    descending = order == "desc"

    def get(c: Any) -> list[Any]:
        v = target(c)
        if not isinstance(v, list):
            raise EvalError(f"sort with unsupported type: '{type_name(v)}'")
        items = list(v)
        if all(isinstance(x, bool) for x in items):
            key: Callable[[Any], Any] = int
        elif all(isinstance(x, str) for x in items):
            key = str
        elif all(isinstance(x, int | float) and not isinstance(x, bool) for x in items):
            key = float
        else:  # mixed types: pkg/ottl sorts by their string forms
            key = string_like
        return sorted(items, key=key, reverse=descending)
    return get


@register("IsRootSpan", contexts=("span",))
def _is_root_span() -> Getter:
    return lambda c: not c.parent_span_id


@register("IsValidLuhn", Param("value", "string_like"))
def _is_valid_luhn(value: Getter) -> Getter:
    def get(c: Any) -> bool:
        text = string_like(value(c)) or ""
        if not text.isdigit() or not text.isascii():
            raise EvalError("invalid value, must contain only digits")
        total = 0
        for i, ch in enumerate(reversed(text)):
            d = int(ch)
            if i % 2:
                d = d * 2 - 9 if d * 2 > 9 else d * 2
            total += d
        return total % 10 == 0
    return get


@register("ExtractPatterns", Param("target", "string"), Param("pattern", "lit_string"))
def _extract_patterns(target: Getter, pattern: str) -> Getter:
    regex = regex_param(pattern, 1)
    if not regex.groupindex:
        raise BuildError("at least 1 named capture group must be supplied in the given regex",
                         1)

    def get(c: Any) -> dict[str, Any] | None:
        m = regex.search(want_string(target(c)))
        if m is None:
            return None
        return {name: m.group(name) for name in regex.groupindex
                if m.group(name) is not None}
    return get


@register("Format", Param("format", "lit_string"), Param("vals", "getters"))
def _format(fmt: str, vals: list[Getter]) -> Getter:
    return lambda c: go_sprintf(fmt, [g(c) for g in vals])



__all__ = ["fnv1a_64", "parse_go_duration", "to_camel", "to_snake"]
