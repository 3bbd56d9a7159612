"""Which implementation states diverge (can perform τ forever), decided lazily and memoised.

A search asks about the states of each breadth-first level as it reaches them. The oracle explores
the τ-closure of the states it has not classified yet (τ rules only, vectorised), then peels the
closure's τ graph: a state whose τ successors are all non-divergent is non-divergent; the rest
can reach a τ cycle. Results are kept, so each state's τ successors are computed once.
"""

from __future__ import annotations

import numpy as np

from cspotlp.csp.engine import GROUP_BITS, I64, Bools, Expander, Layout, StateTable, Words
from cspotlp.csp.explicit import distinct, divergent_states
from cspotlp.csp.supercombinator import Network


class DivergenceOracle:
    """Memoised divergence of packed implementation states (the node field must be zero)."""

    def __init__(self, net: Network, layout: Layout, node_field: int, *, group_bits: int = GROUP_BITS) -> None:
        self.layout = layout
        self.node_field = node_field
        self.expander = Expander(net, layout, rules=[r for r in net.rules if r.event == 0], terminated=False,
                                 group_bits=group_bits)
        self.table = StateTable(layout.words)
        self._flags = np.zeros(1024, dtype=np.int8)  # -1 unknown, 0 no, 1 diverges

    @property
    def states(self) -> int:
        """Implementation states classified (or met while classifying)."""
        return self.table.size

    def _sync_flags(self, before: int) -> None:
        if self.table.size > len(self._flags):
            grown = np.zeros(max(self.table.size, 2 * len(self._flags)), dtype=np.int8)
            grown[: len(self._flags)] = self._flags
            self._flags = grown
        self._flags[before:self.table.size] = -1

    def classify(self, words: Words) -> Bools:
        """Per state: True when it can perform an infinite sequence of τ steps."""
        before = self.table.size
        ids, _fresh = self.table.insert(words, need_ids=True)
        self._sync_flags(before)
        unknown = distinct(ids[self._flags[ids] < 0])
        if unknown.size:
            self._resolve(unknown)
        result: Bools = self._flags[ids] == 1
        return result

    def tau_successors(self, words: Words) -> tuple[I64, I64, Words]:
        """τ moves of the given states: (source index, concrete τ rule, target words)."""
        x = self.expander.expand(words)
        return x.src, x.rule, x.targets

    def _resolve(self, start: I64) -> None:
        closure = [start]
        frontier = start
        sources: list[I64] = []
        targets: list[I64] = []
        while frontier.size:
            x = self.expander.expand(self.table.words_at(frontier))
            before = self.table.size
            tid, fresh = self.table.insert(x.targets, need_ids=True)
            self._sync_flags(before)
            sources.append(frontier[x.src])
            targets.append(tid)
            frontier = tid[fresh]  # each new state is fresh exactly once
            closure.append(frontier)
        nodes = np.concatenate(closure)
        src = np.concatenate(sources)
        dst = np.concatenate(targets)
        order = np.argsort(nodes, kind="stable")
        ordered = nodes[order]

        def local(glob: I64) -> tuple[I64, Bools]:
            pos = np.minimum(np.searchsorted(ordered, glob), len(ordered) - 1)
            inside = ordered[pos] == glob
            return order[pos], inside

        src_l, _ = local(src)
        dst_l, inside = local(dst)
        sink = len(nodes)  # stands for every already-known divergent state
        known_div = ~inside & (self._flags[dst] == 1)
        keep = inside | known_div
        s = np.concatenate([src_l[keep], [sink]])
        t = np.concatenate([np.where(inside, dst_l, sink)[keep], [sink]])
        div = divergent_states(sink + 1, s.astype(np.int64), np.zeros(len(s), dtype=np.int64), t.astype(np.int64))
        self._flags[nodes] = div[:sink].astype(np.int8)
