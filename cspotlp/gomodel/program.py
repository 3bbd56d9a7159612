"""The declarations of a Go-style model: channels, sync objects, contexts, functions, ``main``.

A :class:`Program` is built by ordinary Python::

    p = Program("pipeline")
    jobs = p.chan("jobs", values=range(3))             # unbuffered chan int (values 0..2)
    out = p.chan("out", values=range(3), cap=1)        # make(chan int, 1)
    wg = p.waitgroup("wg")

    @p.func
    def worker(i):
        return [range_(jobs, lambda v: [send(out, v)]), wg.done()]

    @p.main
    def main():
        return [wg.add(1), go(worker, 1), ...]

Functions return lists of statements (:mod:`cspotlp.gomodel.statements`); values a statement
produces (a received value, a returned result) are handed to a Python callback, so ordinary
``if`` and comprehensions decide what happens next. Everything is finite: each channel declares
the values it carries, and loops carry their state explicitly.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from cspotlp.csp import Datum
from cspotlp.errors import GoModelError, SourceLocation

Value = int | bool | str
"""What a channel carries and a loop state holds: ints, bools and names (strings)."""


@dataclass(frozen=True)
class Site:
    """Where in the model's Python source a statement was written."""

    file: str
    line: int

    def __str__(self) -> str:
        return f"{_display_path(self.file)}:{self.line}"

    def location(self) -> SourceLocation:
        """As a :class:`SourceLocation` (for errors)."""
        return SourceLocation(_display_path(self.file), self.line, 1)


def _display_path(path: str) -> str:
    """The path relative to the working directory when it is below it (stable output)."""
    try:
        rel = os.path.relpath(path)
    except ValueError:  # another drive (Windows)
        return path
    return rel if not rel.startswith(".." + os.sep + ".." + os.sep) else path


def caller_site(depth: int = 2) -> Site:
    """The site of the model code that called the statement constructor ``depth`` frames up."""
    frame = sys._getframe(depth)
    return Site(frame.f_code.co_filename, frame.f_lineno)


def model_error(message: str, site: Site | None) -> GoModelError:
    """A :class:`GoModelError` at ``site``."""
    return GoModelError(message, site.location() if site is not None else None)


def _check_name(kind: str, name: str) -> None:
    if not name.isidentifier() or name.startswith("_"):
        raise GoModelError(f"{kind} name {name!r} must be an identifier not starting with '_'")


def check_value(v: object, where: str, site: Site | None = None) -> Value:
    """``v`` if it can travel on a channel (int, bool, identifier string), else an error."""
    if isinstance(v, bool | int):
        return v
    if isinstance(v, str) and v.isidentifier():
        return v
    raise model_error(f"{where}: value {v!r} is not an int, a bool or an identifier string", site)


def encode(v: Value) -> Any:
    """The CSP field value of a Go value: names become datatype constructors (``ok``, not ``"ok"``)."""
    return Datum(v) if isinstance(v, str) else v


def decode(v: Any) -> Value:
    """The Go value of a CSP field value (inverse of :func:`encode`)."""
    return v.ctor if isinstance(v, Datum) else v


def _zero_of(values: Sequence[Value]) -> Value:
    kinds = {type(v) for v in values}
    if kinds == {bool}:
        return False
    if kinds == {int}:
        return 0
    if kinds == {str}:
        return "nil"
    raise GoModelError("channel values mix types; give zero= explicitly")


@dataclass(frozen=True)
class Chan:
    """A channel: ``make(chan T)`` (``cap`` 0) or ``make(chan T, cap)``.

    ``values`` is the finite type of its elements; ``zero`` is what a receive from the closed
    channel yields (Go's zero value: 0, false, or the name ``nil``).
    """

    name: str
    values: tuple[Value, ...]
    cap: int = 0
    zero: Value = 0

    def __repr__(self) -> str:
        return f"Chan({self.name})"

    def __str__(self) -> str:
        return self.name

    @property
    def received(self) -> tuple[Value, ...]:
        """What a receive can yield: the values and the zero value."""
        return self.values if self.zero in self.values else (*self.values, self.zero)


@dataclass(frozen=True)
class WaitGroup:
    """A ``sync.WaitGroup``; the counter is bounded by ``limit`` (a model bound, reported)."""

    name: str
    limit: int = 8

    def __repr__(self) -> str:
        return f"WaitGroup({self.name})"

    def add(self, delta: int) -> Any:
        """``wg.Add(delta)``."""
        from cspotlp.gomodel.statements import WgAdd

        return WgAdd(caller_site(), self, delta)

    def done(self) -> Any:
        """``wg.Done()`` (``Add(-1)``)."""
        from cspotlp.gomodel.statements import WgAdd

        return WgAdd(caller_site(), self, -1)

    def wait(self) -> Any:
        """``wg.Wait()``: blocks until the counter is zero."""
        from cspotlp.gomodel.statements import WgWait

        return WgWait(caller_site(), self)


@dataclass(frozen=True)
class Mutex:
    """A ``sync.Mutex``."""

    name: str

    def __repr__(self) -> str:
        return f"Mutex({self.name})"

    def lock(self) -> Any:
        """``mu.Lock()``."""
        from cspotlp.gomodel.statements import Lock

        return Lock(caller_site(), self)

    def unlock(self) -> Any:
        """``mu.Unlock()`` (of an unlocked mutex: a fatal error, reported as a panic)."""
        from cspotlp.gomodel.statements import Unlock

        return Unlock(caller_site(), self)


CANCELED, DEADLINE_EXCEEDED, NO_ERROR = "Canceled", "DeadlineExceeded", "nil"
"""The values of ``ctx.Err()``."""


@dataclass(frozen=True)
class Context:
    """A ``context.Context`` made by ``WithCancel`` (``timeout`` None) or ``WithTimeout``.

    ``parent`` None means ``context.Background()``. Cancelling a context cancels its
    descendants (with the same error). The deadline counts ``tick`` events of abstract time from
    the moment a goroutine runs :meth:`start` (the ``WithTimeout`` call).
    """

    name: str
    parent: Context | None = None
    timeout: int | None = None

    def __repr__(self) -> str:
        return f"Context({self.name})"

    def ancestors(self) -> list[Context]:
        """Parent, grandparent, ... (iterative)."""
        out: list[Context] = []
        c = self.parent
        while c is not None:
            out.append(c)
            c = c.parent
        return out

    def start(self) -> Any:
        """Where ``context.WithTimeout`` is called: the deadline starts counting."""
        from cspotlp.gomodel.statements import CtxStart

        return CtxStart(caller_site(), self)

    def cancel(self) -> Any:
        """``cancel()``."""
        from cspotlp.gomodel.statements import CtxCancel

        return CtxCancel(caller_site(), self)

    def done(self) -> Any:
        """``ctx.Done()``: receivable (in :func:`recv` or a select case) once cancelled."""
        from cspotlp.gomodel.statements import Done

        return Done(self)

    def err(self, then: Callable[[str], Any]) -> Any:
        """``ctx.Err()``: ``then`` gets ``"nil"``, ``"Canceled"`` or ``"DeadlineExceeded"``."""
        from cspotlp.gomodel.statements import CtxErr

        return CtxErr(caller_site(), self, then)


@dataclass(frozen=True)
class GoFunc:
    """A named function of the model: each call and each goroutine running it is a span."""

    name: str
    body: Callable[..., Any]
    site: Site

    def __repr__(self) -> str:
        return f"GoFunc({self.name})"

    def __call__(self, *args: Any) -> Any:
        """The statements of its body for ``args``."""
        return self.body(*args)


@dataclass
class Program:
    """A Go-style program: its declarations and its ``main``.

    Args:
        name: the program's name (used for exported modules).
        spans_per_goroutine: how many spans (function calls) each goroutine may begin; span ids
            are handed out in blocks of this size, one block per goroutine. A run that needs more
            stops at a ``limit`` event and checks then say "inconclusive".
    """

    name: str
    spans_per_goroutine: int = 8
    chans: dict[str, Chan] = field(default_factory=dict)
    waitgroups: dict[str, WaitGroup] = field(default_factory=dict)
    mutexes: dict[str, Mutex] = field(default_factory=dict)
    contexts: dict[str, Context] = field(default_factory=dict)
    funcs: dict[str, GoFunc] = field(default_factory=dict)
    main_func: GoFunc | None = None

    def __post_init__(self) -> None:
        _check_name("program", self.name)
        if self.spans_per_goroutine < 1:
            raise GoModelError("spans_per_goroutine must be at least 1")

    def _claim(self, kind: str, name: str) -> None:
        _check_name(kind, name)
        taken = (self.chans, self.waitgroups, self.mutexes, self.contexts, self.funcs)
        if any(name in d for d in taken) or name == "main":
            raise GoModelError(f"{kind} {name!r}: the name is already used in program {self.name}")

    def chan(self, name: str, values: Iterable[object], cap: int = 0, zero: object = None) -> Chan:
        """Declare a channel carrying ``values`` with buffer capacity ``cap`` (0: unbuffered)."""
        self._claim("channel", name)
        vals = tuple(check_value(v, f"channel {name}") for v in values)
        if not vals:
            raise GoModelError(f"channel {name} carries no values")
        if cap < 0:
            raise GoModelError(f"channel {name}: negative capacity {cap}")
        z = _zero_of(vals) if zero is None else check_value(zero, f"channel {name} zero")
        ch = Chan(name, vals, cap, z)
        self.chans[name] = ch
        return ch

    def waitgroup(self, name: str, limit: int = 8) -> WaitGroup:
        """Declare a ``sync.WaitGroup`` whose counter stays within ``limit`` (a model bound)."""
        self._claim("waitgroup", name)
        wg = WaitGroup(name, limit)
        self.waitgroups[name] = wg
        return wg

    def mutex(self, name: str) -> Mutex:
        """Declare a ``sync.Mutex``."""
        self._claim("mutex", name)
        mu = Mutex(name)
        self.mutexes[name] = mu
        return mu

    def context(self, name: str, parent: Context | None = None, timeout: int | None = None) -> Context:
        """Declare a context: ``WithCancel(parent)``, or ``WithTimeout(parent, timeout ticks)``."""
        self._claim("context", name)
        if parent is not None and self.contexts.get(parent.name) is not parent:
            raise GoModelError(f"context {name}: parent {parent.name} is not a context of this program")
        if timeout is not None and timeout < 1:
            raise GoModelError(f"context {name}: timeout must be at least 1 tick")
        ctx = Context(name, parent, timeout)
        self.contexts[name] = ctx
        return ctx

    def func(self, fn: Callable[..., Any]) -> GoFunc:
        """Decorator: a named function of the model (a span per call and per goroutine)."""
        self._claim("function", fn.__name__)
        gf = GoFunc(fn.__name__, fn, Site(fn.__code__.co_filename, fn.__code__.co_firstlineno))
        self.funcs[gf.name] = gf
        return gf

    def main(self, fn: Callable[[], Any]) -> GoFunc:
        """Decorator: the program's ``main`` (goroutine 1; the program ends when it returns)."""
        if self.main_func is not None:
            raise GoModelError(f"program {self.name} has two main functions")
        self.main_func = GoFunc("main", fn, Site(fn.__code__.co_filename, fn.__code__.co_firstlineno))
        return self.main_func

    def compile(self) -> Any:
        """The CSP model of the program (:class:`~cspotlp.gomodel.model.GoModel`)."""
        from cspotlp.gomodel.model import GoModel

        return GoModel(self)
