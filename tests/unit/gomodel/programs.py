"""Small Go programs of known behaviour, as models (the tests and the examples share them)."""

from cspotlp.gomodel import (
    Program,
    after,
    call,
    close,
    defer,
    go,
    loop,
    on_recv,
    on_send,
    range_,
    recv,
    return_,
    select,
    send,
)


def unbuffered_deadlock():
    """``c := make(chan int); c <- 1; <-c``: the classic deadlock (line of the send is known)."""
    p = Program("unbuffered_deadlock")
    c = p.chan("c", values=[1])

    @p.main
    def main():
        return [send(c, 1), recv(c)]

    return p


def leaking_worker():
    """A worker sends its result, but main gives up after a timeout: the worker leaks."""
    p = Program("leaking_worker")
    res = p.chan("res", values=[1])

    @p.func
    def worker():
        return [send(res, 1)]

    @p.main
    def main():
        return [go(worker), select(on_recv(res), on_recv(after(1)))]

    return p


def fixed_worker():
    """The same with a buffered result channel (cap 1): the worker never blocks."""
    p = Program("fixed_worker")
    res = p.chan("res", values=[1], cap=1)

    @p.func
    def worker():
        return [send(res, 1)]

    @p.main
    def main():
        return [go(worker), select(on_recv(res), on_recv(after(1)))]

    return p


def pipeline(n=3):
    """gen -> square -> main, each stage closing its output: correct."""
    p = Program("pipeline")
    nums = p.chan("nums", values=range(n))
    squares = p.chan("squares", values=sorted({i * i for i in range(n)}))

    @p.func
    def gen():
        return [[send(nums, i) for i in range(n)], close(nums)]

    @p.func
    def square():
        return [range_(nums, lambda x: [send(squares, x * x)]), close(squares)]

    @p.main
    def main():
        return [go(gen), go(square), range_(squares, lambda y: [])]

    return p


def send_on_closed():
    p = Program("send_on_closed")
    c = p.chan("c", values=[1], cap=1)

    @p.main
    def main():
        return [close(c), send(c, 1)]

    return p


def double_close():
    p = Program("double_close")
    c = p.chan("c", values=[1])

    @p.func
    def closer():
        return [close(c)]

    @p.main
    def main():
        return [go(closer), close(c)]

    return p


def mutex_counter(forget_unlock=False):
    """Two goroutines increment under a mutex; forgetting an unlock deadlocks the other."""
    p = Program("mutex_counter")
    mu = p.mutex("mu")
    wg = p.waitgroup("wg")

    @p.func
    def inc():
        return [defer(wg.done()), mu.lock(), [] if forget_unlock else mu.unlock()]

    @p.main
    def main():
        return [wg.add(2), go(inc), call(inc_twice), wg.wait()]

    @p.func
    def inc_twice():
        return [go(inc)]

    return p


def timeout_call(deadline, delay):
    """A call answered after ``delay`` ticks (None: never) under a context with ``deadline``
    ticks (None: no deadline). Goroutines may lag behind time, so both outcomes are possible
    whenever both can happen at all."""
    p = Program("timeout_call")
    ctx = p.context("ctx", timeout=deadline)
    reply = p.chan("reply", values=["ok"], cap=1)
    outcome = p.chan("outcome", values=["ok", "timeout"], cap=1)

    @p.func
    def server():
        if delay is None:
            return [select()]  # never answers
        return [recv(after(delay)) if delay else [], send(reply, "ok")]

    @p.main
    def main():
        return [ctx.start(), go(server),
                select(on_recv(reply, lambda v, ok: [send(outcome, "ok")]),
                       on_recv(ctx.done(), lambda: [send(outcome, "timeout")])),
                ctx.cancel()]

    return p


def fetch_with_result(fail):
    """``r, err := fetch()``: the callee returns an error (its span ends with status error)."""
    p = Program("fetch")
    out = p.chan("out", values=["ok", "failed"], cap=1)

    @p.func
    def fetch():
        return [return_("failed", err=True)] if fail else [return_("ok")]

    @p.main
    def main():
        return [call(fetch, then=lambda r: [send(out, r)])]

    return p


def polling_loop():
    """``for { select { case <-ctx.Done(): return; default: } }`` with nobody cancelling: a
    livelock when everything is hidden."""
    p = Program("polling")
    ctx = p.context("ctx")

    @p.main
    def main():
        return [loop(lambda: [select(on_recv(ctx.done(), lambda: [return_()]), default=[])])]

    return p


def nonblocking_send(cap):
    """``select { case q <- 1: default: }`` twice into a queue of capacity ``cap``."""
    p = Program("nonblocking")
    q = p.chan("q", values=[1], cap=cap)
    dropped = p.chan("dropped", values=[1], cap=2)

    @p.main
    def main():
        return [select(on_send(q, 1), default=[send(dropped, 1)]) for _ in range(2)]

    return p
