"""Pattern matching: does a value match ``(x, <y>^ys)``, ``c.A.x``, ``{}``...? With what bindings?

:func:`match` returns the variables a pattern binds (keyed by their scope
:class:`~cspotlp.cspm.scope.Binding`) or None when the value does not match. Names that are
constructors or channels match those values instead of binding (the scope analysis records
them as references). Dot patterns follow the declarations: in ``c.x.y`` the non-final ``x``
takes exactly one field, the final ``y`` takes everything that remains.

Matching walks the pattern with an explicit stack.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from cspotlp.csp.values import Seq
from cspotlp.cspm import ast
from cspotlp.cspm.dots import Declared, join, rebuild
from cspotlp.cspm.scope import Binding
from cspotlp.cspm.traverse import fold
from cspotlp.cspm.values import (
    Char,
    DotValue,
    Head,
    LazySeq,
    canonical,
    drop,
    flatten_dots,
    string_value,
)

Bindings = dict[Binding, Any]


class PatternContext:
    """What matching needs from the evaluator."""

    def __init__(
        self,
        refs: dict[ast.Node, Binding],
        defs: dict[ast.Node, Binding],
        constant: Callable[[Binding], Any],
        head_of: Callable[[Binding], Head | None],
        declared: Declared,
    ) -> None:
        self.refs = refs
        self.defs = defs
        self.constant = constant
        self.head_of = head_of
        self.declared = declared


class PatternUnsupported(Exception):
    """A pattern form the evaluator cannot match (e.g. ``xs ^ ys`` with two unknown lengths)."""

    def __init__(self, message: str, node: ast.Node) -> None:
        super().__init__(message)
        self.node = node


def fixed_length(p: ast.Pat) -> int | None:
    """The length every sequence matching ``p`` has, if the pattern fixes it."""
    stack = [p]
    total = 0
    while stack:
        q = stack.pop()
        if isinstance(q, ast.PSeq):
            total += len(q.items)
        elif isinstance(q, ast.PString):
            total += len(q.value)
        elif isinstance(q, ast.PConcat):
            stack.extend((q.left, q.right))
        elif isinstance(q, ast.PDouble):
            stack.append(q.left)
        else:
            return None
    return total


def _seq_prefix(value: Any, n: int) -> tuple[list[Any], Any] | None:
    """The first ``n`` items of a sequence and the rest, or None if it is shorter."""
    if isinstance(value, Seq):
        if len(value.items) < n:
            return None
        return list(value.items[:n]), Seq(value.items[n:])
    assert isinstance(value, LazySeq)
    try:
        first = [value.item(i) for i in range(n)]
    except IndexError:
        return None
    return first, drop(value, n)


def match(pattern: ast.Pat, value: Any, ctx: PatternContext) -> Bindings | None:
    """The bindings made by matching ``value`` against ``pattern``, or None."""
    out: Bindings = {}
    stack: list[tuple[ast.Pat, Any]] = [(pattern, value)]
    while stack:
        p, v = stack.pop()
        if isinstance(p, ast.PVar):
            ref = ctx.refs.get(p)
            if ref is None:
                out[ctx.defs[p]] = v
            elif canonical(v) != ctx.constant(ref):
                return None
        elif isinstance(p, ast.PWild):
            continue
        elif isinstance(p, ast.PInt | ast.PBool):
            if type(v) is not type(p.value) or v != p.value:
                return None
        elif isinstance(p, ast.PChar):
            if v != Char(p.value):
                return None
        elif isinstance(p, ast.PString):
            if canonical(v) != string_value(p.value):
                return None
        elif isinstance(p, ast.PTuple):
            if not isinstance(v, tuple) or len(v) != len(p.items):
                return None
            stack.extend(zip(p.items, v, strict=True))
        elif isinstance(p, ast.PSeq):
            split = _seq_prefix(v, len(p.items))
            if split is None:
                return None
            items, rest = split
            if isinstance(rest, Seq) and rest.items:
                return None
            if isinstance(rest, LazySeq) and not rest.is_empty():
                return None
            stack.extend(zip(p.items, items, strict=True))
        elif isinstance(p, ast.PConcat):
            pair = _split_concat(p, v)
            if pair is None:
                return None
            stack.append((p.left, pair[0]))
            stack.append((p.right, pair[1]))
        elif isinstance(p, ast.PSet):
            if not isinstance(v, frozenset) or len(v) != len(p.items):
                return None
            if p.items:
                stack.append((p.items[0], next(iter(v))))
        elif isinstance(p, ast.PDouble):
            stack.append((p.left, v))
            stack.append((p.right, v))
        elif isinstance(p, ast.PDot):
            parts = _split_dot(p, v, ctx)
            if parts is None:
                return None
            stack.extend(parts)
        else:  # pragma: no cover - every pattern class is handled above
            raise AssertionError(type(p).__name__)
    return out


def _split_concat(p: ast.PConcat, v: Any) -> tuple[Any, Any] | None:
    if not isinstance(v, Seq | LazySeq):
        return None
    left_len = fixed_length(p.left)
    if left_len is not None:
        split = _seq_prefix(v, left_len)
        if split is None:
            return None
        return Seq(tuple(split[0])), split[1]
    right_len = fixed_length(p.right)
    if right_len is None:
        raise PatternUnsupported("unsupported construct: a sequence pattern 'xs ^ ys' where "
                                 "neither side has a fixed length", p)
    items = canonical(v).items if isinstance(v, Seq) else v.force().items
    if len(items) < right_len:
        return None
    cut = len(items) - right_len
    return Seq(items[:cut]), Seq(items[cut:])


def _split_dot(p: ast.PDot, v: Any, ctx: PatternContext) -> list[tuple[ast.Pat, Any]] | None:
    tokens = flatten_dots(v)
    i = 0
    out: list[tuple[ast.Pat, Any]] = []
    last = len(p.items) - 1
    for k, item in enumerate(p.items):
        ref = ctx.refs.get(item) if isinstance(item, ast.PVar) else None
        head = ctx.head_of(ref) if ref is not None else None
        if head is not None and k < last:
            tok = tokens[i] if i < len(tokens) else None
            if not isinstance(tok, Head) or tok.name != head.name:
                return None
            i += 1
            continue
        if k == last:
            if i >= len(tokens):
                return None
            out.append((item, join(ctx.declared, tokens, i)))
            i = len(tokens)
        else:
            values = []
            for _ in range(_fields_consumed(item)):
                if i >= len(tokens):
                    return None
                value, i = rebuild(ctx.declared, tokens, i)
                values.append(value)
            out.append((item, values[0] if len(values) == 1 else DotValue(tuple(values))))
    return out


def _fields_consumed(p: ast.Pat) -> int:
    """How many fields a non-final part of a dot pattern takes (libcspm's count).

    ``x.y`` takes two, ``p @@ q`` as many as the wider side; anything else one.
    """
    def count(node: ast.Node, parts: list[int]) -> int:
        if isinstance(node, ast.PDot):
            return sum(parts)
        if isinstance(node, ast.PDouble):
            return max(parts)
        return 1

    return fold(p, count)


def pattern_fields(p: ast.Pat) -> list[ast.Pat]:
    """The parts of an input pattern ``?x.y`` (one per dot), as libcspm splits them."""
    if isinstance(p, ast.PDot):
        return list(p.items)
    return [p]


def bound_values(pattern: ast.Pat, bindings: Bindings, ctx: PatternContext) -> tuple[Any, ...]:
    """The values a pattern bound, in the pattern's left-to-right order (for process names)."""
    out: list[Any] = []
    stack: list[ast.Pat] = [pattern]
    while stack:
        q = stack.pop()
        if isinstance(q, ast.PVar):
            b = ctx.defs.get(q)
            if b is not None and b in bindings and q not in ctx.refs:
                out.append(bindings[b])
        elif isinstance(q, ast.PTuple | ast.PDot | ast.PSeq | ast.PSet):
            stack.extend(reversed(q.items))
        elif isinstance(q, ast.PConcat | ast.PDouble):
            stack.extend((q.right, q.left))
    return tuple(out)
