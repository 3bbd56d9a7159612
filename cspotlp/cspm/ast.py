"""The abstract syntax of CSPm scripts, as the parser builds it.

Every node is a frozen dataclass with a :class:`Span` (where it came from) as its keyword-only
``span`` field. Nodes compare by identity (``eq=False``): an AST can be 10^5 levels deep, and a
dataclass ``__eq__`` or ``__hash__`` would recurse. Use :func:`cspotlp.cspm.traverse.ast_equal` to
compare two trees structurally (ignoring positions), and the iterative helpers of
:mod:`cspotlp.cspm.traverse` to traverse them. Because nodes hash by identity they make good keys
for side tables (the scope resolution and the inferred types are such tables).

The tree keeps no parentheses: the printer adds the minimal ones. Dotted expressions are flat
(``a.(b.c)`` and ``a.b.c`` are the same :class:`DotExp`), as CSPm's dot values are.

Layers:

- :class:`Exp` expressions (values, functions and processes share one syntax in CSPm);
- :class:`Pat` patterns (left-hand sides, inputs ``c?p``, generators ``p <- S``);
- :class:`Field` prefix fields (``?p``, ``$p``, ``!e``) and :class:`Stmt` comprehension statements;
- :class:`Decl` declarations, :class:`Assertion` assertion bodies, and the :class:`Script`.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Span:
    """A region of a source file: 1-based start and end positions (end column is exclusive)."""

    file: str
    line: int
    column: int
    end_line: int
    end_column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


NO_SPAN = Span("<generated>", 0, 0, 0, 0)
"""The span of nodes built by code rather than read from a file."""


@dataclass(frozen=True, eq=False, slots=True)
class Node:
    """Base of every syntax node."""

    span: Span = field(default=NO_SPAN, kw_only=True, repr=False)


# --------------------------------------------------------------------------------------------
# Operators
# --------------------------------------------------------------------------------------------


class BinOp(enum.Enum):
    """Binary operators on values (arithmetic, comparison, boolean, sequence concatenation)."""

    PLUS = "+"
    MINUS = "-"
    TIMES = "*"
    DIV = "/"
    MOD = "%"
    EQ = "=="
    NE = "!="
    LT = "<"
    GT = ">"
    LE = "<="
    GE = ">="
    AND = "and"
    OR = "or"
    CONCAT = "^"


class UnOp(enum.Enum):
    """Prefix operators on values: negation, boolean not, sequence length ``#``."""

    NEG = "-"
    NOT = "not"
    LEN = "#"


class ProcOp(enum.Enum):
    """Binary process operators whose two operands are both processes."""

    EXT_CHOICE = "[]"
    INT_CHOICE = "|~|"
    SEQ = ";"
    INTERLEAVE = "|||"
    INTERRUPT = "/\\"
    SLIDING = "[>"


class RepOp(enum.Enum):
    """Replicated process operators of the plain form ``op stmts @ P``."""

    EXT_CHOICE = "[]"
    INT_CHOICE = "|~|"
    INTERLEAVE = "|||"
    SEQ = ";"


class Model(enum.Enum):
    """Semantic models of refinement checks (``[T=`` ... ``[VD=``) and property checks."""

    TRACES = "T"
    FAILURES = "F"
    FAILURES_DIVERGENCES = "FD"
    REFUSALS = "R"
    REFUSALS_DIVERGENCES = "RD"
    REVIVALS = "V"
    REVIVALS_DIVERGENCES = "VD"


class Property(enum.Enum):
    """The process properties an assertion can check (``:[deadlock free]`` ...)."""

    DEADLOCK_FREE = "deadlock free"
    DIVERGENCE_FREE = "divergence free"
    DETERMINISTIC = "deterministic"


# --------------------------------------------------------------------------------------------
# Patterns
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False, slots=True)
class Pat(Node):
    """Base of patterns."""


@dataclass(frozen=True, eq=False, slots=True)
class PVar(Pat):
    """A variable, or a datatype constructor / channel when the name is one (scope decides)."""

    name: str


@dataclass(frozen=True, eq=False, slots=True)
class PWild(Pat):
    """``_``: matches anything, binds nothing."""


@dataclass(frozen=True, eq=False, slots=True)
class PInt(Pat):
    """An integer literal pattern (may be negative: ``f(-1) = ...``)."""

    value: int


@dataclass(frozen=True, eq=False, slots=True)
class PBool(Pat):
    """``true`` or ``false``."""

    value: bool


@dataclass(frozen=True, eq=False, slots=True)
class PChar(Pat):
    """A character literal pattern."""

    value: str


@dataclass(frozen=True, eq=False, slots=True)
class PString(Pat):
    """A string literal pattern (a sequence of characters)."""

    value: str


@dataclass(frozen=True, eq=False, slots=True)
class PTuple(Pat):
    """``(p1, ..., pn)`` with n >= 2."""

    items: tuple[Pat, ...]


@dataclass(frozen=True, eq=False, slots=True)
class PDot(Pat):
    """``p1.p2...pn`` with n >= 2, flat."""

    items: tuple[Pat, ...]


@dataclass(frozen=True, eq=False, slots=True)
class PSeq(Pat):
    """``<p1, ..., pn>`` (``<>`` when empty)."""

    items: tuple[Pat, ...]


@dataclass(frozen=True, eq=False, slots=True)
class PConcat(Pat):
    """``p1 ^ p2`` on sequences."""

    left: Pat
    right: Pat


@dataclass(frozen=True, eq=False, slots=True)
class PSet(Pat):
    """``{}`` or ``{p}``: the empty set or a singleton set."""

    items: tuple[Pat, ...]


@dataclass(frozen=True, eq=False, slots=True)
class PDouble(Pat):
    """``p1 @@ p2``: the value must match both patterns."""

    left: Pat
    right: Pat


# --------------------------------------------------------------------------------------------
# Expressions
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False, slots=True)
class Exp(Node):
    """Base of expressions (values, functions and processes)."""


@dataclass(frozen=True, eq=False, slots=True)
class Var(Exp):
    """A name: variable, function, channel, constructor, datatype or built-in."""

    name: str


@dataclass(frozen=True, eq=False, slots=True)
class IntLit(Exp):
    """A non-negative integer literal (``-1`` is ``UnaryOp(NEG, IntLit(1))``)."""

    value: int


@dataclass(frozen=True, eq=False, slots=True)
class BoolLit(Exp):
    """``true`` or ``false``."""

    value: bool


@dataclass(frozen=True, eq=False, slots=True)
class CharLit(Exp):
    """A character literal ``'c'``."""

    value: str


@dataclass(frozen=True, eq=False, slots=True)
class StringLit(Exp):
    """A string literal ``"..."``: a sequence of characters."""

    value: str


@dataclass(frozen=True, eq=False, slots=True)
class App(Exp):
    """Function application ``f(a1, ..., an)`` (n may be 0)."""

    func: Exp
    args: tuple[Exp, ...]


@dataclass(frozen=True, eq=False, slots=True)
class UnaryOp(Exp):
    """``-e``, ``not e`` or ``#e``."""

    op: UnOp
    operand: Exp


@dataclass(frozen=True, eq=False, slots=True)
class BinaryOp(Exp):
    """A binary value operator, see :class:`BinOp`."""

    op: BinOp
    left: Exp
    right: Exp


@dataclass(frozen=True, eq=False, slots=True)
class DotExp(Exp):
    """``e1.e2...en`` with n >= 2: events, constructor applications, dotted values."""

    items: tuple[Exp, ...]


@dataclass(frozen=True, eq=False, slots=True)
class If(Exp):
    """``if cond then then_branch else else_branch``."""

    cond: Exp
    then_branch: Exp
    else_branch: Exp


@dataclass(frozen=True, eq=False, slots=True)
class Let(Exp):
    """``let decls within body`` (only bindings, ``transparent`` and ``external`` in decls).

    ``module`` marks the ``let`` that checks a parameterised module's body (see
    :mod:`cspotlp.cspm.modules`): it may declare anything, and its definitions are
    generalised as top-level ones are.
    """

    decls: tuple[Decl, ...]
    body: Exp
    module: bool = False


@dataclass(frozen=True, eq=False, slots=True)
class Lambda(Exp):
    r"""``\p1, ..., pn @ body``."""

    params: tuple[Pat, ...]
    body: Exp


@dataclass(frozen=True, eq=False, slots=True)
class TupleExp(Exp):
    """``(e1, ..., en)`` with n >= 2."""

    items: tuple[Exp, ...]


@dataclass(frozen=True, eq=False, slots=True)
class SeqExp(Exp):
    """``<e1, ..., en>`` (``<>`` when empty)."""

    items: tuple[Exp, ...]


@dataclass(frozen=True, eq=False, slots=True)
class SeqRange(Exp):
    """``<low..high>`` or the infinite ``<low..>`` (``high`` is None)."""

    low: Exp
    high: Exp | None


@dataclass(frozen=True, eq=False, slots=True)
class SeqComp(Exp):
    """``<e1, ..., en | stmts>``."""

    items: tuple[Exp, ...]
    stmts: tuple[Stmt, ...]


@dataclass(frozen=True, eq=False, slots=True)
class SeqRangeComp(Exp):
    """``<low..high | stmts>``: the ranges for each binding, concatenated."""

    low: Exp
    high: Exp | None
    stmts: tuple[Stmt, ...]


@dataclass(frozen=True, eq=False, slots=True)
class SetExp(Exp):
    """``{e1, ..., en}`` (``{}`` when empty)."""

    items: tuple[Exp, ...]


@dataclass(frozen=True, eq=False, slots=True)
class SetRange(Exp):
    """``{low..high}`` or the infinite ``{low..}``."""

    low: Exp
    high: Exp | None


@dataclass(frozen=True, eq=False, slots=True)
class SetComp(Exp):
    """``{e1, ..., en | stmts}``."""

    items: tuple[Exp, ...]
    stmts: tuple[Stmt, ...]


@dataclass(frozen=True, eq=False, slots=True)
class SetRangeComp(Exp):
    """``{low..high | stmts}``."""

    low: Exp
    high: Exp | None
    stmts: tuple[Stmt, ...]


@dataclass(frozen=True, eq=False, slots=True)
class EnumSet(Exp):
    """``{| e1, ..., en |}``: all events (or constructor values) extending the items."""

    items: tuple[Exp, ...]


@dataclass(frozen=True, eq=False, slots=True)
class EnumSetComp(Exp):
    """``{| e1, ..., en | stmts |}``."""

    items: tuple[Exp, ...]
    stmts: tuple[Stmt, ...]


@dataclass(frozen=True, eq=False, slots=True)
class MapExp(Exp):
    """``(| k1 => v1, ..., kn => vn |)``."""

    pairs: tuple[tuple[Exp, Exp], ...]


# --- processes -------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False, slots=True)
class Field(Node):
    """Base of prefix fields."""


@dataclass(frozen=True, eq=False, slots=True)
class Output(Field):
    """``!e``."""

    value: Exp


@dataclass(frozen=True, eq=False, slots=True)
class Input(Field):
    """``?p`` or ``?p:S`` (``restriction`` is S)."""

    pattern: Pat
    restriction: Exp | None


@dataclass(frozen=True, eq=False, slots=True)
class NondetInput(Field):
    """``$p`` or ``$p:S``: an internal choice over the values (UCS p.395)."""

    pattern: Pat
    restriction: Exp | None


@dataclass(frozen=True, eq=False, slots=True)
class Prefix(Exp):
    """``event fields -> body``; with no fields, ``event`` is a complete event."""

    event: Exp
    fields: tuple[Field, ...]
    body: Exp


@dataclass(frozen=True, eq=False, slots=True)
class Guard(Exp):
    """``cond & body``: body if cond holds, otherwise STOP."""

    cond: Exp
    body: Exp


@dataclass(frozen=True, eq=False, slots=True)
class ProcBinary(Exp):
    """A binary operator on two processes, see :class:`ProcOp`."""

    op: ProcOp
    left: Exp
    right: Exp


@dataclass(frozen=True, eq=False, slots=True)
class Hide(Exp):
    r"""``proc \ events``."""

    proc: Exp
    events: Exp


@dataclass(frozen=True, eq=False, slots=True)
class Project(Exp):
    r"""``proc |\ events``: hide everything except events."""

    proc: Exp
    events: Exp


@dataclass(frozen=True, eq=False, slots=True)
class GenPar(Exp):
    """``left [| sync |] right``."""

    left: Exp
    sync: Exp
    right: Exp


@dataclass(frozen=True, eq=False, slots=True)
class AlphaPar(Exp):
    """``left [left_alpha || right_alpha] right``."""

    left: Exp
    left_alpha: Exp
    right_alpha: Exp
    right: Exp


@dataclass(frozen=True, eq=False, slots=True)
class ExceptionOp(Exp):
    """``left [| events |> right``: left until it performs an event of ``events``."""

    left: Exp
    events: Exp
    right: Exp


@dataclass(frozen=True, eq=False, slots=True)
class LinkPar(Exp):
    """``left [a1 <-> b1, ... | stmts] right``."""

    left: Exp
    ties: tuple[tuple[Exp, Exp], ...]
    stmts: tuple[Stmt, ...]
    right: Exp


@dataclass(frozen=True, eq=False, slots=True)
class SyncExtChoice(Exp):
    """``left [+ events +] right``: external choice synchronising on ``events``."""

    left: Exp
    events: Exp
    right: Exp


@dataclass(frozen=True, eq=False, slots=True)
class SyncInterrupt(Exp):
    r"""``left /+ events +\ right``."""

    left: Exp
    events: Exp
    right: Exp


@dataclass(frozen=True, eq=False, slots=True)
class Rename(Exp):
    """``proc [[old1 <- new1, ... | stmts]]``."""

    proc: Exp
    pairs: tuple[tuple[Exp, Exp], ...]
    stmts: tuple[Stmt, ...]


@dataclass(frozen=True, eq=False, slots=True)
class Replicated(Exp):
    """``op stmts @ body`` for ``[]``, ``|~|``, ``|||`` and ``;``."""

    op: RepOp
    stmts: tuple[Stmt, ...]
    body: Exp


@dataclass(frozen=True, eq=False, slots=True)
class RepAlphaPar(Exp):
    """``|| stmts @ [alphabet] body``."""

    stmts: tuple[Stmt, ...]
    alphabet: Exp
    body: Exp


@dataclass(frozen=True, eq=False, slots=True)
class RepGenPar(Exp):
    """``[| sync |] stmts @ body``."""

    sync: Exp
    stmts: tuple[Stmt, ...]
    body: Exp


@dataclass(frozen=True, eq=False, slots=True)
class RepLinkPar(Exp):
    """``[a <-> b, ... | tie_stmts] stmts @ body``."""

    ties: tuple[tuple[Exp, Exp], ...]
    tie_stmts: tuple[Stmt, ...]
    stmts: tuple[Stmt, ...]
    body: Exp


@dataclass(frozen=True, eq=False, slots=True)
class RepSyncExtChoice(Exp):
    """``[+ events +] stmts @ body``."""

    events: Exp
    stmts: tuple[Stmt, ...]
    body: Exp


# --- statements ------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False, slots=True)
class Stmt(Node):
    """Base of comprehension statements."""


@dataclass(frozen=True, eq=False, slots=True)
class Generator(Stmt):
    """``pattern <- source`` (also written ``pattern : source`` in replicated operators)."""

    pattern: Pat
    source: Exp


@dataclass(frozen=True, eq=False, slots=True)
class Qualifier(Stmt):
    """A boolean filter."""

    cond: Exp


# --------------------------------------------------------------------------------------------
# Declarations
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False, slots=True)
class Ident(Node):
    """A declared name with its own position (channel names, transparent names)."""

    name: str


@dataclass(frozen=True, eq=False, slots=True)
class Decl(Node):
    """Base of declarations."""


@dataclass(frozen=True, eq=False, slots=True)
class Clause(Node):
    """One equation ``f(p11, ...)(p21, ...) = body`` of a function."""

    params: tuple[tuple[Pat, ...], ...]
    body: Exp


@dataclass(frozen=True, eq=False, slots=True)
class FunBind(Decl):
    """A function defined by one or more consecutive equations."""

    name: str
    clauses: tuple[Clause, ...]


@dataclass(frozen=True, eq=False, slots=True)
class PatBind(Decl):
    """``pattern = body`` (``P = ...`` is a pattern binding of the variable P)."""

    pattern: Pat
    body: Exp


@dataclass(frozen=True, eq=False, slots=True)
class ChannelDecl(Decl):
    """``channel c1, c2 : T`` (``type_expr`` None for plain events)."""

    names: tuple[Ident, ...]
    type_expr: Exp | None


@dataclass(frozen=True, eq=False, slots=True)
class DataClause(Node):
    """``Name`` or ``Name.T`` in a datatype or subtype declaration."""

    name: str
    type_expr: Exp | None


@dataclass(frozen=True, eq=False, slots=True)
class DataTypeDecl(Decl):
    """``datatype T = C1.T1 | C2 | ...``."""

    name: str
    clauses: tuple[DataClause, ...]


@dataclass(frozen=True, eq=False, slots=True)
class SubTypeDecl(Decl):
    """``subtype T = C1.S1 | C2 | ...`` restricting constructors of one datatype."""

    name: str
    clauses: tuple[DataClause, ...]


@dataclass(frozen=True, eq=False, slots=True)
class NameTypeDecl(Decl):
    """``nametype T = type_expr``."""

    name: str
    type_expr: Exp


@dataclass(frozen=True, eq=False, slots=True)
class Assertion(Node):
    """Base of assertion bodies."""


@dataclass(frozen=True, eq=False, slots=True)
class Refinement(Assertion):
    """``spec [M= impl`` optionally ``:[tau priority]: tau_priority``.

    ``partial_order`` is None without ``:[partial order reduce]``, ``""`` with it, or the
    option's mode (``"fast"``, ``"precise"``, ``"hybrid"``) when one is given in brackets.
    """

    spec: Exp
    model: Model
    impl: Exp
    tau_priority: Exp | None
    partial_order: str | None = None


@dataclass(frozen=True, eq=False, slots=True)
class PropertyCheck(Assertion):
    """``process :[property [model]]`` (options as for :class:`Refinement`)."""

    process: Exp
    prop: Property
    model: Model | None
    tau_priority: Exp | None
    partial_order: str | None = None


@dataclass(frozen=True, eq=False, slots=True)
class HasTrace(Assertion):
    """``process :[has trace [model]]: trace`` (options as for :class:`Refinement`)."""

    process: Exp
    model: Model | None
    trace: Exp
    tau_priority: Exp | None = None
    partial_order: str | None = None


@dataclass(frozen=True, eq=False, slots=True)
class AssertDecl(Decl):
    """``assert body`` or ``assert not body``."""

    assertion: Assertion
    negated: bool


@dataclass(frozen=True, eq=False, slots=True)
class TransparentDecl(Decl):
    """``transparent f, g``: brings FDR's compression functions into scope."""

    names: tuple[Ident, ...]


@dataclass(frozen=True, eq=False, slots=True)
class ExternalDecl(Decl):
    """``external f, g``: brings FDR's external functions (``chase``, ``prioritise``...) into scope."""

    names: tuple[Ident, ...]


@dataclass(frozen=True, eq=False, slots=True)
class IncludeDecl(Decl):
    """``include "path"``, kept only by :func:`parse_script`; :func:`parse_file` inlines it."""

    path: str


@dataclass(frozen=True, eq=False, slots=True)
class PrintDecl(Decl):
    """``print expression``: FDR prints the value when it loads the script.

    As in libcspm the rest of the line is kept as text (``text``); :func:`parse_expr` reads
    it when it is evaluated.
    """

    text: str


@dataclass(frozen=True, eq=False, slots=True)
class TimedSection(Decl):
    """``Timed (function) { decls }``: processes defined inside follow tock-CSP's timing.

    ``function`` maps each event to the number of ``tock`` s it takes (None: one each).
    The declarations belong to the enclosing group, as if written outside the section.
    """

    function: Exp | None
    decls: tuple[Decl, ...]


@dataclass(frozen=True, eq=False, slots=True)
class ModuleDecl(Decl):
    """``module Name(params) private-decls exports public-decls endmodule``.

    ``params`` is None for a module without a parameter list; a parameterised module is a
    template: only its instances (``instance N = Name(args)``) define names.
    """

    name: str
    params: tuple[Pat, ...] | None
    private: tuple[Decl, ...]
    exports: tuple[Decl, ...]


@dataclass(frozen=True, eq=False, slots=True)
class InstanceDecl(Decl):
    """``instance Name = Module(args)`` (``args`` None when written without a list)."""

    name: str
    module: str
    args: tuple[Exp, ...] | None


# --- type annotations ------------------------------------------------------------------------


@dataclass(frozen=True, eq=False, slots=True)
class SType(Node):
    """Base of the types written in annotations ``name :: type``."""


@dataclass(frozen=True, eq=False, slots=True)
class STName(SType):
    """A named type (``Int``, a datatype, ``M::T``) or a type variable (any other name)."""

    name: str


@dataclass(frozen=True, eq=False, slots=True)
class STSet(SType):
    """``{t}``."""

    elem: SType


@dataclass(frozen=True, eq=False, slots=True)
class STSeq(SType):
    """``<t>``."""

    elem: SType


@dataclass(frozen=True, eq=False, slots=True)
class STTuple(SType):
    """``(t1, ..., tn)`` with n >= 2."""

    items: tuple[SType, ...]


@dataclass(frozen=True, eq=False, slots=True)
class STFunction(SType):
    """``(a1, ..., an) -> r`` (n may be 0)."""

    args: tuple[SType, ...]
    result: SType


@dataclass(frozen=True, eq=False, slots=True)
class STDot(SType):
    """``t1.t2...tn``, flat."""

    items: tuple[SType, ...]


@dataclass(frozen=True, eq=False, slots=True)
class STDotable(SType):
    """``a => r``: dotted with an ``a`` it yields an ``r``."""

    arg: SType
    result: SType


@dataclass(frozen=True, eq=False, slots=True)
class STExtendable(SType):
    """``v =>* r``: some dots (the type variable ``v``) extend it to an ``r``."""

    var: str
    result: SType


@dataclass(frozen=True, eq=False, slots=True)
class STMap(SType):
    """``(|k => v|)``."""

    key: SType
    value: SType


@dataclass(frozen=True, eq=False, slots=True)
class TypeConstraint(Node):
    """``Eq a``: the type variable ``var`` must be in ``type_class``."""

    type_class: str
    var: str


@dataclass(frozen=True, eq=False, slots=True)
class TypeScheme(Node):
    """``(Eq a, Ord b) => type``."""

    constraints: tuple[TypeConstraint, ...]
    body: SType


@dataclass(frozen=True, eq=False, slots=True)
class TypeAnnotation(Decl):
    """``n1, n2 :: scheme``: the declared type of functions, values, channels, constructors."""

    names: tuple[Ident, ...]
    scheme: TypeScheme


@dataclass(frozen=True, eq=False, slots=True)
class Script(Node):
    """A whole script: its declarations in source order, and the text of every file read.

    ``sources`` maps each file name appearing in a span to its text, so that errors found after
    parsing (scope, types, evaluation) can show the offending line.
    """

    decls: tuple[Decl, ...]
    sources: tuple[tuple[str, str], ...] = ()

