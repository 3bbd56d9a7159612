import pytest

from cspotlp.cspm.lexer import tokenize
from cspotlp.errors import CspmSyntaxError


def kinds(text: str) -> list[str]:
    return [t.type for t in tokenize(text, "t.csp")]


def test_newline_separates_definitions():
    assert kinds("P = a\nQ = b") == ["NAME", "EQ", "NAME", "_NL", "NAME", "EQ", "NAME"]


@pytest.mark.parametrize(
    "text",
    [
        "P = a ->\n  STOP",  # operator at the end of the line
        "P = a\n  -> STOP",  # operator at the start of the next line
        "P = STOP\n[] STOP",  # choice at the start of a line (phone.csp style)
        "P = (a\n  b)",  # inside brackets newlines never count
        "P =\n  STOP",
        "P = if b\n then STOP\n else SKIP",
    ],
)
def test_newlines_inside_a_definition_are_dropped(text):
    assert "_NL" not in kinds(text)


def test_newlines_between_let_declarations_count_even_inside_brackets():
    ks = kinds("P = (let\n  A = 1\n  B = 2\n within A)")
    assert ks.count("_NL") == 1
    assert ks.index("_NL") < ks.index("WITHIN")


def test_blank_lines_and_comments_collapse_to_one_separator():
    assert kinds("P = a -- note\n\n{- block\n -}\n\nQ = b").count("_NL") == 1


def test_less_than_after_an_operand_and_sequence_elsewhere():
    assert kinds("x < y") == ["NAME", "LT", "NAME"]
    assert kinds("<x, y>") == ["SEQ_OPEN", "NAME", "COMMA", "NAME", "SEQ_CLOSE"]
    assert kinds("f(<>)") == ["NAME", "LPAR", "EMPTY_SEQ", "RPAR"]
    assert kinds("< >") == ["EMPTY_SEQ"]


def test_greater_than_closes_the_innermost_sequence_only():
    assert kinds("<(x > y)>") == ["SEQ_OPEN", "LPAR", "NAME", "GT", "NAME", "RPAR", "SEQ_CLOSE"]
    assert kinds("<x | x <- <0..>>")[-2:] == ["SEQ_CLOSE", "SEQ_CLOSE"]


def test_plus_bracket_is_not_a_synchronising_choice_inside_a_link():
    ks = kinds("[c.i <-> c.i+1]")
    assert "RSYNCEXT" not in ks
    assert ks[-3:] == ["PLUS", "INT", "RBRACK"]
    assert "RSYNCEXT" in kinds("P [+ A +] Q")


def test_map_brackets_and_replicated_operators_in_parentheses():
    assert kinds("(| 1 => 2 |)") == ["LMAP", "INT", "MAPSTO", "INT", "RMAP"]
    assert kinds("(||| x : S @ P)")[:2] == ["LPAR", "INTERLEAVE"]
    assert kinds("(|~| x : S @ P)")[:2] == ["LPAR", "INTCHOICE"]


def test_refinements_and_assertion_properties_are_single_tokens():
    ts = tokenize("assert not P [FD= Q :[tau priority over]: {}", "t.csp")
    assert [t.type for t in ts] == [
        "ASSERT", "ASSERT_NOT", "NAME", "REFINES", "NAME", "TAU_PRIORITY", "LBRACE", "RBRACE",
    ]
    assert ts[3].value == "FD"
    prop = tokenize("assert P :[deadlock-free [F]]", "t.csp")[-1]
    assert (prop.type, prop.value) == ("PROPERTY", "deadlock free|F")
    trace = tokenize("assert P :[has trace [T]]: <a>", "t.csp")[2]
    assert (trace.type, trace.value) == ("HAS_TRACE", "T")


def test_literals_with_escapes_and_primed_names():
    ts = tokenize(r"""f('\'', "a\"b", x'')""", "t.csp")
    assert [(t.type, t.value) for t in ts if t.type in ("CHAR", "STRING", "NAME")] == [
        ("NAME", "f"), ("CHAR", "'"), ("STRING", 'a"b'), ("NAME", "x''"),
    ]


def test_include_reads_its_file_name():
    (t,) = tokenize('include "lib/x.csp"', "t.csp")
    assert (t.type, t.value) == ("INCLUDE", "lib/x.csp")


def test_positions_are_one_based_with_tabs_counting_one_column():
    ts = tokenize("P =\n\t\tx", "t.csp")
    assert (ts[-1].line, ts[-1].column) == (2, 3)


@pytest.mark.parametrize(
    ("text", "line", "col", "words"),
    [
        ("P = 'ab'", 1, 5, "exactly one character"),
        ('P = "abc', 1, 5, "unterminated string"),
        ("P = {- never closed", 1, 5, "unterminated comment"),
        ("P = a ~ b", 1, 7, "unexpected character '~'"),
        ("P = x\nQ = €", 2, 5, "unexpected character"),
        ("include x.csp", 1, 1, "double quotes"),
        ("assert P :[frobnicated]", 1, 10, "unknown assertion property"),
    ],
)
def test_lexical_errors_are_located(text, line, col, words):
    with pytest.raises(CspmSyntaxError) as info:
        tokenize(text, "t.csp")
    err = info.value
    assert err.location is not None
    assert (err.location.line, err.location.column) == (line, col)
    assert words in err.message


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        ("module M\nexports\nendmodule", ["MODULE", "NAME", "_NL", "EXPORTS", "_NL", "ENDMODULE"]),
        ("f :: (Int) -> Int", ["NAME", "OFTYPE", "LPAR", "NAME", "RPAR", "ARROW", "NAME"]),
        ("g :: a => b =>* c", ["NAME", "OFTYPE", "NAME", "YIELD", "NAME", "YIELDSTAR", "NAME"]),
        ("x = M::N::y", ["NAME", "EQ", "NAME"]),
        ("print 1 + 2", ["PRINT"]),
        ("assert P [T= Q :[partial order reduce]", ["ASSERT", "NAME", "REFINES", "NAME",
                                                   "PARTIAL_ORDER"]),
        ("Timed {\nP = a -> P\nQ = P\n}", ["TIMED", "LBRACE", "NAME", "EQ", "NAME", "ARROW",
                                             "NAME", "_NL", "NAME", "EQ", "NAME", "RBRACE"]),
    ],
)
def test_fdr4_constructs_have_their_tokens(text, kinds):
    assert [t.type for t in tokenize(text, "t.csp")] == kinds


def test_a_type_annotation_ends_with_its_declaration():
    # '=>' is the dotable arrow in the type, a map's arrow again on the next line
    kinds = [t.type for t in tokenize("f :: a => b\nm = (| 1 => 2 |)", "t.csp")]
    assert kinds.count("YIELD") == 1 and kinds.count("MAPSTO") == 1


def test_qualified_names_and_print_text_keep_their_spelling():
    toks = tokenize("print head(<x | x <- M::xs>)  \ny = M::N::z", "t.csp")
    assert (toks[0].type, str(toks[0])) == ("PRINT", "head(<x | x <- M::xs>)")
    assert str(toks[-1]) == "M::N::z"


def test_print_is_an_ordinary_name_inside_an_expression():
    assert kinds("P = print") == ["NAME", "EQ", "NAME"]
