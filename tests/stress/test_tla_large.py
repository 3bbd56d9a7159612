"""An LTS with 10^5 transitions exports to a compact module that still parses and reads back."""


import pytest

from cspotlp.export import lts_to_tla, trace_validation
from tests.tla_support import assert_parses, defined_value, synthetic_lts


@pytest.mark.slow
def test_hundred_thousand_transitions():
    lts = synthetic_lts(25_000, 4, 200)
    assert lts.num_transitions == 100_000
    module = lts_to_tla(lts, module="Big")
    assert module.text.count("\n") < lts.num_states + 1000     # one line per state
    assert len(module.text) < 25 * lts.num_transitions         # about 20 bytes a transition
    assert_parses(module.text)
    succ = defined_value(module.text, "Succ")
    assert [list(x) for x in succ] == [list(lts.successor_numbers(s))
                                       for s in range(lts.num_states)]
    out = trace_validation(lts, [[e.name for e in lts.events[2:50]]], model="Big")
    assert_parses(out.files["BigTrace1.tla"])
