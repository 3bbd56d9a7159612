"""Partial-order reduction: ample sets of one component's local moves (FDR's ``:[partial order reduce]``).

In a network, moves of different components that share nothing commute: exploring every
interleaving of them is what makes ``||| i : {0..30} @ a.i -> STOP`` have 2^31 states. A search
with reduction expands, in each state, only an *ample set* of its moves when one exists:

* a component ``c`` is *safe* in its local state ``l`` when ``c`` can move there, and every rule
  ``c`` takes part in with a label it can perform at ``l`` is *local* (``c`` is its only
  participant). The ample set is then all of ``c``'s moves at ``l``, which are all enabled.

This is a stubborn set in Valmari's sense over the supercombinator's rules: moves outside it
never involve ``c``, so they neither change ``c``'s state nor disable or change the set's moves
(D1); every move in the set stays enabled whatever happens outside it (D2, a key move); and
every rule of ``c`` not in the set is disabled by ``c`` itself, which only the set's moves can
change. Stubborn sets with these conditions preserve every reachable deadlock, so the deadlock
check needs nothing more (``mode="deadlock"``).

For trace refinement (``mode="traces"``) two more conditions keep the visible traces (up to the
order of independent moves, which the specification cannot see): the ample moves are τ moves
(visibility: a visible move changes the specification's state, so it depends on every other
visible move), and the *cycle proviso*: a state whose reduced successors include one that was
already stored is expanded fully. In a breadth-first search, the state on a cycle that was found
last has a successor found before it, so every cycle of the reduced graph has a fully expanded
state and no move is ignored forever.

Where no component is safe, the state is expanded fully; the reduction is then no worse than the
plain search.
"""

from __future__ import annotations

import numpy as np

from cspotlp.csp.engine import I64, Bools, Expander, Expansion, Layout, Words
from cspotlp.csp.supercombinator import OMEGA_LABEL, Network

MODES = ("deadlock", "traces")


class PartialOrder:
    """The ample-set choice for one network and search mode."""

    def __init__(self, net: Network, expander: Expander, layout: Layout, mode: str) -> None:
        if mode not in MODES:
            raise ValueError(f"unknown reduction mode {mode!r}")
        self.layout = layout
        events = expander.rule_event
        owner = np.full(expander.num_rules, -1, dtype=np.int64)
        single: dict[int, set[int]] = {}
        multi: dict[int, set[int]] = {}
        for k, moves in enumerate(expander.rule_moves):
            event = int(events[k])
            local = len(moves) == 1 and event >= 0 and (mode == "deadlock" or event == 0)
            if local:
                owner[k] = moves[0][0]
            for c, lab, _j in moves:
                (single if local else multi).setdefault(c, set()).add(lab)
        self.owner = owner
        """Per concrete rule: the component whose ample set it belongs to (-1: none)."""
        self.candidates: list[tuple[int, Bools, I64]] = []
        for c, labels in sorted(single.items()):
            comp = net.components[c]
            if comp.flag:
                continue
            lts = comp.lts
            src = lts.sources()
            mine = np.isin(lts.labels, np.array(sorted(labels), dtype=np.int64))
            size = np.bincount(src[mine], minlength=lts.num_states)
            blocked = np.zeros(lts.num_states, dtype=np.bool_)
            others = multi.get(c, set())
            if others:
                shared = np.isin(lts.labels, np.array(sorted(others - {OMEGA_LABEL}), dtype=np.int64))
                blocked[src[shared]] = True
                if OMEGA_LABEL in others:
                    blocked |= lts.terminated
            safe = (size > 0) & ~blocked
            if safe.any():
                self.candidates.append((c, safe, size.astype(np.int64)))

    def choose(self, words: Words) -> I64:
        """Per state: the safe component with the fewest moves (-1 when none is safe)."""
        n = len(words[0])
        chosen = np.full(n, -1, dtype=np.int64)
        best = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
        for c, safe, size in self.candidates:
            d = self.layout.digits(words, c)
            s = np.where(safe[d], size[d], np.iinfo(np.int64).max)
            better = s < best
            best[better] = s[better]
            chosen[better] = c
        return chosen

    def ample(self, x: Expansion, chosen: I64) -> Bools:
        """Which pairs of an expansion the reduced search keeps."""
        mine = chosen[x.src]
        keep: Bools = (mine < 0) | (self.owner[x.rule] == mine)
        return keep


def por_mode(asked: bool, mode: str | None, what: str) -> tuple[str | None, tuple[str, ...]]:
    """The reduction a check uses when ``asked``, and the note its verdict carries."""
    if not asked:
        return None, ()
    if mode is None:
        return None, (f"partial order reduction does not apply to {what} (it keeps deadlocks "
                      "and traces only): checked without it",)
    return mode, ("partial order reduction: the states counted are those of the reduced search",)
