"""A specification as a deterministic automaton over visible events (lazy normalisation).

FDR checks trace refinement by *normalising* the specification: the subset construction over
its τ-closed states, so that every trace leads to exactly one node. :class:`NormalisedSpec`
builds the same automaton on demand — a node is a τ-closed set of process terms, and a node's
transitions are computed the first time a trace reaches it — so a specification with a huge
(or infinite) state space costs only the part that captured traces visit.

Events are numbered (``code``) and each expanded node keeps a ``dict`` from event number to
successor node, so checking a trace is one dictionary lookup per event.

>>> from cspotlp.csp import Environment, prefix, ext_choice, STOP
>>> env = Environment(); a, b = env.channel("a").event(), env.channel("b").event()
>>> spec = NormalisedSpec(prefix(a, ext_choice(prefix(b, STOP), prefix(a, STOP))), env)
>>> spec.run([spec.code(a), spec.code(b)]), spec.run([spec.code(b)])
((-1, 2), (0, 0))
>>> sorted(e.name for e in spec.accepted(1))
['a', 'b']
"""

from __future__ import annotations

from collections.abc import Sequence

from cspotlp.csp.environment import Environment
from cspotlp.csp.events import TAU, Event, sort_events
from cspotlp.csp.semantics import Semantics
from cspotlp.csp.terms import Proc
from cspotlp.csp.traces import DEFAULT_TAU_LIMIT, tau_closure
from cspotlp.errors import StateLimitExceeded


class NormalisedSpec:
    """The lazily normalised automaton of ``process`` (node 0 is initial).

    Args:
        process: the specification process.
        env: its environment.
        semantics: a shared :class:`Semantics` (its transition cache is reused).
        node_limit: raise :class:`StateLimitExceeded` beyond this many nodes.
        tau_limit: the largest τ-closure of one node.
    """

    def __init__(self, process: Proc, env: Environment, *, semantics: Semantics | None = None,
                 node_limit: int = 1_000_000, tau_limit: int = DEFAULT_TAU_LIMIT) -> None:
        self.process = process
        self.env = env
        self.sem = semantics or Semantics(env)
        self.node_limit = node_limit
        self.tau_limit = tau_limit
        self.events: list[Event] = []
        self._codes: dict[Event, int] = {}
        self._nodes: list[frozenset[Proc]] = []
        self._index: dict[frozenset[Proc], int] = {}
        self.delta: list[dict[int, int] | None] = []
        self._node(tau_closure(self.sem, [process], tau_limit))

    # -- numbering -------------------------------------------------------------------------

    def code(self, ev: Event) -> int:
        """The number of a visible event (numbers are handed out on first sight)."""
        k = self._codes.get(ev)
        if k is None:
            k = self._codes[ev] = len(self.events)
            self.events.append(ev)
        return k

    def _node(self, terms: frozenset[Proc]) -> int:
        k = self._index.get(terms)
        if k is None:
            k = self._index[terms] = len(self._nodes)
            if k >= self.node_limit:
                raise StateLimitExceeded(self.node_limit, k + 1)
            self._nodes.append(terms)
            self.delta.append(None)
        return k

    @property
    def num_nodes(self) -> int:
        """Nodes built so far."""
        return len(self._nodes)

    def terms(self, node: int) -> frozenset[Proc]:
        """The τ-closed set of specification states a node stands for."""
        return self._nodes[node]

    # -- transitions -----------------------------------------------------------------------

    def expand(self, node: int) -> dict[int, int]:
        """The transitions of ``node``: event number -> node (computed once)."""
        done = self.delta[node]
        if done is not None:
            return done
        sem = self.sem
        steps: dict[Event, set[Proc]] = {}
        for p in self._nodes[node]:
            for e, q in sem.transitions(p):
                if e is not TAU:
                    steps.setdefault(e, set()).add(q)
        table: dict[int, int] = {}
        for e in sort_events(steps):  # deterministic node numbering
            table[self.code(e)] = self._node(tau_closure(sem, steps[e], self.tau_limit))
        self.delta[node] = table
        return table

    def run(self, codes: Sequence[int], start: int = 0) -> tuple[int, int]:
        """Walk ``codes`` from ``start``: (index of the first refused event or -1, last node).

        The node returned is the one reached before the refused event (or at the end).
        """
        delta = self.delta
        node = start
        for i, c in enumerate(codes):
            table = delta[node]
            if table is None:
                table = self.expand(node)
            nxt = table.get(c)
            if nxt is None:
                return i, node
            node = nxt
        return -1, node

    def accepted(self, node: int) -> list[Event]:
        """The visible events (✓ included) the specification accepts at ``node``, sorted."""
        return sort_events(self.events[c] for c in self.expand(node))

    # -- shipping ----------------------------------------------------------------------------

    def __getstate__(self) -> dict[str, object]:
        """The automaton alone: a fully normalised specification travels without its terms.

        Process terms are interned and cannot be pickled; once every node is expanded
        (:meth:`normalise_all`) the automaton (events and transitions) is all a check needs, so
        that is what is sent to other processes (Dask workers).
        """
        if any(table is None for table in self.delta):
            raise TypeError("only a fully normalised specification can be pickled: call "
                            "normalise_all() first")
        state = dict(self.__dict__)
        state.update(process=None, env=None, sem=None, _nodes=[], _index={})
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)

    def normalise_all(self) -> int:
        """Expand every reachable node (FDR's eager normalisation); returns the node count."""
        todo = [0]
        seen = {0}
        while todo:
            for nxt in self.expand(todo.pop()).values():
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        return self.num_nodes


__all__ = ["NormalisedSpec"]
