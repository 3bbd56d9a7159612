"""A model's runs as span forests and OTLP traces (through Φ of the csp_spans vocabulary)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from cspotlp.csp import TICK, Event, refines
from cspotlp.gomodel.model import GoModel
from cspotlp.mapping.correspondence import phi
from cspotlp.mapping.csp_spans import to_span_trace
from cspotlp.mapping.forest import Forest
from cspotlp.mapping.otlp_bridge import forest_to_spans
from cspotlp.otlp.writer import dumps_json

if TYPE_CHECKING:
    from cspotlp.gomodel.checks import GoVerdict


def trace_forest(model: GoModel, trace: Sequence[Event]) -> Forest:
    """Φ of the span events of a trace of the model (open spans where the trace stops)."""
    return phi(to_span_trace(model.alphabet, trace))


def terminating_trace(model: GoModel, variant: str = "runtime") -> tuple[Event, ...] | None:
    """A shortest run of the program to its end (✓), or None when it cannot end."""
    events = model.all_events(variant)
    name = f"RUN_NO_END_{variant}"
    if name not in model.env.definitions:
        from cspotlp.csp import call, ext_choice, prefix, sort_events

        model.env.define(name, lambda: ext_choice(*(prefix(e, call(name)) for e in sort_events(events))))
    from cspotlp.csp import call

    verdict = refines(call(name), model.system(variant), model.env, "T")
    cex = verdict.counterexample
    if verdict.holds is False and cex is not None and cex.error_event is TICK:
        return (*cex.trace, TICK)
    return None


def otlp_json(forest: Forest) -> str:
    """The forest as OTLP JSON (one trace; span ids and times derived from the forest)."""
    return dumps_json(forest_to_spans(forest))


def goroutine_of_span(model: GoModel, span: int) -> int:
    """The goroutine whose block of span ids holds ``span`` (ids come in one block per goroutine)."""
    return (span - 1) // model.compiler.block + 1


def open_span(model: GoModel, run: Sequence[Event], gid: int) -> int | None:
    """The innermost span of goroutine ``gid`` still open after ``run`` (None: none is open)."""
    stack: list[int] = []
    for e in run:
        if e.channel in ("span_begin", "span_end"):
            s = int(e.fields[0])  # type: ignore[call-overload]
            if goroutine_of_span(model, s) != gid:
                continue
            if e.channel == "span_begin":
                stack.append(s)
            elif s in stack:
                stack.remove(s)
    return stack[-1] if stack else None


def offending_span(model: GoModel, verdict: GoVerdict) -> int | None:
    """The span a failed check points at, to highlight in drawings of its span forest.

    * a panic: the innermost open span of the panicking goroutine;
    * a deadlock or a leak: that of the first blocked goroutine other than main (main when it
      is the only one) — where the goroutine is stuck;
    * refinement and divergence: that of the goroutine that did the last observed event of
      the counterexample, at that moment (for a refused event, the event the specification
      refused; for a forbidden end, the last thing seen before it).

    None when the verdict did not fail or no span is open there.
    """
    if verdict.holds is not False:
        return None
    run = verdict.path or verdict.trace
    if verdict.check == "panics":
        gid = next((r.gid for r in verdict.goroutines if r.status == "panicking"), None)
        return open_span(model, run, gid) if gid is not None else None
    if verdict.check in ("deadlock", "leaks"):
        blocked = [r.gid for r in verdict.goroutines if r.status == "blocked"]
        gid = next((g for g in blocked if g != 1), blocked[0] if blocked else None)
        return open_span(model, run, gid) if gid is not None else None
    observed = set(verdict.trace)
    last = max((i for i, e in enumerate(run) if e in observed), default=None)
    if last is None:
        return None
    actors = sorted(model.participants(run[last]))
    return open_span(model, run[:last + 1], actors[0]) if actors else None
