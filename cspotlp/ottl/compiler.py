"""Syntax trees to Python closures, compiled once per statement.

A value compiles to a *getter* ``get(ctx) -> value``, a condition to ``test(ctx) -> bool`` and
a statement to ``run(ctx) -> None``, where ``ctx`` is the context object of the statement's
context (see :mod:`cspotlp.ottl.state`). Everything that can be decided from the text is
decided here, once: which field a path names, which function a name calls and whether its
arguments fit its parameters, literal regexes, enum values. Running a statement is then a few
nested calls, with no tree walking.

Binding errors are the Collector's: ``undefined function "nope"``, ``invalid argument at
position 1: ...``, ``segment "nmae" from path "nmae" is not a valid path ...``,
``enum symbol, SPAN_KIND_SERVR, not found`` — each with file, line and column.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from cspotlp.errors import OttlBindError
from cspotlp.ottl.functions import (
    FUNCTIONS,
    UNAVAILABLE,
    BuildError,
    Function,
    Param,
    hash_function,
)
from cspotlp.ottl.paths import ENUMS, Accessor, EvalError, PathError, index_value, resolve_path
from cspotlp.ottl.syntax import (
    Arg,
    Arith,
    BoolOp,
    Call,
    Compare,
    Enum,
    Expr,
    ListExpr,
    Literal,
    MapExpr,
    Path,
    Pos,
    Source,
    Statement,
)
from cspotlp.ottl.values import MathError, arithmetic, compare, type_name

Getter = Callable[[Any], Any]
Test = Callable[[Any], bool]

CONSTANTS: weakref.WeakKeyDictionary[Getter, Any] = weakref.WeakKeyDictionary()
"""Getters of literals and their values, so that builders can skip calling them."""


@dataclass(frozen=True)
class CompiledStatement:
    """A statement ready to run: ``run(ctx)`` applies it to one item of its context."""

    run: Callable[[Any], None]
    text: str
    context: str
    source: Source


@dataclass(frozen=True)
class CompiledCondition:
    """A condition ready to test: ``test(ctx)`` on one item of its context."""

    test: Test
    text: str
    context: str
    source: Source


class _Binder:
    """Compiles the expressions of one statement or condition in one context."""

    def __init__(self, context: str, text: str, source: Source) -> None:
        self.context, self.text, self.source = context, text, source

    def fail(self, message: str, pos: Pos) -> OttlBindError:
        return OttlBindError(message, self.source.at(pos, self.text))

    # -- values -----------------------------------------------------------------------------
    def value(self, node: Expr) -> Getter:
        """The getter of a value expression."""
        if isinstance(node, Literal):
            v = node.value
            const = lambda c: v  # noqa: E731
            CONSTANTS[const] = v
            return const
        if isinstance(node, Path):
            return self.path(node).get
        if isinstance(node, Enum):
            return self.enum(node)
        if isinstance(node, Call):
            return self.converter(node)
        if isinstance(node, ListExpr):
            items = [self.value(x) for x in node.items]
            return lambda c: [g(c) for g in items]
        if isinstance(node, MapExpr):
            pairs = [(k, self.value(v)) for k, v in node.items]
            return lambda c: {k: g(c) for k, g in pairs}
        if isinstance(node, Arith):
            return self.arith(node)
        if isinstance(node, Compare | BoolOp):
            raise self.fail("a comparison or boolean expression is not a value here; pkg/ottl "
                            "allows them only in conditions", node.pos)
        raise self.fail(f"unsupported expression {type(node).__name__}", Pos(1, 1))

    def enum(self, node: Enum) -> Getter:
        if node.name not in ENUMS:
            raise self.fail(f"enum symbol, {node.name}, not found", node.pos)
        v = ENUMS[node.name]
        return lambda c: v

    def path(self, node: Path) -> Accessor:
        try:
            return resolve_path(node.fields, self.context, self.value)
        except PathError as e:
            raise self.fail(str(e), node.pos) from e

    def arith(self, node: Arith) -> Getter:
        left, right, op = self.value(node.left), self.value(node.right), node.op

        def get(c: Any) -> Any:
            try:
                return arithmetic(left(c), op, right(c))
            except MathError as e:
                raise EvalError(str(e)) from e
        return get

    def converter(self, node: Call) -> Getter:
        fn = self.function(node, editor=False)
        get: Getter = self.bind(fn, node)
        if not node.keys:
            return get
        keys = [self.value(k) for k in node.keys]

        def indexed(c: Any) -> Any:
            return index_value(get(c), [k(c) for k in keys])
        return indexed

    # -- functions --------------------------------------------------------------------------
    def function(self, node: Call, *, editor: bool) -> Function:
        if node.name in UNAVAILABLE:
            raise self.fail(f"function \"{node.name}\" is not available in cspotlp: "
                            f"{UNAVAILABLE[node.name]}, and transformations must give the same "
                            f"output for the same input", node.pos)
        fn = FUNCTIONS.get(node.name)
        if fn is None:
            raise self.fail(f"undefined function \"{node.name}\"", node.pos)
        if fn.is_editor != editor:
            kind = "an editor" if fn.is_editor else "a converter"
            where = "a statement starts with an editor" if editor else \
                "values and conditions call converters"
            raise self.fail(f"\"{node.name}\" is {kind}; {where}", node.pos)
        if self.context not in fn.contexts:
            raise self.fail(f"function \"{node.name}\" is only available in the "
                            f"{', '.join(fn.contexts)} context", node.pos)
        if node.keys and editor:
            raise self.fail("editors cannot be indexed", node.pos)
        return fn

    def bind(self, fn: Function, node: Call) -> Any:
        """Match the call's arguments to the function's parameters and build its closure."""
        slots: list[Arg | None] = [None] * len(fn.params)
        names = {p.name: i for i, p in enumerate(fn.params)}
        seen_named = False
        for i, arg in enumerate(node.args):
            if arg.name is None:
                if seen_named:
                    raise self.fail("unnamed argument used after named argument", arg.pos)
                if i >= len(fn.params):
                    raise self.fail(f"too many arguments to \"{fn.name}\": it takes "
                                    f"{len(fn.params)}", arg.pos)
                slots[i] = arg
            else:
                seen_named = True
                k = names.get(arg.name)
                if k is None:
                    raise self.fail(f"no such parameter \"{arg.name}\" of \"{fn.name}\"; "
                                    f"parameters: {', '.join(names)}", arg.pos)
                if slots[k] is not None:
                    raise self.fail(f"argument \"{arg.name}\" given twice", arg.pos)
                slots[k] = arg
        values: list[Any] = []
        for i, (param, slot) in enumerate(zip(fn.params, slots, strict=True)):
            if slot is None:
                if not param.optional:
                    required = sum(1 for p in fn.params if not p.optional)
                    raise self.fail(f"incorrect number of arguments. Expected: {required} "
                                    f"Received: {len(node.args)}", node.pos)
                values.append(None)
                continue
            values.append(self.argument(fn, param, i, slot))
        try:
            return fn.build(*values)
        except BuildError as e:
            pos = node.pos
            if e.position is not None and e.position < len(slots):
                slot = slots[e.position]
                pos = slot.pos if slot is not None else pos
            raise self.fail(e.message, pos) from e

    def argument(self, fn: Function, param: Param, position: int, arg: Arg) -> Any:
        node = arg.value

        def bad(why: str) -> OttlBindError:
            return self.fail(f"invalid argument at position {position}: {why}", node.pos)

        kind = param.kind
        if kind in ("target", "map_target"):
            if not isinstance(node, Path):
                raise bad(f"{fn.name}'s {param.name} must be a path")
            acc = self.path(node)
            if acc.set is None:
                raise bad(f"the path \"{acc.text}\" cannot be set")
            return acc
        if kind.startswith("lit_"):
            return self.literal(kind, node, bad)
        if kind == "function":
            if not isinstance(node, Enum):
                raise bad("must be the name of a converter, such as SHA256")
            try:
                return hash_function(node.name)
            except KeyError:
                raise bad(f"\"{node.name}\" is not a converter of one string") from None
        if kind == "getters":
            if not isinstance(node, ListExpr):
                raise bad("must be a list")
            return [self.value(x) for x in node.items]
        # typed getters (string, int, map) check their values when the closure runs, as
        # pkg/ottl's do: ParseJSON(1) parses, and fails on each item it runs on
        return self.value(node)

    def literal(self, kind: str, node: Expr, bad: Callable[[str], OttlBindError]) -> Any:
        if kind == "lit_strings":
            if not isinstance(node, ListExpr):
                raise bad("must be a list of strings")
            out = []
            for item in node.items:
                if not isinstance(item, Literal) or not isinstance(item.value, str):
                    raise self.fail("invalid argument: the list must hold string literals",
                                    item.pos)
                out.append(item.value)
            return out
        want = {"lit_string": (str, "a string"), "lit_int": (int, "an int"),
                "lit_bool": (bool, "true or false"), "lit_bytes": (bytes, "bytes (0x...)")}
        typ, text = want[kind]
        if not isinstance(node, Literal) or not isinstance(node.value, typ) or \
                (typ is int and isinstance(node.value, bool)):
            raise bad(f"must be {text} literal")
        return node.value

    # -- conditions -------------------------------------------------------------------------
    def condition(self, node: Expr) -> Test:
        """The test of a boolean expression (comparisons, converters, true/false, and/or/not)."""
        if isinstance(node, BoolOp):
            parts = [self.condition(x) for x in node.operands]
            if node.op == "not":
                (inner,) = parts
                return lambda c: not inner(c)
            if node.op == "and":
                if len(parts) == 2:
                    a, b = parts
                    return lambda c: a(c) and b(c)
                return lambda c: all(p(c) for p in parts)
            if len(parts) == 2:
                a, b = parts
                return lambda c: a(c) or b(c)
            return lambda c: any(p(c) for p in parts)
        if isinstance(node, Compare):
            return self.comparison(node)
        if isinstance(node, Literal) and isinstance(node.value, bool):
            const = node.value
            return lambda c: const
        if isinstance(node, Call):
            get = self.converter(node)
            name = node.name

            def test(c: Any) -> bool:
                v = get(c)
                if not isinstance(v, bool):
                    raise EvalError(f"converter {name} did not return a boolean but "
                                    f"{type_name(v)}")
                return v
            return test
        raise self.fail("a condition must be a comparison, a converter returning a boolean, "
                        "true or false (or and/or/not of those)", _pos_of(node))

    def comparison(self, node: Compare) -> Test:
        for side in (node.left, node.right):
            if isinstance(side, Compare | BoolOp):
                raise self.fail("comparisons cannot be chained or compare conditions",
                                side.pos)
        left, right, op = self.value(node.left), self.value(node.right), node.op
        if isinstance(node.right, Literal) and op in ("==", "!=") and \
                isinstance(node.right.value, str):
            # the common case name == "x": a string equals only the same string
            const = node.right.value

            def equal(c: Any) -> bool:
                v = left(c)
                return isinstance(v, str) and v == const

            if op == "==":
                return equal
            return lambda c: not equal(c)
        return lambda c: compare(left(c), right(c), op)


def _pos_of(node: Expr) -> Pos:
    return node.pos if hasattr(node, "pos") else Pos(1, 1)


def compile_statement(statement: Statement, context: str, source: Source | None = None
                      ) -> CompiledStatement:
    """Compile a parsed statement for ``context`` (resource, scope, span or spanevent).

    Raises:
        OttlBindError: unknown function, path or enum; arguments that do not fit.
    """
    src = source or Source()
    b = _Binder(context, statement.text, src)
    fn = b.function(statement.editor, editor=True)
    action: Callable[[Any], None] = b.bind(fn, statement.editor)
    if statement.where is None:
        return CompiledStatement(action, statement.text, context, src)
    test = b.condition(statement.where)

    def run(c: Any) -> None:
        if test(c):
            action(c)
    return CompiledStatement(run, statement.text, context, src)


def compile_condition(condition: Expr, text: str, context: str, source: Source | None = None
                      ) -> CompiledCondition:
    """Compile a parsed condition (a where clause alone, or a filter condition)."""
    src = source or Source()
    return CompiledCondition(_Binder(context, text, src).condition(condition), text, context,
                             src)


def compile_value(value: Expr, text: str, context: str, source: Source | None = None
                  ) -> Getter:
    """Compile a parsed value expression to a getter over ``context`` objects."""
    return _Binder(context, text, source or Source()).value(value)


def paths_of(node: Statement | Expr) -> list[Sequence[Any]]:
    """The field sequences of every path in a statement or expression (iteratively)."""
    out: list[Sequence[Any]] = []
    stack: list[Any] = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, Statement):
            stack.append(n.editor)
            if n.where is not None:
                stack.append(n.where)
        elif isinstance(n, Path):
            out.append(n.fields)
            stack.extend(k for f in n.fields for k in f.keys)
        elif isinstance(n, Call):
            stack.extend(a.value for a in n.args)
            stack.extend(n.keys)
        elif isinstance(n, ListExpr):
            stack.extend(n.items)
        elif isinstance(n, MapExpr):
            stack.extend(v for _k, v in n.items)
        elif isinstance(n, Arith | Compare):
            stack.extend((n.left, n.right))
        elif isinstance(n, BoolOp):
            stack.extend(n.operands)
    return out


__all__ = [
    "CompiledCondition", "CompiledStatement", "compile_condition", "compile_statement",
    "compile_value", "paths_of",
]
