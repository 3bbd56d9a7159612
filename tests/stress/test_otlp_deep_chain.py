"""A 10^5-deep parent chain goes through reading, diagnostics, validation, Ψ and Φ (no recursion)."""

import pytest

from cspotlp.mapping import is_wf, phi, psi
from cspotlp.mapping.otlp_bridge import forest_to_spans, to_forest
from cspotlp.otlp import CapturedTrace, Span, dumps_jsonl, load, summarise, validate

DEPTH = 100_000
TID = "0af7651916cd43dd8448eb211c80319c"


def chain() -> list[Span]:
    # span i (1-based) is the parent of span i+1; every child lies inside its parent
    return [Span(TID, f"{i:016x}", f"{i - 1:016x}" if i > 1 else "", "op", 1, 10 + i,
                 10 + 3 * DEPTH - i) for i in range(1, DEPTH + 1)]


@pytest.mark.slow
def test_deep_chain_end_to_end():
    spans = chain()
    capture = load(dumps_jsonl(spans).encode())
    (trace,) = capture.traces
    summary = summarise(capture)
    assert (summary.spans, summary.depth, summary.roots, summary.diagnostics) == (DEPTH, DEPTH, 1, ())
    forest = to_forest(validate(trace), keep_times=True)
    t = psi(forest)
    assert len(t) == 2 * DEPTH and is_wf(t)
    assert t[0].span == t[-1].span == f"{1:016x}"  # the root begins first and ends last
    back = forest_to_spans(phi(t), original_times=True)
    assert back == tuple(spans)  # forest order is span-id order, which is file order here


@pytest.mark.slow
def test_deep_chain_with_skew_is_clamped_top_down():
    spans = chain()
    spans[-1] = spans[-1]._replace(start_time_unix_nano=0)  # the deepest child starts too early
    valid = validate(CapturedTrace(TID, tuple(spans)), ["clamp-skew"])
    assert [d.repair for d in valid.repairs] == ["clamp-skew"]
    assert valid.nodes[-1].start == 10 + DEPTH - 1
