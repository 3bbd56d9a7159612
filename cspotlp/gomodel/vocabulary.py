"""The CSP events a Go-style model performs (one table: docs/gomodel.md).

Every event a goroutine performs carries its goroutine number (main is 1), so the goroutines can
be composed in alphabetised parallel and a rendezvous involves exactly its two goroutines and
the channel. Names of channels, contexts and sync objects are datatype constructors in events
(``lock.mu.2``), never strings.

========================  =================================================================
``c.s.r.v``               unbuffered channel ``c``: goroutine s hands v to goroutine r
``c_send.g.v``            buffered channel: g puts v into the buffer
``c_recv.g.v.ok``         g receives v (``ok`` false: the channel is closed and drained)
``c_close.g``             g closes ``c``
``panic.g.kind.obj``      g panics (send_on_closed, close_of_closed, close_of_nil,
                          negative_waitgroup, unlock_of_unlocked)
``add.w.g.d``, ``wait.w.g``  WaitGroup ``w``
``lock.m.g``, ``unlock.m.g`` Mutex ``m``
``start.x.g``             ``context.WithTimeout``: the deadline of ``x`` starts counting
``cancel.x.g``, ``done.x.g``, ``err.x.g.e``  context ``x``
``arm.t.d``, ``rearm.t.d``, ``fire.t``  ``time.After(d)`` timer ``t`` of one goroutine
``expire.t``              timer or deadline ``t`` runs out
``tick``                  one unit of abstract time (only while a timer or deadline is pending)
``choose.g.o``            the environment picks option ``o`` for g
``default.g.k``           g takes the default branch of its select ``k`` (no case was ready)
``limit.g.what``          g hit a model bound (its span budget, a WaitGroup counter bound)
``returned``              main returned
``exit.why``              the program ends (``returned`` or ``panicked``)
``idle``                  (leak check only) main has not returned yet
``span_begin/end/mark``   the span vocabulary (:mod:`cspotlp.mapping.csp_spans`)
========================  =================================================================
"""

from __future__ import annotations

from cspotlp.csp import Datum, Event, event
from cspotlp.gomodel.program import Value, encode

PLACEHOLDER = 0
"""The partner of an unbuffered rendezvous before the goroutines are known (never a goroutine)."""

SPAN_PREFIX = "span"
STATUS_OK, STATUS_ERROR = "ok", "error"

PANIC_KINDS = ("send_on_closed", "close_of_closed", "close_of_nil", "negative_waitgroup",
               "unlock_of_unlocked")
PANIC_MESSAGES = {
    "send_on_closed": "panic: send on closed channel",
    "close_of_closed": "panic: close of closed channel",
    "close_of_nil": "panic: close of nil channel",
    "negative_waitgroup": "panic: sync: negative WaitGroup counter",
    "unlock_of_unlocked": "fatal error: sync: unlock of unlocked mutex",
}
"""What Go's runtime prints for each panic kind."""

RESERVED_CHANNELS = frozenset({
    "panic", "add", "wait", "lock", "unlock", "start", "cancel", "done", "err", "arm", "rearm",
    "fire", "expire", "tick", "choose", "default", "limit", "returned", "exit", "idle", "block",
    "span_begin", "span_end", "span_mark", "span_done",
})
"""CSP channel names of the vocabulary (a Go channel may not be named so that it clashes)."""


def name(obj: str) -> Datum:
    """The constructor standing for a named object in events."""
    return Datum(obj)


def rendezvous(chan: str, sender: int, receiver: int, value: Value) -> Event:
    """``c.s.r.v``."""
    return event(chan, sender, receiver, encode(value))


def buffered_send(chan: str, g: int, value: Value) -> Event:
    """``c_send.g.v``."""
    return event(f"{chan}_send", g, encode(value))


def receive(chan: str, g: int, value: Value, ok: bool) -> Event:
    """``c_recv.g.v.ok``."""
    return event(f"{chan}_recv", g, encode(value), ok)


def close_event(chan: str, g: int) -> Event:
    """``c_close.g``."""
    return event(f"{chan}_close", g)


def panic_event(g: int, kind: str, obj: str) -> Event:
    """``panic.g.kind.obj``."""
    return event("panic", g, name(kind), name(obj))


def op_event(op: str, obj: str, g: int, *fields: Value) -> Event:
    """``op.obj.g.fields`` for the sync and context operations (add, wait, lock, cancel, ...)."""
    return event(op, name(obj), g, *(encode(f) for f in fields))


def timer_event(op: str, timer: str, *fields: int) -> Event:
    """``arm.t.d``, ``rearm.t.d``, ``fire.t``, ``expire.t``."""
    return event(op, name(timer), *fields)


def exit_event(why: str) -> Event:
    """``exit.returned`` / ``exit.panicked``."""
    return event("exit", name(why))


TICK_EVENT = event("tick")
RETURNED = event("returned")
IDLE = event("idle")
EXIT_RETURNED = exit_event("returned")
EXIT_PANICKED = exit_event("panicked")


def choose_event(g: int, option: Value) -> Event:
    """``choose.g.o``."""
    return event("choose", g, encode(option))


def default_event(g: int, k: int) -> Event:
    """``default.g.k``."""
    return event("default", g, k)


def limit_event(g: int, what: str) -> Event:
    """``limit.g.what``."""
    return event("limit", g, name(what))


def block_event(g: int, k: int) -> Event:
    """``block.g.k``: offered by a goroutine blocked forever (nil channel, empty select), never done."""
    return event("block", g, k)


def span_begin(s: int, parent: int, fn: str) -> Event:
    """``span_begin.s.p.name`` (the csp_spans vocabulary)."""
    return event(f"{SPAN_PREFIX}_begin", s, parent, fn)


def span_end(s: int, status: str) -> Event:
    """``span_end.s.status``."""
    return event(f"{SPAN_PREFIX}_end", s, status)


def span_mark(s: int, mark_name: str) -> Event:
    """``span_mark.s.name``."""
    return event(f"{SPAN_PREFIX}_mark", s, mark_name)
