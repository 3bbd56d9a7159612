"""Go programs of known behaviour: the checks say what Go's runtime (or goleak) would."""

import pytest

from cspotlp.csp import TICK, traces
from cspotlp.gomodel import Program, send
from cspotlp.mapping import is_wf
from cspotlp.mapping.csp_spans import to_span_trace
from tests.unit.gomodel import programs as P


def test_classic_unbuffered_deadlock_is_reported_like_go():
    verdict = P.unbuffered_deadlock().compile().check_deadlock()
    assert verdict.holds is False
    lines = verdict.message.splitlines()
    assert lines[0] == "fatal error: all goroutines are asleep - deadlock!"
    assert lines[2] == "goroutine 1 [chan send]:"
    assert lines[3] == "main.main()"
    assert lines[4].startswith("\t") and "programs.py:" in lines[4] and "send 1 on c" in lines[4]
    assert [str(e) for e in verdict.trace] == ['span_begin.1.0."main"']


def test_source_line_is_the_line_of_the_blocking_statement():
    p = Program("two_lines")
    c = p.chan("c", values=[1], cap=1)

    @p.main
    def main():
        return [send(c, 1),
                send(c, 1)]  # this one blocks: the buffer is full

    line = main.site.line + 3  # the decorator line, def, return, then the second send
    verdict = p.compile().check_deadlock()
    assert f"test_go_semantics.py:{line}" in verdict.message


def test_leaking_worker_is_a_leak_not_a_deadlock():
    model = P.leaking_worker().compile()
    assert model.check_deadlock().holds is True
    leak = model.check_leaks()
    assert leak.holds is False
    assert leak.message.startswith("goroutine leak: 1 goroutine(s) blocked forever after main returned")
    blocked = [r for r in leak.goroutines if r.status == "blocked"]
    assert [(r.gid, r.op.wait) for r in blocked] == [(2, "chan send")]
    assert "created by main.main in goroutine 1" in leak.message
    assert [str(e) for e in leak.trace][-1] == "returned"


def test_buffered_result_channel_fixes_the_leak():
    model = P.fixed_worker().compile()
    assert model.check_leaks().holds is True
    assert model.check_deadlock().holds is True


def test_correct_pipeline_passes_every_check():
    model = P.pipeline().compile()
    for verdict in (model.check_deadlock(), model.check_leaks(), model.check_panics()):
        assert verdict.holds is True, str(verdict)


def test_send_on_closed_channel_panics_with_the_goroutine_stack():
    verdict = P.send_on_closed().compile().check_panics()
    assert verdict.holds is False
    assert verdict.message.splitlines()[:3] == ["panic: send on closed channel", "",
                                                "goroutine 1 [running]:"]
    assert [str(e) for e in verdict.trace][-1] == "panic.1.send_on_closed.c"


def test_double_close_and_kind_filter():
    model = P.double_close().compile()
    verdict = model.check_panics(["close_of_closed"])
    assert verdict.holds is False and verdict.message.startswith("panic: close of closed channel")
    assert model.check_panics(["send_on_closed"]).holds is True


def test_forgotten_unlock_deadlocks_on_the_mutex():
    ok = P.mutex_counter().compile()
    assert ok.check_deadlock().holds is True
    bad = P.mutex_counter(forget_unlock=True).compile().check_deadlock()
    assert bad.holds is False
    waits = sorted(r.op.wait for r in bad.goroutines if r.status == "blocked")
    assert waits == ["sync.Mutex.Lock", "sync.WaitGroup.Wait"]
    # the goroutine started inside inc_twice is "created by main.inc_twice"
    assert "created by main.inc_twice in goroutine 1" in bad.message


@pytest.mark.parametrize(("deadline", "delay", "outcomes"),
                         [(2, None, {"timeout"}), (None, 0, {"ok"}), (None, 3, {"ok"}), (1, 2, {"ok", "timeout"})])
def test_context_deadline_against_a_slow_call(deadline, delay, outcomes):
    model = P.timeout_call(deadline, delay).compile()
    seen = {str(e.fields[1]) for t in traces(model.system(), model.env, 14) for e in t
            if e.channel == "outcome_send"}
    assert seen == outcomes
    assert model.check_deadlock().holds is True
    leaks = model.check_leaks().holds
    assert leaks is (delay is not None)  # a server that never answers is left blocked


def test_returned_error_ends_the_span_with_error_status():
    for fail, status in ((False, "ok"), (True, "error")):
        model = P.fetch_with_result(fail).compile()
        (trace,) = [t for t in traces(model.system(), model.env, 10) if t and t[-1] is TICK]
        ends = [str(e) for e in trace if e.channel == "span_end"]
        assert ends[0] == f'span_end.2."{status}"'
        assert any(e.channel == "out_send" and str(e.fields[1]) == ("failed" if fail else "ok") for e in trace)


def test_select_default_only_when_no_case_is_ready():
    def drops(cap):
        model = P.nonblocking_send(cap).compile()
        return {sum(1 for e in t if e.channel == "dropped_send")
                for t in traces(model.system(), model.env, 10) if t and t[-1] is TICK}

    assert drops(0) == {2}  # nobody receives: both sends fall to default
    assert drops(1) == {1}  # the first fills the buffer, never dropped
    assert drops(2) == {0}


def test_polling_loop_is_a_livelock_when_unobserved():
    model = P.polling_loop().compile()
    verdict = model.check_divergence(observe=[])
    assert verdict.holds is False
    assert "default.1.1" in verdict.message


def test_every_trace_is_well_formed_and_phi_gives_forests():
    model = P.pipeline(2).compile()
    ts = traces(model.system(), model.env, 16)
    assert any(t and t[-1] is TICK for t in ts)
    for t in ts:
        assert is_wf(to_span_trace(model.alphabet, t))
    complete = [t for t in ts if t and t[-1] is TICK]
    from cspotlp.mapping.csp_spans import forests

    (first_trace, forest), *_ = forests(model.alphabet, complete)
    names = sorted(r.name for r in forest.records())
    assert names == ["gen", "main", "square"]
    assert all(r.end is not None for r in forest.records() if r.name == "main")


def test_span_events_are_the_csp_spans_vocabulary():
    model = P.pipeline(2).compile()
    alpha = model.alphabet
    from cspotlp.gomodel import vocabulary as v

    assert v.span_begin(9, 1, "gen") is alpha.begin.event(9, 1, "gen")
    assert v.span_end(9, "ok") is alpha.end.event(9, "ok")
