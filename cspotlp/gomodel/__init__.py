"""Go-style concurrency models, compiled to CSP and checked in Go's words.

Write the program as ordinary Python (:class:`Program`, statements such as :func:`send`,
:func:`recv`, :func:`select`, :func:`go`), compile it (:meth:`Program.compile`) and check it::

    from cspotlp.gomodel import Program, send, recv

    p = Program("stuck")
    c = p.chan("c", values=[1])

    @p.main
    def main():
        return [send(c, 1), recv(c)]      # the classic unbuffered deadlock

    print(p.compile().check_deadlock())  # fatal error: all goroutines are asleep - deadlock!

Every goroutine and every named function call is a span of the
:mod:`cspotlp.mapping.csp_spans` vocabulary, so every trace of the model is well formed and
:func:`~cspotlp.mapping.phi` turns it into a span forest (an OTLP trace). The translation, one
Go construct per row, is in ``docs/gomodel.md``.
"""

from cspotlp.gomodel.checks import (
    GoroutineReport,
    GoVerdict,
    check_deadlock,
    check_divergence,
    check_leaks,
    check_panics,
    check_refines,
    observed,
    observed_events,
    run_of,
)
from cspotlp.gomodel.compiler import Frame, OpInfo
from cspotlp.gomodel.model import VARIANTS, Component, GoModel, Goroutine
from cspotlp.gomodel.program import (
    CANCELED,
    DEADLINE_EXCEEDED,
    NO_ERROR,
    Chan,
    Context,
    GoFunc,
    Mutex,
    Program,
    Site,
    WaitGroup,
)
from cspotlp.gomodel.spans import (
    goroutine_of_span,
    offending_span,
    open_span,
    otlp_json,
    terminating_trace,
    trace_forest,
)
from cspotlp.gomodel.statements import (
    after,
    break_,
    call,
    choose,
    close,
    continue_,
    defer,
    go,
    loop,
    mark,
    on_recv,
    on_send,
    range_,
    recv,
    return_,
    select,
    send,
    sleep,
)

__all__ = [
    "CANCELED", "DEADLINE_EXCEEDED", "NO_ERROR", "VARIANTS", "Chan", "Component", "Context", "Frame",
    "GoFunc", "GoModel", "GoVerdict", "Goroutine", "GoroutineReport", "Mutex", "OpInfo", "Program",
    "Site", "WaitGroup", "after", "break_", "call", "check_deadlock", "check_divergence",
    "check_leaks", "check_panics", "check_refines", "choose", "close", "continue_", "defer", "go",
    "loop", "mark", "observed", "observed_events", "on_recv", "on_send", "range_", "recv",
    "return_", "select", "send", "sleep", "otlp_json", "terminating_trace", "trace_forest",
    "goroutine_of_span", "offending_span", "open_span", "run_of",
]
