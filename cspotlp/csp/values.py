"""Values of the CSP data language: what channel fields carry and processes take as arguments.

A value is an ``int``, ``bool``, ``str``, a tuple of values, a :class:`Datum` (a datatype
constructor applied to fields, shown dotted: ``A.1.2``), a :class:`Seq` (a CSPm sequence), a
``frozenset`` of values, or an :class:`~cspotlp.csp.events.Event`. :func:`value_key` gives a total
order that never compares across types and keeps ``True`` apart from ``1`` (Python conflates them).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from typing import Any, TypeAlias

Value: TypeAlias = Hashable


@dataclass(frozen=True, slots=True)
class Datum:
    """A datatype value: constructor ``ctor`` applied to ``fields`` (``A`` or ``A.1.true``)."""

    ctor: str
    fields: tuple[Value, ...] = ()

    def __str__(self) -> str:
        return ".".join([self.ctor, *(show_value(f) for f in self.fields)])


@dataclass(frozen=True, slots=True)
class Seq:
    """A CSPm sequence ``<a, b, c>`` (kept apart from tuples, which are ``(a, b, c)``)."""

    items: tuple[Value, ...] = ()

    def __str__(self) -> str:
        return "<" + ", ".join(show_value(v) for v in self.items) + ">"


class _Keyed:
    """Mixin for values (events) that carry their own precomputed order key."""

    __slots__ = ()

    def sort_key(self) -> tuple[Any, ...]:  # pragma: no cover - overridden
        raise NotImplementedError


def value_key(v: Value) -> tuple[Any, ...]:
    """A total order key for values; never compares an int with a str or a bool with an int.

    >>> sorted([3, True, "a", 1], key=value_key)
    [True, 1, 3, 'a']
    """
    if isinstance(v, bool):
        return (0, int(v))
    if isinstance(v, int):
        return (1, v)
    if isinstance(v, str):
        return (2, v)
    if isinstance(v, Datum):
        return (3, v.ctor, tuple(value_key(f) for f in v.fields))
    if isinstance(v, tuple):
        return (4, tuple(value_key(f) for f in v))
    if isinstance(v, Seq):
        return (5, tuple(value_key(f) for f in v.items))
    if isinstance(v, frozenset):
        return (6, tuple(sorted(value_key(f) for f in v)))
    if isinstance(v, _Keyed):
        return (7, v.sort_key())
    return (9, type(v).__name__, repr(v))


def sorted_values(values: Iterable[Value]) -> list[Value]:
    """``values`` in :func:`value_key` order (deterministic across runs)."""
    return sorted(values, key=value_key)


def show_value(v: Value) -> str:
    """CSPm text of a value: ``true``, ``3``, ``"s"``, ``(1, 2)``, ``{1, 2}``, ``<1>``, ``A.1``."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(v, tuple):
        return "(" + ", ".join(show_value(f) for f in v) + ")"
    if isinstance(v, frozenset):
        return "{" + ", ".join(show_value(f) for f in sorted_values(v)) + "}"
    return str(v)
