"""Iterative traversals of CSPm syntax trees: children, pre-order walk, post-order fold, equality.

Nothing here recurses in Python, so trees of any depth (a 50,000-deep prefix chain) are fine.
The evaluator and the checkers build on :func:`children`, :func:`walk` and :func:`fold`.

>>> from cspotlp.cspm.parser import parse_expr
>>> e = parse_expr("a -> b -> STOP")
>>> [type(n).__name__ for n in walk(e)]
['Prefix', 'Var', 'Prefix', 'Var', 'Var']
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from typing import TypeVar

from cspotlp.cspm import ast
from cspotlp.cspm.ast import Node

R = TypeVar("R")

_FIELDS: dict[type, tuple[str, ...]] = {}


def _field_names(cls: type) -> tuple[str, ...]:
    names = _FIELDS.get(cls)
    if names is None:
        names = tuple(f.name for f in dataclasses.fields(cls) if f.name != "span")
        _FIELDS[cls] = names
    return names


def _nodes_in(value: object, out: list[Node]) -> None:
    """Append the nodes held by a field value (a node, a tuple of nodes, a tuple of pairs)."""
    if isinstance(value, Node):
        out.append(value)
    elif isinstance(value, tuple):
        for item in value:
            if isinstance(item, Node):
                out.append(item)
            elif isinstance(item, tuple):
                out.extend(x for x in item if isinstance(x, Node))


def children(node: Node) -> tuple[Node, ...]:
    """The direct sub-nodes of ``node``, in source order."""
    out: list[Node] = []
    for name in _field_names(type(node)):
        _nodes_in(getattr(node, name), out)
    return tuple(out)


def walk(root: Node) -> Iterator[Node]:
    """Every node under ``root`` (included), in pre-order (source order)."""
    stack: list[Node] = [root]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(children(node)))


def fold(root: Node, combine: Callable[[Node, list[R]], R]) -> R:
    """Post-order fold: ``combine(node, results_of_children)``, bottom-up, without recursion.

    >>> from cspotlp.cspm.parser import parse_expr
    >>> fold(parse_expr("f(1, g(2))"), lambda n, rs: 1 + sum(rs))  # nodes: f, 1, g, 2, two Apps
    6
    """
    results: list[R] = []
    stack: list[tuple[Node, bool]] = [(root, False)]
    arity: list[int] = []
    while stack:
        node, expanded = stack.pop()
        if expanded:
            n = arity.pop()
            args = results[len(results) - n :] if n else []
            del results[len(results) - n :]
            results.append(combine(node, args))
            continue
        kids = children(node)
        stack.append((node, True))
        arity.append(len(kids))
        stack.extend((kid, False) for kid in reversed(kids))
    return results[0]


def _plain(value: object) -> object:
    """A field value with its nodes replaced by their classes (for shallow comparison)."""
    if isinstance(value, Node):
        return type(value)
    if isinstance(value, tuple):
        return tuple(_plain(v) for v in value)
    return value


def ast_equal(a: Node, b: Node) -> bool:
    """Structural equality of two trees, ignoring source positions (and ``Script.sources``)."""
    stack: list[tuple[Node, Node]] = [(a, b)]
    while stack:
        x, y = stack.pop()
        if type(x) is not type(y):
            return False
        for name in _field_names(type(x)):
            if name == "sources":
                continue
            vx, vy = getattr(x, name), getattr(y, name)
            if _plain(vx) != _plain(vy):
                return False
        kx, ky = children(x), children(y)
        if len(kx) != len(ky):
            return False
        stack.extend(zip(kx, ky, strict=True))
    return True


def node_count(root: Node) -> int:
    """The number of nodes under ``root`` (included)."""
    return sum(1 for _ in walk(root))


def map_decl_lists(decls: tuple[ast.Decl, ...],
                   fn: Callable[[tuple[ast.Decl, ...]], tuple[ast.Decl, ...]]
                   ) -> tuple[ast.Decl, ...]:
    """Apply ``fn`` to a list of declarations and to every list nested in it.

    Nested lists are module bodies and timed sections; they are done innermost first, and
    the containers whose lists changed are rebuilt.
    """
    # Work items: ("list", decls) expands a list, ("decl", (d,)) one declaration, ("module" /
    # "timed", (d,)) rebuilds a container from the results of its lists, and ("rebuild",
    # decls) applies fn to a list whose declarations' results are on ``done``.
    done: list[tuple[ast.Decl, ...]] = []
    work: list[tuple[str, tuple[ast.Decl, ...]]] = [("list", decls)]
    while work:
        tag, items = work.pop()
        if tag == "list":
            work.append(("rebuild", items))
            for d in reversed(items):
                work.append(("decl", (d,)))
        elif tag == "decl":
            d = items[0]
            if isinstance(d, ast.ModuleDecl):
                work.append(("module", items))
                work.append(("list", d.exports))
                work.append(("list", d.private))
            elif isinstance(d, ast.TimedSection):
                work.append(("timed", items))
                work.append(("list", d.decls))
            else:
                done.append((d,))
        elif tag == "module":
            d = items[0]
            assert isinstance(d, ast.ModuleDecl)
            exports, private = done.pop(), done.pop()
            if exports is not d.exports or private is not d.private:
                d = dataclasses.replace(d, private=private, exports=exports)
            done.append((d,))
        elif tag == "timed":
            d = items[0]
            assert isinstance(d, ast.TimedSection)
            inner = done.pop()
            if inner is not d.decls:
                d = dataclasses.replace(d, decls=inner)
            done.append((d,))
        else:
            n = len(items)
            parts = done[len(done) - n :]
            del done[len(done) - n :]
            rebuilt = tuple(p[0] for p in parts)
            same = all(a is b for a, b in zip(rebuilt, items, strict=True))
            done.append(fn(items if same else rebuilt))
    return done[0]
