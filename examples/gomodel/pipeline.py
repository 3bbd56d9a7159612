"""Pipeline with fan-out/fan-in and cancellation (Go blog "Pipelines and cancellation").

gen -> two square workers (fan-out) -> results (fan-in, closed by a WaitGroup closer). main reads
the first result, cancels the context and returns; every stage selects on ctx.Done(), so no
goroutine leaks. The bug variant's workers send without watching ctx.Done(): after main stops
reading, a worker is blocked forever (a goroutine leak).
"""

from cspotlp.csp import SKIP, prefix
from cspotlp.gomodel import (
    Program,
    close,
    defer,
    go,
    on_recv,
    on_send,
    range_,
    recv,
    return_,
    select,
    send,
)

N = 2
REFINEMENT_MODEL = "F"
OBSERVE = ["cancel", "returned"]
"""Seen from outside: main cancels, then returns."""


def program(bug: bool = False) -> Program:
    p = Program("pipeline_bug" if bug else "pipeline")
    nums = p.chan("nums", values=range(N))
    results = p.chan("results", values=sorted({i * i for i in range(N)}))
    ctx = p.context("ctx")
    wg = p.waitgroup("wg")

    @p.func
    def gen():
        return [defer(close(nums)),
                [select(on_send(nums, i), on_recv(ctx.done(), lambda: [return_()])) for i in range(N)]]

    @p.func
    def square(k):
        def emit(x):
            if bug:
                return [send(results, x * x)]
            return [select(on_send(results, x * x), on_recv(ctx.done(), lambda: [return_()]))]

        return [defer(wg.done()), range_(nums, emit)]

    @p.func
    def closer():
        return [wg.wait(), close(results)]

    @p.main
    def main():
        return [wg.add(2), go(gen), go(square, 1), go(square, 2), go(closer),
                recv(results), ctx.cancel()]

    return p


def spec(model):
    """main cancels, returns, and the program ends."""
    cancel = next(e for e in model.all_events() if e.channel == "cancel")
    returned = next(e for e in model.all_events() if e.channel == "returned")
    return prefix(cancel, prefix(returned, SKIP))


def programs():
    """The programs ``cspotlp go`` checks: the example and its bug variant."""
    return [program(), program(bug=True)]
