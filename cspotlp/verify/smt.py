"""A small typed term manager over Z3: the only module of cspotlp that imports ``z3``.

Z3's own Python API is untyped, keeps a global context and overloads ``==`` to build terms
(all three are avoided here). Here terms are built by *functions* of a :class:`Terms`
manager that owns one private ``z3.Context``; a term is either a Python constant (``int`` /
``bool``) or a wrapped Z3 expression (:class:`SInt` / :class:`SBool`).

The manager folds constants as it builds: ``lt(3, 5)`` is the Python ``True``, ``and_(True, x)``
is ``x``, ``eq(x, x)`` is ``True``. This partial evaluation is what makes the per-position
encodings cheap: in Φ(t) every time stamp is a position, i.e. a constant, so Ψ's sort on Φ(t)
is decided while the formula is built and never reaches the solver.

Everything crossing the boundary to ``z3`` is typed ``Any`` and immediately wrapped; nothing
else in cspotlp sees a Z3 object.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Literal, TypeAlias, final

import z3

from cspotlp.errors import VerifyError


@final
class SInt:
    """A symbolic integer (a wrapped Z3 arithmetic expression)."""

    __slots__ = ("ref",)

    def __init__(self, ref: Any) -> None:
        self.ref: Any = ref

    def __repr__(self) -> str:
        return f"SInt({self.ref})"


@final
class SBool:
    """A symbolic Boolean (a wrapped Z3 Boolean expression)."""

    __slots__ = ("ref",)

    def __init__(self, ref: Any) -> None:
        self.ref: Any = ref

    def __repr__(self) -> str:
        return f"SBool({self.ref})"


IntT: TypeAlias = int | SInt
"""An integer term: a Python constant or a symbolic integer."""
BoolT: TypeAlias = bool | SBool
"""A Boolean term: a Python constant or a symbolic Boolean."""

CheckOutcome: TypeAlias = Literal["sat", "unsat", "unknown"]


class Terms:
    """Builds terms in one private Z3 context, folding constants as it goes.

    Terms are made with Z3's C-level constructors (``Z3_mk_and``...) rather than its Python
    operators, which re-check and coerce every argument and dominate the cost of building the
    quadratic formulas of :mod:`cspotlp.verify.encoding`.
    """

    __slots__ = ("ctx", "width", "_ref", "_names", "_ints", "_int_sort", "_true", "_mk")

    def __init__(self, width: int | None = None) -> None:
        self.ctx: Any = z3.Context()
        self.width = width
        self._ref: Any = self.ctx.ref()
        self._names: dict[str, int] = {}
        self._ints: dict[int, Any] = {}
        self._true: Any = z3.BoolVal(True, self.ctx)
        if width is None:
            self._int_sort: Any = z3.Z3_mk_int_sort(self._ref)
            self._mk: tuple[Any, ...] = (z3.Z3_mk_lt, z3.Z3_mk_le, z3.Z3_mk_unary_minus)
        else:
            self._int_sort = z3.Z3_mk_bv_sort(self._ref, width)
            self._mk = (z3.Z3_mk_bvslt, z3.Z3_mk_bvsle, z3.Z3_mk_bvneg)

    @property
    def bounds(self) -> tuple[int, int] | None:
        """The smallest and largest value of an integer term, or None for unbounded integers."""
        if self.width is None:
            return None
        return -(1 << (self.width - 1)), (1 << (self.width - 1)) - 1

    # ---- atoms -------------------------------------------------------------------------------
    def int_var(self, name: str) -> SInt:
        """A fresh integer variable (names are made unique with a counter)."""
        if self.width is None:
            return SInt(z3.Int(self._fresh(name), self.ctx))
        return SInt(z3.BitVec(self._fresh(name), self.width, self.ctx))

    def bool_var(self, name: str) -> SBool:
        """A fresh Boolean variable."""
        return SBool(z3.Bool(self._fresh(name), self.ctx))

    def _fresh(self, name: str) -> str:
        n = self._names.get(name, 0)
        self._names[name] = n + 1
        return name if n == 0 else f"{name}!{n}"

    def _int_ref(self, x: IntT) -> Any:
        if isinstance(x, SInt):
            return x.ref
        got = self._ints.get(x)
        if got is None:
            if self.width is None:
                got = z3.IntNumRef(z3.Z3_mk_numeral(self._ref, str(x), self._int_sort), self.ctx)
            else:
                lo, hi = self.bounds or (0, 0)
                if not lo <= x <= hi:
                    raise VerifyError(f"constant {x} does not fit in {self.width}-bit terms")
                got = z3.BitVecNumRef(
                    z3.Z3_mk_numeral(self._ref, str(x % (1 << self.width)), self._int_sort),
                    self.ctx)
            self._ints[x] = got
        return got

    def _bool_ref(self, x: BoolT) -> Any:
        if isinstance(x, SBool):
            return x.ref
        return self._true if x else z3.BoolVal(False, self.ctx)

    def _bool(self, ast: Any) -> SBool:
        return SBool(z3.BoolRef(ast, self.ctx))

    def _int(self, ast: Any) -> SInt:
        if self.width is None:
            return SInt(z3.ArithRef(ast, self.ctx))
        return SInt(z3.BitVecRef(ast, self.ctx))

    @staticmethod
    def _array(refs: Sequence[Any]) -> Any:
        arr: Any = (z3.Ast * len(refs))()
        for i, r in enumerate(refs):
            arr[i] = r.as_ast()
        return arr

    # ---- Boolean connectives -----------------------------------------------------------------
    def and_(self, *xs: BoolT) -> BoolT:
        """Conjunction; ``True`` when empty."""
        return self.all_(xs)

    def all_(self, xs: Iterable[BoolT]) -> BoolT:
        """Conjunction of an iterable of terms."""
        refs: list[Any] = []
        for x in xs:
            if isinstance(x, bool):
                if not x:
                    return False
                continue
            refs.append(x.ref)
        if not refs:
            return True
        if len(refs) == 1:
            return SBool(refs[0])
        return self._bool(z3.Z3_mk_and(self._ref, len(refs), self._array(refs)))

    def or_(self, *xs: BoolT) -> BoolT:
        """Disjunction; ``False`` when empty."""
        return self.any_(xs)

    def any_(self, xs: Iterable[BoolT]) -> BoolT:
        """Disjunction of an iterable of terms."""
        refs: list[Any] = []
        for x in xs:
            if isinstance(x, bool):
                if x:
                    return True
                continue
            refs.append(x.ref)
        if not refs:
            return False
        if len(refs) == 1:
            return SBool(refs[0])
        return self._bool(z3.Z3_mk_or(self._ref, len(refs), self._array(refs)))

    def not_(self, x: BoolT) -> BoolT:
        """Negation."""
        if isinstance(x, bool):
            return not x
        return self._bool(z3.Z3_mk_not(self._ref, x.ref.as_ast()))

    def implies(self, a: BoolT, b: BoolT) -> BoolT:
        """``a → b``."""
        if isinstance(a, bool):
            return b if a else True
        if isinstance(b, bool):
            return True if b else self.not_(a)
        return self._bool(z3.Z3_mk_implies(self._ref, a.ref.as_ast(), b.ref.as_ast()))

    def iff(self, a: BoolT, b: BoolT) -> BoolT:
        """``a ↔ b``."""
        if isinstance(a, bool) and isinstance(b, bool):
            return a == b
        if isinstance(a, bool):
            return b if a else self.not_(b)
        if isinstance(b, bool):
            return a if b else self.not_(a)
        if a.ref.eq(b.ref):
            return True
        return self._bool(z3.Z3_mk_eq(self._ref, a.ref.as_ast(), b.ref.as_ast()))

    # ---- integers ----------------------------------------------------------------------------
    def eq(self, a: IntT, b: IntT) -> BoolT:
        """``a = b``."""
        if isinstance(a, int) and isinstance(b, int):
            return a == b
        if isinstance(a, SInt) and isinstance(b, SInt) and a.ref.eq(b.ref):
            return True
        x, y = self._int_ref(a), self._int_ref(b)
        if x.get_id() > y.get_id():  # one term for a = b and b = a
            x, y = y, x
        return self._bool(z3.Z3_mk_eq(self._ref, x.as_ast(), y.as_ast()))

    def ne(self, a: IntT, b: IntT) -> BoolT:
        """``a ≠ b``."""
        return self.not_(self.eq(a, b))

    def lt(self, a: IntT, b: IntT) -> BoolT:
        """``a < b``."""
        if isinstance(a, int) and isinstance(b, int):
            return a < b
        if isinstance(a, SInt) and isinstance(b, SInt) and a.ref.eq(b.ref):
            return False
        return self._bool(self._mk[0](self._ref, self._int_ref(a).as_ast(),
                                      self._int_ref(b).as_ast()))

    def le(self, a: IntT, b: IntT) -> BoolT:
        """``a ≤ b``."""
        if isinstance(a, int) and isinstance(b, int):
            return a <= b
        if isinstance(a, SInt) and isinstance(b, SInt) and a.ref.eq(b.ref):
            return True
        return self._bool(self._mk[1](self._ref, self._int_ref(a).as_ast(),
                                      self._int_ref(b).as_ast()))

    def one_of(self, a: IntT, values: Iterable[int]) -> BoolT:
        """``a ∈ values``."""
        return self.any_(self.eq(a, v) for v in values)

    def add(self, *xs: IntT) -> IntT:
        """Sum (constants are added up in Python)."""
        return self.sum_(xs)

    def sum_(self, xs: Iterable[IntT]) -> IntT:
        """Sum of an iterable of terms."""
        const = 0
        refs: list[Any] = []
        for x in xs:
            if isinstance(x, int):
                const += x
            else:
                refs.append(x.ref)
        if not refs:
            return const
        if const:
            refs.append(self._int_ref(const))
        if len(refs) == 1:
            return SInt(refs[0])
        if self.width is None:
            return self._int(z3.Z3_mk_add(self._ref, len(refs), self._array(refs)))
        acc = refs[0].as_ast()
        for r in refs[1:]:
            acc = z3.Z3_mk_bvadd(self._ref, acc, r.as_ast())
        return self._int(acc)

    def negate(self, x: IntT) -> IntT:
        """``-x``."""
        if isinstance(x, int):
            return -x
        return self._int(self._mk[2](self._ref, x.ref.as_ast()))

    def count(self, conds: Iterable[BoolT]) -> IntT:
        """How many of ``conds`` hold."""
        return self.sum_(self.ite(c, 1, 0) for c in conds)

    def ite(self, c: BoolT, a: IntT, b: IntT) -> IntT:
        """``if c then a else b`` on integers."""
        if isinstance(c, bool):
            return a if c else b
        if isinstance(a, int) and isinstance(b, int) and a == b:
            return a
        if isinstance(a, SInt) and isinstance(b, SInt) and a.ref.eq(b.ref):
            return a
        return self._int(z3.Z3_mk_ite(self._ref, c.ref.as_ast(), self._int_ref(a).as_ast(),
                                      self._int_ref(b).as_ast()))

    def ite_bool(self, c: BoolT, a: BoolT, b: BoolT) -> BoolT:
        """``if c then a else b`` on Booleans."""
        if isinstance(c, bool):
            return a if c else b
        if isinstance(a, bool) or isinstance(b, bool):
            return self.or_(self.and_(c, a), self.and_(self.not_(c), b))
        return self._bool(z3.Z3_mk_ite(self._ref, c.ref.as_ast(), a.ref.as_ast(), b.ref.as_ast()))

    def lex_lt(self, xs: Sequence[IntT], ys: Sequence[IntT]) -> BoolT:
        """Strict lexicographic order on equally long tuples of terms."""
        return self.lex_lt_lazy(lambda k: (xs[k], ys[k]), len(xs))

    def lex_lt_lazy(self, pair: Callable[[int], tuple[IntT, IntT]], width: int) -> BoolT:
        """Lexicographic ``<`` of two tuples whose ``k``-th components ``pair(k)`` gives.

        Components are asked for only while the earlier ones may be equal, so a decided
        comparison of the first components (constant times) never builds the others.
        """
        cases: list[BoolT] = []
        equal_so_far: list[BoolT] = []
        for k in range(width):
            x, y = pair(k)
            case = self.all_((*equal_so_far, self.lt(x, y)))
            if case is True:
                return True
            cases.append(case)
            same = self.eq(x, y)
            if same is False:
                break
            equal_so_far.append(same)
        return self.any_(cases)


class Solver:
    """One Z3 solver in a :class:`Terms` context, with a time limit per check."""

    __slots__ = ("terms", "_solver", "_model")

    def __init__(self, terms: Terms, timeout_seconds: float | None = None, *,
                 tuned: bool = False) -> None:
        self.terms = terms
        self._solver: Any = (z3.Solver(ctx=terms.ctx) if terms.width is None
                             else z3.SolverFor("QF_BV", ctx=terms.ctx))
        if tuned and terms.width is None:
            # the older arithmetic solver is markedly faster on these difference-logic-like
            # problems (measured in benchmarks/bench_z3_bounds.py)
            self._solver.set("smt.arith.solver", 2)
        if timeout_seconds is not None:
            self.set_timeout(timeout_seconds)
        self._model: Any = None

    def add(self, fact: BoolT) -> None:
        """Assert ``fact``."""
        self._solver.add(self.terms._bool_ref(fact))

    def add_all(self, facts: Iterable[BoolT]) -> None:
        """Assert every fact."""
        for f in facts:
            self.add(f)

    def set_timeout(self, seconds: float) -> None:
        """Time limit of the next checks."""
        self._solver.set("timeout", max(1, int(seconds * 1000)))

    def check_with(self, fact: BoolT) -> CheckOutcome:
        """Check with ``fact`` asserted for this check only (push, assert, check, pop).

        The model of a ``sat`` answer stays readable after the pop.
        """
        self._solver.push()
        try:
            self.add(fact)
            return self.check()
        finally:
            self._solver.pop()

    def check(self) -> CheckOutcome:
        """``sat`` (a model is available), ``unsat`` or ``unknown`` (time limit, incompleteness)."""
        res: Any = self._solver.check()
        self._model = self._solver.model() if res == z3.sat else None
        if res == z3.sat:
            return "sat"
        if res == z3.unsat:
            return "unsat"
        return "unknown"

    def reason_unknown(self) -> str:
        """Z3's explanation of the last ``unknown``."""
        return str(self._solver.reason_unknown())

    def int_value(self, x: IntT) -> int:
        """Value of ``x`` in the last model (unconstrained variables read as 0)."""
        if isinstance(x, int):
            return x
        v: Any = self._require_model().eval(x.ref, model_completion=True)
        if self.terms.width is None:
            return int(v.as_long())
        return int(v.as_signed_long())

    def bool_value(self, x: BoolT) -> bool:
        """Value of ``x`` in the last model."""
        if isinstance(x, bool):
            return x
        v: Any = self._require_model().eval(x.ref, model_completion=True)
        return bool(z3.is_true(v))

    def _require_model(self) -> Any:
        if self._model is None:
            raise VerifyError("no model: the last check was not sat")
        return self._model


def monotonic() -> float:
    """Seconds on a monotonic clock (for the ``seconds`` of a proof result)."""
    return time.monotonic()
