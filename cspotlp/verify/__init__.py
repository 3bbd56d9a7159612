"""Verification: Z3 proofs of the correspondence.

Z3 proofs of the trace ↔ span-forest correspondence (docs/theory.md):

``prove(["T3"], bound=32)`` checks a theorem for every trace (or forest) of up to 32 events and
returns a :class:`ProofResult` — ``proved``, ``counterexample`` (with a concrete Python trace or
forest) or ``unknown`` (time limit). ``T3-step``, ``T4-step``, ``T5-step`` and
``Psi-unique-step`` are inductions on the trace length (on the listing length for Psi-unique)
whose base case and step Z3 proves: they hold for every length.

Modules: :mod:`~cspotlp.verify.smt` (the typed term manager, the only importer of ``z3``
besides :mod:`~cspotlp.verify.steps`), :mod:`~cspotlp.verify.symbolic` (bounded symbolic traces
and forests, conversion to and from Python), :mod:`~cspotlp.verify.encoding` (WF, validity, Φ,
Ψ, norm, cut), :mod:`~cspotlp.verify.theorems` (T1–T5), :mod:`~cspotlp.verify.steps`
(inductions).
"""

from cspotlp.verify.encoding import DEFAULT, MUTATIONS, Definitions, reference_psi
from cspotlp.verify.prove import (
    MAX_BOUND,
    MAX_TIMEOUT,
    THEOREM_IDS,
    describe,
    format_counterexample,
    prove,
)
from cspotlp.verify.steps import STEP_THEOREMS, prove_step
from cspotlp.verify.theorems import THEOREMS, ProofResult, Theorem, check_size, prove_bounded

__all__ = [
    "DEFAULT", "MAX_BOUND", "MAX_TIMEOUT", "MUTATIONS", "STEP_THEOREMS", "THEOREMS", "THEOREM_IDS", "Definitions",
    "ProofResult", "Theorem", "check_size", "describe", "format_counterexample", "prove",
    "prove_bounded", "prove_step", "reference_psi",
]
