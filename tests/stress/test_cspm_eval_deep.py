"""Deep inputs for the evaluator: nothing may recurse in Python on the script's depth."""

import pytest

from cspotlp.csp import Op, build_lts, call
from cspotlp.cspm.evaluate import load_text
from cspotlp.cspm.procprint import print_process

pytestmark = pytest.mark.slow


def test_fifty_thousand_deep_prefix_chain_evaluates_and_runs():
    depth = 50_000
    loaded = load_text("channel a\n\nP = " + "a -> " * depth + "STOP\n", "deep.csp")
    term = loaded.env.unfold(call("P"))
    levels = 0
    while term.op is Op.PREFIX:
        levels += 1
        term = term.args[0]
    assert levels == depth and term.op is Op.STOP
    lts = build_lts(call("P"), loaded.env)
    assert lts.num_states == depth + 1 and len(lts.deadlocks()) == 1
    printed = print_process(loaded.env.unfold(call("P")), loaded.env)
    assert printed == "a -> " * depth + "STOP"


def test_deep_recursion_and_long_data():
    loaded = load_text(
        "channel c : {0..2}\n"
        "count(0) = 0\ncount(n) = 1 + count(n - 1)\n"
        "len(<>) = 0\nlen(<_>^xs) = 1 + len(xs)\n"
        "P(0) = STOP\nP(n) = c!(n % 3) -> P(n - 1)\n"
        "n = count(50000)\nm = len(<0..2000>)\ns = card({x | x <- {0..20000}, x % 2 == 0})\n",
        "deep.csp",
    )
    assert loaded.value("n") == 50_000
    assert loaded.value("m") == 2001
    assert loaded.value("s") == 10001
    assert build_lts(call("P", 10_000), loaded.env).num_states == 10_001


def test_deeply_nested_choices_and_lets():
    n = 2_000
    loaded = load_text("channel a, b\nP = " + "(a -> STOP [] " * n + "SKIP" + ")" * n + "\n"
                       + "v = " + "let y = 1 within " * 1_000 + "y\n", "deep.csp")
    assert build_lts(call("P"), loaded.env).num_states == 3
    assert loaded.value("v") == 1
