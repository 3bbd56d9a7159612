"""Spans put into CSP models: unique ids under recursion and replication; traces are WF."""

from cspotlp import csp
from cspotlp.csp import SKIP, Environment, traces
from cspotlp.mapping import is_complete, is_strictly_nested, is_wf, psi
from cspotlp.mapping.csp_spans import (
    declare_span_channels,
    forests,
    mark,
    span,
    to_span_trace,
    with_span_ids,
)


def checkout_model(requests):
    """A server loop (recursion) that handles requests; each request fans out to two concurrent
    calls (replicated interleaving), all as spans."""
    env = Environment()
    alpha = declare_span_channels(env, ["handle", "cart", "payment"], max_spans=3 * requests,
                                  mark_names=["retry"])

    def call_span(name, parent):
        return span(alpha, name, parent, lambda s: mark(alpha, s, "retry", SKIP) if name == "payment" else SKIP)

    def server(k):
        if k == 0:
            return SKIP
        handle = span(alpha, "handle", 0, lambda s: csp.interleave(*(call_span(n, s) for n in ("cart", "payment"))))
        return csp.seq(handle, csp.call("SERVER", k - 1))

    env.define("SERVER", server)
    return env, alpha, with_span_ids(alpha, csp.call("SERVER", requests))


def test_every_trace_is_wf_and_complete_traces_are_complete():
    env, alpha, model = checkout_model(2)
    ts = traces(model, env, 20)
    assert any(t and str(t[-1]) == "✓" for t in ts)
    for t in ts:
        st = to_span_trace(alpha, t)
        assert is_wf(st), st
        ids = [e.span for e in st if type(e).__name__ == "Begin"]
        assert ids == list(range(1, len(ids) + 1))  # the k-th span to begin has id k
    done = forests(alpha, ts)
    assert done
    for trace, forest in done:
        st = to_span_trace(alpha, trace)
        assert is_complete(st) and is_strictly_nested(st)
        assert psi(forest) == st
        assert len(forest) == 6
        roots = [r for r in forest.values() if r.parent is None]
        assert [r.name for r in roots] == ["handle", "handle"]


def test_concurrency_gives_several_forests_for_one_process():
    env, alpha, model = checkout_model(1)
    shapes = {tuple((r.name, r.parent) for r in f.values()) for _, f in forests(alpha, traces(model, env, 12))}
    # cart may begin before payment or after it: the ids differ, so two different forests
    assert shapes == {(("handle", None), ("cart", 1), ("payment", 1)), (("handle", None), ("payment", 1), ("cart", 1))}


def test_id_budget_blocks_rather_than_reusing_ids():
    env = Environment()
    alpha = declare_span_channels(env, ["a"], max_spans=1)
    model = with_span_ids(alpha, csp.seq(span(alpha, "a", 0, lambda s: SKIP), span(alpha, "a", 0, lambda s: SKIP)))
    longest = max(traces(model, env, 10), key=len)
    assert [str(e) for e in longest] == ["span_begin.1.0.\"a\"", "span_end.1.\"ok\""]
