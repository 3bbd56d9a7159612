"""Printing a process and evaluating the text gives back the same interned term."""

from hypothesis import given
from hypothesis import strategies as st

from cspotlp import csp
from cspotlp.csp import call
from cspotlp.cspm.evaluate import load_text
from cspotlp.cspm.procprint import print_process
from tests.strategies import ENV, processes

HEADER = ("channel a, b, c\nchannel d : {0..2}.Bool\n"
          "transparent normal, sbisim\nexternal prioritise\n")


def _reparse(text: str) -> csp.Proc:
    return load_text(HEADER + "P = " + text + "\n", "printed.csp").env.unfold(call("P"))


@given(processes)
def test_printed_processes_evaluate_to_the_same_term(p):
    assert _reparse(print_process(p, ENV)) is p


_D = [csp.event("d", i, b) for i in range(3) for b in (False, True)]


@given(st.lists(st.sampled_from(_D), min_size=3, max_size=6, unique=True), processes,
       st.sampled_from(["normal", "sbisim"]))
def test_nary_choices_dotted_events_and_compressions_round_trip(events, p, compression):
    branches = [csp.prefix(e, p) for e in events]
    for term in (csp.ext_choice(*branches), csp.int_choice(*branches),
                 csp.interleave(*branches), csp.compress(compression, p),
                 csp.prioritise(p, [frozenset(events[:1]), frozenset(events[1:])])):
        assert _reparse(print_process(term, ENV)) is term
