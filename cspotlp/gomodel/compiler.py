"""Compile the statements of one goroutine to a sequential CSP process (continuation passing).

Each statement becomes a prefix or an external choice of prefixes whose continuations are the
rest of the goroutine: values a statement produces are concrete (a receive is a choice over the
channel's finite values), so the model's Python callbacks run once per value and ordinary ``if``
decides what follows. Loops are named definitions over their explicit state, so the process
stays finite. A continuation is a function of the goroutine's *span counter*: span ids are
handed out in one block per goroutine (the k-th span goroutine g begins has id
``(g-1)*B + k + 1``), so ids are unique in every trace (WF rule W1) without an allocator process,
and a goroutine explored alone does not branch over ids it will never get.

The partner of an unbuffered rendezvous is written as :data:`~.vocabulary.PLACEHOLDER` here and
replaced by every possible partner goroutine once all goroutines are known
(:mod:`cspotlp.gomodel.model`). Every state that performs an operation is recorded with the
operation, its source line and the call stack, which is how a counterexample is told in Go's terms.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from cspotlp.csp import SKIP, STOP, Environment, Proc, call, ext_choice, prefix
from cspotlp.csp.terms import Op, call_parts
from cspotlp.gomodel import vocabulary as v
from cspotlp.gomodel.program import Chan, Context, GoFunc, Program, Site, Value, model_error
from cspotlp.gomodel.statements import (
    After,
    Break,
    Call,
    Choose,
    Close,
    Continue,
    CtxCancel,
    CtxErr,
    CtxStart,
    Defer,
    Done,
    Go,
    Lock,
    Loop,
    Mark,
    OnSend,
    Receivable,
    Recv,
    Return,
    Select,
    Send,
    Stmt,
    Unlock,
    WgAdd,
    WgWait,
    apply,
    statements,
)
from cspotlp.mapping.csp_spans import ROOT

K = Callable[[int], Proc]
"""A continuation: the process to run next, given the goroutine's span counter."""

MAX_CALL_DEPTH = 32
"""Deeper call chains are taken for unbounded recursion (an error: use a loop)."""


@dataclass(frozen=True)
class Frame:
    """One function activation: its name, arguments and where it was called from."""

    fn: str
    args: tuple[Any, ...]
    call_site: Site | None

    def text(self) -> str:
        """``main.worker(1, jobs)`` as Go prints a frame."""
        return f"main.{self.fn}({', '.join(_show_arg(a) for a in self.args)})"


def _show_arg(a: Any) -> str:
    return str(a) if not isinstance(a, str) else a


@dataclass(frozen=True)
class OpInfo:
    """The operation a goroutine state is about to perform.

    Attributes:
        wait: Go's wait reason when blocked here (``chan send``, ``select``, ``sync.Mutex.Lock``).
        detail: what exactly (``send 3 on jobs``).
        site: the model's source line.
        stack: the call stack, outermost first.
    """

    wait: str
    detail: str
    site: Site
    stack: tuple[Frame, ...]


@dataclass
class Instance:
    """A goroutine: which function with which arguments, started where and by whom."""

    gid: int
    fn: GoFunc
    args: tuple[Any, ...]
    spawner: int | None
    creator: str | None
    site: Site | None
    definition: str = ""

    @property
    def title(self) -> str:
        """``main.worker(1)``."""
        return Frame(self.fn.name, self.args, None).text()


@dataclass
class Timer:
    """The timer of one ``time.After`` site in one goroutine (re-armed at each evaluation)."""

    name: str
    gid: int
    durations: set[int] = field(default_factory=set)


@dataclass
class Probe:
    """A select with a default in goroutine ``gid``: the cases whose readiness it tests."""

    gid: int
    index: int
    cases: tuple[tuple[str, str], ...]  # (role, object): send/recv on a channel, done, timer


@dataclass(frozen=True)
class Ctx:
    """Where a statement is compiled: its goroutine, function, loop and return continuation."""

    gid: int
    span: int
    stack: tuple[Frame, ...]
    fn_ret: Callable[[Value | None, bool, int], Proc]
    defers: tuple[Stmt, ...] = ()
    brk: K | None = None
    cont: Callable[[Any, int], Proc] | None = None
    loop_state: Any = None
    depth: int = 0


def memo(fn: K) -> K:
    """``fn`` computed once per counter value."""
    cache: dict[int, Proc] = {}

    def k(c: int) -> Proc:
        t = cache.get(c)
        if t is None:
            t = cache[c] = fn(c)
        return t

    return k


class Compiler:
    """Compiles every goroutine of a program into definitions of one environment."""

    def __init__(self, program: Program, env: Environment) -> None:
        if program.main_func is None:
            raise model_error(f"program {program.name} has no main (decorate one with @program.main)", None)
        self.program = program
        self.env = env
        self.block = program.spans_per_goroutine
        self.ops: dict[Proc, OpInfo] = {}
        self.instances: list[Instance] = []
        self._instance_ids: dict[tuple[Any, ...], int] = {}
        self.timers: dict[tuple[int, Site], Timer] = {}
        self.probes: dict[tuple[int, tuple[tuple[str, str], ...]], Probe] = {}
        self.blocks: dict[int, int] = {}
        self._loops: dict[int, int] = {}
        self.span_names: set[str] = {"main"}
        self.mark_names: set[str] = set()
        self._new_instance(program.main_func, (), None, None, None)

    # -- goroutines ------------------------------------------------------------------------------

    def span_id(self, gid: int, c: int) -> int | None:
        """The id of the c-th span goroutine ``gid`` begins (None past its budget)."""
        return (gid - 1) * self.block + c + 1 if c < self.block else None

    def span_ids(self, gid: int) -> range:
        """Every span id of goroutine ``gid``."""
        return range((gid - 1) * self.block + 1, gid * self.block + 1)

    def _new_instance(self, fn: GoFunc, args: tuple[Any, ...], spawner: int | None,
                      creator: str | None, site: Site | None) -> int:
        key = (spawner, site, fn.name, args)
        gid = self._instance_ids.get(key)
        if gid is not None:
            return gid
        gid = len(self.instances) + 1
        self._instance_ids[key] = gid
        inst = Instance(gid, fn, args, spawner, creator, site, f"G{gid}_{fn.name}")
        self.instances.append(inst)
        self.span_names.add(fn.name)
        if spawner is None:
            self.env.define(inst.definition, lambda: self._main_body(inst))
        else:
            self.env.define(inst.definition, lambda c: self._goroutine_body(inst, c))
        return gid

    def root(self, gid: int) -> Proc:
        """The process of goroutine ``gid`` (before partners are filled in)."""
        inst = self.instances[gid - 1]
        return call(inst.definition) if inst.spawner is None else call(inst.definition, 0)

    def _main_body(self, inst: Instance) -> Proc:
        s = self.span_id(inst.gid, 0)
        assert s is not None

        def after_return(_value: Value | None, _err: bool, _c: int) -> Proc:
            return prefix(v.RETURNED, prefix(v.EXIT_RETURNED, SKIP))

        ctx = Ctx(inst.gid, s, (Frame("main", (), None),), after_return)
        body = self.function_body(inst.fn, (), ctx)
        return prefix(v.span_begin(s, ROOT, "main"), body(1))

    def _goroutine_body(self, inst: Instance, c: int) -> Proc:
        """Waiting to be started (or started again); ``exit.returned`` ends a waiting goroutine."""
        finish = prefix(v.EXIT_RETURNED, SKIP)
        s = self.span_id(inst.gid, c)
        if s is None:
            return finish
        assert inst.spawner is not None

        def after_return(_value: Value | None, _err: bool, c2: int) -> Proc:
            return call(inst.definition, c2)

        ctx = Ctx(inst.gid, s, (Frame(inst.fn.name, inst.args, None),), after_return)
        body = self.function_body(inst.fn, inst.args, ctx)(c + 1)
        starts = [prefix(v.span_begin(s, p, inst.fn.name), body) for p in self.span_ids(inst.spawner)]
        term = ext_choice(*starts, finish)
        self.ops.setdefault(term, OpInfo("not started", "waiting for its go statement",
                                         inst.site or inst.fn.site, ctx.stack))
        return term

    # -- blocks and functions -----------------------------------------------------------------------

    def function_body(self, fn: GoFunc, args: tuple[Any, ...], ctx: Ctx) -> K:
        """The body of ``fn(args)``; ``defer`` statements at its top level run at every return."""
        try:
            inspect.signature(fn.body).bind(*args)
        except TypeError as e:
            raise model_error(f"{fn.name} called with {len(args)} argument(s): {e}", ctx.stack[-1].call_site
                              or fn.site) from e
        stmts = statements(fn.body(*args), fn.site)
        items: list[tuple[Stmt, tuple[Stmt, ...]]] = []
        defers: list[Stmt] = []
        for s in stmts:
            if isinstance(s, Defer):
                defers.append(s.stmt)
            else:
                items.append((s, tuple(defers)))
        final = replace(ctx, defers=tuple(defers))

        def fall_off(c: int) -> Proc:
            return self.do_return(final, None, False, c)

        return self._sequence([s for s, _ in items], [replace(ctx, defers=d) for _, d in items],
                              memo(fall_off))

    def compile_block(self, stmts: Sequence[Stmt], k: K, ctx: Ctx) -> K:
        """``stmts`` then ``k`` (a ``defer`` here is an error: only at a function's top level)."""
        for s in stmts:
            if isinstance(s, Defer):
                raise model_error("defer is supported only at the top level of a function body", s.site)
        return self._sequence(list(stmts), [ctx] * len(stmts), k)

    def _sequence(self, stmts: list[Stmt], ctxs: list[Ctx], k: K) -> K:
        rests: dict[int, K] = {}

        def rest(i: int) -> K:
            if i == len(stmts):
                return k
            got = rests.get(i)
            if got is None:
                s, ctx = stmts[i], ctxs[i]
                nxt = memo(lambda c: rest(i + 1)(c))
                got = rests[i] = memo(lambda c: self.statement(s, nxt, ctx, c))
            return got

        return rest(0)

    def block_of(self, block: Any, site: Site, k: K, ctx: Ctx) -> K:
        """A callback's block followed by ``k``."""
        return self.compile_block(statements(block, site), k, ctx)

    def do_return(self, ctx: Ctx, value: Value | None, err: bool, c: int) -> Proc:
        """Run the deferred statements (last first), end the function's span, go on with the caller."""
        status = v.STATUS_ERROR if err else v.STATUS_OK
        end = v.span_end(ctx.span, status)

        def after(c2: int) -> Proc:
            return prefix(end, ctx.fn_ret(value, err, c2))

        if not ctx.defers:
            return after(c)
        plain = replace(ctx, defers=(), brk=None, cont=None)
        return self.compile_block(list(reversed(ctx.defers)), memo(after), plain)(c)

    # -- statements --------------------------------------------------------------------------------

    def note(self, term: Proc, wait: str, detail: str, site: Site, ctx: Ctx) -> Proc:
        """Record that ``term`` is the state about to perform this operation."""
        self.ops.setdefault(term, OpInfo(wait, detail, site, ctx.stack))
        return term

    def statement(self, s: Stmt, k: K, ctx: Ctx, c: int) -> Proc:  # noqa: C901 - one case per statement
        """The process for ``s`` followed by ``k``, at span counter ``c``."""
        g = ctx.gid
        if isinstance(s, Send):
            return self.send(s, k, ctx, c)
        if isinstance(s, Recv):
            return self.receive(s, k, ctx, c)
        if isinstance(s, Close):
            if s.chan is None:
                t = prefix(v.panic_event(g, "close_of_nil", "nil"), STOP)
            else:
                t = ext_choice(prefix(v.close_event(s.chan.name, g), k(c)),
                               prefix(v.panic_event(g, "close_of_closed", s.chan.name), STOP))
            return self.note(t, "running", f"close({s.chan})", s.site, ctx)
        if isinstance(s, Select):
            return self.select(s, k, ctx, c)
        if isinstance(s, Go):
            return self.go(s, k, ctx, c)
        if isinstance(s, Call):
            return self.call(s, k, ctx, c)
        if isinstance(s, Loop):
            return self.loop(s, k, ctx, c)
        if isinstance(s, Break):
            if ctx.brk is None:
                raise model_error("break_() outside a loop", s.site)
            return ctx.brk(c)
        if isinstance(s, Continue):
            if ctx.cont is None:
                raise model_error("continue_() outside a loop", s.site)
            return ctx.cont(s.state if s.has_state else ctx.loop_state, c)
        if isinstance(s, Return):
            return self.do_return(ctx, s.value, s.err, c)
        if isinstance(s, Choose):
            t = ext_choice(*(prefix(v.choose_event(g, o), self.block_of(apply(s.then, (o,)), s.site, k, ctx)(c))
                             for o in s.options))
            return self.note(t, "running", f"choose among {', '.join(map(str, s.options))}", s.site, ctx)
        if isinstance(s, Mark):
            self.mark_names.add(s.name)
            return self.note(prefix(v.span_mark(ctx.span, s.name), k(c)), "running", f"span event {s.name}",
                             s.site, ctx)
        return self.sync_op(s, k, ctx, c)

    def sync_op(self, s: Stmt, k: K, ctx: Ctx, c: int) -> Proc:
        """WaitGroup, Mutex and context operations."""
        g = ctx.gid
        if isinstance(s, WgAdd):
            w = s.wg.name
            t = ext_choice(prefix(v.op_event("add", w, g, s.delta), k(c)),
                           prefix(v.panic_event(g, "negative_waitgroup", w), STOP),
                           prefix(v.limit_event(g, w), STOP))
            what = f"{w}.Done()" if s.delta == -1 else f"{w}.Add({s.delta})"
            return self.note(t, "running", what, s.site, ctx)
        if isinstance(s, WgWait):
            return self.note(prefix(v.op_event("wait", s.wg.name, g), k(c)), "sync.WaitGroup.Wait",
                             f"{s.wg.name}.Wait()", s.site, ctx)
        if isinstance(s, Lock):
            return self.note(prefix(v.op_event("lock", s.mutex.name, g), k(c)), "sync.Mutex.Lock",
                             f"{s.mutex.name}.Lock()", s.site, ctx)
        if isinstance(s, Unlock):
            m = s.mutex.name
            t = ext_choice(prefix(v.op_event("unlock", m, g), k(c)),
                           prefix(v.panic_event(g, "unlock_of_unlocked", m), STOP))
            return self.note(t, "running", f"{m}.Unlock()", s.site, ctx)
        if isinstance(s, CtxStart):
            return self.note(prefix(v.op_event("start", s.ctx.name, g), k(c)), "context.WithTimeout",
                             f"context.WithTimeout ({s.ctx.name}) called twice", s.site, ctx)
        if isinstance(s, CtxCancel):
            return self.note(prefix(v.op_event("cancel", s.ctx.name, g), k(c)), "running",
                             f"cancel {s.ctx.name}", s.site, ctx)
        if isinstance(s, CtxErr):
            then = s.then
            t = ext_choice(*(prefix(v.op_event("err", s.ctx.name, g, e),
                                    self.block_of(apply(then, (e,)), s.site, k, ctx)(c))
                             for e in ("nil", "Canceled", "DeadlineExceeded")))
            return self.note(t, "running", f"{s.ctx.name}.Err()", s.site, ctx)
        raise model_error(f"{s!r} is not a statement this compiler knows", s.site)

    # -- channels -----------------------------------------------------------------------------------

    def send_branches(self, ch: Chan, value: Value, then: Proc, g: int) -> list[Proc]:
        """The ways ``ch <- value`` can go: the send, or the panic of a closed channel."""
        ev = (v.rendezvous(ch.name, g, v.PLACEHOLDER, value) if ch.cap == 0
              else v.buffered_send(ch.name, g, value))
        return [prefix(ev, then), prefix(v.panic_event(g, "send_on_closed", ch.name), STOP)]

    def receive_branches(self, src: Receivable, then: Callable[[Value, bool], K], ctx: Ctx,
                         c: int, site: Site) -> list[Proc]:
        """The ways a receive from ``src`` can go (timers must be armed already)."""
        g = ctx.gid
        if isinstance(src, Chan):
            if src.cap == 0:
                out = [prefix(v.rendezvous(src.name, v.PLACEHOLDER, g, x), then(x, True)(c)) for x in src.values]
            else:
                out = [prefix(v.receive(src.name, g, x, True), then(x, True)(c)) for x in src.values]
            out.append(prefix(v.receive(src.name, g, src.zero, False), then(src.zero, False)(c)))
            return out
        if isinstance(src, Done):
            return [prefix(v.op_event("done", src.ctx.name, g), then(0, True)(c))]
        if isinstance(src, After):
            return [prefix(v.timer_event("fire", self.timer(g, src).name), then(0, True)(c))]
        return []

    def timer(self, g: int, after: After) -> Timer:
        """The timer of this ``time.After`` site in goroutine ``g``."""
        t = self.timers.get((g, after.site))
        if t is None:
            n = sum(1 for (gg, _s) in self.timers if gg == g) + 1
            t = self.timers[(g, after.site)] = Timer(f"after{g}_{n}", g)
        t.durations.add(after.ticks)
        return t

    def arm(self, afters: list[After], g: int, then: Proc) -> Proc:
        """Evaluate ``time.After(d)`` for each timer: arm it (or re-arm it if still pending)."""
        for a in reversed(afters):
            name = self.timer(g, a).name
            then = ext_choice(prefix(v.timer_event("arm", name, a.ticks), then),
                              prefix(v.timer_event("rearm", name, a.ticks), then))
        return then

    def send(self, s: Send, k: K, ctx: Ctx, c: int) -> Proc:
        """``ch <- v``."""
        if s.chan is None:
            return self.blocked(ctx, "chan send (nil chan)", "send on a nil channel", s.site)
        t = ext_choice(*self.send_branches(s.chan, s.value, k(c), ctx.gid))
        return self.note(t, "chan send", f"send {s.value} on {s.chan}", s.site, ctx)

    def receive(self, s: Recv, k: K, ctx: Ctx, c: int) -> Proc:
        """``v, ok := <-src``."""
        if s.src is None:
            return self.blocked(ctx, "chan receive (nil chan)", "receive from a nil channel", s.site)
        then = self._then(s.then, s.site, k, ctx)
        t = ext_choice(*self.receive_branches(s.src, then, ctx, c, s.site))
        wait = "sleep" if isinstance(s.src, After) and s.then is None else "chan receive"
        t = self.note(t, wait, f"receive from {_source(s.src)}", s.site, ctx)
        return self.arm([s.src] if isinstance(s.src, After) else [], ctx.gid, t)

    def _then(self, fn: Callable[..., Any] | None, site: Site, k: K, ctx: Ctx) -> Callable[[Value, bool], K]:
        cache: dict[tuple[Any, ...], K] = {}

        def then(x: Value, ok: bool) -> K:
            key = (type(x), x, ok)
            got = cache.get(key)
            if got is None:
                got = cache[key] = k if fn is None else self.block_of(apply(fn, (x, ok)), site, k, ctx)
            return got

        return then

    def blocked(self, ctx: Ctx, wait: str, detail: str, site: Site) -> Proc:
        """A goroutine blocked forever here.

        It offers an event no component ever offers, so that the state is distinct per site.
        """
        n = self.blocks.get(ctx.gid, 0) + 1
        self.blocks[ctx.gid] = n
        return self.note(prefix(v.block_event(ctx.gid, n), STOP), wait, detail, site, ctx)

    def select(self, s: Select, k: K, ctx: Ctx, c: int) -> Proc:
        """``select``: an external choice of its ready cases; default only when none is ready."""
        g = ctx.gid
        branches: list[Proc] = []
        afters: list[After] = []
        signature: list[tuple[str, str]] = []
        for case in s.cases:
            if isinstance(case, OnSend):
                if case.chan is None:
                    continue
                body = k if case.then is None else self.block_of(case.then(), case.site, k, ctx)
                branches.extend(self.send_branches(case.chan, case.value, body(c), g))
                signature.append(("send", case.chan.name))
            else:
                src = case.src
                if src is None:
                    continue
                if isinstance(src, After):
                    afters.append(src)
                    signature.append(("timer", self.timer(g, src).name))
                elif isinstance(src, Done):
                    signature.append(("done", src.ctx.name))
                else:
                    signature.append(("recv", src.name))
                branches.extend(self.receive_branches(src, self._then(case.then, case.site, k, ctx), ctx, c,
                                                      case.site))
        if s.default is not None:
            probe = self.probe(g, tuple(sorted(set(signature))))
            default = self.block_of(s.default, s.site, k, ctx)(c)
            branches.append(prefix(v.default_event(g, probe.index), default))
        if not branches:
            return self.blocked(ctx, "select (no cases)", "select with no ready-able case", s.site)
        t = self.note(ext_choice(*branches), "select", "select", s.site, ctx)
        return self.arm(afters, g, t)

    def probe(self, g: int, cases: tuple[tuple[str, str], ...]) -> Probe:
        """The default-probe of a select of goroutine ``g`` over these cases."""
        p = self.probes.get((g, cases))
        if p is None:
            n = sum(1 for (gg, _c) in self.probes if gg == g) + 1
            p = self.probes[(g, cases)] = Probe(g, n, cases)
        return p

    # -- goroutines, calls, loops -----------------------------------------------------------------------

    def go(self, s: Go, k: K, ctx: Ctx, c: int) -> Proc:
        """``go fn(args)``: begin the new goroutine's span together with it.

        The span is a child of the caller's, begun while that span is open (WF rule W3).
        """
        gid = self._new_instance(s.fn, s.args, ctx.gid, ctx.stack[-1].fn, s.site)
        then = k(c)
        t = ext_choice(*(prefix(v.span_begin(sid, ctx.span, s.fn.name), then) for sid in self.span_ids(gid)))
        return self.note(t, "go", f"go {Frame(s.fn.name, s.args, None).text()} (goroutine {gid})", s.site, ctx)

    def call(self, s: Call, k: K, ctx: Ctx, c: int) -> Proc:
        """``r := fn(args)``: a span around the inlined body; ``then(r)`` after it ends."""
        sid = self.span_id(ctx.gid, c)
        if sid is None:
            return self.note(prefix(v.limit_event(ctx.gid, "spans"), STOP), "span budget",
                             f"call {s.fn.name}: span budget of {self.block} exhausted", s.site, ctx)
        if ctx.depth >= MAX_CALL_DEPTH:
            raise model_error(f"calls nested deeper than {MAX_CALL_DEPTH} (recursion is not supported: "
                              "use loop)", s.site)
        self.span_names.add(s.fn.name)
        results: dict[tuple[Any, ...], Proc] = {}

        def fn_ret(value: Value | None, _err: bool, c2: int) -> Proc:
            key = (type(value), value, c2)
            got = results.get(key)
            if got is None:
                then = k if s.then is None else self.block_of(apply(s.then, (value,)), s.site, k, ctx)
                got = results[key] = then(c2)
            return got

        inner = Ctx(ctx.gid, sid, (*ctx.stack, Frame(s.fn.name, s.args, s.site)), fn_ret, depth=ctx.depth + 1)
        body = self.function_body(s.fn, s.args, inner)
        return prefix(v.span_begin(sid, ctx.span, s.fn.name), body(c + 1))

    def loop(self, s: Loop, k: K, ctx: Ctx, c: int) -> Proc:
        """``for { ... }`` as a named definition over (loop state, span counter)."""
        n = self._loops.get(ctx.gid, 0) + 1
        self._loops[ctx.gid] = n
        name = f"G{ctx.gid}_loop{n}_line{s.site.line}"

        def head(state: Any, c2: int) -> Proc:
            return call(name, state, c2)

        looping = replace(ctx, brk=k, cont=head)

        def body(state: Any, c2: int) -> Proc:
            block = apply(s.body, (state,)) if s.stateful else s.body()
            term = self.block_of(block, s.site, memo(lambda c3: head(state, c3)), replace(looping, loop_state=state))(c2)
            if term.op is Op.CALL and call_parts(term)[0] == name:
                raise model_error("this loop can go round without any operation (a busy loop without "
                                  "events cannot be model checked: give every iteration an operation)", s.site)
            return term

        self.env.define(name, body)
        return head(s.state, c)


def _source(src: Receivable) -> str:
    if isinstance(src, Done):
        return f"{src.ctx.name}.Done()"
    if isinstance(src, After):
        return f"time.After({src.ticks})"
    return str(src)


def context_chain(ctx: Context) -> list[Context]:
    """``ctx`` and its ancestors, nearest first."""
    return [ctx, *ctx.ancestors()]
