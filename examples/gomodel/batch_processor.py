"""The OpenTelemetry SDK's batch span processor (sdk/trace/batch_span_processor.go), in small.

The application ends spans 1..N: ``OnEnd`` puts a span into a bounded queue, or drops it (and
counts it) when the queue is full (``select { case queue <- s: default: dropped <- s }``). The
worker collects spans into a batch and exports it when it reaches ``MAX_BATCH``, when the
scheduled flush timer fires, on ``ForceFlush`` and on ``Shutdown`` (which drains the queue, exports
and closes ``stopped``). Properties: no span is exported twice; every span is exported or counted as
dropped (trace refinement of the abstract spec below: a span exported twice, or a run that
ends with a span neither exported nor dropped, is a counterexample); shutdown terminates (no
deadlock, no livelock with time observed, and the program can always end). The bug variant forgets to drain the queue at shutdown: a span
is lost (neither exported nor counted).
"""

from cspotlp.csp import SKIP, ext_choice, interleave, prefix
from cspotlp.csp import call as call_process
from cspotlp.gomodel import (
    Program,
    after,
    call,
    close,
    continue_,
    go,
    loop,
    on_recv,
    on_send,
    recv,
    return_,
    select,
    send,
)

N, QUEUE, MAX_BATCH, FLUSH_TICKS = 2, 1, 2, 2
REFINEMENT_MODEL = "T"
OBSERVE = ["exported_send", "dropped_send", "tick"]
"""Exports and drops, and abstract time (observed, as tock is in tock-CSP: a ticker that runs
forever is time passing, not a livelock)."""


def program(bug: bool = False) -> Program:
    p = Program("batch_processor_bug" if bug else "batch_processor", spans_per_goroutine=4)
    queue = p.chan("queue", values=range(1, N + 1), cap=QUEUE)
    exported = p.chan("exported", values=range(1, N + 1), cap=N)
    dropped = p.chan("dropped", values=range(1, N + 1), cap=N)
    flush = p.chan("flush", values=[1])
    flushed = p.chan("flushed", values=[1])
    shutdown = p.chan("shutdown", values=[1])
    stopped = p.chan("stopped", values=[1])

    @p.func
    def export(batch):
        return [send(exported, s) for s in batch]

    def drain(batch, then):
        """Take what is in the queue without blocking (exporting full batches), then ``then(batch)``."""
        def more(b):
            if len(b) >= MAX_BATCH:
                return [call(export, b), continue_(())]
            return [select(on_recv(queue, lambda s, ok: [continue_((*b, s))] if ok else []),
                           default=[then(b), return_()])]

        return loop(batch, more)

    @p.func
    def worker():
        def step(batch):
            def add(s, ok):
                if not ok:  # the queue is never closed
                    return [return_()]
                batch2 = (*batch, s)
                if len(batch2) >= MAX_BATCH:
                    return [call(export, batch2), continue_(())]
                return [continue_(batch2)]

            def on_shutdown():
                if bug:
                    return [call(export, batch) if batch else [], close(stopped), return_()]
                return [drain(batch, lambda b: [call(export, b) if b else [], close(stopped)])]

            return [select(
                on_recv(queue, add),
                on_recv(after(FLUSH_TICKS), lambda: [call(export, batch) if batch else [], continue_(())]),
                on_recv(flush, lambda v, ok: [call(export, batch) if batch else [], send(flushed, 1),
                                              continue_(())]),
                on_recv(shutdown, lambda v, ok: on_shutdown()))]

        return [loop((), step)]

    @p.func
    def on_end(s):
        return [select(on_send(queue, s), default=[send(dropped, s)])]

    @p.func
    def force_flush():
        return [send(flush, 1), recv(flushed)]

    @p.func
    def shutdown_processor():
        return [send(shutdown, 1), recv(stopped)]

    @p.main
    def main():
        return [go(worker), [call(on_end, s) for s in range(1, N + 1)], call(shutdown_processor)]

    return p


def spec(model):
    """Each span exported or dropped exactly once (in any order), then the program ends; time
    may pass meanwhile."""
    events = model.all_events()

    def once(s):
        ways = [e for e in events if e.channel in ("exported_send", "dropped_send") and e.fields[1] == s]
        return ext_choice(*(prefix(e, SKIP) for e in sorted(ways, key=lambda e: e.sort_key())))

    tick = next(e for e in events if e.channel == "tick")
    if "TICKS" not in model.env.definitions:
        model.env.define("TICKS", lambda: ext_choice(prefix(tick, call_process("TICKS")), SKIP))
    return interleave(*(once(s) for s in range(1, N + 1)), call_process("TICKS"))


def liveness(model):
    """Every enqueued span is eventually exported or counted as dropped (TLA+ leads-to, per span)."""
    from cspotlp.export.gomodel import LeadsTo

    events = model.all_events()

    def on(channel, s):
        return frozenset(e for e in events if e.channel == channel and e.fields[-1] == s)

    return [LeadsTo(f"Span{s}ExportedOrDropped", on("queue_send", s),
                    on("exported_send", s) | on("dropped_send", s)) for s in range(1, N + 1)]


def programs():
    """The programs ``cspotlp go`` checks: the example and its bug variant."""
    return [program(), program(bug=True)]
