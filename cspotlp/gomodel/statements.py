"""The statements of a Go-style model, written as ordinary Python calls.

A function body is a list of statements (nested lists are flattened, ``None`` is nothing). A
statement that produces a value takes a callback that receives it and returns the statements
to run next (a block); after the block, the enclosing list goes on::

    recv(jobs, lambda v, ok: [send(out, v)] if ok else [return_()])
    select(on_recv(ctx.done(), lambda: [return_()]),
           on_send(out, 1),
           default=[])

Each constructor records the source line it was called from, so a counterexample can say
"goroutine 3 [chan send]: pipeline.py:14".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

from cspotlp.gomodel.program import (
    Chan,
    Context,
    GoFunc,
    Mutex,
    Site,
    Value,
    WaitGroup,
    caller_site,
    check_value,
    model_error,
)

Block: TypeAlias = Any
"""What a body or callback returns: a statement, a (nested) list of statements, or None."""


@dataclass(frozen=True, eq=False)
class Stmt:
    """Base of every statement: where it was written."""

    site: Site


@dataclass(frozen=True, eq=False)
class Done:
    """``ctx.Done()``: a receivable that is ready once the context is cancelled."""

    ctx: Context


@dataclass(frozen=True, eq=False)
class After:
    """``time.After(ticks)``: a receivable that is ready ``ticks`` ticks after it is evaluated."""

    ticks: int
    site: Site


Receivable: TypeAlias = Chan | Done | After | None
"""What can be received from: a channel, ``ctx.Done()``, ``time.After(d)``, or nil (None)."""


@dataclass(frozen=True, eq=False)
class Send(Stmt):
    """``ch <- value``."""

    chan: Chan | None
    value: Value


@dataclass(frozen=True, eq=False)
class Recv(Stmt):
    """``v, ok := <-src`` followed by ``then(v, ok)``."""

    src: Receivable
    then: Callable[..., Block] | None


@dataclass(frozen=True, eq=False)
class Close(Stmt):
    """``close(ch)``."""

    chan: Chan | None


@dataclass(frozen=True, eq=False)
class OnRecv(Stmt):
    """``case v, ok := <-src:`` of a select."""

    src: Receivable
    then: Callable[..., Block] | None


@dataclass(frozen=True, eq=False)
class OnSend(Stmt):
    """``case ch <- value:`` of a select."""

    chan: Chan | None
    value: Value
    then: Callable[[], Block] | None


Case: TypeAlias = OnRecv | OnSend


@dataclass(frozen=True, eq=False)
class Select(Stmt):
    """``select { cases... [default: ...] }``; ``default`` None means no default."""

    cases: tuple[Case, ...]
    default: Block | None


@dataclass(frozen=True, eq=False)
class Go(Stmt):
    """``go fn(args...)``."""

    fn: GoFunc
    args: tuple[Any, ...]


@dataclass(frozen=True, eq=False)
class Call(Stmt):
    """``r := fn(args...)`` followed by ``then(r)`` (r is what the function returned)."""

    fn: GoFunc
    args: tuple[Any, ...]
    then: Callable[..., Block] | None


@dataclass(frozen=True, eq=False)
class Loop(Stmt):
    """``for { body(state) }``: the state is carried explicitly (:func:`continue_` changes it)."""

    state: Any
    body: Callable[..., Block]
    stateful: bool


@dataclass(frozen=True, eq=False)
class Break(Stmt):
    """``break`` out of the innermost :func:`loop` (Go's labelled ``break Loop``)."""


@dataclass(frozen=True, eq=False)
class Continue(Stmt):
    """``continue`` the innermost loop, with a new state when one is given."""

    state: Any
    has_state: bool


@dataclass(frozen=True, eq=False)
class Return(Stmt):
    """``return value`` (``err`` True: the function returns an error; its span ends in error)."""

    value: Value | None
    err: bool


@dataclass(frozen=True, eq=False)
class Defer(Stmt):
    """``defer stmt``: run when the function returns (last deferred first)."""

    stmt: Stmt


@dataclass(frozen=True, eq=False)
class Choose(Stmt):
    """A choice the environment makes (a network call succeeds or fails): ``then(option)``."""

    options: tuple[Value, ...]
    then: Callable[[Any], Block]


@dataclass(frozen=True, eq=False)
class Mark(Stmt):
    """An OpenTelemetry span event on the current function's span."""

    name: str


@dataclass(frozen=True, eq=False)
class WgAdd(Stmt):
    """``wg.Add(delta)`` (``wg.Done()`` is ``Add(-1)``)."""

    wg: WaitGroup
    delta: int


@dataclass(frozen=True, eq=False)
class WgWait(Stmt):
    """``wg.Wait()``."""

    wg: WaitGroup


@dataclass(frozen=True, eq=False)
class Lock(Stmt):
    """``mu.Lock()``."""

    mutex: Mutex


@dataclass(frozen=True, eq=False)
class Unlock(Stmt):
    """``mu.Unlock()``."""

    mutex: Mutex


@dataclass(frozen=True, eq=False)
class CtxStart(Stmt):
    """``context.WithTimeout(...)`` is called here: the deadline starts counting."""

    ctx: Context


@dataclass(frozen=True, eq=False)
class CtxCancel(Stmt):
    """``cancel()`` of a context."""

    ctx: Context


@dataclass(frozen=True, eq=False)
class CtxErr(Stmt):
    """``ctx.Err()`` followed by ``then(err)``."""

    ctx: Context
    then: Callable[[str], Block]


# -- constructors (what model code calls) ---------------------------------------------------------


def send(ch: Chan | None, value: object) -> Send:
    """``ch <- value`` (``ch`` None is a nil channel: blocks forever)."""
    site = caller_site()
    if ch is not None:
        _check_element(ch, value, site)
    return Send(site, ch, value)  # type: ignore[arg-type]


def recv(src: Receivable, then: Callable[..., Block] | None = None) -> Recv:
    """``v, ok := <-src``; ``then(v, ok)`` (or ``then(v)``; ``then()`` for Done/After) gives the next block."""
    return Recv(caller_site(), src, then)


def close(ch: Chan | None) -> Close:
    """``close(ch)`` (twice, or of a nil channel: a panic)."""
    return Close(caller_site(), ch)


def on_recv(src: Receivable, then: Callable[..., Block] | None = None) -> OnRecv:
    """``case v, ok := <-src:`` in a :func:`select`."""
    return OnRecv(caller_site(), src, then)


def on_send(ch: Chan | None, value: object, then: Callable[[], Block] | None = None) -> OnSend:
    """``case ch <- value:`` in a :func:`select`."""
    site = caller_site()
    if ch is not None:
        _check_element(ch, value, site)
    return OnSend(site, ch, value, then)  # type: ignore[arg-type]


def select(*cases: Case, default: Block | None = None) -> Select:
    """``select``: waits until a case can proceed; with ``default`` (a block), never waits."""
    site = caller_site()
    for c in cases:
        if not isinstance(c, OnRecv | OnSend):
            raise model_error(f"select case {c!r} is not on_recv(...) or on_send(...)", site)
    return Select(site, tuple(cases), default)


def after(ticks: int) -> After:
    """``time.After(ticks)``: receivable ``ticks`` ticks of abstract time after evaluation."""
    site = caller_site()
    if ticks < 0:
        raise model_error("time.After with a negative duration", site)
    return After(ticks, site)


def sleep(ticks: int) -> Recv:
    """``time.Sleep(ticks)`` (``<-time.After(ticks)``)."""
    site = caller_site()
    return Recv(site, After(ticks, site), None)


def go(fn: GoFunc, *args: Any) -> Go:
    """``go fn(args...)``: starts a goroutine (its span is a child of the caller's)."""
    site = caller_site()
    _check_func(fn, site)
    return Go(site, fn, args)


def call(fn: GoFunc, *args: Any, then: Callable[..., Block] | None = None) -> Call:
    """``r := fn(args...)``: a span around the body; ``then(r)`` gets the returned value."""
    site = caller_site()
    _check_func(fn, site)
    return Call(site, fn, args, then)


_NO_STATE = object()


def loop(state_or_body: Any, body: Callable[..., Block] | None = None) -> Loop:
    """``for { ... }``: ``loop(body)`` or ``loop(initial_state, body)`` where body(state) is a block.

    Falling off the end of the body repeats it with the same state; :func:`continue_` with a
    value repeats it with a new state; :func:`break_` leaves the loop.
    """
    site = caller_site()
    if body is None:
        return Loop(site, None, state_or_body, False)
    return Loop(site, state_or_body, body, True)


def range_(ch: Chan, body: Callable[[Any], Block]) -> Loop:
    """``for v := range ch { body(v) }``: until the channel is closed and drained."""
    site = caller_site()

    def each(_state: Any) -> Block:
        return Recv(site, ch, lambda v, ok: body(v) if ok else Break(site))

    return Loop(site, None, each, True)


def break_() -> Break:
    """Leave the innermost loop."""
    return Break(caller_site())


def continue_(*state: Any) -> Continue:
    """Next iteration of the innermost loop (with a new state, if given)."""
    site = caller_site()
    if len(state) > 1:
        raise model_error("continue_ takes at most one state value (use a tuple)", site)
    return Continue(site, state[0] if state else None, bool(state))


def return_(value: object = None, *, err: bool = False) -> Return:
    """``return value``; ``err=True`` returns an error (the function's span ends with status error)."""
    site = caller_site()
    if value is not None:
        check_value(value, "returned value", site)
    return Return(site, value, err)  # type: ignore[arg-type]


def defer(stmt: Stmt) -> Defer:
    """``defer stmt`` (only at the top level of a function body)."""
    site = caller_site()
    if not isinstance(stmt, Stmt):
        raise model_error("defer takes a statement (e.g. defer(wg.done()))", site)
    return Defer(site, stmt)


def choose(options: Iterable[object], then: Callable[[Any], Block]) -> Choose:
    """The environment picks one of ``options`` (e.g. ``["ok", "error"]``); ``then(option)``."""
    site = caller_site()
    opts = tuple(check_value(o, "choice", site) for o in options)
    if not opts:
        raise model_error("choose with no options", site)
    return Choose(site, opts, then)


def mark(name: str) -> Mark:
    """An OpenTelemetry span event named ``name`` on the current span."""
    site = caller_site()
    if not name.isidentifier():
        raise model_error(f"span event name {name!r} must be an identifier", site)
    return Mark(site, name)


def _check_element(ch: Chan, value: object, site: Site) -> None:
    if not isinstance(ch, Chan):
        raise model_error(f"{ch!r} is not a channel", site)
    if value not in ch.values or type(value) is not type(ch.values[0]):
        raise model_error(f"value {value!r} is not among the values of channel {ch.name}", site)


def _check_func(fn: object, site: Site) -> None:
    if not isinstance(fn, GoFunc):
        raise model_error(f"{fn!r} is not a function of the program (decorate it with @program.func)", site)


def statements(block: Block, site: Site | None) -> list[Stmt]:
    """The statements of a block in order: nested lists flattened, None dropped (iterative)."""
    out: list[Stmt] = []
    stack: list[Any] = [block]
    while stack:
        item = stack.pop()
        if item is None:
            continue
        if isinstance(item, Stmt):
            out.append(item)
        elif isinstance(item, list | tuple):
            stack.extend(reversed(item))
        else:
            raise model_error(f"{item!r} is not a statement (a body returns a list of statements)", site)
    return out


def apply(fn: Callable[..., Block], args: Sequence[Any]) -> Block:
    """Call a callback with as many of ``args`` as it takes (``then(v)`` or ``then(v, ok)``)."""
    code = getattr(fn, "__code__", None)
    if code is not None and not code.co_flags & 0x04:  # no *args: pass what it declares
        return fn(*args[: code.co_argcount])
    return fn(*args)
