"""A compiled Go-style program: its goroutines and objects as one CSP network.

Compiling (:class:`GoModel`) does four things:

1. compiles ``main`` and explores it alone (its explicit LTS); every ``go`` statement met there
   is a goroutine, compiled and explored in turn, until no new one appears;
2. reads off each goroutine's alphabet who sends, receives, closes, locks, ... what, and fills
   in the partners of every unbuffered rendezvous (``c.s.r.v`` for each possible pair);
3. adds the default-probes of selects with a default to the partners that are not ready;
4. composes goroutines, objects, the clock and the panic monitor in alphabetised parallel.

Two variants of the network differ in what main's return means: ``"runtime"`` (Go's: the
program exits, every goroutine stops) for deadlocks and panics, and ``"leaks"`` (goroutines go
on after main returned, and must all finish) for goroutine leaks.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from cspotlp.csp import (
    SKIP,
    STOP,
    TAU,
    TICK,
    Datum,
    Environment,
    Event,
    ExplicitLts,
    Lts,
    Proc,
    Semantics,
    apar_all,
    build_lts,
    call,
    explicit,
    ext_choice,
    prefix,
    sort_events,
)
from cspotlp.gomodel import vocabulary as v
from cspotlp.gomodel.compiler import Compiler, Instance, OpInfo, Probe
from cspotlp.gomodel.objects import (
    ProbeCase,
    Users,
    channel_process,
    clock_process,
    context_process,
    idle_process,
    monitor_process,
    mutex_process,
    timer_process,
    until_exit,
    waitgroup_process,
)
from cspotlp.gomodel.program import Program, decode, model_error
from cspotlp.mapping.csp_spans import SpanAlphabet, declare_span_channels

VARIANTS = ("runtime", "leaks")

LEAF_STATE_LIMIT = 200_000
"""A goroutine explored alone with more states than this is an error (the model is too big)."""


@dataclass(frozen=True)
class Goroutine:
    """One goroutine of the compiled model: its instance and its explicit process.

    Attributes:
        instance: function, arguments, spawner and ``go`` site.
        graph: its explicit LTS, partners and probes filled in.
        terms: state number -> the process term (to find the operation a state performs).
    """

    instance: Instance
    graph: ExplicitLts
    terms: tuple[Proc, ...]

    @property
    def gid(self) -> int:
        """Go's goroutine number (main is 1)."""
        return self.instance.gid


@dataclass(frozen=True)
class Component:
    """One process of the network: a goroutine, an object, the clock, the monitor."""

    name: str
    kind: str
    term: Proc
    alphabet: frozenset[Event]
    gid: int | None = None


class GoModel:
    """The CSP model of a :class:`~cspotlp.gomodel.program.Program` and its checks.

    >>> from cspotlp.gomodel import Program, send
    >>> p = Program("stuck")
    >>> c = p.chan("c", values=[1])
    >>> _ = p.main(lambda: [send(c, 1)])
    >>> print(p.compile().check_deadlock().message.splitlines()[0])
    fatal error: all goroutines are asleep - deadlock!
    """

    def __init__(self, program: Program) -> None:
        self.program = program
        self.env = Environment()
        self.compiler = Compiler(program, self.env)
        self.semantics = Semantics(self.env)
        lts_of = self._explore_goroutines()
        self.users = self._users(lts_of)
        self.goroutines = self._fill_partners(lts_of)
        self.alphabet = self._declare()
        self._components: dict[str, list[Component]] = {}
        self._systems: dict[str, Proc] = {}
        self._fresh_names: dict[frozenset[Event], str] = {}
        self._object_terms: dict[str, Proc] = {}
        self._bound: dict[str, str | None] = {}
        self._lts: dict[str, Lts] = {}

    # -- compiling ---------------------------------------------------------------------------------

    def _explore_goroutines(self) -> dict[int, Any]:
        out: dict[int, Any] = {}
        i = 0
        while i < len(self.compiler.instances):  # exploring one may discover more
            inst = self.compiler.instances[i]
            from cspotlp.errors import LimitReached, StateLimitExceeded

            try:
                out[inst.gid] = build_lts(self.compiler.root(inst.gid), self.env, semantics=self.semantics,
                                          state_limit=LEAF_STATE_LIMIT)
            except StateLimitExceeded as e:
                raise model_error(f"goroutine {inst.gid} ({inst.title}) alone has more than "
                                  f"{LEAF_STATE_LIMIT:,} states: bound its loops and values", inst.fn.site) from e
            except LimitReached as e:  # memory, time or growing terms
                raise model_error(f"goroutine {inst.gid} ({inst.title}) cannot be explored: "
                                  f"{e.reason}", inst.fn.site) from e
            i += 1
        return out

    def _users(self, lts_of: dict[int, Any]) -> dict[str, Users]:
        """Who does what to each object, from the goroutines' alphabets (before partners)."""
        users: dict[str, Users] = {}
        chans = self.program.chans
        for gid, lts in lts_of.items():
            for e in lts.events[2:]:
                ch = e.channel
                f = e.fields
                if ch in chans:
                    if f[0] == v.PLACEHOLDER:
                        users.setdefault(ch, Users()).receivers.add(gid)
                    else:
                        users.setdefault(ch, Users()).senders.add(gid)
                elif ch.endswith(("_send", "_recv", "_close")) and ch.rsplit("_", 1)[0] in chans:
                    base, op = ch.rsplit("_", 1)
                    u = users.setdefault(base, Users())
                    {"send": u.senders, "recv": u.receivers, "close": u.closers}[op].add(gid)
                elif ch == "add":
                    users.setdefault(_obj(f[0]), Users()).deltas.add((gid, int(f[2])))
                elif ch in ("wait", "lock", "unlock", "start", "cancel", "done", "err"):
                    users.setdefault(_obj(f[0]), Users()).by_op.setdefault(ch, set()).add(gid)
        return users

    def _fill_partners(self, lts_of: dict[int, Any]) -> tuple[Goroutine, ...]:
        chans = self.program.chans
        probes_by_partner = self._partner_probes()
        out: list[Goroutine] = []
        for gid, lts in lts_of.items():
            events: list[Event] = list(lts.events)
            number = {e: i for i, e in enumerate(events)}

            def num(e: Event, number: dict[Event, int] = number, events: list[Event] = events) -> int:
                k = number.get(e)
                if k is None:
                    k = number[e] = len(events)
                    events.append(e)
                return k

            edges: list[tuple[int, int, int]] = []
            for s in range(lts.num_states):
                for lab, t in lts.successor_numbers(s):
                    e = lts.events[lab]
                    if e.channel in chans and v.PLACEHOLDER in e.fields[:2]:
                        u = self.users.get(e.channel, Users())
                        sender, receiver, value = e.fields
                        if sender == v.PLACEHOLDER:
                            pairs = [(p, gid) for p in sorted(u.senders) if p != gid]
                        else:
                            pairs = [(gid, p) for p in sorted(u.receivers) if p != gid]
                        edges += [(s, num(v.rendezvous(e.channel, a, b, decode(value))), t) for a, b in pairs]
                    else:
                        edges.append((s, lab, t))
            offers = _offers(lts.num_states, edges, events)
            for probe_event, matches in probes_by_partner.get(gid, []):
                k = num(probe_event)
                edges += [(s, k, s) for s in range(lts.num_states) if not (offers[s] & matches)]
            terminated = [s for s in range(lts.num_states) if lts.terms[s] is _omega()]
            inst = self.compiler.instances[gid - 1]
            graph = ExplicitLts.from_edges(events, lts.num_states, edges, terminated, name=inst.definition)
            terms = tuple(lts.terms)
            graph.namer = lambda s, terms=terms: str(s)
            out.append(Goroutine(inst, graph, terms))
        return tuple(out)

    def _partner_probes(self) -> dict[int, list[tuple[Event, frozenset[Event]]]]:
        """For each goroutine, the probes it must join when it is *not* offering a rendezvous.

        A select of g with a default over an unbuffered channel's case is ready only if a
        partner offers the complementary rendezvous; each possible partner offers the probe in
        the states where it offers none of them.
        """
        out: dict[int, list[tuple[Event, frozenset[Event]]]] = {}
        chans = self.program.chans
        for probe in self._probes():
            ev = v.default_event(probe.gid, probe.index)
            per_partner: dict[int, set[Event]] = {}
            for role, obj in probe.cases:
                ch = chans.get(obj)
                if ch is None or ch.cap != 0 or role not in ("send", "recv"):
                    continue
                u = self.users.get(obj, Users())
                partners = u.receivers if role == "send" else u.senders
                for p in partners:
                    if p == probe.gid:
                        continue
                    pair = (probe.gid, p) if role == "send" else (p, probe.gid)
                    per_partner.setdefault(p, set()).update(
                        v.rendezvous(obj, pair[0], pair[1], x) for x in ch.values)
            for p, matches in sorted(per_partner.items()):
                out.setdefault(p, []).append((ev, frozenset(matches)))
        return out

    def _probes(self) -> list[Probe]:
        return sorted(self.compiler.probes.values(), key=lambda p: (p.gid, p.index))

    # -- the network -------------------------------------------------------------------------------

    def components(self, variant: str = "runtime") -> list[Component]:
        """The processes of the network, goroutines first (in goroutine order)."""
        if variant not in VARIANTS:
            raise model_error(f"unknown variant {variant!r} (expected one of {', '.join(VARIANTS)})", None)
        got = self._components.get(variant)
        if got is None:
            got = self._components[variant] = self._build_components(variant)
        return got

    def system(self, variant: str = "runtime") -> Proc:
        """The whole program as one process (alphabetised parallel of :meth:`components`)."""
        got = self._systems.get(variant)
        if got is None:
            comps = self.components(variant)
            got = self._systems[variant] = apar_all([(c.alphabet, call(c.name)) for c in comps])
        return got

    def _define(self, name: str, term: Proc) -> None:
        if name not in self.env.definitions:
            self.env.define(name, lambda: term)

    def _build_components(self, variant: str) -> list[Component]:
        exits = frozenset({v.EXIT_RETURNED, v.EXIT_PANICKED})
        used: set[Event] = set()
        for g in self.goroutines:
            used |= {g.graph.events[lab] for lab in set(g.graph.labels.tolist()) if lab > 1}
        responsible: dict[int, set[Event]] = {g.gid: set() for g in self.goroutines}
        for e in used:  # a goroutine's alphabet is every event it takes part in, done or not
            for gid in self._owners(e):
                responsible[gid].add(e)
        comps: list[Component] = []
        for g in self.goroutines:
            alpha = frozenset(responsible[g.gid]) | exits
            main = g.instance.spawner is None
            body = explicit(g.graph, g.graph.initial)
            term = until_exit(body, returned=not main and variant == "runtime")
            name = f"{g.instance.definition}_{variant}"
            self._define(name, term)
            comps.append(Component(name, "goroutine", call(name), alpha, g.gid))
        comps += self._object_components(variant, used, exits)
        return comps

    def participants(self, e: Event) -> frozenset[int]:
        """The goroutines that take part in ``e`` (none for time, exits and object-only events).

        >>> from cspotlp.gomodel import Program, send, recv
        >>> p = Program("buffered"); c = p.chan("c", values=[1], cap=1)
        >>> _ = p.main(lambda: [send(c, 1), recv(c)])
        >>> m = p.compile()
        >>> [(str(e), sorted(m.participants(e))) for e in sorted(m.all_events(), key=str)
        ...  if e.channel in ("c_send", "returned")]
        [('c_send.1.1', [1]), ('returned', [1])]
        """
        return frozenset(self._owners(e))

    def _owners(self, e: Event) -> set[int]:
        """The goroutines that take part in ``e`` (it happens only when all of them offer it)."""
        f, ch = e.fields, e.channel
        block = self.compiler.block
        if ch == "span_begin":
            s, p = int(f[0]), int(f[1])  # type: ignore[call-overload]
            return {(s - 1) // block + 1} | ({(p - 1) // block + 1} if p else set())
        if ch in ("span_end", "span_mark"):
            return {(int(f[0]) - 1) // block + 1}  # type: ignore[call-overload]
        if ch in self.program.chans:
            return {int(f[0]), int(f[1])}  # type: ignore[call-overload]
        if ch in _GOROUTINE_FIELD_1:
            return {int(f[1])}  # type: ignore[call-overload]
        if ch in ("arm", "rearm", "fire"):
            return {t.gid for t in self.compiler.timers.values() if t.name == _obj(f[0])}
        if ch == "returned":
            return {1}
        if ch in ("tick", "expire", "exit", "idle"):
            return set()
        if f and isinstance(f[0], int) and not isinstance(f[0], bool):
            return {f[0]}  # panic, c_send, c_recv, c_close, choose, default, limit, block: g first
        return set()

    def _object_components(self, variant: str, used: set[Event], exits: frozenset[Event]) -> list[Component]:
        env, prog = self.env, self.program
        comps: list[Component] = []
        probe_cases = self._probe_cases()
        timers = sorted(self.compiler.timers.values(), key=lambda t: t.name)

        def add(kind: str, obj: str, term: Proc, alphabet: Iterable[Event], *, stops_at_exit: bool = True) -> None:
            name = f"{kind}_{obj}_{variant}"
            self._define(name, until_exit(term) if stops_at_exit else term)
            comps.append(Component(name, kind, call(name), frozenset(alphabet) | exits))

        def mine(pred: Any) -> set[Event]:
            return {e for e in used if pred(e)}

        for ch in prog.chans.values():
            names = {ch.name, f"{ch.name}_send", f"{ch.name}_recv", f"{ch.name}_close"}
            cases = probe_cases.get(ch.name, [])
            term = _cached(self._object_terms, f"chan_{ch.name}",
                           lambda ch=ch, cases=cases: channel_process(env, ch, self.users.get(ch.name, Users()), cases))
            alpha = mine(lambda e, names=names, n=ch.name: e.channel in names or _panic_on(e, n))
            add("chan", ch.name, term, alpha | {p.event for p in cases})
        for wg in prog.waitgroups.values():
            term = _cached(self._object_terms, f"wg_{wg.name}",
                           lambda wg=wg: waitgroup_process(env, wg.name, wg.limit, self.users.get(wg.name, Users())))
            alpha = mine(lambda e, n=wg.name: (e.channel in ("add", "wait") and _obj(e.fields[0]) == n)
                         or _panic_on(e, n) or (e.channel == "limit" and _obj(e.fields[1]) == n))
            add("wg", wg.name, term, alpha)
        for mu in prog.mutexes.values():
            term = _cached(self._object_terms, f"mutex_{mu.name}", lambda mu=mu: mutex_process(env, mu.name, self.users.get(mu.name, Users())))
            alpha = mine(lambda e, n=mu.name: (e.channel in ("lock", "unlock") and _obj(e.fields[0]) == n)
                         or _panic_on(e, n))
            add("mutex", mu.name, term, alpha)
        for ctx in prog.contexts.values():
            cases = probe_cases.get(ctx.name, [])
            term = _cached(self._object_terms, f"ctx_{ctx.name}", lambda ctx=ctx, cases=cases: context_process(env, ctx, self.users, cases))
            family = {ctx.name, *(a.name for a in ctx.ancestors())}
            alpha = mine(lambda e, n=ctx.name, fam=family: (e.channel in ("start", "done", "err") and _obj(e.fields[0]) == n)
                         or (e.channel == "cancel" and _obj(e.fields[0]) in fam))
            alpha |= {v.timer_event("expire", a.name) for a in (ctx, *ctx.ancestors()) if a.timeout is not None}
            if ctx.timeout is not None:
                alpha.add(v.TICK_EVENT)
            add("ctx", ctx.name, term, alpha | {p.event for p in cases})
        for t in timers:
            cases = probe_cases.get(t.name, [])
            term = _cached(self._object_terms, f"timer_{t.name}", lambda t=t, cases=cases: timer_process(env, t.name, t.durations, cases))
            alpha = mine(lambda e, n=t.name: e.channel in ("arm", "rearm", "fire") and _obj(e.fields[0]) == n)
            alpha |= {v.timer_event("expire", t.name), v.TICK_EVENT}
            add("timer", t.name, term, alpha | {p.event for p in cases})
        deadlines = [c for c in prog.contexts.values() if c.timeout is not None]
        if timers or deadlines:
            arms = sort_events(mine(lambda e: e.channel == "arm")
                               | mine(lambda e: e.channel == "start" and _obj(e.fields[0]) in {c.name for c in deadlines}))
            expires = [v.timer_event("expire", x) for x in sorted([t.name for t in timers] + [c.name for c in deadlines])]
            term = _cached(self._object_terms, "clock", lambda: clock_process(env, arms, expires, len(timers) + len(deadlines)))
            add("clock", "time", term, {*arms, *expires, v.TICK_EVENT})
        panics = sort_events(mine(lambda e: e.channel == "panic"))
        add("monitor", "panics", monitor_process(panics), panics, stops_at_exit=False)
        blocks = mine(lambda e: e.channel == "block")
        if blocks:
            add("blocked", "forever", STOP, blocks)
        if variant == "leaks":
            add("idle", "until_return", _cached(self._object_terms, "idle", lambda: idle_process(env)), {v.IDLE, v.RETURNED},
                stops_at_exit=False)
        return comps

    def _probe_cases(self) -> dict[str, list[ProbeCase]]:
        """For each object, the default-probes that test it and with which roles."""
        out: dict[str, list[ProbeCase]] = {}
        for p in self._probes():
            ev = v.default_event(p.gid, p.index)
            roles: dict[str, set[str]] = {}
            for role, obj in p.cases:
                roles.setdefault(obj, set()).add(role)
            for obj, rs in sorted(roles.items()):
                out.setdefault(obj, []).append(ProbeCase(ev, frozenset(rs)))
        return out

    def _declare(self) -> SpanAlphabet:
        """Declare the span channels of :mod:`cspotlp.mapping.csp_spans`; returns their alphabet."""
        n = len(self.compiler.instances)
        alpha = declare_span_channels(self.env, sorted(self.compiler.span_names),
                                      max_spans=n * self.compiler.block,
                                      mark_names=sorted(self.compiler.mark_names) or ["event"])
        taken = set(self.env.channels)
        clash = sorted(taken & set(self.program.chans))
        if clash or any(c in v.RESERVED_CHANNELS for c in self.program.chans):
            bad = clash or sorted(set(self.program.chans) & v.RESERVED_CHANNELS)
            raise model_error(f"channel name {bad[0]!r} clashes with an event of the model's vocabulary", None)
        return alpha

    def lts(self, variant: str = "runtime", *, state_limit: int | None = None) -> Lts:
        """The whole program's explicit LTS (built once per variant; exporters share it).

        Raises:
            StateLimitExceeded: it has more than ``state_limit`` states.
        """
        got = self._lts.get(variant)
        if got is None or (state_limit is not None and got.num_states > state_limit):
            got = build_lts(self.system(variant), self.env, state_limit=state_limit)
            self._lts[variant] = got
        return got

    def all_events(self, variant: str = "runtime") -> frozenset[Event]:
        """Every event the network can perform (the union of the alphabets)."""
        out: set[Event] = set()
        for c in self.components(variant):
            out |= c.alphabet
        return frozenset(out)

    def bound_reached(self, variant: str = "runtime") -> str | None:
        """Why a passed check holds only up to a model bound (None when no bound is reachable).

        A bound is a span budget or a WaitGroup limit: its ``limit`` event is reachable.
        """
        if variant not in self._bound:
            events = self.all_events(variant)
            limits = {e for e in events if e.channel == "limit"}
            reason = None
            if limits:
                from cspotlp.csp import refines

                verdict = refines(self.run_or_finish(events - limits), self.system(variant), self.env, "T")
                if verdict.holds is not True:
                    cex = verdict.counterexample
                    reason = (f"a model bound is reachable: {cex.error_event} after "
                              f"{len(cex.trace)} events" if cex is not None and cex.error_event is not None
                              else f"whether a model bound is reachable is unknown: {verdict.reason}")
            self._bound[variant] = reason
        return self._bound[variant]

    def run_or_finish(self, events: Iterable[Event]) -> Proc:
        """``RUN(A) [] SKIP`` recursively: any sequence of ``events``, ending (✓) at any time."""
        allowed = frozenset(events)
        name = self._fresh_names.get(allowed)
        if name is None:
            name = self._fresh_names[allowed] = f"RUN_OR_FINISH_{len(self._fresh_names) + 1}"
            self.env.define(name, lambda: ext_choice(*(prefix(e, call(name)) for e in sort_events(allowed)), SKIP))
        return call(name)

    def declare_channels(self) -> None:
        """Declare the CSP channels of every event (for exporters that need declarations)."""
        domains: dict[str, list[set[Any]]] = {}
        for variant in VARIANTS:
            for e in self.all_events(variant):
                if e.channel in self.env.channels:
                    continue
                doms = domains.setdefault(e.channel, [set() for _ in e.fields])
                for i, f in enumerate(e.fields):
                    doms[i].add(f)
        for ch in sorted(domains):
            self.env.channel(ch, *domains[ch])

    # -- checks (see :mod:`cspotlp.gomodel.checks`) -------------------------------------------------

    def check_deadlock(self, **limits: Any) -> Any:
        """Go's "all goroutines are asleep - deadlock!" (:func:`~.checks.check_deadlock`)."""
        from cspotlp.gomodel.checks import check_deadlock

        return check_deadlock(self, **limits)

    def check_leaks(self, **limits: Any) -> Any:
        """Goroutines blocked forever after main returned (:func:`~.checks.check_leaks`)."""
        from cspotlp.gomodel.checks import check_leaks

        return check_leaks(self, **limits)

    def check_panics(self, kinds: Iterable[str] | None = None, **limits: Any) -> Any:
        """A reachable panic (:func:`~.checks.check_panics`)."""
        from cspotlp.gomodel.checks import check_panics

        return check_panics(self, kinds, **limits)

    def check_divergence(self, observe: Iterable[Any], **options: Any) -> Any:
        """Livelock with all but ``observe`` hidden (:func:`~.checks.check_divergence`)."""
        from cspotlp.gomodel.checks import check_divergence

        return check_divergence(self, observe, **options)

    def check_refines(self, spec: Proc, observe: Iterable[Any], **options: Any) -> Any:
        """``spec`` refined by the program seen through ``observe`` (:func:`~.checks.check_refines`)."""
        from cspotlp.gomodel.checks import check_refines

        return check_refines(self, spec, observe, **options)

    # -- what a state is doing ---------------------------------------------------------------------

    def op_at(self, gid: int, state: int) -> OpInfo | None:
        """The operation goroutine ``gid`` performs in ``state`` of its graph (None if none)."""
        term = self.goroutines[gid - 1].terms[state]
        seen = 0
        while seen < 64:
            info = self.compiler.ops.get(term)
            if info is not None:
                return info
            if term.op.name != "CALL":
                return None
            term = self.env.unfold(term)
            seen += 1
        return None

    def replay(self, gid: int, events: Sequence[Event]) -> list[int]:
        """The states goroutine ``gid`` can be in after its own ``events`` (τ and exits skipped)."""
        graph = self.goroutines[gid - 1].graph
        current = {graph.initial}
        for e in events:
            if e is TAU or e is TICK:
                continue
            nxt = {t for s in current for ev, t in graph.successors(s) if ev is e}
            if not nxt:
                break
            current = nxt
        return sorted(current)


_GOROUTINE_FIELD_1 = frozenset({"add", "wait", "lock", "unlock", "start", "cancel", "done", "err"})


def _obj(field: Any) -> str:
    return field.ctor if isinstance(field, Datum) else str(field)


def _panic_on(e: Event, obj: str) -> bool:
    return e.channel == "panic" and _obj(e.fields[2]) == obj


def _offers(num_states: int, edges: Sequence[tuple[int, int, int]], events: Sequence[Event]) -> list[frozenset[Event]]:
    out: list[set[Event]] = [set() for _ in range(num_states)]
    for s, lab, _t in edges:
        out[s].add(events[lab])
    return [frozenset(o) for o in out]


def _omega() -> Proc:
    from cspotlp.csp import OMEGA

    return OMEGA


def _cached(cache: dict[str, Proc], key: str, build: Any) -> Proc:
    """Object definitions are made once per model (shared by both variants)."""
    got = cache.get(key)
    if got is None:
        got = cache[key] = build()
    return got

