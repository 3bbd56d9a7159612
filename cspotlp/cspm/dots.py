"""Dotted values: combining ``c.x.y``, completing them (``extensions``) and ``{| c |}``.

CSPm's ``.`` is typed by the declarations: dotting a channel (or datatype constructor) with a
value fills its next field, descending into a field whose value is itself an incomplete
constructor (``c.A.1`` when ``c``'s field has type ``A.{0..1}``); dotting anything else builds a
free :class:`~cspotlp.cspm.values.DotValue`. Every field is checked against its declared set
when it becomes complete (``c.5`` with ``channel c : {0..2}`` is an evaluation error).

Field sets come from the declarations through a :class:`Declared` object (the evaluator), so
this module knows nothing about evaluation order.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from typing import Any, Protocol

from cspotlp.csp.events import Event, event
from cspotlp.csp.values import Datum, sorted_values
from cspotlp.cspm.values import (
    DotValue,
    Head,
    InfiniteSet,
    Partial,
    flatten_dots,
    items_of,
    ordered,
    show,
)

NOTHING = DotValue(())
"""The empty extension: ``v.NOTHING`` is ``v`` (what ``extensions`` gives for a whole value)."""


class DotError(Exception):
    """A dot that breaks a declaration; the evaluator adds the source location."""


class Declared(Protocol):
    """Field sets of the declared channels and constructors."""

    def field_sets(self, head: Head) -> tuple[Any, ...]:
        """The set of allowed values of each field (a frozenset, or an infinite set)."""
        ...


def head_value(head: Head) -> Any:
    """The value a channel or constructor name stands for on its own."""
    if head.arity:
        return Partial(head)
    if head.kind == "channel":
        return event(head.name)
    return Datum(head.name)


def _complete(head: Head, fields: tuple[Any, ...]) -> Any:
    if head.kind == "channel":
        return event(head.name, *fields)
    return Datum(head.name, fields)


def _enumerable(values: Any, head: Head, index: int) -> frozenset[Any]:
    if isinstance(values, InfiniteSet):
        what = "channel" if head.kind == "channel" else "constructor"
        raise DotError(f"cannot enumerate the values of field {index + 1} of {what} "
                       f"{head.name}: its type {values} is infinite (FDR accepts it only "
                       "where finitely many values are used)")
    assert isinstance(values, frozenset)
    return values


def _check(decl: Declared, head: Head, index: int, value: Any) -> None:
    allowed = decl.field_sets(head)[index]
    inside = allowed.contains(value) if isinstance(allowed, InfiniteSet) else value in allowed
    if not inside:
        what = "channel" if head.kind == "channel" else "constructor"
        raise DotError(
            f"{show(value)} is not a value of field {index + 1} of {what} {head.name} "
            f"(which is {show(allowed)})"
        )


def _add_field(decl: Declared, partial: Partial, piece: Any) -> Any | None:
    """``partial.piece`` filling one field, or None when ``partial`` has no room left."""
    head, fields = partial.head, partial.fields
    if fields and isinstance(fields[-1], Partial):
        inner = _add_field(decl, fields[-1], piece)
        if inner is None:
            return None
        if not isinstance(inner, Partial):
            _check(decl, head, len(fields) - 1, inner)
        fields = (*fields[:-1], inner)
    elif len(fields) == head.arity:
        return None
    else:
        if not isinstance(piece, Partial):
            _check(decl, head, len(fields), piece)
        fields = (*fields, piece)
    if len(fields) == head.arity and not isinstance(fields[-1], Partial):
        return _complete(head, fields)
    return Partial(head, fields)


def combine(decl: Declared, left: Any, right: Any) -> Any:
    """``left.right`` with CSPm's rules (see the module docstring).

    >>> class D:
    ...     def field_sets(self, head): return (frozenset({0, 1}), frozenset({True, False}))
    >>> combine(D(), Partial(Head("channel", "c", 2)), DotValue((1, True))).name
    'c.1.true'
    """
    base = left
    for piece in items_of(right):
        if isinstance(base, Partial):
            nxt = _add_field(decl, base, piece)
            if nxt is not None:
                base = nxt
                continue
        if isinstance(base, DotValue) and isinstance(base.items[-1], Partial):
            # 0.1.D.2: the constructor inside the dotted value takes its field (libcspm).
            nxt = _add_field(decl, base.items[-1], piece)
            if nxt is not None:
                base = DotValue((*base.items[:-1], nxt))
                continue
        base = DotValue((*items_of(base), piece))
    return base


def dot_all(decl: Declared, values: Sequence[Any]) -> Any:
    """``v1.v2...vn``."""
    out = values[0]
    for v in values[1:]:
        out = combine(decl, out, v)
    return out


# -- taking values apart ----------------------------------------------------------------------


def rebuild(decl: Declared, tokens: Sequence[Any], start: int) -> tuple[Any, int]:
    """The whole value whose flat tokens begin at ``start``, and the index after it."""
    tok = tokens[start]
    if not isinstance(tok, Head):
        return tok, start + 1
    fields: list[Any] = []
    i = start + 1
    for _ in range(tok.arity):
        if i >= len(tokens):
            return Partial(tok, tuple(fields)), i
        value, i = rebuild(decl, tokens, i)
        fields.append(value)
    return _complete(tok, tuple(fields)), i


def join(decl: Declared, tokens: Sequence[Any], start: int) -> Any:
    """The tokens from ``start`` on as one value (a single field, or a :class:`DotValue`)."""
    values: list[Any] = []
    i = start
    while i < len(tokens):
        value, i = rebuild(decl, tokens, i)
        values.append(value)
    if not values:
        return NOTHING
    return values[0] if len(values) == 1 else DotValue(tuple(values))


def _dotted(values: Iterable[Any]) -> Any:
    items: list[Any] = []
    for v in values:
        items.extend(items_of(v))
    if len(items) == 1:
        return items[0]
    return DotValue(tuple(items))


def _inner_candidates(decl: Declared, partial: Partial) -> tuple[frozenset[Any], int, Partial]:
    """For a partial whose last field is partial: that field's set and the inner prefix."""
    inner = partial.fields[-1]
    assert isinstance(inner, Partial)
    index = len(partial.fields) - 1
    allowed = _enumerable(decl.field_sets(partial.head)[index], partial.head, index)
    return allowed, len(flatten_dots(inner)), inner


def _matching(allowed: Iterable[Any], inner: Partial) -> list[list[Any]]:
    prefix = flatten_dots(inner)
    out = []
    for v in ordered(frozenset(allowed)):
        tokens = flatten_dots(v)
        if tokens[: len(prefix)] == prefix:
            out.append(tokens)
    return out


def one_field_extensions(decl: Declared, v: Any) -> list[Any]:
    """The values ``x`` that complete exactly one more (innermost) field of ``v``, in order."""
    if not isinstance(v, Partial):
        return [NOTHING]
    if v.fields and isinstance(v.fields[-1], Partial):
        allowed, skip, inner = _inner_candidates(decl, v)
        seen: dict[Any, None] = {}
        for tokens in _matching(allowed, inner):
            value, _ = rebuild(decl, tokens, skip)
            seen.setdefault(value, None)
        return list(seen)
    index = len(v.fields)
    return list(ordered(_enumerable(decl.field_sets(v.head)[index], v.head, index)))


def extensions(decl: Declared, v: Any) -> list[Any]:
    """Every ``x`` such that ``v.x`` is a whole value (``[NOTHING]`` if ``v`` is whole)."""
    if not isinstance(v, Partial):
        return [NOTHING]
    sets = decl.field_sets(v.head)
    n = len(v.fields)
    rest: list[Sequence[Any]] = [ordered(_enumerable(s, v.head, n + k))
                                 for k, s in enumerate(sets[n:])]
    if v.fields and isinstance(v.fields[-1], Partial):
        allowed, skip, inner = _inner_candidates(decl, v)
        firsts: dict[Any, None] = {}
        for tokens in _matching(allowed, inner):
            firsts.setdefault(join(decl, tokens, skip), None)
        rest.insert(0, list(firsts))
    out: dict[Any, None] = {}
    for combo in itertools.product(*rest):
        out.setdefault(_dotted(combo), None)
    return list(out)


def productions(decl: Declared, v: Any) -> frozenset[Any]:
    """``{| v |}``: every whole value that extends ``v``."""
    if isinstance(v, Partial):
        return frozenset(combine(decl, v, x) for x in extensions(decl, v))
    if isinstance(v, Event | Datum):
        return frozenset({v})
    raise DotError(f"{{| {show(v)} |}} needs a channel, an event or a datatype value")


# -- declarations -----------------------------------------------------------------------------


def split_field_set(values: frozenset[Any]) -> list[frozenset[Any]]:
    """A set of free dotted values split into one set per position, if it is rectangular."""
    rows = [v.items for v in values]
    width = len(rows[0])
    if any(len(r) != width for r in rows):
        raise DotError(f"the set {show(values)} is not rectangular (its values have different "
                       "numbers of fields)")
    columns = [frozenset(r[k] for r in rows) for k in range(width)]
    size = 1
    for c in columns:
        size *= len(c)
    if size != len(values):
        missing = [DotValue(combo) for combo in itertools.product(*map(sorted_values, columns))
                   if DotValue(combo) not in values]
        raise DotError(f"the set {show(values)} is not rectangular: it is not a Cartesian "
                       f"product (missing {show(frozenset(missing[:5]))}"
                       f"{' ...' if len(missing) > 5 else ''})")
    return columns
