"""Run-time values of the CSPm functional language, beyond those of :mod:`cspotlp.csp.values`.

A CSPm value is one of:

- ``int`` and ``bool``; :class:`Char` (strings are sequences of characters);
- ``tuple`` (CSPm tuples), :class:`~cspotlp.csp.values.Seq` (finite sequences) and
  :class:`LazySeq` (sequences computed on demand, possibly infinite: ``<1..>``);
- ``frozenset`` (finite sets) and :class:`InfiniteSet` (``Int``, ``{0..}``, ``Seq(A)``...);
- dotted values: :class:`~cspotlp.csp.events.Event` (a complete event),
  :class:`~cspotlp.csp.values.Datum` (a complete datatype value), :class:`Partial` (a channel or
  constructor still missing fields: ``c`` or ``c.1`` when ``c`` has two fields) and
  :class:`DotValue` (any other dotted value, such as ``1.2`` or ``{0..1}.Bool``);
- :class:`MapValue` (``(| k => v |)``), functions (see :mod:`cspotlp.cspm.evaluate`) and process
  terms (:class:`~cspotlp.csp.terms.Proc`).

Hashable values are compared with ``==`` (CSPm is typed, so ``1`` never meets ``true``); lazy
sequences are forced into :class:`Seq` before they are hashed (:func:`canonical`).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from cspotlp.csp.events import Event
from cspotlp.csp.terms import Proc
from cspotlp.csp.values import Datum, Seq, _Keyed, show_value, sorted_values, value_key

__all__ = [
    "Char", "DotValue", "Head", "InfiniteSet", "LazySeq", "MapValue", "Partial", "canonical",
    "char_string", "fingerprint", "flatten_dots", "is_complete", "items_of", "ordered", "show",
    "string_value",
]


@dataclass(frozen=True, slots=True)
class Char(_Keyed):
    """A character value ``'c'``."""

    ch: str

    def sort_key(self) -> tuple[Any, ...]:
        """Characters order by code point."""
        return (0, ord(self.ch))

    def __str__(self) -> str:
        return self.ch


def string_value(text: str) -> Seq:
    """The CSPm string ``"text"``: a sequence of characters."""
    return Seq(tuple(Char(c) for c in text))


def char_string(v: object) -> str | None:
    """The text of a sequence of characters, or None if ``v`` is not one."""
    if not isinstance(v, Seq) or not v.items:
        return None
    chars = [c for c in v.items if isinstance(c, Char)]
    if len(chars) != len(v.items):
        return None
    return "".join(c.ch for c in chars)


@dataclass(frozen=True, slots=True)
class Head:
    """The head of a dotted value once flattened: a channel or constructor name and its arity."""

    kind: str  # "channel" or "ctor"
    name: str
    arity: int

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True, slots=True)
class Partial(_Keyed):
    """A channel or constructor applied to fewer fields than it has (``c``, ``c.1``, ``C``).

    The last field may itself be a partial constructor value (``c.A`` when the field has type
    ``A.{0, 1}``).
    """

    head: Head
    fields: tuple[Any, ...] = ()

    def sort_key(self) -> tuple[Any, ...]:
        """Order by head name, then fields."""
        return (1, self.head.name, tuple(value_key(f) for f in self.fields))

    def __str__(self) -> str:
        return ".".join([self.head.name, *(show(f) for f in self.fields)])


@dataclass(frozen=True, slots=True)
class DotValue(_Keyed):
    """A dotted value that is neither an event nor a datatype value (``1.2``, ``A.1.true``...).

    ``items`` are never themselves ``DotValue`` s (dots are flat).
    """

    items: tuple[Any, ...]

    def sort_key(self) -> tuple[Any, ...]:
        """Order item by item."""
        return (2, tuple(value_key(v) for v in self.items))

    def __str__(self) -> str:
        return ".".join(show(v) for v in self.items)


def is_complete(v: object) -> bool:
    """Whether ``v`` is a whole value (not a :class:`Partial`)."""
    return not isinstance(v, Partial)


def items_of(v: object) -> tuple[Any, ...]:
    """The dot items of ``v`` for dotting it onto something (``DotValue`` splits, others don't)."""
    return v.items if isinstance(v, DotValue) else (v,)


def flatten_dots(v: object) -> list[Any]:
    """``v`` as a flat list of dot tokens: heads (:class:`Head`) and atomic field values.

    ``c.(A.1).2`` becomes ``[c, A, 1, 2]``. Datatype nesting is bounded by the script's types.
    """
    out: list[Any] = []
    stack: list[Any] = [v]
    while stack:
        x = stack.pop()
        if isinstance(x, Event):
            if x.channel == "τ" or x.channel == "✓":
                out.append(x)
                continue
            out.append(Head("channel", x.channel, len(x.fields)))
            stack.extend(reversed(x.fields))
        elif isinstance(x, Datum):
            out.append(Head("ctor", x.ctor, len(x.fields)))
            stack.extend(reversed(x.fields))
        elif isinstance(x, Partial):
            out.append(x.head)
            stack.extend(reversed(x.fields))
        elif isinstance(x, DotValue):
            stack.extend(reversed(x.items))
        else:
            out.append(x)
    return out


class LazySeq:
    """A sequence whose items are computed on demand (it may be infinite).

    ``items`` holds what has been computed so far; ``source`` yields the rest. ``infinite`` is
    True when the sequence is known to never end (``<1..>``), so that forcing it all is reported
    instead of looping.
    """

    __slots__ = ("_items", "_source", "infinite")

    def __init__(self, source: Iterator[Any], infinite: bool = False) -> None:
        self._items: list[Any] = []
        self._source: Iterator[Any] | None = source
        self.infinite = infinite

    def _fill(self, n: int) -> bool:
        """Make at least ``n`` items available; False if the sequence is shorter."""
        while len(self._items) < n:
            if self._source is None:
                return False
            try:
                self._items.append(next(self._source))
            except StopIteration:
                self._source = None
                return False
        return True

    def item(self, i: int) -> Any:
        """The ``i``-th item (0-based); IndexError past the end."""
        if not self._fill(i + 1):
            raise IndexError(i)
        return self._items[i]

    def is_empty(self) -> bool:
        """Whether the sequence has no items (forces at most one)."""
        return not self._fill(1)

    def iterate(self, start: int = 0) -> Iterator[Any]:
        """The items from ``start`` on, computed as needed."""
        for i in itertools.count(start):
            if not self._fill(i + 1):
                return
            yield self._items[i]

    def force(self) -> Seq:
        """Every item, as a finite :class:`Seq` (loops forever on an infinite sequence)."""
        self._fill(1 << 62)
        return Seq(tuple(self._items))

    def __repr__(self) -> str:
        return f"LazySeq({self._items[:5]!r}...)"


def drop(seq: Seq | LazySeq, n: int) -> Seq | LazySeq:
    """``seq`` without its first ``n`` items (lazy when ``seq`` is)."""
    if isinstance(seq, Seq):
        return Seq(seq.items[n:])
    return LazySeq(seq.iterate(n), seq.infinite)


def seq_iter(seq: Seq | LazySeq) -> Iterator[Any]:
    """The items of a sequence, lazily."""
    return iter(seq.items) if isinstance(seq, Seq) else seq.iterate()


class InfiniteSet:
    """A set too large to enumerate: ``Int``, ``{n..}``, ``Proc``, ``Char``, ``Seq(A)``, maps.

    It supports membership; enumerating it is an evaluation error, as in FDR.
    """

    __slots__ = ("contains", "text")

    def __init__(self, text: str, contains: Callable[[Any], bool]) -> None:
        self.text = text
        self.contains = contains

    def __repr__(self) -> str:
        return f"InfiniteSet({self.text})"

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True, slots=True)
class MapValue(_Keyed):
    """A finite map ``(| k1 => v1, ... |)``; ``pairs`` are sorted by key."""

    pairs: tuple[tuple[Any, Any], ...]
    table: dict[Any, Any] = field(default_factory=dict, compare=False, hash=False, repr=False)

    def sort_key(self) -> tuple[Any, ...]:
        """Order by the sorted pairs."""
        return (3, tuple((value_key(k), value_key(v)) for k, v in self.pairs))

    @staticmethod
    def of(pairs: Iterable[tuple[Any, Any]]) -> MapValue:
        """The map holding ``pairs`` (a later pair for the same key wins)."""
        table = dict(pairs)
        keys = sorted_values(table)
        return MapValue(tuple((k, table[k]) for k in keys), table)

    def __str__(self) -> str:
        return "(| " + ", ".join(f"{show(k)} => {show(v)}" for k, v in self.pairs) + " |)"


def canonical(v: Any) -> Any:
    """``v`` with every lazy sequence forced (so it can be hashed and compared)."""
    if isinstance(v, LazySeq):
        return Seq(tuple(canonical(x) for x in v.force().items))
    if isinstance(v, tuple):
        return tuple(canonical(x) for x in v)
    return v


def show(v: Any) -> str:
    """The text of a value, as libcspm's pretty-printer writes it (``{1, 2}``, ``c.1``, ``'a'``)."""
    if isinstance(v, Char):
        return v.ch
    if isinstance(v, Seq):
        text = char_string(v)
        if text is not None:
            return text
        return "<" + ", ".join(show(x) for x in v.items) + ">"
    if isinstance(v, LazySeq):
        return show(v.force())
    if isinstance(v, tuple):
        return "(" + ", ".join(show(x) for x in v) + ")"
    if isinstance(v, frozenset):
        return "{" + ", ".join(show(x) for x in ordered(v)) + "}"
    if isinstance(v, Datum):
        return ".".join([v.ctor, *(show(f) for f in v.fields)])
    if isinstance(v, Event):
        return ".".join([v.channel, *(show(f) for f in v.fields)])
    if isinstance(v, Proc):
        return str(v)
    if isinstance(v, bool | int):
        return show_value(v)
    return str(v)


def fingerprint(v: Any) -> Any:
    """A cheap description of a value's type, to tell ``1`` from ``True`` in dictionary keys.

    The members of a set or sequence share a type, so the first one speaks for all.
    """
    if isinstance(v, bool):
        return "b"
    if isinstance(v, int):
        return "i"
    if isinstance(v, tuple):
        return tuple(fingerprint(x) for x in v)
    if isinstance(v, frozenset):
        return ("s", fingerprint(next(iter(v)))) if v else "s"
    if isinstance(v, Seq):
        return ("q", fingerprint(v.items[0])) if v.items else "q"
    if isinstance(v, Datum):
        return ("d", v.ctor, tuple(fingerprint(x) for x in v.fields))
    if isinstance(v, DotValue):
        return ("o", tuple(fingerprint(x) for x in v.items))
    return type(v).__name__


_ORDERED: dict[int, tuple[frozenset[Any], tuple[Any, ...]]] = {}
_ORDERED_MAX = 4096


def ordered(values: frozenset[Any]) -> tuple[Any, ...]:
    """The members of a set in the deterministic value order.

    Remembered per set *object* (channel field sets and the like recur): sets are not keyed by
    equality because ``{1} == {True}`` in Python.
    """
    hit = _ORDERED.get(id(values))
    if hit is not None and hit[0] is values:
        return hit[1]
    result = tuple(sorted_values(values))
    if len(_ORDERED) >= _ORDERED_MAX:
        _ORDERED.clear()
    _ORDERED[id(values)] = (values, result)
    return result
