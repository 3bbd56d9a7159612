"""A client with a timeout per attempt, retries with exponential back-off and a circuit breaker.

The server answers ``ok``, fails, or is slow (answers after 3 ticks); the client waits at most
``TIMEOUT`` ticks per attempt (``select`` on ``time.After``), backs off ``2**attempt`` ticks
between attempts, gives up after ``ATTEMPTS`` attempts, and once ``THRESHOLD`` consecutive
attempts have failed the breaker is open: the client fails fast. Properties: exactly one result
reaches main (trace refinement), no deadlock, no leak. The bug variant's reply channel is
unbuffered and the server sends without watching the context: a reply that arrives after the
timeout blocks the server forever (a goroutine leak, the classic ``time.After`` mistake).
"""

from cspotlp.csp import SKIP, int_choice, prefix
from cspotlp.gomodel import (
    Program,
    after,
    choose,
    continue_,
    go,
    loop,
    on_recv,
    on_send,
    recv,
    return_,
    select,
    send,
    sleep,
)

ATTEMPTS, TIMEOUT, THRESHOLD = 2, 2, 2
REFINEMENT_MODEL = "T"
OBSERVE = ["result_send"]


def program(bug: bool = False) -> Program:
    p = Program("client_bug" if bug else "client")
    req = p.chan("req", values=[1])
    reply = p.chan("reply", values=["ok", "fail"], cap=0 if bug else 1)
    result = p.chan("result", values=["ok", "failed", "breaker_open"], cap=1)
    ctx = p.context("ctx")

    @p.func
    def server():
        def answer(r):
            if bug:
                return [send(reply, r)]
            return [select(on_send(reply, r), on_recv(ctx.done(), lambda: [return_()]))]

        def serve(v, ok):
            return [choose(["ok", "fail", "slow"], lambda how: [
                answer("fail") if how == "fail" else [sleep(3) if how == "slow" else [], answer("ok")]])]

        return [loop(lambda: [select(on_recv(req, serve), on_recv(ctx.done(), lambda: [return_()]))])]

    @p.func
    def client():
        def attempt(state):
            n, failures = state
            if failures >= THRESHOLD:
                return [send(result, "breaker_open"), return_()]
            if n == ATTEMPTS:
                return [send(result, "failed"), return_()]

            def failed():
                return [sleep(2 ** n), continue_((n + 1, failures + 1))]

            return [send(req, 1),
                    select(on_recv(reply, lambda r, ok: [send(result, "ok"), return_()] if r == "ok" else failed()),
                           on_recv(after(TIMEOUT), failed))]

        return [loop((0, 0), attempt)]

    @p.main
    def main():
        return [go(server), go(client), recv(result), ctx.cancel()]

    return p


def spec(model):
    """Exactly one result, then the end."""
    results = sorted((e for e in model.all_events() if e.channel == "result_send"), key=lambda e: e.sort_key())
    return int_choice(*(prefix(e, SKIP) for e in results))


def programs():
    """The programs ``cspotlp go`` checks: the example and its bug variant."""
    return [program(), program(bug=True)]
