"""Processes of ``Timed`` sections follow tock-CSP, as FDR4 translates them."""

from __future__ import annotations

import pytest

from cspotlp.cspm import print_process_graph
from cspotlp.cspm.assertions import check_assertions
from cspotlp.cspm.evaluate import load_script, load_text
from cspotlp.errors import CspmEvalError
from tests.paths import REPO


def graph(text: str, name: str) -> str:
    loaded = load_text(text, "t.csp")
    return print_process_graph(loaded.process(name), loaded.env)


def verdicts(text: str) -> list[tuple[str, tuple[str, ...] | None]]:
    return [(r.result, r.counterexample) for r in check_assertions(load_text(text, "t.csp"))]


def test_a_timed_prefix_may_wait_and_is_followed_by_its_event_s_tocks():
    text = ("channel a, b\nCost(a) = 2\nCost(_) = 0\n"
            "Timed(Cost) {\n    P = a -> b -> P\n}\n")
    assert graph(text, "P") == (
        "P::i2 = tock -> P::i2 [] b -> P\n\n"
        "P::i1 = tock -> P::i1 [] a -> tock -> tock -> P::i2\n\n"
        "P = P::i1\n\nP\n")


def test_each_event_of_an_input_gets_its_own_tocks_and_the_default_is_one():
    text = "channel c : {0..1}\nTimed {\n    P = c?x -> STOP\n}\n"
    assert graph(text, "P") == (
        "P::i1 =\n    tock -> P::i1 [] c.0 -> tock -> STOP(tock) [] c.1 -> tock -> STOP(tock)"
        "\n\nP = P::i1\n\nP\n")


@pytest.mark.parametrize(("body", "shown"), [
    ("STOP", "STOP(tock)"),
    ("TSTOP", "STOP(tock)"),
    ("SKIP", "SKIP(tock)"),
    ("WAIT(2)", "WAIT(tock)(2)"),
    ("false & STOP", "STOP(tock)"),
    ("timed_priority(STOP)", "prioritise(STOP(tock), <{}, {tock}>)"),
    ("STOP ||| SKIP", "STOP(tock) [| {tock} |] SKIP(tock)"),
    ("SKIP /\\ SKIP", "SKIP(tock) /+ {tock} +\\ SKIP(tock)"),
    ("SKIP [] STOP [] SKIP", "SKIP(tock) [+{tock}+] SKIP(tock)"),
    ("STOP [] STOP", "STOP(tock)"),
    ("SKIP [| {a} |] SKIP", "SKIP(tock) [| {a, tock} |] SKIP(tock)"),
    ("SKIP [{a} || {}] SKIP", "SKIP(tock) [{a, tock} || {tock}] SKIP(tock)"),
    ("SKIP [+{a}+] SKIP", "SKIP(tock) [+{a, tock}+] SKIP(tock)"),
    ("SKIP /+{a}+\\ SKIP", "SKIP(tock) /+ {a, tock} +\\ SKIP(tock)"),
    ("[] x : {} @ SKIP", "STOP(tock)"),
    ("||| x : {} @ SKIP", "STOP(tock)"),
    ("[| {a} |] x : {} @ SKIP", "STOP(tock)"),
    ("|| x : {} @ [{a}] SKIP", "STOP(tock)"),
    ("; x : <> @ STOP", "SKIP(tock)"),
    ("||| x : {0, 1} @ SKIP", "SKIP(tock) [| {tock} |] SKIP(tock)"),
    ("SKIP \\ {a} ; SKIP [[a <- a]]", "(SKIP(tock) \\ {a}) ; SKIP(tock)[[a <- a]]"),
])
def test_the_operators_of_a_section_are_translated_as_fdr_does(body, shown):
    text = f"channel a\nTimed {{\n    P = {body}\n}}\n"
    assert graph(text, "P").split("\n\n")[-2] == f"P = {shown}"


def test_timed_built_in_processes_are_defined_as_in_fdr():
    text = "Timed {\n    P = WAIT(2)\n}\n"
    assert graph(text, "P") == (
        "SKIP = ✓ -> STOP\n\nSKIP(tock) = tock -> SKIP(tock) [] SKIP\n\n"
        "WAIT(tock)(2) = tock -> tock -> SKIP(tock)\n\nP = WAIT(tock)(2)\n\nP\n")


def test_being_timed_is_lexical():
    text = ("channel a\nU = a -> STOP\nTimed {\n    T = a -> STOP\n    F(x) = a -> x\n}\n"
            "G = F(STOP)\nH = U\n")
    assert graph(text, "H") == "U = a -> STOP\n\nH = U\n\nH\n"
    # F is timed wherever it is used; its argument STOP, written outside, is not TSTOP.
    assert graph(text, "G").startswith("F(STOP)::i2 = tock -> F(STOP)::i2 [] a -> tock -> STOP")


def test_a_section_in_a_let_uses_its_own_timing_function():
    text = ("channel a\nP = let\n        Timed (\\ _ @ 3) {\n            Q = a -> STOP\n"
            "        }\n    within Q\n")
    assert graph(text, "P").split("\n\n")[0] == (
        "P::Q::i1 =\n    tock -> P::Q::i1 [] a -> tock -> tock -> tock -> STOP(tock)")


TIMED_BEHAVIOUR = """\
channel a, b, c, d
Timed {
    CHOICE = a -> STOP [] b -> STOP
    BOTH = (WAIT(1) ; a -> STOP) ||| (WAIT(1) ; b -> STOP)
    RACE = (c -> STOP [] WAIT(1) ; d -> STOP) \\ {c}
    EAGER = timed_priority(RACE)
}
Slow(a) = 2
Slow(_) = 0
Timed(Slow) {
    TWO = a -> b -> STOP
}
-- time does not resolve an external choice; an event does
assert CHOICE :[has trace]: <tock, tock, b>
assert not CHOICE :[has trace]: <a, b>
-- both sides of ||| share the clock: after one tock both waits are over
assert BOTH :[has trace]: <tock, a, b>
-- an untimed process can stop time; a timed one never does
assert CHOICE :[deadlock free]
assert a -> STOP :[deadlock free]
-- a hidden event may wait; under timed_priority it is urgent and wins the race
assert RACE :[has trace]: <tock, d>
assert EAGER :[has trace]: <tock, d>
assert RACE [T= RUN({tock})
assert EAGER [T= RUN({tock})
assert RUN({tock}) [T= RACE :[tau priority]: {tock}
-- the timing function: a takes two time units, b none
assert TWO :[has trace]: <a, tock, tock, b>
assert not TWO :[has trace]: <a, tock, b>
"""


def test_timed_processes_are_checked_with_tock_csp_s_semantics():
    assert verdicts(TIMED_BEHAVIOUR) == [
        ("passed", None), ("passed", None),
        ("passed", None),
        ("passed", None), ("failed", ("a",)),
        ("passed", None), ("failed", ("tock", "d")),
        ("passed", None), ("passed", None), ("passed", None),
        ("passed", None), ("passed", None),
    ]


def test_the_deadline_example_gets_fdr_s_verdicts():
    loaded = load_script(REPO / "examples" / "cspm" / "timed_deadline.csp")
    got = [(r.result, r.counterexample) for r in check_assertions(loaded)]
    assert got == [
        ("passed", None), ("passed", None),
        ("passed", None), ("failed", ("tock", "tock", "tock", "give_up")),
        ("failed", ("tock", "tock", "tock", "tock", "give_up")),
    ]


@pytest.mark.parametrize(("text", "words"), [
    ("channel a\nTimed(\\ _ @ -1) {\n    P = a -> STOP\n}\n",
     "t.csp:3:9: the timing function of the Timed section gives -1 for a"),
    ("Timed {\n    P = WAIT(-2)\n}\n", "t.csp:2:9: WAIT needs a number of tocks at least 0"),
])
def test_impossible_times_are_located_errors(text, words):
    loaded = load_text(text, "t.csp")
    with pytest.raises(CspmEvalError) as info:
        loaded.env.unfold(loaded.process("P"))
    assert str(info.value).startswith(words)
