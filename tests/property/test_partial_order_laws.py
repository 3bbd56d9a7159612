"""Concurrency as captured (docs/theory.md §4): the laws of the partial order O1–O5, its
relation to Φ and Ψ, and the some-order / every-order searches against brute force."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from cspotlp.mapping import (
    Forest,
    Trace,
    causal_order,
    is_linear_extension,
    is_wf,
    linear_extensions,
    phi,
    psi,
    shape,
)
from cspotlp.mapping.abstraction import abstract_trace
from cspotlp.mapping.event_order import SpanTree, forest_order
from cspotlp.mapping.linearisations import search
from cspotlp.mapping.observed import abstract_observed
from cspotlp.otlp.repair import validate
from tests.strategies_conformance import (
    ABSTRACTION,
    TableAutomaton,
    automata,
    captured_traces,
    span_trees,
)
from tests.strategies_mapping import valid_forests, wf_traces

TOLERANCES = st.sampled_from([0, 1, 2, 5])


def clocks_for(forest: Forest, draw_clock: st.DataObject) -> dict[object, int] | None:
    if not draw_clock.draw(st.booleans()):
        return None
    return {sid: draw_clock.draw(st.integers(0, 1)) for sid in forest}


def closure(events: int, edges: tuple[tuple[int, int], ...]) -> set[tuple[int, int]]:
    """The transitive closure of a relation on 0..events-1 (Warshall)."""
    reach = [set() for _ in range(events)]
    for a, b in edges:
        reach[a].add(b)
    for k in range(events):
        for i in range(events):
            if k in reach[i]:
                reach[i] |= reach[k]
    return {(a, b) for a in range(events) for b in reach[a]}


def reference_order(forest: Forest, tolerance: int, clock: dict[object, int] | None
                    ) -> set[tuple[int, int]]:
    """O1–O5 and C4–C5 read off the definition pair by pair (no joins), transitively closed."""
    base = causal_order(shape(forest))
    at = {}
    for v, ev in enumerate(base.events):
        at[(type(ev).__name__, ev.span)] = v
    recs = {r.id: r for r in forest.records()}

    def delta(a: object, b: object) -> int:
        return 0 if clock is not None and clock[a] == clock[b] else tolerance

    def end(r):  # effective end
        return None if r.end is None else max(r.end, r.start)

    edges = list(base.edges)  # C1-C5
    for r in recs.values():
        p = recs.get(r.parent) if r.parent is not None else None
        if p is not None and end(r) is not None and end(p) is not None \
                and end(r) - end(p) < delta(r.id, p.id):
            edges.append((at[("End", r.id)], at[("End", p.id)]))             # O4
        for q in recs.values():
            if q.id != r.id and q.parent == r.parent and end(r) is not None \
                    and q.start - end(r) > delta(r.id, q.id):
                edges.append((at[("End", r.id)], at[("Begin", q.id)]))       # O5
    return closure(len(base.events), tuple(edges))


@settings(max_examples=60)
@given(valid_forests(max_events=10, max_spans=5), TOLERANCES, st.data())
def test_the_joins_generate_exactly_o1_to_o5(f: Forest, tolerance: int, data) -> None:
    clock = clocks_for(f, data)
    order = forest_order(f, tolerance, clock)
    assert closure(len(order.events), order.edges) == reference_order(f, tolerance, clock)


@settings(max_examples=60)
@given(wf_traces(max_events=8, max_depth=4), TOLERANCES, st.data())
def test_every_linearisation_of_phi_t_is_wf_and_has_its_shape(t: Trace, tolerance: int,
                                                                 data) -> None:
    f = phi(t)
    order = forest_order(f, tolerance, clocks_for(f, data))
    causal = causal_order(shape(f))
    found = 0
    for extension in linear_extensions(order):
        assert is_wf(extension) and is_linear_extension(causal, extension)
        assert shape(phi(extension)) == shape(f)
        found += 1
        if found == 200:
            break
    assert found >= 1


@given(wf_traces(max_events=14), st.data())
def test_psi_of_phi_t_is_one_linearisation(t: Trace, data) -> None:
    """Ψ(Φ(t)) = t is a linearisation of Φ(t)'s order: times 1..m, no tie, at δ < 1."""
    f = phi(t)
    assert is_linear_extension(forest_order(f, 0, clocks_for(f, data)), psi(f))


@given(valid_forests(), TOLERANCES, st.data())
def test_psi_is_a_linearisation_unless_a_child_ends_within_the_tolerance_after_its_parent(
        f: Forest, tolerance: int, data) -> None:
    clock = clocks_for(f, data)

    def delta(a, b):
        return 0 if clock is not None and clock[a] == clock[b] else tolerance

    recs = {r.id: r for r in f.records()}
    corner = any(r.parent is not None and r.end is not None and recs[r.parent].end is not None
                 and 0 <= r.end - recs[r.parent].end < delta(r.id, r.parent)
                 for r in recs.values())
    if not corner:
        assert is_linear_extension(forest_order(f, tolerance, clock), psi(f))
    assert is_linear_extension(forest_order(f, 0, clock), psi(f))


# Siblings 1 and 2 look alike (same events, both begin first) but are not interchangeable:
# sibling 2 ends before sibling 3 starts, sibling 1 does not. A symmetry that ignored what
# their ends lead to (found by a mutation of the symmetry key) gets "all" wrong here.
LOOK_ALIKES = (SpanTree([-1, 0, 0, 0], [1, 0, 0, 2], [4, 2, 1, 3], [0, 1, 2, 3], [4, 5, 6, 7]),
               [0, 0, 0, 1, 0, 0, 0, 1])


@settings(max_examples=150)
@given(span_trees(), automata(), st.booleans())
@example(LOOK_ALIKES, TableAutomaton([{0: 1, 1: 2}, {0: 3, 1: 3}, {0: 2}, {0: 1}],
                                     frozenset()), False)
def test_some_and_every_order_agree_with_brute_force(tree_codes, spec: TableAutomaton,
                                                     complete: bool) -> None:
    tree, codes = tree_codes
    order = tree.order()
    ends = [spec.run([codes[e] for e in lin]) for lin in order.linearisations()]
    accepted = [node is not None and (not complete or node in spec.final) for node in ends]
    final = spec.final.__contains__ if complete else None
    some = search(order, codes, spec, "some", final=final)
    every = search(order, codes, spec, "all", final=final)
    assert (some.verdict == "pass") == any(accepted)
    assert (every.verdict == "pass") == all(accepted)
    if some.verdict == "pass":  # the witness is an accepted linearisation
        assert order.is_linearisation(some.path)
        assert accepted[list(order.linearisations()).index(some.path)]
    if every.verdict == "fail":  # the counterexample is a prefix of a linearisation, refused
        prefix = [*every.path, *([every.refused] if every.refused is not None else [])]
        assert any(list(lin[:len(prefix)]) == prefix for lin in order.linearisations())
        node = spec.run([codes[e] for e in every.path])
        assert node is not None
        if every.refused is not None:
            assert codes[every.refused] not in spec.table[node]
        else:
            assert len(every.path) == order.events and node not in spec.final


@given(span_trees(max_spans=6))
def test_the_time_order_is_a_linearisation(tree_codes) -> None:
    tree, _ = tree_codes
    order = tree.order()
    greedy = order.greedy(lambda v: v)
    assert order.is_linearisation([order.event[v] for v in greedy])


@settings(max_examples=100)
@given(captured_traces(max_spans=5), TOLERANCES)
def test_observed_events_follow_their_order_and_psi_where_the_trace_is_clean(trace, ms) -> None:
    observed = abstract_observed(trace, ABSTRACTION, tolerance=ms * 1_000_000)
    assert observed.order().is_linearisation(range(len(observed.events)))
    try:
        valid = validate(trace)
    except Exception:  # noqa: BLE001 - not a clean span tree: nothing to compare with
        return
    if valid.clean:  # at tolerance 0, the time order is Ψ's order
        at_zero = abstract_observed(trace, ABSTRACTION, tolerance=0)
        assert at_zero.events == abstract_trace(trace, ABSTRACTION).events


def test_p2_needs_its_condition():
    """docs/theory.md §4: a child ending 1 after its parent, with δ = 2 across clocks, is
    attached (its end comes first), while Ψ orders the two ends by time."""
    from cspotlp.mapping import Begin, End, SpanRecord

    f = Forest([SpanRecord("P", None, "p", None, 0, 10, (), (), "OK"),
                SpanRecord("C", "P", "c", None, 1, 11, (), (), "OK")])
    assert psi(f)[2:] == (End("P", "OK"), End("C", "OK"))
    order = forest_order(f, 2, {"P": 0, "C": 1})
    assert not is_linear_extension(order, psi(f))
    assert list(linear_extensions(order)) == [(Begin("P", None, "p"), Begin("C", "P", "c"),
                                               End("C", "OK"), End("P", "OK"))]
    assert is_linear_extension(forest_order(f, 0, {"P": 0, "C": 1}), psi(f))
