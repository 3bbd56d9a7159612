"""The theorems T1–T5 of docs/theory.md, proved by Z3 for every size up to a bound.

The **bound counts events**: a trace of at most ``K`` events (T3–T5), or a forest of at most ``K``
occurrences — begins, ends, marks and links — which is the length of Ψ(F) (T1, T2). Each size
``n = 0..K`` is its own query; a theorem is ``proved`` at bound ``K`` when the negation of its
statement is unsatisfiable at every size, and the first satisfiable size gives a
``counterexample`` (a Python :class:`~cspotlp.mapping.Trace` or :class:`~cspotlp.mapping.Forest`
that :mod:`cspotlp.mapping` can check). A query that exhausts the time limit is ``unknown``.

========  ======================================================================================
T1        F valid ⟹ Ψ(F) is WF
T2        F valid ⟹ Ψ(F) is WF (so Φ is defined on it) and Φ(Ψ(F)) = norm(F)
T3        t WF ⟹ Ψ(Φ(t)) = t
T4        t WF ⟹ Φ(t) is a valid, normalised forest and norm(Φ(t)) = Φ(t)
T5        t WF ⟹ for every i ≤ |t|: t↾i is WF and Φ(t↾i) = cut_i(Φ(t))
========  ======================================================================================

Two encodings present the universally quantified object to Z3 (``encoding=``):

``optimised`` (the default)
    *Traces* (T3–T5) are symbolic, with span ids canonical (a begin at ``j`` has id ``j``:
    :func:`~cspotlp.verify.symbolic.canonical_span_ids`, symmetry breaking). Φ(t) has the
    positions as times, so Ψ's comparisons on Φ(t) are constants, decided while the formula is
    built: the proofs are per position (Ψ(Φ(t)) at ``r`` *is* ``t`` at ``r``; T3 reduces to
    ``true`` before Z3 is called). *Forests* (T1, T2) are occurrence slots with symbolic times
    listed in Ψ's order (:func:`~cspotlp.verify.encoding.listed_in_psi_order`; every forest can
    be so listed, its keys being distinct), so Ψ(F) at ``r`` is slot ``r``; then the equation
    of T2 holds by construction and T2's content is T1's. T1, T2 and T4, conjunctions of many
    local facts, are checked one conjunct at a time in one incremental solver; T3 and T5 in one
    non-incremental query, which lets Z3 preprocess the whole formula. Integer arithmetic uses
    Z3's older arithmetic solver (``smt.arith.solver=2``), faster on these formulas.
``baseline``
    The direct transcription: free span ids; Ψ(F) by counting every slot's rank and selecting
    by rank; for T3, Φ(t) given *relationally*, as a forest of variables constrained to equal
    Φ(t), so Z3 must find the per-position argument itself; one query per size.

T4's "valid" is proved with "every parent begins strictly before its child" in place of the depth
witness for acyclicity (stronger, and quantifier-free).

For every length at once, see :mod:`cspotlp.verify.steps` (T3-step, T4-step, T5-step).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal, TypeAlias

from cspotlp.errors import VerifyError
from cspotlp.mapping import Forest, Trace
from cspotlp.verify.encoding import (
    DEFAULT,
    Definitions,
    cut,
    forest_conditions,
    forest_equal,
    listed_in_psi_order,
    norm,
    normalised,
    phi,
    psi,
    psi_ranks,
    trace_equal,
    valid_forest,
    wf,
    wf_steps,
)
from cspotlp.verify.smt import BoolT, IntT, Solver, Terms, monotonic
from cspotlp.verify.symbolic import (
    Codec,
    SymForest,
    SymTrace,
    canonical_span_ids,
    forest_domain,
    forest_vars,
    read_forest,
    read_trace,
    trace_domain,
    trace_vars,
)

Result: TypeAlias = Literal["proved", "counterexample", "unknown"]
Encoding: TypeAlias = Literal["optimised", "baseline"]
Counterexample: TypeAlias = Trace | Forest


@dataclass(frozen=True, slots=True)
class ProofResult:
    """The verdict of one theorem.

    Attributes:
        theorem: the theorem id (``"T3"``, ``"T3-step"``...).
        bound: the number of events up to which the statement was checked; ``None`` for an
            inductive step, which holds for every length.
        result: ``proved``, ``counterexample`` or ``unknown``.
        seconds: wall-clock time, formula building included.
        counterexample: the trace or forest refuting the statement, when one was found.
        size: the size (events) of the counterexample, or at which the proof became unknown.
        detail: a sentence saying what went wrong, for ``counterexample`` and ``unknown``.
    """

    theorem: str
    bound: int | None
    result: Result
    seconds: float
    counterexample: Counterexample | None = None
    size: int | None = None
    detail: str = ""

    def as_json(self) -> dict[str, object]:
        """``{"theorem", "bound", "result", "seconds"}``, as ``cspotlp prove --json`` prints."""
        return {"theorem": self.theorem, "bound": self.bound, "result": self.result,
                "seconds": round(self.seconds, 3)}


@dataclass(frozen=True, slots=True)
class Instance:
    """One size of one theorem.

    Attributes:
        premises: the hypotheses (and the definitional and symmetry-breaking constraints).
        parts: the statement, as a conjunction; each part may be checked on its own.
        read: turns a model of the premises refuting a part into a Python counterexample.
    """

    premises: tuple[BoolT, ...]
    parts: tuple[BoolT, ...]
    read: Callable[[Solver], Counterexample]


Builder: TypeAlias = Callable[[Terms, int, Definitions, Encoding], Instance]


@dataclass(frozen=True, slots=True)
class Theorem:
    """A bounded theorem: its id, its statement in words, and the builder of its instances.

    ``split`` says whether the optimised encoding checks the parts one at a time in one
    incremental solver (faster when each part is a local fact that needs little of the rest) or
    their conjunction in one non-incremental query (faster when Z3's preprocessing of the whole
    formula pays off). With ``lemmas``, each part once proved is asserted for the next ones
    (sound: it follows from the premises), which helps T1's steps, each about a longer prefix.
    """

    id: str
    statement: str
    build: Builder
    split: bool = True
    lemmas: bool = False


# ---- instances -------------------------------------------------------------------------------

def _trace_instance(terms: Terms, n: int, defs: Definitions, enc: Encoding,
                    parts: Callable[[SymTrace], Sequence[BoolT]]) -> Instance:
    t = trace_vars(terms, n)
    premises = [trace_domain(terms, t), wf(terms, t, defs)]
    if enc == "optimised":
        premises.append(canonical_span_ids(terms, t))
    return Instance(tuple(premises), tuple(parts(t)), lambda s: read_trace(s, Codec(), t))


def _forest_instance(terms: Terms, n: int, defs: Definitions, enc: Encoding,
                     parts: Callable[[SymForest, Sequence[IntT]], Sequence[BoolT]]) -> Instance:
    f = forest_vars(terms, n)
    premises: list[BoolT] = [forest_domain(terms, f), valid_forest(terms, f, defs)]
    ranks: Sequence[IntT]
    if enc == "optimised":
        premises.append(listed_in_psi_order(terms, f, defs))
        ranks = tuple(range(n))
    else:
        ranks = psi_ranks(terms, f, defs)
    return Instance(tuple(premises), tuple(parts(f, ranks)), lambda s: read_forest(s, Codec(), f))


def _t1(terms: Terms, n: int, defs: Definitions, enc: Encoding) -> Instance:
    return _forest_instance(terms, n, defs, enc,
                            lambda f, ranks: wf_steps(terms, psi(terms, f, ranks), defs))


def _t2(terms: Terms, n: int, defs: Definitions, enc: Encoding) -> Instance:
    def parts(f: SymForest, ranks: Sequence[IntT]) -> list[BoolT]:
        u = psi(terms, f, ranks)
        return [*wf_steps(terms, u, defs),
                forest_equal(terms, phi(terms, u), norm(terms, f, ranks))]
    return _forest_instance(terms, n, defs, enc, parts)


def _t3(terms: Terms, n: int, defs: Definitions, enc: Encoding) -> Instance:
    if enc == "baseline":
        return _t3_relational(terms, n, defs)

    def parts(t: SymTrace) -> list[BoolT]:
        f = phi(terms, t)
        return [trace_equal(terms, psi(terms, f, psi_ranks(terms, f, defs)), t)]
    return _trace_instance(terms, n, defs, enc, parts)


def _t3_relational(terms: Terms, n: int, defs: Definitions) -> Instance:
    """T3 with Φ(t) as a forest of variables F constrained by F = Φ(t), Ψ(F) by ranks."""
    t = trace_vars(terms, n)
    f = forest_vars(terms, n, "PhiT")
    groups = forest_conditions(terms, f, defs)
    premises = (trace_domain(terms, t), wf(terms, t, defs), forest_domain(terms, f),
                terms.all_(groups["unique"]),      # F's slots are distinct occurrences
                forest_equal(terms, f, phi(terms, t)),
                terms.all_(groups["acyclic"]))     # F's depths, which Ψ's key uses
    statement = trace_equal(terms, psi(terms, f, psi_ranks(terms, f, defs)), t)
    return Instance(premises, (statement,), lambda s: read_trace(s, Codec(), t))


def _t4(terms: Terms, n: int, defs: Definitions, enc: Encoding) -> Instance:
    def parts(t: SymTrace) -> list[BoolT]:
        f = phi(terms, t)
        groups = forest_conditions(terms, f, defs, acyclic_by_depth=False)
        return [*(c for group in groups.values() for c in group), normalised(terms, f),
                forest_equal(terms, norm(terms, f, psi_ranks(terms, f, defs)), f)]
    return _trace_instance(terms, n, defs, enc, parts)


def _t5(terms: Terms, n: int, defs: Definitions, enc: Encoding) -> Instance:
    def parts(t: SymTrace) -> list[BoolT]:
        f = phi(terms, t)
        steps = wf_steps(terms, t, defs)
        out: list[BoolT] = []
        for i in range(n + 1):
            # phi(t[:i]) builds exactly the first i slots of phi(t): slot j reads only t[:j+1].
            prefix_forest = SymForest(f.occurrences[:i], f.depth)
            out.append(terms.all_(steps[:i]))
            out.append(forest_equal(terms, prefix_forest, cut(terms, f, i)))
        return out
    return _trace_instance(terms, n, defs, enc, parts)


THEOREMS: dict[str, Theorem] = {
    "T1": Theorem("T1", "F valid ⟹ Ψ(F) is WF", _t1, lemmas=True),
    "T2": Theorem("T2", "F valid ⟹ Φ(Ψ(F)) = norm(F)", _t2, lemmas=True),
    "T3": Theorem("T3", "t WF ⟹ Ψ(Φ(t)) = t", _t3, split=False),
    "T4": Theorem("T4", "t WF ⟹ Φ(t) valid and normalised, norm(Φ(t)) = Φ(t)", _t4),
    "T5": Theorem("T5", "t WF ⟹ Φ(t↾i) = cut_i(Φ(t)) for every i", _t5, split=False),
}
"""The bounded theorems, by id."""


# ---- proving ---------------------------------------------------------------------------------

def prove_bounded(theorem: Theorem, bound: int, *, timeout: float = 60.0,
                  defs: Definitions = DEFAULT, encoding: Encoding = "optimised",
                  start: int = 0) -> ProofResult:
    """Check ``theorem`` at every size ``start..bound`` within ``timeout`` seconds in all."""
    if bound < 0:
        raise VerifyError(f"bound must be at least 0, not {bound}")
    began = monotonic()
    for n in range(start, bound + 1):
        remaining = timeout - (monotonic() - began)
        if remaining <= 0:
            return ProofResult(theorem.id, bound, "unknown", monotonic() - began, size=n,
                               detail=f"time limit of {timeout:g} s reached before size {n}")
        outcome, cex, why = check_size(theorem, n, remaining, defs, encoding)
        if outcome == "sat":
            return ProofResult(theorem.id, bound, "counterexample", monotonic() - began, cex, n,
                               f"{theorem.statement} fails for a {_what(cex)} of {n} events")
        if outcome == "unknown":
            return ProofResult(theorem.id, bound, "unknown", monotonic() - began, size=n,
                               detail=f"Z3 gave up at size {n}: {why}")
    return ProofResult(theorem.id, bound, "proved", monotonic() - began)


def check_size(theorem: Theorem, n: int, timeout: float, defs: Definitions = DEFAULT,
               encoding: Encoding = "optimised") -> tuple[str, Counterexample | None, str]:
    """Check ``theorem`` at size ``n``.

    Returns ``unsat`` (it holds), ``sat`` or ``unknown``; the counterexample when ``sat``; Z3's
    reason when ``unknown``.
    """
    began = monotonic()
    terms = Terms()
    inst = theorem.build(terms, n, defs, encoding)
    solver = Solver(terms, timeout, tuned=encoding == "optimised")
    solver.add_all(inst.premises)
    parts = [p for p in inst.parts if p is not True]
    if not parts:
        return "unsat", None, ""
    if theorem.split and encoding == "optimised":
        # one incremental solver, one part at a time: each part is a local fact
        for part in parts:
            solver.set_timeout(max(timeout - (monotonic() - began), 0.001))
            outcome = solver.check_with(terms.not_(part))
            if outcome != "unsat":
                break
            if theorem.lemmas:
                solver.add(part)
    else:
        # one non-incremental query, so that Z3 preprocesses the whole formula (which on T5
        # is ten times faster than the incremental solver)
        solver.add(terms.not_(terms.all_(parts)))
        outcome = solver.check()
    if outcome == "sat":
        return "sat", inst.read(solver), ""
    if outcome == "unknown":
        return "unknown", None, solver.reason_unknown()
    return "unsat", None, ""


def _what(cex: Counterexample | None) -> str:
    return "forest" if isinstance(cex, Forest) else "trace"
