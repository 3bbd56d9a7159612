import pytest

from cspotlp.cspm import Kind, ast, parse_script, resolve_script, walk
from cspotlp.errors import CspmScopeError


def resolve(text: str):
    script = parse_script(text, "s.csp")
    return script, resolve_script(script)


def uses(script, res, name):
    return [res.refs[n] for n in walk(script) if isinstance(n, ast.Var) and n.name == name]


def test_uses_link_to_their_definitions():
    script, res = resolve("channel c : {0..1}\nP = c?x -> c!x -> P\n")
    (c_decl, p_decl) = script.decls
    [p_use] = uses(script, res, "P")
    assert p_use.decl is p_decl and p_use.kind is Kind.VALUE
    assert {b.kind for b in uses(script, res, "c")} == {Kind.CHANNEL}
    [x_use] = uses(script, res, "x")
    assert x_use.kind is Kind.VARIABLE and x_use.decl is None


def test_constructors_in_patterns_match_rather_than_bind():
    script, res = resolve("datatype T = A | B.Bool\nf(A) = 0\nf(B.b) = 1\nf(A') = 2\n")
    pvars = [n for n in walk(script) if isinstance(n, ast.PVar)]
    assert [(p.name, res.is_constructor_pattern(p)) for p in pvars] == [
        ("A", True), ("B", True), ("b", False), ("A'", False),
    ]


def test_inputs_scope_over_later_fields_and_the_body_only():
    script, res = resolve("channel c : {0..1}.{0..1}\nx = 0\nP = c?x!x -> STOP\nQ = c!x?x -> STOP\n")
    xs = [n for n in walk(script) if isinstance(n, ast.Var) and n.name == "x"]
    kinds = [res.refs[n].kind for n in xs]
    assert kinds == [Kind.VARIABLE, Kind.VALUE]


def test_generators_scope_left_to_right():
    script, res = resolve("S = {y | x <- {1}, y <- {x}}\n")
    assert all(res.refs[n].kind is Kind.VARIABLE
               for n in walk(script) if isinstance(n, ast.Var) and n.name in ("x", "y"))
    with pytest.raises(CspmScopeError, match="unknown name 'y'"):
        resolve("S = {y | x <- {y}, y <- {1}}\n")


def test_dependencies_record_uses_within_the_group():
    script, res = resolve("channel a\nP = a -> Q\nQ = a -> P\nR = STOP\n")
    a, p, q, r = script.decls
    assert list(res.deps[p]) == [a, q]
    assert list(res.deps[q]) == [a, p]
    assert r not in res.deps


@pytest.mark.parametrize(
    ("text", "line", "col", "words"),
    [
        ("P = Q\n", 1, 5, "unknown name 'Q'"),
        ("P = 1\nP = 2\n", 2, 1, "'P' is defined more than once"),
        ("f(0) = 1\ng = 2\nf(1) = 3\n", 3, 1, "'f' is defined more than once"),
        ("channel a, a\n", 1, 12, "'a' is defined more than once"),
        ("datatype T = A | B\nchannel A\n", 2, 9, "'A' is defined more than once"),
        ("f(x, x) = x\n", 1, 6, "'x' is bound more than once"),
        ("channel c : {0}.{0}\nP = c?x?x -> STOP\n", 2, 9, "input twice"),
        ("P = normal(STOP)\n", 1, 5, "transparent normal"),
        ("P = chase(STOP)\n", 1, 5, "declared first"),
        ("transparent frob\n", 1, 13, "not an transparent function"),
        ("datatype T = A\nsubtype S = B\n", 2, 13, "unknown name 'B'"),
        ("X = 1\nsubtype S = X\n", 2, 13, "not a datatype constructor"),
        ("P = let x = 1 within y\n", 1, 22, "unknown name 'y'"),
    ],
)
def test_scope_errors_are_located(text, line, col, words):
    with pytest.raises(CspmScopeError) as info:
        resolve(text)
    loc = info.value.location
    assert loc is not None and (loc.line, loc.column) == (line, col)
    assert words in info.value.message


def test_transparent_declaration_brings_the_function_into_scope():
    script, res = resolve("transparent normal\nP = normal(STOP)\n")
    [use] = uses(script, res, "normal")
    assert use.kind is Kind.BUILTIN and isinstance(use.decl, ast.TransparentDecl)


def test_user_definitions_shadow_builtins():
    script, res = resolve("head(x) = x\nP = head(1)\n")
    [use] = uses(script, res, "head")
    assert use.kind is Kind.FUNCTION
