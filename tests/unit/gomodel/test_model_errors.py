"""Ill-formed models are errors that name the model's line, never a traceback from the engine."""

import pytest

from cspotlp.errors import GoModelError
from cspotlp.gomodel import Program, call, defer, go, loop, recv, select, send


def test_value_outside_the_channel_type_names_the_line():
    p = Program("bad_value")
    c = p.chan("c", values=[1, 2])
    with pytest.raises(GoModelError, match=r"test_model_errors.py:\d+:1: value 3 is not among the values of channel c"):
        send(c, 3)


def test_program_without_main():
    with pytest.raises(GoModelError, match="has no main"):
        Program("nothing").compile()


def test_defer_inside_a_branch_is_refused():
    p = Program("nested_defer")
    c = p.chan("c", values=[1], cap=1)
    wg = p.waitgroup("wg")

    @p.main
    def main():
        return [send(c, 1), recv(c, lambda v, ok: [defer(wg.done())])]

    with pytest.raises(GoModelError, match="defer is supported only at the top level"):
        p.compile()


def test_busy_loop_is_refused_with_its_line():
    p = Program("busy")

    @p.main
    def main():
        return [loop(lambda: [])]

    with pytest.raises(GoModelError, match="busy loop"):
        p.compile()


def test_unregistered_function_and_wrong_arity():
    p = Program("funcs")

    def helper():
        return []

    with pytest.raises(GoModelError, match="decorate it with @program.func"):
        go(helper)

    @p.func
    def worker(i):
        return []

    @p.main
    def main():
        return [call(worker)]

    with pytest.raises(GoModelError, match="worker called with 0 argument"):
        p.compile()


def test_duplicate_and_reserved_names():
    p = Program("names")
    p.chan("jobs", values=[1])
    with pytest.raises(GoModelError, match="already used"):
        p.mutex("jobs")
    q = Program("reserved")
    q.chan("tick", values=[1])
    q.main(lambda: [select()])
    with pytest.raises(GoModelError, match="clashes"):
        q.compile()


def test_span_budget_makes_checks_inconclusive():
    p = Program("budget", spans_per_goroutine=2)

    @p.func
    def step():
        return []

    @p.main
    def main():
        return [call(step), call(step), call(step)]  # main's own span + 3 calls > 2

    verdict = p.compile().check_deadlock()
    assert verdict.holds is None
    assert "model bound" in verdict.message
