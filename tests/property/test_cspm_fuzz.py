"""The CSPm front end never lets anything but its own errors escape, whatever the input.

Inputs come from the grammar itself (``hypothesis.extra.lark.from_lark``, so most of them are
nearly valid) and from arbitrary text. Parsing, scope checking and type checking may accept or
reject, but a rejection is always a located :class:`CspmError`.
"""

from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.lark import from_lark

from cspotlp.cspm import check_script, parse_script
from cspotlp.cspm.lexer import KEYWORDS, OPERATORS
from cspotlp.cspm.parser import grammar_definition
from cspotlp.errors import CspmError

_SPELLING = {kind: text for text, kind in OPERATORS.items()}
_SPELLING.update({kind: word for word, kind in KEYWORDS.items()})
_SPELLING.update({
    "SEQ_OPEN": "<", "SEQ_CLOSE": ">", "EMPTY_SEQ": "<>", "ASSERT_NOT": "not",
    "REFINES": "[FD=", "PROPERTY": ":[deadlock free [F]]", "HAS_TRACE": ":[has trace]:",
    "TAU_PRIORITY": ":[tau priority]:", "UNDERSCORE": "_", "OFTYPE": "::", "YIELD": "=>",
    "PARTIAL_ORDER": ":[partial order reduce]",
})


def _explicit() -> dict[str, st.SearchStrategy[str]]:
    out = {kind: st.just(f" {text} ") for kind, text in _SPELLING.items()}
    out["NAME"] = st.sampled_from([" a ", " P ", " STOP ", " c ", " x' "])
    out["INT"] = st.sampled_from([" 0 ", " 7 "])
    out["CHAR"] = st.just(" 'q' ")
    out["STRING"] = st.just(' "s" ')
    out["INCLUDE"] = st.just(' include "nowhere.csp" ')
    out["_NL"] = st.just("\n")
    out["PRINT"] = st.just("\nprint 1 + 1\n")
    out["NAME"] = st.sampled_from([" a ", " P ", " STOP ", " c ", " x' ", " M::x "])
    return out


grammar_texts = from_lark(grammar_definition(), explicit=_explicit())


def _front_end(text: str) -> None:
    try:
        check_script(parse_script(text, "fuzz.csp"))
    except CspmError as e:
        assert e.location is None or e.location.line >= 1
        assert str(e)


# Drawing from a grammar this deep costs about 0.2 s an example; 100 keep the suite fast.
@settings(max_examples=100)
@given(grammar_texts)
def test_grammar_generated_text_only_raises_cspm_errors(text: str) -> None:
    _front_end(text)


@given(st.text(alphabet=st.sampled_from(list("abcP01 \n\t<>[]{}()|~-=!?.:;,@#$%^&*+/\\'\"_")),
               max_size=60))
def test_arbitrary_text_only_raises_cspm_errors(text: str) -> None:
    _front_end(text)


@given(st.text(max_size=40))
def test_any_unicode_only_raises_cspm_errors(text: str) -> None:
    _front_end(text)
