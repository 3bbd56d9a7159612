"""The functional language: numbers, booleans, tuples, let, lambdas, functions, laziness."""

import pytest

from cspotlp.csp import Seq
from cspotlp.cspm.values import Char, string_value
from cspotlp.errors import CspmEvalError
from tests.unit.cspm.evalhelp import expr, fails, load, value


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 + 2 * 3", 7),
        ("(1 + 2) * 3", 9),
        ("7 / 2", 3),
        ("-7 / 2", -4),  # Haskell's div rounds down
        ("-7 % 3", 2),  # Haskell's mod takes the divisor's sign
        ("7 % -3", -2),
        ("-(3)", -3),
        ("2 - 3 - 4", -5),
        ("1 < 2 and not (2 <= 1)", True),
        ("true or 1/0 == 0", True),
        ("false and 1/0 == 0", False),
        ("1 == 1 and 1 != 2", True),
        ("3 >= 3 and 4 > 3", True),
        ("if 1 < 2 then 10 else 1/0", 10),
        ("(1, true, 'c')", (1, True, Char("c"))),
        ("(1, 2) == (1, 2)", True),
        ("(1, 2) < (1, 3)", True),
        ("'a' < 'b'", True),
        ('"ab"', string_value("ab")),
        ('"ab" == <\'a\', \'b\'>', True),
    ],
)
def test_arithmetic_logic_and_literals(text, expected):
    v = expr(text)
    assert v == expected and type(v) is type(expected)


def test_let_within_and_mutual_recursion():
    assert expr("let y = 2\n    z = y * 3\nwithin y + z") == 8
    text = "x = let even(0) = true\n        even(n) = odd(n - 1)\n        odd(0) = false\n" \
           "        odd(n) = even(n - 1)\n    within (even(10), odd(7))\n"
    assert value(text) == (True, True)


def test_functions_with_several_equations_and_curried_groups():
    text = "fact(0) = 1\nfact(n) = n * fact(n - 1)\nadd(a)(b) = a + b\nx = (fact(10), add(2)(3))\n"
    assert value(text) == (3628800, 5)


def test_lambdas_close_over_their_definition():
    assert expr("(\\ a, b @ a * b + k)(3, 4)", "k = 100") == 112
    assert expr("let f = \\ n @ n + 1 within f(f(1))") == 3
    assert expr("(\\ (p, q) @ q)((1, 2))") == 2


def test_higher_order_and_polymorphic_functions():
    text = ("map(f, <>) = <>\nmap(f, <y>^ys) = <f(y)>^map(f, ys)\n"
            "twice(f) = \\ v @ f(f(v))\nx = (map(\\ v @ v * v, <1, 2, 3>), twice(\\ v @ v + 1)(0))\n")
    assert value(text) == (Seq((1, 4, 9)), 2)


def test_bindings_are_lazy_so_unused_errors_never_fire():
    loaded = load('bad = error("never")\nworse = 1 / 0\nx = 42\n')
    assert loaded.value("x") == 42
    with pytest.raises(CspmEvalError, match="never"):
        loaded.value("bad")
    assert expr('let u = 1/0 within 5') == 5
    assert expr('(\\ v @ 1)(2)') == 1


def test_deep_recursion_runs_on_the_explicit_stack():
    text = "sum(0) = 0\nsum(n) = n + sum(n - 1)\nx = sum(30000)\n"
    assert value(text) == 30000 * 30001 // 2


def test_errors_are_located_with_the_source_line():
    err = fails("x = 3 + 10 / (2 - 2)\n")
    assert str(err) == "t.csp:1:9: division by zero"
    assert err.report().splitlines()[1:] == ["x = 3 + 10 / (2 - 2)", "        ^"]
    assert "t.csp:2:5: Error: boom" in str(fails('y = 1\nx = error("boom")\n'))
    assert "t.csp:2:5: 'x' is defined in terms of itself" in str(fails("y = 1\nx = x + 1\n"))


def test_pattern_match_failure_of_a_function_is_an_error():
    err = fails("f(0) = 1\nx = f(2)\n")
    assert "no equation of f matches f(2)" in str(err)
    err = fails("(a, b) = (1, 2)\n<c> = <1, 2>\nx = c\n")
    assert "does not match the pattern" in str(err)


def test_show_gives_the_text_of_a_value():
    assert expr('show({2, 1})') == string_value("{1, 2}")
    assert expr('show(<1>) ^ "!"') == string_value("<1>!")
