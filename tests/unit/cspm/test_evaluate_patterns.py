"""Pattern matching in equations, lambdas, generators, let bindings and inputs."""

import pytest

from cspotlp.csp import Datum, Seq
from cspotlp.cspm import check_script, parse_script
from cspotlp.cspm.values import DotValue, string_value
from cspotlp.errors import CspmEvalError, CspmTypeError
from tests.unit.cspm.evalhelp import value

DECLS = """
datatype T = A | B.{0..2} | C.Bool.{0, 1}
channel c : T.{0..1}
f(0) = "zero"
f(1) = "one"
f(_) = "many"
g(<>) = 0
g(<y>) = 1
g(<y, z>^rest) = 2 + g(rest)
h(xs^<last>) = last
k({}) = 0
k({v}) = v
k(_) = 99
d(B.n) = n
d(C.b.n) = if b then n else 0 - n
d(A) = 100
e(c.A.n) = n
e(c.t.n) = 10
whole(c.t) = t
both(p @@ (q, r)) = (p, q + r)
split(x.y) = (x, y)
nested(((x.y) @@ (q1.q2.q3)).q4) = (x, y, q1, q2, q3, q4)
str("hi") = true
str(_) = false
neg(-1) = true
neg(_) = false
"""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<f(0), f(1), f(7)>", Seq(tuple(string_value(w) for w in ("zero", "one", "many")))),
        ("(g(<>), g(<1>), g(<1, 2, 3, 4, 5>))", (0, 1, 5)),
        ("h(<1, 2, 3>)", 3),
        ("(k({}), k({7}), k({1, 2}))", (0, 7, 99)),
        ("(d(B.2), d(C.true.1), d(C.false.1), d(A))", (2, 1, -1, 100)),
        ("(e(c.A.1), e(c.(B.2).0))", (1, 10)),
        ("whole(c.(C.true.1).0)", DotValue((Datum("C", (True, 1)), 0))),
        ("both((1, 2))", ((1, 2), 3)),
        ("split(0.1.2)", (0, DotValue((1, 2)))),
        ("nested(0.1.2.3)", (0, DotValue((1, 2)), 0, 1, 2, 3)),
        ("(str(\"hi\"), str(\"ho\"))", (True, False)),
        ("(neg(-1), neg(1))", (True, False)),
        ("let (a, <b>^_) = (1, <2, 3>) within a + b", 3),
        ("<y | (y, true) <- <(1, true), (2, false), (3, true)>>", Seq((1, 3))),
        ("{n | B.n <- {A, B.1, B.2, C.true.0}}", frozenset({1, 2})),
        ("(\\ (p, q) @ p - q)((5, 3))", 2),
    ],
)
def test_patterns(text, expected):
    assert value(DECLS + "x = " + text + "\n") == expected


def test_concatenation_of_two_unknown_lengths_is_refused_by_the_checker():
    # libcspm refuses the pattern when it desugars the script (FDR too): it is an error,
    # reported before anything is evaluated, and not an unsupported construct
    with pytest.raises(CspmTypeError, match="not a valid sequence pattern"):
        check_script(parse_script("f(a ^ b) = a\nx = f(<1>)\n", "t.csp"))
    assert value("f(<a> ^ b ^ <c>) = b\nx = f(<1, 2, 3>)\n") == Seq((2,))


def test_a_tuple_binding_evaluates_only_the_components_used():
    # as in FDR (lazy pattern bindings): loop is never needed
    assert value("loop = loop\n(s, t) = (1, loop)\nx = s + 1\n") == 2
    assert value("loop = loop\n((a, b), c) = ((1, loop), loop)\nx = a\n") == 1


def test_a_refutable_component_is_checked_when_any_variable_is_used():
    with pytest.raises(CspmEvalError, match="t.csp:1:2: the value 2 does not match the pattern"):
        value("(1, x) = (2, 3)\ny = x\n", "y")
    assert value("(1, x) = (1, 3)\ny = x\n", "y") == 3
