"""The laws T1–T7 of docs/theory.md over generated traces and forests, and that they can fail."""

from __future__ import annotations

from dataclasses import replace
from itertools import permutations

import pytest
from hypothesis import HealthCheck, Phase, find, given, settings
from hypothesis import strategies as st
from hypothesis.errors import NoSuchExample

from cspotlp.errors import MappingError
from cspotlp.mapping import (
    BEGIN,
    Begin,
    End,
    Forest,
    Mark,
    OccurrenceKey,
    SpanEvent,
    SpanId,
    SpanRecord,
    Trace,
    causal_order,
    cut,
    forest_violations,
    id_key,
    is_linear_extension,
    is_normalised,
    is_valid_forest,
    is_wf,
    linear_extensions,
    norm,
    phi,
    prefix,
    project,
    psi,
    restrict,
    restrict_trace,
    shape,
    spans_of,
    wf_violation,
)
from tests.strategies_mapping import (
    arbitrary_traces,
    interleaved_pairs,
    valid_forests,
    wf_traces,
)

# --- T1–T5 -----------------------------------------------------------------------------------


@given(valid_forests())
def test_t1_psi_of_a_valid_forest_is_wf(f: Forest) -> None:
    assert is_valid_forest(f)
    assert wf_violation(psi(f)) is None


@given(valid_forests())
def test_t2_phi_psi_is_norm(f: Forest) -> None:
    assert phi(psi(f)) == norm(f)


@given(wf_traces())
def test_t3_psi_phi_is_identity_on_wf_traces(t: Trace) -> None:
    assert psi(phi(t)) == t


@given(wf_traces())
def test_t4_phi_is_normalised(t: Trace) -> None:
    f = phi(t)
    assert is_valid_forest(f)
    assert is_normalised(f)
    assert norm(f) == f


@given(wf_traces())
def test_t5_prefixes_are_cuts(t: Trace) -> None:
    f = phi(t)
    for i in range(-1, len(t) + 2):
        assert phi(prefix(t, i)) == cut(f, i)


# --- consequences: norm is a retraction onto Φ's image ---------------------------------------


@given(valid_forests())
def test_norm_is_an_idempotent_projection_onto_normalised_forests(f: Forest) -> None:
    g = norm(f)
    assert is_valid_forest(g) and is_normalised(g)
    assert norm(g) == g
    assert psi(g) == psi(f)
    assert shape(g) == shape(f)
    assert is_normalised(f) == (f == g)


# --- T6 --------------------------------------------------------------------------------------


@given(interleaved_pairs())
def test_t6_interleavings_project_back(triple: tuple[Trace, Trace, Trace]) -> None:
    t1, t2, u = triple
    assert is_wf(u)
    fu = phi(u)
    assert project(fu, spans_of(t1)) == phi(t1)
    assert project(fu, spans_of(t2)) == phi(t2)
    assert restrict_trace(u, spans_of(t1)) == t1


@given(wf_traces(), st.data())
def test_t6_general_form_restriction_to_an_upward_closed_set(t: Trace, data: st.DataObject) -> None:
    """Φ(u↾A) = norm(Φ(u)|A) whenever A holds the parent of each of its members."""
    f = phi(t)
    keep: set[SpanId] = set()
    for ev in t:   # a parent begins before its children, so its fate is drawn first
        if isinstance(ev, Begin) and (ev.parent is None or ev.parent in keep) and data.draw(
            st.booleans()
        ):
            keep.add(ev.span)
    assert is_valid_forest(restrict(f, keep))
    assert phi(restrict_trace(t, keep)) == project(f, keep)


# --- T7 --------------------------------------------------------------------------------------


def _brute_force_traces_of_shape(t: Trace) -> set[Trace]:
    """Every arrangement of t's events that is WF and has t's shape (no causal order used)."""
    target = shape(phi(t))
    return {p for p in set(permutations(t)) if is_wf(p) and shape(phi(p)) == target}


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(wf_traces(max_events=7, max_depth=4))
def test_t7_traces_of_a_shape_are_the_linear_extensions_of_its_causal_order(t: Trace) -> None:
    if len(t) > 7:   # deep chains may add ends beyond the machine's bound
        t = t[:7]
    order = causal_order(shape(phi(t)))
    extensions = list(linear_extensions(order))
    assert len(extensions) == len(set(extensions))
    assert set(extensions) == _brute_force_traces_of_shape(t)


@given(valid_forests(), st.data())
def test_t7_at_scale_psi_and_random_extensions(f: Forest, data: st.DataObject) -> None:
    """Ψ(F) extends F's causal order; a random linear extension is WF with F's shape."""
    s = shape(f)
    order = causal_order(s)
    assert is_linear_extension(order, psi(f))
    succ: dict[int, list[int]] = {}
    indegree = [0] * len(order.events)
    for a, b in order.edges:
        succ.setdefault(a, []).append(b)
        indegree[b] += 1
    ready = [v for v, d in enumerate(indegree) if d == 0]
    walk: list[SpanEvent] = []
    while ready:
        v = ready.pop(data.draw(st.integers(0, len(ready) - 1)))
        walk.append(order.events[v])
        for w in succ.get(v, []):
            indegree[w] -= 1
            if indegree[w] == 0:
                ready.append(w)
    assert len(walk) == len(order.events)
    assert is_wf(walk)
    assert shape(phi(walk)) == s


def test_t7_two_concurrent_requests_have_six_traces() -> None:
    t = (Begin(1, None, "a"), End(1), Begin(2, None, "b"), End(2))
    assert len(list(linear_extensions(causal_order(shape(phi(t)))))) == 6


def test_t7_child_may_end_after_its_parent_but_not_begin_after_it() -> None:
    t = (Begin(1, None, "p"), Begin(2, 1, "c"), End(1), End(2))
    ext = set(linear_extensions(causal_order(shape(phi(t)))))
    assert ext == {t, (Begin(1, None, "p"), Begin(2, 1, "c"), End(2), End(1))}


def test_causal_order_of_the_empty_shape_and_of_shapes_no_trace_has() -> None:
    assert list(linear_extensions(causal_order(shape(Forest([]))))) == [()]
    with pytest.raises(MappingError, match="absent"):
        causal_order(shape(Forest([SpanRecord(2, 1, "c", None, 1, None)])))
    with pytest.raises(MappingError, match="own ancestor"):
        causal_order(shape(Forest([SpanRecord(1, 2, "a", None, 1, None),
                                   SpanRecord(2, 1, "b", None, 1, None)])))


# --- negative laws: Φ rejects exactly the non-WF traces, naming the condition ----------------


def _declarative_wf(t: Trace) -> bool:
    """W1–W4 stated on positions, independently of the incremental checker."""
    begin_at: dict[SpanId, int] = {}
    end_at: dict[SpanId, int] = {}
    for i, ev in enumerate(t):
        table = begin_at if isinstance(ev, Begin) else end_at if isinstance(ev, End) else None
        if table is not None:
            if ev.span in table:
                return False
            table[ev.span] = i

    def open_at(s: SpanId | None, i: int) -> bool:
        return s in begin_at and begin_at[s] < i and (s not in end_at or i < end_at[s])

    for i, ev in enumerate(t):
        if isinstance(ev, Begin):
            if ev.parent is not None and not open_at(ev.parent, i):
                return False
        elif isinstance(ev, End):
            if not (ev.span in begin_at and begin_at[ev.span] < i):
                return False
        elif not open_at(ev.span, i):
            return False
    return True


def _expected_condition(t: Trace, i: int) -> str:
    ev = t[i]
    if isinstance(ev, Begin):
        return "W1" if any(isinstance(e, Begin) and e.span == ev.span for e in t[:i]) else "W3"
    return "W2" if isinstance(ev, End) else "W4"


@given(arbitrary_traces())
def test_phi_rejects_exactly_the_non_wf_traces_with_the_right_condition(t: Trace) -> None:
    if _declarative_wf(t):
        assert wf_violation(t) is None
        assert psi(phi(t)) == t
        return
    first = next(i for i in range(len(t)) if not _declarative_wf(t[: i + 1]))
    cond = _expected_condition(t, first)
    found = wf_violation(t)
    assert found is not None and found[0] == first and found[1].startswith(cond)
    with pytest.raises(MappingError, match=f"at event {first + 1}: {cond}:"):
        phi(t)


@given(wf_traces(), st.data())
def test_phi_rejects_targeted_mutations(t: Trace, data: st.DataObject) -> None:
    """Insert one event that breaks a chosen condition; Φ names it at that position."""
    f = phi(t)
    fresh: SpanId = "fresh" if any(isinstance(k, str) for k in f) else 10**6
    kinds = ["W1", "W2", "W3", "W4"] if f else ["W2", "W3", "W4"]
    kind = data.draw(st.sampled_from(kinds))
    sid: SpanId = data.draw(st.sampled_from(sorted(f, key=id_key))) if f else fresh
    start = f[sid].start if f else len(t) + 1
    end = f[sid].end if f else None
    not_open = list(range(start)) + ([] if end is None else list(range(end, len(t) + 1)))
    bad: SpanEvent
    if kind == "W1":   # begin sid again, anywhere after its begin
        at, bad = data.draw(st.integers(start, len(t))), t[start - 1]
    elif kind == "W2":   # end sid before it begins or after it ended
        at, bad = data.draw(st.sampled_from(not_open)), End(sid)
    elif kind == "W3":   # a new child of sid while sid is not open
        at, bad = data.draw(st.sampled_from(not_open)), Begin(fresh, sid, "x")
    else:   # a mark on sid while it is not open
        at, bad = data.draw(st.sampled_from(not_open)), Mark(sid, "late")
    mutated = (*t[:at], bad, *t[at:])
    assert not _declarative_wf(mutated)
    with pytest.raises(MappingError, match=f"at event {at + 1}: {kind}:"):
        phi(mutated)


# --- the tie-break matters: broken keys are caught by T1 --------------------------------------


def ends_first_key(time: int, cls: int, depth: int, span: SpanId, seq: int) -> tuple[
        int, int, int, tuple[int, int | str], int]:
    """A mutated tie-break: at equal times, ends before marks before begins."""
    return (time, -cls, depth if cls == BEGIN else 0, id_key(span), seq)


def id_only_key(time: int, cls: int, depth: int, span: SpanId, seq: int) -> tuple[
        int, int, int, tuple[int, int | str], int]:
    """A mutated tie-break: begins at one time ordered by span id, ignoring depth."""
    return (time, cls, 0, id_key(span), seq)


def t1_counterexample(key: OccurrenceKey, max_examples: int = 2000) -> Forest | None:
    """A valid forest whose Ψ under ``key`` is not WF (the first found, unshrunk), or None."""
    search = settings(max_examples=max_examples, derandomize=True, database=None,
                      phases=(Phase.generate,))
    try:
        return find(valid_forests(), lambda f: not is_wf(psi(f, key)), settings=search)
    except NoSuchExample:
        return None


@pytest.mark.parametrize("key", [ends_first_key, id_only_key])
def test_broken_tie_breaks_are_caught_by_t1(key: OccurrenceKey) -> None:
    f = t1_counterexample(key)
    assert f is not None
    assert forest_violations(f) == []
    assert is_wf(psi(f)) and not is_wf(psi(f, key))


@given(wf_traces(), st.data())
def test_a_normalised_forest_lists_marks_in_time_order(t: Trace, data: st.DataObject) -> None:
    """Distinct times 1..m are not enough: marks listed out of order are put back by norm."""
    f = phi(t)
    shuffled = Forest(
        replace(rec, marks=tuple(data.draw(st.permutations(rec.marks)))) for rec in f.records()
    )
    assert is_valid_forest(shuffled)
    assert norm(shuffled) == f
    assert is_normalised(shuffled) == (shuffled == f)
