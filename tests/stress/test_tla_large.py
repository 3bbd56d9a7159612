"""An LTS with 10^5 transitions exports to a compact module that still parses and reads back."""

import random
from array import array

import pytest

from cspotlp.csp import STOP, TAU, TICK, Lts, event
from cspotlp.export import lts_to_tla, trace_validation
from tests.tla_support import assert_parses, defined_value


def synthetic_lts(states: int, out_degree: int, events: int, seed: int = 7) -> Lts:
    """A random LTS (state 0 initial) with ``states * out_degree`` transitions."""
    rng = random.Random(seed)
    evs = [TAU, TICK, *(event("e", i) for i in range(events))]
    offsets, labels, targets = array("q", [0]), array("i"), array("q")
    for _ in range(states):
        for _ in range(out_degree):
            labels.append(rng.randrange(2, len(evs)))
            targets.append(rng.randrange(states))
        offsets.append(len(targets))
    return Lts(evs, [STOP] * states, offsets, labels, targets, 0.0)


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
