"""Compressions, as FDR offers them, usable in models (``compress("sbisim", P)``) and internally.

Each maps a process to an explicit LTS equivalent in the models it claims to preserve (checked by
property tests), and is registered in :data:`~cspotlp.csp.semantics.COMPRESSIONS`:

=============  ====================================================  ===================
name           what it does                                          preserves
=============  ====================================================  ===================
``explicate``  the process's LTS, explored once                      everything
``sbisim``     quotient by strong bisimulation                       everything
``wbisim``     quotient by divergence-respecting weak bisimulation   T, F, FD
``diamond``    τ-elimination: each state gets the visible moves of   T, F, FD
               its τ-closure; its minimal acceptances are kept as
               τ moves to stable representatives, divergence as a
               τ loop (FDR keeps these as markings instead)
``normal``     normal form: deterministic on visible events, nodes   T, F, FD
               with minimal acceptances and divergence (as for a
               specification; divergence is kept, not closed)
``dbisim``     quotient by divergence-respecting delay bisimulation  T, F, FD
               (weak moves τ*·a, without the trailing τ*)
``tau_loop_    each strongly connected component of τ moves          T, F, FD
factor``       becomes one state (with a τ loop: it diverges)
``deter``      the deterministic process with the same traces (the   T
               trace normal form, every node stable): P is
               deterministic iff ``deter(P) [F= P`` (FD: ``[FD=``)
``chase``      τ moves taken eagerly: a state with τ moves stands    nothing in general
               for the state its first τ moves lead to (FDR's        (T, F, FD when P's
               ``chase``; a τ cycle becomes a divergence)            τs are confluent)
=============  ====================================================  ===================

``lazynorm``, ``lazyenumerate`` and ``chase_no_cache`` (CSPm's ``chase_nocache``) are
``normal``, ``explicate`` and ``chase`` under the names FDR gives the variants it computes
lazily or without a cache; ``model_compress`` (FDR: the best compression for the model of the
check) is ``wbisim``, which preserves all three.

The terminated state Ω is never merged with a deadlocked state (it is not a deadlock).
"""

from __future__ import annotations

import weakref
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from cspotlp.csp.environment import Environment
from cspotlp.csp.explicit import BoolArray, ExplicitLts, IntArray
from cspotlp.csp.explore import explicate as explicate_term
from cspotlp.csp.normalise import normalise
from cspotlp.csp.semantics import COMPRESSIONS, Semantics, explicit
from cspotlp.csp.terms import Proc
from cspotlp.errors import CspError

if TYPE_CHECKING:
    import networkx as nx

LtsCompression = Callable[[ExplicitLts], ExplicitLts]


# -- strong bisimulation -----------------------------------------------------------------------


def bisimulation_blocks(lts: ExplicitLts, initial: IntArray | None = None) -> IntArray:
    """Block number of each state in the coarsest strong bisimulation refining ``initial``.

    Signature refinement: a state's signature is its block and its set of (event, target
    block); states are split by signature until nothing changes.
    """
    n = lts.num_states
    block = np.zeros(n, dtype=np.int64) if initial is None else _renumber(initial)
    src, lab, tgt = lts.sources(), lts.labels, lts.targets
    return _refine(block, src, lab, tgt, n)


def _refine(block: IntArray, src: IntArray, lab: IntArray, tgt: IntArray, n: int) -> IntArray:
    count = int(block.max()) + 1 if n else 0
    while True:
        key = lab * count + block[tgt]
        order = np.lexsort((key, src))
        s_sorted, k_sorted = src[order], key[order]
        distinct = np.ones(len(order), dtype=np.bool_)
        distinct[1:] = (s_sorted[1:] != s_sorted[:-1]) | (k_sorted[1:] != k_sorted[:-1])
        s_sorted, k_sorted = s_sorted[distinct], k_sorted[distinct]
        offsets = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(s_sorted, minlength=n), out=offsets[1:])
        keys = k_sorted.tolist()
        bl = block.tolist()
        sigs: dict[tuple[int, tuple[int, ...]], int] = {}
        new = np.empty(n, dtype=np.int64)
        off = offsets.tolist()
        for s in range(n):
            new[s] = sigs.setdefault((bl[s], tuple(keys[off[s]:off[s + 1]])), len(sigs))
        if len(sigs) == count:
            return new
        block, count = new, len(sigs)


def _renumber(partition: IntArray) -> IntArray:
    """Block numbers 0.. in order of first appearance."""
    numbers: dict[int, int] = {}
    out = np.array([numbers.setdefault(b, len(numbers)) for b in partition.tolist()], dtype=np.int64)
    return out


def quotient(lts: ExplicitLts, block: IntArray, *, drop_internal_tau: bool = False,
             divergent: BoolArray | None = None, name: str = "quotient") -> ExplicitLts:
    """The LTS on blocks (numbered from the initial state's block, breadth first)."""
    src, lab, tgt = lts.sources(), lts.labels, lts.targets
    bs, bt = block[src], block[tgt]
    keep = np.ones(len(src), dtype=np.bool_)
    if drop_internal_tau:
        keep = ~((lab == 0) & (bs == bt))
    edges = set(zip(bs[keep].tolist(), lab[keep].tolist(), bt[keep].tolist(), strict=True))
    if divergent is not None:
        edges |= {(b, 0, b) for b in set(block[divergent].tolist())}
    nb = int(block.max()) + 1 if len(block) else 0
    terminated = np.zeros(nb, dtype=np.bool_)
    terminated[block[lts.terminated]] = True
    raw = ExplicitLts.from_edges(lts.events, nb, edges, np.flatnonzero(terminated).tolist(),
                                 initial=int(block[lts.initial]), name=name)
    return raw.reachable_from(raw.initial, name)


def bisimilar(left: ExplicitLts, right: ExplicitLts) -> bool:
    """Are the initial states of two LTSs strongly bisimilar (Ω kept apart from deadlock)?"""
    events = list(left.events)
    number = {e: i for i, e in enumerate(events)}
    for e in right.events:
        if e not in number:
            number[e] = len(events)
            events.append(e)
    remap = np.array([number[e] for e in right.events], dtype=np.int64)
    n1 = left.num_states
    src = np.concatenate([left.sources(), right.sources() + n1])
    lab = np.concatenate([left.labels, remap[right.labels]])
    tgt = np.concatenate([left.targets, right.targets + n1])
    term = np.concatenate([left.terminated, right.terminated]).astype(np.int64)
    blocks = _refine(_renumber(term), src, lab, tgt, n1 + right.num_states)
    return bool(blocks[left.initial] == blocks[n1 + right.initial])


def sbisim(lts: ExplicitLts) -> ExplicitLts:
    """Quotient by strong bisimulation (Ω kept apart from deadlocked states)."""
    blocks = bisimulation_blocks(lts, lts.terminated.astype(np.int64))
    return quotient(lts, blocks, name="sbisim")


# -- weak bisimulation ------------------------------------------------------------------------


def wbisim(lts: ExplicitLts) -> ExplicitLts:
    """Quotient by divergence-respecting weak bisimulation (preserves T, F and FD).

    Weak transitions are computed from τ-closures, so this costs up to quadratic space.
    """
    return _weak_quotient(lts, trailing_taus=True, name="wbisim")


def dbisim(lts: ExplicitLts) -> ExplicitLts:
    """Quotient by divergence-respecting delay bisimulation (weak moves without trailing τs)."""
    return _weak_quotient(lts, trailing_taus=False, name="dbisim")


def _weak_quotient(lts: ExplicitLts, *, trailing_taus: bool, name: str) -> ExplicitLts:
    n = lts.num_states
    closure = [lts.tau_closure([s]) for s in range(n)]
    div = lts.divergent()
    src: list[int] = []
    lab: list[int] = []
    tgt: list[int] = []
    for s in range(n):
        reach: dict[int, set[int]] = {}
        for u in closure[s]:
            for e, t in lts.successor_numbers(u):
                if e != 0:
                    reach.setdefault(e, set()).update(closure[t] if trailing_taus else (t,))
        for t in closure[s]:
            src.append(s)
            lab.append(0)
            tgt.append(t)
        for e, ts in reach.items():
            for t in ts:
                src.append(s)
                lab.append(e)
                tgt.append(t)
    initial = lts.terminated.astype(np.int64) * 2 + div.astype(np.int64)
    blocks = _refine(_renumber(initial), np.array(src, dtype=np.int64), np.array(lab, dtype=np.int64),
                     np.array(tgt, dtype=np.int64), n)
    return quotient(lts, blocks, drop_internal_tau=True, divergent=div, name=name)


def tau_loop_factor(lts: ExplicitLts) -> ExplicitLts:
    """Each strongly connected component of τ moves as one state (a τ loop where it cycles)."""
    import networkx as nx  # here: importing it takes 0.1 s, which every other check would pay

    graph: nx.DiGraph[int] = nx.DiGraph()
    graph.add_nodes_from(range(lts.num_states))
    src, lab, tgt = lts.sources(), lts.labels, lts.targets
    tau = lab == 0
    graph.add_edges_from(zip(src[tau].tolist(), tgt[tau].tolist(), strict=True))
    block = np.arange(lts.num_states, dtype=np.int64)
    cycling = np.zeros(lts.num_states, dtype=np.bool_)
    for component in nx.strongly_connected_components(graph):
        members = sorted(component)
        block[members] = members[0]
        if len(members) > 1 or graph.has_edge(members[0], members[0]):
            cycling[members] = True
    return quotient(lts, _renumber(block), drop_internal_tau=True, divergent=cycling,
                    name="tau_loop_factor")


def deter(lts: ExplicitLts) -> ExplicitLts:
    """The deterministic process with the traces of ``lts`` (its trace normal form)."""
    return normalise(lts, "T").to_lts("deter")


def chase(lts: ExplicitLts) -> ExplicitLts:
    """FDR's ``chase``: a state with τ moves behaves as the end of its chain of first τ moves.

    Visible moves of a state that can do τ are discarded, so this preserves the semantics only
    when the process's τs are confluent (FDR's condition for using it). A chain that cycles
    becomes a τ loop (a divergence).
    """
    n = lts.num_states
    first_tau = [-1] * n
    for s in range(n):
        for e, t in lts.successor_numbers(s):
            if e == 0:
                first_tau[s] = t
                break
    end = [-2] * n  # -2 unknown, -1 diverges, else the τ-free state the chain reaches
    for s in range(n):
        path: list[int] = []
        on_path: set[int] = set()
        u = s
        while end[u] == -2 and first_tau[u] >= 0 and u not in on_path:
            path.append(u)
            on_path.add(u)
            u = first_tau[u]
        result = end[u] if end[u] != -2 else (-1 if u in on_path else u)
        for v in path:
            end[v] = result
        if end[s] == -2:
            end[s] = result
    edges: list[tuple[int, int, int]] = []
    for s in range(n):
        if end[s] == -1:
            edges.append((s, 0, s))
            continue
        edges.extend((s, e, t) for e, t in lts.successor_numbers(end[s]))
    terminated = [s for s in range(n) if lts.terminated[s]]
    raw = ExplicitLts.from_edges(lts.events, n, edges, terminated, initial=lts.initial, name="chase")
    return raw.reachable_from(raw.initial, "chase")


# -- diamond ----------------------------------------------------------------------------------


def diamond(lts: ExplicitLts) -> ExplicitLts:
    """τ-elimination, keeping minimal acceptances as τ moves to stable states (see module doc)."""
    div = lts.divergent()
    stable = lts.stable()
    acceptance: dict[int, frozenset[int]] = {}
    for s in np.flatnonzero(stable).tolist():
        labels = {e for e, _t in lts.successor_numbers(s)}
        acceptance[s] = frozenset({1}) if 1 in labels else frozenset(labels)
    number = {lts.initial: 0}
    order = [lts.initial]
    queue: deque[int] = deque([lts.initial])
    edges: list[tuple[int, int, int]] = []

    def state(t: int) -> int:
        k = number.get(t)
        if k is None:
            k = number[t] = len(order)
            order.append(t)
            queue.append(t)
        return k

    while queue:
        x = queue.popleft()
        me = number[x]
        members = lts.tau_closure([x])
        for y in members:
            for e, t in lts.successor_numbers(y):
                if e != 0:
                    edges.append((me, e, state(t)))
        if stable[x]:
            continue
        if any(div[y] for y in members):
            edges.append((me, 0, me))
        reps: dict[frozenset[int], int] = {}
        for y in sorted(members):
            if y in acceptance:
                reps.setdefault(acceptance[y], y)
        minimal = [a for a in reps if not any(b < a for b in reps)]
        for a in sorted(minimal, key=lambda a: (len(a), sorted(a))):
            edges.append((me, 0, state(reps[a])))
    terminated = [number[s] for s in order if lts.terminated[s]]
    return ExplicitLts.from_edges(lts.events, len(order), edges, terminated, name="diamond")


def normal(lts: ExplicitLts) -> ExplicitLts:
    """The normal form as an LTS (preserves T, F and FD; see :mod:`cspotlp.csp.normalise`)."""
    return normalise(lts, "all").to_lts("normal")


def explicate(lts: ExplicitLts) -> ExplicitLts:
    """The LTS itself (renumbered from its initial state)."""
    return lts.reachable_from(lts.initial, "explicate")


LTS_COMPRESSIONS: dict[str, LtsCompression] = {
    "explicate": explicate,
    "sbisim": sbisim,
    "wbisim": wbisim,
    "dbisim": dbisim,
    "diamond": diamond,
    "normal": normal,
    "sbdia": lambda lts: sbisim(diamond(lts)),
    "tau_loop_factor": tau_loop_factor,
    "deter": deter,
    "chase": chase,
    "chase_no_cache": chase,
    "lazynorm": normal,
    "lazyenumerate": explicate,
    "model_compress": wbisim,
}
"""Compressions on explicit LTSs, by CSPm name (``sbdia`` is sbisim after diamond, as in FDR)."""

_CACHE: weakref.WeakKeyDictionary[Environment, dict[tuple[str, Proc], Proc]] = weakref.WeakKeyDictionary()


def compress_lts(name: str, lts: ExplicitLts) -> ExplicitLts:
    """Apply the named compression to an explicit LTS."""
    fn = LTS_COMPRESSIONS.get(name)
    if fn is None:
        raise CspError(f"unknown compression {name!r} (known: {', '.join(sorted(LTS_COMPRESSIONS))})")
    out = fn(lts)
    out.name = name
    return out


def compress_process(name: str, sem: Semantics, p: Proc, *, state_limit: int | None = None) -> Proc:
    """The ``EXPLICIT`` term standing for ``name(p)`` (memoised per environment)."""
    cache = _CACHE.setdefault(sem.env, {})
    done = cache.get((name, p))
    if done is None:
        lts = compress_lts(name, explicate_term(p, sem, state_limit=state_limit, name=name))
        done = cache[(name, p)] = explicit(lts, lts.initial)
    return done


def _registered(name: str) -> Callable[[Semantics, Proc], Proc]:
    def run(sem: Semantics, p: Proc) -> Proc:
        return compress_process(name, sem, p)

    run.__name__ = name
    run.__doc__ = f"The ``{name}`` compression of a process (see :mod:`cspotlp.csp.compressions`)."
    return run


for _name in LTS_COMPRESSIONS:
    COMPRESSIONS[_name] = _registered(_name)
