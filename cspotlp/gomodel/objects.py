"""The processes of channels, WaitGroups, Mutexes, contexts, timers and the clock.

Each object is a recursive definition over its state (a channel: closed or not, and its buffer),
offering exactly the events its state allows; a goroutine's operation happens when the object
and the goroutine (and, for an unbuffered channel, the partner goroutine) take part together.
Panics are offered by the object in the state that causes them (a closed channel offers
``panic.g.send_on_closed.c`` to each sender), so they happen exactly when Go's would.

A select with a default takes the default (``default.g.k``) only when every object of its cases
says "not ready" at once: each object offers the probe event in the states where its case could
not proceed (an empty open buffer for a receive, a context not yet cancelled, ...); partners of
an unbuffered channel do the same (see :mod:`cspotlp.gomodel.model`).

Abstract time: ``tick`` is offered only while some timer or deadline is pending (the clock
counts them), so a program that waits on nothing but a timer is not deadlocked, and one whose
timers have all fired and whose goroutines are all blocked is, as Go's runtime sees it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from cspotlp.csp import SKIP, Environment, Event, Proc, call, ext_choice, prefix
from cspotlp.gomodel import vocabulary as v
from cspotlp.gomodel.program import CANCELED, DEADLINE_EXCEEDED, NO_ERROR, Chan, Context, Value


@dataclass
class Users:
    """Who uses an object, read off the goroutines' alphabets."""

    senders: set[int] = field(default_factory=set)
    receivers: set[int] = field(default_factory=set)
    closers: set[int] = field(default_factory=set)
    deltas: set[tuple[int, int]] = field(default_factory=set)  # WaitGroup (g, delta)
    by_op: dict[str, set[int]] = field(default_factory=dict)  # lock, unlock, start, cancel, ...

    def of(self, op: str) -> list[int]:
        """The goroutines performing ``op`` on the object, in order."""
        return sorted(self.by_op.get(op, ()))


@dataclass(frozen=True)
class ProbeCase:
    """A default-probe ``event`` and the roles (send/recv/done/timer) it tests on one object."""

    event: Event
    roles: frozenset[str]


def _choice(branches: Iterable[Proc]) -> Proc:
    return ext_choice(*branches)


def channel_process(env: Environment, ch: Chan, users: Users, probes: Sequence[ProbeCase]) -> Proc:
    """The process of channel ``ch`` (state: closed?, buffer contents)."""
    name = f"chan_{ch.name}"
    senders, receivers, closers = sorted(users.senders), sorted(users.receivers), sorted(users.closers)

    def state(closed: bool, buf: tuple[Value, ...]) -> Proc:
        out: list[Proc] = []
        if not closed:
            out += [prefix(v.close_event(ch.name, g), call(name, True, buf)) for g in closers]
        else:
            out += [prefix(v.panic_event(g, "send_on_closed", ch.name), call(name, True, buf)) for g in senders]
            out += [prefix(v.panic_event(g, "close_of_closed", ch.name), call(name, True, buf)) for g in closers]
        if ch.cap == 0:
            if not closed:
                out += [prefix(v.rendezvous(ch.name, s, r, x), call(name, False, buf))
                        for s in senders for r in receivers if s != r for x in ch.values]
        else:
            if not closed and len(buf) < ch.cap:
                out += [prefix(v.buffered_send(ch.name, g, x), call(name, False, (*buf, x)))
                        for g in senders for x in ch.values]
            if buf:
                out += [prefix(v.receive(ch.name, r, buf[0], True), call(name, closed, buf[1:])) for r in receivers]
        if closed and not buf:
            out += [prefix(v.receive(ch.name, r, ch.zero, False), call(name, True, buf)) for r in receivers]
        for p in probes:
            if not closed and _channel_not_ready(ch, buf, p.roles):
                out.append(prefix(p.event, call(name, closed, buf)))
        return _choice(out)

    env.define(name, state)
    return call(name, False, ())


def _channel_not_ready(ch: Chan, buf: tuple[Value, ...], roles: frozenset[str]) -> bool:
    """Whether no case of these roles could proceed on the open channel (as far as it knows)."""
    if ch.cap == 0:
        return True  # the partners decide
    ok = True
    if "recv" in roles:
        ok = ok and not buf
    if "send" in roles:
        ok = ok and len(buf) >= ch.cap
    return ok


def waitgroup_process(env: Environment, wg: str, limit: int, users: Users) -> Proc:
    """The process of a WaitGroup (state: its counter)."""
    name = f"wg_{wg}"

    def state(n: int) -> Proc:
        out: list[Proc] = []
        for g, d in sorted(users.deltas):
            ev = v.op_event("add", wg, g, d)
            if n + d < 0:
                out.append(prefix(v.panic_event(g, "negative_waitgroup", wg), call(name, n)))
            elif n + d > limit:
                out.append(prefix(v.limit_event(g, wg), call(name, n)))
            else:
                out.append(prefix(ev, call(name, n + d)))
        if n == 0:
            out += [prefix(v.op_event("wait", wg, g), call(name, n)) for g in users.of("wait")]
        return _choice(out)

    env.define(name, state)
    return call(name, 0)


def mutex_process(env: Environment, mu: str, users: Users) -> Proc:
    """The process of a Mutex (state: locked?)."""
    name = f"mutex_{mu}"

    def state(locked: bool) -> Proc:
        if locked:
            out = [prefix(v.op_event("unlock", mu, g), call(name, False)) for g in users.of("unlock")]
        else:
            out = [prefix(v.op_event("lock", mu, g), call(name, True)) for g in users.of("lock")]
            out += [prefix(v.panic_event(g, "unlock_of_unlocked", mu), call(name, False)) for g in users.of("unlock")]
        return _choice(out)

    env.define(name, state)
    return call(name, False)


def context_process(env: Environment, ctx: Context, users: dict[str, Users], probes: Sequence[ProbeCase]) -> Proc:
    """The process of a context (state: started?, ticks left of its deadline, its error).

    It also follows its ancestors: their ``cancel`` and ``expire`` cancel it with their error.
    """
    name = f"ctx_{ctx.name}"
    mine = users.get(ctx.name, Users())
    inherited: list[tuple[Event, str]] = []
    for anc in ctx.ancestors():
        au = users.get(anc.name, Users())
        inherited += [(v.op_event("cancel", anc.name, g), CANCELED) for g in au.of("cancel")]
        if anc.timeout is not None:
            inherited.append((v.timer_event("expire", anc.name), DEADLINE_EXCEEDED))

    def state(started: bool, left: int, err: str) -> Proc:
        # left: ticks to the deadline; -1 when no deadline is pending
        def go(started2: bool = started, left2: int = left, err2: str = err) -> Proc:
            return call(name, started2, left2, err2)

        def caused(e: str) -> str:
            return err if err != NO_ERROR else e

        out: list[Proc] = []
        if not started:
            pending = ctx.timeout if ctx.timeout is not None else -1
            out += [prefix(v.op_event("start", ctx.name, g), go(True, pending)) for g in mine.of("start")]
        out += [prefix(v.op_event("cancel", ctx.name, g), go(err2=caused(CANCELED))) for g in mine.of("cancel")]
        out += [prefix(ev, go(err2=caused(e))) for ev, e in inherited]
        if ctx.timeout is not None:
            if left > 0:
                out.append(prefix(v.TICK_EVENT, go(left2=left - 1)))
            elif left == 0:
                out.append(prefix(v.timer_event("expire", ctx.name), go(left2=-1, err2=caused(DEADLINE_EXCEEDED))))
            else:
                out.append(prefix(v.TICK_EVENT, go()))
        if err != NO_ERROR:
            out += [prefix(v.op_event("done", ctx.name, g), go()) for g in mine.of("done")]
        out += [prefix(v.op_event("err", ctx.name, g, err), go()) for g in mine.of("err")]
        if err == NO_ERROR:
            out += [prefix(p.event, go()) for p in probes]
        return _choice(out)

    env.define(name, state)
    return call(name, False, -1, NO_ERROR)


def timer_process(env: Environment, timer: str, durations: Iterable[int], probes: Sequence[ProbeCase]) -> Proc:
    """The process of one ``time.After`` timer (state: idle, pending with ticks left, fired)."""
    name = f"timer_{timer}"
    ds = sorted(durations)

    def state(phase: str, left: int) -> Proc:
        out: list[Proc] = []
        if phase == "pending":
            out += [prefix(v.timer_event("rearm", timer, d), call(name, "pending", d)) for d in ds]
            if left > 0:
                out.append(prefix(v.TICK_EVENT, call(name, "pending", left - 1)))
            else:
                out.append(prefix(v.timer_event("expire", timer), call(name, "fired", 0)))
        else:
            out += [prefix(v.timer_event("arm", timer, d), call(name, "pending", d)) for d in ds]
            out.append(prefix(v.TICK_EVENT, call(name, phase, 0)))
        if phase == "fired":
            out.append(prefix(v.timer_event("fire", timer), call(name, "idle", 0)))
        else:
            out += [prefix(p.event, call(name, phase, left)) for p in probes]
        return _choice(out)

    env.define(name, state)
    return call(name, "idle", 0)


def clock_process(env: Environment, arms: Sequence[Event], expires: Sequence[Event], capacity: int) -> Proc:
    """``tick`` only while something is pending: counts arms (and deadline starts) and expiries."""
    name = "clock"

    def state(n: int) -> Proc:
        out: list[Proc] = []
        if n < capacity:
            out += [prefix(e, call(name, n + 1)) for e in arms]
        if n > 0:
            out += [prefix(e, call(name, n - 1)) for e in expires]
            out.append(prefix(v.TICK_EVENT, call(name, n)))
        return _choice(out)

    env.define(name, state)
    return call(name, 0)


def monitor_process(panics: Sequence[Event]) -> Proc:
    """A panic ends the program (``exit.panicked``); so does main returning (``exit.returned``)."""
    crash = prefix(v.EXIT_PANICKED, SKIP)
    return ext_choice(*(prefix(e, crash) for e in panics), prefix(v.EXIT_RETURNED, SKIP))


def idle_process(env: Environment) -> Proc:
    """For the leak check: ``idle`` until main returns, so only states after it can deadlock."""
    ends = ext_choice(prefix(v.EXIT_RETURNED, SKIP), prefix(v.EXIT_PANICKED, SKIP))
    env.define("idle_until_return",
               lambda: ext_choice(prefix(v.IDLE, call("idle_until_return")), prefix(v.RETURNED, ends),
                                  prefix(v.EXIT_PANICKED, SKIP)))
    return call("idle_until_return")


def until_exit(p: Proc, *, returned: bool = True) -> Proc:
    r"""``p /\\ (exit.returned -> SKIP [] exit.panicked -> SKIP)``: the program's end stops it."""
    from cspotlp.csp import interrupt

    ends = [prefix(v.EXIT_PANICKED, SKIP)]
    if returned:
        ends.insert(0, prefix(v.EXIT_RETURNED, SKIP))
    return interrupt(p, ext_choice(*ends))


Builder = Callable[[], Proc]
