"""OTTL's functions: editors (lowercase, change the item) and converters (uppercase, pure).

Each function is a :class:`Function`: its parameters (name, kind, optional) and a *builder*
that receives the bound arguments once, at compile time, and returns the closure that runs per
item. Parameter kinds follow pkg/ottl's argument types:

=================  ========================================================================
kind               what the argument must be (pkg/ottl type)
=================  ========================================================================
``target``         a path that can be set (GetSetter)
``map_target``     a path to a map that can be set (PMapGetSetter)
``getter``         any value (Getter)
``string``         a value that is a string when evaluated (StringGetter)
``string_like``    a string, or a value converted to one (StringLikeGetter)
``int``            an int when evaluated (IntGetter)
``float_like``     a number, or a value converted to one (FloatLikeGetter)
``map``            a map when evaluated (PMapGetter)
``getters``        a list literal of values ([]Getter)
``lit_string``     a string literal (string); ``lit_int``, ``lit_bool``, ``lit_bytes`` alike
``lit_strings``    a list literal of string literals ([]string)
``function``       the name of a converter taking one string (FunctionGetter: ``SHA256``)
=================  ========================================================================

Builders raise :class:`BuildError` for arguments pkg/ottl rejects at parse time (a bad regex, a
negative limit, an unknown case); closures raise :class:`~cspotlp.ottl.paths.EvalError` for
what fails per item (``expected string but got int64``). Nothing reads the clock or random
numbers: ``Now``, ``UUID`` and their kin are refused, so a transformation is a pure function
of its input.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import math
import struct
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NamedTuple

from cspotlp.ottl.paths import Accessor, EvalError
from cspotlp.ottl.regex import RegexError, compile_glob, compile_regex, replace_all
from cspotlp.ottl.values import (
    Duration,
    SpanId,
    Timestamp,
    TraceId,
    deep_copy,
    id_from_bytes,
    to_json_text,
    type_name,
    wrap_int64,
)

Getter = Callable[[Any], Any]


class BuildError(Exception):
    """An argument pkg/ottl rejects when the statement is parsed (``position`` is 0-based)."""

    def __init__(self, message: str, position: int | None = None) -> None:
        super().__init__(message)
        self.message, self.position = message, position


class Param(NamedTuple):
    """One parameter: its OTTL name (for ``name=value``), kind and whether it may be left out."""

    name: str
    kind: str
    optional: bool = False


@dataclass(frozen=True)
class Function:
    """An OTTL function: name, parameters and the builder of its per-item closure."""

    name: str
    params: tuple[Param, ...]
    build: Callable[..., Callable[[Any], Any]]
    contexts: tuple[str, ...] = ("resource", "scope", "span", "spanevent")

    @property
    def is_editor(self) -> bool:
        """Editors have lowercase names and change the item; converters return a value."""
        return self.name[:1].islower()


FUNCTIONS: dict[str, Function] = {}
"""Every function by name."""

UNAVAILABLE = {
    "Now": "it reads the clock", "UUID": "it is random", "UUIDv7": "it is random",
}
"""pkg/ottl functions cspotlp refuses, and why: a transformation must be a pure function of
its input, so the same capture always gives the same trace to check."""


def _register(name: str, *params: Param, contexts: tuple[str, ...] | None = None
              ) -> Callable[[Callable[..., Callable[[Any], Any]]], Callable[..., Any]]:
    def deco(build: Callable[..., Callable[[Any], Any]]) -> Callable[..., Any]:
        FUNCTIONS[name] = Function(name, tuple(params), build,
                                   contexts or ("resource", "scope", "span", "spanevent"))
        return build
    return deco


# -- runtime conversions (pkg/ottl's typed getters) ------------------------------------------


def want_string(value: Any) -> str:
    """``value`` if it is a string (StringGetter), else an error naming its type."""
    if isinstance(value, str):
        return value
    raise EvalError(f"expected string but got {type_name(value)}")


def want_int(value: Any) -> int:
    """``value`` if it is an int64 (IntGetter)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise EvalError(f"expected int64 but got {type_name(value)}")


def want_map(value: Any) -> dict[str, Any]:
    """``value`` if it is a map (PMapGetter)."""
    if isinstance(value, dict):
        return value
    raise EvalError(f"expected pcommon.Map but got {type_name(value)}")


def go_float_text(value: float) -> str:
    """``strconv.FormatFloat(value, 'f', -1, 64)``: shortest digits, never an exponent."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    text = format(Decimal(repr(value)), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") and value == 0 else text


def string_like(value: Any) -> str | None:
    """The string a StringLikeGetter makes of ``value`` (None stays None)."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return go_float_text(value)
    if isinstance(value, bytes):
        return value.hex()
    try:
        return to_json_text(value)
    except ValueError as e:
        raise EvalError(str(e)) from e


def float_like(value: Any) -> float | None:
    """The float a FloatLikeGetter makes of ``value`` (unparsable strings give None)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip()) if _go_float_syntax(value) else None
        except ValueError:
            return None
    raise EvalError(f"unsupported type: {type_name(value)}")


def _go_float_syntax(text: str) -> bool:
    return text == text.strip() and "_" not in text and text.lower() not in ("infinity",
                                                                             "-infinity")


def int_like(value: Any) -> int | None:
    """The int an IntLikeGetter makes of ``value`` (unparsable strings give None)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return 1 if value else 0
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return None
        return wrap_int64(int(value))
    if isinstance(value, str):
        text = value
        digits = text[1:] if text[:1] in "+-" else text
        if not digits.isdigit() or not digits.isascii():
            return None
        number = int(text)
        return number if -(1 << 63) <= number < (1 << 63) else None
    raise EvalError(f"unsupported type: {type_name(value)}")


# -- editors ---------------------------------------------------------------------------------


def _map_of(target: Accessor, c: Any) -> dict[str, Any]:
    value = target.get(c)
    if isinstance(value, dict):
        return value
    raise EvalError(f"expected pcommon.Map but got {type_name(value)}")


def _store(target: Accessor, c: Any, value: Any) -> None:
    assert target.set is not None  # the compiler only binds settable paths to targets
    target.set(c, value)


@_register("set", Param("target", "target"), Param("value", "getter"))
def _set(target: Accessor, value: Getter) -> Callable[[Any], None]:
    setter = target.set
    assert setter is not None
    from cspotlp.ottl.compiler import CONSTANTS

    if value in CONSTANTS and not isinstance(CONSTANTS[value], dict | list):
        const = CONSTANTS[value]
        if const is None:
            return lambda c: None
        return lambda c: setter(c, const)

    def run(c: Any) -> None:
        v = value(c)
        if v is None:  # pkg/ottl: no field takes nil, so set(x, nil) changes nothing
            return
        setter(c, deep_copy(v) if isinstance(v, dict | list) else v)

    return run


@_register("delete_key", Param("target", "map_target"), Param("key", "lit_string"))
def _delete_key(target: Accessor, key: str) -> Callable[[Any], None]:
    def run(c: Any) -> None:
        m = _map_of(target, c)
        if key in m:
            _store(target, c, {k: v for k, v in m.items() if k != key})
    return run


@_register("delete_matching_keys", Param("target", "map_target"), Param("pattern", "lit_string"))
def _delete_matching_keys(target: Accessor, pattern: str) -> Callable[[Any], None]:
    regex = _regex(pattern, 1)

    def run(c: Any) -> None:
        m = _map_of(target, c)
        kept = {k: v for k, v in m.items() if regex.search(k) is None}
        if len(kept) != len(m):
            _store(target, c, kept)
    return run


@_register("keep_keys", Param("target", "map_target"), Param("keys", "lit_strings"))
def _keep_keys(target: Accessor, keys: list[str]) -> Callable[[Any], None]:
    wanted = frozenset(keys)

    def run(c: Any) -> None:
        m = _map_of(target, c)
        kept = {k: v for k, v in m.items() if k in wanted}
        if len(kept) != len(m):
            _store(target, c, kept)
    return run


@_register("keep_matching_keys", Param("target", "map_target"), Param("pattern", "lit_string"))
def _keep_matching_keys(target: Accessor, pattern: str) -> Callable[[Any], None]:
    regex = _regex(pattern, 1)

    def run(c: Any) -> None:
        m = _map_of(target, c)
        kept = {k: v for k, v in m.items() if regex.search(k) is not None}
        if len(kept) != len(m):
            _store(target, c, kept)
    return run


@_register("limit", Param("target", "map_target"), Param("limit", "lit_int"),
           Param("priorityKeys", "lit_strings"))
def _limit(target: Accessor, limit: int, priority_keys: list[str]) -> Callable[[Any], None]:
    if limit < 0:
        raise BuildError(f"invalid limit for limit function, {limit} cannot be negative", 1)
    if limit < len(priority_keys):
        raise BuildError(f"invalid limit for limit function, {limit} cannot be less than "
                         f"number of priority attributes {len(priority_keys)}", 1)
    priority = frozenset(priority_keys)

    def run(c: Any) -> None:
        m = _map_of(target, c)
        if len(m) <= limit:
            return
        count = sum(1 for k in priority if k in m)
        kept: dict[str, Any] = {}
        for k, v in m.items():  # priority keys stay; the others fill what is left, in order
            if k in priority:
                kept[k] = v
            elif count < limit:
                count += 1
                kept[k] = v
        _store(target, c, kept)
    return run


@_register("truncate_all", Param("target", "map_target"), Param("limit", "lit_int"))
def _truncate_all(target: Accessor, limit: int) -> Callable[[Any], None]:
    if limit < 0:
        raise BuildError(f"invalid limit for truncate_all function, {limit} cannot be "
                         f"negative", 1)

    def run(c: Any) -> None:
        m = _map_of(target, c)
        changed = False
        out: dict[str, Any] = {}
        for k, v in m.items():
            if isinstance(v, str) and len(v) > limit and len(v.encode()) > limit:
                # Go truncates bytes; a multi-byte character cut in two is dropped whole
                v = v.encode()[:limit].decode("utf-8", "ignore")
                changed = True
            out[k] = v
        if changed:
            _store(target, c, out)
    return run


def _replacement_fn(function: Callable[[str], Any] | None, fmt: Getter | None, c: Any
                    ) -> Callable[[str], str] | None:
    if function is None:
        return None
    fmt_text = want_string(fmt(c)) if fmt is not None else None

    def transform(piece: str) -> str:
        hashed = function(piece)
        text = hashed if isinstance(hashed, str) else string_like(hashed) or ""
        return go_sprintf(fmt_text, [text]) if fmt_text is not None else text
    return transform


@_register("replace_pattern", Param("target", "target"), Param("regex", "lit_string"),
           Param("replacement", "string"), Param("function", "function", True),
           Param("replacementFormat", "string", True))
def _replace_pattern(target: Accessor, regex: str, replacement: Getter,
                     function: Callable[[str], Any] | None, fmt: Getter | None
                     ) -> Callable[[Any], None]:
    compiled = _regex(regex, 1)

    def run(c: Any) -> None:
        value = target.get(c)
        if not isinstance(value, str):
            return
        template = want_string(replacement(c))
        if compiled.search(value) is None:
            return
        new = replace_all(compiled, value, template, _replacement_fn(function, fmt, c))
        if new != value:
            _store(target, c, new)
    return run


@_register("replace_all_patterns", Param("target", "map_target"), Param("mode", "lit_string"),
           Param("regex", "lit_string"), Param("replacement", "string"),
           Param("function", "function", True), Param("replacementFormat", "string", True))
def _replace_all_patterns(target: Accessor, mode: str, regex: str, replacement: Getter,
                          function: Callable[[str], Any] | None, fmt: Getter | None
                          ) -> Callable[[Any], None]:
    if mode not in ("key", "value"):
        raise BuildError(f"invalid mode {mode}, must be either 'key' or 'value'", 1)
    compiled = _regex(regex, 2)

    def run(c: Any) -> None:
        m = _map_of(target, c)
        template = want_string(replacement(c))
        transform = _replacement_fn(function, fmt, c)
        out: dict[str, Any] = {}
        changed = False
        for k, v in m.items():
            if mode == "value":
                if isinstance(v, str) and compiled.search(v) is not None:
                    v = replace_all(compiled, v, template, transform)
                    changed = True
                out[k] = v
            elif compiled.search(k) is not None:
                out[replace_all(compiled, k, template, transform)] = v
                changed = True
            else:
                out[k] = v
        if changed:
            _store(target, c, out)
    return run


@_register("replace_match", Param("target", "target"), Param("pattern", "lit_string"),
           Param("replacement", "string"), Param("function", "function", True),
           Param("replacementFormat", "string", True))
def _replace_match(target: Accessor, pattern: str, replacement: Getter,
                   function: Callable[[str], Any] | None, fmt: Getter | None
                   ) -> Callable[[Any], None]:
    glob = _glob(pattern, 1)

    def run(c: Any) -> None:
        value = target.get(c)
        if not isinstance(value, str) or glob.search(value) is None:
            return
        new = want_string(replacement(c))
        transform = _replacement_fn(function, fmt, c)
        _store(target, c, transform(new) if transform is not None else new)
    return run


@_register("replace_all_matches", Param("target", "map_target"), Param("pattern", "lit_string"),
           Param("replacement", "string"), Param("function", "function", True),
           Param("replacementFormat", "string", True))
def _replace_all_matches(target: Accessor, pattern: str, replacement: Getter,
                         function: Callable[[str], Any] | None, fmt: Getter | None
                         ) -> Callable[[Any], None]:
    glob = _glob(pattern, 1)

    def run(c: Any) -> None:
        m = _map_of(target, c)
        hits = [k for k, v in m.items() if isinstance(v, str) and glob.search(v) is not None]
        if not hits:
            return
        new = want_string(replacement(c))
        transform = _replacement_fn(function, fmt, c)
        if transform is not None:
            new = transform(new)
        out = dict(m)
        for k in hits:
            out[k] = new
        _store(target, c, out)
    return run


@_register("merge_maps", Param("target", "map_target"), Param("source", "map"),
           Param("strategy", "lit_string"))
def _merge_maps(target: Accessor, source: Getter, strategy: str) -> Callable[[Any], None]:
    if strategy not in ("insert", "update", "upsert"):
        raise BuildError(f"invalid value for strategy, {strategy}, must be 'insert', 'update' "
                         f"or 'upsert'", 2)

    def run(c: Any) -> None:
        src = want_map(source(c))
        m = _map_of(target, c)
        out = dict(m)
        for k, v in src.items():
            present = k in out
            if strategy == "upsert" or (strategy == "insert") != present:
                out[k] = deep_copy(v)
        _store(target, c, out)
    return run


@_register("flatten", Param("target", "map_target"), Param("prefix", "lit_string", True),
           Param("depth", "lit_int", True), Param("resolveConflicts", "lit_bool", True))
def _flatten(target: Accessor, prefix: str | None, depth: int | None,
             resolve_conflicts: bool | None) -> Callable[[Any], None]:
    if depth is not None and depth < 1:
        raise BuildError(f"invalid depth '{depth}' for flatten function, must be greater "
                         f"than 0", 2)
    max_depth = depth if depth is not None else (1 << 62)

    def run(c: Any) -> None:
        m = _map_of(target, c)
        _store(target, c, flatten_map(m, prefix or "", max_depth, bool(resolve_conflicts)))
    return run


def flatten_map(m: dict[str, Any], prefix: str, max_depth: int, resolve: bool
                ) -> dict[str, Any]:
    """pkg/ottl's flatten: nested maps and lists become dotted keys, in pkg/ottl's order.

    Lists are flattened with their indexes (``a.0``); with ``resolve``, list items keep the
    list's key and a key met again gets a ``.0``, ``.1``, ... suffix instead of overwriting.
    pkg/ottl recurses; an explicit stack of iterators visits the entries in the same order.
    """
    result: dict[str, Any] = {}
    seen: dict[str, int] = {}

    def put(key: str, value: Any) -> None:
        if resolve:
            if key in result:
                key, seen[key] = f"{key}.{seen[key]}", seen[key] + 1
            else:
                seen[key] = 0
        result[key] = deep_copy(value)

    def entries(mapping: dict[str, Any], depth: int, pre: str) -> Any:
        return iter([("value", k, v, depth, pre) for k, v in mapping.items()])

    stack = [entries(m, 0, prefix + "." if prefix else "")]
    while stack:
        entry = next(stack[-1], None)
        if entry is None:
            stack.pop()
            continue
        if entry[0] == "value":
            _, k, v, depth, pre = entry
            if isinstance(v, dict) and depth < max_depth:
                stack.append(entries(v, depth + 1, pre + k + "."))
            elif isinstance(v, list) and depth < max_depth:
                stack.append(iter([("item", pre + k, i, x, depth) for i, x in enumerate(v)]))
            else:
                put(pre + k, v)
            continue
        _, base, i, item, depth = entry
        if isinstance(item, dict) and depth + 1 < max_depth:
            stack.append(entries(item, depth + 2, f"{base}.{i}."))
        elif isinstance(item, list) and depth + 1 < max_depth:
            # pkg/ottl's flattenSlice: the items' keys follow the prefix without a dot
            stack.append(iter([("value", str(j), x, depth + 3, f"{base}.{i}")
                               for j, x in enumerate(item)]))
        elif resolve:
            put(base, item)
        else:
            put(f"{base}.{i}", item)
    return result


@_register("append", Param("target", "target"), Param("value", "getter", True),
           Param("values", "getters", True))
def _append(target: Accessor, value: Getter | None, values: list[Getter] | None
            ) -> Callable[[Any], None]:
    if value is None and values is None:
        raise BuildError("at least one of the optional arguments ('value' or 'values') must "
                         "be provided")

    def run(c: Any) -> None:
        extra: list[Any] = []
        if value is not None:
            extra.append(value(c))
        if values is not None:
            extra.extend(g(c) for g in values)
        current = target.get(c)
        if current is None:
            out: list[Any] = []
        elif isinstance(current, list):
            out = list(current)
        else:
            out = [current]
        out.extend(deep_copy(x) for x in extra if x is not None)
        _store(target, c, out)
    return run


# -- converters ------------------------------------------------------------------------------


@_register("Concat", Param("vals", "getters"), Param("delimiter", "string"))
def _concat(vals: list[Getter], delimiter: Getter) -> Getter:
    def get(c: Any) -> str:
        sep = want_string(delimiter(c))
        parts = [string_like(g(c)) for g in vals]
        return sep.join("<nil>" if p is None else p for p in parts)
    return get


@_register("Split", Param("target", "string"), Param("delimiter", "lit_string"))
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


@_register("IsMatch", Param("target", "string_like"), Param("pattern", "lit_string"))
def _is_match(target: Getter, pattern: str) -> Getter:
    regex = _regex(pattern, 1)

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


@_register("Int", Param("value", "getter"))
def _int(value: Getter) -> Getter:
    return lambda c: int_like(value(c))


@_register("Double", Param("value", "getter"))
def _double(value: Getter) -> Getter:
    return lambda c: float_like(value(c))


@_register("String", Param("value", "getter"))
def _string(value: Getter) -> Getter:
    return lambda c: string_like(value(c))


@_register("Bool", Param("value", "getter"))
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


@_register("Substring", Param("target", "string"), Param("start", "int"),
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


@_register("ConvertCase", Param("target", "string"), Param("toCase", "lit_string"))
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


@_register("FNV", Param("value", "string"))
def _fnv(value: Getter) -> Getter:
    def get(c: Any) -> int | None:
        v = value(c)
        return None if v is None else fnv1a_64(want_string(v).encode())
    return get


@_register("Len", Param("target", "getter"))
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


@_register("Duration", Param("duration", "string"))
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


@_register("ParseJSON", Param("target", "string"))
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


@_register("Hex", Param("value", "getter"))
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


@_register("Decode", Param("target", "getter"), Param("encoding", "lit_string"))
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


@_register("Base64Decode", Param("target", "string"))
def _base64_decode(target: Getter) -> Getter:
    get: Getter = _decode(target, "base64")
    return get


@_register("Log", Param("value", "getter"))
def _log(value: Getter) -> Getter:
    def get(c: Any) -> float:
        v = float_like(value(c))
        if v is None or v <= 0:
            raise EvalError(f"invalid value for log function: {v}, must be greater than 0")
        return math.log(v)
    return get


@_register("Sort", Param("target", "getter"), Param("order", "lit_string", True))
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


@_register("IsRootSpan", contexts=("span",))
def _is_root_span() -> Getter:
    return lambda c: not c.parent_span_id


@_register("IsValidLuhn", Param("value", "string_like"))
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


@_register("ExtractPatterns", Param("target", "string"), Param("pattern", "lit_string"))
def _extract_patterns(target: Getter, pattern: str) -> Getter:
    regex = _regex(pattern, 1)
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


@_register("Format", Param("format", "lit_string"), Param("vals", "getters"))
def _format(fmt: str, vals: list[Getter]) -> Getter:
    return lambda c: go_sprintf(fmt, [g(c) for g in vals])


def go_sprintf(fmt: str, args: Sequence[Any]) -> str:
    """A subset of Go's ``fmt.Sprintf``: ``%s %v %d %x %f %q %%`` with flags and widths."""
    out: list[str] = []
    i, arg = 0, 0
    while i < len(fmt):
        ch = fmt[i]
        if ch != "%":
            out.append(ch)
            i += 1
            continue
        j = i + 1
        while j < len(fmt) and fmt[j] in "-+# 0123456789.":
            j += 1
        if j >= len(fmt):
            out.append(fmt[i:])
            break
        verb, flags = fmt[j], fmt[i + 1:j]
        i = j + 1
        if verb == "%":
            out.append("%")
            continue
        if arg >= len(args):
            out.append(f"%!{verb}(MISSING)")
            continue
        value = args[arg]
        arg += 1
        out.append(_format_one(verb, flags, value))
    return "".join(out)


def _format_one(verb: str, flags: str, value: Any) -> str:
    if verb in "dxXob" and isinstance(value, int) and not isinstance(value, bool):
        return format(value, flags + verb)
    if verb in "feEgG" and isinstance(value, float):
        return format(value, flags + verb)
    if verb == "q" and isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    text = "<nil>" if value is None else string_like(value) or ""
    width = flags.replace("0", "", 1) if flags.startswith("0") else flags
    return format(text, width + "s") if width else text


# -- helpers ---------------------------------------------------------------------------------


def _regex(pattern: str, position: int) -> Any:
    try:
        return compile_regex(pattern)
    except RegexError as e:
        raise BuildError(f"the regex pattern supplied is not a valid pattern: {e}",
                         position) from e


def _glob(pattern: str, position: int) -> Any:
    try:
        return compile_glob(pattern)
    except RegexError as e:
        raise BuildError(f"invalid glob pattern: {e}", position) from e


def hash_function(name: str) -> Callable[[str], Any]:
    """The converter ``name`` as a function of one string (for ``replace_pattern(..., SHA256)``).

    Raises:
        KeyError: no converter of one string parameter has that name.
    """
    fn = FUNCTIONS[name]
    if fn.is_editor or len(fn.params) != 1 or fn.params[0].kind not in ("string",
                                                                        "string_like",
                                                                        "getter"):
        raise KeyError(name)
    getter = fn.build(lambda c: c)
    return lambda text: getter(text)


__all__ = [
    "FUNCTIONS", "UNAVAILABLE", "BuildError", "Function", "Param", "flatten_map", "fnv1a_64",
    "go_float_text", "go_sprintf", "hash_function", "parse_go_duration", "string_like",
    "to_camel", "to_snake", "want_string",
]
