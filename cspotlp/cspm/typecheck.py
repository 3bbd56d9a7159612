"""Static type checking of CSPm scripts (Hindley-Milner with libcspm's type classes and dots).

:func:`check_script` resolves names (:mod:`cspotlp.cspm.scope`) and infers a type for every
declaration before anything is evaluated, so an ill-typed definition is rejected even when
nothing uses it. Declarations are checked one strongly connected component of the dependency
graph at a time and generalised (let-polymorphism), so ``fst((x, y)) = x`` can be used at
several types. Type classes follow libcspm: ``==`` needs ``Eq``, ``<`` needs ``Ord``, set
elements need ``Set``, inputs need ``Complete``, ``{| |}`` needs ``Yieldable``.

Errors are :class:`CspmTypeError` at the sub-expression that does not fit, worded like
libcspm's: ``couldn't match expected type Proc with actual type Int``.

The checker walks the syntax tree with :mod:`cspotlp.cspm.trampoline`, so depth is no issue.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cspotlp.cspm import ast
from cspotlp.cspm.builtins import BUILTINS
from cspotlp.cspm.modules import check_instance_cycles, elaborate, has_modules
from cspotlp.cspm.scope import Binding, Kind, Resolution, base_name, resolve_script
from cspotlp.cspm.source import located, script_sources
from cspotlp.cspm.trampoline import Step, run
from cspotlp.cspm.types import (
    BOOL,
    CHAR,
    COMPLETE,
    EQ,
    EVENT,
    INT,
    ORD,
    PROC,
    SET,
    YIELDABLE,
    Classes,
    ConstraintError,
    Scheme,
    TData,
    TDot,
    TExt,
    TFun,
    TMap,
    TSeq,
    TSet,
    TTuple,
    TVar,
    Type,
    TypePrinter,
    dot_items,
    dotable_parts,
    generalise,
    instantiate,
    make_dotable,
    prune,
    require,
    satisfies,
)
from cspotlp.cspm.unify import OccursError, Unifier, UnifyError
from cspotlp.errors import CspmError, CspmTypeError, CspmUnsupported

_ORDERED = frozenset({ast.BinOp.LT, ast.BinOp.GT, ast.BinOp.LE, ast.BinOp.GE})
_EQUALITY = frozenset({ast.BinOp.EQ, ast.BinOp.NE})
_ARITHMETIC = frozenset({ast.BinOp.PLUS, ast.BinOp.MINUS, ast.BinOp.TIMES, ast.BinOp.DIV,
                         ast.BinOp.MOD})
_MONOMORPHIC_KINDS = frozenset({Kind.CHANNEL, Kind.CONSTRUCTOR})


@dataclass
class CheckedScript:
    """A script that passed scope and type checking, with what the checkers learnt.

    ``schemes`` gives the (generalised) type of every binding, ``types`` the type inferred
    for every expression node. Types may still contain variables (polymorphic code).
    ``script`` is what was checked (and is evaluated): the script as parsed, or, when it has
    modules, the script they elaborate into (:mod:`cspotlp.cspm.modules`); ``source`` is
    always the script as parsed.
    """

    script: ast.Script
    resolution: Resolution
    schemes: dict[Binding, Scheme] = field(default_factory=dict)
    types: dict[ast.Node, Type] = field(default_factory=dict)
    source: ast.Script | None = None

    def type_of(self, node: ast.Node) -> Type:
        """The type inferred for an expression or pattern node."""
        return self.types[node]


def _dot(items: list[Type]) -> Type:
    """The (unevaluated) type of dotting values of the given types."""
    flat = dot_items(items)
    return flat[0] if len(flat) == 1 else TDot(tuple(flat))


def _decl_order(decls: tuple[ast.Decl, ...], deps: dict[ast.Decl, dict[ast.Decl, None]]
                ) -> list[list[ast.Decl]]:
    """Strongly connected components of the group, dependencies first (iterative Tarjan)."""
    position = {d: i for i, d in enumerate(decls)}
    index: dict[ast.Decl, int] = {}
    low: dict[ast.Decl, int] = {}
    on_stack: set[ast.Decl] = set()
    stack: list[ast.Decl] = []
    out: list[list[ast.Decl]] = []
    counter = 0

    def successors(d: ast.Decl) -> list[ast.Decl]:
        return [x for x in deps.get(d, {}) if x in position]

    for root in decls:
        if root in index:
            continue
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        work = [(root, iter(successors(root)))]
        while work:
            node, it = work[-1]
            descended = False
            for w in it:
                if w not in index:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(successors(w))))
                    descended = True
                    break
                if w in on_stack:
                    low[node] = min(low[node], index[w])
            if descended:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                scc: list[ast.Decl] = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    scc.append(w)
                    if w is node:
                        break
                scc.sort(key=lambda d: (not isinstance(d, ast.DataTypeDecl), position[d]))
                out.append(scc)
    return out


class _Checker:
    def __init__(self, script: ast.Script, resolution: Resolution) -> None:
        self.script = script
        self.res = resolution
        self.sources = script_sources(script)
        self.classes = Classes()
        self.u = Unifier(self.classes)
        self.env: dict[Binding, Scheme | Type] = {}
        self.types: dict[ast.Node, Type] = {}
        self.current: ast.Decl | None = None

    # --- errors ----------------------------------------------------------------------------------

    def fail(self, message: str, node: ast.Node) -> CspmTypeError:
        err = located(CspmTypeError, message, node.span, self.sources)
        assert isinstance(err, CspmTypeError)
        return err

    def explain(self, e: Exception, expected: Type | None, actual: Type | None,
                node: ast.Node) -> CspmTypeError:
        p = TypePrinter()
        if isinstance(e, UnifyError):
            msg = (f"couldn't match expected type {p.show(e.expected)} "
                   f"with actual type {p.show(e.actual)}")
            if expected is not None and actual is not None and (
                    prune(e.expected) is not prune(expected) or prune(e.actual) is not prune(actual)):
                msg += (f" whilst matching expected type {p.show(expected)} "
                        f"with actual type {p.show(actual)}")
            return self.fail(msg, node)
        if isinstance(e, ConstraintError):
            return self.fail(f"the type {p.show(e.type)} does not have the constraint "
                             f"{e.constraint}", node)
        assert isinstance(e, OccursError)
        return self.fail(f"cannot construct the infinite type {p.show(e.var)} = "
                         f"{p.show(e.type)}", node)

    def unify_at(self, expected: Type, actual: Type, node: ast.Node) -> None:
        try:
            self.u.unify(expected, actual)
        except (UnifyError, ConstraintError, OccursError) as e:
            raise self.explain(e, expected, actual, node) from None

    def require_at(self, constraint: str, t: Type, node: ast.Node) -> None:
        try:
            require(constraint, t, self.classes)
        except ConstraintError as e:
            raise self.explain(e, None, None, node) from None

    def evaluate(self, t: Type, node: ast.Node) -> Type:
        """``t`` with its dotted types evaluated (libcspm's ``evaluateDots``)."""
        try:
            return self.u.evaluate(t)
        except (UnifyError, ConstraintError, OccursError) as e:
            raise self.explain(e, None, None, node) from None

    def fresh(self, *constraints: str) -> TVar:
        return self.u.fresh(constraints)

    # --- bindings --------------------------------------------------------------------------------

    def binding_type(self, b: Binding, node: ast.Node) -> Type:
        name = base_name(b.name)
        if b.kind in (Kind.BUILTIN, Kind.CONSTRUCTOR) and name in BUILTINS and (
                b.decl is None or isinstance(b.decl, ast.TransparentDecl | ast.ExternalDecl)):
            return instantiate(BUILTINS[name].scheme, self.u.level)
        t = self.env.get(b)
        if t is None:
            raise self.fail(f"internal error: no type yet for '{b.name}'", node)
        return instantiate(t, self.u.level)

    # --- expressions -----------------------------------------------------------------------------

    def exp(self, e: ast.Exp) -> Step[Type]:
        t: Type = yield self._exp(e)
        self.types[e] = t
        return t

    def expect(self, e: ast.Exp, expected: Type) -> Step[Type]:
        actual = yield self.exp(e)
        self.unify_at(expected, actual, e)
        return expected

    def _exp(self, e: ast.Exp) -> Step[Type]:  # noqa: C901 - one case per construct
        if isinstance(e, ast.Var):
            return self.binding_type(self.res.refs[e], e)
        if isinstance(e, ast.IntLit):
            return INT
        if isinstance(e, ast.BoolLit):
            return BOOL
        if isinstance(e, ast.CharLit):
            return CHAR
        if isinstance(e, ast.StringLit):
            return TSeq(CHAR)
        if isinstance(e, ast.App):
            tf = yield self.exp(e.func)
            targs = [self.fresh() for _ in e.args]
            result = self.fresh()
            self.unify_at(TFun(tuple(targs), result), tf, e.func)
            for arg, expected in zip(e.args, targs, strict=True):
                actual = yield self.exp(arg)
                self.unify_at(self.evaluate(expected, arg), self.evaluate(actual, arg), arg)
            return result
        if isinstance(e, ast.UnaryOp):
            if e.op is ast.UnOp.NEG:
                yield self.expect(e.operand, INT)
                return INT
            if e.op is ast.UnOp.NOT:
                yield self.expect(e.operand, BOOL)
                return BOOL
            yield self.expect(e.operand, TSeq(self.fresh()))
            return INT
        if isinstance(e, ast.BinaryOp):
            bin_type: Type = yield self.binary(e)
            return bin_type
        if isinstance(e, ast.DotExp):
            items = []
            for item in e.items:
                items.append((yield self.exp(item)))
            return _dot(items)
        if isinstance(e, ast.If):
            yield self.expect(e.cond, BOOL)
            then_type: Type = yield self.exp(e.then_branch)
            yield self.expect(e.else_branch, then_type)
            return then_type
        if isinstance(e, ast.Let):
            yield self.group(e.decls)
            body_type: Type = yield self.exp(e.body)
            return body_type
        if isinstance(e, ast.Lambda):
            params = []
            for p in e.params:
                params.append((yield self.pat(p)))
            body = yield self.exp(e.body)
            return TFun(tuple(params), body)
        if isinstance(e, ast.TupleExp):
            items = []
            for item in e.items:
                items.append((yield self.exp(item)))
            return TTuple(tuple(items))
        if isinstance(e, ast.SeqExp | ast.SetExp):
            elem: Type = self.fresh()
            for k, item in enumerate(e.items):
                if k == 0:
                    elem = yield self.exp(item)  # no unification: nested literals stay linear
                else:
                    yield self.expect(item, elem)
            if isinstance(e, ast.SetExp):
                self.require_at(SET, elem, e)
                return TSet(elem)
            return TSeq(elem)
        if isinstance(e, ast.SeqRange | ast.SetRange):
            yield self.expect(e.low, INT)
            if e.high is not None:
                yield self.expect(e.high, INT)
            return TSeq(INT) if isinstance(e, ast.SeqRange) else TSet(INT)
        if isinstance(e, ast.SeqComp | ast.SetComp):
            is_seq = isinstance(e, ast.SeqComp)
            yield self.stmts(e.stmts, is_seq)
            elem = self.fresh()
            for item in e.items:
                yield self.expect(item, elem)
            if is_seq:
                return TSeq(elem)
            self.require_at(SET, elem, e)
            return TSet(elem)
        if isinstance(e, ast.SeqRangeComp | ast.SetRangeComp):
            is_seq = isinstance(e, ast.SeqRangeComp)
            yield self.stmts(e.stmts, is_seq)
            yield self.expect(e.low, INT)
            if e.high is not None:
                yield self.expect(e.high, INT)
            return TSeq(INT) if is_seq else TSet(INT)
        if isinstance(e, ast.EnumSet | ast.EnumSetComp):
            if isinstance(e, ast.EnumSetComp):
                yield self.stmts(e.stmts, False)
            target = self.fresh(YIELDABLE)
            for item in e.items:
                t = yield self.exp(item)
                self.unify_at(TExt(target), t, item)
            return TSet(target)
        if isinstance(e, ast.MapExp):
            key, value = self.fresh(SET), self.fresh()
            for key_exp, value_exp in e.pairs:
                yield self.expect(key_exp, key)
                yield self.expect(value_exp, value)
            return TMap(key, value)
        proc_type: Type = yield self.process(e)
        return proc_type

    def binary(self, e: ast.BinaryOp) -> Step[Type]:
        if e.op in _ARITHMETIC:
            yield self.expect(e.left, INT)
            yield self.expect(e.right, INT)
            return INT
        if e.op in (ast.BinOp.AND, ast.BinOp.OR):
            yield self.expect(e.left, BOOL)
            yield self.expect(e.right, BOOL)
            return BOOL
        if e.op is ast.BinOp.CONCAT:
            seq: Type = yield self.expect(e.left, TSeq(self.fresh()))
            yield self.expect(e.right, seq)
            return seq
        t = yield self.exp(e.left)
        yield self.expect(e.right, t)
        self.require_at(EQ if e.op in _EQUALITY else ORD, t, e)
        return BOOL

    def events(self, e: ast.Exp) -> Step[Type]:
        events_type: Type = yield self.expect(e, TSet(EVENT))
        return events_type

    def channel_like(self, e: ast.Exp) -> Step[Type]:
        """An event, or something dots extend to an event (renaming and linking pairs)."""
        t: Type = yield self.exp(e)
        self.unify_at(TExt(EVENT), t, e)
        return t

    def pairs(self, pairs: tuple[tuple[ast.Exp, ast.Exp], ...]) -> Step[None]:
        for a, b in pairs:
            t = yield self.channel_like(a)
            yield self.expect(b, t)

    def process(self, e: ast.Exp) -> Step[Type]:  # noqa: C901 - one case per operator
        if isinstance(e, ast.Prefix):
            event = yield self.exp(e.event)
            if not e.fields:
                self.unify_at(EVENT, event, e.event)
            else:
                parts = [event]
                for f in e.fields:
                    parts.append((yield self.field(f)))
                self.unify_at(EVENT, _dot(parts), e)
            yield self.expect(e.body, PROC)
        elif isinstance(e, ast.Guard):
            yield self.expect(e.cond, BOOL)
            yield self.expect(e.body, PROC)
        elif isinstance(e, ast.ProcBinary):
            yield self.expect(e.left, PROC)
            yield self.expect(e.right, PROC)
        elif isinstance(e, ast.Hide | ast.Project):
            yield self.expect(e.proc, PROC)
            yield self.events(e.events)
        elif isinstance(e, ast.GenPar):
            yield self.expect(e.left, PROC)
            yield self.events(e.sync)
            yield self.expect(e.right, PROC)
        elif isinstance(e, ast.ExceptionOp | ast.SyncExtChoice | ast.SyncInterrupt):
            yield self.expect(e.left, PROC)
            yield self.events(e.events)
            yield self.expect(e.right, PROC)
        elif isinstance(e, ast.AlphaPar):
            yield self.expect(e.left, PROC)
            yield self.events(e.left_alpha)
            yield self.events(e.right_alpha)
            yield self.expect(e.right, PROC)
        elif isinstance(e, ast.LinkPar):
            yield self.expect(e.left, PROC)
            yield self.expect(e.right, PROC)
            yield self.stmts(e.stmts, False)
            yield self.pairs(e.ties)
        elif isinstance(e, ast.Rename):
            yield self.expect(e.proc, PROC)
            yield self.stmts(e.stmts, False)
            yield self.pairs(e.pairs)
        elif isinstance(e, ast.Replicated):
            yield self.stmts(e.stmts, e.op is ast.RepOp.SEQ)
            yield self.expect(e.body, PROC)
        elif isinstance(e, ast.RepAlphaPar):
            yield self.stmts(e.stmts, False)
            yield self.events(e.alphabet)
            yield self.expect(e.body, PROC)
        elif isinstance(e, ast.RepGenPar):
            yield self.events(e.sync)
            yield self.stmts(e.stmts, False)
            yield self.expect(e.body, PROC)
        elif isinstance(e, ast.RepSyncExtChoice):
            yield self.events(e.events)
            yield self.stmts(e.stmts, False)
            yield self.expect(e.body, PROC)
        elif isinstance(e, ast.RepLinkPar):
            yield self.stmts(e.stmts, True)
            yield self.stmts(e.tie_stmts, False)
            yield self.pairs(e.ties)
            yield self.expect(e.body, PROC)
        else:
            raise self.fail(f"internal error: cannot type {type(e).__name__}", e)
        return PROC

    def field(self, f: ast.Field) -> Step[Type]:
        if isinstance(f, ast.Output):
            out_type: Type = yield self.exp(f.value)
            return out_type
        assert isinstance(f, ast.Input | ast.NondetInput)
        restriction = None
        if f.restriction is not None:
            restriction = yield self.exp(f.restriction)
        t: Type = yield self.pat(f.pattern)
        if restriction is not None:
            self.unify_at(TSet(t), restriction, f)
        self.require_at(COMPLETE, self.evaluate(t, f), f)
        return t

    def stmts(self, stmts: tuple[ast.Stmt, ...], over_seqs: bool) -> Step[None]:
        for s in stmts:
            if isinstance(s, ast.Generator):
                source = yield self.exp(s.source)
                t = yield self.pat(s.pattern)
                self.unify_at(TSeq(t) if over_seqs else TSet(t), source, s)
            else:
                assert isinstance(s, ast.Qualifier)
                yield self.expect(s.cond, BOOL)

    # --- patterns --------------------------------------------------------------------------------

    def pat(self, p: ast.Pat) -> Step[Type]:
        t: Type = yield self._pat(p)
        self.types[p] = t
        return t

    def _pat(self, p: ast.Pat) -> Step[Type]:
        if isinstance(p, ast.PVar):
            ref = self.res.refs.get(p)
            if ref is not None:
                return self.binding_type(ref, p)
            b = self.res.defs[p]
            known = self.env.get(b)
            if isinstance(known, Type):
                return known
            t = self.fresh()
            self.env[b] = t
            return t
        if isinstance(p, ast.PWild):
            return self.fresh()
        if isinstance(p, ast.PInt):
            return INT
        if isinstance(p, ast.PBool):
            return BOOL
        if isinstance(p, ast.PChar):
            return CHAR
        if isinstance(p, ast.PString):
            return TSeq(CHAR)
        if isinstance(p, ast.PTuple | ast.PDot):
            items = []
            for item in p.items:
                items.append((yield self.pat(item)))
            if isinstance(p, ast.PTuple):
                return TTuple(tuple(items))
            return _dot(items)
        if isinstance(p, ast.PSeq | ast.PSet):
            elem = self.fresh()
            for item in p.items:
                t = yield self.pat(item)
                self.unify_at(elem, t, item)
            return TSeq(elem) if isinstance(p, ast.PSeq) else TSet(elem)
        if isinstance(p, ast.PConcat):
            seq = TSeq(self.fresh())
            self.unify_at(seq, (yield self.pat(p.left)), p.left)
            self.unify_at(seq, (yield self.pat(p.right)), p.right)
            return seq
        assert isinstance(p, ast.PDouble)
        left: Type = yield self.pat(p.left)
        self.unify_at(left, (yield self.pat(p.right)), p.right)
        return left

    # --- declarations ----------------------------------------------------------------------------

    def group(self, decls: tuple[ast.Decl, ...]) -> Step[None]:
        for scc in _decl_order(decls, self.res.deps):
            yield self.component(scc)

    def component(self, scc: list[ast.Decl]) -> Step[None]:
        self.u.level += 1
        for d in scc:
            for b in self.res.bound_by.get(d, ()):
                if b.kind is not Kind.BUILTIN:
                    self.env[b] = self.fresh()
        for d in scc:
            yield self.decl(d)
        self.u.level -= 1
        for d in scc:
            for b in self.res.bound_by.get(d, ()):
                if b.kind is Kind.BUILTIN:
                    continue
                t = self.env[b]
                assert isinstance(t, Type)
                scheme = generalise(t, self.u.level)
                if scheme.vars and b.kind in _MONOMORPHIC_KINDS:
                    what = "channel" if b.kind is Kind.CHANNEL else "constructor"
                    shown = TypePrinter().show_scheme(t)
                    raise self.fail(f"the {what} {b.name} has a polymorphic type: {shown}", d)
                self.env[b] = scheme

    def mono(self, b: Binding) -> Type:
        t = self.env[b]
        assert isinstance(t, Type)
        return t

    def type_expression(self, t: Type, node: ast.Node, *constraints: str) -> Type:
        """The type of the values of a set-valued type expression (``{0..1}.Bool`` -> Int.Bool)."""
        t = prune(t)
        if isinstance(t, TTuple):
            return TTuple(tuple(self.type_expression(x, node, *constraints) for x in t.items))
        if isinstance(t, TDot):
            return TDot(tuple(self.type_expression(x, node, *constraints)
                              for x in dot_items(t.items)))
        v = self.fresh(*constraints)
        self.unify_at(TSet(v), t, node)
        return v

    def fields_of(self, e: ast.Exp | None, node: ast.Node, *constraints: str) -> Step[list[Type]]:
        if e is None:
            return []
        t = yield self.exp(e)
        return dot_items([self.type_expression(t, node, *constraints)])

    def decl(self, d: ast.Decl) -> Step[None]:  # noqa: C901 - one case per declaration
        self.current = d
        if isinstance(d, ast.FunBind):
            b = self.res.defs[d]
            for clause in d.clauses:
                groups = []
                for group in clause.params:
                    ts = []
                    for p in group:
                        ts.append(self.evaluate((yield self.pat(p)), p))
                    groups.append(ts)
                t = self.evaluate((yield self.exp(clause.body)), clause.body)
                for ts in reversed(groups):
                    t = TFun(tuple(self.evaluate(x, clause) for x in ts), t)
                self.unify_at(self.mono(b), t, clause)
        elif isinstance(d, ast.PatBind):
            tp = self.evaluate((yield self.pat(d.pattern)), d.pattern)
            tb = self.evaluate((yield self.exp(d.body)), d.body)
            self.unify_at(tb, tp, d)
        elif isinstance(d, ast.ChannelDecl):
            fields = yield self.fields_of(d.type_expr, d, EQ)
            channel_type = make_dotable(fields, EVENT)
            for ident in d.names:
                self.unify_at(self.mono(self.res.defs[ident]), channel_type, d)
        elif isinstance(d, ast.DataTypeDecl):
            yield self.datatype(d)
        elif isinstance(d, ast.SubTypeDecl):
            parent = self.fresh()
            for data_clause in d.clauses:
                ctor = self.binding_type(self.res.refs[data_clause], data_clause)
                args, result = dotable_parts(ctor)
                self.unify_at(parent, result, data_clause)
                fields = yield self.fields_of(data_clause.type_expr, data_clause)
                for a, f in zip(args, fields, strict=False):
                    self.unify_at(a, f, data_clause)
            self.unify_at(self.mono(self.res.defs[d]), TSet(parent), d)
        elif isinstance(d, ast.NameTypeDecl):
            t = yield self.exp(d.type_expr)
            self.unify_at(self.mono(self.res.defs[d]), TSet(self.type_expression(t, d)), d)
        elif isinstance(d, ast.AssertDecl):
            yield self.assertion(d.assertion)

    def datatype(self, d: ast.DataTypeDecl) -> Step[None]:
        this = TData(d.name)
        self.classes.datatype_eq[d.name] = True
        self.unify_at(self.mono(self.res.defs[d]), TSet(this), d)
        all_fields: list[Type] = []
        for clause in d.clauses:
            fields = yield self.fields_of(clause.type_expr, clause)
            all_fields.extend(fields)
            self.unify_at(self.mono(self.res.defs[clause]), make_dotable(fields, this), clause)
        self.classes.datatype_eq[d.name] = all(satisfies(EQ, f, self.classes) for f in all_fields)

    def assertion(self, a: ast.Assertion) -> Step[None]:
        if isinstance(a, ast.Refinement):
            yield self.expect(a.spec, PROC)
            yield self.expect(a.impl, PROC)
            if a.tau_priority is not None:
                yield self.events(a.tau_priority)
        elif isinstance(a, ast.PropertyCheck):
            yield self.expect(a.process, PROC)
            if a.tau_priority is not None:
                yield self.events(a.tau_priority)
        else:
            assert isinstance(a, ast.HasTrace)
            yield self.expect(a.process, PROC)
            if isinstance(a.trace, ast.SeqExp):
                for item in a.trace.items:
                    yield self.expect(item, EVENT)
                self.types[a.trace] = TSeq(EVENT)
            else:
                yield self.expect(a.trace, TSeq(EVENT))


def check_script(script: ast.Script) -> CheckedScript:
    """Scope- and type-check a parsed script; raise the first error found.

    Raises :class:`cspotlp.errors.CspmScopeError` or :class:`cspotlp.errors.CspmTypeError`
    located at the offending name or sub-expression.
    """
    resolution = resolve_script(script)
    source = script
    if has_modules(script):
        elaborated = elaborate(script, resolution)
        script = elaborated.script
        resolution = resolve_script(script, literal=True)
        check_instance_cycles(elaborated, resolution)
    checker = _Checker(script, resolution)
    try:
        run(checker.group(script.decls))
    except RecursionError as e:
        # Types are traversed recursively: their depth is that of the type constructors
        # written in the script, which only pathological inputs make large.
        where = checker.current.span if checker.current is not None else script.span
        raise located(CspmUnsupported, "unsupported construct: a type nested too deeply for "
                      "the type checker", where, checker.sources) from e
    except CspmError:
        raise
    schemes: dict[Binding, Scheme] = {
        b: (t if isinstance(t, Scheme) else Scheme((), t)) for b, t in checker.env.items()
    }
    return CheckedScript(script, resolution, schemes, checker.types, source)
