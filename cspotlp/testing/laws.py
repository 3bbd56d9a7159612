"""The correspondence theorems T1–T5 (DESIGN.md §2) as reusable checks.

Each check takes one input, raises ``AssertionError`` naming the theorem and the first place
where it fails, and returns nothing. The maps default to cspotlp's Φ, Ψ and norm; pass your own
(``phi=``, ``psi=``, ``norm=``) to check an implementation of yours against the laws — a span
builder turning an event log into spans is a Φ, a tool ordering span events is a Ψ:

=====  ===========================  =====================================================
T1     :func:`check_psi_wf` (F)     Ψ(F) is well formed for every valid forest F
T2     :func:`check_psi_phi` (F)    Φ(Ψ(F)) = norm(F)
T3     :func:`check_phi_psi` (t)    Ψ(Φ(t)) = t for every well-formed trace t
T4     :func:`check_phi_normalised` Φ(t) is a valid normalised forest: norm(Φ(t)) = Φ(t)
T5     :func:`check_prefixes` (t)   Φ(t↾i) = cut_i(Φ(t)) for every i
=====  ===========================  =====================================================

(The names read in the order the maps apply: ``phi_psi`` is Φ, then Ψ.) A check handed an
input outside its theorem (a trace that is not well formed, a forest that is not valid) raises
``ValueError``: that is a wrong test, not a counterexample.

A property test of your own span builder::

    from hypothesis import given
    from cspotlp.testing import check_phi_normalised, check_phi_psi
    from cspotlp.testing.strategies import wf_traces

    @given(wf_traces())
    def test_my_span_builder_is_phi(t):
        check_phi_psi(t, phi=my_span_builder)         # Ψ undoes it
        check_phi_normalised(t, phi=my_span_builder)  # times 1..m, one per occurrence
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from cspotlp.mapping import correspondence
from cspotlp.mapping.forest import Forest, forest_violations, is_normalised
from cspotlp.mapping.vocabulary import SpanEvent, Trace, wf_violation

Phi = Callable[[Sequence[SpanEvent]], Forest]
Psi = Callable[[Forest], Trace]
Norm = Callable[[Forest], Forest]


def _require_wf(t: Sequence[SpanEvent], law: str) -> None:
    bad = wf_violation(t)
    if bad is not None:
        raise ValueError(f"{law} is about well-formed traces; this one is not, at event "
                         f"{bad[0] + 1}: {bad[1]}")


def _require_valid(f: Forest, law: str) -> None:
    problems = forest_violations(f)
    if problems:
        raise ValueError(f"{law} is about valid forests; this one is not: {problems[0]}")


def _trace_difference(got: Sequence[SpanEvent], want: Sequence[SpanEvent]) -> str:
    for i, (g, w) in enumerate(zip(got, want, strict=False)):
        if g != w:
            return f"at event {i + 1}: {g!r} where {w!r} was expected"
    return f"{len(got)} events where {len(want)} were expected"


def _forest_difference(got: Forest, want: Forest) -> str:
    for sid in sorted({*got, *want}, key=repr):
        g, w = got.get(sid), want.get(sid)
        if g != w:
            return f"span {sid!r}: {g!r} where {w!r} was expected"
    return "the forests differ"  # pragma: no cover - equal mappings compare equal


def check_psi_wf(forest: Forest, *, psi: Psi = correspondence.psi) -> None:
    """T1: Ψ(F) is a well-formed trace (F a valid forest)."""
    _require_valid(forest, "T1")
    bad = wf_violation(psi(forest))
    if bad is not None:
        raise AssertionError(f"T1 fails: Ψ(F) is not well formed at event {bad[0] + 1}: "
                             f"{bad[1]}")


def check_psi_phi(forest: Forest, *, phi: Phi = correspondence.phi,
                  psi: Psi = correspondence.psi, norm: Norm = correspondence.norm) -> None:
    """T2: Φ(Ψ(F)) = norm(F) (F a valid forest)."""
    _require_valid(forest, "T2")
    got, want = phi(psi(forest)), norm(forest)
    if got != want:
        raise AssertionError(f"T2 fails: Φ(Ψ(F)) differs from norm(F) at "
                             f"{_forest_difference(got, want)}")


def check_phi_psi(trace: Sequence[SpanEvent], *, phi: Phi = correspondence.phi,
                  psi: Psi = correspondence.psi) -> None:
    """T3: Ψ(Φ(t)) = t (t well formed)."""
    _require_wf(trace, "T3")
    got = psi(phi(trace))
    if tuple(got) != tuple(trace):
        raise AssertionError(f"T3 fails: Ψ(Φ(t)) differs from t "
                             f"{_trace_difference(got, trace)}")


def check_phi_normalised(trace: Sequence[SpanEvent], *, phi: Phi = correspondence.phi,
                         norm: Norm = correspondence.norm) -> None:
    """T4: Φ(t) is a valid, normalised forest, so norm(Φ(t)) = Φ(t) (t well formed)."""
    _require_wf(trace, "T4")
    f = phi(trace)
    problems = forest_violations(f)
    if problems:
        raise AssertionError(f"T4 fails: Φ(t) is not a valid forest: {problems[0]}")
    if not is_normalised(f):
        raise AssertionError("T4 fails: Φ(t) is not normalised (its times are not exactly "
                             "1..m, one per occurrence, in Ψ's order)")
    g = norm(f)
    if g != f:
        raise AssertionError(f"T4 fails: norm(Φ(t)) differs from Φ(t) at "
                             f"{_forest_difference(g, f)}")


def check_prefixes(trace: Sequence[SpanEvent], *, phi: Phi = correspondence.phi) -> None:
    """T5: Φ(t↾i) = cut_i(Φ(t)) for every i from 0 to len(t) (t well formed)."""
    _require_wf(trace, "T5")
    whole = phi(trace)
    for i in range(len(trace) + 1):
        got, want = phi(correspondence.prefix(trace, i)), correspondence.cut(whole, i)
        if got != want:
            raise AssertionError(f"T5 fails for the prefix of length {i}: Φ(t↾{i}) differs "
                                 f"from cut_{i}(Φ(t)) at {_forest_difference(got, want)}")


LAWS: dict[str, Callable[..., None]] = {
    "T1": check_psi_wf, "T2": check_psi_phi, "T3": check_phi_psi, "T4": check_phi_normalised,
    "T5": check_prefixes,
}
"""The checks by theorem name."""


def check_correspondence(value: Sequence[SpanEvent] | Forest) -> None:
    """Every law that applies: T1 and T2 to a forest, T3–T5 to a trace (cspotlp's maps)."""
    if isinstance(value, Forest):
        check_psi_wf(value)
        check_psi_phi(value)
        return
    check_phi_psi(value)
    check_phi_normalised(value)
    check_prefixes(value)


__all__ = ["LAWS", "check_correspondence", "check_phi_normalised", "check_phi_psi",
           "check_prefixes", "check_psi_phi", "check_psi_wf"]
