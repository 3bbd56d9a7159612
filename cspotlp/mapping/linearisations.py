"""Some order, or every order: the linearisations of an event order against an automaton.

A captured trace is a partial order of events (:mod:`cspotlp.mapping.event_order`); a
specification is a deterministic automaton over event numbers (for conformance, the lazily
normalised specification, :class:`~cspotlp.conformance.normalise.NormalisedSpec`; for pointing
a counterexample at spans, :class:`SequenceAutomaton`). :func:`search` decides

* ``some``: is *some* linearisation of the trace a trace of the specification?
* ``all``: is *every* linearisation?

Both explore pairs (ideal, node): the set of events done so far — a down-closed set of the
order; the linearisations that reach it are exactly the sequences that perform it — and the
specification node every such sequence leads to (deterministic, so one node per sequence).
A pair is explored once (memoised), so the cost is bounded by #ideals × #nodes rather than by
the number of linearisations: for ``k`` concurrent calls there are ``(2k)!/2^k`` linearisations
but ``3^k`` ideals.

*Symmetry.* Concurrent siblings with identical subtrees (same events, same structure, same
relation to the other siblings) are interchangeable: swapping their blocks is an automorphism of
the labelled order, so two ideals that differ by such swaps have the same future. Ideals are
memoised in a canonical form (each group's member states sorted, innermost groups first), so
``k`` identical concurrent calls cost ``(k + 1)(k + 2) / 2`` ideals instead of ``3^k``.

Depth-first, trying events in time order first: the first linearisation explored is the one the
clocks recorded; a ``some`` search that succeeds returns the linearisation it found, one that
fails returns the one that got furthest; an ``all`` search returns the first linearisation
prefix the specification refuses. A search that would visit more than ``limit`` pairs, or
examine more than ``WORK_PER_STATE`` times as many moves, stops with the verdict
``inconclusive`` (never ``pass``).
"""

from __future__ import annotations

from bisect import insort
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

from cspotlp.mapping.event_order import EventOrder

Orders = Literal["some", "all"]
OUTSIDE = -1
"""The code of an event the specification's alphabet does not hold (refused everywhere)."""

DEFAULT_SEARCH_LIMIT = 1_000_000
"""States (ideal, specification node) a search may visit before it is inconclusive."""

WORK_PER_STATE = 64
"""A search may also examine at most this many moves per state of its limit on average (so
that states with thousands of concurrent events next do not make a budget unbounded time)."""


class Automaton(Protocol):
    """A deterministic automaton over event numbers (node 0 is initial)."""

    def expand(self, node: int) -> Mapping[int, int]:
        """The transitions of ``node``: event number -> next node."""
        ...


@dataclass(frozen=True)
class SearchOutcome:
    """What a search found.

    ``path`` lists the visible events (indices) performed, in order: for ``pass`` a whole
    accepted linearisation (``some``; empty for ``all``), for ``fail`` the longest accepted
    prefix (``some``) or the prefix before the refusal (``all``), after which ``refused`` is
    the event the specification refuses (None: the trace ended where the specification
    cannot finish). ``node`` is the specification node after ``path``; ``states`` the pairs
    visited.
    """

    verdict: Literal["pass", "fail", "inconclusive"]
    path: tuple[int, ...]
    refused: int | None
    node: int
    states: int


class _Symmetry:
    """Interchangeable sibling blocks of an order, and the canonical form of ideals."""

    def __init__(self, order: EventOrder, codes: Sequence[int]) -> None:
        self.groups: list[tuple[tuple[int, ...], int]] = []  # (first nodes, block size)
        attached = self._attached(order)
        post = self._post_order(order)
        signature = self._signatures(order, codes, attached, post)
        memberships: list[list[int]] = [[] for _ in range(len(order))]
        levels = [*((order.kids[s], order.joins[s]) for s in post),
                  (order.roots, order.root_joins)]
        for group, joins in levels:  # innermost groups get the smallest numbers
            if len(group) < 2 or joins is None:
                continue
            buckets: dict[tuple[object, ...], list[int]] = {}
            for i, c in enumerate(group):
                key = (signature[c], joins.waits[i], joins.feeds[i], attached[c])
                buckets.setdefault(key, []).append(c)
            for members in buckets.values():
                if len(members) < 2:
                    continue
                g = len(self.groups)
                firsts = tuple(order.block[c][0] for c in members)
                size = order.block[members[0]][1]
                self.groups.append((firsts, size))
                for first in firsts:
                    for v in range(first, first + size):
                        memberships[v].append(g)
        self.group_of_node = [tuple(m) for m in memberships]
        self.total = [len(f) * size for f, size in self.groups]
        self.masks = [sum(((1 << size) - 1) << f for f in firsts) for firsts, size in self.groups]
        # per node of a group: (its innermost group, the member's number, the node's offset
        # in the member's block); the members are numbered 0, 1, ... over all groups
        self.member: list[tuple[int, int, int] | None] = [None] * len(order)
        self.members = 0
        for g, (firsts, size) in enumerate(self.groups):
            for first in firsts:
                for v in range(first, first + size):
                    if self.member[v] is None:
                        self.member[v] = (g, self.members, v - first)
                self.members += 1

    @staticmethod
    def _attached(order: EventOrder) -> list[bool]:
        """Per span: does its parent's end follow its end (O4)?"""
        attached = [False] * len(order.kids)
        for s, kids in enumerate(order.kids):
            e = order.end_node[s]
            if e < 0 or not kids:
                continue
            before = set(order.preds[e])
            for c in kids:
                attached[c] = order.end_node[c] in before
        return attached

    @staticmethod
    def _post_order(order: EventOrder) -> list[int]:
        out: list[int] = []
        stack: list[tuple[int, bool]] = [(r, False) for r in order.roots]
        while stack:
            s, done = stack.pop()
            if done:
                out.append(s)
                continue
            stack.append((s, True))
            stack.extend((c, False) for c in order.kids[s])
        return out

    @staticmethod
    def _signatures(order: EventOrder, codes: Sequence[int], attached: Sequence[bool],
                    post: Sequence[int]) -> list[int]:
        """Per span, a number equal for two spans when their blocks are isomorphic.

        Equal numbers mean equal events and structure position by position in block layout
        (children in time order, with their joins and attachment), so swapping the two blocks
        maps the order onto itself.
        """
        table: dict[tuple[object, ...], int] = {}
        sig = [0] * len(order.kids)
        for s in post:
            b, e = order.begin_node[s], order.end_node[s]
            joins = order.joins[s]
            key = (
                _code(order, codes, b), e >= 0, _code(order, codes, e) if e >= 0 else None,
                tuple((sig[c], joins.waits[i], joins.feeds[i], attached[c])
                      for i, c in enumerate(order.kids[s])) if joins is not None else (),
                tuple(len(c.thresholds) for c in joins.chains) if joins is not None else (),
            )
            sig[s] = table.setdefault(key, len(table))
        return sig

    def canonical(self, mask: int, active: set[int]) -> int:
        """The canonical form of an ideal (``active``: the groups whose members may differ)."""
        for g in sorted(active):  # groups are numbered innermost first
            firsts, size = self.groups[g]
            full = (1 << size) - 1
            subs = [(mask >> f) & full for f in firsts]
            ordered = sorted(subs, reverse=True)
            if ordered != subs:
                mask &= ~self.masks[g]
                for f, sub in zip(firsts, ordered, strict=True):
                    mask |= sub << f
        return mask


def _code(order: EventOrder, codes: Sequence[int], node: int) -> int | None:
    e = order.event[node]
    return codes[e] if e >= 0 else None


class _Frame:
    __slots__ = ("mask", "node", "enabled", "moves", "next", "log", "key")

    def __init__(self, mask: int, node: int, enabled: list[int], log: list[int],
                 key: tuple[int, int]) -> None:
        self.mask = mask
        self.node = node
        self.enabled = enabled
        self.moves: list[tuple[int, int]] | None = None
        self.next = 0
        self.log = log
        self.key = key


class _Explorer:
    """The mutable state of one search: enabled counts, group activity, the budget."""

    def __init__(self, order: EventOrder, codes: Sequence[int], spec: Automaton,
                 limit: int) -> None:
        self.order = order
        self.codes = codes
        self.spec = spec
        self.limit = limit
        self.succs = order.succs()
        self.event = order.event
        self.missing = [len(p) for p in order.preds]
        self.sym = _Symmetry(order, codes)
        self.count = [0] * len(self.sym.groups)
        self.active: set[int] = set()
        self.local = [0] * self.sym.members  # per member: the nodes of its block done
        self.work = 0
        self.work_limit = limit * WORK_PER_STATE

    def fire(self, v: int, mask: int, log: list[int], enabled: list[int]) -> int:
        """Do node ``v`` and every silent node it enables; returns the new mask."""
        todo = [v]
        event, succs, missing = self.event, self.succs, self.missing
        member, local = self.sym.member, self.local
        while todo:
            x = todo.pop()
            mask |= 1 << x
            log.append(x)
            place = member[x]
            if place is not None:
                local[place[1]] |= 1 << place[2]
                for g in self.sym.group_of_node[x]:
                    self._count(g, 1)
            for w in succs[x]:
                missing[w] -= 1
                if missing[w] == 0:
                    if event[w] < 0:
                        todo.append(w)
                    else:
                        insort(enabled, w, key=event.__getitem__)
        return mask

    def undo(self, log: list[int]) -> None:
        """Undo the nodes of ``log`` (in reverse)."""
        succs, missing = self.succs, self.missing
        member, local = self.sym.member, self.local
        for x in reversed(log):
            for w in succs[x]:
                missing[w] += 1
            place = member[x]
            if place is not None:
                local[place[1]] &= ~(1 << place[2])
                for g in self.sym.group_of_node[x]:
                    self._count(g, -1)

    def _count(self, g: int, delta: int) -> None:
        c = self.count[g] = self.count[g] + delta
        if 0 < c < self.sym.total[g]:
            self.active.add(g)
        else:
            self.active.discard(g)

    def key(self, mask: int, node: int) -> tuple[int, int]:
        """The memo key of a state."""
        return (self.sym.canonical(mask, self.active) if self.active else mask, node)

    def start(self) -> _Frame:
        """The initial state: nothing done but the silent nodes nothing precedes."""
        log: list[int] = []
        enabled: list[int] = []
        mask = 0
        for v, ps in enumerate(self.order.preds):
            if not ps:
                if self.event[v] < 0:
                    mask = self.fire(v, mask, log, enabled)
                else:
                    enabled.append(v)
        enabled.sort(key=self.event.__getitem__)
        return _Frame(mask, 0, enabled, log, self.key(mask, 0))

    def step(self, frame: _Frame, v: int, node: int) -> _Frame:
        """The state after doing visible node ``v``, reaching specification node ``node``."""
        log: list[int] = []
        enabled = frame.enabled.copy()
        enabled.remove(v)
        mask = self.fire(v, frame.mask, log, enabled)  # keeps ``enabled`` in time order
        return _Frame(mask, node, enabled, log, self.key(mask, node))

    def moves(self, frame: _Frame) -> tuple[list[tuple[int, int]], list[int]]:
        """The accepted moves (visible node, next spec node) and the refused nodes.

        Of moves that are symmetric here — the same position in two interchangeable members
        whose states are equal, so that their successors differ by a swap — only the first
        (in time order) is kept.
        """
        table = self.spec.expand(frame.node)
        accepted: list[tuple[int, int]] = []
        refused: list[int] = []
        member, local = self.sym.member, self.local
        seen: set[tuple[int, int, int]] = set()
        self.work += len(frame.enabled)
        for v in frame.enabled:
            place = member[v]
            if place is not None:
                g, m, offset = place
                key = (g, offset, local[m])
                if key in seen:
                    continue
                seen.add(key)
            c = self.codes[self.event[v]]
            nxt = table.get(c) if c != OUTSIDE else None
            if nxt is None:
                refused.append(v)
            else:
                accepted.append((v, nxt))
        return accepted, refused


def search(order: EventOrder, codes: Sequence[int], spec: Automaton, orders: Orders = "some",
           *, final: Callable[[int], bool] | None = None,
           limit: int = DEFAULT_SEARCH_LIMIT) -> SearchOutcome:
    """Decide whether some (or every) linearisation of ``order`` is accepted by ``spec``.

    Args:
        order: the partial order of the trace's visible events.
        codes: per visible event, its number in ``spec`` (:data:`OUTSIDE` if none).
        spec: the deterministic specification.
        orders: ``some`` or ``all``.
        final: when given, a linearisation must also end in a node where this holds (the
            specification can terminate there: ``--complete``).
        limit: the most states to visit before the verdict is ``inconclusive``.
    """
    ex = _Explorer(order, codes, spec, limit)
    if orders == "all":
        return _every(ex, final)
    return _some(ex, final)


def _every(ex: _Explorer, final: Callable[[int], bool] | None) -> SearchOutcome:
    root = ex.start()
    stack = [root]
    path: list[int] = []
    seen = {root.key}
    while stack:
        f = stack[-1]
        if f.moves is None:
            accepted, refused = ex.moves(f)
            if refused:
                return SearchOutcome("fail", tuple(path), ex.event[refused[0]], f.node,
                                     len(seen))
            if not f.enabled and final is not None and not final(f.node):
                return SearchOutcome("fail", tuple(path), None, f.node, len(seen))
            f.moves = accepted
        if f.next < len(f.moves):
            v, node = f.moves[f.next]
            f.next += 1
            child = ex.step(f, v, node)
            if child.key in seen:
                ex.undo(child.log)
                continue
            if len(seen) >= ex.limit or ex.work > ex.work_limit:
                return SearchOutcome("inconclusive", tuple(path), None, f.node, len(seen))
            seen.add(child.key)
            stack.append(child)
            path.append(ex.event[v])
            continue
        stack.pop()
        ex.undo(f.log)
        if stack:
            path.pop()
    return SearchOutcome("pass", (), None, 0, len(seen))


def _some(ex: _Explorer, final: Callable[[int], bool] | None) -> SearchOutcome:
    root = ex.start()
    stack = [root]
    path: list[int] = []
    failed: set[tuple[int, int]] = set()
    visited = 1
    best: tuple[int, tuple[int, ...], int | None, int] | None = None  # depth, path, refused, node
    while stack:
        f = stack[-1]
        if f.moves is None:
            accepted, refused = ex.moves(f)
            f.moves = accepted
            if not f.enabled:
                if final is None or final(f.node):
                    return SearchOutcome("pass", tuple(path), None, f.node, visited)
                if best is None or best[0] < len(path) + 1:
                    best = (len(path) + 1, tuple(path), None, f.node)
            elif refused and (best is None or best[0] < len(path)):
                best = (len(path), tuple(path), ex.event[refused[0]], f.node)
        if f.next < len(f.moves):
            v, node = f.moves[f.next]
            f.next += 1
            child = ex.step(f, v, node)
            if child.key in failed:
                ex.undo(child.log)
                continue
            if visited >= ex.limit or ex.work > ex.work_limit:
                return SearchOutcome("inconclusive", tuple(path), None, f.node, visited)
            visited += 1
            stack.append(child)
            path.append(ex.event[v])
            continue
        failed.add(f.key)
        stack.pop()
        ex.undo(f.log)
        if stack:
            path.pop()
    assert best is not None  # a failed search has met a refusal or a non-final end
    _, where, refused_event, node = best
    return SearchOutcome("fail", where, refused_event, node, visited)


class SequenceAutomaton:
    """The automaton of one sequence of event numbers, then (optionally) of anything.

    Node ``i`` accepts only ``seq[i]``; at the end, every number in ``then``.

    >>> SequenceAutomaton([7, 9]).expand(1), SequenceAutomaton([7], then=[1, 7]).expand(1)
    ({9: 2}, {1: 1, 7: 1})
    """

    def __init__(self, seq: Sequence[int], then: Iterable[int] = ()) -> None:
        self.seq = list(seq)
        self.then = {c: len(self.seq) for c in then}

    def expand(self, node: int) -> dict[int, int]:
        """The one transition of ``node`` (those of ``then`` at the end)."""
        return {self.seq[node]: node + 1} if node < len(self.seq) else self.then


__all__ = ["DEFAULT_SEARCH_LIMIT", "OUTSIDE", "WORK_PER_STATE", "Automaton", "Orders", "SearchOutcome",
           "SequenceAutomaton", "search"]
