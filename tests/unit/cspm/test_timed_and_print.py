"""Timed sections, ``print`` and the ``:[partial order reduce]`` option."""

from __future__ import annotations

import pytest

from cspotlp.cspm import ast, check_script, parse_script, print_script
from cspotlp.cspm.assertions import check_assertions
from cspotlp.cspm.evaluate import load_text
from cspotlp.errors import CspmScopeError, CspmSyntaxError, CspmTypeError

TIMED = """\
channel a, b
OneStep(_) = 1
Timed(OneStep) {
    P = a -> P
    steps = OneStep(a) + 1
    W = WAIT(3) ; P
}
Q = b -> STOP
assert P :[deadlock free]
"""


def test_timed_sections_parse_type_check_and_provide_tock():
    checked = check_script(parse_script(TIMED, "t.csp"))
    names = {b.name for b in checked.resolution.defs.values()}
    assert {"tock", "P", "steps", "W"} <= names  # 'tock' is declared for the script


def test_values_of_a_timed_section_evaluate_and_untimed_processes_too():
    loaded = load_text(TIMED, "t.csp")
    assert loaded.value("steps") == 2
    assert str(loaded.env.unfold(loaded.process("Q"))) == "b -> STOP"


def test_an_assertion_on_a_timed_process_is_checked():
    [result] = check_assertions(load_text(TIMED, "t.csp"))
    assert result.result == "passed"  # a timed process lets time pass: it never deadlocks


@pytest.mark.parametrize(("text", "error", "words"), [
    ("channel tock : {0}\nTimed (\\ _ @ 0) { }", CspmTypeError, "Event"),
    ("f(_) = true\nTimed (f) { }", CspmTypeError, "couldn't match"),
    ("tock = 1\nTimed (\\ _ @ 1) { }", CspmTypeError, "Event"),
    ("Timed (\\ _ @ 1) { }\nP = WAIT(5)", CspmScopeError, "only inside a Timed section"),
    ("channel a, b\nTimed { P = STOP [a <-> b] STOP }", CspmTypeError, "linked parallel"),
    ("channel c : {0, 1}\nTimed { P = c$x -> STOP }", CspmTypeError, "nondeterministic input"),
])
def test_timed_sections_are_checked_as_fdr_checks_them(text, error, words):
    with pytest.raises(error, match=words):
        check_script(parse_script(text + "\n", "t.csp"))


@pytest.mark.parametrize("text", [
    "Timed {\nprint 0\n}",
    "P = let\n        Timed (\\ _ @ 1) {\n            channel c\n        }\n    within STOP",
    "module M\nexports\nprint 0\nendmodule",
])
def test_declarations_out_of_place_are_syntax_errors(text):
    with pytest.raises(CspmSyntaxError):
        parse_script(text + "\n", "t.csp")


def test_print_statements_keep_their_expression_text():
    script = parse_script("print 1 + 1\nprint head(<x | x <- <0..>, 5 < x>)\n", "p.csp")
    assert [d.text for d in script.decls if isinstance(d, ast.PrintDecl)] == [
        "1 + 1", "head(<x | x <- <0..>, 5 < x>)"]
    assert print_script(script) == "print 1 + 1\n\nprint head(<x | x <- <0..>, 5 < x>)\n"
    loaded = load_text("x = 3\nprint x + 1\nprint <x, x>\n", "p.csp")
    assert [text for _, text in loaded.print_statements()] == ["4", "<3, 3>"]


@pytest.mark.parametrize(("option", "mode"), [
    (":[partial order reduce]", ""), (":[partial order reduce [fast]]", "fast")])
def test_the_partial_order_option_is_read(option, mode):
    script = parse_script(f"assert STOP :[deadlock free] :[tau priority]: {{}} {option}\n",
                          "o.csp")
    [decl] = script.decls
    assert isinstance(decl, ast.AssertDecl) and decl.assertion.partial_order == mode
    assert option in print_script(script)


def test_an_option_given_twice_is_refused():
    with pytest.raises(CspmSyntaxError, match="given twice"):
        parse_script("assert STOP [T= STOP :[partial order reduce] :[partial order reduce]\n",
                     "o.csp")
