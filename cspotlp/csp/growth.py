"""Terms that grow without bound, and the message that says which definition makes them grow.

The usual reason a process has infinitely many states is syntactic: each unfolding of a recursive
definition nests one more operator around the previous term (``P = a -> (P ||| P)``,
``SEQ = a -> (SEQ ; b -> SKIP)``). Such terms get deeper and deeper in their *active*
positions: the operands whose moves are moves of the whole term (both sides of a parallel
composition, the first process of ``;``, the process under hiding or renaming). Prefixes and
choices are not active structure: they are used up by a move. A :class:`GrowthWatch` measures
the active depth of every new state of a component, and when it exceeds the deepest static term
(the start, and every definition body unfolded so far) by the budget's ``growth_depth``, it
stops the exploration with a message naming the definition, its ``FILE:LINE:COL`` when known,
and the operators it recurses through.
"""

from __future__ import annotations

from collections import Counter

from cspotlp.csp.environment import Environment
from cspotlp.csp.show import show
from cspotlp.csp.terms import Op, Proc, call_parts
from cspotlp.errors import LimitReached

_CONSUMED = frozenset({Op.STOP, Op.SKIP, Op.DIV, Op.OMEGA, Op.RUN, Op.CHAOS, Op.PREFIX, Op.INT,
                       Op.CALL, Op.EXPLICIT, Op.COMPRESS})
"""Operators without active structure below them (used up by a move, or compiled apart)."""

_FIRST_ONLY = frozenset({Op.SEQ, Op.TIMEOUT, Op.EXCEPT})
"""Operators whose second operand waits (a continuation, not yet running)."""

_SYMBOL = {Op.SEQ: ";", Op.ILEAVE: "|||", Op.PAR: "[| |]", Op.APAR: "[ || ]", Op.LINK: "[ <-> ]",
           Op.HIDE: "\\", Op.RENAME: "[[ ]]", Op.INTERRUPT: "/\\", Op.TIMEOUT: "[>",
           Op.EXCEPT: "[| |>", Op.EXT: "[]", Op.PRIORITISE: "prioritise"}


def _active(p: Proc) -> tuple[Proc, ...]:
    if p.op in _CONSUMED:
        return ()
    return p.args[:1] if p.op in _FIRST_ONLY else p.args


class ActiveDepth:
    """Active depth of terms (memoised, computed without recursion)."""

    def __init__(self) -> None:
        self._depth: dict[Proc, int] = {}

    def __call__(self, root: Proc) -> int:
        """The number of active operators on the deepest path from ``root``."""
        depth = self._depth
        done = depth.get(root)
        if done is not None:
            return done
        stack = [root]
        while stack:
            q = stack[-1]
            if q in depth:
                stack.pop()
                continue
            kids = _active(q)
            missing = [k for k in kids if k not in depth]
            if missing:
                stack.extend(missing)
                continue
            depth[q] = 1 + max(depth[k] for k in kids) if kids else 0
            stack.pop()
        return depth[root]


class GrowthWatch:
    """Stops a component's exploration when its terms keep getting deeper (see the module doc)."""

    def __init__(self, env: Environment, root: Proc, growth_depth: int) -> None:
        self.env = env
        self.depth = ActiveDepth()
        self.growth_depth = growth_depth
        self.static = self.depth(root)
        self._bodies_seen = 0
        self.bound = self.static + growth_depth

    def check(self, term: Proc, states: int) -> None:
        """Raise :class:`LimitReached` when ``term`` is deeper than any static term allows."""
        if self.depth(term) <= self.bound:
            return
        bodies = self.env.unfolded_bodies()
        for body in bodies[self._bodies_seen:]:  # the program's own nesting is not growth
            self.static = max(self.static, self.depth(body))
        self._bodies_seen = len(bodies)
        self.bound = self.static + self.growth_depth
        if self.depth(term) > self.bound:
            raise LimitReached(growth_message(term, self.env, self.depth(term)), states)


    def explain(self, recent: list[Proc]) -> str:
        """Why a component whose exploration hit a limit may be infinite ('' when nothing shows).

        ``recent`` are the last states found. Terms deeper than any static term point at
        recursion through an operator; otherwise a definition whose instances make up most of
        them, with arguments never seen before, points at ever new arguments (a counter).
        """
        if not recent:
            return ""
        deepest = max(recent, key=self.depth)
        if self.depth(deepest) >= self.static + HINT_DEPTH:
            return growth_message(deepest, self.env, self.depth(deepest))
        names: Counter[str] = Counter()
        for t in recent:
            for q in (t, *t.args):
                if q.op is Op.CALL and call_parts(q)[1]:
                    names[call_parts(q)[0]] += 1
        if not names:
            return ""
        name, count = names.most_common(1)[0]
        if count * 2 < len(recent):
            return ""
        where = self.env.locate(name)
        text = (f"the arguments of {name} grow without bound? the last states explored are "
                f"instances of it, such as {show(recent[-1], max_chars=60)}")
        return f"{where}: {text}" if where else text


HINT_DEPTH = 3
"""Active depth beyond the static nesting that, at a limit, is reported as growing terms."""


def growth_message(term: Proc, env: Environment, depth: int) -> str:
    """``FILE:LINE:COL: the terms of P grow without bound: recursion through |||`` (and detail)."""
    ops: Counter[Op] = Counter()
    calls: Counter[str] = Counter()
    measure = ActiveDepth()
    spine: list[Proc] = []
    q = term
    while True:  # down the deepest active path
        spine.append(q)
        kids = _active(q)
        for k in q.args:
            if k.op is Op.CALL:
                calls[call_parts(k)[0]] += 1
        if not kids:
            if q.op is Op.CALL:
                calls[call_parts(q)[0]] += 1
            break
        ops[q.op] += 1
        q = max(kids, key=measure)
    repeated = [op for op, n in ops.most_common() if n * 4 >= depth] or [ops.most_common(1)[0][0]]
    through = " and ".join(_SYMBOL.get(op, op.value) for op in sorted(repeated, key=lambda o: -ops[o]))
    name = calls.most_common(1)[0][0] if calls else None
    subject = f"the terms of {name}" if name else "the terms of a component"
    where = env.locate(name) if name else None
    inner = spine[max(0, len(spine) - 4)]  # the innermost levels show the pattern best
    text = (f"{subject} grow without bound: recursion through {through} (a state nested "
            f"{depth:,} operators deep, ending in ...{show(inner, max_chars=80)})")
    return f"{where}: {text}" if where else text
