"""Function values: user functions (one or more equations), lambdas and FDR's built-ins.

A function is applied to one argument group at a time (``f(1)(2)`` is two applications).
Applying returns a value or an evaluation step for :func:`~cspotlp.cspm.runtime.drive`.
Functions compare by what they are (their definition, where it was evaluated, the arguments
given so far), so that processes taking functions as arguments get stable names.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from cspotlp.cspm import ast
from cspotlp.cspm.printer import print_pattern
from cspotlp.cspm.runtime import Frame, Scope
from cspotlp.cspm.values import show

if TYPE_CHECKING:
    from cspotlp.cspm.evaluate import Evaluator


class FunctionValue:
    """Base of function values."""

    __slots__ = ()

    def key(self) -> tuple[Any, ...]:
        """What identifies the function (for equality and hashing)."""
        raise NotImplementedError

    def apply(self, ev: Evaluator, args: tuple[Any, ...], node: ast.Node) -> Any:
        """The result of applying the function to one argument group (value or step)."""
        raise NotImplementedError

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FunctionValue) and self.key() == other.key()

    def __hash__(self) -> int:
        return hash(self.key())


class UserFunction(FunctionValue):
    """A function defined by equations ``f(p1)(p2) = ...`` (top level or in a ``let``)."""

    __slots__ = ("decl", "frame", "groups", "proc_result", "scope")

    def __init__(self, decl: ast.FunBind, frame: Frame, scope: Scope, proc_result: bool,
                 groups: tuple[tuple[Any, ...], ...] = ()) -> None:
        self.decl = decl
        self.frame = frame
        self.scope = scope
        self.proc_result = proc_result
        self.groups = groups

    @property
    def arity(self) -> int:
        """How many argument groups the equations take."""
        return len(self.decl.clauses[0].params)

    def key(self) -> tuple[Any, ...]:
        """What identifies this function."""
        return ("user", id(self.decl), self.scope.text(), self.groups)

    def apply(self, ev: Evaluator, args: tuple[Any, ...], node: ast.Node) -> Any:
        """Take one more argument group; a process call or the value once all are given."""
        groups = (*self.groups, args)
        if len(groups) < self.arity:
            return UserFunction(self.decl, self.frame, self.scope, self.proc_result, groups)
        if self.proc_result:
            return ev.process_call(self, groups)
        return ev.apply_equations(self, groups, node)

    def __str__(self) -> str:
        head = self.scope.text()
        name = f"{head}::{self.decl.name}" if head else self.decl.name
        return name + "".join("(" + ", ".join(show(a) for a in g) + ")" for g in self.groups)


class Lambda(FunctionValue):
    r"""``\x, y @ body`` closed over the frame where it was evaluated."""

    __slots__ = ("frame", "node", "proc_result", "scope")

    def __init__(self, node: ast.Lambda, frame: Frame, scope: Scope, proc_result: bool) -> None:
        self.node = node
        self.frame = frame
        self.scope = scope
        self.proc_result = proc_result

    def key(self) -> tuple[Any, ...]:
        """What identifies this function."""
        return ("lambda", id(self.node), self.scope.text())

    def apply(self, ev: Evaluator, args: tuple[Any, ...], node: ast.Node) -> Any:
        """Bind the parameters and evaluate the body."""
        return ev.apply_lambda(self, args, node)

    def __str__(self) -> str:
        # libcspm's spelling: the parameters only, the body elided
        params = ", ".join(print_pattern(p) for p in self.node.params)
        text = f"(\\{params} @ …)"
        head = self.scope.text()
        return f"{head}::{text}" if head else text


Native = Callable[["Evaluator", tuple[Any, ...], ast.Node], Any]


class BuiltinFunction(FunctionValue):
    """One of FDR's built-in functions (``union``, ``head``, ``normal``, ``prioritise``...)."""

    __slots__ = ("arity", "impl", "name")

    def __init__(self, name: str, arity: int, impl: Native) -> None:
        self.name = name
        self.arity = arity
        self.impl = impl

    def key(self) -> tuple[Any, ...]:
        """What identifies this function."""
        return ("builtin", self.name)

    def apply(self, ev: Evaluator, args: tuple[Any, ...], node: ast.Node) -> Any:
        """Run the built-in."""
        return self.impl(ev, args, node)

    def __str__(self) -> str:
        return self.name


class Curried(FunctionValue):
    """A built-in's result that is itself a function (``relational_image(R)``)."""

    __slots__ = ("args", "fn", "name")

    def __init__(self, name: str, args: tuple[Any, ...], fn: Native) -> None:
        self.name = name
        self.args = args
        self.fn = fn

    def key(self) -> tuple[Any, ...]:
        """What identifies this function."""
        return ("curried", self.name, self.args)

    def apply(self, ev: Evaluator, args: tuple[Any, ...], node: ast.Node) -> Any:
        """Run the built-in's second stage."""
        return self.fn(ev, args, node)

    def __str__(self) -> str:
        return f"{self.name}({', '.join(show(a) for a in self.args)})"
