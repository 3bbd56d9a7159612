"""Unbounded proofs by induction on the trace length: Z3 checks the base case and the step.

The bounded proofs of :mod:`cspotlp.verify.theorems` fix a size; here the size is a symbolic
``n ≥ 0`` and sequences are unbounded: a trace is an array ``t : Int → Event`` of which the
first ``n`` cells are the trace (so ``t↾i`` is the same array with length ``i``). Each theorem
``P`` is proved by induction on ``n``: Z3 shows ``P(0)`` and ``P(n) ⟹ P(n + 1)`` with
quantified formulas over the positions; the induction principle itself is applied here, in
the argument, not by Z3. This is independent of the Coq development.

The definitions, and how they match :mod:`cspotlp.mapping` and the bounded encoding:

* An event is a record ``(kind, span, parent, has_parent, label)`` as in
  :mod:`cspotlp.verify.symbolic`. WF is the conjunction over positions ``j < n`` of ``ok(j)``,
  the same per-position condition as :func:`cspotlp.verify.encoding.wf_steps`, with "span
  ``s`` has begun before ``j``" the quantified ``∃ k < j. t[k] is a begin of s``.
* A forest is the *set* of its occurrences ``(time, event)``; list positions are implicit
  (lists in time order), which is how Φ builds its lists and all that T3 and T5 compare.
* Φ is Python's loop: ``Φ(t↾0) = ∅`` and ``Φ(t↾(k+1)) = Φ(t↾k) ∪ {(k + 1, t[k])}``; a step
  proof uses this definition unfolded once, at ``n``.
* Ψ(F) is the sequence of events of *the* strictly key-sorted listing of F. The key is the time
  followed by an arbitrary strict tie-break (an uninterpreted relation), so these proofs hold
  for every tie-break. That the sorted listing is unique — for any strict total order — is
  itself proved by induction (``Psi-unique-step``).
* ``cut_i(F)`` keeps the occurrences with time ``≤ i`` whose span has a begin with time ``≤ i``.

Each step is checked as a list of obligations; an obligation once proved is assumed by the
later ones (the same hypotheses hold), which keeps every query small for Z3's quantifier
instantiation. Z3 terms are typed :data:`Expr` (``Any``) and never leave this module.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeAlias

import z3

from cspotlp.mapping.correspondence import BEGIN, END
from cspotlp.verify.smt import monotonic
from cspotlp.verify.theorems import ProofResult

Expr: TypeAlias = Any
"""A Z3 expression (untyped library); confined to this module."""


@dataclass(frozen=True, slots=True)
class Obligation:
    """Goals to prove in order under ``hypotheses``; each proved goal is then assumed."""

    name: str
    hypotheses: tuple[Expr, ...]
    goals: tuple[tuple[str, Expr], ...]


class _Vocabulary:
    """Events, occurrences, traces and forests as Z3 sorts in one private context."""

    def __init__(self, *, trace_w3: bool = True) -> None:
        self.trace_w3 = trace_w3
        ctx = z3.Context()
        self.ctx: Any = ctx
        self.Int: Any = z3.IntSort(ctx)
        self.Bool: Any = z3.BoolSort(ctx)
        ev = z3.Datatype("Event", ctx=ctx)
        ev.declare("event", ("kind", self.Int), ("span", self.Int), ("parent", self.Int),
                   ("has_parent", self.Bool), ("label", self.Int))
        self.Event: Any = ev.create()
        occ = z3.Datatype("Occurrence", ctx=ctx)
        occ.declare("occurrence", ("time", self.Int), ("event_of", self.Event))
        self.Occ: Any = occ.create()
        self.OccSet: Any = z3.ArraySort(self.Occ, self.Bool)
        self.t: Expr = z3.Const("t", z3.ArraySort(self.Int, self.Event))
        self.n: Expr = z3.Int("n", ctx)
        self.phi: Expr = z3.Function("Phi", self.Int, self.OccSet)   # Φ(t↾i)

    # ---- small helpers ---------------------------------------------------------------------
    def int_var(self, name: str) -> Expr:
        return z3.FreshInt(name, self.ctx)

    def occ_var(self, name: str) -> Expr:
        return z3.FreshConst(self.Occ, name)

    def val(self, v: int) -> Expr:
        return z3.IntVal(v, self.ctx)

    def kind(self, e: Expr) -> Expr:
        return self.Event.kind(e)

    def span(self, e: Expr) -> Expr:
        return self.Event.span(e)

    def time(self, o: Expr) -> Expr:
        return self.Occ.time(o)

    def event_of(self, o: Expr) -> Expr:
        return self.Occ.event_of(o)

    def occurrence(self, time: Expr, e: Expr) -> Expr:
        return self.Occ.occurrence(time, e)

    def member(self, f: Expr, o: Expr) -> Expr:
        return z3.Select(f, o)

    # ---- WF ----------------------------------------------------------------------------------
    def happened(self, j: Expr, kind: int, s: Expr) -> Expr:
        """Some ``k < j`` is a ``kind`` event of span ``s``."""
        k = self.int_var("k")
        t = self.t
        return z3.Exists([k], z3.And(k >= 0, k < j, self.kind(t[k]) == kind, self.span(t[k]) == s))

    def ok(self, j: Expr) -> Expr:
        """Event ``j`` keeps WF given the events before it (W1–W4), as in ``wf_steps``."""
        e = self.t[j]
        is_begin = self.kind(e) == BEGIN
        w3 = z3.Implies(self.Event.has_parent(e), z3.And(
            self.happened(j, BEGIN, self.Event.parent(e)),
            z3.Not(self.happened(j, END, self.Event.parent(e))))) if self.trace_w3 else True
        return z3.And(
            z3.Implies(is_begin, z3.And(z3.Not(self.happened(j, BEGIN, self.span(e))), w3)),
            z3.Implies(z3.Not(is_begin), z3.And(self.happened(j, BEGIN, self.span(e)),
                                                z3.Not(self.happened(j, END, self.span(e))))),
        )

    def wf(self, length: Expr) -> Expr:
        """WF(t↾length)."""
        j = self.int_var("j")
        return z3.ForAll([j], z3.Implies(z3.And(j >= 0, j < length), self.ok(j)))

    # ---- Φ, forests, cut -----------------------------------------------------------------------
    def phi_empty(self) -> Expr:
        """Φ(t↾0) = ∅."""
        o = self.occ_var("o")
        return z3.ForAll([o], z3.Not(self.member(self.phi(self.val(0)), o)))

    def phi_unfold(self, k: Expr) -> Expr:
        """Φ(t↾(k+1)) = Φ(t↾k) ∪ {(k + 1, t[k])}: one turn of Python's loop."""
        o = self.occ_var("o")
        return z3.ForAll([o], self.member(self.phi(k + 1), o) == z3.Or(
            self.member(self.phi(k), o), o == self.occurrence(k + 1, self.t[k])))

    def exactly_phi(self, length: Expr) -> tuple[tuple[str, Expr], ...]:
        """Φ(t↾length) is exactly {(k + 1, t[k]) | k < length} (both inclusions)."""
        f = self.phi(length)
        o, k = self.occ_var("o"), self.int_var("k")
        out = z3.ForAll([o], z3.Implies(self.member(f, o), z3.Exists([k], z3.And(
            k >= 0, k < length, o == self.occurrence(k + 1, self.t[k])))))
        k2 = self.int_var("k")
        into = z3.ForAll([k2], z3.Implies(z3.And(k2 >= 0, k2 < length),
                                          self.member(f, self.occurrence(k2 + 1, self.t[k2]))))
        return (("Φ(t↾n) has only the occurrences (k+1, t[k]), k < n", out),
                ("Φ(t↾n) has every occurrence (k+1, t[k]), k < n", into))

    def same_set(self, f: Expr, g: Expr) -> Expr:
        o = self.occ_var("o")
        return z3.ForAll([o], self.member(f, o) == self.member(g, o))

    def cut(self, i: Expr, f: Expr) -> Expr:
        """cut_i(F): occurrences up to ``i`` of the spans begun by ``i``."""
        o, b = self.occ_var("o"), self.occ_var("b")
        began = z3.Exists([b], z3.And(
            self.member(f, b), self.kind(self.event_of(b)) == BEGIN,
            self.span(self.event_of(b)) == self.span(self.event_of(o)), self.time(b) <= i))
        return z3.Lambda([o], z3.And(self.member(f, o), self.time(o) <= i, began))

    # ---- listings ----------------------------------------------------------------------------
    @staticmethod
    def strictly_sorted(a: Expr, length: Expr, lt: Callable[[Expr, Expr], Expr], ctx: Any) -> Expr:
        i, j = z3.FreshInt("i", ctx), z3.FreshInt("j", ctx)
        return z3.ForAll([i, j], z3.Implies(z3.And(i >= 0, i < j, j < length), lt(a[i], a[j])))

    @staticmethod
    def lists(a: Expr, length: Expr, s: Expr, elem: Any, ctx: Any) -> Expr:
        """``a↾length`` lists exactly the members of set ``s``."""
        i = z3.FreshInt("i", ctx)
        x = z3.FreshConst(elem, "x")
        return z3.And(
            z3.ForAll([i], z3.Implies(z3.And(i >= 0, i < length), z3.Select(s, a[i]))),
            z3.ForAll([x], z3.Implies(z3.Select(s, x),
                                      z3.Exists([i], z3.And(i >= 0, i < length, a[i] == x)))),
        )


# ---- the inductions ----------------------------------------------------------------------------

def _psi_unique() -> list[Obligation]:
    """Two strictly sorted listings of one finite set are equal (for any strict total order).

    P(n): for all arrays A, B, sets S and m ≥ 0, if A↾n and B↾m are strictly sorted listings
    of S then m = n and A↾n = B↾n. Step: the heads are both the least element of S, and the
    tails are sorted listings of S without it, to which P(n) applies.
    """
    ctx = z3.Context()
    elem = z3.DeclareSort("Elem", ctx)
    intsort, boolsort = z3.IntSort(ctx), z3.BoolSort(ctx)
    lt_rel = z3.Function("lt", elem, elem, boolsort)

    def lt(a: Expr, b: Expr) -> Expr:
        return lt_rel(a, b)

    x, y, w = z3.Consts("x y w", elem)
    order = (z3.ForAll([x], z3.Not(lt(x, x))),
             z3.ForAll([x, y, w], z3.Implies(z3.And(lt(x, y), lt(y, w)), lt(x, w))),
             z3.ForAll([x, y], z3.Or(x == y, lt(x, y), lt(y, x))))
    arr = z3.ArraySort(intsort, elem)
    a, b, a1, b1 = (z3.Const(nm, arr) for nm in ("A", "B", "A1", "B1"))
    s, s1 = z3.Const("S", z3.ArraySort(elem, boolsort)), z3.Const("S1", z3.ArraySort(elem, boolsort))
    n, m = z3.Ints("n m", ctx)
    i = z3.Int("i", ctx)

    def sorted_listing(arr_: Expr, length: Expr, set_: Expr) -> Expr:
        return z3.And(_Vocabulary.strictly_sorted(arr_, length, lt, ctx),
                      _Vocabulary.lists(arr_, length, set_, elem, ctx))

    def agree(p: Expr, q: Expr, length: Expr) -> Expr:
        k = z3.FreshInt("k", ctx)
        return z3.ForAll([k], z3.Implies(z3.And(k >= 0, k < length), p[k] == q[k]))

    base = Obligation("Psi-unique base", (*order, m >= 0, sorted_listing(a, z3.IntVal(0, ctx), s),
                                          sorted_listing(b, m, s)),
                      (("m = 0", m == 0),))
    tails = (z3.ForAll([i], a1[i] == a[i + 1]), z3.ForAll([i], b1[i] == b[i + 1]),
             # the same definitions, oriented so that a[i] finds the tail cell i - 1
             z3.ForAll([i], a1[i - 1] == a[i], patterns=[a[i]]),
             z3.ForAll([i], b1[i - 1] == b[i], patterns=[b[i]]),
             z3.ForAll([x], z3.Select(s1, x) == z3.And(z3.Select(s, x), x != a[0])))
    hypothesis = z3.Implies(
        z3.And(m - 1 >= 0, sorted_listing(a1, n, s1), sorted_listing(b1, m - 1, s1)),
        z3.And(m - 1 == n, agree(a1, b1, n)))
    step = Obligation(
        "Psi-unique step",
        (*order, *tails, n >= 0, m >= 0, sorted_listing(a, n + 1, s), sorted_listing(b, m, s),
         hypothesis),
        (("S is not empty, so m ≥ 1", m >= 1),
         ("both heads are the least element", b[0] == a[0]),
         ("A's tail is sorted", _Vocabulary.strictly_sorted(a1, n, lt, ctx)),
         ("A's tail lists S without the head", _Vocabulary.lists(a1, n, s1, elem, ctx)),
         ("B's tail is sorted", _Vocabulary.strictly_sorted(b1, m - 1, lt, ctx)),
         ("B's tail lists S without the head", _Vocabulary.lists(b1, m - 1, s1, elem, ctx)),
         ("P(n + 1)", z3.And(m == n + 1, agree(a, b, n + 1)))))
    return [base, step]


def _t3(*, newest_first: bool = False) -> list[Obligation]:
    """Ψ(Φ(t)) = t: the listing ``L[i] = (i + 1, t[i])`` is a strictly sorted listing of Φ(t).

    P(n): L↾n is strictly key-sorted and lists Φ(t↾n). With Psi-unique, Ψ(Φ(t↾n)) is the events
    of L↾n, which are t↾n. ``newest_first`` sorts by decreasing time instead (a broken Ψ, for
    the tests).
    """
    v = _Vocabulary()
    tie = z3.Function("tie", v.Occ, v.Occ, v.Bool)

    def key_lt(a: Expr, b: Expr) -> Expr:
        ta, tb = (v.time(b), v.time(a)) if newest_first else (v.time(a), v.time(b))
        return z3.Or(ta < tb, z3.And(ta == tb, tie(a, b)))

    listing = z3.Const("L", z3.ArraySort(v.Int, v.Occ))
    i = z3.Int("i", v.ctx)
    defines_l = z3.ForAll([i], listing[i] == v.occurrence(i + 1, v.t[i]))

    def p(length: Expr) -> tuple[tuple[str, Expr], ...]:
        return (("L is strictly key-sorted", v.strictly_sorted(listing, length, key_lt, v.ctx)),
                ("L lists Φ(t↾n)", v.lists(listing, length, v.phi(length), v.Occ, v.ctx)))

    zero = v.val(0)
    base = Obligation("T3 base", (defines_l, v.phi_empty()), p(zero))
    n = v.n
    step = Obligation("T3 step", (defines_l, n >= 0, v.phi_unfold(n), *(g for _, g in p(n))),
                      p(n + 1))
    return [base, step]


def _t5(*, assume_wf: bool = True) -> list[Obligation]:
    """Φ(t↾i) = cut_i(Φ(t)) for every i ≤ |t|, strengthened with two invariants of Φ.

    P(n): WF(t↾n) ⟹ (a) Φ(t↾n) is exactly {(k + 1, t[k]) | k < n}; (b) each occurrence's span
    has a begin in Φ(t↾n) no later than it; (c) Φ(t↾i) = cut_i(Φ(t↾n)) for all i ≤ n.
    Without ``assume_wf`` (for the tests) the step must fail: a mark of a span that never
    began is cut away.
    """
    v = _Vocabulary()
    n = v.n

    def invariant(length: Expr) -> tuple[tuple[str, Expr], ...]:
        f = v.phi(length)
        o, b = v.occ_var("o"), v.occ_var("b")
        begun = z3.ForAll([o], z3.Implies(v.member(f, o), z3.Exists([b], z3.And(
            v.member(f, b), v.kind(v.event_of(b)) == BEGIN,
            v.span(v.event_of(b)) == v.span(v.event_of(o)), v.time(b) <= v.time(o)))))
        return (*v.exactly_phi(length),
                ("every span of Φ(t↾n) begins no later than its occurrences", begun))

    def prefixes(upto: Expr, whole: Expr) -> Expr:
        i = v.int_var("i")
        return z3.ForAll([i], z3.Implies(z3.And(i >= 0, i <= upto),
                                         v.same_set(v.phi(i), v.cut(i, v.phi(whole)))))

    zero = v.val(0)
    base = Obligation("T5 base", (v.phi_empty(),),
                      (*invariant(zero), ("Φ(t↾0) = cut_0(Φ(t↾0))", prefixes(zero, zero))))
    step = Obligation(
        "T5 step",
        (n >= 0, v.wf(n + 1) if assume_wf else True, v.phi_unfold(n),
         *(g for _, g in invariant(n)), prefixes(n, n)),
        (*invariant(n + 1),
         ("Φ(t↾i) = cut_i(Φ(t↾(n+1))) for i ≤ n", prefixes(n, n + 1)),
         ("Φ(t↾(n+1)) = cut_(n+1)(Φ(t↾(n+1)))",
          v.same_set(v.phi(n + 1), v.cut(n + 1, v.phi(n + 1))))))
    return [base, step]


def _t4(*, trace_w3: bool = True) -> list[Obligation]:
    """Φ(t) is a valid, normalised forest and norm(Φ(t)) = Φ(t).

    P(n): WF(t↾n) ⟹ Φ(t↾n) is exactly {(k + 1, t[k]) | k < n}, and the forest conditions hold
    for it: a begin for every span, one begin and at most one end per span, start ≤ end,
    marks and links inside their span, every parent begun strictly before its child (hence no
    cycles) and not ended before it; and its times are 1..n, one occurrence each. norm(Φ(t↾n))
    = Φ(t↾n) then follows from T3-step: Ψ's sorted listing of Φ(t↾n) is L[k] = (k + 1, t[k]),
    so the rank of (k + 1, t[k]) is k and its new time k + 1. Without ``trace_w3`` (for the
    tests) the step must fail.
    """
    v = _Vocabulary(trace_w3=trace_w3)
    n = v.n

    def ev(o: Expr) -> Expr:
        return v.event_of(o)

    def is_kind(o: Expr, kind: int) -> Expr:
        return v.kind(ev(o)) == kind

    def listy(o: Expr) -> Expr:
        return z3.Not(z3.Or(is_kind(o, BEGIN), is_kind(o, END)))

    def same_span(a: Expr, b: Expr) -> Expr:
        return v.span(ev(a)) == v.span(ev(b))

    def conditions(length: Expr) -> tuple[tuple[str, Expr], ...]:
        f = v.phi(length)

        def forall2(body: Callable[[Expr, Expr], Expr]) -> Expr:
            a, b = v.occ_var("a"), v.occ_var("b")
            return z3.ForAll([a, b], z3.Implies(z3.And(v.member(f, a), v.member(f, b)), body(a, b)))

        o, b = v.occ_var("o"), v.occ_var("b")
        record = z3.ForAll([o], z3.Implies(v.member(f, o), z3.Exists([b], z3.And(
            v.member(f, b), is_kind(b, BEGIN), same_span(b, o)))))
        c, p = v.occ_var("c"), v.occ_var("p")
        parent_begun = z3.ForAll([c], z3.Implies(
            z3.And(v.member(f, c), is_kind(c, BEGIN), v.Event.has_parent(ev(c))),
            z3.Exists([p], z3.And(v.member(f, p), is_kind(p, BEGIN),
                                  v.span(ev(p)) == v.Event.parent(ev(c)), v.time(p) < v.time(c)))))
        return (
            ("every occurrence's span has a begin", record),
            ("one begin per span", forall2(lambda a, b: z3.Implies(
                z3.And(is_kind(a, BEGIN), is_kind(b, BEGIN), same_span(a, b)), a == b))),
            ("at most one end per span", forall2(lambda a, b: z3.Implies(
                z3.And(is_kind(a, END), is_kind(b, END), same_span(a, b)), a == b))),
            ("start ≤ every other time of the span", forall2(lambda a, b: z3.Implies(
                z3.And(is_kind(a, BEGIN), same_span(a, b)), v.time(a) <= v.time(b)))),
            ("marks and links before the end", forall2(lambda a, b: z3.Implies(
                z3.And(listy(a), is_kind(b, END), same_span(a, b)), v.time(a) <= v.time(b)))),
            ("a child's parent begins strictly before it", parent_begun),
            ("a child begins before its parent ends", forall2(lambda a, b: z3.Implies(
                z3.And(is_kind(a, BEGIN), v.Event.has_parent(ev(a)), is_kind(b, END),
                       v.span(ev(b)) == v.Event.parent(ev(a))), v.time(a) <= v.time(b)))),
            ("times are 1..n", z3.ForAll([o], z3.Implies(v.member(f, o), z3.And(
                v.time(o) >= 1, v.time(o) <= length)))),
            ("one occurrence per time", forall2(lambda a, b: z3.Implies(
                v.time(a) == v.time(b), a == b))),
        )

    # norm through Ψ's sorted listing, which T3-step (with Psi-unique) shows is L
    listing = z3.Const("L", z3.ArraySort(v.Int, v.Occ))
    i, o = z3.Int("i", v.ctx), v.occ_var("o")
    defines_l = z3.ForAll([i], listing[i] == v.occurrence(i + 1, v.t[i]))
    k = v.int_var("k")
    # norm(F) ∋ o  iff  o = (r + 1, event of the occurrence of rank r in Ψ's listing)
    norm_has = z3.Function("norm_has", v.Occ, v.Bool)
    defines_norm = z3.ForAll([o], norm_has(o) == z3.Exists([k], z3.And(
        k >= 0, k < n + 1, o == v.occurrence(k + 1, v.event_of(listing[k])))))
    normalised = z3.Lambda([o], norm_has(o))
    zero = v.val(0)
    base = Obligation("T4 base", (v.phi_empty(),), (*v.exactly_phi(zero), *conditions(zero)))
    step = Obligation(
        "T4 step",
        (n >= 0, v.wf(n + 1), v.phi_unfold(n), defines_l, defines_norm,
         *(g for _, g in v.exactly_phi(n)),
         *(g for _, g in conditions(n))),
        (*v.exactly_phi(n + 1), *conditions(n + 1),
         ("norm(Φ(t↾(n+1))) = Φ(t↾(n+1))", v.same_set(normalised, v.phi(n + 1)))))
    return [base, step]


@dataclass(frozen=True, slots=True)
class StepTheorem:
    """An induction checked by Z3: its id, statement and obligations (base and step)."""

    id: str
    statement: str
    obligations: Callable[[], list[Obligation]]


STEP_THEOREMS: dict[str, StepTheorem] = {
    "Psi-unique-step": StepTheorem(
        "Psi-unique-step", "a finite set has one strictly sorted listing (so Ψ is a function)",
        _psi_unique),
    "T3-step": StepTheorem("T3-step", "t WF ⟹ Ψ(Φ(t)) = t, by induction on |t|", _t3),
    "T4-step": StepTheorem(
        "T4-step", "t WF ⟹ Φ(t) valid and normalised (so norm(Φ(t)) = Φ(t)), by induction on |t|",
        _t4),
    "T5-step": StepTheorem("T5-step", "t WF ⟹ Φ(t↾i) = cut_i(Φ(t)), by induction on |t|", _t5),
}
"""The unbounded inductions, by id (reported with ``bound=None``)."""


def prove_step(theorem: StepTheorem, timeout: float = 60.0) -> ProofResult:
    """Check every obligation of ``theorem`` (base case, then step) within ``timeout`` s."""
    return check_obligations(theorem.id, theorem.obligations(), timeout)


def check_obligations(theorem_id: str, obligations: list[Obligation],
                      timeout: float = 60.0) -> ProofResult:
    """Prove each goal of each obligation in order; the first failure decides the verdict.

    A ``sat`` answer is reported as ``counterexample`` (with no concrete trace: the model is a
    symbolic state of the induction, whose ``detail`` names the failing goal).
    """
    began = monotonic()
    for ob in obligations:
        solver: Any = z3.Solver(ctx=_context_of(ob))
        solver.add(*ob.hypotheses)
        for name, goal in ob.goals:
            remaining = timeout - (monotonic() - began)
            if remaining <= 0:
                return ProofResult(theorem_id, None, "unknown", monotonic() - began,
                                   detail=f"time limit reached before {ob.name}: {name}")
            solver.set("timeout", max(1, int(remaining * 1000)))
            solver.push()
            solver.add(z3.Not(goal))
            res: Any = solver.check()
            reason = str(solver.reason_unknown()) if res == z3.unknown else ""
            solver.pop()
            if res == z3.sat:
                return ProofResult(theorem_id, None, "counterexample", monotonic() - began,
                                   detail=f"{ob.name} fails: {name}")
            if res != z3.unsat:
                return ProofResult(theorem_id, None, "unknown", monotonic() - began,
                                   detail=f"Z3 gave up on {ob.name}: {name} ({reason})")
            solver.add(goal)
    return ProofResult(theorem_id, None, "proved", monotonic() - began)


def _context_of(ob: Obligation) -> Any:
    first = ob.hypotheses[0] if ob.hypotheses else ob.goals[0][1]
    return first.ctx
