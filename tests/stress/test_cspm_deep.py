"""Deep and large CSPm inputs: nothing in the front end may recurse on the input's depth."""

import pytest

from cspotlp.cspm import ast, ast_equal, check_script, node_count, parse_script, print_script

pytestmark = pytest.mark.slow


def _round_trip(text: str) -> ast.Script:
    script = parse_script(text, "deep.csp")
    check_script(script)
    printed = print_script(script)
    assert ast_equal(parse_script(printed, "printed.csp"), script)
    return script


def test_fifty_thousand_deep_prefix_chain():
    depth = 50_000
    text = "channel a\n\nP = " + "a -> " * depth + "STOP\n"
    script = parse_script(text, "deep.csp")
    checked = check_script(script)
    body = script.decls[1].body
    levels = 0
    while isinstance(body, ast.Prefix):
        levels += 1
        body = body.body
    assert levels == depth
    assert len(checked.types) > 2 * depth
    # The text is already in printed form, so printing gives it back exactly.
    assert print_script(script) == text


def test_deeply_nested_parentheses_and_choices():
    n = 10_000
    nested = "P = " + "(STOP [] " * n + "SKIP" + ")" * n + "\n"
    script = _round_trip(nested)
    assert node_count(script) > 2 * n
    assert _round_trip("P = " + "STOP [] " * n + "SKIP\n")


def test_deep_if_and_let_nesting():
    n = 3_000
    _round_trip("f(x) = " + "if x == 0 then 0 else " * n + "1\n")
    _round_trip("v = " + "let y = 1 within " * n + "y\n")


def test_long_sequences_and_inputs():
    _round_trip("s = <" + ", ".join(str(i) for i in range(10_000)) + ">\n")
    _round_trip("channel c : {0..1}\nP = " + "".join(f"c?x{i} -> " for i in range(3_000)) + "STOP\n")
