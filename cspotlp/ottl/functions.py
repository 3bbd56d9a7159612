"""OTTL's function registry: parameters, argument kinds and the typed getters' conversions.

Editors (lowercase, they change the item) live in :mod:`cspotlp.ottl.editors`, converters
(uppercase, pure) in :mod:`cspotlp.ottl.converters` and :mod:`cspotlp.ottl.converters_text`;
each registers itself in :data:`FUNCTIONS`.

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

import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NamedTuple

from cspotlp.ottl.paths import EvalError
from cspotlp.ottl.regex import RegexError, compile_glob, compile_regex
from cspotlp.ottl.values import (
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


def register(name: str, *params: Param, contexts: tuple[str, ...] | None = None
             ) -> Callable[[Callable[..., Callable[[Any], Any]]], Callable[..., Any]]:
    """Decorator: register a builder as the function ``name`` with these parameters."""
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


def regex_param(pattern: str, position: int) -> Any:
    """The compiled RE2 pattern of a literal argument, or a BuildError at ``position``."""
    try:
        return compile_regex(pattern)
    except RegexError as e:
        raise BuildError(f"the regex pattern supplied is not a valid pattern: {e}",
                         position) from e


def glob_param(pattern: str, position: int) -> Any:
    """The compiled glob of a literal argument, or a BuildError at ``position``."""
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
    "FUNCTIONS", "UNAVAILABLE", "BuildError", "Function", "Getter", "Param", "float_like",
    "glob_param", "go_float_text", "go_sprintf", "hash_function", "int_like", "regex_param",
    "register", "string_like", "want_int", "want_map", "want_string",
]

# the function library registers itself into FUNCTIONS as its modules load
from cspotlp.ottl import converters, converters_text, editors  # noqa: E402, F401
