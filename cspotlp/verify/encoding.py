"""WF, forest validity, Φ, Ψ, norm and cut as Z3 formulas over bounded symbolic objects.

Each function here is the definition of the same name in :mod:`cspotlp.mapping`, written over
the symbolic vocabulary of :mod:`cspotlp.verify.symbolic`; the correspondence, clause by clause:

``wf``  (``vocabulary.wf_violation``) — event ``j`` is fine given the events before it:
    a begin's span has not begun (W1) and, if it has a parent, the parent has begun and not
    ended (W3); an end's span has begun and not ended (W2); a mark's or link's span has begun
    and not ended (W4). "Begun before ``j``" is a disjunction over the positions ``i < j``.

``valid_forest``  (``forest.forest_violations`` and the ``Forest`` constructor) — every
    occurrence belongs to a record that begins; one begin and at most one end per span, list
    positions ``0..m-1`` per mark/link list; ``start ≤ end``; marks and links inside
    ``[start, end]``; a parent exists, ``start(parent) ≤ start(child) ≤ end(parent)``; no cycles
    (witnessed by the depths: roots 0, a child one deeper than its parent, which no cycle can
    satisfy; the same depths ``forest.depths`` computes and Ψ's tie-break uses).

``phi``  (``correspondence.phi``) — event ``j`` becomes occurrence ``j`` at time ``j + 1``; a
    mark's or link's ``seq`` is the number of earlier marks (links) of its span, i.e. lists
    are in time order. Such positions are left *implicit* (``seq=None``): the forests Φ, norm
    and cut produce keep every list in time order with distinct times, so a list is determined
    by the times of its elements, and two such forests are compared without positions.

``psi``  (``correspondence.occurrences``/``psi``) — occurrences ordered by
    ``occurrence_key = (time, class, depth for begins else 0, span id, seq)`` compared
    lexicographically; an occurrence's *rank* is the number of occurrences whose key is smaller,
    and position ``r`` of Ψ(F) holds the occurrence of rank ``r``. Keys of a valid forest are
    distinct, so ranks are a permutation.

``norm``  (``correspondence.norm``) — time := 1 + rank; each list re-sorted by the new times
    (implicit positions: the number of marks of the span with a smaller rank).

``cut``  (``correspondence.cut``) — keep an occurrence when its span began by ``i`` and its own
    time is ``≤ i``; kept marks are renumbered in their list order.

``forest_equal``  (``Forest.__eq__``) — same number of occurrences, each of one in the other.

:class:`Definitions` selects the definitions: the default is the one above; the mutations used
by the tests change exactly one clause (Ψ's class order, its depth order, W3 of WF, or W3 of
forests) so that the proofs must fail.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import overload

from cspotlp.errors import VerifyError
from cspotlp.mapping import Forest, SpanId, Trace, id_key
from cspotlp.mapping import psi as psi_py
from cspotlp.mapping.correspondence import BEGIN, END, LINK, MARK, SortKey
from cspotlp.verify.smt import BoolT, IntT, Terms
from cspotlp.verify.symbolic import SymEvent, SymForest, SymOccurrence, SymTrace


@dataclass(frozen=True, slots=True)
class Definitions:
    """Which definitions are encoded; the defaults are those of :mod:`cspotlp.mapping`.

    Attributes:
        name: a short name shown in reports.
        class_rank: the rank of BEGIN, MARK, LINK, END (in that order) in Ψ's tie-break.
        parents_first: at equal times a shallower begin comes first (False: deeper first).
        trace_w3: WF includes W3 (a child begins only while its parent is open).
        forest_w3: validity includes ``start(parent) ≤ start(child) ≤ end(parent)``.
    """

    name: str = "cspotlp.mapping"
    class_rank: tuple[int, int, int, int] = (0, 1, 2, 3)
    parents_first: bool = True
    trace_w3: bool = True
    forest_w3: bool = True

    def occurrence_key(self, time: int, cls: int, depth: int, span: SpanId, seq: int) -> SortKey:
        """Ψ's sort key under these definitions, for :func:`cspotlp.mapping.psi`'s ``key``.

        With the defaults this is :func:`cspotlp.mapping.occurrence_key`.
        """
        d = depth if cls == BEGIN else 0
        return (time, self.class_rank[cls], d if self.parents_first else -d, id_key(span), seq)


DEFAULT = Definitions()

MUTATIONS: dict[str, Definitions] = {
    "ends-first": Definitions("ends-first", class_rank=(3, 1, 2, 0)),
    "marks-after-ends": Definitions("marks-after-ends", class_rank=(0, 3, 2, 1)),
    "children-first": Definitions("children-first", parents_first=False),
    "trace-without-w3": Definitions("trace-without-w3", trace_w3=False),
    "forest-without-w3": Definitions("forest-without-w3", forest_w3=False),
}
"""Broken definitions each of which some theorem must refute (see tests/unit/verify)."""


def reference_psi(forest: Forest, defs: Definitions = DEFAULT) -> Trace:
    """Python's Ψ with the tie-break of ``defs`` (``cspotlp.mapping.psi`` for the default)."""
    return psi_py(forest, key=defs.occurrence_key)


# ---- traces ----------------------------------------------------------------------------------

def wf_steps(terms: Terms, t: SymTrace, defs: Definitions = DEFAULT) -> list[BoolT]:
    """``ok_j`` for each position: event ``j`` keeps WF given the events before it.

    WF of the prefix ``t↾i`` is the conjunction of the first ``i`` of these. "Span ``s`` has
    begun before ``j``" is the disjunction over ``i < j`` of "event ``i`` is a begin of ``s``".
    """
    tm = terms
    is_begin = [tm.eq(ev.kind, BEGIN) for ev in t]
    is_end = [tm.eq(ev.kind, END) for ev in t]
    steps: list[BoolT] = []
    for j, ev in enumerate(t):
        own = [tm.eq(t[i].span, ev.span) for i in range(j)]
        own_begun = tm.any_(tm.and_(is_begin[i], own[i]) for i in range(j))
        own_ended = tm.any_(tm.and_(is_end[i], own[i]) for i in range(j))
        w3: BoolT = True
        if defs.trace_w3:
            par = [tm.eq(t[i].span, ev.parent) for i in range(j)]
            w3 = tm.implies(ev.has_parent, tm.and_(
                tm.any_(tm.and_(is_begin[i], par[i]) for i in range(j)),
                tm.not_(tm.any_(tm.and_(is_end[i], par[i]) for i in range(j))),
            ))
        steps.append(tm.and_(
            tm.implies(is_begin[j], tm.and_(tm.not_(own_begun), w3)),                   # W1, W3
            tm.implies(tm.not_(is_begin[j]), tm.and_(own_begun, tm.not_(own_ended))),   # W2, W4
        ))
    return steps


def wf(terms: Terms, t: SymTrace, defs: Definitions = DEFAULT) -> BoolT:
    """WF(t): W1–W4 (W3 only when ``defs.trace_w3``)."""
    return terms.all_(wf_steps(terms, t, defs))


def event_equal(terms: Terms, a: SymEvent, b: SymEvent) -> BoolT:
    """Two events are equal (fields are canonical, see :func:`symbolic.domain`)."""
    return terms.and_(
        terms.eq(a.kind, b.kind), terms.eq(a.span, b.span), terms.eq(a.parent, b.parent),
        terms.iff(a.has_parent, b.has_parent), terms.eq(a.label, b.label),
    )


def trace_equal(terms: Terms, a: SymTrace, b: SymTrace) -> BoolT:
    """Two traces are equal: same length, equal events position by position."""
    if len(a) != len(b):
        return False
    return terms.all_(event_equal(terms, x, y) for x, y in zip(a, b, strict=True))


# ---- Φ -------------------------------------------------------------------------------------

def _is_list_kind(terms: Terms, kind: IntT) -> BoolT:
    return terms.one_of(kind, (MARK, LINK))


def phi(terms: Terms, t: SymTrace) -> SymForest:
    """Φ(t): event ``j`` at time ``j + 1``; lists in trace order, i.e. time order.

    A mark's position is the number of earlier marks of its span, which is what appending in
    trace order gives; it is left implicit (``seq=None``: positions follow time order).
    Depths are :class:`PhiDepths`, built only if Ψ's tie-break ever needs them.
    """
    occs = tuple(SymOccurrence(ev, j + 1, None) for j, ev in enumerate(t))
    return SymForest(occs, PhiDepths(terms, t))


class PhiDepths(Sequence[IntT]):
    """Depths of the spans of Φ(t), by slot, built on first use (left to right, no recursion).

    The depth of a begin is one more than that of the begin of its parent among the earlier
    events (0 for a root): a total definition that is the forest's depth whenever ``t`` is WF,
    since W3 puts the parent's begin earlier.
    """

    __slots__ = ("terms", "t", "_done")

    def __init__(self, terms: Terms, t: SymTrace) -> None:
        self.terms = terms
        self.t = t
        self._done: list[IntT] = []

    def __len__(self) -> int:
        return len(self.t)

    @overload
    def __getitem__(self, i: int) -> IntT: ...

    @overload
    def __getitem__(self, i: slice) -> Sequence[IntT]: ...

    def __getitem__(self, i: int | slice) -> IntT | Sequence[IntT]:
        if isinstance(i, slice):
            return [self[k] for k in range(len(self))[i]]
        tm, t, done = self.terms, self.t, self._done
        while len(done) <= i:
            j = len(done)
            ev = t[j]
            parent_depth = tm.sum_(
                tm.ite(tm.and_(tm.eq(t[k].kind, BEGIN), tm.eq(t[k].span, ev.parent)), done[k], 0)
                for k in range(j)
            )
            done.append(tm.ite(ev.has_parent, tm.add(parent_depth, 1), 0))
        return done[i]


def list_positions(terms: Terms, f: SymForest) -> tuple[IntT, ...]:
    """Each slot's position in its span's mark (link) list; 0 for begins and ends.

    Explicit positions are returned as they are; implicit ones count the present occurrences
    of the same list with a smaller time.
    """
    tm = terms
    occ = f.occurrences
    out: list[IntT] = []
    for a, o in enumerate(occ):
        if o.seq is not None:
            out.append(o.seq)
            continue
        ev = o.event
        earlier = tm.count(
            tm.and_(f.present[b], tm.eq(occ[b].event.kind, ev.kind),
                    tm.eq(occ[b].event.span, ev.span), tm.lt(occ[b].time, o.time))
            for b in range(len(occ)) if b != a
        )
        out.append(tm.ite(_is_list_kind(tm, ev.kind), earlier, 0))
    return tuple(out)


# ---- Ψ -------------------------------------------------------------------------------------

class PsiOrder:
    """Ψ's order on the slots of one forest: ``occurrence_key`` compared lexicographically.

    The key of slot ``i`` is (time, class, depth for begins else 0, span id, list position).
    Components are built on demand and memoised, so comparisons decided by the times (all of
    them, on Φ(t)) never build depths or list positions.
    """

    __slots__ = ("terms", "f", "defs", "_class", "_depth", "_seq")

    def __init__(self, terms: Terms, f: SymForest, defs: Definitions = DEFAULT) -> None:
        self.terms = terms
        self.f = f
        self.defs = defs
        self._class: dict[int, IntT] = {}
        self._depth: dict[int, IntT] = {}
        self._seq: tuple[IntT, ...] | None = None

    def component(self, i: int, k: int) -> IntT:
        """The ``k``-th component of slot ``i``'s key."""
        o = self.f.occurrences[i]
        if k == 0:
            return o.time
        if k == 1:
            return self._class_of(i)
        if k == 2:
            return self._depth_of(i)
        if k == 3:
            return o.event.span
        if self._seq is None:
            self._seq = list_positions(self.terms, self.f)
        return self._seq[i]

    def _class_of(self, i: int) -> IntT:
        got = self._class.get(i)
        if got is None:
            tm, rank = self.terms, self.defs.class_rank
            kind = self.f.occurrences[i].event.kind
            got = kind
            if rank != (0, 1, 2, 3):
                got = rank[END]
                for k in (LINK, MARK, BEGIN):
                    got = tm.ite(tm.eq(kind, k), rank[k], got)
            self._class[i] = got
        return got

    def _depth_of(self, i: int) -> IntT:
        got = self._depth.get(i)
        if got is None:
            tm = self.terms
            d = self.f.depth[i]
            signed = d if self.defs.parents_first else tm.negate(d)
            got = tm.ite(tm.eq(self.f.occurrences[i].event.kind, BEGIN), signed, 0)
            self._depth[i] = got
        return got

    def before(self, a: int, b: int) -> BoolT:
        """Slot ``a``'s key is smaller than slot ``b``'s: Ψ lists ``a`` first."""
        if a == b:
            return False
        return self.terms.lex_lt_lazy(lambda k: (self.component(a, k), self.component(b, k)), 5)


def psi_before(terms: Terms, f: SymForest, defs: Definitions = DEFAULT) -> list[list[BoolT]]:
    """``before[a][b]``: slot ``a``'s key is smaller than slot ``b``'s (Ψ puts ``a`` first)."""
    order = PsiOrder(terms, f, defs)
    n = len(f.occurrences)
    return [[order.before(a, b) for b in range(n)] for a in range(n)]


def psi_ranks(terms: Terms, f: SymForest, defs: Definitions = DEFAULT) -> tuple[IntT, ...]:
    """The rank of each slot in Ψ's order: how many occurrences have a smaller key."""
    before = psi_before(terms, f, defs)
    n = len(f.occurrences)
    return tuple(terms.count(before[b][a] for b in range(n)) for a in range(n))


def listed_in_psi_order(terms: Terms, f: SymForest, defs: Definitions = DEFAULT) -> BoolT:
    """The slots of ``f`` are listed in Ψ's order: every earlier slot has a smaller key.

    Every forest can be listed so (its keys are distinct), which makes this a symmetry
    reduction for a universally quantified forest; on such a listing slot ``r`` has rank ``r``.
    """
    before = psi_before(terms, f, defs)
    n = len(f.occurrences)
    return terms.all_(before[a][b] for a in range(n) for b in range(a + 1, n))


def psi(terms: Terms, f: SymForest, ranks: Sequence[IntT]) -> SymTrace:
    """Ψ(F) given the ranks of F's slots: position ``r`` holds the occurrence of rank ``r``."""
    tm = terms
    n = len(f.occurrences)
    out: list[SymEvent] = []
    for r in range(n):
        hits = [tm.eq(ranks[o], r) for o in range(n)]
        direct = [o for o in range(n) if hits[o] is True]
        if len(direct) == 1:
            out.append(f.occurrences[direct[0]].event)
            continue
        evs = [f.occurrences[o].event for o in range(n)]
        out.append(SymEvent(
            kind=_select(tm, hits, [e.kind for e in evs]),
            span=_select(tm, hits, [e.span for e in evs]),
            parent=_select(tm, hits, [e.parent for e in evs]),
            has_parent=_select_bool(tm, hits, [e.has_parent for e in evs]),
            label=_select(tm, hits, [e.label for e in evs]),
        ))
    return tuple(out)


def _select(terms: Terms, hits: Sequence[BoolT], values: Sequence[IntT]) -> IntT:
    out: IntT = values[-1]
    for h, v in zip(reversed(hits[:-1]), reversed(values[:-1]), strict=True):
        out = terms.ite(h, v, out)
    return out


def _select_bool(terms: Terms, hits: Sequence[BoolT], values: Sequence[BoolT]) -> BoolT:
    out: BoolT = values[-1]
    for h, v in zip(reversed(hits[:-1]), reversed(values[:-1]), strict=True):
        out = terms.ite_bool(h, v, out)
    return out


# ---- norm, cut -------------------------------------------------------------------------------

def norm(terms: Terms, f: SymForest, ranks: Sequence[IntT]) -> SymForest:
    """Normalise F: time := 1 + rank; each mark (link) list re-sorted by the new times.

    The new times are distinct, so the re-sorted lists are in time order: positions implicit.
    """
    occs = tuple(SymOccurrence(o.event, terms.add(r, 1), None)
                 for o, r in zip(f.occurrences, ranks, strict=True))
    return SymForest(occs, f.depth, f.present)


def cut(terms: Terms, f: SymForest, i: int) -> SymForest:
    """cut_i(F): spans begun by ``i``; their occurrences up to ``i``; lists renumbered.

    Filtering keeps each list's order, so a forest with lists in time order keeps implicit
    positions; explicit ones are renumbered among the kept occurrences of their list.
    """
    tm = terms
    occ = f.occurrences
    n = len(occ)
    began: list[BoolT] = [
        tm.and_(f.present[b], tm.eq(occ[b].event.kind, BEGIN), tm.le(occ[b].time, i))
        for b in range(n)
    ]
    started = [
        tm.any_(tm.and_(began[b], tm.eq(occ[b].event.span, occ[a].event.span)) for b in range(n))
        for a in range(n)
    ]
    keep = [tm.and_(f.present[a], tm.le(occ[a].time, i), started[a]) for a in range(n)]
    if f.time_listed:
        return SymForest(occ, f.depth, tuple(keep))
    out: list[SymOccurrence] = []
    for a, o in enumerate(occ):
        ev = o.event
        assert o.seq is not None
        earlier_kept = tm.count(
            tm.and_(keep[b], tm.eq(occ[b].event.kind, ev.kind), tm.eq(occ[b].event.span, ev.span),
                    tm.lt(_explicit(occ[b]), o.seq))
            for b in range(n) if b != a
        )
        out.append(SymOccurrence(ev, o.time, tm.ite(_is_list_kind(tm, ev.kind), earlier_kept, 0)))
    return SymForest(tuple(out), f.depth, tuple(keep))


def _explicit(o: SymOccurrence) -> IntT:
    if o.seq is None:
        raise VerifyError("a forest mixes implicit and explicit list positions")
    return o.seq


# ---- forests -----------------------------------------------------------------------------------

def forest_equal(terms: Terms, f: SymForest, g: SymForest) -> BoolT:
    """F = G as forests: the same number of occurrences, each of F's also in G.

    For forests whose occurrences are identified by (kind, span, list position) — every forest
    compared here: Φ of a WF trace, norm and cut of a valid forest — this is equality of the
    occurrence sets, hence of the records rebuilt from them. When both forests keep their lists
    in time order with distinct times, equal occurrence sets without positions already have
    equal lists, so positions are not compared.
    """
    tm = terms
    with_positions = not (f.time_listed and g.time_listed)
    fs = list_positions(tm, f) if with_positions else ()
    gs = list_positions(tm, g) if with_positions else ()

    def same(a: int, b: int) -> BoolT:
        oa, ob = f.occurrences[a], g.occurrences[b]
        time = tm.eq(oa.time, ob.time)
        if time is False:
            return False
        pos = tm.eq(fs[a], gs[b]) if with_positions else True
        return tm.and_(time, pos, g.present[b], event_equal(tm, oa.event, ob.event))

    n, m = len(f.occurrences), len(g.occurrences)
    if n == m and _diagonal(tm, f, g):
        # Slot a of F can only be slot a of G (constant, distinct times elsewhere), so "same
        # size" is equivalent to "every present slot of G is present in F": no counting.
        return tm.all_(tm.and_(tm.implies(f.present[a], same(a, a)),
                               tm.implies(g.present[a], f.present[a])) for a in range(n))
    same_size = tm.eq(tm.count(f.present), tm.count(g.present))
    contained = tm.all_(tm.implies(f.present[a], tm.any_(same(a, b) for b in range(m)))
                        for a in range(n))
    return tm.and_(same_size, contained)


def _diagonal(terms: Terms, f: SymForest, g: SymForest) -> bool:
    """Only slot ``a`` of G can match slot ``a`` of F: constant, equal, distinct times."""
    times: set[int] = set()
    for oa, ob in zip(f.occurrences, g.occurrences, strict=True):
        if not isinstance(oa.time, int) or not isinstance(ob.time, int) or oa.time != ob.time:
            return False
        if oa.time in times:
            return False
        times.add(oa.time)
    return True


def normalised(terms: Terms, f: SymForest) -> BoolT:
    """The times of F are exactly ``1..m``, each used once (all slots present)."""
    tm = terms
    times = [o.time for o in f.occurrences]
    m = len(times)
    return tm.and_(
        tm.all_(tm.and_(tm.le(1, x), tm.le(x, m)) for x in times),
        tm.all_(tm.ne(times[a], times[b]) for a in range(m) for b in range(a + 1, m)),
    )


def valid_forest(terms: Terms, f: SymForest, defs: Definitions = DEFAULT, *,
                 acyclic_by_depth: bool = True) -> BoolT:
    """F is a valid forest (all slots present; see the module docstring for the clauses).

    With ``acyclic_by_depth`` the absence of cycles is witnessed by ``f.depth`` (for a forest of
    variables, whose depths are then the forest's). Otherwise the stronger, quantifier-free
    "every parent begins strictly before its child" is required, which rules out cycles too;
    that form is used where validity is to be *proved* (of Φ(t), whose times are distinct).
    """
    groups = forest_conditions(terms, f, defs, acyclic_by_depth=acyclic_by_depth)
    return terms.all_(c for group in groups.values() for c in group)


def forest_conditions(terms: Terms, f: SymForest, defs: Definitions = DEFAULT, *,
                      acyclic_by_depth: bool = True) -> dict[str, list[BoolT]]:
    """The clauses of :func:`valid_forest`, grouped by the condition they express."""
    tm = terms
    occ = f.occurrences
    n = len(occ)
    kind = [o.event.kind for o in occ]
    span = [o.event.span for o in occ]
    is_begin = [tm.eq(k, BEGIN) for k in kind]
    is_end = [tm.eq(k, END) for k in kind]
    is_list = [_is_list_kind(tm, k) for k in kind]
    begin_of = [[tm.and_(is_begin[b], tm.eq(span[b], span[a])) for b in range(n)] for a in range(n)]
    end_of = [[tm.and_(is_end[b], tm.eq(span[b], span[a])) for b in range(n)] for a in range(n)]
    g: dict[str, list[BoolT]] = {k: [] for k in (
        "record", "unique", "lists", "start<=end", "inside", "parent", "parent-interval",
        "acyclic")}
    for a, o in enumerate(occ):
        ev = o.event
        g["record"].append(tm.any_(begin_of[a]))
        for b in range(a + 1, n):
            # one begin and at most one end per span; list positions distinct (implicit
            # positions: times within a list distinct, so time order numbers them 0..m-1)
            tell_apart = (tm.ne(o.seq, _explicit(occ[b])) if o.seq is not None
                          else tm.and_(tm.not_(is_begin[a]), tm.not_(is_end[a]),
                                       tm.ne(o.time, occ[b].time)))
            g["unique"].append(tm.implies(tm.and_(tm.eq(kind[a], kind[b]), tm.eq(span[a], span[b])),
                                          tell_apart))
        if o.seq is not None:
            same_list = tm.count(tm.and_(tm.eq(kind[b], kind[a]), tm.eq(span[b], span[a]))
                                 for b in range(n))
            g["lists"].append(tm.implies(is_list[a], tm.and_(tm.le(0, o.seq), tm.lt(o.seq, same_list))))
            g["lists"].append(tm.implies(tm.not_(is_list[a]), tm.eq(o.seq, 0)))
        for b in range(n):
            if b == a:
                continue
            starts_no_later = tm.le(occ[b].time, o.time)
            g["start<=end"].append(tm.implies(tm.and_(is_end[a], begin_of[a][b]), starts_no_later))
            g["inside"].append(tm.implies(tm.and_(is_list[a], begin_of[a][b]), starts_no_later))
            g["inside"].append(tm.implies(tm.and_(is_list[a], end_of[a][b]), tm.le(o.time, occ[b].time)))
        parent_begin = [tm.and_(is_begin[b], tm.eq(span[b], ev.parent)) for b in range(n)]
        parent_end = [tm.and_(is_end[b], tm.eq(span[b], ev.parent)) for b in range(n)]
        child = tm.and_(is_begin[a], ev.has_parent)
        g["parent"].append(tm.implies(child, tm.any_(parent_begin)))
        for b in range(n):
            if defs.forest_w3:
                g["parent-interval"].append(
                    tm.implies(tm.and_(child, parent_begin[b]), tm.le(occ[b].time, o.time)))
                g["parent-interval"].append(
                    tm.implies(tm.and_(child, parent_end[b]), tm.le(o.time, occ[b].time)))
            if acyclic_by_depth:
                g["acyclic"].append(tm.implies(tm.and_(child, parent_begin[b]),
                                               tm.eq(f.depth[a], tm.add(f.depth[b], 1))))
            else:
                g["acyclic"].append(tm.implies(tm.and_(child, parent_begin[b]),
                                               tm.lt(occ[b].time, o.time)))
        if acyclic_by_depth:
            g["acyclic"].append(tm.implies(tm.and_(is_begin[a], tm.not_(ev.has_parent)),
                                           tm.eq(f.depth[a], 0)))
    return g
