"""A model's runs as span forests and OTLP traces (through Φ of the csp_spans vocabulary)."""

from __future__ import annotations

from collections.abc import Sequence

from cspotlp.csp import TICK, Event, refines
from cspotlp.gomodel.model import GoModel
from cspotlp.mapping.correspondence import phi
from cspotlp.mapping.csp_spans import to_span_trace
from cspotlp.mapping.forest import Forest
from cspotlp.mapping.otlp_bridge import forest_to_spans
from cspotlp.otlp.writer import dumps_json


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
