"""Run a script's assertions, as FDR's batch mode does, with the checks of :mod:`cspotlp.csp`.

Supported: ``Spec [T= Impl``, ``[F=`` and ``[FD=``; ``:[deadlock free [F|FD]]``,
``:[divergence free]`` (also written ``livelock free``), ``:[deterministic [F|FD]]``,
``:[has trace [T|F|FD]]: <...>``, ``assert not ...`` and the ``:[tau priority over]: A`` option
(applied to the implementation, or to the process of a property check, as
``prioritise(P, <{}, A>)``: τ and ✓ pre-empt the events of ``A``) and the ``:[partial order
reduce]`` option (deadlock freedom in F and refinement in T explore a reduced state space that
keeps their verdicts; elsewhere it is ignored with a note). When no model is given,
deadlock freedom and determinism are checked in FD and ``has trace`` in T, as FDR does.

Each assertion gives an :class:`AssertionResult`: ``passed``, ``failed`` (with the shortest
counterexample as a list of events, plus the refusal or divergence for failures and
divergence checks), ``inconclusive`` (a budget of states, memory or time stopped the check,
or the process's terms grow without bound: the reason says which; never reported as passed or
failed) or ``error`` (the script could not be evaluated for it, or a construct is unsupported).
Each assertion has its own budget (:class:`~cspotlp.csp.budget.Budget`), made from the limits
given to :func:`check_assertions` (defaults sized from the machine's free memory).
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from cspotlp.csp.budget import Budget
from cspotlp.csp.events import Event, show_event_set
from cspotlp.csp.por import por_mode
from cspotlp.csp.semantics import Semantics
from cspotlp.csp.terms import Proc, prioritise
from cspotlp.cspm import ast
from cspotlp.cspm.evaluate import LoadedScript
from cspotlp.cspm.processes import event_set
from cspotlp.cspm.values import LazySeq
from cspotlp.errors import CspotlpError, LocatedError

__all__ = ["AssertionResult", "check_assertion", "check_assertions", "locate_definitions"]

Progress = Callable[[Any], None]


@dataclass(frozen=True)
class AssertionResult:
    """The outcome of one assertion.

    Attributes:
        assertion: the assertion as written in the script (``assert SPEC [T= IMPL``).
        result: ``passed``, ``failed``, ``inconclusive`` or ``error``.
        counterexample: for a failed check, the events of the shortest counterexample (the
            trace, followed by the offending event for a trace violation); None otherwise.
        kind: what the counterexample shows (``trace``, ``refusal``, ``deadlock``,
            ``divergence``, ``nondeterminism``, ``missing trace``).
        details: further lines: the acceptance of a refusal, the divergence, why the check was
            inconclusive, an error message.
        states: states the check explored.
        transitions: transitions the check explored.
        seconds: wall-clock time, evaluation of the script's processes included.
        location: ``file:line:col`` of the assertion.
    """

    assertion: str
    result: str
    counterexample: tuple[str, ...] | None = None
    kind: str | None = None
    details: tuple[str, ...] = ()
    states: int = 0
    transitions: int = 0
    seconds: float = 0.0
    location: str = ""
    verdict: Any = field(default=None, compare=False, repr=False)

    def to_json(self) -> dict[str, Any]:
        """The result as a JSON object (for ``cspotlp check --json``)."""
        return {
            "assertion": self.assertion,
            "result": self.result,
            "counterexample": None if self.counterexample is None else list(self.counterexample),
            "kind": self.kind,
            "details": list(self.details),
            "states": self.states,
            "transitions": self.transitions,
            "seconds": round(self.seconds, 6),
            "location": self.location,
        }

    def lines(self) -> list[str]:
        """The result as text: one summary line, then indented details."""
        head = (f"{self.assertion}: {self.result} ({self.seconds:.3f} s, "
                f"{self.states:,} states)")
        out = [head]
        if self.counterexample is not None:
            out.append(f"    counterexample ({self.kind}): <{', '.join(self.counterexample)}>")
        out.extend("    " + line for d in self.details for line in d.split("\n"))
        return out


class _Failure(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _source(loaded: LoadedScript, node: ast.Node) -> str:
    return " ".join(loaded.source_text(node).split())


def _process(loaded: LoadedScript, e: ast.Exp) -> Proc:
    v = loaded.evaluator.evaluate(e)
    if not isinstance(v, Proc):
        raise _Failure(f"{_source(loaded, e)} is not a process")
    return v


def _with_priority(loaded: LoadedScript, p: Proc, tau_priority: ast.Exp | None) -> Proc:
    if tau_priority is None:
        return p
    ev = loaded.evaluator
    events = event_set(ev, ev.evaluate(tau_priority), tau_priority)
    return prioritise(p, [frozenset(), events])


def _trace(loaded: LoadedScript, e: ast.Exp) -> list[Event]:
    ev = loaded.evaluator
    v = ev.evaluate(e)
    items = v.force().items if isinstance(v, LazySeq) else v.items
    out = []
    for x in items:
        if not isinstance(x, Event):
            raise _Failure(f"{x} is not an event")
        out.append(x)
    return out


def _run_check(loaded: LoadedScript, a: ast.Assertion, sem: Semantics, budget: Budget) -> Any:
    from cspotlp.csp import checks, refine

    env = loaded.env
    # None without :[partial order reduce], "" or the mode's name with it
    reduce = getattr(a, "partial_order", None) is not None
    if isinstance(a, ast.Refinement):
        model = a.model.value
        if model not in ("T", "F", "FD"):
            raise _Failure(f"unsupported construct: refinement in the {model} model "
                           "(only T, F and FD are supported)")
        spec = _process(loaded, a.spec)
        impl = _with_priority(loaded, _process(loaded, a.impl), a.tau_priority)
        return refine.refines(spec, impl, env, model, budget=budget, semantics=sem,
                              spec_name=_source(loaded, a.spec),
                              impl_name=_source(loaded, a.impl), partial_order=reduce)
    if isinstance(a, ast.PropertyCheck):
        p = _with_priority(loaded, _process(loaded, a.process), a.tau_priority)
        name = _source(loaded, a.process)
        model = a.model.value if a.model is not None else "FD"
        if a.prop is ast.Property.DIVERGENCE_FREE:
            verdict = checks.divergence_free(p, env, budget=budget, semantics=sem, name=name)
            return _without_reduction(verdict, reduce, "divergence freedom")
        if model not in ("F", "FD"):
            raise _Failure(f"unsupported construct: {a.prop.value} in the {model} model")
        if a.prop is ast.Property.DEADLOCK_FREE:
            return checks.deadlock_free(p, env, model, budget=budget, semantics=sem, name=name,
                                        partial_order=reduce)
        verdict = checks.deterministic(p, env, model, budget=budget, semantics=sem, name=name)
        return _without_reduction(verdict, reduce, "determinism")
    assert isinstance(a, ast.HasTrace)
    p = _with_priority(loaded, _process(loaded, a.process), a.tau_priority)
    model = a.model.value if a.model is not None else "T"
    if model not in ("T", "F", "FD"):
        raise _Failure(f"unsupported construct: has trace in the {model} model")
    return checks.has_trace(p, _trace(loaded, a.trace), env, model, budget=budget,
                            semantics=sem, name=_source(loaded, a.process))


def _without_reduction(verdict: Any, asked: bool, what: str) -> Any:
    """``verdict`` with a note when ``:[partial order reduce]`` was asked where it does not apply."""
    _mode, notes = por_mode(asked, None, what)
    return dataclasses.replace(verdict, notes=verdict.notes + notes) if notes else verdict


def locate_definitions(loaded: LoadedScript) -> None:
    """Let ``loaded``'s environment say where each process definition is written.

    Messages about a definition (``the terms of P grow without bound``) then start with its
    ``FILE:LINE:COL``.
    """
    claims = loaded.evaluator.claims

    def locate(name: str) -> str | None:
        span = getattr(claims.get(name), "span", None)
        return None if span is None or span.line < 1 else str(span)

    loaded.env.locator = locate


def _counterexample(verdict: Any) -> tuple[tuple[str, ...] | None, str | None, tuple[str, ...]]:
    cex = verdict.counterexample
    if cex is None:
        return None, None, ()
    events = [e.name for e in cex.trace]
    details: list[str] = []
    if cex.error_event is not None:
        events.append(cex.error_event.name)
    if cex.acceptance is not None:
        if cex.acceptance:
            details.append(f"refuses everything except {show_event_set(cex.acceptance)}")
        else:
            details.append("refuses every event")
    if cex.required is not None and cex.required:
        alts = " or ".join(show_event_set(a) for a in cex.required)
        details.append(f"the specification must accept one of {alts}")
    if cex.refused_event is not None:
        details.append(f"can both perform and refuse {cex.refused_event.name}")
    if cex.divergent:
        loop = ", ".join(s.event.name for s in cex.divergence_loop)
        details.append(f"diverges after the trace (τ loop <{loop}>)" if loop
                       else "diverges after the trace")
    return tuple(events), cex.kind, tuple(details)


def check_assertion(loaded: LoadedScript, decl: ast.AssertDecl, *,
                    state_limit: int | None = None, progress: Progress | None = None,
                    semantics: Semantics | None = None, memory_limit: int | None = None,
                    time_limit: float | None = None, workers: int = 1,
                    spill: str | None = None, threads: int = 1) -> AssertionResult:
    """Run one assertion of ``loaded`` within its own budget (limits, workers, threads and spill as :class:`Budget` has them)."""
    sem = semantics or Semantics(loaded.env)
    if loaded.env.locator is None:
        locate_definitions(loaded)
    text = _source(loaded, decl)
    where = str(decl.span)
    started = time.perf_counter()
    try:
        budget = Budget(state_limit=state_limit, memory_limit=memory_limit, time_limit=time_limit,
                        progress=progress, workers=workers, spill=spill, threads=threads)
        verdict = _run_check(loaded, decl.assertion, sem, budget)
    except _Failure as e:
        return AssertionResult(text, "error", details=(f"{where}: {e.message}",),
                               seconds=time.perf_counter() - started, location=where)
    except LocatedError as e:
        return AssertionResult(text, "error", details=(e.report(),),
                               seconds=time.perf_counter() - started, location=where)
    except CspotlpError as e:
        return AssertionResult(text, "error", details=(f"{where}: {e}",),
                               seconds=time.perf_counter() - started, location=where)
    seconds = time.perf_counter() - started
    common = {"states": verdict.states, "transitions": verdict.transitions, "seconds": seconds,
              "location": where, "verdict": verdict}
    notes = tuple(verdict.notes)
    if verdict.holds is None:
        return AssertionResult(text, "inconclusive", details=(f"reason: {verdict.reason}",) + notes,
                               **common)
    if decl.negated:
        if verdict.holds:
            return AssertionResult(text, "failed", details=("the negated check holds",) + notes,
                                   **common)
        return AssertionResult(text, "passed", details=notes, **common)
    if verdict.holds:
        return AssertionResult(text, "passed", details=notes, **common)
    events, kind, details = _counterexample(verdict)
    return AssertionResult(text, "failed", events, kind, details + notes, **common)


def check_assertions(loaded: LoadedScript, *, state_limit: int | None = None,
                     progress: Progress | None = None,
                     on_result: Callable[[AssertionResult], None] | None = None,
                     memory_limit: int | None = None, time_limit: float | None = None,
                     workers: int = 1, spill: str | None = None, threads: int = 1) -> list[AssertionResult]:
    """Run every assertion of the script, in order (one shared semantics, a budget each)."""
    sem = Semantics(loaded.env)
    out = []
    for decl in loaded.assertions():
        result = check_assertion(loaded, decl, state_limit=state_limit, progress=progress,
                                 semantics=sem, memory_limit=memory_limit, time_limit=time_limit,
                                 workers=workers, spill=spill, threads=threads)
        out.append(result)
        if on_result is not None:
            on_result(result)
    return out
