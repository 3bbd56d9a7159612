"""Compiled process definitions give the general evaluator's terms and errors.

:mod:`cspotlp.cspm.compiled` is a fast path; the script loaded with ``compiled=False`` is
evaluated by the general evaluator alone. Both must unfold every call to the same (interned)
term, or fail with the same message at the same ``file:line:col``.
"""

from hypothesis import given
from hypothesis import strategies as st

from cspotlp.csp import Proc, call
from cspotlp.cspm.evaluate import LoadedScript, load_text
from cspotlp.cspm.procprint import print_process
from cspotlp.errors import CspmError
from tests.strategies import ENV, processes
from tests.strategies_cspm import bool_expression_texts, int_expression_texts

HEADER = ("channel a, b, c\nchannel d : {0..2}.Bool\nchannel e : {0..10}\n"
          "transparent normal, sbisim\nexternal prioritise\n")


def _outcome(loaded: LoadedScript, term: Proc) -> Proc | str:
    try:
        return loaded.env.unfold(term)
    except CspmError as err:
        return str(err)


def _agree(text: str, calls: list[Proc]) -> None:
    fast = load_text(text, "t.csp")
    general = load_text(text, "t.csp", compiled=False)
    for term in calls:
        got, want = _outcome(fast, term), _outcome(general, term)
        assert got is want if isinstance(want, Proc) else got == want


@given(processes)
def test_printed_processes_unfold_alike(p):
    _agree(HEADER + "P = " + print_process(p, ENV) + "\n", [call("P")])


@given(int_expression_texts, int_expression_texts, bool_expression_texts,
       st.lists(st.tuples(st.integers(-3, 3), st.integers(-3, 3)), min_size=1, max_size=3))
def test_arithmetic_in_bodies_evaluates_alike(x, y, cond, args):
    text = (HEADER
            + f"Q(n, m) = {cond} & e.(({x}) % 11) -> Q({y}, m)\n"
            + f"  [] not {cond} & d.(({y}) % 3).({x} > m) -> Q(n - 1, {x})\n"
            + f"  |~| a -> (if {cond} then STOP else Q(m, n))\n")
    _agree(text, [call("Q", n, m) for n, m in args])
