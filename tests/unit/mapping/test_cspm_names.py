import pytest

from cspotlp.cspm.builtins import BUILTINS, TIMED_BUILTINS
from cspotlp.cspm.lexer import KEYWORDS
from cspotlp.mapping.cspm_names import (
    CSPM_KEYWORDS,
    CSPM_WORDS,
    data_ident,
    escape,
    is_identifier,
    label_ident,
    label_of_ident,
    unescape,
)


def test_reserved_words_follow_the_cspm_front_end():
    # 'print' starts a declaration (a name elsewhere); WAIT, TSTOP... exist only inside
    # Timed sections, which exported scripts never have
    front = set(KEYWORDS) | {"print"} | (set(BUILTINS) - TIMED_BUILTINS)
    assert front | {"include", "Event"} == CSPM_WORDS
    assert set(KEYWORDS) | {"include"} == CSPM_KEYWORDS


@pytest.mark.parametrize("label, name", [
    ("Charge", "Charge"),
    ("charge2", "charge2"),
    ("STOP", "L_STOP"),
    ("call", "L_call"),
    ("OBSERVED", "L_OBSERVED"),
    ("2fast", "L_2fast"),
    ("a_b", "L_a__b"),
    ("", "L_"),
    ("GET /users/{id}", "L_GET_w_susers_s_lid_r"),
    ("a--b{-c-}", "L_a_h_hb_l_hc_h_r"),
    ('say "hi"\n', "L_say_w_u22_hi_u22__ua_"),
    ("ünï", "L__ufc_n_uef_"),
])
def test_label_idents(label, name):
    assert label_ident(label) == name
    assert label_of_ident(name) == label


def test_extra_reserved_names_are_escaped():
    assert label_ident("req", frozenset({"req"})) == "L_req"
    assert label_ident("req") == "req"


def test_data_idents_keep_types_apart():
    values = ["1", 1, True, 1.0, None, -1, "M1", "", "N"]
    idents = [data_ident(2, v) for v in values]
    assert len(set(idents)) == len(values)
    assert idents[:3] == ["A2_S1", "A2_I1", "A2_T"]
    assert data_ident(12, "x") != data_ident(1, "2_Sx")


def test_unescape_rejects_what_escape_never_writes():
    for bad in ("a_", "a_q", "a_u41", "é"):
        with pytest.raises(ValueError):
            unescape(bad)
    assert unescape(escape("x_y.z")) == "x_y.z"


def test_identifiers():
    assert is_identifier("error") and is_identifier("c'") and is_identifier("a_1")
    assert not is_identifier("let") and not is_identifier("1a") and not is_identifier("a-b")
