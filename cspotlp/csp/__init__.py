"""The CSP process algebra: events and channels, terms, operational semantics, LTSs, traces."""

from cspotlp.csp.environment import Datatype, Definition, Environment
from cspotlp.csp.events import TAU, TICK, Channel, Event, event, show_event_set, sort_events
from cspotlp.csp.lts import Lts, LtsSummary, Progress, build_lts
from cspotlp.csp.semantics import (
    COMPRESSIONS,
    RULES,
    ExplicitGraph,
    Semantics,
    Transition,
    explicit,
)
from cspotlp.csp.show import show
from cspotlp.csp.terms import (
    DIV,
    OMEGA,
    SKIP,
    STOP,
    Op,
    Proc,
    apar,
    apar_all,
    call,
    chaos,
    compress,
    exception,
    ext_choice,
    guard,
    hide,
    input_prefix,
    int_choice,
    interleave,
    interrupt,
    link,
    mk,
    par,
    par_all,
    prefix,
    prefixes,
    prioritise,
    rename,
    run,
    seq,
    seq_all,
    timeout,
)
from cspotlp.csp.traces import acceptances, after, initials, tau_closure, traces
from cspotlp.csp.values import Datum, Seq, Value, show_value, sorted_values, value_key

__all__ = [
    "COMPRESSIONS", "DIV", "OMEGA", "RULES", "SKIP", "STOP", "TAU", "TICK", "Channel", "Datatype",
    "Datum", "Definition", "Environment", "Event", "ExplicitGraph", "Lts", "LtsSummary", "Op", "Proc",
    "Progress", "Semantics", "Seq", "Transition", "Value", "acceptances", "after", "apar",
    "apar_all", "build_lts", "call", "chaos", "compress", "event", "exception", "explicit",
    "ext_choice", "guard", "hide", "initials", "input_prefix", "int_choice", "interleave",
    "interrupt", "link", "mk", "par", "par_all", "prefix", "prefixes", "prioritise", "rename",
    "run", "seq", "seq_all", "show", "show_event_set", "show_value", "sort_events",
    "sorted_values", "tau_closure", "timeout", "traces", "value_key",
]
