"""Compiled process definitions (cspotlp.cspm.compiled) against the general evaluator.

Each script is loaded twice, with and without the compiled fast path; unfolding the same calls
must give the very same terms, and the same errors at the same places.
"""

from __future__ import annotations

import pytest

from cspotlp.csp import STOP, Proc, call
from cspotlp.cspm.compiled import MAX_DEPTH
from cspotlp.cspm.evaluate import LoadedScript, load_text
from cspotlp.errors import CspmError

DECLS = """\
channel a, b : {0..3}
channel up, down, tick
channel c : {0..2}.Bool
datatype T = L | N.{0..3}
channel t : T
nametype Small = {0..3}
f(x) = (x * 3 + 1) % 4
"""

# (script lines after DECLS, the calls to unfold)
AGREEING: list[tuple[str, list[tuple[str, tuple[object, ...]]]]] = [
    ("COUNT(n) = up -> COUNT(n+1) [] (n > 0 & down -> COUNT(n-1))",
     [("COUNT", (0,)), ("COUNT", (7,))]),
    ("P = ||| i : {0..3} @ a.i -> STOP", [("P", ())]),
    ("P = [] i : {0..3} @ (i != 2 & a.f(i) -> P)", [("P", ())]),
    ("P = |~| i : {0..3} @ b.i -> SKIP", [("P", ())]),
    ("P = ; i : <3, 1, 2> @ a.i -> SKIP", [("P", ())]),
    ("P = [] (i, j) : {(0, 1), (2, 3)} @ a.i -> b.j -> STOP", [("P", ())]),
    ("P = ||| i : {0..3}, i % 2 == 0 @ a.i -> STOP", [("P", ())]),
    ("Q(n, m) = if n < m then a.n -> Q(n + 1, m) else b.m -> Q(0, m) |~| SKIP",
     [("Q", (0, 3)), ("Q", (3, 3))]),
    ("R(x) = c.x.(x == 1) -> R((x + 1) % 3) ; tick -> STOP [> up -> SKIP",
     [("R", (0,)), ("R", (1,))]),
    ("S(N.k) = t.N.k -> S(N.((k + 1) % 4))\nS(L) = t.L -> SKIP",
     [("S", ()), ]),
    ("U(s) = #s > 0 & a.head(s) -> U(tail(s)) [] null(s) & tick -> U(<1, 2>)",
     [("U", ((),)), ]),
    ("V(x) = a?y : {y' | y' <- Small, y' > x} -> V(y) [] b!x -> V(0)", [("V", (1,))]),
    ("W(x) = let g(y) = y + x within a.g(0) -> W(-x) /\\ tick -> STOP", [("W", (1,))]),
    ("X(b1) = not b1 and true & up -> X(b1 or false) [] (b1 & tick -> STOP)",
     [("X", (False,)), ("X", (True,))]),
    ("Y = (a.0 -> Y [] b.1 -> STOP) [| {| a |} |] (a?x -> Y) \\ {a.1}", [("Y", ())]),
    ("Z(x) = (a.x -> STOP) [+ {a.x} +] (b.x -> STOP) |~| -x >= 0 & tick -> Z(x - 1)",
     [("Z", (2,)), ("Z", (0,))]),
]


def _unfold(loaded: LoadedScript, name: str, args: tuple[object, ...]) -> Proc:
    if name == "S":  # the datatype argument is built by the script itself
        term = loaded.evaluate("S(N.1)")
        assert isinstance(term, Proc)
        return loaded.last_evaluation.env.unfold(term)  # type: ignore[union-attr]
    if name == "U":
        term = loaded.evaluate("U(<3, 0>)")
        assert isinstance(term, Proc)
        return loaded.last_evaluation.env.unfold(term)  # type: ignore[union-attr]
    return loaded.env.unfold(call(name, *args))


def _both(text: str) -> tuple[LoadedScript, LoadedScript]:
    return load_text(text, "t.csp"), load_text(text, "t.csp", compiled=False)


@pytest.mark.parametrize(("script", "calls"), AGREEING, ids=[s.split("=")[0].strip()
                                                            for s, _ in AGREEING])
def test_compiled_bodies_are_the_terms_of_the_general_evaluator(
        script: str, calls: list[tuple[str, tuple[object, ...]]]) -> None:
    fast, general = _both(DECLS + script + "\n")
    for name, args in calls:
        got, want = _unfold(fast, name, args), _unfold(general, name, args)
        assert got == want
        assert str(got) == str(want)  # (the same names for the processes made on the way)


ERRORS = [
    "P = a.(1 / 0) -> STOP",  # division by zero inside an event
    "P = c.3.true -> STOP",  # a field outside its channel's set
    "P(x) = a.x -> P(x + 2)\nQ = P(2)",  # a.4: out of the channel's set, one unfolding on
    "P = a.head(<>) -> STOP",  # a built-in's error
    "g(0) = 1\nP = a.g(2) -> STOP",  # no equation of a function matches
    "P(0) = STOP\nQ = P(1)",  # no equation of the process matches
    "P = ||| i : {0..4} @ a.i -> STOP",  # the body's error at the fifth value
    "P = |~| i : {x | x <- {0..3}, x > 5} @ a.i -> STOP",  # empty internal choice
    'P = if error("stop") then STOP else SKIP',  # error() inside a condition
    "P = ; i : <0..> @ a.i -> SKIP",  # an infinite sequence where only comprehensions may
    "P = (a.1 -> STOP) [] b.(f(1) / (f(1) - 0 * 2 - 0) - 1 + 4) -> STOP",  # b.4
]


def _error(loaded: LoadedScript, name: str) -> str:
    with pytest.raises(CspmError) as info:
        term = loaded.process(name)
        for _ in range(4):  # the error may need an unfolding or two
            term = loaded.env.unfold(term)
            if term.op.name == "CALL":
                continue
            kids = [k for k in term.args if isinstance(k, Proc) and k.op.name == "CALL"]
            if not kids:
                break
            term = kids[0]
    return str(info.value)


@pytest.mark.parametrize("script", ERRORS)
def test_compiled_bodies_fail_as_the_general_evaluator_does(script: str) -> None:
    fast, general = _both(DECLS + script + "\n")
    name = "Q" if "\nQ = " in script else "P"
    got, want = _error(fast, name), _error(general, name)
    assert got == want
    assert got.startswith("t.csp:")  # located: file:line:col


@pytest.mark.slow
def test_a_deep_prefix_chain_is_handed_to_the_explicit_stack() -> None:
    depth = 50_000
    text = "channel a\nP = " + "a -> " * depth + "STOP\n"
    term = load_text(text).env.unfold(call("P"))
    n = 0
    while term.args:
        n += 1
        term = term.args[-1]
    assert n == depth and term == STOP


def test_deep_bodies_give_the_general_evaluators_terms() -> None:
    depth = 5_000
    assert depth > 100 * MAX_DEPTH
    chain = "channel a : {0..5000}\nP = " + "a.1 -> " * depth + "STOP\n"
    sums = "channel a : {0..5000}\nP = a." + "(1 + " * depth + "0" + ")" * depth + " -> STOP\n"
    for text in (chain, sums):
        fast, general = _both(text)
        assert fast.env.unfold(call("P")) == general.env.unfold(call("P"))
