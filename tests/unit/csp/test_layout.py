"""How states are packed into words (cspotlp.csp.engine.Layout): bit fields, and mixed-radix cells
where bit fields would take more words."""

from unittest import mock

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from cspotlp.csp import Budget, engine, refines
from cspotlp.csp.engine import CELL_BITS, Layout
from cspotlp.csp.models import dining_philosophers


@st.composite
def layouts_and_states(draw):
    radices = draw(st.lists(st.integers(min_value=1, max_value=9), min_size=1, max_size=30))
    order = draw(st.permutations(range(len(radices))))
    word_bits = draw(st.integers(min_value=4, max_value=63))
    joinable = draw(st.integers(min_value=0, max_value=len(radices)))
    states = draw(st.lists(st.tuples(*(st.integers(0, r - 1) for r in radices)), min_size=1, max_size=5))
    layout = Layout(radices, order, joinable=joinable, word_bits=word_bits)
    bit_fields = Layout(radices, order, joinable=0, word_bits=word_bits)
    return layout, bit_fields, joinable, states


@settings(max_examples=200)
@given(layouts_and_states())
def test_a_packed_state_unpacks_to_itself_and_fields_are_read_and_replaced_alone(case):
    layout, _bit_fields, _joinable, states = case
    packed = [layout.pack(s) for s in states]
    assert [layout.unpack(w) for w in packed] == [list(s) for s in states]
    assert all(w < 1 << 63 for ws in packed for w in ws)  # the top bit marks a used slot
    words = [np.array([ws[k] for ws in packed], dtype=np.uint64) for k in range(layout.words)]
    for i in range(len(layout.radices)):
        assert layout.digits(words, i).tolist() == [s[i] for s in states]
        new = np.array([(s[i] + 1) % layout.radices[i] for s in states], dtype=np.int64)
        changed = layout.with_field(words, i, new)
        for k, s in enumerate(states):
            want = list(s)
            want[i] = int(new[k])
            assert layout.unpack([int(c[k]) for c in changed]) == want


@settings(max_examples=200)
@given(layouts_and_states())
def test_cells_are_used_only_when_they_save_a_word_and_hold_joinable_neighbours_only(case):
    layout, bit_fields, joinable, _states = case
    assert all(f.plain for f in bit_fields.fields)
    cells: dict[tuple[int, int], list[int]] = {}
    for i, f in enumerate(layout.fields):
        if not f.plain:
            cells.setdefault((f.word, f.shift), []).append(i)
    if not cells:
        assert layout.words == bit_fields.words
        return
    assert layout.words < bit_fields.words
    for members in cells.values():
        assert max(members) < joinable
        positions = sorted(layout.order.index(i) for i in members)
        assert positions == list(range(positions[0], positions[0] + len(positions)))
        assert layout.fields[members[0]].bits <= CELL_BITS


def test_bit_fields_are_kept_when_the_state_fits_one_word():
    layout = Layout([7, 3, 1, 200])
    assert layout.words == 1
    assert all(f.plain for f in layout.fields)


def test_dining_philosophers_10_against_its_spec_fits_one_word_as_cells():
    # 10 philosophers (7 states), 10 forks (3) and the spec's 59,049 nodes: 66 bits as bit fields,
    # 62 as cells of neighbours
    radices = [7] * 10 + [3] * 10 + [59049]
    order = [x for i in range(10) for x in (i, 10 + i)] + [20]
    plain = Layout(radices, order, joinable=0)
    celled = Layout(radices, order, joinable=20)
    assert (plain.words, celled.words) == (2, 1)
    assert celled.fields[20].plain  # the specification's node is never joined
    state = [i % 7 for i in range(10)] + [i % 3 for i in range(10)] + [59048]
    assert celled.unpack(celled.pack(state)) == state


def test_a_refinement_whose_states_are_cells_counts_as_with_bit_fields():
    # N = 10 fits one word only as cells (with no cells, two words): the first 100,000 states (the spec's normal form has 59,049 nodes)
    # and their transitions are the same either way, on both engines
    m = dining_philosophers(10)
    (spec, impl), = m.refinements.values()

    def run(engine_name):
        v = refines(spec, impl, m.env, "T", budget=Budget(state_limit=100_000, engine=engine_name))
        return v.holds, v.states, v.transitions

    celled = [run("native"), run("numpy")]
    with mock.patch.object(engine, "CELL_BITS", 0):
        bit_fields = run("native")
    assert celled == [bit_fields] * 2
    assert bit_fields[:2] == (None, 100_000)
