r"""Process definitions compiled to closures: the evaluator's fast path for bodies it unfolds often.

The semantics unfolds a recursive definition once per state it reaches
(``COUNT(n) = up -> COUNT(n+1)``: once per value of ``n``), and a replicated operator evaluates
its body once per value (``||| i : {0..1000000} @ a.i -> STOP``). The general evaluator
(:mod:`cspotlp.cspm.evaluate`) runs every expression as a generator on an explicit stack, which
handles any depth but costs a generator per node. Here the body of a top-level process
definition is compiled once into nested Python closures taking the frame of its variables; the
closures call each other directly.

The result is the very term the general evaluator builds (the same handlers decide what is
not plain: input prefixes, ``let``, comprehensions, Timed sections... are evaluated by it, from
inside the closure), and errors are the same, at the same places. Closures nest only
:data:`MAX_DEPTH` deep: a deeper sub-expression is handed to the general evaluator, so no
Python recursion grows with the script (a 50,000-deep prefix chain works as before).

>>> from cspotlp.cspm.evaluate import load_text
>>> from cspotlp.csp.terms import call
>>> loaded = load_text("channel up\nCOUNT(n) = up -> COUNT(n+1)\n")
>>> str(loaded.env.unfold(call("COUNT", 41)))
'up -> COUNT(42)'
"""

from __future__ import annotations

import contextlib
import gc
import operator
import types
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from cspotlp.csp.events import event
from cspotlp.csp.terms import STOP, Proc, prefix
from cspotlp.csp.values import Datum
from cspotlp.cspm import ast
from cspotlp.cspm.dots import DotError, dot_all
from cspotlp.cspm.functions import FunctionValue
from cspotlp.cspm.processes import BINARY, as_event, as_process, combine_replicated
from cspotlp.cspm.runtime import MISSING, Frame, Thunk, drive
from cspotlp.cspm.scope import Kind
from cspotlp.cspm.timed import section_at
from cspotlp.cspm.values import Char, Partial, show, string_value

if TYPE_CHECKING:
    from cspotlp.cspm.evaluate import Evaluator

__all__ = ["MAX_DEPTH", "Closure", "Compiler"]

Closure = Callable[[Frame], Any]
"""A compiled expression: its value in a frame."""

MAX_DEPTH = 48
"""Closures nest at most this deep; deeper sub-expressions go to the general evaluator."""

_GENERATOR = types.GeneratorType


class Compiler:
    """Compiles expressions of one evaluator's script (each node once)."""

    def __init__(self, ev: Evaluator) -> None:
        self.ev = ev
        self._done: dict[ast.Exp, Closure] = {}
        self._table: dict[type, Callable[[Any, int], Closure]] = {
            ast.Var: self._var,
            ast.IntLit: self._literal,
            ast.BoolLit: self._literal,
            ast.CharLit: self._literal,
            ast.StringLit: self._literal,
            ast.App: self._app,
            ast.BinaryOp: self._binary,
            ast.UnaryOp: self._unary,
            ast.If: self._if,
            ast.TupleExp: self._tuple,
            ast.DotExp: self._dot,
            ast.Prefix: self._prefix,
            ast.Guard: self._guard,
            ast.ProcBinary: self._proc_binary,
            ast.Replicated: self._replicated,
        }

    def closure(self, e: ast.Exp) -> Closure:
        """The compiled form of ``e`` (compiled on first use)."""
        done = self._done.get(e)
        if done is None:
            done = self._done[e] = self._compile(e, 0)
        return done

    def _compile(self, e: ast.Exp, depth: int) -> Closure:
        make = self._table.get(type(e))
        if make is None or depth >= MAX_DEPTH:
            return self._general(e)
        return make(e, depth + 1)

    def _general(self, e: ast.Exp) -> Closure:
        """``e`` evaluated by the general evaluator (its own explicit stack)."""
        handler = self.ev.handlers[type(e)]

        def general(f: Frame) -> Any:
            v = handler(e, f)
            return drive(v) if type(v) is _GENERATOR else v

        return general

    # -- values ------------------------------------------------------------------------------

    def _var(self, e: ast.Var, depth: int) -> Closure:
        ev = self.ev
        b = ev.refs[e]
        lookup = ev.lookup
        if b.kind is Kind.BUILTIN or b.group == 1:
            # Built-ins and top-level names never change once known (a top-level binding
            # is lazy, then remembered): look them up once.
            top = ev.globals.vars
            cell: list[Any] = []

            def constant(f: Frame) -> Any:
                if cell:
                    return cell[0]
                v = lookup(b, f, e)
                v = drive(v) if type(v) is _GENERATOR else v
                raw = top.get(b)
                if not isinstance(raw, Thunk) or raw.state == 2:
                    cell.append(v)
                return v

            return constant

        def var(f: Frame) -> Any:
            v = f.vars.get(b, MISSING)  # the innermost frame's own variables first
            if v is MISSING or isinstance(v, Thunk):
                v = lookup(b, f, e)
            return drive(v) if type(v) is _GENERATOR else v

        return var

    def _literal(self, e: ast.Exp, depth: int) -> Closure:
        value: Any
        if isinstance(e, ast.CharLit):
            value = Char(e.value)
        elif isinstance(e, ast.StringLit):
            value = string_value(e.value)
        else:
            value = e.value  # type: ignore[attr-defined]
        return lambda f: value

    def _app(self, e: ast.App, depth: int) -> Closure:
        ev = self.ev
        func = self._compile(e.func, depth)
        args = tuple(self._compile(a, depth) for a in e.args)

        def app(f: Frame) -> Any:
            fn = func(f)
            values = tuple(a(f) for a in args)
            if not isinstance(fn, FunctionValue):
                raise ev.error(f"{show(fn)} is not a function", e.func)
            result = fn.apply(ev, values, e)
            return drive(result) if type(result) is _GENERATOR else result

        return app

    def _binary(self, e: ast.BinaryOp, depth: int) -> Closure:
        ev = self.ev
        left, right = self._compile(e.left, depth), self._compile(e.right, depth)
        op = e.op
        if op is ast.BinOp.AND:
            return lambda f: bool(left(f)) and bool(right(f))
        if op is ast.BinOp.OR:
            return lambda f: bool(left(f)) or bool(right(f))
        if op is ast.BinOp.PLUS:
            return lambda f: left(f) + right(f)
        if op is ast.BinOp.MINUS:
            return lambda f: left(f) - right(f)
        if op is ast.BinOp.TIMES:
            return lambda f: left(f) * right(f)
        fast = _INT_COMPARISONS.get(op)
        if fast is not None:
            def compare(f: Frame) -> Any:
                a, b = left(f), right(f)
                if type(a) is int and type(b) is int:
                    return fast(a, b)
                return ev.binary_value(op, a, b, e)

            return compare

        def other(f: Frame) -> Any:
            return ev.binary_value(op, left(f), right(f), e)

        return other

    def _unary(self, e: ast.UnaryOp, depth: int) -> Closure:
        ev = self.ev
        operand = self._compile(e.operand, depth)
        if e.op is ast.UnOp.NEG:
            return lambda f: -operand(f)
        if e.op is ast.UnOp.NOT:
            return lambda f: not operand(f)
        return lambda f: ev.length(operand(f), e)

    def _if(self, e: ast.If, depth: int) -> Closure:
        cond = self._compile(e.cond, depth)
        then, other = self._compile(e.then_branch, depth), self._compile(e.else_branch, depth)
        return lambda f: then(f) if cond(f) else other(f)

    def _tuple(self, e: ast.TupleExp, depth: int) -> Closure:
        items = tuple(self._compile(x, depth) for x in e.items)
        return lambda f: tuple(x(f) for x in items)

    def _dot(self, e: ast.DotExp, depth: int) -> Closure:
        ev = self.ev
        items = tuple(self._compile(x, depth) for x in e.items)

        def dot(f: Frame) -> Any:
            values = [x(f) for x in items]
            if len(values) == 2:
                done = _one_field(ev, values[0], values[1])
                if done is not None:
                    return done
            try:
                return dot_all(ev, values)
            except DotError as err:
                raise ev.error(str(err), e) from err

        return dot

    # -- processes -----------------------------------------------------------------------------

    def _prefix(self, e: ast.Prefix, depth: int) -> Closure:
        ev = self.ev
        if e.fields or section_at(ev, e) is not None:
            return self._general(e)
        event, body = self._compile(e.event, depth), self._compile(e.body, depth)

        def prefixed(f: Frame) -> Proc:
            ev_value = as_event(ev, event(f), e.event)
            return prefix(ev_value, as_process(ev, body(f), e.body))

        return prefixed

    def _guard(self, e: ast.Guard, depth: int) -> Closure:
        ev = self.ev
        if section_at(ev, e) is not None:
            return self._general(e)
        cond, body = self._compile(e.cond, depth), self._compile(e.body, depth)
        return lambda f: as_process(ev, body(f), e.body) if cond(f) else STOP

    def _proc_binary(self, e: ast.ProcBinary, depth: int) -> Closure:
        ev = self.ev
        if section_at(ev, e) is not None:
            return self._general(e)
        left, right = self._compile(e.left, depth), self._compile(e.right, depth)
        combine = BINARY[e.op]

        def binary(f: Frame) -> Proc:
            p, q = left(f), right(f)  # both first, then their checks: the general order
            return combine(as_process(ev, p, e.left), as_process(ev, q, e.right))

        return binary

    def _replicated(self, e: ast.Replicated, depth: int) -> Closure:
        """``op x : S @ P(x)`` over one generator binding a variable: a plain loop."""
        ev = self.ev
        [gen] = e.stmts if len(e.stmts) == 1 else (None,)
        if not (isinstance(gen, ast.Generator) and isinstance(gen.pattern, ast.PVar)
                and gen.pattern not in ev.refs):
            return self._general(e)
        b = ev.defs[gen.pattern]
        source, body = self._compile(gen.source, depth), self._compile(e.body, depth)

        def replicated(f: Frame) -> Proc:
            values = source(f)
            ps = []
            scope = f.scope
            with _collector_paused(_size(values) > PAUSE_COLLECTOR_ABOVE):
                for v in ev.elements(values, gen.source):
                    frame = Frame(f, {b: v}, scope.anonymous((v,)))
                    ps.append(as_process(ev, body(frame), e.body))
            return combine_replicated(ev, e, ps)

        return replicated


_INT_COMPARISONS: dict[ast.BinOp, Callable[[int, int], bool]] = {
    ast.BinOp.EQ: operator.eq, ast.BinOp.NE: operator.ne, ast.BinOp.LT: operator.lt,
    ast.BinOp.LE: operator.le, ast.BinOp.GT: operator.gt, ast.BinOp.GE: operator.ge,
}
"""Comparisons of two integers, decided without the general evaluator's checks."""

PAUSE_COLLECTOR_ABOVE = 10_000
"""A replicated operator over more values pauses Python's cycle collector while it runs."""


@contextlib.contextmanager
def _collector_paused(pause: bool) -> Iterator[None]:
    """Pause the cycle collector (restored after, whatever happens).

    A big replicated operator allocates millions of small objects that live on (its terms,
    their events): each automatic collection rescans all of them, which made building
    ``||| i : {0..1000000} @ ...`` a third slower. Nothing it builds needs collecting.
    """
    if not pause or not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _size(values: Any) -> int:
    if isinstance(values, frozenset):
        return len(values)
    items = getattr(values, "items", None)
    return len(items) if isinstance(items, tuple) else 0


_SIMPLE_FIELDS = (int, bool, Char, Datum)


def _one_field(ev: Evaluator, left: Any, right: Any) -> Any:
    """``c.v`` for a channel or constructor of one field and a plain value (else None).

    The same value :func:`~cspotlp.cspm.dots.dot_all` gives, without its general machinery;
    a value outside the field's set is left to it (for its error).
    """
    if type(left) is not Partial or left.fields or left.head.arity != 1 \
            or type(right) not in _SIMPLE_FIELDS:
        return None
    allowed = ev.field_sets(left.head)[0]
    if type(allowed) is not frozenset or right not in allowed:
        return None
    head = left.head
    return event(head.name, right) if head.kind == "channel" else Datum(head.name, (right,))
