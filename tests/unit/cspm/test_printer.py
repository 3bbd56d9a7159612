import dataclasses
import inspect
import os
import subprocess
import sys

import pytest

from cspotlp.cspm import ast, parse_expr, parse_script, print_expr, print_script
from cspotlp.cspm.printer import _EXP_HANDLERS
from tests.paths import needs_shared_data


@pytest.mark.parametrize(
    ("text", "printed"),
    [
        ("(a -> STOP) [] ((b -> STOP) |~| STOP)", "a -> STOP [] (b -> STOP |~| STOP)"),
        ("(a + b) * c", "(a + b) * c"),
        ("a + (b * c)", "a + b * c"),
        ("a - (b - c)", "a - (b - c)"),
        ("(if b then P else Q) [] R", "(if b then P else Q) [] R"),
        ("R [] (if b then P else Q)", "R [] if b then P else Q"),
        ("(a + (if b then 1 else 2)) + 3", "a + (if b then 1 else 2) + 3"),
        ("c.(x.y)", "c.x.y"),
        ("(c.x)!(y + 1) -> STOP", "c.x!y + 1 -> STOP"),
        ("c!(x -> STOP) -> STOP", "c!(x -> STOP) -> STOP"),
        ("<(x > y), x < y>", "<(x > y), x < y>"),
        ("- (- x)", "- -x"),
        ("{(-1)}", "{ -1}"),
        ("<(-1)>", "< -1>"),
        ("(P [| A |] Q) [| B |] R", "(P [| A |] Q) [| B |] R"),
        ("(\\ x @ x)(1)", "(\\ x @ x)(1)"),
        ("(P [[a <- b]])[[b <- c]]", "P[[a <- b]][[b <- c]]"),
    ],
)
def test_minimal_parentheses(text, printed):
    assert print_expr(parse_expr(text)) == printed


def test_let_is_laid_out_on_indented_lines():
    script = parse_script("P = let\n A = 1\n B = let C = 2 within C\nwithin A + B\n", "l.csp")
    assert print_script(script) == (
        "P = let\n"
        "    A = 1\n"
        "    B = let\n"
        "        C = 2\n"
        "      within C\n"
        "  within A + B\n"
    )


def test_assertions_print_in_canonical_form():
    text = (
        "assert (not b) [T= P\nassert not P [FD= Q :[tau priority over]: {}\n"
        "assert P :[livelock-free]\nassert P :[has trace]: <a>\n"
    )
    assert print_script(parse_script(text, "a.csp")) == (
        "assert (not b) [T= P\n\n"
        "assert not P [FD= Q :[tau priority]: {}\n\n"
        "assert P :[divergence free]\n\n"
        "assert P :[has trace]: <a>\n"
    )


def test_literals_are_escaped():
    e = ast.TupleExp((ast.CharLit("'"), ast.StringLit('a"\\\n'), ast.CharLit("\t")))
    text = print_expr(e)
    assert text == "('\\'', \"a\\\"\\\\\\n\", '\\t')"
    reparsed = parse_expr(text)
    assert isinstance(reparsed, ast.TupleExp)
    assert [x.value for x in reparsed.items] == ["'", 'a"\\\n', "\t"]


def test_every_expression_class_has_a_printer():
    exp_classes = {
        cls for _, cls in inspect.getmembers(ast, inspect.isclass)
        if issubclass(cls, ast.Exp) and cls is not ast.Exp and dataclasses.is_dataclass(cls)
    }
    assert exp_classes == set(_EXP_HANDLERS)


@needs_shared_data
def test_output_does_not_depend_on_hash_seed(tmp_path):
    program = (
        "from cspotlp.cspm import parse_file, print_script\n"
        "import sys\n"
        "print(print_script(parse_file(sys.argv[1])), end='')\n"
    )
    from tests.paths import CSPM_DATA, REPO

    target = CSPM_DATA / "libcspm" / "prettyprinter" / "should_pass" / "phone.csp"
    outputs = set()
    for seed in ("1", "2"):
        run = subprocess.run(
            [sys.executable, "-c", program, str(target)],
            capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(REPO)},
            check=True,
        )
        outputs.add(run.stdout)
    assert len(outputs) == 1
    text = outputs.pop()
    assert text.endswith("\n") and "\r" not in text
