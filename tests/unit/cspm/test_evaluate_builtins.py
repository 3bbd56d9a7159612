"""Sets, sequences, maps and FDR's built-in functions."""

import pytest

from cspotlp.csp import Seq
from cspotlp.cspm.values import InfiniteSet, LazySeq, MapValue
from cspotlp.errors import CspmEvalError
from tests.unit.cspm.evalhelp import body, expr, fails, value


def S(*xs):
    return frozenset(xs)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{3, 1, 2, 1}", S(1, 2, 3)),
        ("{1..4}", S(1, 2, 3, 4)),
        ("{4..1}", S()),
        ("{x * x | x <- {1..3}, x != 2}", S(1, 9)),
        ("{x..x+1 | x <- {0, 10}}", S(0, 1, 10, 11)),
        ("{(x, y) | x <- {1, 2}, y <- {x..2}}", S((1, 1), (1, 2), (2, 2))),
        ("union({1}, {2})", S(1, 2)),
        ("inter({1, 2}, {2, 3})", S(2)),
        ("diff({1, 2}, {2, 3})", S(1)),
        ("Union({{1}, {2, 3}})", S(1, 2, 3)),
        ("Inter({{1, 2}, {2, 3}})", S(2)),
        ("member(2, {1, 2})", True),
        ("member(5, Int)", True),
        ("member(-1, {0..})", False),
        ("card({1, 2, 2})", 2),
        ("empty({})", True),
        ("set(<1, 2, 1>)", S(1, 2)),
        ("Set({1, 2})", S(S(), S(1), S(2), S(1, 2))),
        ("member(<1, 1>, Seq({1}))", True),
        ("seq({3, 1, 2})", Seq((1, 2, 3))),
        ("Bool", S(False, True)),
        ("{1, 2} < {1, 2, 3} and {1} <= {1}", True),
    ],
)
def test_sets(text, expected):
    assert expr(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<1, 2> ^ <3>", Seq((1, 2, 3))),
        ("<1..3>", Seq((1, 2, 3))),
        ("#<1, 2, 3>", 3),
        ("length(<>)", 0),
        ("null(<>)", True),
        ("head(<4, 5>)", 4),
        ("tail(<4, 5>)", Seq((5,))),
        ("concat(<<1>, <>, <2, 3>>)", Seq((1, 2, 3))),
        ("elem(2, <1, 2>)", True),
        ("<x + y | x <- <1, 2>, y <- <10, 20>>", Seq((11, 21, 12, 22))),
        ("<0..2 | x <- <1, 2>>", Seq((0, 1, 2, 0, 1, 2))),
        ("<1> < <1, 2> and <1> <= <1>", True),
        ("<2> < <1, 2>", False),
        ("head(<1..>)", 1),
        ("head(tail(tail(<x | x <- <0..>, x % 2 == 1>)))", 5),
        ("head(<1> ^ <2..>)", 1),
        ("elem(7, <0..>)", True),
        ("take(<10..>, 3)", Seq((10, 11, 12))),
    ],
)
def test_sequences_including_infinite_ones(text, expected):
    decls = "take(s, 0) = <>\ntake(s, n) = <head(s)> ^ take(tail(s), n - 1)\n"
    assert expr(text, decls) == expected


def test_infinite_values_are_lazy_or_refused():
    assert isinstance(expr("<0..>"), LazySeq)
    assert isinstance(expr("{0..}"), InfiniteSet)
    assert "infinite" in str(fails("x = #<0..>\n"))
    assert "infinite" in str(fails("x = card(Int)\n"))
    assert "infinite" in str(fails("x = <0..> == <0..>\n"))


def test_sequence_errors():
    assert "head of an empty sequence" in str(fails("x = head(<>)\n"))
    assert "tail of an empty sequence" in str(fails("x = tail(<>)\n"))


def test_maps():
    m = expr("(| 1 => true, 2 => false |)")
    assert isinstance(m, MapValue) and m.pairs == ((1, True), (2, False))
    assert expr("mapLookup((| 1 => 10 |), 1)") == 10
    assert expr("mapMember((| 1 => 10 |), 2)") is False
    assert expr("mapToList(mapUpdate(emptyMap, 3, 4))") == Seq(((3, 4),))
    assert expr("mapFromList(<(1, 2), (1, 3)>) == (| 1 => 3 |)") is True
    assert expr("mapDelete((| 1 => 2 |), 1) == emptyMap") is True
    assert expr("mapUpdateMultiple(emptyMap, <(1, 2)>)") == MapValue.of([(1, 2)])
    assert expr("card(Map({1}, {true, false}))") == 3
    err = fails("x = mapLookup((| 1 => 2 |), 5)\n")
    assert isinstance(err, CspmEvalError) and "not in the domain" in str(err)


def test_relations_of_fdr_external_functions():
    decls = "external relational_image, relational_inverse_image, transpose, mtransclose"
    assert expr("relational_image({(1, 2), (1, 3), (2, 4)})(1)", decls) == S(2, 3)
    assert expr("relational_inverse_image({(1, 2), (3, 2)})(2)", decls) == S(1, 3)
    assert expr("transpose({(1, 2)})", decls) == S((2, 1))
    assert expr("mtransclose({(1, 2), (2, 3), (5, 4)}, {1..5})", decls) == \
        S((1, 2), (1, 3), (4, 5))


def test_deter_is_a_compression():
    assert str(body("external deter\nchannel a\nP = deter(a -> STOP)\n")) == "deter(a -> STOP)"


def test_events_is_every_event_of_every_channel():
    assert value("channel a, b : {0..1}\nchannel c\nx = card(Events)\n") == 5
