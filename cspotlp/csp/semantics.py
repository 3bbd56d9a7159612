r"""Operational semantics: Roscoe's firing rules with FDR4's conventions.

:meth:`Semantics.transitions` gives the labelled transitions ``(event, target)`` of a term, where
the event may be ``TAU`` or ``TICK``. Terminating processes reach ``OMEGA`` after ``✓``;
distributed termination in parallel and interleaving follows *Understanding Concurrent Systems*:
a component's ``✓`` becomes ``τ`` into ``OMEGA``, and the composition does ``✓`` once every
component is ``OMEGA``.

Transitions are computed without Python recursion: a post-order walk with an explicit stack over
the operands each rule needs, memoised per term. A definition that needs its own transitions to
compute them (``P = P [] a -> STOP``) is unguarded recursion and raises :class:`CspEvalError`.

Every successor term is rewritten by the sound laws of :mod:`cspotlp.csp.laws` (hiding and
renaming combined, dropped where they cannot matter; nested external choices flattened), so
processes that recurse through hiding or renaming (``D = (a -> D) \ {a}``) have finitely many
terms. ``Semantics(env, laws=False)`` gives the plain firing rules (for comparisons).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Protocol, TypeAlias, cast

from cspotlp.csp.environment import Environment
from cspotlp.csp.events import TAU, TICK, Event, sort_events
from cspotlp.csp.laws import Laws
from cspotlp.csp.terms import (
    OMEGA,
    STOP,
    Op,
    Proc,
    alphabets_of,
    call_parts,
    event_set_of,
    levels_of,
    mk,
    order_of,
    prefix_event,
    relation_of,
)
from cspotlp.csp.values import show_value
from cspotlp.errors import CspEvalError

Transition: TypeAlias = tuple[Event, Proc]
Transitions: TypeAlias = tuple[Transition, ...]


class ExplicitGraph(Protocol):
    """A compiled LTS that an ``EXPLICIT`` term points into (e.g. a compressed process)."""

    def successors(self, state: int) -> Sequence[tuple[Event, int]]:
        """Transitions of ``state`` as (event, target state)."""
        ...


Compression: TypeAlias = Callable[["Semantics", Proc], Proc]
"""A compression maps a process to an equivalent ``EXPLICIT`` term (its compiled initial state)."""

COMPRESSIONS: dict[str, Compression] = {}
"""Registered compressions by CSPm name (``normal``, ``sbisim``, ...), filled by the checker."""


def explicit(graph: ExplicitGraph, state: int) -> Proc:
    """The term standing for ``state`` of a compiled graph."""
    return mk(Op.EXPLICIT, (), (graph, state))


class Semantics:
    """Transitions of terms under one environment, memoised.

    >>> from cspotlp.csp import Environment, prefix, SKIP, seq
    >>> env = Environment(); a = env.channel("a").event()
    >>> [(str(e), str(t)) for e, t in Semantics(env).transitions(seq(prefix(a, SKIP), SKIP))]
    [('a', 'SKIP ; SKIP')]
    """

    def __init__(
        self, env: Environment, compressions: Mapping[str, Compression] | None = None, *,
        laws: bool = True,
    ) -> None:
        self.env = env
        self.laws: Laws | None = Laws(env) if laws else None
        self.compressions = COMPRESSIONS if compressions is None else compressions
        self._cache: dict[Proc, Transitions] = {}
        self._relations: dict[frozenset[tuple[Event, Event]], dict[Event, tuple[Event, ...]]] = {}
        self._sorted: dict[frozenset[Event], tuple[Event, ...]] = {}

    def transitions(self, p: Proc) -> Transitions:
        """The transitions of ``p`` in a deterministic order."""
        done = self._cache.get(p)
        if done is not None:
            return done
        self._compute(p)
        return self._cache[p]

    def initials(self, p: Proc) -> frozenset[Event]:
        """Events (including τ and ✓) ``p`` can perform immediately."""
        return frozenset(e for e, _ in self.transitions(p))

    def clear(self) -> None:
        """Forget memoised transitions (to release memory between big checks)."""
        self._cache.clear()

    # -- the iterative evaluation -------------------------------------------------------------

    def _compute(self, root: Proc) -> None:
        cache = self._cache
        stack = [root]
        expanded: set[Proc] = set()
        while stack:
            q = stack[-1]
            if q in cache:
                stack.pop()
                continue
            missing = [d for d in self._needs(q) if d not in cache]
            if missing:
                if q in expanded:
                    raise CspEvalError(f"unguarded recursion: {_call_name(q)} needs its own transitions")
                expanded.add(q)
                for d in missing:
                    if d in expanded:
                        raise CspEvalError(
                            f"unguarded recursion: {_call_name(d)} needs its own transitions"
                        )
                    stack.append(d)
                continue
            trans = RULES[q.op](self, q)
            laws = self.laws
            if laws is not None:
                for _e, t in trans:
                    if t.op is _HIDE or t.op is _RENAME:  # (identity: hashing an Op is slow)
                        trans = tuple((e, laws.normal(t)) for e, t in trans)
                        break
            cache[q] = trans
            expanded.discard(q)
            stack.pop()

    def _needs(self, q: Proc) -> Sequence[Proc]:
        op = q.op
        if op is Op.CALL:
            return (self.env.unfold(q),)
        if op is Op.EXT:
            return self.choice_operands(q)
        if op in _NEEDS_ALL:
            return q.args
        if op in _NEEDS_FIRST:
            return q.args[:1]
        return ()

    def choice_operands(self, q: Proc) -> tuple[Proc, ...]:
        """The operands of an external choice (nested choices flattened when laws apply)."""
        return q.args if self.laws is None else self.laws.flat_choice(q)

    def _done(self, p: Proc) -> Transitions:
        return self._cache[p]

    def sorted_set(self, events: frozenset[Event]) -> tuple[Event, ...]:
        """An event set in deterministic order (cached)."""
        out = self._sorted.get(events)
        if out is None:
            out = tuple(sort_events(events))
            self._sorted[events] = out
        return out

    def relation(self, rel: frozenset[tuple[Event, Event]]) -> dict[Event, tuple[Event, ...]]:
        """A renaming/link relation as a map from each source event to its images (sorted)."""
        out = self._relations.get(rel)
        if out is None:
            images: dict[Event, list[Event]] = {}
            for a, b in rel:
                images.setdefault(a, []).append(b)
            out = {a: tuple(sort_events(bs)) for a, bs in images.items()}
            self._relations[rel] = out
        return out


_HIDE, _RENAME = Op.HIDE, Op.RENAME

_NEEDS_ALL = frozenset({Op.EXT, Op.PAR, Op.APAR, Op.ILEAVE, Op.LINK, Op.INTERRUPT,
                        Op.SYNC_EXT, Op.SYNC_INTERRUPT})
_NEEDS_FIRST = frozenset({Op.SEQ, Op.HIDE, Op.RENAME, Op.TIMEOUT, Op.EXCEPT, Op.PRIORITISE,
                          Op.PRIORITISE_PO})


def _call_name(q: Proc) -> str:
    if q.op is Op.CALL:
        name, args = call_parts(q)

        return f"{name}({', '.join(show_value(a) for a in args)})" if args else str(name)
    return str(q)


# -- firing rules, one per operator --------------------------------------------------------------


def _none(_s: Semantics, _q: Proc) -> Transitions:
    return ()


def _skip(_s: Semantics, _q: Proc) -> Transitions:
    return ((TICK, OMEGA),)


def _div(_s: Semantics, q: Proc) -> Transitions:
    return ((TAU, q),)


def _run(s: Semantics, q: Proc) -> Transitions:
    return tuple((e, q) for e in s.sorted_set(event_set_of(q)))


def _chaos(s: Semantics, q: Proc) -> Transitions:
    return ((TAU, STOP), *_run(s, q))


def _prefix(_s: Semantics, q: Proc) -> Transitions:
    return ((prefix_event(q), q.args[0]),)


def _ext(s: Semantics, q: Proc) -> Transitions:
    out: list[Transition] = []
    args = s.choice_operands(q)
    for i, p in enumerate(args):
        for e, p2 in s._done(p):
            if e is TAU:
                out.append((TAU, mk(Op.EXT, args[:i] + (p2,) + args[i + 1:])))
            else:
                out.append((e, p2))
    return tuple(out)


def _int(_s: Semantics, q: Proc) -> Transitions:
    return tuple((TAU, p) for p in q.args)


def _seq(s: Semantics, q: Proc) -> Transitions:
    p, then = q.args
    return tuple((TAU, then) if e is TICK else (e, mk(Op.SEQ, (p2, then))) for e, p2 in s._done(p))


def _sync_pair(
    s: Semantics, q: Proc, can_left: Callable[[Event], bool], can_right: Callable[[Event], bool],
    synced: Callable[[Event], bool],
) -> Transitions:
    """Binary parallel with distributed termination; ``synced(e)`` needs both sides."""
    p, r = q.args
    if p is OMEGA and r is OMEGA:
        return ((TICK, OMEGA),)
    out: list[Transition] = []
    right = s._done(r)
    for e, p2 in s._done(p):
        if e is TAU:
            out.append((TAU, mk(q.op, (p2, r), q.payload)))
        elif e is TICK:
            out.append((TAU, mk(q.op, (OMEGA, r), q.payload)))
        elif not can_left(e):
            continue
        elif synced(e):
            out.extend((e, mk(q.op, (p2, r2), q.payload)) for f, r2 in right if f is e)
        else:
            out.append((e, mk(q.op, (p2, r), q.payload)))
    for e, r2 in right:
        if e is TAU:
            out.append((TAU, mk(q.op, (p, r2), q.payload)))
        elif e is TICK:
            out.append((TAU, mk(q.op, (p, OMEGA), q.payload)))
        elif can_right(e) and not synced(e):
            out.append((e, mk(q.op, (p, r2), q.payload)))
    return tuple(out)


def _always(_e: Event) -> bool:
    return True


def _par(s: Semantics, q: Proc) -> Transitions:
    sync = event_set_of(q)
    return _sync_pair(s, q, _always, _always, sync.__contains__)


def _apar(s: Semantics, q: Proc) -> Transitions:
    a, b = alphabets_of(q)
    both = a & b
    return _sync_pair(s, q, a.__contains__, b.__contains__, both.__contains__)


def _ileave(s: Semantics, q: Proc) -> Transitions:
    args = q.args
    if all(p is OMEGA for p in args):
        return ((TICK, OMEGA),)
    out: list[Transition] = []
    for i, p in enumerate(args):
        for e, p2 in s._done(p):
            if e is TICK:
                out.append((TAU, mk(Op.ILEAVE, args[:i] + (OMEGA,) + args[i + 1:])))
            else:
                out.append((e, mk(Op.ILEAVE, args[:i] + (p2,) + args[i + 1:])))
    return tuple(out)


def _hide(s: Semantics, q: Proc) -> Transitions:
    hidden = event_set_of(q)
    out: list[Transition] = []
    for e, p2 in s._done(q.args[0]):
        if e is TICK:
            out.append((TICK, OMEGA))
        else:
            out.append((TAU if e in hidden else e, mk(Op.HIDE, (p2,), hidden)))
    return tuple(out)


def _rename(s: Semantics, q: Proc) -> Transitions:
    images = s.relation(relation_of(q))
    out: list[Transition] = []
    for e, p2 in s._done(q.args[0]):
        if e is TICK:
            out.append((TICK, OMEGA))
            continue
        nxt = mk(Op.RENAME, (p2,), q.payload)
        out.extend((b, nxt) for b in images.get(e, (e,)))
    return tuple(out)


def _interrupt(s: Semantics, q: Proc) -> Transitions:
    p, r = q.args
    out: list[Transition] = []
    for e, p2 in s._done(p):
        out.append((TICK, OMEGA) if e is TICK else (e, mk(Op.INTERRUPT, (p2, r))))
    for e, r2 in s._done(r):
        out.append((TAU, mk(Op.INTERRUPT, (p, r2))) if e is TAU else (e, r2))
    return tuple(out)


def _timeout(s: Semantics, q: Proc) -> Transitions:
    p, r = q.args
    out: list[Transition] = [
        (TAU, mk(Op.TIMEOUT, (p2, r))) if e is TAU else (e, p2) for e, p2 in s._done(p)
    ]
    out.append((TAU, r))
    return tuple(out)


def _except(s: Semantics, q: Proc) -> Transitions:
    p, r = q.args
    catch = event_set_of(q)
    out: list[Transition] = []
    for e, p2 in s._done(p):
        if e is TICK:
            out.append((TICK, OMEGA))
        elif e in catch:
            out.append((e, r))
        else:
            out.append((e, mk(Op.EXCEPT, (p2, r), catch)))
    return tuple(out)


def _link(s: Semantics, q: Proc) -> Transitions:
    p, r = q.args
    if p is OMEGA and r is OMEGA:
        return ((TICK, OMEGA),)
    images = s.relation(relation_of(q))
    linked_right = {b for bs in images.values() for b in bs}
    right = s._done(r)
    out: list[Transition] = []
    for e, p2 in s._done(p):
        if e is TICK:
            out.append((TAU, mk(Op.LINK, (OMEGA, r), q.payload)))
        elif e in images:
            for b in images[e]:
                out.extend((TAU, mk(Op.LINK, (p2, r2), q.payload)) for f, r2 in right if f is b)
        else:
            out.append((e, mk(Op.LINK, (p2, r), q.payload)))
    for e, r2 in right:
        if e is TICK:
            out.append((TAU, mk(Op.LINK, (p, OMEGA), q.payload)))
        elif e not in linked_right:
            out.append((e, mk(Op.LINK, (p, r2), q.payload)))
    return tuple(out)


def _call(s: Semantics, q: Proc) -> Transitions:
    return s._done(s.env.unfold(q))


def _compress(s: Semantics, q: Proc) -> Transitions:
    name = cast(str, q.payload)
    fn = s.compressions.get(name)
    if fn is None:
        raise CspEvalError(f"compression {name} is not available")
    start = fn(s, q.args[0])
    return s.transitions(start)


def _explicit(_s: Semantics, q: Proc) -> Transitions:
    graph, state = cast(tuple[ExplicitGraph, int], q.payload)
    return tuple((e, mk(Op.EXPLICIT, (), (graph, t))) for e, t in graph.successors(state))


def _priority_levels(levels: Iterable[frozenset[Event]]) -> dict[Event, int]:
    # The first set shares the top level with τ and ✓ (so <{}, {tock}> gives τ priority over tock).
    rank: dict[Event, int] = {}
    for i, level in enumerate(levels):
        for e in level:
            rank.setdefault(e, i)
    return rank


def _prioritise(s: Semantics, q: Proc) -> Transitions:
    levels = levels_of(q)
    rank = _priority_levels(levels)
    trans = s._done(q.args[0])

    def level(e: Event) -> int | None:
        return 0 if e is TAU or e is TICK else rank.get(e)

    ranked = [lv for e, _ in trans if (lv := level(e)) is not None]
    best = min(ranked, default=None)
    out: list[Transition] = []
    for e, p2 in trans:
        lv = level(e)
        if lv is not None and best is not None and lv > best:
            continue
        out.append((TICK, OMEGA) if e is TICK else (e, mk(Op.PRIORITISE, (p2,), levels)))
    return tuple(out)


def _sync_ext(s: Semantics, q: Proc) -> Transitions:
    p, r = q.args
    sync = event_set_of(q)
    out: list[Transition] = []
    for e, p2 in s._done(p):
        if e is TAU:
            out.append((TAU, mk(Op.SYNC_EXT, (p2, r), sync)))
        elif e in sync:
            out.extend((e, mk(Op.SYNC_EXT, (p2, r2), sync)) for f, r2 in s._done(r) if f == e)
        else:
            out.append((TICK, OMEGA) if e is TICK else (e, p2))
    for e, r2 in s._done(r):
        if e is TAU:
            out.append((TAU, mk(Op.SYNC_EXT, (p, r2), sync)))
        elif e not in sync:
            out.append((TICK, OMEGA) if e is TICK else (e, r2))
    return tuple(out)


def _sync_interrupt(s: Semantics, q: Proc) -> Transitions:
    p, r = q.args
    sync = event_set_of(q)
    out: list[Transition] = []
    for e, p2 in s._done(p):
        if e is TICK:
            out.append((TICK, OMEGA))
        elif e in sync:
            out.extend((e, mk(Op.SYNC_INTERRUPT, (p2, r2), sync))
                       for f, r2 in s._done(r) if f == e)
        else:
            out.append((e, mk(Op.SYNC_INTERRUPT, (p2, r), sync)))
    for e, r2 in s._done(r):
        if e is TAU:
            out.append((TAU, mk(Op.SYNC_INTERRUPT, (p, r2), sync)))
        elif e not in sync:
            out.append((TICK, OMEGA) if e is TICK else (e, r2))
    return tuple(out)


def _prioritise_po(s: Semantics, q: Proc) -> Transitions:
    order = order_of(q)
    trans = s._done(q.args[0])
    offered = {e for e, _ in trans}
    out: list[Transition] = []
    for e, p2 in trans:
        if any((e, f) in order for f in offered):
            continue  # a higher event is on offer: e is pre-empted
        out.append((TICK, OMEGA) if e is TICK else (e, mk(Op.PRIORITISE_PO, (p2,), q.payload)))
    return tuple(out)


RULES: dict[Op, Callable[[Semantics, Proc], Transitions]] = {
    Op.STOP: _none,
    Op.OMEGA: _none,
    Op.SKIP: _skip,
    Op.DIV: _div,
    Op.RUN: _run,
    Op.CHAOS: _chaos,
    Op.PREFIX: _prefix,
    Op.EXT: _ext,
    Op.INT: _int,
    Op.SEQ: _seq,
    Op.PAR: _par,
    Op.APAR: _apar,
    Op.ILEAVE: _ileave,
    Op.HIDE: _hide,
    Op.RENAME: _rename,
    Op.INTERRUPT: _interrupt,
    Op.TIMEOUT: _timeout,
    Op.EXCEPT: _except,
    Op.LINK: _link,
    Op.CALL: _call,
    Op.COMPRESS: _compress,
    Op.EXPLICIT: _explicit,
    Op.PRIORITISE: _prioritise,
    Op.SYNC_EXT: _sync_ext,
    Op.SYNC_INTERRUPT: _sync_interrupt,
    Op.PRIORITISE_PO: _prioritise_po,
}
"""The firing rules, keyed by operator; a test checks that every :class:`Op` has one."""
