"""The Z3 encodings compute what cspotlp.mapping computes, on concrete instances.

Each test pins symbolic variables to a concrete Python trace or forest, lets Z3 find the (unique)
model, reads the encoded Φ, Ψ, norm, cut, WF or validity back, and compares with the Python
definition.
"""

from dataclasses import replace

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from cspotlp.mapping import (
    Begin,
    End,
    Forest,
    Mark,
    SpanRecord,
    TimedMark,
    cut,
    is_valid_forest,
    is_wf,
    norm,
    occurrences,
    phi,
    psi,
)
from cspotlp.verify import DEFAULT, reference_psi
from cspotlp.verify import encoding as enc
from cspotlp.verify.smt import Solver, Terms
from cspotlp.verify.symbolic import (
    Codec,
    canonical_span_ids,
    concrete_event,
    forest_domain,
    forest_occurrence_list,
    forest_vars,
    pin_forest,
    pin_trace,
    read_forest,
    read_trace,
    trace_domain,
    trace_vars,
)
from tests import strategies_mapping as sm
from tests.strategies_verify import any_traces, forests, wf_traces

EXAMPLES = settings(max_examples=25, deadline=None)

# this module's small generators, and those of the mapping laws (int and str ids, deep chains,
# heavy ties, marks listed out of time order, every kind of broken forest)
WF_TRACES = st.one_of(wf_traces(), sm.wf_traces(max_events=10, max_depth=6))
ANY_TRACES = st.one_of(any_traces(), sm.arbitrary_traces(max_events=6))
VALID_FORESTS = st.one_of(forests(valid_only=True), sm.valid_forests(max_events=8, max_spans=4))
ANY_FORESTS = st.one_of(forests(valid_only=False), sm.arbitrary_forests(max_spans=4))


def _pinned_trace(trace):
    terms = Terms()
    codec = Codec.for_trace(trace)
    t = trace_vars(terms, len(trace))
    solver = Solver(terms, 30)
    solver.add(trace_domain(terms, t))
    solver.add(pin_trace(terms, codec, t, trace))
    assert solver.check() == "sat"
    return terms, codec, t, solver


def _pinned_forest(forest, order=None):
    terms = Terms()
    codec = Codec.for_forest(forest)
    occs = forest_occurrence_list(codec, forest)
    if order is not None:
        occs = [occs[i] for i in order]
    f = forest_vars(terms, len(occs))
    solver = Solver(terms, 30)
    solver.add(forest_domain(terms, f))
    solver.add(pin_forest(terms, f, occs))
    return terms, codec, f, solver


@EXAMPLES
@given(WF_TRACES)
def test_phi_and_cut_agree_with_python(trace):
    terms, codec, t, solver = _pinned_trace(trace)
    f = enc.phi(terms, t)
    cuts = [enc.cut(terms, f, i) for i in range(len(trace) + 2)]
    assert solver.check() == "sat"
    assert read_forest(solver, codec, f) == phi(trace)
    for i, c in enumerate(cuts):
        assert read_forest(solver, codec, c) == cut(phi(trace), i)


@EXAMPLES
@given(ANY_TRACES)
def test_wf_agrees_with_python_on_any_trace(trace):
    terms, _codec, t, solver = _pinned_trace(trace)
    assert solver.bool_value(enc.wf(terms, t)) == is_wf(trace)


@EXAMPLES
@given(VALID_FORESTS)
def test_psi_and_norm_by_ranks_agree_with_python(forest):
    terms, codec, f, solver = _pinned_forest(forest)
    solver.add(enc.valid_forest(terms, f))        # gives the depths Ψ's key uses
    ranks = enc.psi_ranks(terms, f)
    u = enc.psi(terms, f, ranks)
    normalised = enc.norm(terms, f, ranks)
    assert solver.check() == "sat"
    assert read_trace(solver, codec, u) == psi(forest)
    assert read_forest(solver, codec, normalised) == norm(forest)


@EXAMPLES
@given(ANY_FORESTS)
def test_validity_agrees_with_python_on_any_forest(forest):
    # an open span with a status has no occurrence to carry it: outside the flat representation
    assume(all(r.end is not None or r.status is None for r in forest.records()))
    terms, _codec, f, solver = _pinned_forest(forest)
    solver.add(enc.valid_forest(terms, f))
    assert (solver.check() == "sat") == is_valid_forest(forest)


@EXAMPLES
@given(forests(max_spans=3, valid_only=True))
def test_listing_in_psi_order_is_exactly_pythons_order(forest):
    codec = Codec.for_forest(forest)
    occs = forest_occurrence_list(codec, forest)
    where = {occ: i for i, occ in enumerate(occs)}
    # Python's Ψ order, as indices into the record-by-record list of occurrences
    order = [where[(concrete_event(codec, o.event), o.key[0], o.key[4])] for o in occurrences(forest)]
    terms, _codec, f, solver = _pinned_forest(forest, order)
    solver.add(enc.valid_forest(terms, f))
    solver.add(enc.listed_in_psi_order(terms, f))
    assert solver.check() == "sat"
    if len(occs) >= 2:
        swapped = [order[1], order[0], *order[2:]]
        terms, _codec, f, solver = _pinned_forest(forest, swapped)
        solver.add(enc.valid_forest(terms, f))
        solver.add(enc.listed_in_psi_order(terms, f))
        assert solver.check() == "unsat"


@EXAMPLES
@given(forests(valid_only=True))
def test_reference_psi_with_default_definitions_is_psi(forest):
    assert reference_psi(forest, DEFAULT) == psi(forest)


@EXAMPLES
@given(WF_TRACES)
def test_canonical_renaming_keeps_the_correspondence(trace):
    """The symmetry breaking of T3–T5: renaming ids to begin positions is WLOG."""
    position = {ev.span: j for j, ev in enumerate(trace) if isinstance(ev, Begin)}
    renamed = tuple(_rename(ev, position) for ev in trace)
    assert is_wf(renamed)
    assert psi(phi(renamed)) == renamed
    assert norm(phi(renamed)) == phi(renamed)
    terms = Terms()
    t = trace_vars(terms, len(renamed))
    solver = Solver(terms, 30)
    solver.add(pin_trace(terms, _IdentityCodec(), t, renamed))
    assert solver.check() == "sat"
    assert solver.bool_value(canonical_span_ids(terms, t)) is True


def _rename(ev, position):
    if isinstance(ev, Begin):
        parent = None if ev.parent is None else position[ev.parent]
        return replace(ev, span=position[ev.span], parent=parent)
    return replace(ev, span=position[ev.span])


class _IdentityCodec(Codec):
    """Span ids are their own numbers."""

    def span(self, s):
        return s


def test_string_span_ids_round_trip_through_the_codec():
    trace = (Begin("root", None, "r"), Begin("child", "root", "c", {"k": 1}.get("k")),
             Mark("child", "m", 7), End("root", "OK"), End("child", None))
    terms, codec, t, solver = _pinned_trace(trace)
    assert read_trace(solver, codec, t) == trace
    assert concrete_event(codec, trace[0]).span != concrete_event(codec, trace[1]).span


def test_psi_of_a_tied_forest_matches_python_example():
    forest = Forest([
        SpanRecord(2, 1, "child", None, 5, 5, (TimedMark(5, "x"),)),
        SpanRecord(1, None, "root", None, 5, 5, (), (), "OK"),
    ])
    terms, codec, f, solver = _pinned_forest(forest)
    solver.add(enc.valid_forest(terms, f))
    u = enc.psi(terms, f, enc.psi_ranks(terms, f))
    assert solver.check() == "sat"
    assert read_trace(solver, codec, u) == psi(forest)
    assert read_trace(solver, codec, u)[:2] == (Begin(1, None, "root"), Begin(2, 1, "child"))
