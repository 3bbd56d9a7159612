"""Run recursive-looking generator code without Python recursion.

A traversal written as generators "calls" a sub-traversal by yielding the sub-generator and
receives its return value back from ``yield``::

    def size(node):
        total = 1
        for kid in children(node):
            total += yield size(kid)
        return total

    run(size(root))

:func:`run` keeps the pending generators on an explicit stack, so the depth of the tree is
limited by memory, not by the interpreter's recursion limit. Exceptions propagate to the
waiting caller as if the call had raised them.
"""

from __future__ import annotations

import types
from collections.abc import Generator
from typing import Any, TypeVar

T = TypeVar("T")

Step = Generator[Any, Any, T]
"""A trampolined computation returning ``T``: it yields sub-computations."""

_GENERATOR = types.GeneratorType


class RunawayRecursion(Exception):
    """More computations were pending at once than the ``max_depth`` given to :func:`run`."""


def run(main: Step[T], max_depth: int | None = None) -> T:
    """Drive ``main`` and every computation it yields to completion; return its result.

    A computation may also yield a plain value (not a generator), which is handed straight back
    to it. With ``max_depth``, more pending computations than that raise
    :class:`RunawayRecursion` (after closing them), instead of filling memory.
    """
    stack: list[Generator[Any, Any, Any]] = [main]
    value: Any = None
    error: BaseException | None = None
    while stack:
        top = stack[-1]
        try:
            if error is not None:
                pending, error = error, None
                child = top.throw(pending)
            else:
                child = top.send(value)
        except StopIteration as stop:
            stack.pop()
            value = stop.value
            continue
        except BaseException as e:  # re-raised in the caller, or out of run()
            stack.pop()
            if not stack:
                raise
            error = e
            continue
        if type(child) is not _GENERATOR:
            value = child
            continue
        stack.append(child)
        value = None
        if max_depth is not None and len(stack) > max_depth:
            for pending_step in stack:
                pending_step.close()
            raise RunawayRecursion(f"evaluation deeper than {max_depth} calls")
    result: T = value
    return result
