"""Checks of a Go-style model, reported in Go's words.

* :func:`check_deadlock` — Go's runtime check: every goroutine blocked (and no timer pending)
  is ``fatal error: all goroutines are asleep - deadlock!``; the report gives the shortest path
  and, per goroutine, what it is blocked on and where (the model's source line and stack).
* :func:`check_leaks` — goroutines still blocked forever after main returned.
* :func:`check_panics` — a reachable panic (send on a closed channel, close of a closed channel,
  ...), with the panicking goroutine's stack.
* :func:`check_divergence` and :func:`check_refines` — with everything but the observed events
  hidden: livelock, and refinement of a small abstract CSP specification.

Each returns a :class:`GoVerdict`: ``holds`` True (passed), False (failed, with the message and
the counterexample) or None (inconclusive: a state or time budget, or a model bound — a span
budget or WaitGroup bound — was reached; never reported as passed).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from cspotlp.csp import (
    TAU,
    TICK,
    Event,
    Proc,
    Verdict,
    deadlock_free,
    divergence_free,
    hide,
    refines,
)
from cspotlp.csp.verdict import Counterexample, show_trace
from cspotlp.gomodel import vocabulary as v
from cspotlp.gomodel.compiler import OpInfo
from cspotlp.gomodel.model import GoModel
from cspotlp.mapping.correspondence import phi
from cspotlp.mapping.csp_spans import to_span_trace
from cspotlp.mapping.forest import Forest

DEFAULT_STATE_LIMIT = 2_000_000
"""States a check may store before it stops with "inconclusive"."""
DEFAULT_TIME_LIMIT = 600.0
"""Seconds a check may run before it stops with "inconclusive"."""


@dataclass(frozen=True)
class GoroutineReport:
    """One goroutine at the end of a counterexample."""

    gid: int
    title: str
    status: str  # blocked, finished, not started, panicking
    op: OpInfo | None
    created_by: str | None
    go_site: str | None

    def lines(self) -> list[str]:
        """Go's dump of the goroutine: ``goroutine 3 [chan send]:`` and its stack."""
        wait = self.op.wait if self.op is not None and self.status != "panicking" else "running"
        if self.status == "finished":
            wait = "finished"
        out = [f"goroutine {self.gid} [{wait}]:"]
        if self.op is not None:
            frames = list(reversed(self.op.stack))
            for i, fr in enumerate(frames):
                line = self.op.site if i == 0 else frames[i - 1].call_site
                out.append(fr.text())
                out.append(f"\t{line}" + (f"  ({self.op.detail})" if i == 0 else ""))
        else:
            out.append(self.title)
        if self.created_by is not None:
            out.append(f"created by {self.created_by}")
            out.append(f"\t{self.go_site}")
        return out


@dataclass(frozen=True)
class GoVerdict:
    """The outcome of one check, in Go's words and in CSP's.

    Attributes:
        check: ``deadlock``, ``leaks``, ``panics``, ``divergence`` or ``refinement``.
        holds: True (passed), False (failed) or None (inconclusive).
        message: what Go would print (or the reason it is inconclusive).
        verdict: the CSP verdict underneath (FDR-style, with the counterexample).
        trace: the shortest path to the failure (the events the check observes: every event
            for deadlock, leaks and panics; the observed ones for divergence and refinement).
        goroutines: each goroutine's state at the end of the path.
        forest: the span forest of the path (Φ of its span events).
        notes: why an inconclusive verdict is not a failure (a model bound was reached).
        path: the whole run to the failure, hidden events included (for refinement and
            divergence this is the program's run behind ``trace``; otherwise ``trace`` itself).
    """

    check: str
    holds: bool | None
    message: str
    verdict: Verdict
    trace: tuple[Event, ...] = ()
    goroutines: tuple[GoroutineReport, ...] = ()
    forest: Forest | None = None
    notes: tuple[str, ...] = field(default=())
    path: tuple[Event, ...] = ()

    @property
    def passed(self) -> bool:
        """True only when the whole search ran and found nothing."""
        return self.holds is True

    def __bool__(self) -> bool:
        raise TypeError("a GoVerdict is not a bool: use .holds (it may be None = inconclusive)")

    def __str__(self) -> str:
        return self.describe()

    def describe(self, *, seconds: bool = True) -> str:
        """The report: status, Go's message, the shortest path, and the search's size (and time).

        ``seconds=False`` leaves the time out, so that the text is the same on every run.
        """
        status = {True: "passed", False: "FAILED", None: "inconclusive"}[self.holds]
        lines = [f"{self.check}: {status}"]
        if self.message:
            lines += ["", self.message.rstrip("\n")]
        if self.trace:
            lines += ["", f"shortest path ({len(self.trace)} events): {show_trace(self.trace)}"]
        if self.path and self.path != self.trace:
            lines += [f"the program's run behind it ({len(self.path)} events): {show_trace(self.path)}"]
        lines += [f"note: {n}" for n in self.notes]
        time = f", {self.verdict.seconds:.2f} s" if seconds else ""
        lines.append(f"({self.verdict.states:,} states, {self.verdict.transitions:,} transitions{time})")
        return "\n".join(lines) + "\n"


def check_deadlock(model: GoModel, *, state_limit: int | None = DEFAULT_STATE_LIMIT,
                   time_limit: float | None = DEFAULT_TIME_LIMIT) -> GoVerdict:
    """Go's runtime deadlock: all goroutines asleep (main included), no timer pending."""
    name = f"{model.program.name} :[deadlock free [F]]"
    verdict = deadlock_free(model.system("runtime"), model.env, "F", state_limit=state_limit,
                            time_limit=time_limit, name=name)
    if verdict.holds is not False:
        return _unfailed("deadlock", verdict, model)
    cex = verdict.counterexample
    assert cex is not None
    reports = goroutine_reports(model, "runtime", cex)
    live = [r for r in reports if r.status == "blocked"]
    message = "fatal error: all goroutines are asleep - deadlock!\n\n" + "\n\n".join(
        "\n".join(r.lines()) for r in live)
    return _failed("deadlock", verdict, message, model, cex, reports)


def check_leaks(model: GoModel, *, state_limit: int | None = DEFAULT_STATE_LIMIT,
                time_limit: float | None = DEFAULT_TIME_LIMIT) -> GoVerdict:
    """Goroutine leaks: after main returned, some goroutine is blocked forever."""
    name = f"{model.program.name} (goroutines after main returns) :[deadlock free [F]]"
    verdict = deadlock_free(model.system("leaks"), model.env, "F", state_limit=state_limit,
                            time_limit=time_limit, name=name)
    if verdict.holds is not False:
        return _unfailed("leaks", verdict, model, "leaks")
    cex = verdict.counterexample
    assert cex is not None
    reports = goroutine_reports(model, "leaks", cex)
    leaked = [r for r in reports if r.status == "blocked" and r.gid != 1]
    head = (f"goroutine leak: {len(leaked)} goroutine(s) blocked forever after main returned"
            if leaked else "the program cannot finish after main returned")
    message = head + "\n\n" + "\n\n".join("\n".join(r.lines()) for r in leaked)
    return _failed("leaks", verdict, message, model, cex, reports)


def check_panics(model: GoModel, kinds: Iterable[str] | None = None, *,
                 state_limit: int | None = DEFAULT_STATE_LIMIT,
                 time_limit: float | None = DEFAULT_TIME_LIMIT) -> GoVerdict:
    """A reachable panic of one of ``kinds`` (default: every kind), shortest path first."""
    wanted = set(v.PANIC_KINDS if kinds is None else kinds)
    unknown = wanted - set(v.PANIC_KINDS)
    if unknown:
        from cspotlp.errors import GoModelError

        raise GoModelError(f"unknown panic kind(s) {sorted(unknown)} (known: {', '.join(v.PANIC_KINDS)})")
    events = model.all_events("runtime")
    bad = {e for e in events if e.channel == "panic" and str(e.fields[1]) in wanted}
    name = f"{model.program.name} has no panic ({', '.join(sorted(wanted))})"
    verdict = refines(model.run_or_finish(events - bad), model.system("runtime"), model.env, "T", state_limit=state_limit,
                      time_limit=time_limit, spec_name="NO_PANIC", impl_name=name)
    if verdict.holds is not False:
        return _unfailed("panics", verdict, model)
    cex = verdict.counterexample
    assert cex is not None and cex.error_event is not None
    panic = cex.error_event
    gid, kind = int(panic.fields[0]), str(panic.fields[1])  # type: ignore[call-overload]
    reports = goroutine_reports(model, "runtime", cex, panicking=gid)
    culprit = next(r for r in reports if r.gid == gid)
    message = f"{v.PANIC_MESSAGES[kind]}\n\n" + "\n".join(culprit.lines())
    return _failed("panics", verdict, message, model, cex, reports, trace=(*cex.trace, panic))


def observed_events(model: GoModel, observe: Iterable[str | Event], variant: str = "runtime") -> frozenset[Event]:
    """The events named by ``observe``: events, or CSP channel names (``results``, ``span_begin``)."""
    names = {o for o in observe if isinstance(o, str)}
    explicit = {o for o in observe if isinstance(o, Event)}
    return frozenset(e for e in model.all_events(variant) if e.channel in names or e in explicit)


def observed(model: GoModel, observe: Iterable[str | Event], variant: str = "runtime") -> Proc:
    """The program with every event but the observed ones hidden."""
    keep = observed_events(model, observe, variant)
    return hide(model.system(variant), model.all_events(variant) - keep)


def check_divergence(model: GoModel, observe: Iterable[str | Event], *, variant: str = "runtime",
                     state_limit: int | None = DEFAULT_STATE_LIMIT,
                     time_limit: float | None = DEFAULT_TIME_LIMIT) -> GoVerdict:
    """Livelock: the program can run forever doing only events that are not observed."""
    name = f"{model.program.name} \\ (all but {', '.join(sorted(map(str, observe)))}) :[divergence free]"
    verdict = divergence_free(observed(model, observe, variant), model.env, state_limit=state_limit,
                              time_limit=time_limit, name=name)
    if verdict.holds is not False:
        return _unfailed("divergence", verdict, model, variant)
    cex = verdict.counterexample
    assert cex is not None
    loop = [ev for step in cex.divergence_loop for _c, ev in step.moves]
    message = ("livelock: the program can go on forever without an observed event, repeating\n    "
               + show_trace(_dedupe(loop)))
    return _failed("divergence", verdict, message, model, cex, goroutine_reports(model, variant, cex))


def check_refines(model: GoModel, spec: Proc, observe: Iterable[str | Event], *, semantic_model: str = "F",
                  variant: str = "runtime", spec_name: str = "SPEC",
                  state_limit: int | None = DEFAULT_STATE_LIMIT,
                  time_limit: float | None = DEFAULT_TIME_LIMIT) -> GoVerdict:
    r"""``spec [M= program \\ (all but observe)``: the program, seen through the observed events."""
    impl = f"{model.program.name} \\ (all but {', '.join(sorted(map(str, observe)))})"
    verdict = refines(spec, observed(model, observe, variant), model.env, semantic_model, state_limit=state_limit,
                      time_limit=time_limit, spec_name=spec_name, impl_name=impl)
    if verdict.holds is not False:
        return _unfailed("refinement", verdict, model, variant)
    cex = verdict.counterexample
    assert cex is not None
    return _failed("refinement", verdict, "\n".join(cex.lines()), model, cex,
                   goroutine_reports(model, variant, cex))


# -- building reports -----------------------------------------------------------------------------


def goroutine_reports(model: GoModel, variant: str, cex: Counterexample, panicking: int | None = None
                      ) -> tuple[GoroutineReport, ...]:
    """Each goroutine at the end of the counterexample (replaying its own events)."""
    comps = model.components(variant)
    views = cex.components
    if len(views) != len(comps):  # the engine split the network differently: no per-goroutine view
        return ()
    out: list[GoroutineReport] = []
    for comp, view in zip(comps, views, strict=True):
        if comp.gid is None:
            continue
        own = [e for e in view.trace if e is not TAU and e is not TICK]
        if panicking == comp.gid and own and own[-1].channel == "panic":
            own = own[:-1]
        states = model.replay(comp.gid, own)
        ops = [model.op_at(comp.gid, s) for s in states]
        op = next((o for o in ops if o is not None), None)
        inst = model.goroutines[comp.gid - 1].instance
        started = inst.spawner is None or any(e.channel == "span_begin" and int(e.fields[0]) in  # type: ignore[call-overload]
                                              model.compiler.span_ids(comp.gid) for e in own)
        if panicking == comp.gid:
            status = "panicking"
        elif op is not None and op.wait == "not started":
            status = "finished" if started else "not started"
        elif own and own[-1].channel in ("returned", "exit"):
            status = "finished"
        else:
            status = "blocked"
        created = f"main.{inst.creator} in goroutine {inst.spawner}" if inst.spawner is not None else None
        out.append(GoroutineReport(comp.gid, inst.title, status, op, created,
                                   str(inst.site) if inst.site is not None else None))
    return tuple(out)


def _limits(trace: Sequence[Event], reports: Sequence[GoroutineReport]) -> list[str]:
    """Why a counterexample may be an artefact of a model bound."""
    out = [f"goroutine {e.fields[0]} reached a model bound ({e.fields[1]}): raise it"
           for e in trace if e.channel == "limit"]
    for r in reports:
        if r.status == "blocked" and r.op is not None and r.op.wait in ("span budget", "go"):
            out.append(f"goroutine {r.gid} is blocked at a model bound: {r.op.detail} "
                       "(a go statement waits while the same goroutine still runs or its span budget is used up)")
    return out


def run_of(cex: Counterexample) -> tuple[Event, ...]:
    """The program's whole run behind a counterexample: every event, hidden ones included.

    Each step of the implementation records what its components did before any hiding above
    them, so a step that is τ once events are hidden still names its event; internal steps and
    the components' terminations are left out.
    """
    out: list[Event] = []
    for step in cex.steps:
        real = next((e for _c, e in step.moves if e is not TAU and e is not TICK), None)
        if real is not None:
            out.append(real)
    return tuple(out)


def _failed(check: str, verdict: Verdict, message: str, model: GoModel, cex: Counterexample,
            reports: tuple[GoroutineReport, ...], trace: tuple[Event, ...] | None = None) -> GoVerdict:
    shown = cex.trace if trace is None else trace
    run = run_of(cex)
    if trace is not None and trace[len(cex.trace):]:  # the panic itself ends the run
        run = (*run, *trace[len(cex.trace):])
    path = run if run else shown
    forest = phi(to_span_trace(model.alphabet, path))
    limits = _limits(path, reports)
    if limits:
        return GoVerdict(check, None, "inconclusive: the counterexample reaches a model bound\n\n" + message,
                         verdict, shown, reports, forest, tuple(limits), path)
    return GoVerdict(check, False, message, verdict, shown, reports, forest, path=path)


def _unfailed(check: str, verdict: Verdict, model: GoModel, variant: str = "runtime") -> GoVerdict:
    if verdict.holds:
        bound = model.bound_reached(variant)
        if bound is not None:  # passed only up to the bound: never reported as passed
            return GoVerdict(check, None, f"inconclusive: {bound} (raise the bound)", verdict)
        return GoVerdict(check, True, "", verdict)
    return GoVerdict(check, None, f"inconclusive: {verdict.reason}", verdict)


def _dedupe(events: Sequence[Event]) -> list[Event]:
    seen: set[Event] = set()
    out: list[Event] = []
    for e in events:
        if e not in seen:
            seen.add(e)
            out.append(e)
    return out
