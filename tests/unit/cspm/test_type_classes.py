"""libcspm's stricter rules: type classes of processes and fields, dot patterns, statements."""

from __future__ import annotations

import pytest

from cspotlp.cspm import check_script, parse_script
from cspotlp.errors import CspmScopeError, CspmTypeError


def check(text: str):
    return check_script(parse_script(text + "\n", "k.csp"))


@pytest.mark.parametrize(("text", "words"), [
    # processes form sets, but cannot be compared, even inside sets
    ("X = {STOP, STOP} == {STOP}", "Proc does not have the constraint Eq"),
    ("test({x}) = true\nb = test({STOP})", "Proc does not have the constraint Eq"),
    # a field must be Complete: a constructor still waiting for its field is not
    ("datatype A = B.Bool\nchannel a : {B}", "constraint Complete"),
    ("datatype A = B.Bool\ndatatype X = Y.{B}", "constraint Complete"),
    ("datatype A = A1\ndatatype B = B1.A\nnametype E = {B1}", "constraint Complete"),
    # a dot pattern may not take a datatype or an event apart
    ("datatype Z = B.{0..1}\ng(x.y) = y\nz = g(B)", "couldn't match"),
    ("channel b : Int\nsnd(x.y) = y\nt = snd(b.0) == false", "couldn't match"),
    ("channel a\nchannel b : Bool\nE = {| a, b |}\nC(y) = {c.x | c.x <- E, x == y}",
     "couldn't match"),
    # desugaring rules
    ("f(xs ^ ys) = xs", "not a valid sequence pattern"),
    ("datatype X = Y.Int\nsubtype Z = Y.{0}.{1}", "has 1 field"),
])
def test_what_libcspm_refuses_is_refused(text, words):
    with pytest.raises(CspmTypeError, match=words):
        check(text)


@pytest.mark.parametrize(("text", "words"), [
    ("P = {x | x <- {0..1}, x <- {0..1}}", "bound by two generators"),
    ("channel c : {0}\nP(x) = x?y$z -> STOP", "must come before"),
])
def test_statements_and_fields_in_the_wrong_shape_are_refused(text, words):
    with pytest.raises(CspmScopeError, match=words):
        check(text)


@pytest.mark.parametrize("text", [
    "S = {{STOP}, {SKIP}}",  # sets of sets of processes are fine
    "f(<x> ^ ys ^ <z>) = ys",  # one open part
    "datatype Z = A.{0,1}.{0,1}\ndatatype Y = X.{A.0.1, A.1.0}\nt = member(X.A.0.1, Y)",
    "channel c\nchannel d : {0}\nP1 = STOP \\ {c} ||| STOP\nP2 = STOP |\\ {c} [] STOP",
])
def test_what_libcspm_accepts_is_accepted(text):
    check(text)
