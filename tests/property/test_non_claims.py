"""Counterexamples to the claims that do NOT hold (docs/theory.md §3 "What does not hold").

Each claim gets two tests: Hypothesis searches for a counterexample (``find``) and the test checks
that what it found really is one; and the counterexample printed in ``docs/theory.md`` is checked
verbatim, so the documentation cannot drift from the code.
"""

from __future__ import annotations

from hypothesis import find, given, settings

from cspotlp.mapping import (
    Begin,
    End,
    Forest,
    SpanRecord,
    Trace,
    forest_violations,
    is_complete,
    is_strictly_nested,
    is_valid_forest,
    is_wf,
    norm,
    phi,
    psi,
    shape,
    wf_violation,
)
from tests.property.test_correspondence_laws import ends_first_key, id_only_key
from tests.strategies_mapping import (
    arbitrary_forests,
    broken_forests,
    interleaved_pairs,
    valid_forests,
    wf_traces,
)

SEARCH = settings(max_examples=1000, derandomize=True, database=None)


# --- (a) real times are not recoverable from a logical trace --------------------------------

DOC_A_F1 = Forest([
    SpanRecord(0, None, "GET /", None, 0, 0, status="OK"),
    SpanRecord(1, 0, "GET /", None, 0, 0, status="OK"),
])
DOC_A_F2 = Forest([
    SpanRecord(0, None, "GET /", None, 1, 3, status="OK"),
    SpanRecord(1, 0, "GET /", None, 2, 4, status="OK"),
])
# The same trace from nanosecond OTLP times (a request and its database call).
DOC_A_OTLP = Forest([
    SpanRecord("root", None, "GET /users", None, 1_700_000_000_000_000_000,
               1_700_000_000_250_000_000, status="OK"),
    SpanRecord("db", "root", "SELECT users", None, 1_700_000_000_010_000_000,
               1_700_000_000_200_000_000, status="OK"),
])
DOC_A_OTLP_SLOW = Forest([
    SpanRecord("root", None, "GET /users", None, 1_700_000_000_000_000_000,
               1_700_000_009_000_000_000, status="OK"),
    SpanRecord("db", "root", "SELECT users", None, 1_700_000_000_000_000_001,
               1_700_000_008_999_999_999, status="OK"),
])


def _times_kept_as_payload(f: Forest) -> Forest:
    """The remedy: copy each span's times into its payload, so Ψ carries them."""
    return Forest(
        SpanRecord(r.id, r.parent, r.name, (r.payload, r.start, r.end), r.start, r.end, r.marks,
                   r.links, r.status)
        for r in f.records()
    )


def test_a_found_two_forests_with_one_trace() -> None:
    f = find(valid_forests(), lambda f: f != norm(f)
             and any(r.parent is not None and r.end is not None for r in f.values()),
             settings=SEARCH)
    g = norm(f)
    assert f != g and psi(f) == psi(g)
    assert is_valid_forest(f) and is_valid_forest(g)


def test_a_documented_counterexamples() -> None:
    assert norm(DOC_A_F1) == DOC_A_F2
    for f1, f2 in ((DOC_A_F1, DOC_A_F2), (DOC_A_OTLP, DOC_A_OTLP_SLOW)):
        assert is_valid_forest(f1) and is_valid_forest(f2)
        assert f1 != f2
        assert psi(f1) == psi(f2)
        assert norm(f1) == norm(f2)
        assert psi(_times_kept_as_payload(f1)) != psi(_times_kept_as_payload(f2))


@given(valid_forests())
def test_a_times_survive_only_as_payload(f: Forest) -> None:
    kept = phi(psi(_times_kept_as_payload(f)))
    assert {r.id: r.payload[1:] for r in kept.values()} == {
        r.id: (r.start, r.end) for r in f.values()}


# --- (b) one process, many traces, many span forests ----------------------------------------

# P = (begin.1 -> end.1 -> SKIP) ||| (begin.0 -> end.0 -> SKIP): two concurrent requests.
DOC_B_U: Trace = (Begin(1, None, "GET /"), End(1), Begin(0, None, "GET /"), End(0))
DOC_B_V: Trace = (Begin(1, None, "GET /"), Begin(0, None, "GET /"), End(1), End(0))
# Q = begin.1.GET -> end.1 -> SKIP [] begin.1.POST -> end.1 -> SKIP: a choice.
DOC_B_GET: Trace = (Begin(1, None, "GET /"), End(1))
DOC_B_POST: Trace = (Begin(1, None, "POST /"), End(1))


def test_b_found_one_process_two_forests() -> None:
    t1, t2, u = find(
        interleaved_pairs(max_events=4),
        lambda x: bool(x[0]) and bool(x[1]) and is_complete(x[0]) and is_complete(x[1])
        and x[2] != x[0] + x[1],
        settings=SEARCH,
    )
    v = t1 + t2   # the other interleaving: one request after the other
    assert is_wf(u) and is_wf(v) and is_complete(u) and is_complete(v)
    assert phi(u) != phi(v)
    assert shape(phi(u)) == shape(phi(v))   # same shape, different times: T7 counts them


def test_b_documented_counterexamples() -> None:
    assert sorted(DOC_B_U, key=repr) == sorted(DOC_B_V, key=repr)   # the same events
    assert phi(DOC_B_U) != phi(DOC_B_V)
    assert phi(DOC_B_U)[1].end == 2 and phi(DOC_B_V)[1].end == 3
    assert shape(phi(DOC_B_GET)) != shape(phi(DOC_B_POST))


# --- (c) strictly nested is stronger than WF -------------------------------------------------

DOC_C: Trace = (Begin(0, None, "GET /"), Begin(1, 0, "GET /"), End(0), End(1))


def test_c_found_wf_but_not_strictly_nested() -> None:
    t = find(wf_traces(complete=True), lambda t: not is_strictly_nested(t), settings=SEARCH)
    assert is_wf(t) and is_complete(t) and not is_strictly_nested(t)


def test_c_documented_counterexample() -> None:
    assert is_wf(DOC_C) and is_complete(DOC_C) and not is_strictly_nested(DOC_C)
    f = phi(DOC_C)
    assert (f[0].end, f[1].end) == (3, 4)   # the child outlives its parent
    assert psi(f) == DOC_C


@given(wf_traces())
def test_c_strictly_nested_implies_wf(t: Trace) -> None:
    assert is_strictly_nested(t) <= is_wf(t)


# --- (d) captured data breaking the forest conditions is reported ---------------------------

DOC_D_SKEW = Forest([
    SpanRecord(0, None, "GET /", None, 0, 0, status="OK"),
    SpanRecord(1, 0, "GET /", None, -1, 0, status="OK"),
])
DOC_D_OPEN_STATUS = Forest([SpanRecord(0, None, "GET /", None, 0, None, status="OK")])


def test_d_found_skew_breaks_wf_and_is_reported() -> None:
    how, f = find(broken_forests(breaks=("skew",)), lambda x: x[0] == "skew", settings=SEARCH)
    assert not is_wf(psi(f))
    assert any("outside its parent" in v for v in forest_violations(f))


def test_d_documented_skew() -> None:
    t = psi(DOC_D_SKEW)
    assert wf_violation(t) == (0, "W3: span 1 begins while its parent 0 has not begun")
    assert forest_violations(DOC_D_SKEW) == ["span 1 starts at -1 outside its parent 0 [0, 0]"]


def test_d_found_invalid_forest_with_wf_psi() -> None:
    how, f = find(broken_forests(breaks=("status on open span", "skew", "orphan")),
                  lambda x: is_wf(psi(x[1])), settings=SEARCH)
    assert how == "status on open span"
    assert forest_violations(f) and is_wf(psi(f))


def test_d_documented_open_status() -> None:
    assert is_wf(psi(DOC_D_OPEN_STATUS))
    assert forest_violations(DOC_D_OPEN_STATUS) == ["open span 0 has status 'OK'"]


def _validity_by_psi(f: Forest) -> bool:
    """Valid exactly when Ψ(F) is WF and no open span has a status (theory.md, T1')."""
    return is_wf(psi(f)) and all(r.end is not None or r.status is None for r in f.values())


@given(broken_forests())
def test_d_every_deliberate_break_is_reported(x: tuple[str, Forest]) -> None:
    how, f = x
    assert forest_violations(f), how
    assert not _validity_by_psi(f), how


@given(arbitrary_forests())
def test_d_validity_is_exactly_wf_psi_and_no_status_on_open_spans(f: Forest) -> None:
    assert is_valid_forest(f) == _validity_by_psi(f)


# --- (e) the tie-break is not arbitrary: mutated keys break T1 -------------------------------

DOC_E_ENDS_FIRST = Forest([SpanRecord(0, None, "GET /", None, 0, 0, status="OK")])
DOC_E_ID_ONLY = Forest([
    SpanRecord(0, 1, "GET /", None, 0, None),
    SpanRecord(1, None, "GET /", None, 0, None),
])


def test_e_documented_broken_tie_breaks() -> None:
    for f, key, why in ((DOC_E_ENDS_FIRST, ends_first_key, "W2: span 0 ends before it begins"),
                        (DOC_E_ID_ONLY, id_only_key,
                         "W3: span 0 begins while its parent 1 has not begun")):
        assert is_valid_forest(f) and is_wf(psi(f))
        assert wf_violation(psi(f, key)) == (0, why)
