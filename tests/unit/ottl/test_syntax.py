import pytest

from cspotlp.errors import OttlSyntaxError
from cspotlp.ottl.syntax import (
    MAX_DEPTH,
    Arith,
    BoolOp,
    Call,
    Compare,
    Enum,
    ListExpr,
    Literal,
    MapExpr,
    Path,
    Source,
    go_unquote,
    parse_condition,
    parse_statement,
    parse_value,
)


def test_statement_with_where_clause():
    s = parse_statement('set(attributes["test"], "pass") where name == "operationA"')
    assert s.editor.name == "set"
    target, value = (a.value for a in s.editor.args)
    assert isinstance(target, Path) and target.fields[0].name == "attributes"
    assert target.fields[0].keys == (Literal("test", target.fields[0].keys[0].pos),)
    assert value.value == "pass"
    assert isinstance(s.where, Compare) and s.where.op == "=="


def test_precedence_not_and_or_and_arithmetic():
    c = parse_condition("not a == 1 and b == 2 or c == 1 + 2 * 3")
    assert isinstance(c, BoolOp) and c.op == "or"
    left, right = c.operands
    assert left.op == "and" and left.operands[0].op == "not"
    rhs = right.right
    assert isinstance(rhs, Arith) and rhs.op == "+" and rhs.right.op == "*"


def test_literals_of_every_kind():
    v = parse_value('{"a": [1, -2, 2.5, .5, 0x0a0B, true, false, nil, SPAN_KIND_SERVER, "x"]}')
    assert isinstance(v, MapExpr)
    items = v.items[0][1].items
    assert [i.value for i in items[:8]] == [1, -2, 2.5, 0.5, b"\n\x0b", True, False, None]
    assert isinstance(items[8], Enum) and items[8].name == "SPAN_KIND_SERVER"


def test_converter_with_named_args_and_index():
    v = parse_value('Split(resource.attributes["host.name"], "h")[1]')
    assert isinstance(v, Call) and v.keys[0].value == 1
    s = parse_statement('flatten(attributes, "test", resolveConflicts=true)')
    assert [a.name for a in s.editor.args] == [None, None, "resolveConflicts"]


def test_subtraction_needs_no_space_after_a_value():
    v = parse_value("end_time_unix_nano -1")
    assert isinstance(v, Arith) and v.op == "-"


@pytest.mark.parametrize(("quoted", "value"), [
    (r'"plain"', "plain"), (r'"a\"b"', 'a"b'), (r'"\\"', "\\"), (r'"\\\\"', "\\\\"),
    (r'"\n\t"', "\n\t"), (r'"\u00e9\x41\101"', "éAA"), (r'"\U0001F600"', "\U0001F600"),
])
def test_go_string_escapes(quoted, value):
    assert go_unquote(quoted) == value


@pytest.mark.parametrize("bad", [r'"\d"', r'"\x4"', r'"\uD800"', r'"\400"'])
def test_bad_escapes_are_refused(bad):
    with pytest.raises(ValueError):
        go_unquote(bad)


@pytest.mark.parametrize(("text", "col", "words"), [
    ('set(attributes["k"], "v"', 25, "unexpected end of statement"),
    ('Set(attributes["k"], "v")', 1, "editor, whose name is lowercase"),
    ('set(x, "\\d")', 8, "unknown escape \\d"),
    ("set(x, 0x123)", 8, "odd number of hex digits"),
    ("set(x, 1) where", 16, "unexpected end of statement"),
    ("set(x, 1) where name = 2", 22, "unexpected '='"),
    ("set(x, 99999999999999999999)", 8, "does not fit in 64 bits"),
    ("set(x, 1) # comment", 11, "unexpected character '#'"),
])
def test_syntax_errors_are_located(text, col, words):
    with pytest.raises(OttlSyntaxError) as e:
        parse_statement(text, Source("f.ottl", 7, 3, "  " + text))
    assert str(e.value).startswith(f"f.ottl:7:{col + 2}: ")
    assert words in str(e.value)
    assert e.value.report().endswith("^")


def test_nesting_is_bounded_with_a_located_error():
    deep = "[" * (MAX_DEPTH + 5) + "1" + "]" * (MAX_DEPTH + 5)
    with pytest.raises(OttlSyntaxError, match="nested .* levels deep"):
        parse_statement(f"set(attributes[\"k\"], {deep})")
    ok = "[" * (MAX_DEPTH - 5) + "1" + "]" * (MAX_DEPTH - 5)
    assert isinstance(parse_statement(f"set(x, {ok})").editor.args[1].value, ListExpr)


def test_redundant_parentheses_cost_no_depth():
    v = parse_value("(" * 500 + "1" + ")" * 500)
    assert v.value == 1
