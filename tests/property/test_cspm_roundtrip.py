"""Printing a CSPm tree and parsing the text back gives the same tree."""

from hypothesis import given

from cspotlp.cspm import ast, ast_equal, parse_expr, parse_script, print_expr, print_script
from cspotlp.cspm.printer import print_pattern
from tests.strategies_cspm import expressions, patterns, scripts


def _show(node: ast.Node, text: str) -> str:
    return f"printed:\n{text}"


@given(expressions)
def test_printed_expression_reparses_to_the_same_tree(e: ast.Exp) -> None:
    text = print_expr(e)
    assert ast_equal(parse_expr(text), e), _show(e, text)


@given(patterns)
def test_printed_pattern_reparses_to_the_same_pattern(p: ast.Pat) -> None:
    text = f"f({print_pattern(p)}) = 0"
    decl = parse_script(text).decls[0]
    assert isinstance(decl, ast.FunBind)
    assert ast_equal(decl.clauses[0].params[0][0], p), text


@given(scripts)
def test_printed_script_reparses_to_the_same_script(s: ast.Script) -> None:
    text = print_script(s)
    assert ast_equal(parse_script(text), s), _show(s, text)


@given(scripts)
def test_printing_is_a_fixed_point(s: ast.Script) -> None:
    text = print_script(s)
    assert print_script(parse_script(text)) == text
