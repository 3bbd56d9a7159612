import pytest

from cspotlp.cspm import TypePrinter, ast, check_script, parse_script, walk
from cspotlp.errors import CspmTypeError


def types_of(text: str) -> dict[str, str]:
    checked = check_script(parse_script(text, "t.csp"))
    out: dict[str, str] = {}
    for b, scheme in checked.schemes.items():
        if b.decl is not None and b.name not in out:
            out[b.name] = TypePrinter().show_scheme(scheme.body)
    return out


@pytest.mark.parametrize(
    ("text", "name", "shown"),
    [
        ("fst((x, y)) = x", "fst", "((a, b)) -> a"),
        ("id(x) = x\nP = id(STOP)\nn = id(1)", "id", "(a) -> a"),
        ("eq(x, y) = x == y", "eq", "Eq a => (a, a) -> Bool"),
        ("lt(x, y) = x < y", "lt", "Ord a => (a, a) -> Bool"),
        ("s(x) = {x}", "s", "Set a => (a) -> {a}"),
        ("len(<>) = 0\nlen(<_>^xs) = 1 + len(xs)", "len", "(<a>) -> Int"),
        ("f(x)(y) = x + y", "f", "(Int) -> (Int) -> Int"),
        ("c(x) = \\ y @ (x, y)", "c", "(a) -> (b) -> (a, b)"),
        ("channel c : {0..3}.Bool", "c", "Int=>Bool=>Event"),
        ("datatype T = A | B.{0..1}.Bool", "B", "Int=>Bool=>T"),
        ("datatype T = A | B.{0..1}.Bool", "T", "{T}"),
        ("nametype N = {0..1}.{true}", "N", "{Int.Bool}"),
        ("channel c : {0..1}.{0..1}\nP = c?x -> STOP", "P", "Proc"),
        ("channel c : {0..1}\nA = {| c |}", "A", "{Event}"),
        ("m = (| 1 => true |)", "m", "(|Int => Bool|)"),
        ("lb(i, o) = i?x -> o!x -> lb(i, o)", "lb", "Complete a => (a=>Event, a=>Event) -> Proc"),
        ("transparent normal\nP = normal(STOP)", "P", "Proc"),
    ],
)
def test_inferred_types(text, name, shown):
    assert types_of(text)[name] == shown


def test_inputs_take_the_remaining_fields_longest_match_last():
    text = (
        "channel a : {0..1}.{0..1}.{0..1}\n"
        "P = a?x -> a?y?z -> a?p.q -> STOP\n"
    )
    checked = check_script(parse_script(text, "t.csp"))
    shown = {
        n.name: TypePrinter().show(checked.types[n])
        for n in walk(checked.script) if isinstance(n, ast.PVar) and n.name != "P"
    }
    assert shown == {"x": "Int.Int.Int", "y": "Int", "z": "Int.Int", "p": "Int", "q": "Int.Int"}


def test_polymorphic_definitions_are_used_at_several_types():
    types_of("pair(x) = (x, x)\na = pair(1)\nb = pair(true)\nc = pair(STOP)\n")


@pytest.mark.parametrize(
    ("text", "line", "col", "words"),
    [
        ("P = STOP [] 1\n", 1, 13, "expected type Proc with actual type Int"),
        ("P = 1 + true\n", 1, 9, "expected type Int with actual type Bool"),
        ("b = STOP == STOP\n", 1, 5, "the type Proc does not have the constraint Eq"),
        ("b = true < false\n", 1, 5, "does not have the constraint Ord"),
        ("channel c : Proc\n", 1, 1, "constraint Eq"),
        ("X = {}\nchannel c : X\n", 2, 1, "the channel c has a polymorphic type"),
        ("channel c : {0}\nP = c.true -> STOP\n", 2, 5, "Int"),
        ("channel a : Bool\nchannel c : Int.Bool\nP = STOP [[ a <- c ]]\n", 3, 18,
         "expected type Bool with actual type Int.Bool"),
        ("f(x) = x(x)\n", 1, 10, "infinite type"),
        ("unused = <1, true>\n", 1, 14, "expected type Int with actual type Bool"),
        ("datatype T = A | B\nA = 1\n", 2, 1, "T"),
        ("channel a\nchannel b : {0}\nassert STOP :[has trace]: <a, b>\n", 3, 31, "Int=>Event"),
        ("P = {| 1 |}\n", 1, 8, "Yieldable"),
        ("f = \\ x @ x\nP = f(1, 2)\n", 2, 5, "expected type (a, b) -> c"),
    ],
)
def test_type_errors_are_located(text, line, col, words):
    with pytest.raises(CspmTypeError) as info:
        check_script(parse_script(text, "t.csp"))
    loc = info.value.location
    assert loc is not None and (loc.line, loc.column) == (line, col), info.value
    assert words in info.value.message


def test_ill_typed_definitions_are_rejected_even_when_unused():
    with pytest.raises(CspmTypeError):
        check_script(parse_script("P = STOP\nQ = head(1)\n", "t.csp"))


def test_a_long_prefix_chain_typechecks_iteratively():
    text = "channel a\nP = " + "a -> " * 5000 + "STOP\n"
    checked = check_script(parse_script(text, "long.csp"))
    assert len(checked.types) > 10000


def test_absurdly_deep_types_are_reported_as_unsupported_not_crashes():
    from cspotlp.errors import CspmUnsupported

    text = "ok = 1\nx = " + "<" * 1500 + "1" + ">" * 1500 + "\n"
    with pytest.raises(CspmUnsupported) as info:
        check_script(parse_script(text, "t.csp"))
    assert str(info.value).startswith("t.csp:2:1: unsupported construct")
