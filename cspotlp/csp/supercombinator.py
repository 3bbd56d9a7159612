"""FDR-style supercombinators: a process as sequential leaves plus rules over their events.

A term is split at its network operators (generalised and alphabetised parallel, interleaving,
linked parallel, hiding, renaming, following named definitions). What remains below are *leaves*:
sequential processes, each compiled once to an explicit LTS by the term semantics
(:func:`~cspotlp.csp.lts.build_lts`). A state of the whole system is then a tuple of leaf states,
and its transitions are given by *rules*: "these components perform these of their own events
together, and the system performs that event" (Roscoe, UCS ch. 9; FDR's supercombinators).

Distributed termination (UCS): a component's ✓ becomes τ in a parallel composition, and the
composition performs ✓ once every component has terminated. Each parallel node that can terminate
gets a two-state *termination flag* component (running, done); a pseudo move ``OMEGA_LABEL`` of a
component means "I am terminated" (a leaf in its Ω state, a flag that is done) and never appears
as a transition of the system. The state space this gives is strongly bisimilar to the term
semantics' (checked by a property test).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import cast

import numpy as np
import numpy.typing as npt

from cspotlp.csp.budget import Budget
from cspotlp.csp.events import TAU, TICK, Event, sort_events
from cspotlp.csp.explicit import ExplicitLts
from cspotlp.csp.lts import build_lts
from cspotlp.csp.semantics import Semantics, explicit
from cspotlp.csp.show import show
from cspotlp.csp.terms import Op, Proc, alphabets_of, event_set_of, mk, relation_of
from cspotlp.errors import CspEvalError

NETWORK_OPS = frozenset({Op.PAR, Op.APAR, Op.ILEAVE, Op.LINK, Op.HIDE, Op.RENAME})
"""Operators compiled into rules; every other operator is inside some leaf."""

OMEGA_LABEL = -1
"""Pseudo label: the component is terminated (Ω leaf state, or a done termination flag)."""

FIN_LABEL = -2
"""Pseudo label: a termination flag goes from running (0) to done (1)."""

TERMINATED_EVENT = -1
"""Event number of the pseudo rule that says the whole system is terminated."""

NAME_CHARS = 60

LEAF_CHECK_EVERY = 256
"""Leaves compiled between checks of the budget's memory and time."""


@dataclass(frozen=True)
class Component:
    """One slot of the state tuple: a leaf process or a termination flag.

    Attributes:
        term: the leaf's process, or for a flag the parallel composition it belongs to.
        lts: the leaf's explicit LTS (for a flag, two states and no transitions).
        flag: True for a termination flag (states 0 = running, 1 = done).
    """

    term: Proc
    lts: ExplicitLts
    flag: bool = False

    @property
    def name(self) -> str:
        """Text shown in counterexamples (the leaf's process, cut short)."""
        text = show(self.term, max_chars=NAME_CHARS)
        return f"termination of {text}" if self.flag else text

    @property
    def num_states(self) -> int:
        """Number of local states."""
        return self.lts.num_states

    def layers(self, label: int) -> list[tuple[npt.NDArray[np.bool_], npt.NDArray[np.int64]]]:
        """The moves of ``label`` split into layers of at most one target per local state.

        Layer ``j`` says, for each local state, whether it has a ``j``-th ``label`` transition
        and its target; nondeterminism (two targets for one label) gives several layers.
        """
        n = self.num_states
        ident = np.arange(n, dtype=np.int64)
        if self.flag:
            if label == FIN_LABEL:
                return [(np.array([True, False]), np.array([1, 0], dtype=np.int64))]
            if label == OMEGA_LABEL:
                return [(np.array([False, True]), ident)]
            return []
        lts = self.lts
        if label == OMEGA_LABEL:
            return [(lts.terminated.copy(), ident)] if bool(lts.terminated.any()) else []
        sel = lts.labels == label
        src = lts.sources()[sel]
        tgt = lts.targets[sel]
        if src.size == 0:
            return []
        # rank of each transition among those of its source (sources are sorted in CSR order)
        first = np.searchsorted(src, src, side="left")
        rank = np.arange(src.size, dtype=np.int64) - first
        out: list[tuple[npt.NDArray[np.bool_], npt.NDArray[np.int64]]] = []
        for j in range(int(rank.max()) + 1):
            pick = rank == j
            ok = np.zeros(n, dtype=np.bool_)
            target = ident.copy()
            ok[src[pick]] = True
            target[src[pick]] = tgt[pick]
            out.append((ok, target))
        return out

    def label_event(self, label: int) -> Event | None:
        """The component's own event for a label (None for pseudo labels)."""
        return None if label < 0 else self.lts.events[label]


@dataclass(frozen=True)
class Rule:
    """The system performs ``event`` when each listed component performs its listed label."""

    event: int
    moves: tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class Network:
    """A compiled process: components, the system's events and the rules that connect them.

    Attributes:
        components: leaves and termination flags; the initial state is all zeros.
        events: event number -> event (0 τ, 1 ✓, then visible events in sorted order).
        rules: the system's transitions.
        terminated_rule: when enabled, the system is terminated (Ω); None if it cannot be.
    """

    components: tuple[Component, ...]
    events: tuple[Event, ...]
    rules: tuple[Rule, ...]
    terminated_rule: Rule | None

    @property
    def has_tau(self) -> bool:
        """True when some rule produces τ (otherwise the system cannot diverge)."""
        return any(r.event == 0 for r in self.rules)


@dataclass(frozen=True)
class _Proto:
    event: Event | None  # None: the pseudo "terminated" move of a subtree
    moves: tuple[tuple[int, int], ...]


@dataclass
class _Node:
    term: Proc
    children: list[int]
    leaf: bool


def compile_network(
    root: Proc,
    sem: Semantics,
    *,
    state_limit: int | None = None,
    compile_leaf: Callable[[Proc], ExplicitLts] | None = None,
    leaf_compression: str | None = None,
    budget: Budget | None = None,
) -> Network:
    """Split ``root`` into leaves and rules (leaves compiled by the term semantics).

    With ``leaf_compression`` (a registered compression such as ``sbisim`` or ``diamond``), each
    leaf is compressed before the network is composed (FDR's hierarchical compression); the
    checks stay exact in the models the compression preserves, but counterexamples then show
    compressed component states.

    Each leaf is compiled within ``budget`` (states per leaf, memory, time, terms that grow
    without bound); ``state_limit`` overrides its states.

    Raises:
        LimitReached: a leaf exceeds the budget (``StateLimitExceeded`` for its states).
        CspEvalError: unguarded recursion through a network operator (``P = P ||| Q``).
    """
    if budget is None:
        budget = Budget(state_limit=state_limit)
    nodes = _split(root, sem)
    num_leaves = sum(node.leaf for node in nodes)
    leaf_cache: dict[Proc, ExplicitLts] = {}
    components: list[Component] = []

    def leaf_lts(term: Proc) -> ExplicitLts:
        lts = leaf_cache.get(term)
        if lts is None:
            if compile_leaf is not None:
                lts = compile_leaf(term)
            elif leaf_compression is not None:  # explore under the limit, then compress
                plain = compile_leaf_lts(term, sem, state_limit, budget)
                lts = compile_leaf_lts(mk(Op.COMPRESS, (explicit(plain, plain.initial),), leaf_compression),
                                       sem, state_limit, budget)
            else:
                lts = compile_leaf_lts(term, sem, state_limit, budget)
            leaf_cache[term] = lts
        return lts

    leaf_component: dict[int, int] = {}
    for i, node in enumerate(nodes):  # leaves numbered left to right; flags come after
        if node.leaf:
            leaf_component[i] = len(components)
            components.append(Component(node.term, leaf_lts(node.term)))
            if len(components) % LEAF_CHECK_EVERY == 0:
                budget.check(0)
                budget.report(len(components), 0, phase="compiling components",
                              unit=f"of {num_leaves:,} components")
    protos: list[list[_Proto]] = [[] for _ in nodes]
    for i in reversed(range(len(nodes))):  # children are created after their parents
        node = nodes[i]
        if node.leaf:
            comp = leaf_component[i]
            lts = components[comp].lts
            used = set(lts.labels.tolist())
            out = [_Proto(e, ((comp, lab),)) for lab, e in enumerate(lts.events) if lab in used]
            if bool(lts.terminated.any()):
                out.append(_Proto(None, ((comp, OMEGA_LABEL),)))
            protos[i] = out
        else:
            kids = [protos[c] for c in node.children]
            for c in node.children:
                protos[c] = []
            protos[i] = _combine(node.term, kids, sem, components)
    top = protos[0]
    visible = sort_events({p.event for p in top if p.event is not None and p.event not in (TAU, TICK)})
    events = (TAU, TICK, *visible)
    number = {e: k for k, e in enumerate(events)}
    rules = tuple(Rule(number[p.event], p.moves) for p in top if p.event is not None)
    omega = [p for p in top if p.event is None]
    terminated = Rule(TERMINATED_EVENT, omega[0].moves) if omega else None
    return Network(tuple(components), events, rules, terminated)


def compile_leaf_lts(term: Proc, sem: Semantics, state_limit: int | None,
                     budget: Budget | None = None) -> ExplicitLts:
    """A leaf's explicit LTS: reuse a compiled graph, else explore with the term semantics."""
    body = term
    while body.op is Op.CALL:
        body = sem.env.unfold(body)
    if body.op is Op.COMPRESS:  # compress the operand with the engine, not term by term
        fn = sem.compressions.get(cast(str, body.payload))
        if fn is not None:
            body = fn(sem, body.args[0])
    if body.op is Op.EXPLICIT:
        graph, state = cast(tuple[object, int], body.payload)
        if isinstance(graph, ExplicitLts):
            return graph.reachable_from(state)
    lts = build_lts(term, sem.env, state_limit=state_limit, semantics=sem, budget=budget,
                    phase=lambda: f"compiling {show(term, max_chars=NAME_CHARS)}")
    return ExplicitLts.from_lts(lts)


def _split(root: Proc, sem: Semantics) -> list[_Node]:
    """The network tree in pre-order (parents before children), following definitions."""
    nodes: list[_Node] = []
    # each work item: (term, parent index, calls on the path from the root)
    work: list[tuple[Proc, int, frozenset[Proc]]] = [(root, -1, frozenset())]
    while work:
        term, parent, path = work.pop()
        body, calls = _resolve(term, sem, path)
        index = len(nodes)
        if parent >= 0:
            nodes[parent].children.append(index)
        if body is None:
            nodes.append(_Node(term, [], True))
            continue
        nodes.append(_Node(body, [], False))
        inner = path | calls
        # push children in reverse so they are numbered left to right
        work.extend((child, index, inner) for child in reversed(body.args))
    # children were appended in pop order; with reversed pushes that is left to right
    return nodes


def _resolve(term: Proc, sem: Semantics, path: frozenset[Proc]) -> tuple[Proc | None, frozenset[Proc]]:
    """The network operator ``term`` stands for (following calls), or None for a leaf."""
    seen: list[Proc] = []
    t = term
    while t.op is Op.CALL:
        if t in path or t in seen:
            raise CspEvalError(f"unguarded recursion: {show(t, max_chars=NAME_CHARS)} is a "
                               "parallel composition containing itself")
        seen.append(t)
        t = sem.env.unfold(t)
    if t.op in NETWORK_OPS:
        return t, frozenset(seen)
    return None, frozenset()


def _combine(term: Proc, kids: Sequence[list[_Proto]], sem: Semantics, components: list[Component]) -> list[_Proto]:
    op = term.op
    if op is Op.HIDE:
        hidden = event_set_of(term)
        return [_Proto(TAU, p.moves) if p.event in hidden else p for p in kids[0]]
    if op is Op.RENAME:
        images = sem.relation(relation_of(term))
        out: list[_Proto] = []
        for p in kids[0]:
            if p.event is not None and p.event in images:
                out.extend(_Proto(b, p.moves) for b in images[p.event])
            else:
                out.append(p)
        return out
    return _parallel(term, kids, sem, components)


def _parallel(term: Proc, kids: Sequence[list[_Proto]], sem: Semantics, components: list[Component]) -> list[_Proto]:
    """Rules of PAR, APAR, LINK and ILEAVE nodes (with distributed termination)."""
    op = term.op
    out: list[_Proto] = []
    omegas: list[list[_Proto]] = []
    visible: list[list[_Proto]] = []
    for protos in kids:
        mine_omega: list[_Proto] = []
        mine_vis: list[_Proto] = []
        for p in protos:
            if p.event is None:
                mine_omega.append(p)
            elif p.event is TAU or p.event is TICK:
                out.append(_Proto(TAU, p.moves))  # a component's ✓ is τ here (it becomes Ω)
            else:
                mine_vis.append(p)
        omegas.append(mine_omega)
        visible.append(mine_vis)
    if op is Op.ILEAVE:
        for vis in visible:
            out.extend(vis)
    else:
        out.extend(_binary_visible(term, visible[0], visible[1], sem))
    if all(omegas):
        flag = len(components)
        components.append(Component(term, _FLAG_LTS, flag=True))
        for combo in itertools.product(*omegas):
            moves = tuple(m for p in combo for m in p.moves) + ((flag, FIN_LABEL),)
            out.append(_Proto(TICK, moves))
        out.append(_Proto(None, ((flag, OMEGA_LABEL),)))
    return out


def _binary_visible(term: Proc, left: list[_Proto], right: list[_Proto], sem: Semantics) -> list[_Proto]:
    op = term.op
    by_event: dict[Event, list[_Proto]] = {}
    for p in right:
        assert p.event is not None
        by_event.setdefault(p.event, []).append(p)
    out: list[_Proto] = []
    if op is Op.LINK:
        images = sem.relation(relation_of(term))
        linked_right = {b for bs in images.values() for b in bs}
        for p in left:
            assert p.event is not None
            if p.event in images:
                for b in images[p.event]:
                    out.extend(_Proto(TAU, p.moves + q.moves) for q in by_event.get(b, ()))
            else:
                out.append(p)
        out.extend(p for p in right if p.event not in linked_right)
        return out
    if op is Op.PAR:
        sync = event_set_of(term)
        left_ok: frozenset[Event] | None = None
        right_ok: frozenset[Event] | None = None
    else:  # APAR
        left_ok, right_ok = alphabets_of(term)
        sync = left_ok & right_ok
    for p in left:
        e = p.event
        assert e is not None
        if left_ok is not None and e not in left_ok:
            continue
        if e in sync:
            out.extend(_Proto(e, p.moves + q.moves) for q in by_event.get(e, ()))
        else:
            out.append(p)
    for p in right:
        e = p.event
        assert e is not None
        if right_ok is not None and e not in right_ok:
            continue
        if e not in sync:
            out.append(p)
    return out


def _flag_lts() -> ExplicitLts:
    return ExplicitLts(
        (TAU, TICK), np.zeros(3, dtype=np.int64), np.zeros(0, dtype=np.int64),
        np.zeros(0, dtype=np.int64), np.array([False, True]), name="flag",
        state_names=["running", "done"],
    )


_FLAG_LTS = _flag_lts()
