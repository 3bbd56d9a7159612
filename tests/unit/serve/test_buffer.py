"""The trace buffer's rules, driven by a fake clock: when a trace is released, and why."""

from hypothesis import given, settings
from hypothesis import strategies as st

from cspotlp.otlp import Span
from cspotlp.serve.buffer import INCOMPLETE_REASONS, TraceBuffer


def span(trace: int, sid: int, parent: int | None = None) -> Span:
    return Span(f"{trace:032x}", f"{sid:016x}", "" if parent is None else f"{parent:016x}",
                f"op{sid}", 2, 10 * sid, 10 * sid + 5)


def test_a_rooted_trace_is_released_after_the_quiet_period_only():
    buf = TraceBuffer(trace_timeout=5.0)
    assert buf.add([span(1, 2, 1)], now=0.0) == []
    assert buf.due(now=100.0 - 95) == []            # no root yet: waits (until max_trace_wait)
    buf.add([span(1, 1)], now=6.0)                   # the root ends
    assert buf.due(now=10.9) == []
    buf.add([span(1, 3, 1)], now=10.0)               # any span restarts the quiet period
    assert buf.due(now=14.9) == []
    [release] = buf.due(now=15.0)
    assert (release.reason, release.incomplete, release.due) == ("complete", None, 15.0)
    assert [s.span_id for s in release.spans] == [f"{k:016x}" for k in (2, 1, 3)]
    assert buf.waiting_spans == 0


def test_a_trace_without_root_is_released_incomplete_after_max_wait():
    buf = TraceBuffer(trace_timeout=1.0, max_trace_wait=30.0)
    buf.add([span(1, 2, 1)], now=0.0)
    assert buf.due(now=29.0) == []
    [release] = buf.due(now=30.0)
    assert release.reason == "max-trace-wait"
    assert release.incomplete == INCOMPLETE_REASONS["max-trace-wait"]


def test_late_spans_reopen_the_trace_with_its_earlier_spans():
    buf = TraceBuffer(trace_timeout=1.0)
    buf.add([span(1, 1), span(1, 2, 1)], now=0.0)
    [first] = buf.due(now=1.0)
    buf.checked(first, "pass")
    assert buf.kept(first.trace_id) == first.spans
    buf.add([span(1, 3, 2)], now=2.0)
    [again] = buf.due(now=3.0)
    assert again.late and again.previous == "pass" and again.late_spans == 1
    assert len(again.spans) == 3 and again.incomplete is None


def test_late_spans_after_the_earlier_ones_were_let_go_give_an_incomplete_recheck():
    buf = TraceBuffer(trace_timeout=1.0, keep_checked=1)
    for t in (1, 2):
        buf.add([span(t, 1)], now=0.0)
    for release in buf.due(now=1.0):
        buf.checked(release, "fail")
    assert buf.kept(f"{1:032x}") is None and buf.kept(f"{2:032x}") is not None
    buf.add([span(1, 5, 1)], now=2.0)
    [again] = buf.due(now=40.0 + 60)
    assert again.previous == "fail"
    assert again.incomplete == INCOMPLETE_REASONS["earlier-spans-gone"]


def test_past_the_span_bound_the_oldest_waiting_traces_are_pushed_out_incomplete():
    buf = TraceBuffer(trace_timeout=1.0, max_buffered_spans=4)
    assert buf.add([span(1, 1), span(1, 2, 1)], now=0.0) == []
    assert buf.add([span(2, 1), span(2, 2, 1)], now=0.1) == []
    [pushed] = buf.add([span(3, 1)], now=0.2)
    assert pushed.trace_id == f"{1:032x}" and pushed.reason == "buffer-full"
    assert pushed.incomplete == INCOMPLETE_REASONS["buffer-full"]
    assert buf.buffered_spans == 3


def test_drain_releases_everything_rooted_ones_as_complete():
    buf = TraceBuffer(trace_timeout=5.0)
    buf.add([span(1, 1), span(2, 2, 1)], now=0.0)
    releases = {r.trace_id[-1]: r for r in buf.drain(now=0.5)}
    assert releases["1"].incomplete is None and releases["1"].reason == "complete"
    assert releases["2"].reason == "shutdown" and releases["2"].incomplete is not None
    assert buf.waiting_traces == 0 and buf.waiting_spans == 0


arrivals = st.lists(st.tuples(st.integers(0, 5), st.integers(1, 6), st.booleans(),
                              st.floats(0, 3)), max_size=60)


@settings(max_examples=150)
@given(arrivals, st.integers(1, 12), st.integers(0, 3))
def test_every_span_received_is_in_exactly_one_first_check(events, bound, keep):
    """Law: spans received = spans in first checks + late spans, and memory stays bounded."""
    buf = TraceBuffer(trace_timeout=1.0, max_trace_wait=4.0, max_buffered_spans=bound,
                      keep_checked=keep)
    now = 0.0
    received = accounted = 0
    releases = []
    for trace, sid, rooted, gap in events:
        now += gap
        releases += buf.add([span(trace, sid, None if rooted else 99)], now)
        received += 1
        releases += buf.due(now)
        assert buf.waiting_spans <= bound and buf.buffered_spans <= bound
        for r in releases:
            buf.checked(r, "pass")
            accounted += r.late_spans if r.late else len(r.spans)
        releases = []
    for r in buf.drain(now + 1):
        buf.checked(r, "pass")
        accounted += r.late_spans if r.late else len(r.spans)
    assert accounted == received
