"""Captured traces as TLA+ event logs: the input of ``otlp2tla``'s trace-validation modules.

Each abstract event (:func:`~cspotlp.mapping.abstraction.abstract_trace`) is bound to the
specification's alphabet exactly as native conformance binds it (:class:`EventBinding`), so
TLC and ``cspotlp conform`` judge the same event sequence. An event the alphabet lacks keeps
its display name; it matches no transition of the model, and TLC rejects the log there — with
the trace id and span id of the span that produced it.
"""

from __future__ import annotations

from collections.abc import Iterable

from cspotlp.export.tla_trace import EventLog, LogEntry
from cspotlp.mapping.abstraction import AbstractTrace
from cspotlp.mapping.alphabet import EventBinding


def event_log(trace: AbstractTrace, binding: EventBinding) -> EventLog:
    """The log of one abstract trace: model event names with their span's provenance.

    >>> from cspotlp.mapping.abstraction import AbstractEvent, Abstraction
    >>> from cspotlp.csp.values import Datum
    >>> b = EventBinding(Abstraction(), {"call": [{Datum("Pay")}]})
    >>> t = AbstractTrace("t1", (AbstractEvent("call", "Pay", (), "t1", "s1", "Pay", "shop"),
    ...                          AbstractEvent("call", "Ship", (), "t1", "s2", "Ship", "shop")),
    ...                   file="x.json")
    >>> [(e.event, e.span_id) for e in event_log(t, b).entries]
    [('call.Pay', 's1'), ('call.Ship', 's2')]
    """
    entries = []
    for ev in trace.events:
        bound = binding.event(ev)
        entries.append(LogEntry(ev.name if bound is None else bound.name, ev.trace_id,
                                ev.span_id, trace.file))
    where = f"{trace.file}, " if trace.file else ""
    return EventLog(tuple(entries), f"{where}trace {trace.trace_id}")


def event_logs(traces: Iterable[AbstractTrace], binding: EventBinding) -> list[EventLog]:
    """:func:`event_log` of each trace, in order."""
    return [event_log(t, binding) for t in traces]
