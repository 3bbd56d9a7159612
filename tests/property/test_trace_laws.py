"""Algebraic laws of the traces model, on random finite processes, compared as trace sets up to a
bound (Roscoe, UCS ch. 1-3)."""

from hypothesis import given
from hypothesis import strategies as st

from cspotlp import csp
from cspotlp.csp import SKIP, STOP, traces
from tests.strategies import ALPHABET, ENV, event_sets, processes

DEPTH = 4


def T(p):
    return traces(p, ENV, DEPTH)


@given(processes, processes)
def test_external_choice_commutative(p, q):
    assert T(csp.ext_choice(p, q)) == T(csp.ext_choice(q, p))


@given(processes, processes, processes)
def test_external_choice_associative(p, q, r):
    assert T(csp.ext_choice(csp.ext_choice(p, q), r)) == T(csp.ext_choice(p, csp.ext_choice(q, r)))


@given(processes)
def test_external_choice_unit_stop(p):
    assert T(csp.ext_choice(p, STOP)) == T(p)


@given(processes, processes)
def test_interleaving_commutative(p, q):
    assert T(csp.interleave(p, q)) == T(csp.interleave(q, p))


@given(processes, processes, processes)
def test_interleaving_associative(p, q, r):
    assert T(csp.interleave(csp.interleave(p, q), r)) == T(csp.interleave(p, csp.interleave(q, r)))


@given(processes)
def test_skip_is_left_unit_of_sequential_composition(p):
    assert T(csp.seq(SKIP, p)) == T(p)


@given(processes)
def test_hiding_nothing_is_identity(p):
    assert T(csp.hide(p, frozenset())) == T(p)


@given(processes)
def test_identity_renaming_is_identity(p):
    assert T(csp.rename(p, [(e, e) for e in ALPHABET])) == T(p)


@given(processes, processes)
def test_internal_choice_traces_are_the_union(p, q):
    assert T(csp.int_choice(p, q)) == T(p) | T(q)


@given(st.sampled_from(ALPHABET), st.sampled_from(ALPHABET), processes, processes)
def test_step_law_for_prefix_choice(a, b, p, q):
    # traces(a -> P [] b -> Q) = {<>} ∪ {<a>^s | s ∈ traces(P)} ∪ {<b>^s | s ∈ traces(Q)}
    lhs = T(csp.ext_choice(csp.prefix(a, p), csp.prefix(b, q)))
    short = traces(p, ENV, DEPTH - 1), traces(q, ENV, DEPTH - 1)
    rhs = {()} | {(a, *s) for s in short[0]} | {(b, *s) for s in short[1]}
    assert lhs == rhs


@given(event_sets, st.data())
def test_step_law_for_input_prefix(events, data):
    # ?x:A -> P(x): traces = {<>} ∪ {<x>^s | x ∈ A, s ∈ traces(P(x))}
    conts = {x: data.draw(processes) for x in csp.sort_events(events)}
    p = csp.ext_choice(*(csp.prefix(x, conts[x]) for x in csp.sort_events(events)))
    rhs = {()} | {(x, *s) for x in conts for s in traces(conts[x], ENV, DEPTH - 1)}
    assert T(p) == rhs


@given(processes)
def test_traces_are_prefix_closed(p):
    ts = T(p)
    assert all(t[:i] in ts for t in ts for i in range(len(t)))
