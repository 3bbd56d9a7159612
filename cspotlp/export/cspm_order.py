r"""The partial order of one captured trace as a CSPm process (for ``otlp2cspm``).

A trace's events are partially ordered (:mod:`cspotlp.mapping.event_order`); the process written
here has exactly the prefixes of its linearisations as traces, so ``SPEC [T= P`` checks *every*
linearisation. It follows the span tree:

* a span is ``call.L -> (<children> ; (ret.L -> SKIP))``: its call before everything below it,
  its return after the children it waited for;
* the children of a span are ordered as the clocks say (an interval order): a series split
  (every child of one group ended, by more than the skew tolerance, before every child of the
  next started) becomes ``;``, concurrent groups become ``|||``; a group that is neither (an
  interval order with an ``N``: a < c, b < c, b < d, a ‖ d) is written with hidden events
  ``obs_start.i`` / ``obs_finish.i`` and a controller,
  ``(M [| S |] C) \ {| obs_start, obs_finish |}``, where ``C`` is the alphabetised parallel of
  one ``obs_finish.a -> obs_start.b -> SKIP`` per ordered pair (transitively reduced; for a
  group of more than ``DIRECT_LIMIT`` siblings, the join structure of
  :mod:`cspotlp.mapping.event_order` instead, through hidden ``obs_join.k``, which grows
  linearly);
* a child its parent did not wait for (it ends after the parent by the tolerance or more, or is
  open, and nothing else follows it) is *forked*: the parent's process does
  ``call.C -> obs_fork.j -> SKIP`` and the rest of the child runs in a process of its own,
  ``obs_fork.j -> ...``, synchronised with it on ``obs_fork.j``; ``obs_fork`` is hidden at the
  top.

Events the abstraction hides (dropped spans, synthetic roots) do not appear; their place in the
order does. Names are ``<prefix>_<n>`` in traversal order; the text is deterministic.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from cspotlp.mapping.event_order import SiblingJoins, SpanTree, sibling_joins

_NEST = 4
"""Composite expressions nested deeper than this get a name of their own."""


@dataclass
class TraceProcess:
    """The CSPm definitions of one trace's process, and what they need declared."""

    lines: list[str] = field(default_factory=list)
    forks: int = 0
    """Fork events used (``obs_fork.0`` .. ``obs_fork.(forks - 1)``)."""
    group: int = 0
    """The largest group written with ``obs_start`` / ``obs_finish`` (0: none)."""
    joins: int = 0
    """The most joins such a group uses (``obs_join.0`` .. ``obs_join.(joins - 1)``)."""


class _Expr:
    """A rendered expression: its text, its kind and how deeply operators nest in it.

    ``kind`` is ``atom`` (a name, SKIP), ``prefix`` (``e -> P``), ``seq`` (``P ; Q``), ``par``
    (``P ||| Q``) or ``op`` (any other operator); ``parts`` are the operands of ``seq`` and
    ``par`` (so that nested ones are flattened).
    """

    __slots__ = ("text", "kind", "depth", "parts")

    def __init__(self, text: str, kind: str = "atom", depth: int = 0,
                 parts: Sequence[_Expr] = ()) -> None:
        self.text = text
        self.kind = kind
        self.depth = depth
        self.parts = tuple(parts)

    def operand(self) -> str:
        """The text as an operand of ``->``, ``;`` or ``|||`` (which bind in that order)."""
        return self.text if self.kind in ("atom", "prefix") else f"({self.text})"


_SKIP = _Expr("SKIP")


class _Writer:
    def __init__(self, tree: SpanTree, texts: Sequence[str], name: str,
                 direct_limit: int) -> None:
        self.tree = tree
        self.direct_limit = direct_limit
        self.texts = texts
        self.name = name
        self.out = TraceProcess()
        self.counter = 0
        order = tree.order()
        self.roots, self.kids = list(order.roots), [list(k) for k in order.kids]
        self.joins = order.joins
        self.root_joins = order.root_joins
        self.fork_body: dict[int, str] = {}

    def define(self, expr: _Expr) -> _Expr:
        self.counter += 1
        ident = f"{self.name}_{self.counter}"
        self.out.lines.append(f"{ident} = {expr.text}")
        return _Expr(ident)

    def limit(self, expr: _Expr) -> _Expr:
        return self.define(expr) if expr.depth > _NEST else expr

    def event(self, index: int) -> str | None:
        return self.texts[index] if index >= 0 else None

    # -- composition -------------------------------------------------------------------------

    def seq(self, items: Sequence[_Expr]) -> _Expr:
        return self._operator("seq", " ; ", items)

    def par(self, items: Sequence[_Expr]) -> _Expr:
        return self._operator("par", " ||| ", items)

    def _operator(self, kind: str, symbol: str, items: Sequence[_Expr]) -> _Expr:
        flat: list[_Expr] = []
        for i in items:
            if i is _SKIP:
                continue
            flat.extend(i.parts if i.kind == kind else (i,))
        if not flat:
            return _SKIP
        if len(flat) == 1:
            return flat[0]
        return self.limit(_Expr(symbol.join(i.operand() for i in flat), kind,
                                1 + max(i.depth for i in flat), flat))

    def prefix(self, event: str | None, body: _Expr) -> _Expr:
        if event is None:
            return body
        return _Expr(f"{event} -> {body.operand()}", "prefix",
                     body.depth + (body.kind not in ("atom", "prefix")))

    # -- the tree ----------------------------------------------------------------------------

    def forked(self, span: int) -> bool:
        """Does the parent not wait for ``span`` (so its rest runs in a process of its own)?

        It does not when ``span`` is open or outlived it (not attached) and no later sibling
        follows ``span`` (which would put ``span``'s end before the parent's end).
        """
        tree = self.tree
        p = tree.parent[span]
        if p < 0 or tree.end[p] is None or tree.attached(span):
            return False
        joins = self.joins[p]
        assert joins is not None
        return all(k < 0 for k in joins.feeds[self.kids[p].index(span)])

    def render(self) -> TraceProcess:
        """Every span bottom-up (explicit stack), then the trace process itself."""
        body: dict[int, _Expr] = {}  # span -> its block in its parent's sibling structure
        fork_of: dict[int, int] = {}
        order: list[int] = []
        stack = list(reversed(self.roots))
        while stack:  # pre-order: a fork number is given before the forks below it
            s = stack.pop()
            order.append(s)
            if self.forked(s):
                fork_of[s] = len(fork_of)
            stack.extend(reversed(self.kids[s]))
        owner: dict[int, int] = {}  # span -> the fork its events belong to (-1: the core)
        for s in order:
            p = self.tree.parent[s]
            up = -1 if p < 0 else fork_of.get(p, owner[p])
            owner[s] = up
        for s in reversed(order):  # children before parents
            children = self.sibling_structure([body[c] for c in self.kids[s]], s)
            end = self.event(self.tree.end_event[s])
            rest = self.seq([children, self.prefix(end, _SKIP)])
            call = self.event(self.tree.begin_event[s])
            if s in fork_of:
                j = fork_of[s]
                self.fork_body[j] = self.prefix(f"obs_fork.{j}", rest).text
                body[s] = self.prefix(call, _Expr(f"obs_fork.{j} -> SKIP", "prefix"))
            else:
                whole = self.prefix(call, rest)
                nested_block = self.tree.parent[s] >= 0 and self.kids[s] and whole.depth
                body[s] = self.define(whole) if nested_block else whole
        core = self.sibling_structure([body[r] for r in self.roots], -1)
        self.out.forks = len(fork_of)
        nested: dict[int, list[int]] = {}
        for s, j in fork_of.items():
            nested.setdefault(owner[s], []).append(j)
        text = self.with_forks(core, nested) if fork_of else core.text
        self.out.lines.append(f"{self.name} = {text}")
        return self.out

    def with_forks(self, core: _Expr, nested: dict[int, list[int]]) -> str:
        """``core`` in parallel with the fork processes, each synchronised on its fork event."""
        node: dict[int, str] = {}
        for j in sorted(self.fork_body, reverse=True):  # inner forks have larger numbers
            node[j] = self.join(self.fork_body[j], nested.get(j, []), node)
        return f"{_paren(self.join(core.operand(), nested.get(-1, []), node))} \\ {{| obs_fork |}}"

    def join(self, own: str, forks: list[int], node: dict[int, str]) -> str:
        if not forks:
            return own
        sync = ", ".join(f"obs_fork.{j}" for j in sorted(forks))
        others = " ||| ".join(_paren(node[j]) for j in sorted(forks))
        if len(forks) > 1:
            others = f"({others})"
        return self.define(_Expr(f"{_paren(own)} [| {{{sync}}} |] {others}")).text

    # -- one group of siblings ---------------------------------------------------------------

    def sibling_structure(self, blocks: Sequence[_Expr], parent: int) -> _Expr:
        """The children of ``parent`` (-1: the roots) composed as their order says.

        ``blocks`` are their processes, in the group's time order. Siblings whose block is
        SKIP are left out: the order among the others does not go through them (O5 between
        siblings is transitive by itself). Each part is split on the order restricted to it
        (its own joins), so a group of n siblings costs O(n log n) per level, not O(n²).
        """
        group = self.roots if parent < 0 else self.kids[parent]
        block = dict(zip(group, blocks, strict=True))
        keep = [s for s in group if block[s] is not _SKIP]
        if not keep:
            return _SKIP
        # explicit stack of tasks: ("split", 0, spans), or (operator, count, []) to combine
        # the last ``count`` results
        results: list[_Expr] = []
        tasks: list[tuple[str, int, list[int]]] = [("split", 0, keep)]
        while tasks:
            task, count, members = tasks.pop()
            if task != "split":
                pieces = results[len(results) - count:]
                del results[len(results) - count:]
                results.append(self.seq(pieces) if task == "seq" else self.par(pieces))
                continue
            if len(members) == 1:
                results.append(block[members[0]])
                continue
            joins = self.joins_of(members)
            parts, op = _series_parts(members, joins), "seq"
            if len(parts) == 1:
                parts, op = _parallel_parts(members, joins), "par"
            if len(parts) == 1:
                results.append(self.prime([block[m] for m in members], joins))
                continue
            tasks.append((op, len(parts), []))
            tasks.extend(("split", 0, part) for part in reversed(parts))
        assert len(results) == 1
        return results[0]

    def joins_of(self, spans: Sequence[int]) -> SiblingJoins:
        """O5 among ``spans`` (siblings, in time order) alone."""
        tree = self.tree
        return sibling_joins(spans, tree.start, tree.end, tree.tolerance, tree.clock)

    def prime(self, blocks: Sequence[_Expr], joins: SiblingJoins) -> _Expr:
        """A group neither series nor parallel: hidden start/finish events and a controller.

        The controller is the alphabetised parallel of one ``x -> y -> SKIP`` per edge of
        the group's order: for a small group the transitive reduction (member finish to
        member start); for a large one the join structure itself (a member's finish to a
        join, a join to the next, a join to a member's start), which grows linearly with the
        group where the reduction can grow quadratically.
        """
        n = len(blocks)
        self.out.group = max(self.out.group, n)
        edges = _direct_edges(joins) if n <= self.direct_limit else self.join_edges(joins)
        runs = " ||| ".join(f"(obs_start.{i} -> ({m.operand()} ; obs_finish.{i} -> SKIP))"
                            for i, m in enumerate(blocks))
        # the members synchronise with the controller on their starts and finishes only; the
        # joins are the controller's own
        sync = ", ".join(sorted({e for edge in edges for e in edge
                                 if not e.startswith("obs_join.")}, key=_event_key))
        pairs = ", ".join(f"({x}, {y})" for x, y in edges)
        hidden = "obs_start, obs_finish, obs_join" if n > self.direct_limit else \
            "obs_start, obs_finish"
        text = (f"(({runs}) [| {{{sync}}} |] (|| (x, y) : {{{pairs}}} @ [{{x, y}}] "
                f"x -> y -> SKIP)) \\ {{| {hidden} |}}")
        return self.define(_Expr(text, "op", 1))

    def join_edges(self, joins: SiblingJoins) -> list[tuple[str, str]]:
        """The edges of a group's join structure, as pairs of hidden events."""
        offsets = joins.offsets()
        self.out.joins = max(self.out.joins, joins.count)
        edges: list[tuple[str, str]] = []
        for c, chain in enumerate(joins.chains):
            for k, feeders in enumerate(chain.feeders):
                here = f"obs_join.{offsets[c] + k}"
                edges.extend((f"obs_finish.{a}", here) for a in feeders)
                if k:
                    edges.append((f"obs_join.{offsets[c] + k - 1}", here))
        for b, waits in enumerate(joins.waits):
            edges.extend((f"obs_join.{offsets[c] + k}", f"obs_start.{b}")
                         for c, k in enumerate(waits) if k >= 0)
        return edges


def _direct_edges(joins: SiblingJoins) -> list[tuple[str, str]]:
    """The transitive reduction of a (small) group's order: finish of a to start of b."""
    before = joins.predecessors()
    edges: list[tuple[str, str]] = []
    for b, preds in enumerate(before):
        implied = 0
        rest = preds
        while rest:
            low = rest & -rest
            implied |= before[low.bit_length() - 1]
            rest ^= low
        direct = preds & ~implied
        while direct:
            low = direct & -direct
            edges.append((f"obs_finish.{low.bit_length() - 1}", f"obs_start.{b}"))
            direct ^= low
    return edges


def _event_key(event: str) -> tuple[str, int]:
    channel, _, index = event.partition(".")
    return channel, int(index)


def _paren(text: str) -> str:
    """``text`` in parentheses unless it is a name or already one parenthesised whole."""
    if text.replace("_", "").isalnum():
        return text
    depth = 0
    for i, ch in enumerate(text):
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if depth == 0 and i < len(text) - 1:
            return f"({text})"
    return text if text.startswith("(") else f"({text})"


def _series_parts(members: list[int], joins: SiblingJoins) -> list[list[int]]:
    """``members`` (time order) cut wherever everything earlier precedes everything later."""
    before = joins.predecessors()  # bit sets over positions in ``members``
    after = [0] * (len(members) + 1)  # after[i]: the positions every member from i on follows
    after[len(members)] = -1
    for i in range(len(members) - 1, -1, -1):
        after[i] = after[i + 1] & before[i]
    parts: list[list[int]] = [[]]
    seen = 0
    for i, m in enumerate(members):
        if parts[-1] and seen & ~after[i] == 0:
            parts.append([])
        parts[-1].append(m)
        seen |= 1 << i
    return parts


def _parallel_parts(members: list[int], joins: SiblingJoins) -> list[list[int]]:
    """The components of the comparability graph of ``members`` (ordered pairs connected).

    A member that waits for join k of a chain is ordered after every feeder of joins 0..k,
    which are therefore connected through it: one union per member and per feeder.
    """
    up = list(range(len(members)))

    def find(i: int) -> int:
        while up[i] != i:
            up[i] = up[up[i]]
            i = up[i]
        return i

    for chain, waits in zip(joins.chains, zip(*joins.waits, strict=True), strict=True):
        feeders = [i for group in chain.feeders for i in group]  # in join order
        ends = [0]
        for group in chain.feeders:
            ends.append(ends[-1] + len(group))
        joined = 0  # feeders[:joined] are one component
        for b, k in enumerate(waits):
            if k < 0:
                continue
            up[find(b)] = find(feeders[0])
            while joined < ends[k + 1]:
                up[find(feeders[joined])] = find(feeders[0])
                joined += 1
    groups: dict[int, list[int]] = {}
    for i, m in enumerate(members):
        groups.setdefault(find(i), []).append(m)
    return list(groups.values())


DIRECT_LIMIT = 16
"""Groups up to this size get a controller of direct edges; larger ones, of joins."""


def trace_process(tree: SpanTree, texts: Sequence[str], name: str, *,
                  direct_limit: int = DIRECT_LIMIT) -> TraceProcess:
    """The CSPm definitions of the process ``name`` for one trace (module docstring).

    ``texts`` are the CSPm texts of the trace's visible events (indexed as ``tree`` numbers
    them); auxiliary processes are named ``<name>_<n>``. Groups of siblings that need a
    controller get one of direct edges up to ``direct_limit`` members, of joins beyond.
    """
    return _Writer(tree, texts, name, direct_limit).render()


__all__ = ["TraceProcess", "trace_process"]
