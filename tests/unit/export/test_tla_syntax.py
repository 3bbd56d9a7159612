from urllib.parse import unquote

import pytest

from cspotlp.export import encode_label, tla_comment, tla_identifier, tla_label, tla_string
from cspotlp.export.tla_syntax import RESERVED_WORDS, STANDARD_MODULES, module_text, wrap_items
from tests.tla_support import assert_parses, defined_value


@pytest.mark.parametrize("text", [
    "c.1.true", 'span_begin.1.0."a"', "τ", "✓", "a\\b", 'q"uote', "new\nline", "100%", "%25",
    "", " ", "tab\there", "\x00", "😀", "(* not a comment *)", "\\* neither",
])
def test_label_round_trips_through_a_module(text):
    module = module_text("M", [], [f"L == {tla_label(text)}"])
    assert_parses(module)
    assert module.isascii()
    assert defined_value(module, "L") == encode_label(text)
    assert unquote(encode_label(text)) == text


def test_printable_labels_stay_readable():
    assert encode_label("c.1.true") == "c.1.true"
    assert encode_label('span_begin.1.0."a"') == 'span_begin.1.0."a"'
    assert tla_label('span_begin.1.0."a"') == '"span_begin.1.0.\\"a\\""'
    assert tla_label("a\\b") == '"a\\\\b"'


def test_percent_is_always_escaped_so_reserved_labels_never_collide():
    for text in ["%tau", "%tick", "%none", "%"]:
        assert encode_label(text) == "%25" + text[1:]
    assert encode_label("τ") == "%CF%84"


def test_tla_string_refuses_unencoded_text():
    with pytest.raises(ValueError):
        tla_string("τ")
    with pytest.raises(ValueError):
        tla_string("a\nb")


def test_comments_cannot_open_or_close_block_comments_or_lines():
    for text in ["a *) b", "(* c", "x\ny", "\\* z", "é"]:
        comment = tla_comment(text)
        assert "(*" not in comment and "*)" not in comment and "\n" not in comment
        assert comment.isascii()
        assert_parses(module_text("M", [], [comment, "X == 1"]))


@pytest.mark.parametrize("name, expected", [
    ("VMS", "VMS"), ("DiningPhilosophers3", "DiningPhilosophers3"), ("PHIL(0)", "PHIL_x28_0_x29_"),
    ("a_b", "a__b"), ("_", "I___"), ("TLC", "I_TLC"), ("naturals", "I_naturals"), ("123", "I_123"),
    ("MODULE", "I_MODULE"), ("WF_x", "I_WF__x"), ("", "I_"), ("Ω", "_x3a9_"),
])
def test_identifiers(name, expected):
    assert tla_identifier(name) == expected
    assert_parses(module_text(tla_identifier(name), [], ["X == 1"]))


def test_identifiers_avoid_reserved_words_and_standard_modules():
    for word in sorted(RESERVED_WORDS | STANDARD_MODULES):
        ident = tla_identifier(word)
        assert ident.lower() != word.lower()
        assert ident.startswith("I_")


def test_identifiers_are_injective_on_tricky_names():
    names = ["a_b", "a__b", "a-b", "a_x2d_b", "I_TLC", "TLC", "I__TLC", "_x41_", "A", "x41", "I_",
             "", "_", "__", "WF_", "WF__", "I_WF__", "wf_", "Tlc", "tlc"]
    idents = [tla_identifier(n) for n in names]
    assert len(set(idents)) == len(names)


def test_module_text_refuses_unsafe_header_lines():
    for bad in ["a (* b", "a *) b", "é", "a\nb"]:
        with pytest.raises(ValueError):
            module_text("M", [bad], [])


def test_wrap_items_keeps_every_item_once():
    items = [f"<<{i}, {i * 7}>>" for i in range(50)]
    lines = wrap_items(items, "    ", width=40)
    assert all(len(line) <= 40 for line in lines)
    assert ", ".join(line.strip().rstrip(",") for line in lines) == ", ".join(items)
