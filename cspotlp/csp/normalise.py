"""Normalisation of a specification, as FDR does it before a refinement check.

The normal form is the subset construction over τ-closures: a node is the set of states the
process can be in after some visible trace (✓ included), so the normal form is deterministic on
visible events. Each node is marked with

* its *minimal acceptances*: the acceptance sets of its stable states, keeping only the
  ⊆-minimal ones (a state that can ✓ without τ accepts {✓}: ✓ is a signal, UCS §6);
* whether it is *divergent*: some member can perform τ forever.

Which marks matter depends on the model: ``T`` uses neither, ``F`` the acceptances, ``FD`` both,
and in ``FD`` a divergent node allows anything afterwards, so its successors are not built.
``model="all"`` keeps everything (used by the ``normal`` compression, which preserves T, F and FD
at once).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from itertools import chain, islice

import numpy as np

from cspotlp.csp.budget import Budget
from cspotlp.csp.events import Event
from cspotlp.csp.explicit import ExplicitLts, IntArray
from cspotlp.errors import CspError, StateLimitExceeded

MODELS = ("T", "F", "FD")

CHECK_EVERY = 1024
"""Nodes built between checks of a budget's memory and time."""


@dataclass(frozen=True, eq=False)
class Moves:
    """Each node's visible moves (event -> next node), kept as arrays.

    Node n's events are ``labels[offsets[n]:offsets[n + 1]]`` (increasing), leading to the nodes
    ``targets[offsets[n]:offsets[n + 1]]``.

    ``moves[n]`` is node n's moves as a dict (event -> next node); the dicts are made on first
    use. A specification's automaton is made from the arrays (:func:`~cspotlp.csp.refine.spec_automaton`):
    a deterministic specification of 20,000 states and 770,000 moves is not turned into dicts.
    """

    offsets: IntArray
    labels: IntArray
    targets: IntArray

    @classmethod
    def of(cls, steps: Sequence[dict[int, int]]) -> Moves:
        """The moves of dicts (each in increasing order of events)."""
        sizes = np.fromiter((len(step) for step in steps), dtype=np.int64, count=len(steps))
        offsets = np.zeros(len(steps) + 1, dtype=np.int64)
        np.cumsum(sizes, out=offsets[1:])
        total = int(offsets[-1])
        labels = np.fromiter(chain.from_iterable(steps), dtype=np.int64, count=total)
        targets = np.fromiter(chain.from_iterable(step.values() for step in steps), dtype=np.int64, count=total)
        made = cls(offsets, labels, targets)
        made.__dict__["_dicts"] = tuple(steps)  # the dicts there are (what _dicts would make)
        return made

    @cached_property
    def _dicts(self) -> tuple[dict[int, int], ...]:
        pairs = zip(self.labels.tolist(), self.targets.tolist(), strict=True)
        return tuple(dict(islice(pairs, size)) for size in np.diff(self.offsets).tolist())

    def __getitem__(self, node: int) -> dict[int, int]:
        return self._dicts[node]

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def __iter__(self) -> Iterator[dict[int, int]]:
        return iter(self._dicts)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Moves) and all(
            np.array_equal(a, b) for a, b in ((self.offsets, other.offsets), (self.labels, other.labels),
                                              (self.targets, other.targets)))

    __hash__ = None  # type: ignore[assignment]


@dataclass(frozen=True)
class NormalForm:
    """A normalised process (node 0 is initial).

    Attributes:
        events: event numbering shared with the LTS it came from (0 τ, 1 ✓).
        step: per node, visible event number -> next node (:class:`Moves`).
        acceptances: per node, its minimal acceptances (tuples of event-number sets).
        divergent: per node, whether the process may diverge there.
        model: the model this normal form was built for (``T``, ``F``, ``FD`` or ``all``).
    """

    events: tuple[Event, ...]
    step: Moves
    acceptances: tuple[tuple[frozenset[int], ...], ...]
    divergent: tuple[bool, ...]
    model: str

    @property
    def num_nodes(self) -> int:
        """Number of nodes."""
        return len(self.step)

    def initials(self, node: int) -> frozenset[int]:
        """Visible events (✓ included) possible from a node."""
        return frozenset(self.step[node])

    def to_lts(self, name: str = "normal") -> ExplicitLts:
        """An LTS with the same semantics as this normal form, in its model.

        For ``T``, every node is a stable state offering its initials (a deterministic
        automaton). Otherwise a node with exactly one minimal acceptance, equal to its initials,
        is a stable state; any other node offers all its initials but is unstable: a τ leads to
        one stable *acceptance state* per minimal acceptance, offering exactly those events (to
        the same successor nodes), and a divergent node, or one with no stable member, has a τ
        loop. ✓ leads to a terminated state.
        """
        n = self.num_nodes
        edges: list[tuple[int, int, int]] = []  # target -1 stands for the terminated state
        acceptance_edges: list[tuple[int, int, int]] = []
        names = [f"{name}#{i}" for i in range(n)]
        extra = n
        for node in range(n):
            step = self.step[node]
            edges.extend((node, e, -1 if e == 1 else t) for e, t in sorted(step.items()))
            if self.model == "T":
                continue
            accs = self.acceptances[node]
            if len(accs) == 1 and accs[0] == frozenset(step) and not self.divergent[node]:
                continue
            if self.divergent[node] or not accs:
                edges.append((node, 0, node))
            for acc in accs:
                names.append(f"{name}#{node}{{{', '.join(self.events[e].name for e in sorted(acc))}}}")
                edges.append((node, 0, extra))
                acceptance_edges.extend((extra, e, -1 if e == 1 else step[e]) for e in sorted(acc))
                extra += 1
        edges.extend(acceptance_edges)
        uses_tick = any(t < 0 for _s, _e, t in edges)
        omega = extra
        if uses_tick:
            names.append("Ω")
        fixed = [(s, e, omega if t < 0 else t) for s, e, t in edges]
        lts = ExplicitLts.from_edges(self.events, extra + int(uses_tick), fixed,
                                     [omega] if uses_tick else [], name=name)
        lts.state_names = names
        return lts


def normalise(lts: ExplicitLts, model: str, *, node_limit: int | None = None,
              budget: Budget | None = None) -> NormalForm:
    """The normal form of ``lts`` for ``model`` (``T``, ``F``, ``FD`` or ``all``).

    Raises:
        StateLimitExceeded: more than ``node_limit`` nodes (normalisation can be exponential).
        LimitReached: the ``budget``'s memory or time ran out.
    """
    if model not in (*MODELS, "all"):
        raise CspError(f"unknown semantic model {model!r} (expected T, F or FD)")
    own = _deterministic_moves(lts)
    if own is not None:
        return _normal_form_of_deterministic(lts, own, model)
    want_acc = model != "T"
    want_div = model in ("FD", "all")
    cut_divergent = model == "FD"
    divergent_state = lts.divergent().tolist() if want_div else [False] * lts.num_states
    acceptance_of = _state_acceptances(lts) if want_acc else {}
    # plain Python adjacency: the subset construction touches states one by one
    offsets, labels, targets = lts.offsets.tolist(), lts.labels.tolist(), lts.targets.tolist()
    taus: list[list[int]] = []
    visible: list[list[tuple[int, int]]] = []
    for s in range(lts.num_states):
        lo, hi = offsets[s], offsets[s + 1]
        taus.append([targets[k] for k in range(lo, hi) if labels[k] == 0])
        visible.append([(labels[k], targets[k]) for k in range(lo, hi) if labels[k] != 0])
    closures: dict[int, frozenset[int]] = {}

    def closure_of(state: int) -> frozenset[int]:
        done = closures.get(state)
        if done is None:
            seen = {state}
            todo = [state]
            while todo:
                for t in taus[todo.pop()]:
                    if t not in seen:
                        seen.add(t)
                        todo.append(t)
            done = closures[state] = frozenset(seen)
        return done

    start = closure_of(lts.initial)
    number: dict[frozenset[int], int] = {start: 0}
    order: list[frozenset[int]] = [start]
    steps: list[dict[int, int]] = []
    accs: list[tuple[frozenset[int], ...]] = []
    divs: list[bool] = []
    queue: deque[int] = deque([0])
    while queue:
        i = queue.popleft()
        members = order[i]
        div = want_div and any(divergent_state[s] for s in members)
        divs.append(div)
        accs.append(_minimal([acceptance_of[s] for s in members if s in acceptance_of]) if want_acc else ())
        step: dict[int, int] = {}
        steps.append(step)
        if div and cut_divergent:
            continue  # anything goes after a divergence in the failures-divergences model
        moves: dict[int, set[int]] = {}
        for s in members:
            for e, t in visible[s]:
                moves.setdefault(e, set()).add(t)
        for e in sorted(moves):
            ts = moves[e]
            node = closure_of(next(iter(ts))) if len(ts) == 1 else frozenset().union(*(closure_of(t) for t in ts))
            j = number.get(node)
            if j is None:
                j = number[node] = len(order)
                order.append(node)
                queue.append(j)
                if node_limit is not None and len(order) > node_limit:
                    raise StateLimitExceeded(node_limit, len(order))
                if budget is not None and len(order) % CHECK_EVERY == 0:
                    budget.check(0)
                    budget.report(len(order), 0, phase="normalising")
            step[e] = j
    return NormalForm(lts.events, Moves.of(steps), tuple(accs), tuple(divs), model)


def _deterministic_moves(lts: ExplicitLts) -> Moves | None:
    """The moves of a deterministic LTS, each state's events increasing; None unless it is one.

    Deterministic: no τ, at most one transition per event from each state, everything reachable
    from 0.
    """
    if lts.initial != 0 or bool((lts.labels == 0).any()):
        return None
    key = lts.sources() * (int(lts.labels.max(initial=0)) + 1) + lts.labels  # (state, event)
    if bool((np.diff(key) > 0).all()):  # each state's events increasing, as a search records them
        return Moves(lts.offsets, lts.labels, lts.targets)
    order = np.argsort(key, kind="stable")
    if bool((np.diff(key[order]) == 0).any()):  # an event twice from a state
        return None
    return Moves(lts.offsets, lts.labels[order], lts.targets[order])


def _normal_form_of_deterministic(lts: ExplicitLts, moves: Moves, model: str) -> NormalForm:
    """A τ-free deterministic LTS (its ``moves``) is its own normal form (nodes are single states).

    Only states reachable from the initial one are kept; ``lts`` from the engine is numbered
    breadth first from 0, so all of them are.
    """
    n = lts.num_states
    if model == "T":
        accs: tuple[tuple[frozenset[int], ...], ...] = ((),) * n
    else:
        events = moves.labels.tolist()
        spans = zip(moves.offsets[:-1].tolist(), moves.offsets[1:].tolist(), strict=True)
        accs = tuple((frozenset({1}) if 1 in events[lo:hi] else frozenset(events[lo:hi]),) for lo, hi in spans)
    return NormalForm(lts.events, moves, accs, (False,) * n, model)


def _state_acceptances(lts: ExplicitLts) -> dict[int, frozenset[int]]:
    """Acceptance of each stable state (no τ); ✓-capable states accept exactly {✓}."""
    out: dict[int, frozenset[int]] = {}
    off, lab = lts.offsets.tolist(), lts.labels.tolist()
    for s in range(lts.num_states):
        labels = set(lab[off[s]:off[s + 1]])
        if 0 in labels:
            continue
        out[s] = frozenset({1}) if 1 in labels else frozenset(labels)
    return out


def _minimal(sets: list[frozenset[int]]) -> tuple[frozenset[int], ...]:
    """The ⊆-minimal sets, deduplicated, in a deterministic order."""
    unique = sorted(set(sets), key=lambda a: (len(a), sorted(a)))
    out: list[frozenset[int]] = []
    for a in unique:
        if not any(b <= a for b in out):
            out.append(a)
    return tuple(out)
