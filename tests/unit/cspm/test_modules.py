"""FDR4's modules: ``module M(params) ... exports ... endmodule`` and ``instance N = M(args)``."""

from __future__ import annotations

import pytest

from cspotlp.cspm import check_script, parse_script, print_process_graph, print_script
from cspotlp.cspm.evaluate import load_text
from cspotlp.errors import CspmScopeError, CspmSyntaxError, CspmTypeError

NESTED = """\
module X
    g = 4
    channel b : Bool
exports
    f = g + 1
    channel c : Bool
    h(c.true) = true
    h(c.false) = false
    module Y
        p = 1
    exports
        z = (p, f)
    endmodule
    l = Y::z
endmodule
t = (X::f, X::h(X::c.true), X::l, X::Y::z)
"""


def test_exports_are_qualified_and_see_the_private_names():
    loaded = load_text(NESTED, "m.csp")
    assert loaded.value("t") == (5, True, (1, 5), (1, 5))


@pytest.mark.parametrize(("use", "words"), [
    ("X::g", "'g' is private to it"),
    ("X::Y::p", "'p' is private to it"),
    ("X::nothing", "'nothing' is not defined there"),
    ("X", "'X' is a module, not a value"),
])
def test_private_and_unknown_names_are_refused(use, words):
    with pytest.raises(CspmScopeError, match=words):
        check_script(parse_script(NESTED + f"u = {use}\n", "m.csp"))


PARAMETERISED = """\
P = STOP
module M(X)
    x = P
exports
    Y(v) = X == v
    channel c
    datatype D = K.X
    Q = c -> Q
endmodule
instance M1 = M({0})
instance M2 = M({1})
"""


def test_each_instance_has_its_own_parameters_channels_and_datatypes():
    loaded = load_text(PARAMETERISED + "t = (M1::Y({0}), M2::Y({0}), member(M1::K.0, M1::D))\n",
                       "p.csp")
    assert loaded.value("t") == (True, False, True)
    loaded.force_declarations()
    assert {"M1::c", "M2::c"} <= set(loaded.env.channels)
    graph = print_process_graph(loaded.process("M1::Q"), loaded.env)
    assert graph == "M1::Q = M1::c -> M1::Q\n\nM1::Q\n"


def test_the_datatypes_of_two_instances_differ():
    with pytest.raises(CspmTypeError, match="M1::D"):
        check_script(parse_script(PARAMETERISED + "t = (M1::K.0) == (M2::K.1)\n", "p.csp"))


@pytest.mark.parametrize(("text", "error", "words"), [
    ("instance N = M(0, 1)", CspmScopeError, "takes 1 argument"),
    ("instance N = M", CspmScopeError, "takes 1 argument"),
    ("t = M::Y", CspmScopeError, "parameterised module"),
    ("instance N = M(\\ _ @ 0)", CspmTypeError, "Eq"),
])
def test_instances_must_fit_their_module(text, error, words):
    with pytest.raises(error, match=words):
        check_script(parse_script(PARAMETERISED + text + "\n", "p.csp"))


def test_a_module_checks_its_body_before_any_instance():
    text = "module M(X)\nexports\n    y = X + true\nendmodule\n"
    with pytest.raises(CspmTypeError) as info:
        check_script(parse_script(text, "g.csp"))
    assert str(info.value).startswith("g.csp:3:")


@pytest.mark.parametrize("text", [
    "module M\nexports\n    y = N::y\nendmodule\ninstance N = M\n",
    "module M(_)\nexports\n    y = X\nendmodule\ninstance N = M(1)\nX = N::y\n",
])
def test_a_module_cannot_depend_on_its_own_instance(text):
    with pytest.raises(CspmScopeError, match="depends on its own instance"):
        check_script(parse_script(text, "c.csp"))


def test_instances_without_end_are_refused():
    text = ("module A(x)\nexports\n    instance I = B(1)\nendmodule\n"
            "module B(x)\nexports\n    instance J = A(1)\nendmodule\n")
    with pytest.raises(CspmScopeError, match="module instances without end"):
        check_script(parse_script(text, "r.csp"))


def test_nested_parameterised_modules_take_their_instance_path():
    text = ("module M(x)\nexports\n    module N(y)\n    exports\n        g = x + y\n"
            "    endmodule\nendmodule\ninstance X1 = M(5)\ninstance X2 = X1::N(7)\nt = X2::g\n")
    assert load_text(text, "n.csp").value("t") == 12


def test_transparent_functions_can_be_exported():
    text = "module M(X)\nexports\n    transparent normal\nendmodule\ninstance N = M({})\n" \
           "P = N::normal(STOP)\n"
    loaded = load_text(text, "t.csp")
    assert print_process_graph(loaded.process("P"), loaded.env) == "P = normal(STOP)\n\nP\n"


@pytest.mark.parametrize("text", [
    "module M\nexports\n    assert STOP [T= STOP\nendmodule\n",
    "module M()\nexports\nendmodule\n",
    "P = let\n        instance N = M\n    within STOP\n",
])
def test_what_cannot_stand_in_or_around_a_module_is_a_syntax_error(text):
    with pytest.raises(CspmSyntaxError):
        parse_script(text, "s.csp")


def test_modules_print_back_to_the_same_script():
    script = parse_script(PARAMETERISED, "p.csp")
    again = parse_script(print_script(script), "p2.csp")
    assert print_script(again) == print_script(script)
    assert "module M(X)" in print_script(script) and "instance M2 = M({1})" in print_script(script)
