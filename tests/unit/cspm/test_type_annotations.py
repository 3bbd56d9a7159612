"""Type annotations ``name :: (Eq a, ...) => type``, checked against the inferred type."""

from __future__ import annotations

import pytest

from cspotlp.cspm import check_script, parse_script, print_script
from cspotlp.cspm.evaluate import load_text
from cspotlp.errors import CspmScopeError, CspmSyntaxError, CspmTypeError


def check(text: str):
    return check_script(parse_script(text, "a.csp"))


ACCEPTED = """\
datatype X = Y.Int | Z.Bool
Y :: Int => X
channel c : Int.Bool
c :: Int=>Bool=>Event
nametype N = {0..3}
N :: {Int}
pick :: (Eq a) => (a, a) -> Bool
pick(x, y) = x == y
idf :: (a) -> a
idf(x) = x
pair = (idf(0), idf(true))
less :: (Eq a, Ord a) => (a, a) -> Bool
less(x, y) = x < y
wrap :: Set a => (a) -> {a}
wrap(x) = let
        y :: {a}
        y = {x}
    within y
apply :: (b=>a, c=>b, c) -> a
apply(f, g, v) = f.g.v
m :: Set k => (| k => Int |)
m = emptyMap
"""


def test_annotated_definitions_check_and_evaluate():
    loaded = load_text(ACCEPTED + "t = (pick(1, 1), pair, less(1, 2), wrap(3))\n", "a.csp")
    assert loaded.value("t") == (True, (0, True), True, frozenset({3}))


@pytest.mark.parametrize(("text", "words"), [
    ("f :: Bool\nf = 0", "couldn't match expected type"),
    ("f :: (Int) -> Bool\nf(0) = 0", "couldn't match"),
    ("f :: (Int) -> (Int) -> Int\nf(x) = x", "couldn't match"),
    ("f :: (d) -> d\nf(0) = 0", "couldn't match"),
    ("f :: (a) -> b\nf(x) = x", "couldn't match"),
    ("f :: (a, a) -> Bool\nf(x, y) = x == y", "type variable a of the type annotation does "
                                              "not have the constraint Eq"),
    ("f :: Eq a => (a, a) -> Bool\nf(x, y) = x == y\ng = f(STOP, STOP)", "constraint Eq"),
    ("f :: Set b => (c) -> c\nf(x) = x", "does not occur"),
    ("f :: (a) -> a\nf(x) = let\n        g :: Set a => (a) -> a\n        g(y) = y\n"
     "    within g(x)", "belongs to an enclosing type annotation"),
    ("c :: Bool=>Event\nchannel c : Int", "couldn't match"),
    ("c :: Eq a => a=>Event\nchannel c : {}", "constraint Complete"),
    ("datatype X = Y.Int\nY :: Bool => X", "couldn't match"),
    ("X :: Bool\nnametype X = {0}", "couldn't match"),
    ("datatype T = A.Bool | B.Bool\nf :: (T) -> Bool\nf(_.b) = b", "couldn't match"),
    ("f :: (Event =>* b) -> Event =>* b\nf(x) = x", "must be a type variable"),
])
def test_a_definition_that_does_not_fit_its_annotation_is_refused(text, words):
    with pytest.raises(CspmTypeError, match=words.replace("(", r"\(").replace(")", r"\)")):
        check(text + "\n")


@pytest.mark.parametrize(("text", "words"), [
    ("f :: Int\nf = 1\nf :: Int", "more than one type annotation"),
    ("f :: Int", "has no definition"),
    ("f :: Eqs a => a\nf = 0", "unknown type class 'Eqs'"),
    ("p :: a -> b\np(x) = x", "must be in parentheses"),
    ("c1 :: Int=>Event\nc2 :: Int=>Event\nchannel c1, c2 : Int", "several type annotations"),
])
def test_malformed_annotations_are_syntax_errors(text, words):
    with pytest.raises(CspmSyntaxError, match=words):
        parse_script(text + "\n", "a.csp")


def test_an_unknown_qualified_type_is_a_scope_error():
    with pytest.raises(CspmScopeError, match="unknown name 'M'"):
        check("f :: (M::x) -> a\nf(x) = error(\"no\")\n")


def test_let_definitions_are_polymorphic_only_when_annotated():
    with pytest.raises(CspmTypeError):
        check("f = let\n        g(x) = x\n    within (g(0), g(true))\n")
    check("f = let\n        g :: (a) -> a\n        g(x) = x\n    within (g(0), g(true))\n")


def test_annotations_print_back():
    script = parse_script(ACCEPTED, "a.csp")
    text = print_script(script)
    assert "less :: (Eq a, Ord a) => (a, a) -> Bool" in text
    assert "apply :: (b => a, c => b, c) -> a" in text
    assert print_script(parse_script(text, "b.csp")) == text
