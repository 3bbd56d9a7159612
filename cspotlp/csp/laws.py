r"""Sound laws that keep the terms of the operational semantics finite.

The firing rules of hiding and renaming rebuild the operator around each successor, so a process
that recurses through them has infinitely many terms although it has finitely many states up to
the laws of CSP: ``D = (a -> D) \ {a}`` goes to ``D \ {a}``, then ``(D \ {a}) \ {a}``, and so
on. :class:`Laws` rewrites every successor term the semantics produces with these laws, each of
which holds up to *strong bisimulation* (so in the traces, stable-failures and
failures-divergences models alike; a property test checks every law on its own):

=================  ==============================================================
``hide-combine``   ``(P \ A) \ B = P \ (A ∪ B)``
``hide-unused``    ``P \ A = P \ (A ∩ αP)``, and ``P \ {} = P``
``rename-compose`` ``(P [[R]]) [[S]] = P [[R ; S]]`` (relational composition)
``rename-unused``  renaming pairs whose source P never performs are dropped
``rename-identity`` a pair ``x <- x`` is dropped when it is x's only image; ``P [[ ]] = P``
``choice-flatten`` ``(P [] Q) [] R = P [] Q [] R`` (associativity, used by the ``[]`` rule)
=================  ==============================================================

``αP`` is a sound over-approximation of the visible events P can ever perform, computed as a
least fixed point over the terms syntactically reachable from P (unfolding definitions) within
a budget of :data:`ALPHABET_NODES` terms; past it (a counter over ``Int``) the alphabet is
unknown and the laws that need it are not applied. A definition that cannot be evaluated while
the alphabet is computed (``error(...)`` in a branch the process never reaches) also makes it
unknown, never an error: only the semantics decides what is reached.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from cspotlp.csp.environment import Environment
from cspotlp.csp.events import Event
from cspotlp.csp.terms import (
    Op,
    Proc,
    alphabets_of,
    event_set_of,
    mk,
    prefix_event,
    relation_of,
)
from cspotlp.errors import CspotlpError

ALPHABET_NODES = 4096
"""Terms an alphabet computation may visit before it gives up (the alphabet is then unknown)."""

Relation = frozenset[tuple[Event, Event]]

LAW_OPS = frozenset({Op.HIDE, Op.RENAME})
"""Operators whose successor terms the laws rewrite."""


class Laws:
    r"""The law-based normaliser of successor terms for one environment (memoised).

    >>> from cspotlp.csp import Environment, call, prefix, hide
    >>> env = Environment(); a = env.channel("a").event()
    >>> env.define("D", lambda: hide(prefix(a, call("D")), {a}))
    >>> str(Laws(env).normal(hide(call("D"), {a})))
    'a -> D \\ {a}'
    """

    def __init__(self, env: Environment) -> None:
        self.env = env
        self._normal: dict[Proc, Proc] = {}
        self._alphabet: dict[Proc, frozenset[Event] | None] = {}
        self._flat: dict[Proc, tuple[Proc, ...]] = {}

    # -- the rewriting ------------------------------------------------------------------------

    def normal(self, t: Proc) -> Proc:
        """``t`` rewritten by the hiding and renaming laws at its top (its operands are kept)."""
        if t.op is not Op.HIDE and t.op is not Op.RENAME:
            return t
        done = self._normal.get(t)
        if done is not None:
            return done
        seen = {t}
        out = t
        while True:
            law = HIDE_LAWS if out.op is Op.HIDE else RENAME_LAWS if out.op is Op.RENAME else ()
            step = next((r for r in (fn(self, out) for fn in law) if r is not None), None)
            if step is None or step in seen:  # a fixed point (or an unguarded cycle of calls)
                break
            seen.add(step)
            out = step
        self._normal[t] = out
        return out

    def resolve(self, p: Proc) -> Proc:
        """The operator a term stands for, following definitions (a call cycle stops the walk)."""
        seen: set[Proc] = set()
        while p.op is Op.CALL and p not in seen:
            seen.add(p)
            try:
                p = self.env.unfold(p)
            except CspotlpError:
                return p
        return p

    def flat_choice(self, q: Proc) -> tuple[Proc, ...]:
        """The operands of an external choice with nested choices spliced in (associativity)."""
        if not any(a.op is Op.EXT for a in q.args):
            return q.args
        done = self._flat.get(q)
        if done is not None:
            return done
        out: list[Proc] = []
        work = list(reversed(q.args))
        while work:
            a = work.pop()
            if a.op is Op.EXT:
                work.extend(reversed(a.args))
            else:
                out.append(a)
        flat = self._flat[q] = tuple(out)
        return flat

    # -- alphabets ----------------------------------------------------------------------------

    def alphabet(self, p: Proc) -> frozenset[Event] | None:
        """A sound over-approximation of the visible events ``p`` can perform (None: unknown)."""
        if p in self._alphabet:
            return self._alphabet[p]
        nodes = self._closure(p)
        if nodes is None:
            return None
        alpha: dict[Proc, frozenset[Event] | None] = dict.fromkeys(nodes, frozenset())

        def get(q: Proc) -> frozenset[Event] | None:
            return alpha[q] if q in alpha else self._alphabet[q]

        changed = True
        while changed:  # least fixed point; None (unknown) absorbs
            changed = False
            for q in reversed(nodes):
                old = alpha[q]
                if old is None:
                    continue
                new = _local_alphabet(q, self, get)
                if new != old:
                    alpha[q] = new
                    changed = True
        self._alphabet.update(alpha)
        return alpha[p]

    def _closure(self, p: Proc) -> list[Proc] | None:
        """Terms reachable from ``p`` whose alphabets are not known yet (None past the budget)."""
        index: set[Proc] = set()
        nodes: list[Proc] = []
        stack = [p]
        while stack:
            q = stack.pop()
            if q in index or q in self._alphabet:
                continue
            index.add(q)
            nodes.append(q)
            if len(nodes) > ALPHABET_NODES:
                for r in nodes:
                    self._alphabet[r] = None
                return None
            if q.op is Op.CALL:
                try:
                    stack.append(self.env.unfold(q))
                except CspotlpError:
                    self._alphabet[q] = None
                    nodes.pop()
                    index.discard(q)
            else:
                stack.extend(q.args)
        return nodes


def _union(parts: Iterable[frozenset[Event] | None]) -> frozenset[Event] | None:
    out: set[Event] = set()
    for s in parts:
        if s is None:
            return None
        out |= s
    return frozenset(out)


def _local_alphabet(
    q: Proc, laws: Laws, get: Callable[[Proc], frozenset[Event] | None],
) -> frozenset[Event] | None:
    """One step of the alphabet fixed point at ``q`` from its operands' current alphabets."""
    op = q.op
    if op in (Op.STOP, Op.SKIP, Op.DIV, Op.OMEGA):
        return frozenset()
    if op in (Op.RUN, Op.CHAOS):
        return event_set_of(q)
    if op is Op.PREFIX:
        rest = get(q.args[0])
        return None if rest is None else rest | {prefix_event(q)}
    if op is Op.CALL:
        return get(laws.env.unfold(q))
    if op is Op.APAR:
        a, b = alphabets_of(q)
        left, right = get(q.args[0]), get(q.args[1])
        return None if left is None or right is None else (left & a) | (right & b)
    if op is Op.HIDE:
        inner = get(q.args[0])
        return None if inner is None else inner - event_set_of(q)
    if op is Op.RENAME:
        inner = get(q.args[0])
        return None if inner is None else _renamed(inner, relation_of(q))
    if op is Op.LINK:
        left, right = get(q.args[0]), get(q.args[1])
        if left is None or right is None:
            return None
        rel = relation_of(q)
        return (left - {x for x, _ in rel}) | (right - {y for _, y in rel})
    if op is Op.EXPLICIT:
        graph = q.payload[0]  # type: ignore[index]
        events = getattr(graph, "events", None)
        return None if events is None else frozenset(events[2:])
    return _union(get(a) for a in q.args)


def _renamed(alpha: frozenset[Event], rel: Relation) -> frozenset[Event]:
    images: dict[Event, set[Event]] = {}
    for x, y in rel:
        images.setdefault(x, set()).add(y)
    out: set[Event] = set()
    for e in alpha:
        out |= images.get(e, {e})
    return frozenset(out)


# -- the laws, each on its own (a term in, the rewritten term or None when it does not apply) -----


def hide_combine(laws: Laws, t: Proc) -> Proc | None:
    r"""``(P \ A) \ B = P \ (A ∪ B)``, looking through definitions for the inner hiding."""
    inner = laws.resolve(t.args[0])
    if inner.op is not Op.HIDE:
        return None
    return mk(Op.HIDE, (inner.args[0],), event_set_of(t) | event_set_of(inner))


def hide_unused(laws: Laws, t: Proc) -> Proc | None:
    r"""``P \ A = P \ (A ∩ αP)``; ``P \ {} = P``."""
    hidden = event_set_of(t)
    if hidden:
        alpha = laws.alphabet(t.args[0])
        if alpha is None or hidden <= alpha:
            return None
        hidden = hidden & alpha
        if hidden:
            return mk(Op.HIDE, t.args, hidden)
    return t.args[0]


def rename_compose(laws: Laws, t: Proc) -> Proc | None:
    """``(P [[R]]) [[S]] = P [[R ; S]]``, looking through definitions for the inner renaming."""
    inner = laws.resolve(t.args[0])
    if inner.op is not Op.RENAME:
        return None
    return mk(Op.RENAME, (inner.args[0],), compose(relation_of(inner), relation_of(t)))


def rename_unused(laws: Laws, t: Proc) -> Proc | None:
    """Pairs whose source the operand never performs are dropped."""
    rel = relation_of(t)
    alpha = laws.alphabet(t.args[0])
    if alpha is None:
        return None
    kept = frozenset((x, y) for x, y in rel if x in alpha)
    return None if kept == rel else mk(Op.RENAME, t.args, kept)


def rename_identity(_laws: Laws, t: Proc) -> Proc | None:
    """``x <- x`` is dropped when it is x's only image; renaming by nothing is no renaming."""
    rel = relation_of(t)
    if not rel:
        return t.args[0]
    images: dict[Event, set[Event]] = {}
    for x, y in rel:
        images.setdefault(x, set()).add(y)
    kept = frozenset((x, y) for x, y in rel if images[x] != {x})
    if kept == rel:
        return None
    return t.args[0] if not kept else mk(Op.RENAME, t.args, kept)


def compose(first: Relation, then: Relation) -> Relation:
    """The renaming ``then`` applied after ``first`` (events outside a domain map to themselves).

    >>> from cspotlp.csp import event
    >>> a, b, c = event("a"), event("b"), event("c")
    >>> sorted((x.name, y.name) for x, y in compose(frozenset({(a, b)}), frozenset({(b, c)})))
    [('a', 'c'), ('b', 'c')]
    """
    one: dict[Event, set[Event]] = {}
    for x, y in first:
        one.setdefault(x, set()).add(y)
    two: dict[Event, set[Event]] = {}
    for x, y in then:
        two.setdefault(x, set()).add(y)
    out: set[tuple[Event, Event]] = set()
    for x, ys in one.items():
        for y in ys:
            out.update((x, z) for z in two.get(y, {y}))
    for x, zs in two.items():
        if x not in one:
            out.update((x, z) for z in zs)
    return frozenset(out)


Law = Callable[[Laws, Proc], "Proc | None"]

HIDE_LAWS: tuple[Law, ...] = (hide_combine, hide_unused)
RENAME_LAWS: tuple[Law, ...] = (rename_compose, rename_identity, rename_unused)

LAWS: dict[str, Law] = {
    "hide-combine": hide_combine,
    "hide-unused": hide_unused,
    "rename-compose": rename_compose,
    "rename-unused": rename_unused,
    "rename-identity": rename_identity,
}
"""Every rewriting law by name (``choice-flatten`` is :meth:`Laws.flat_choice`)."""
