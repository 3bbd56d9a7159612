"""The trampoline under the parser, checker and evaluator: no Python recursion, bounded depth."""

import pytest

from cspotlp.cspm.trampoline import RunawayRecursion, run


def countdown(n):
    if n == 0:
        return 0
    got = yield countdown(n - 1)
    plain = yield 1  # a plain value is handed straight back
    return got + plain


def test_deep_chains_run_without_python_recursion():
    assert run(countdown(200_000)) == 200_000


def test_a_depth_bound_stops_runaway_recursion():
    with pytest.raises(RunawayRecursion, match="deeper than 100 calls"):
        run(countdown(1_000), max_depth=100)
    assert run(countdown(99), max_depth=100) == 99


def test_exceptions_reach_the_waiting_caller():
    def failing():
        raise ValueError("inner")
        yield  # pragma: no cover

    def caller():
        try:
            yield failing()
        except ValueError as e:
            return f"caught {e}"

    assert run(caller()) == "caught inner"
