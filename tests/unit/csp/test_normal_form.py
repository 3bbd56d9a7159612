"""A normal form keeps each node's moves as arrays (:class:`~cspotlp.csp.normalise.Moves`): the dicts
a node's moves read as, a deterministic LTS whose events are recorded in any order, and the
specification automaton made from the arrays."""

import numpy as np
import pytest

from cspotlp.csp.events import TAU, TICK, event
from cspotlp.csp.explicit import ExplicitLts
from cspotlp.csp.normalise import Moves, normalise
from cspotlp.csp.refine import spec_automaton

A, B, C = (event(name) for name in "abc")
EVENTS = (TAU, TICK, A, B, C)


def lts(moves_of_each_state: list[list[tuple[int, int]]]) -> ExplicitLts:
    """An LTS whose transitions are kept in the order given (not sorted)."""
    offsets = np.cumsum([0] + [len(m) for m in moves_of_each_state])
    labels = [e for m in moves_of_each_state for e, _t in m]
    targets = [t for m in moves_of_each_state for _e, t in m]
    return ExplicitLts(EVENTS, offsets, np.array(labels), np.array(targets),
                       np.zeros(len(moves_of_each_state), dtype=np.bool_))


def test_moves_read_as_the_dicts_they_were_made_of():
    steps = [{2: 1, 4: 0}, {}, {1: 2, 3: 2}]
    moves = Moves.of(steps)
    assert (moves.offsets.tolist(), moves.labels.tolist(), moves.targets.tolist()) == (
        [0, 2, 2, 4], [2, 4, 1, 3], [1, 0, 2, 2])
    assert len(moves) == 3
    assert [moves[n] for n in range(3)] == list(moves) == steps
    again = Moves(moves.offsets, moves.labels, moves.targets)  # the dicts made from the arrays
    assert list(again) == steps and again == moves
    assert moves == Moves.of([dict(s) for s in steps])
    assert moves != Moves.of([{2: 1, 4: 0}, {}, {1: 2, 3: 1}])


@pytest.mark.parametrize("model", ["T", "F"])
def test_a_deterministic_lts_recorded_in_any_order_is_its_own_normal_form(model):
    # state 0: c, a, b in that order; state 1: b then ✓ (2 is the ✓ state)
    nf = normalise(lts([[(4, 1), (2, 0), (3, 1)], [(3, 0), (1, 2)], []]), model)
    assert nf.num_nodes == 3
    assert [nf.step[n] for n in range(3)] == [{2: 0, 3: 1, 4: 1}, {1: 2, 3: 0}, {}]
    assert nf.step.labels.tolist() == [2, 3, 4, 1, 3]  # each node's events increasing
    if model == "F":
        assert nf.acceptances == ((frozenset({2, 3, 4}),), (frozenset({1}),), (frozenset(),))
    automaton = spec_automaton(nf, (TAU, TICK, C, B, A), model)  # the implementation numbers them otherwise
    assert automaton.step.tolist() == [[0, -1, 1, 1, 0], [1, 2, -1, 0, -1], [2, -1, -1, -1, -1]]


def test_an_event_twice_from_a_state_is_normalised_by_subsets():
    # a -> 1 and a -> 2 from state 0: the normal form's node after a is {1, 2}
    nf = normalise(lts([[(2, 2), (3, 1), (2, 1)], [(3, 0)], [(4, 0)]]), "T")
    assert nf.num_nodes == 3
    assert nf.step[0] == {2: 1, 3: 2} and nf.step[1] == {3: 0, 4: 0} and nf.step[2] == {3: 0}
