"""The CSP process algebra, with refinement checking as FDR does it.

Events and channels, terms, operational semantics (with the laws that keep recursion through
hiding and renaming finite), LTSs and traces; normalised specifications, a vectorised
supercombinator engine, checks with counterexamples within a budget, searches guided by the
question, partial-order reduction, and compressions.
"""

from cspotlp.csp.budget import Budget, parse_size
from cspotlp.csp.checks import deadlock_free, deterministic, divergence_free, has_trace
from cspotlp.csp.compressions import (
    LTS_COMPRESSIONS,
    bisimilar,
    bisimulation_blocks,
    compress_lts,
    compress_process,
    diamond,
    sbisim,
    wbisim,
)
from cspotlp.csp.environment import Datatype, Definition, Environment
from cspotlp.csp.events import TAU, TICK, Channel, Event, event, show_event_set, sort_events
from cspotlp.csp.explicit import ExplicitLts
from cspotlp.csp.explore import Exploration, explicate, explore
from cspotlp.csp.lts import Lts, LtsSummary, Progress, build_lts
from cspotlp.csp.normalise import NormalForm, normalise
from cspotlp.csp.refine import refines
from cspotlp.csp.semantics import (
    COMPRESSIONS,
    RULES,
    ExplicitGraph,
    Semantics,
    Transition,
    explicit,
)
from cspotlp.csp.show import show
from cspotlp.csp.supercombinator import Network, compile_network
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
from cspotlp.csp.verdict import ComponentView, Counterexample, ProgressReport, Step, Verdict

__all__ = [
    "COMPRESSIONS", "LTS_COMPRESSIONS", "Budget", "ComponentView", "Counterexample", "ExplicitLts", "Exploration",
    "Network", "NormalForm", "ProgressReport", "Step", "Verdict", "bisimilar", "bisimulation_blocks",
    "compile_network", "compress_lts", "compress_process", "deadlock_free", "deterministic",
    "diamond", "divergence_free", "explicate", "explore", "has_trace", "normalise", "refines",
    "sbisim", "wbisim", "DIV", "OMEGA", "RULES", "SKIP", "STOP", "TAU", "TICK", "Channel", "Datatype",
    "Datum", "Definition", "Environment", "Event", "ExplicitGraph", "Lts", "LtsSummary", "Op", "Proc",
    "Progress", "Semantics", "Seq", "Transition", "Value", "acceptances", "after", "apar",
    "apar_all", "build_lts", "call", "chaos", "compress", "event", "exception", "explicit",
    "ext_choice", "guard", "hide", "initials", "input_prefix", "int_choice", "interleave",
    "interrupt", "link", "mk", "par", "par_all", "prefix", "prefixes", "prioritise", "rename",
    "parse_size", "run", "seq", "seq_all", "show", "show_event_set", "show_value", "sort_events",
    "sorted_values", "tau_closure", "timeout", "traces", "value_key",
]
