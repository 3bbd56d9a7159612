"""Dotted values, channels and datatypes: fields, productions, extensions, type errors."""

import pytest

from cspotlp.csp import Datum, event
from cspotlp.cspm.values import DotValue, Head, Partial
from cspotlp.errors import CspmEvalError
from tests.unit.cspm.evalhelp import expr, fails, load, value

DECLS = """
datatype T = A | B.{0..2} | C.Bool.{0, 1}
subtype U = B.{0, 1} | A
nametype Pair = {0..1}.{0..1}
channel a
channel c : T.{0..1}
channel p : Pair
channel q : Pair.Bool
channel t : ({0, 1}, Bool)
"""


def E(*parts):
    return event(*parts)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a", E("a")),
        ("c", Partial(Head("channel", "c", 2))),
        ("c.A", Partial(Head("channel", "c", 2), (Datum("A"),))),
        ("c.A.1", E("c", Datum("A"), 1)),
        ("c.B.2.0", E("c", Datum("B", (2,)), 0)),
        ("c.(B.2).0", E("c", Datum("B", (2,)), 0)),
        ("c.C.true.1.0", E("c", Datum("C", (True, 1)), 0)),
        ("B.1", Datum("B", (1,))),
        ("1.2", DotValue((1, 2))),
        ("p.1.0", E("p", 1, 0)),
        ("q.0.1.true", E("q", 0, 1, True)),
        ("t.(1, false)", E("t", (1, False))),
        ("T", frozenset({Datum("A"), Datum("B", (0,)), Datum("B", (1,)), Datum("B", (2,)),
                         Datum("C", (False, 0)), Datum("C", (False, 1)), Datum("C", (True, 0)),
                         Datum("C", (True, 1))})),
        ("U", frozenset({Datum("A"), Datum("B", (0,)), Datum("B", (1,))})),
        ("Pair", frozenset({DotValue((0, 0)), DotValue((0, 1)), DotValue((1, 0)),
                            DotValue((1, 1))})),
        ("card({| c |})", 16),
        ("{| c.B |}", frozenset(E("c", Datum("B", (n,)), m) for n in range(3) for m in range(2))),
        ("{| c.C.true, a |}", frozenset({E("a")} | {E("c", Datum("C", (True, n)), m)
                                                   for n in range(2) for m in range(2)})),
        ("{| c.x.0 | x <- {A, B.1} |}", frozenset({E("c", Datum("A"), 0),
                                                   E("c", Datum("B", (1,)), 0)})),
        ("productions(B)", frozenset(Datum("B", (n,)) for n in range(3))),
        ("extensions(c.B)", frozenset({DotValue((n, m)) for n in range(3) for m in range(2)})),
        ("extensions(q.1)", frozenset({DotValue((n, b)) for n in range(2) for b in (False, True)})),
        ("card(Events)", 1 + 16 + 4 + 8 + 4),
    ],
)
def test_dots(text, expected):
    assert expr(text, DECLS) == expected


def test_channels_are_declared_in_the_environment_with_flat_fields():
    loaded = load(DECLS + "x = card(Events)\n")
    loaded.force_declarations()
    assert [len(d) for d in loaded.env.channels["q"].domains] == [2, 2, 2]
    assert loaded.env.channels["c"].arity == 2
    assert sorted(loaded.env.datatypes["T"].constructors) == ["A", "B", "C"]


def test_values_outside_a_channel_type_are_located_errors():
    err = fails(DECLS + "x = c.B.3.0\n")
    assert isinstance(err, CspmEvalError)
    assert "3 is not a value of field 1 of constructor B" in str(err)
    assert str(err).startswith("t.csp:10:")
    err = fails(DECLS + "x = p.2.0\n")
    assert "field 1 of channel p" in str(err)


def test_non_rectangular_field_sets_are_errors():
    err = fails("nametype N = {0.0, 1.1}\nchannel d : N\nx = {| d |}\n")
    assert "not rectangular" in str(err) and str(err).startswith("t.csp:2:13:")
    err = fails("datatype C = D.{0..2} | E.Bool\ndatatype G = F.{D.0, D.1, E.false}\n"
                "x = extensions(F)\n")
    assert "not rectangular" in str(err) and str(err).startswith("t.csp:2:16:")
    # a subtype (or a whole datatype) mixing constructors is fine
    assert value("datatype C = D.{0..2} | E.Bool\nsubtype S = D.{0, 1} | E\n"
                 "datatype G = F.S\nx = card(extensions(F))\n") == 4


def test_a_channel_of_infinite_type_is_used_at_finitely_many_values():
    decls = "channel c : Int.{0, 1}\nP = c!7.1 -> c?x:{2, 3}?y -> STOP\n"
    assert expr("member(c.7.1, {c.(-2).0})", decls) is False
    assert value(decls + "x = {c.5.0, c.6.1}\n") == frozenset(
        {value(decls + "x = c.5.0\n"), value(decls + "x = c.6.1\n")})


@pytest.mark.parametrize("use", ["x = {| c |}\n", "x = Events\n", "x = c?v -> STOP\n"])
def test_enumerating_an_infinite_channel_type_names_the_channel(use):
    err = fails("channel c : Int\n" + use, error=CspmEvalError)
    assert "channel c" in str(err) and "Int" in str(err)


def test_a_value_outside_an_infinite_channel_type_is_refused():
    err = fails("channel c : {0..}\nx = c.(-1)\n")
    assert "outside" in str(err) or "not" in str(err)


def test_constructors_may_have_infinite_fields():
    decls = "datatype Y = C.Int | D.Bool\nsubtype Ys = C | D.{false}\n"
    assert expr("member(C.5, Ys) and member(D.false, Ys) and not member(D.true, Ys)", decls)
    assert expr("member(C.(-3), Y)", decls) is True
    err = fails(decls + "x = card(Y)\n")
    assert "cannot enumerate" in str(err)
    # A recursive datatype is accepted while only finitely many of its values are used
    rec = "datatype T = Leaf | Node.T.T\nchannel c : T\n"
    assert expr("member(Node.Leaf.(Node.Leaf.Leaf), T)", rec) is True
    assert expr("(Node.Leaf.Leaf) == (Node.Leaf.Leaf)", rec) is True
    err = fails(rec + "x = card(T)\n")
    assert "cannot enumerate the infinite set T" in str(err)
