"""Unification of CSPm types, with libcspm's rules for dot types.

:class:`Unifier` makes two types equal by binding variables (checking type classes and the
occurs check), and evaluates dot lists: a dotable applied to its arguments yields its result,
a variable standing last after a dotable takes all the remaining arguments (longest match), a
variable followed by more items takes exactly one (shortest match). ``T=>*`` extendable types
(what ``{| x |}`` needs of ``x``) compare the arguments given so far by what they produce.
"""

from __future__ import annotations

from collections.abc import Iterable

from cspotlp.cspm.types import (
    EVENT,
    Classes,
    ConstraintError,
    TCon,
    TData,
    TDot,
    TDotable,
    TExt,
    TFun,
    TMap,
    TSeq,
    TSet,
    TTuple,
    TVar,
    Type,
    dot_items,
    dotable_parts,
    free_vars,
    implied,
    make_dot,
    make_dotable,
    prune,
    require,
)


class UnifyError(Exception):
    """Two types do not unify; ``expected``/``actual`` is the innermost mismatching pair."""

    def __init__(self, expected: Type, actual: Type) -> None:
        super().__init__("type mismatch")
        self.expected = expected
        self.actual = actual


class OccursError(Exception):
    """Unification would build an infinite type."""

    def __init__(self, var: TVar, type_: Type) -> None:
        super().__init__("occurs")
        self.var = var
        self.type = type_


class Unifier:
    """Unification with libcspm's dot rules. ``level`` is the current let-depth."""

    def __init__(self, classes: Classes) -> None:
        self.classes = classes
        self.level = 0
        # False while a dotted expected type may not take apart a datatype, an event or a
        # dotable (libcspm's "no symmetric unification", see the checker's unify_at).
        self.split_dots = True

    def fresh(self, constraints: Iterable[str] = ()) -> TVar:
        """A new variable at the current level."""
        return TVar(self.level, constraints)

    def unify(self, expected: Type, actual: Type) -> None:
        """Make the two types equal, or raise UnifyError / ConstraintError / OccursError."""
        a, b = prune(expected), prune(actual)
        if a is b:
            return
        if isinstance(a, TVar):
            self._bind(a, b)
            return
        if isinstance(b, TVar):
            self._bind(b, a)
            return
        if isinstance(a, TCon | TData) or isinstance(b, TCon | TData):
            if a == b:
                return
            if isinstance(a, TDot) or isinstance(b, TDot):
                self._unify_dot_atom(a, b)
                return
            if isinstance(a, TExt) or isinstance(b, TExt):
                self._unify_ext(a, b)
                return
            raise UnifyError(a, b)
        if isinstance(a, TSet) and isinstance(b, TSet) or isinstance(a, TSeq) and isinstance(b, TSeq):
            self.unify(a.elem, b.elem)
        elif isinstance(a, TTuple) and isinstance(b, TTuple) and len(a.items) == len(b.items):
            for x, y in zip(a.items, b.items, strict=True):
                self.unify(x, y)
        elif isinstance(a, TFun) and isinstance(b, TFun) and len(a.args) == len(b.args):
            for x, y in zip(a.args, b.args, strict=True):
                self.unify(x, y)
            self.unify(a.result, b.result)
        elif isinstance(a, TMap) and isinstance(b, TMap):
            self.unify(a.key, b.key)
            self.unify(a.value, b.value)
        elif isinstance(a, TDot) or isinstance(b, TDot):
            self._unify_dot(a, b)
        elif isinstance(a, TDotable) and isinstance(b, TDotable):
            self._unify_dotables(a, b)
        elif isinstance(a, TExt) or isinstance(b, TExt):
            self._unify_ext(a, b)
        else:
            raise UnifyError(a, b)

    def _bind(self, v: TVar, t: Type) -> None:
        if v.rigid is not None:
            if isinstance(t, TVar) and t.rigid is None:
                self._bind(t, v)
                return
            raise UnifyError(v, t)
        if isinstance(t, TVar):
            if t.rigid is not None:
                for c in sorted(v.constraints):
                    if not implied(c, t.constraints):
                        raise ConstraintError(c, t)
                v.ref = t
                return
            t.constraints |= v.constraints
            t.level = min(t.level, v.level)
            v.ref = t
            return
        if self._occurs(v, t):
            raise OccursError(v, t)
        for c in sorted(v.constraints):
            require(c, t, self.classes)
        self._lower_levels(t, v.level)
        v.ref = t

    def _occurs(self, v: TVar, t: Type) -> bool:
        return any(x is v for x in free_vars(t))

    def _lower_levels(self, t: Type, level: int) -> None:
        for x in free_vars(t):
            if x.level > level:
                x.level = level

    # --- dots --------------------------------------------------------------------------------

    def eval_dots(self, items: list[Type], shortest: bool = False) -> list[Type]:
        """Evaluate a dot list: apply dotables to their arguments (libcspm's evalTypeList).

        A variable standing last takes all the arguments left (longest match) unless
        ``shortest``, where it takes one, as when the result only has to be extendable.
        """
        pending = dot_items(items)
        out: list[Type] = []
        while pending:
            head = prune(pending[0])
            if len(pending) == 1:
                out.append(head)
                break
            args, res = dotable_parts(head)
            if not args:
                out.append(head)
                pending = pending[1:]
                continue
            arg = prune(pending[1])
            rest = pending[2:]
            if isinstance(arg, TDot):
                pending = [head, *dot_items(arg.items), *rest]
                continue
            if isinstance(arg, TVar) and not rest and not shortest:
                self.unify(make_dot(args), arg)
                pending = [res]
                continue
            if isinstance(arg, TExt) and not rest:
                # Something that extends to the next argument: so is the result.
                self.unify(args[0], arg.target)
                pending = [TExt(make_dotable(args[1:], res))]
                continue
            arg_args, arg_res = dotable_parts(arg)
            if not arg_args:
                self.unify(args[0], arg)
                pending = [make_dotable(args[1:], res), *rest]
            else:
                self.unify(args[0], arg_res)
                pending = [make_dotable(arg_args + args[1:], res), *rest]
        return out

    def dot_type(self, items: list[Type]) -> Type:
        """The evaluated type of a dotted expression."""
        return make_dot(self.eval_dots(items))

    def evaluate(self, t: Type) -> Type:
        """Evaluate the dot lists inside ``t`` (through sets, sequences, tuples, functions)."""
        t = prune(t)
        if isinstance(t, TDot):
            return self.dot_type(list(t.items))
        if isinstance(t, TSet):
            return TSet(self.evaluate(t.elem))
        if isinstance(t, TSeq):
            return TSeq(self.evaluate(t.elem))
        if isinstance(t, TTuple):
            return TTuple(tuple(self.evaluate(x) for x in t.items))
        if isinstance(t, TFun):
            return TFun(tuple(self.evaluate(x) for x in t.args), self.evaluate(t.result))
        return t

    def _unify_dot_atom(self, a: Type, b: Type) -> None:
        """A dotted type against Event, a datatype, or another base type."""
        dotted, other = (a, b) if isinstance(a, TDot) else (b, a)
        assert isinstance(dotted, TDot)
        items = dot_items(dotted.items)
        if (isinstance(other, TData) or other == EVENT) and not self.split_dots \
                and a is dotted:
            raise UnifyError(a, b)
        if isinstance(other, TData) or other == EVENT:
            # The head must be dotable, with the other items as (some of) its arguments.
            self._ordered(a is dotted, items[0], make_dotable(items[1:], other))
            return
        evaluated = self.eval_dots(items)
        if len(evaluated) == 1:
            self._ordered(a is dotted, evaluated[0], other)
            return
        raise UnifyError(a, b)

    def _ordered(self, dotted_is_expected: bool, dotted: Type, other: Type) -> None:
        if dotted_is_expected:
            self.unify(dotted, other)
        else:
            self.unify(other, dotted)

    def _unify_dot(self, a: Type, b: Type) -> None:
        if isinstance(a, TDot) and isinstance(b, TDot):
            self.combine(list(a.items), list(b.items))
            return
        dotted, other = (a, b) if isinstance(a, TDot) else (b, a)
        assert isinstance(dotted, TDot)
        items = dot_items(dotted.items)
        if isinstance(other, TDotable | TExt) and not self.split_dots and a is dotted:
            raise UnifyError(a, b)
        if isinstance(other, TDotable):
            args, res = dotable_parts(other)
            self._ordered(a is dotted, items[0], make_dotable(items[1:] + args, res))
            return
        if isinstance(other, TExt):
            self._ordered(a is dotted, items[0], TDotable(tuple(items[1:]), other))
            return
        evaluated = self.eval_dots(items)
        if len(evaluated) == 1:
            self._ordered(a is dotted, evaluated[0], other)
            return
        raise UnifyError(a, b)

    def _unify_ext(self, a: Type, b: Type) -> None:
        if isinstance(a, TExt) and isinstance(b, TExt):
            self.unify(a.target, b.target)
            return
        ext, other = (a, b) if isinstance(a, TExt) else (b, a)
        assert isinstance(ext, TExt)
        if isinstance(other, TDotable):
            _, res = dotable_parts(other)
            self._ordered(a is ext, ext, res)
            return
        if isinstance(other, TDot):
            self._unify_dot(a, b)
            return
        self._ordered(a is ext, ext.target, other)

    def _unify_dotables(self, a: TDotable, b: TDotable) -> None:
        args_a, res_a = dotable_parts(a)
        args_b, res_b = dotable_parts(b)
        if isinstance(res_a, TExt) or isinstance(res_b, TExt):
            # Extendable: compare the arguments given so far by what they finally produce.
            xs = self.eval_dots(args_a, shortest=True)
            ys = self.eval_dots(args_b, shortest=True)
            n = min(len(xs), len(ys))
            for x, y in zip(xs[:n], ys[:n], strict=True):
                self.unify(dotable_parts(x)[1], dotable_parts(y)[1])
            self.unify(make_dotable(xs[n:], res_a), make_dotable(ys[n:], res_b))
            return
        self.unify(res_a, res_b)
        self.combine(args_a, args_b)

    def combine(self, xs: list[Type], ys: list[Type]) -> None:
        """Unify two dot lists argument by argument (libcspm's combineTypeLists)."""
        xs, ys = dot_items(xs), dot_items(ys)
        while xs or ys:
            if not xs or not ys:
                raise UnifyError(make_dot(xs) if xs else TTuple(()), make_dot(ys) if ys else TTuple(()))
            if len(ys) == 1:
                self.unify(ys[0], make_dot(xs))
                return
            if len(xs) == 1:
                self.unify(xs[0], make_dot(ys))
                return
            x, y = prune(xs[0]), prune(ys[0])
            x_args, x_res = dotable_parts(x)
            y_args, y_res = dotable_parts(y)
            if not x_args and not y_args:
                self.unify(x, y)
                xs, ys = dot_items(xs[1:]), dot_items(ys[1:])
                continue
            if x_args:
                xs2 = self._consume(x_args, x_res, xs[1:], ys)
                if xs2 is None:
                    return
                xs = xs2
                continue
            ys2 = self._consume(y_args, y_res, ys[1:], xs)
            if ys2 is None:
                return
            ys = ys2

    def _consume(self, args: list[Type], res: Type, rest: list[Type],
                 other: list[Type]) -> list[Type] | None:
        """A dotable heads one list: feed it its next argument (None when the lists are done)."""
        nxt = prune(rest[0])
        if isinstance(nxt, TDot):
            return [make_dotable(args, res), *dot_items(nxt.items), *rest[1:]]
        nxt_args, nxt_res = dotable_parts(nxt)
        if not nxt_args and (not isinstance(nxt, TVar) or len(rest) > 1):
            self.unify(args[0], nxt)
            return [make_dotable(args[1:], res), *rest[1:]]
        if isinstance(nxt, TVar):
            evaluated = self.eval_dots(other)
            self.unify(res, evaluated[0])
            self.unify(make_dot(args + evaluated[1:]), nxt)
            return None
        self.unify(args[0], nxt_res)
        return [make_dotable(nxt_args + args[1:], res), *rest[1:]]


