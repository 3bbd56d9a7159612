from pathlib import Path

import pytest

from cspotlp.cspm import ast, fold, parse_expr, parse_file, parse_script
from cspotlp.errors import CspmSyntaxError, CspmUnsupported


def sx(e: ast.Node) -> str:
    """A compact s-expression showing how an expression was grouped."""

    def combine(node: ast.Node, kids: list[str]) -> str:
        if isinstance(node, ast.Var):
            return node.name
        if isinstance(node, ast.IntLit):
            return str(node.value)
        if isinstance(node, ast.PVar):
            return node.name
        op = getattr(node, "op", None)
        head = op.value if op is not None else type(node).__name__
        return f"({head} {' '.join(kids)})"

    return fold(e, combine)


@pytest.mark.parametrize(
    ("text", "shape"),
    [
        ("a + b * c", "(+ a (* b c))"),
        ("a - b - c", "(- (- a b) c)"),
        ("-a * b", "(* (- a) b)"),
        ("#s ^ t", "(# (^ s t))"),
        ("#s - 1", "(- (# s) 1)"),
        ("not a and b", "(and (not a) b)"),
        ("not a == b", "(not (== a b))"),
        ("a or b and c", "(or a (and b c))"),
        ("c.x + 1", "(DotExp c (+ x 1))"),
        ("ring.(n+1)%M", "(DotExp ring (% (+ n 1) M))"),
        ("a -> b -> STOP", "(Prefix a (Prefix b STOP))"),
        ("a -> P [] b -> Q", "([] (Prefix a P) (Prefix b Q))"),
        ("P [] Q |~| R", "(|~| ([] P Q) R)"),
        ("P |~| Q [] R", "(|~| P ([] Q R))"),
        ("P ; Q [] R", "([] (; P Q) R)"),
        ("P /\\ Q [> R", "(/\\ P ([> Q R))"),
        ("P ||| Q [| A |] R", "(||| P (GenPar Q A R))"),
        # libcspm (and so FDR) reads "P \ A op Q" as "(P \ A) op Q"
        ("P \\ A ||| Q", "(||| (Hide P A) Q)"),
        ("P \\ A [] B ||| Q", "(||| ([] (Hide P A) B) Q)"),
        ("P |\\ A [| B |] Q", "(GenPar (Project P A) B Q)"),
        ("P [| A |] Q \\ B", "(Hide (GenPar P A Q) B)"),
        ("b & a -> P", "(Guard b (Prefix a P))"),
        ("P [[a <- b]] [] Q", "([] (Rename P a b) Q)"),
        ("f(x)(y)", "(App (App f x) y)"),
        ("a -> if b then P else Q [] R", "(Prefix a (If b P ([] Q R)))"),
        ("STOP |~| |~| x : S @ x -> P", "(|~| STOP (|~| (Generator x S) (Prefix x P)))"),
        ("\\x @ x + 1", "(Lambda x (+ x 1))"),
    ],
)
def test_precedence_and_associativity(text, shape):
    assert sx(parse_expr(text)) == shape


@pytest.mark.parametrize(
    "text",
    ["P [| A |] Q [| B |] R", "a == b == c", "a < b < c"],
)
def test_non_associative_operators_need_parentheses(text):
    with pytest.raises(CspmSyntaxError):
        parse_expr(text)


def test_every_process_operator_parses():
    text = """
channel a, b : {0..1}
P1 = STOP [] SKIP |~| DIV ; RUN({|a|}) ||| CHAOS(Events)
P2 = a!0 -> b?x -> a.x?y:{0} -> b$z -> STOP
P3 = true & P1 [| {|a|} |] P2 [> P1 /\\ P2
P4 = P1 [{|a|} || {|b|}] P2
P5 = P1 [a <-> b] P2
P6 = P1 [a.x <-> b.x | x <- {0..1}] P2
P7 = P1 [[a <- b, b <- a]] [[a.x <- b.x | x <- {0}]]
P8 = P1 [| {|a|} |> P2
P9 = P1 [+ {|a|} +] P2 /+ {|b|} +\\ P1
P10 = P1 \\ {|a|} |\\ {|b|}
R1 = [] x : {0,1} @ a.x -> STOP
R2 = |~| x : {0,1} @ a.x -> STOP
R3 = ||| x : {0,1} @ a.x -> STOP
R4 = ; x : <0,1> @ a.x -> SKIP
R5 = || x : {0,1} @ [{a.x}] a.x -> STOP
R6 = [| {|a|} |] x : {0,1} @ a.x -> STOP
R7 = [a <-> b] x : <0,1> @ STOP
R8 = [a.y <-> b.y | y <- {0}] x : <0,1> @ STOP
R9 = [+ {|a|} +] x : {0,1} @ a.x -> STOP
"""
    script = parse_script(text, "ops.csp")
    kinds = {type(n).__name__ for d in script.decls for n in _nodes(d)}
    for kind in ("ProcBinary", "Prefix", "Guard", "GenPar", "AlphaPar", "LinkPar", "Rename",
                 "ExceptionOp", "SyncExtChoice", "SyncInterrupt", "Hide", "Project",
                 "Replicated", "RepAlphaPar", "RepGenPar", "RepLinkPar", "RepSyncExtChoice",
                 "Input", "NondetInput", "Output"):
        assert kind in kinds, kind


def _nodes(root: ast.Node):
    from cspotlp.cspm import walk

    return walk(root)


def test_values_and_comprehensions_parse():
    text = """
xs = <1..3> ^ <x | x <- <0..>, x % 2 == 0> ^ <>
s = union({1, 2}, {x * x | x <- {0..9}})
e = {| c.x | x <- {0..1} |}
m = (| 1 => true, 2 => false |)
t = (1, 'c', "str", -3)
r = {0..}
l = \\ x, y @ x + y
"""
    decls = parse_script(text, "v.csp").decls
    assert [type(d.body).__name__ for d in decls] == [
        "BinaryOp", "App", "EnumSetComp", "MapExp", "TupleExp", "SetRange", "Lambda",
    ]


def test_function_equations_merge_and_patterns_convert():
    script = parse_script(
        "f(<>) = 0\nf(<x>^xs) = 1 + f(xs)\nf(_) = -1\ng(x@@(a, b), {y}, 0.z, -2)(c) = a\n",
        "p.csp",
    )
    f, g = script.decls
    assert isinstance(f, ast.FunBind) and len(f.clauses) == 3
    assert isinstance(f.clauses[1].params[0][0], ast.PConcat)
    assert isinstance(f.clauses[2].params[0][0], ast.PWild)
    assert isinstance(g, ast.FunBind)
    kinds = [type(p).__name__ for p in g.clauses[0].params[0]]
    assert kinds == ["PDouble", "PSet", "PDot", "PInt"]
    assert g.clauses[0].params[0][3].value == -2
    assert len(g.clauses[0].params) == 2


def test_declarations_of_every_kind():
    text = """
channel a, b
channel c : {0..1}.Bool
datatype T = A | B.{0..2}.Bool
subtype S = A
nametype N = {0..3}
transparent normal, diamond
external chase
assert P [T= Q
assert not P [FD= Q :[tau priority]: {|a|}
assert P :[deterministic [F]]
assert P :[divergence free]
assert P :[has trace [T]]: <a, b>
"""
    kinds = [type(d).__name__ for d in parse_script(text, "d.csp").decls]
    assert kinds == [
        "ChannelDecl", "ChannelDecl", "DataTypeDecl", "SubTypeDecl", "NameTypeDecl",
        "TransparentDecl", "ExternalDecl", "AssertDecl", "AssertDecl", "AssertDecl",
        "AssertDecl", "AssertDecl",
    ]


def test_spans_cover_the_source():
    script = parse_script("channel c\nP = c -> STOP\n", "s.csp")
    decl = script.decls[1]
    assert (decl.span.line, decl.span.column) == (2, 1)
    assert isinstance(decl, ast.PatBind)
    body = decl.body
    assert (body.span.line, body.span.column, body.span.end_column) == (2, 5, 14)
    assert body.span.file == "s.csp"


@pytest.mark.parametrize(
    ("text", "line", "col", "words"),
    [
        ("P = card(inter({0,2,3}, {1,2,4})))", 1, 34, "unexpected ')'"),
        ("2", 1, 2, "end of file"),
        ("P = a ->", 1, 9, "end of file"),
        ("P = STOP\nQ = (STOP", 2, 10, "end of file"),
        ("P = let\n  channel c\n within STOP", 2, 3, "not allowed inside"),
        ("P = _ + 1", 1, 5, "'_' may only appear in a pattern"),
        ("f(x + 1) = 2", 1, 3, "not a valid pattern"),
        ("P = {x, y} \nf({x, y}) = 1", 2, 3, "singleton"),
        ("1 + 1 = 2", 1, 1, "not a valid pattern"),
        ("P = STOP\n< = 1", 2, 3, "unexpected '='"),
    ],
)
def test_syntax_errors_are_located(text, line, col, words):
    with pytest.raises(CspmSyntaxError) as info:
        parse_script(text, "e.csp")
    loc = info.value.location
    assert loc is not None
    assert (loc.file, loc.line, loc.column) == ("e.csp", line, col)
    assert words in info.value.message
    assert "^" in info.value.report()


def test_include_is_inlined_relative_to_the_including_file(tmp_path: Path):
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "defs.csp").write_text('channel a\ninclude "more.csp"\n')
    (tmp_path / "lib" / "more.csp").write_text("Q = a -> STOP\n")
    main = tmp_path / "main.csp"
    main.write_text('include "lib/defs.csp"\nP = a -> Q\n')
    script = parse_file(main)
    assert [type(d).__name__ for d in script.decls] == ["ChannelDecl", "PatBind", "PatBind"]
    assert script.decls[1].span.file.endswith("more.csp")
    assert len(script.sources) == 3


def test_include_cycles_and_missing_files_are_errors(tmp_path: Path):
    (tmp_path / "a.csp").write_text('include "b.csp"\n')
    (tmp_path / "b.csp").write_text('P = STOP\ninclude "a.csp"\n')
    with pytest.raises(CspmSyntaxError, match="include cycle"):
        parse_file(tmp_path / "a.csp")
    (tmp_path / "c.csp").write_text('include "nope.csp"\n')
    with pytest.raises(CspmSyntaxError) as info:
        parse_file(tmp_path / "c.csp")
    assert info.value.location is not None and info.value.location.line == 1
    with pytest.raises(CspmSyntaxError, match="cannot read"):
        parse_file(tmp_path / "missing.csp")


def test_include_in_text_is_kept_and_reported_as_unsupported_when_checked():
    from cspotlp.cspm import check_script

    script = parse_script('include "x.csp"\n', "t.csp")
    assert isinstance(script.decls[0], ast.IncludeDecl)
    with pytest.raises(CspmUnsupported, match="parse_file"):
        check_script(script)


def test_deep_nesting_parses_without_recursion():
    text = "P = " + "(" * 3000 + "STOP" + ")" * 3000
    decl = parse_script(text, "deep.csp").decls[0]
    assert isinstance(decl, ast.PatBind) and isinstance(decl.body, ast.Var)
