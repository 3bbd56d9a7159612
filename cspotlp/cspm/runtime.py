"""The machinery under the evaluator: frames, thunks, scopes (process names) and the trampoline.

- A :class:`Frame` maps scope bindings to values (or :class:`Thunk` s: bindings are lazy, as in
  FDR: a definition is evaluated when first needed, then remembered).
- A :class:`Scope` is where evaluation happens, as libcspm names it: ``F(1)``, then
  ``F(1)::ANNON(2)`` inside a generator binding 2, then ``F(1)::ANNON(2)::P`` for a process ``P``
  defined by a ``let`` there. Process definitions that are not top-level get these names; the
  name determines the values in scope, so one name means one process.
- :func:`drive` runs an evaluation written as generators (``value = yield sub_evaluation``) on an
  explicit stack; a sub-evaluation may also be a plain value, handed straight back. Nothing
  recurses in Python on the depth of the script or of its data.
"""

from __future__ import annotations

import types
from collections.abc import Callable, Generator
from typing import Any

from cspotlp.cspm.scope import Binding
from cspotlp.cspm.trampoline import run
from cspotlp.cspm.values import show

Step = Generator[Any, Any, Any]
"""An evaluation in progress: yields sub-evaluations (generators or plain values)."""

MAX_DEPTH = 2_000_000
"""Pending evaluations beyond this are reported as runaway recursion."""

_GENERATOR = types.GeneratorType
MISSING = object()


def drive(step: Any) -> Any:
    """Run ``step`` (a generator, or already a value) to its value, at most :data:`MAX_DEPTH` deep."""
    if type(step) is not _GENERATOR:
        return step
    return run(step, MAX_DEPTH)


class Scope:
    """Where an evaluation happens, for naming processes (see the module docstring)."""

    __slots__ = ("_text", "args", "label", "parent")

    def __init__(self, parent: Scope | None, label: str,
                 args: tuple[tuple[Any, ...], ...] = ()) -> None:
        self.parent = parent
        self.label = label
        self.args = args
        self._text: str | None = None if parent is not None else ""

    def text(self) -> str:
        """The scope's name: ``F(1)::ANNON(2)`` (empty at the top level)."""
        if self._text is not None:
            return self._text
        chain: list[Scope] = []
        s: Scope | None = self
        while s is not None and s._text is None:
            chain.append(s)
            s = s.parent
        prefix = s._text if s is not None else ""
        for scope in reversed(chain):
            own = scope.label + "".join(
                "(" + ", ".join(show(v) for v in group) + ")" for group in scope.args)
            prefix = f"{prefix}::{own}" if prefix else own
            scope._text = prefix
        assert self._text is not None
        return self._text

    def child(self, label: str, *groups: tuple[Any, ...]) -> Scope:
        """A scope nested in this one."""
        return Scope(self, label, groups)

    def anonymous(self, values: tuple[Any, ...]) -> Scope:
        """The scope of values bound by a generator, input or lambda (``ANNON(values)``)."""
        if not values:
            return self
        return Scope(self, "ANNON", (values,))


ROOT = Scope(None, "")


class Frame:
    """Variables in scope: a map from bindings to values, chained to the enclosing frame."""

    __slots__ = ("parent", "scope", "vars")

    def __init__(self, parent: Frame | None, variables: dict[Binding, Any], scope: Scope) -> None:
        self.parent = parent
        self.vars = variables
        self.scope = scope

    def find(self, b: Binding) -> Any:
        """The value (or thunk) bound to ``b`` here or in an enclosing frame, else MISSING."""
        f: Frame | None = self
        while f is not None:
            v = f.vars.get(b, MISSING)
            if v is not MISSING:
                return v
            f = f.parent
        return MISSING


class CyclicDefinition(Exception):
    """A value was needed while it was being computed (``x = x + 1``)."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


class Thunk:
    """A lazily computed, remembered value."""

    __slots__ = ("compute", "name", "state", "value")

    def __init__(self, name: str, compute: Callable[[], Any]) -> None:
        self.name = name
        self.compute = compute
        self.state = 0  # 0 new, 1 running, 2 done
        self.value: Any = None

    def force(self) -> Any:
        """The value (a plain value if known, else an evaluation to drive or yield)."""
        if self.state == 2:
            return self.value
        return self._evaluate()

    def _evaluate(self) -> Step:
        if self.state == 1:
            raise CyclicDefinition(self.name)
        self.state = 1
        try:
            value = yield self.compute()
        except BaseException:
            self.state = 0
            raise
        self.value = value
        self.state = 2
        self.compute = _spent
        return value


def _spent() -> Any:  # pragma: no cover - never called once a thunk is done
    raise AssertionError("thunk evaluated twice")
