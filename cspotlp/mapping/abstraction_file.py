"""Reading abstractions from JSON or TOML files (the format of :meth:`Abstraction.to_json`).

Every problem is an :class:`~cspotlp.errors.AbstractionError` naming the file and the key
(``rename[2].name: bad regex ...``); JSON syntax errors are located at ``file:line:col``.
"""

from __future__ import annotations

import json
import os
import tomllib
from typing import Any

from cspotlp.errors import AbstractionError, SourceLocation
from cspotlp.files import MAX_NESTING, MAX_TEXT_BYTES, nesting_depth, read_text
from cspotlp.mapping.abstraction import Abstraction, Drop, Rename, SpanMatch, Template

_TOP_KEYS = ("label", "channels", "drop_client_spans", "drop", "templates", "rename", "data",
             "label_attribute")


def abstraction_from_json(obj: object, where: str = "<abstraction>") -> Abstraction:
    """An abstraction from its JSON object (as :meth:`Abstraction.to_json` writes it).

    Raises:
        AbstractionError: unknown or ill-typed keys, bad regexes or formats (naming the key).
    """
    try:
        return _from_json(obj)
    except AbstractionError as e:
        raise AbstractionError(f"{where}: {e.message}") from e


def _from_json(obj: object) -> Abstraction:
    top = _obj(obj, "the abstraction", _TOP_KEYS)
    channels = _obj(top.get("channels", {}), "channels", ("call", "ret", "error"))
    return Abstraction(
        label=_str(top.get("label", "{service}.{name}"), "label"),
        templates=tuple(
            Template(_str(t.get("template"), f"templates[{k}].template"),
                     _match(t, f"templates[{k}]"))
            for k, t in enumerate(_objs(top.get("templates", []), "templates",
                                        ("template", "service", "name", "kind")))),
        renames=tuple(
            Rename(_match(r, f"rename[{k}]"), _str(r.get("label"), f"rename[{k}].label"))
            for k, r in enumerate(_objs(top.get("rename", []), "rename",
                                        ("service", "name", "kind", "label")))),
        drops=tuple(
            Drop(_match(d, f"drop[{k}]"), _bool(d.get("subtree", False), f"drop[{k}].subtree"))
            for k, d in enumerate(_objs(top.get("drop", []), "drop",
                                        ("service", "name", "kind", "subtree")))),
        drop_client_spans=_bool(top.get("drop_client_spans", False), "drop_client_spans"),
        data=tuple(_str(x, f"data[{k}]") for k, x in enumerate(_list(top.get("data", []),
                                                                       "data"))),
        call=_str(channels.get("call", "call"), "channels.call"),
        ret=_str(channels.get("ret", "ret"), "channels.ret"),
        error=_str(channels.get("error", "error"), "channels.error"),
        label_attribute=(None if top.get("label_attribute") is None
                         else _str(top["label_attribute"], "label_attribute")),
    )


def _obj(v: object, where: str, keys: tuple[str, ...]) -> dict[str, Any]:
    if not isinstance(v, dict):
        raise AbstractionError(f"{where} must be an object")
    for k in v:
        if k not in keys:
            raise AbstractionError(f"{where}: unknown key {k!r}; expected one of "
                                   f"{', '.join(keys)}")
    return v


def _list(v: object, where: str) -> list[Any]:
    if not isinstance(v, list):
        raise AbstractionError(f"{where} must be a list")
    return v


def _objs(v: object, where: str, keys: tuple[str, ...]) -> list[dict[str, Any]]:
    return [_obj(x, f"{where}[{k}]", keys) for k, x in enumerate(_list(v, where))]


def _str(v: object, where: str) -> str:
    if not isinstance(v, str):
        raise AbstractionError(f"{where} must be a string")
    return v


def _bool(v: object, where: str) -> bool:
    if not isinstance(v, bool):
        raise AbstractionError(f"{where} must be true or false")
    return v


def _match(rule: dict[str, Any], where: str) -> SpanMatch:
    service, name, kind = rule.get("service"), rule.get("name"), rule.get("kind", [])
    if isinstance(kind, str):
        kind = [kind]
    try:
        return SpanMatch(
            None if service is None else _str(service, f"{where}.service"),
            None if name is None else _str(name, f"{where}.name"),
            tuple(_str(k, f"{where}.kind") for k in _list(kind, f"{where}.kind")),
        )
    except AbstractionError as e:
        raise AbstractionError(f"{where}: {e.message}") from e


def loads_abstraction(text: str, file: str = "<abstraction>", *, toml: bool = False
                      ) -> Abstraction:
    """An abstraction from JSON (or, with ``toml``, TOML) text.

    Nesting deeper than :data:`~cspotlp.files.MAX_NESTING` is refused before parsing (the
    standard library's parsers are recursive); JSON's bare ``NaN`` and repeated keys are errors.
    """
    depth = nesting_depth(text, toml=toml)
    if depth > MAX_NESTING:
        raise AbstractionError(f"{file}: nested {depth} deep, more than the {MAX_NESTING} an "
                               "abstraction file may use")
    try:
        obj: object = tomllib.loads(text) if toml else json.loads(
            text, parse_constant=_no_constant, object_pairs_hook=_unique_keys)
    except json.JSONDecodeError as e:
        lines = text.splitlines()
        line = lines[e.lineno - 1] if 0 < e.lineno <= len(lines) else None
        raise AbstractionError(f"not valid JSON: {e.msg}",
                               SourceLocation(file, e.lineno, e.colno, line)) from e
    except tomllib.TOMLDecodeError as e:
        raise AbstractionError(f"{file}: not valid TOML: {e}") from e
    except (ValueError, RecursionError) as e:
        raise AbstractionError(f"{file}: not valid JSON: {e}") from e
    return abstraction_from_json(obj, file)


def _no_constant(name: str) -> object:
    raise ValueError(f"{name} is not a JSON value")


def _unique_keys(pairs: list[tuple[str, object]]) -> dict[str, object]:
    d = dict(pairs)
    if len(d) != len(pairs):
        raise ValueError("a key appears twice in one object")
    return d


def load_abstraction(path: str | os.PathLike[str]) -> Abstraction:
    """Read an abstraction file: TOML if it ends in ``.toml``, JSON otherwise."""
    name = os.fspath(path)
    try:
        text = read_text(name, MAX_TEXT_BYTES)
    except (OSError, UnicodeDecodeError, ValueError) as e:
        reason = e.strerror if isinstance(e, OSError) and e.strerror else e
        raise AbstractionError(f"{name}: cannot read: {reason}") from e
    return loads_abstraction(text, name, toml=name.endswith(".toml"))


__all__ = ["abstraction_from_json", "load_abstraction", "loads_abstraction"]
