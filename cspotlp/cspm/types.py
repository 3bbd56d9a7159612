"""CSPm types and type classes, after libcspm's type system (unification is in ``unify``).

Types: ``Int``, ``Bool``, ``Char``, ``Proc``, ``Event``, datatypes, ``{t}`` (sets), ``<t>``
(sequences), tuples, functions ``(a, b) -> c``, maps ``(|k => v|)``, and the three dot types
that make CSPm's events and constructors typeable:

- ``a.b`` (:class:`TDot`): a dotted value whose parts have types a and b;
- ``a=>b=>T`` (:class:`TDotable`): something that, dotted with an ``a`` and then a ``b``,
  yields a ``T`` (a channel ``c : A.B`` has type ``A=>B=>Event``, a constructor ``C.A`` of
  datatype ``D`` has type ``A=>D``);
- ``a=>*T`` (:class:`TExt`): something that some number (maybe zero) of dots extend to a ``T``
  (what ``{| x |}`` needs of ``x``).

Type classes (constraints on type variables): ``Eq`` (comparable), ``Ord`` (ordered),
``Complete`` (can be input on a channel), ``Set`` (can form sets), ``Yieldable`` (can be the
result of a dotable: ``Event`` or a datatype).

Dot lists are evaluated with libcspm's rules: a variable standing last after a dotable takes
all remaining arguments (longest match, so in ``c?x`` with ``c : A.B``, ``x : A.B``); a
variable followed by more items takes exactly one (shortest match).

Types are small (their depth is that of the type constructors a script writes), so the
functions here recurse on type structure; traversals of syntax trees never do.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

EQ, ORD, COMPLETE, SET, YIELDABLE = "Eq", "Ord", "Complete", "Set", "Yieldable"
CONSTRAINTS = (EQ, ORD, COMPLETE, SET, YIELDABLE)


class Type:
    """Base of types. Everything but :class:`TVar` is immutable and compares structurally."""

    __slots__ = ()


class TVar(Type):
    """A unification variable with type-class constraints and a let-level for generalisation.

    A *rigid* variable (``rigid`` is its name) is a type variable of a type annotation: it
    stands for any type, so it can be equated with no particular type, and it has exactly
    the constraints the annotation gives it.
    """

    __slots__ = ("constraints", "id", "level", "ref", "rigid")
    _ids = itertools.count()

    def __init__(self, level: int, constraints: Iterable[str] = ()) -> None:
        self.id = next(TVar._ids)
        self.level = level
        self.constraints: set[str] = set(constraints)
        self.ref: Type | None = None
        self.rigid: str | None = None

    def __repr__(self) -> str:
        return f"TVar({self.id})"


@dataclass(frozen=True, slots=True)
class TCon(Type):
    """A base type: Int, Bool, Char, Proc or Event."""

    name: str


@dataclass(frozen=True, slots=True)
class TData(Type):
    """A user datatype, by name."""

    name: str


@dataclass(frozen=True, slots=True)
class TSet(Type):
    """``{elem}``."""

    elem: Type


@dataclass(frozen=True, slots=True)
class TSeq(Type):
    """``<elem>``."""

    elem: Type


@dataclass(frozen=True, slots=True)
class TTuple(Type):
    """``(t1, ..., tn)``."""

    items: tuple[Type, ...]


@dataclass(frozen=True, slots=True)
class TFun(Type):
    """``(a1, ..., an) -> result``."""

    args: tuple[Type, ...]
    result: Type


@dataclass(frozen=True, slots=True)
class TMap(Type):
    """``(|key => value|)``."""

    key: Type
    value: Type


@dataclass(frozen=True, slots=True)
class TDot(Type):
    """``t1.t2...tn`` (n >= 2), the type of a dotted value."""

    items: tuple[Type, ...]


@dataclass(frozen=True, slots=True)
class TDotable(Type):
    """``a1=>...=>an=>result``: dotting with a1..an yields a ``result``."""

    args: tuple[Type, ...]
    result: Type


@dataclass(frozen=True, slots=True)
class TExt(Type):
    """``=>*target``: extendable by zero or more dots to a ``target``."""

    target: Type


INT, BOOL, CHAR, PROC, EVENT = (TCon(n) for n in ("Int", "Bool", "Char", "Proc", "Event"))


@dataclass(frozen=True, slots=True)
class Scheme:
    """A polymorphic type: ``forall vars. body`` (each variable keeps its constraints)."""

    vars: tuple[TVar, ...]
    body: Type


class ConstraintError(Exception):
    """A type does not belong to a type class."""

    def __init__(self, constraint: str, type_: Type) -> None:
        super().__init__("constraint")
        self.constraint = constraint
        self.type = type_


def prune(t: Type) -> Type:
    """Follow bound variables to the type they stand for (with path compression)."""
    if not isinstance(t, TVar) or t.ref is None:
        return t
    chain: list[TVar] = []
    cur: Type = t
    while isinstance(cur, TVar) and cur.ref is not None:
        chain.append(cur)
        cur = cur.ref
    for v in chain:
        v.ref = cur
    return cur


def make_dot(items: list[Type]) -> Type:
    """The type of dotting ``items`` (flattened); a single item is itself."""
    flat = dot_items(items)
    return flat[0] if len(flat) == 1 else TDot(tuple(flat))


def make_dotable(args: list[Type], result: Type) -> Type:
    """``args[0]=>...=>result`` in normal form (``result`` itself when there are no args)."""
    more, res = dotable_parts(result)
    all_args = dot_items(args) + more
    return TDotable(tuple(all_args), res) if all_args else res


def dot_items(items: Iterable[Type]) -> list[Type]:
    """Prune and flatten nested dots."""
    out: list[Type] = []
    stack = list(reversed(list(items)))
    while stack:
        t = prune(stack.pop())
        if isinstance(t, TDot):
            stack.extend(reversed(t.items))
        else:
            out.append(t)
    return out


def dotable_parts(t: Type) -> tuple[list[Type], Type]:
    """The arguments and the ultimate result of a dotable (``([], t)`` for anything else)."""
    args: list[Type] = []
    t = prune(t)
    while isinstance(t, TDotable):
        args.extend(dot_items(t.args))
        t = prune(t.result)
    return args, t


# --- type classes -------------------------------------------------------------------------------


class Classes:
    """Which datatypes are comparable for equality (decided when each datatype is checked)."""

    def __init__(self) -> None:
        self.datatype_eq: dict[str, bool] = {}


def _atom_has(c: str, t: TCon) -> bool:
    table = {
        "Int": {EQ, ORD, COMPLETE, SET},
        "Char": {EQ, ORD, COMPLETE, SET},
        "Bool": {EQ, COMPLETE, SET},
        "Event": {EQ, COMPLETE, SET, YIELDABLE},
        "Proc": {SET, COMPLETE},
    }
    return c in table[t.name]


def implied(c: str, constraints: set[str]) -> bool:
    """Whether a variable with ``constraints`` is in class ``c`` (Ord implies Eq)."""
    return c in constraints or (c == EQ and ORD in constraints)


def require(c: str, t: Type, classes: Classes) -> None:
    """Make ``t`` an instance of class ``c`` (constraining variables) or raise ConstraintError.

    The instances are libcspm's: sets and sequences are ordered by inclusion and prefix,
    which needs only equality of their elements; sets, sequences, tuples and maps of
    anything can be input (``Complete``); processes form sets but cannot be compared.
    """
    t = prune(t)
    if isinstance(t, TVar):
        if t.rigid is not None:
            if not implied(c, t.constraints):
                raise ConstraintError(c, t)
            return
        t.constraints.add(c)
        return
    if isinstance(t, TCon):
        if not _atom_has(c, t):
            raise ConstraintError(c, t)
        return
    if isinstance(t, TData):
        if c == ORD or (c in (EQ, SET) and not classes.datatype_eq.get(t.name, True)):
            raise ConstraintError(c, t)
        return
    if isinstance(t, TSet | TSeq):
        if c == YIELDABLE:
            raise ConstraintError(c, t)
        if c != COMPLETE:
            require(SET if c == SET else EQ, t.elem, classes)
        return
    if isinstance(t, TTuple):
        if c == YIELDABLE:
            raise ConstraintError(c, t)
        if c != COMPLETE:
            for item in t.items:
                require(c, item, classes)
        return
    if isinstance(t, TDot):
        if c in (YIELDABLE, ORD):
            raise ConstraintError(c, t)
        for item in t.items:
            require(c, item, classes)
        return
    if isinstance(t, TMap):
        if c == YIELDABLE:
            raise ConstraintError(c, t)
        if c != COMPLETE:
            require(c, t.key, classes)
            require(c, t.value, classes)
        return
    if isinstance(t, TDotable):
        if c not in (EQ, SET):
            raise ConstraintError(c, t)
        for item in (*t.args, t.result):
            require(c, item, classes)
        return
    if isinstance(t, TExt):
        if c == ORD:
            raise ConstraintError(c, t)
        require(c, t.target, classes)
        return
    raise ConstraintError(c, t)


def satisfies(c: str, t: Type, classes: Classes) -> bool:
    """Whether ``t`` is in class ``c`` without constraining anything (variables say yes)."""
    t = prune(t)
    if isinstance(t, TVar):
        return t.rigid is None or implied(c, t.constraints)
    if isinstance(t, TSeq | TSet):
        return c != YIELDABLE and (c == COMPLETE or satisfies(SET if c == SET else EQ,
                                                               t.elem, classes))
    if isinstance(t, TTuple):
        return c != YIELDABLE and (c == COMPLETE or all(satisfies(c, x, classes)
                                                        for x in t.items))
    if isinstance(t, TDot):
        return c not in (YIELDABLE, ORD) and all(satisfies(c, x, classes) for x in t.items)
    if isinstance(t, TDotable):
        return c in (EQ, SET) and all(satisfies(c, x, classes) for x in (*t.args, t.result))
    if isinstance(t, TMap):
        return c != YIELDABLE and (c == COMPLETE or all(
            satisfies(c, x, classes) for x in (t.key, t.value)))
    if isinstance(t, TFun):
        return False
    try:
        require(c, t, classes)
    except ConstraintError:
        return False
    return True


# --- free variables, generalisation, instantiation ------------------------------------------------


def free_vars(t: Type) -> Iterator[TVar]:
    """Unbound variables of ``t`` in order of appearance (repeats possible)."""
    stack: list[Type] = [t]
    while stack:
        cur = prune(stack.pop())
        if isinstance(cur, TVar):
            yield cur
        elif isinstance(cur, TSet | TSeq):
            stack.append(cur.elem)
        elif isinstance(cur, TTuple | TDot):
            stack.extend(reversed(cur.items))
        elif isinstance(cur, TFun | TDotable):
            stack.append(cur.result)
            stack.extend(reversed(cur.args))
        elif isinstance(cur, TMap):
            stack.extend((cur.value, cur.key))
        elif isinstance(cur, TExt):
            stack.append(cur.target)


def generalise(t: Type, level: int) -> Scheme:
    """Quantify the variables of ``t`` created deeper than ``level``."""
    seen: dict[int, TVar] = {}
    for v in free_vars(t):
        if v.level > level:
            seen.setdefault(v.id, v)
    return Scheme(tuple(seen.values()), t)


def instantiate(s: Scheme | Type, level: int) -> Type:
    """A fresh copy of a scheme's body (plain types are returned as they are)."""
    if not isinstance(s, Scheme) or not s.vars:
        return s.body if isinstance(s, Scheme) else s
    mapping = {v.id: TVar(level, v.constraints) for v in s.vars}
    return substitute(s.body, mapping)


def substitute(t: Type, mapping: dict[int, TVar]) -> Type:
    """Replace the variables in ``mapping`` (by id) throughout ``t``."""
    t = prune(t)
    if isinstance(t, TVar):
        return mapping.get(t.id, t)
    if isinstance(t, TSet):
        return TSet(substitute(t.elem, mapping))
    if isinstance(t, TSeq):
        return TSeq(substitute(t.elem, mapping))
    if isinstance(t, TTuple):
        return TTuple(tuple(substitute(x, mapping) for x in t.items))
    if isinstance(t, TDot):
        return TDot(tuple(substitute(x, mapping) for x in t.items))
    if isinstance(t, TFun):
        return TFun(tuple(substitute(x, mapping) for x in t.args), substitute(t.result, mapping))
    if isinstance(t, TDotable):
        return TDotable(tuple(substitute(x, mapping) for x in t.args),
                        substitute(t.result, mapping))
    if isinstance(t, TMap):
        return TMap(substitute(t.key, mapping), substitute(t.value, mapping))
    if isinstance(t, TExt):
        return TExt(substitute(t.target, mapping))
    return t


def resolve(t: Type) -> Type:
    """``t`` with every bound variable replaced by what it stands for."""
    return substitute(t, {})


# --- printing -------------------------------------------------------------------------------------


class TypePrinter:
    """Prints types with variables named a, b, c... in order of first appearance."""

    def __init__(self) -> None:
        self.names: dict[int, str] = {}

    def var_name(self, v: TVar) -> str:
        """The display name of a variable (stable for this printer)."""
        if v.id not in self.names:
            n = len(self.names)
            letter = chr(ord("a") + n % 26)
            self.names[v.id] = letter if n < 26 else f"{letter}{n // 26}"
        return self.names[v.id]

    def show(self, t: Type, prec: int = 0) -> str:
        """Text of ``t``; ``prec`` > 0 parenthesises dots and dotables."""
        t = prune(t)
        if isinstance(t, TVar):
            return self.var_name(t)
        if isinstance(t, TCon | TData):
            return t.name
        if isinstance(t, TSet):
            return "{" + self.show(t.elem) + "}"
        if isinstance(t, TSeq):
            return "<" + self.show(t.elem) + ">"
        if isinstance(t, TTuple):
            return "(" + ", ".join(self.show(x) for x in t.items) + ")"
        if isinstance(t, TFun):
            return "(" + ", ".join(self.show(x) for x in t.args) + ") -> " + self.show(t.result)
        if isinstance(t, TMap):
            return f"(|{self.show(t.key)} => {self.show(t.value)}|)"
        if isinstance(t, TDot):
            text = ".".join(self.show(x, 1) for x in t.items)
        elif isinstance(t, TDotable):
            text = "=>".join(self.show(x, 1) for x in (*t.args, t.result))
        elif isinstance(t, TExt):
            text = "=>*" + self.show(t.target, 1)
        else:
            text = type(t).__name__
        return f"({text})" if prec else text

    def show_scheme(self, t: Type) -> str:
        """Text of ``t`` preceded by the constraints on its variables, e.g. ``(Eq a) => a=>Event``."""
        body = self.show(t)
        cons: list[str] = []
        seen: set[int] = set()
        for v in free_vars(t):
            if v.id in seen:
                continue
            seen.add(v.id)
            cons.extend(f"{c} {self.var_name(v)}" for c in sorted(v.constraints))
        if not cons:
            return body
        head = cons[0] if len(cons) == 1 else "(" + ", ".join(cons) + ")"
        return f"{head} => {body}"


def show_type(t: Type) -> str:
    """Text of one type (variables named from ``a``)."""
    return TypePrinter().show(t)
