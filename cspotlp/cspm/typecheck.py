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
from typing import Any

from cspotlp.cspm import ast
from cspotlp.cspm.builtins import BUILTINS
from cspotlp.cspm.modules import check_instance_cycles, elaborate, has_modules
from cspotlp.cspm.scope import (
    Binding,
    Kind,
    Resolution,
    base_name,
    resolve_script,
    timed_decls,
)
from cspotlp.cspm.source import located, script_sources
from cspotlp.cspm.trampoline import Step, run
from cspotlp.cspm.traverse import fold, walk
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
_BUILTIN_TYPES: dict[str, Type] = {"Int": INT, "Bool": BOOL, "Char": CHAR, "Proc": PROC,
                                   "Event": EVENT}


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
        # The type variables of the annotations being checked, innermost last: a name used
        # in an inner annotation is the outer one's variable (scoped type variables).
        self.type_vars: list[dict[str, TVar]] = []
        self.annotated: set[Binding] = set()
        self.datatype_names = {b.name for b in resolution.defs.values()
                               if b.kind is Kind.DATATYPE}

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
            t = prune(e.type)
            if isinstance(t, TVar) and t.rigid is not None:
                return self.fail(f"the type variable {t.rigid} of the type annotation does not "
                                 f"have the constraint {e.constraint} (add '{e.constraint} "
                                 f"{t.rigid} =>' to the annotation)", node)
            return self.fail(f"the type {p.show(e.type)} does not have the constraint "
                             f"{e.constraint}", node)
        assert isinstance(e, OccursError)
        return self.fail(f"cannot construct the infinite type {p.show(e.var)} = "
                         f"{p.show(e.type)}", node)

    def unify_at(self, expected: Type, actual: Type, node: ast.Node, split: bool = True) -> None:
        """Unify, or raise a located error.

        ``split=False`` is libcspm's "no symmetric unification": a dotted expected type (the
        type of a pattern ``x.y``) may not take apart a datatype, an event or a dotable, so
        ``f(x.y)`` cannot be applied to ``B`` of ``datatype Z = B.{0..1}``.
        """
        saved = self.u.split_dots
        self.u.split_dots = split and saved
        try:
            self.u.unify(expected, actual)
        except (UnifyError, ConstraintError, OccursError) as e:
            raise self.explain(e, expected, actual, node) from None
        finally:
            self.u.split_dots = saved

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
                self.unify_at(self.evaluate(expected, arg), self.evaluate(actual, arg), arg,
                              split=False)
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
            yield self.group(e.decls, generalise_all=e.module, ambiguity=False)
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
                source = self.evaluate((yield self.exp(s.source)), s.source)
                t = self.evaluate((yield self.pat(s.pattern)), s.pattern)
                self.unify_at(TSeq(t) if over_seqs else TSet(t), source, s, split=False)
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
            if isinstance(p, ast.PSet):
                # Eq, not just Set: matching a set compares its element (processes cannot be)
                self.require_at(EQ, elem, p)
                return TSet(elem)
            return TSeq(elem)
        if isinstance(p, ast.PConcat):
            self.sequence_pattern(p)
            seq = TSeq(self.fresh())
            self.unify_at(seq, (yield self.pat(p.left)), p.left)
            self.unify_at(seq, (yield self.pat(p.right)), p.right)
            return seq
        assert isinstance(p, ast.PDouble)
        left: Type = yield self.pat(p.left)
        self.unify_at(left, (yield self.pat(p.right)), p.right)
        return left

    def sequence_pattern(self, p: ast.PConcat) -> None:
        """``p1 ^ p2 ^ ...``: at most one part may have no fixed length (libcspm's rule)."""
        parts: list[ast.Pat] = []
        stack: list[ast.Pat] = [p]
        while stack:
            cur = stack.pop()
            if isinstance(cur, ast.PConcat):
                stack.extend((cur.right, cur.left))
            else:
                parts.append(cur)
        open_parts = [x for x in parts if not isinstance(x, ast.PSeq | ast.PString)]
        if len(open_parts) > 1:
            raise self.fail("this is not a valid sequence pattern: at most one part of "
                            "'p1 ^ p2' may be other than a sequence <...> of fixed length", p)

    # --- declarations ----------------------------------------------------------------------------

    def group(self, decls: tuple[ast.Decl, ...], generalise_all: bool = True,
              ambiguity: bool = True) -> Step[None]:
        """Check a group of declarations, one strongly connected component at a time.

        ``generalise_all`` is False for ``let``: as in libcspm, only the definitions with a
        type annotation are polymorphic there. ``ambiguity``: refuse channels and
        constructors of polymorphic type (not inside the check of a parameterised module,
        whose instances are checked instead).
        """
        members = timed_decls(decls)
        annotations = self.annotations([d for d, _ in members])
        self.annotated.update(annotations)
        timed = {d for d, in_timed in members if in_timed}
        for scc in _decl_order(tuple(d for d, _ in members), self.res.deps):
            yield self.component(scc, annotations, generalise_all, ambiguity, timed)

    def annotations(self, decls: list[ast.Decl]) -> dict[Binding, ast.TypeScheme]:
        """The annotated bindings of a group, with their annotations."""
        found: dict[str, ast.TypeScheme] = {}
        for d in decls:
            if isinstance(d, ast.TypeAnnotation):
                for ident in d.names:
                    found[ident.name] = d.scheme
        if not found:
            return {}
        out: dict[Binding, ast.TypeScheme] = {}
        for d in decls:
            for b in self.res.bound_by.get(d, ()):
                if b.name in found and b.kind is not Kind.DATATYPE:
                    out[b] = found[b.name]
        return out

    def component(self, scc: list[ast.Decl], annotations: dict[Binding, ast.TypeScheme],
                  generalise_all: bool, ambiguity: bool, timed: set[ast.Decl]) -> Step[None]:
        self.u.level += 1
        scoped: dict[ast.Decl, dict[str, TVar]] = {}
        for d in scc:
            for b in self.res.bound_by.get(d, ()):
                if b.kind is Kind.BUILTIN:
                    continue
                annotation = annotations.get(b)
                if annotation is None:
                    self.env[b] = self.fresh()
                    continue
                names: dict[str, TVar] = {}
                self.env[b] = self.annotation_type(annotation, names)
                scoped.setdefault(d, {}).update(names)
        for d in scc:
            self.type_vars.append(scoped.get(d, {}))
            try:
                yield self.decl(d)
            finally:
                self.type_vars.pop()
            if d in timed:
                self.untimed_operators(d)
        self.u.level -= 1
        for d in scc:
            for b in self.res.bound_by.get(d, ()):
                if b.kind is Kind.BUILTIN:
                    continue
                t = self.env[b]
                assert isinstance(t, Type)
                if not generalise_all and b not in annotations:
                    continue  # a let definition without annotation stays monomorphic
                scheme = generalise(t, self.u.level)
                if scheme.vars and b.kind in _MONOMORPHIC_KINDS and ambiguity:
                    what = "channel" if b.kind is Kind.CHANNEL else "constructor"
                    shown = TypePrinter().show_scheme(t)
                    raise self.fail(f"the {what} {b.name} has a polymorphic type: {shown}", d)
                self.env[b] = scheme

    def untimed_operators(self, d: ast.Decl) -> None:
        """Refuse what tock-CSP cannot time (libcspm refuses it when it desugars)."""
        for node in walk(d):
            if isinstance(node, ast.LinkPar | ast.RepLinkPar):
                raise self.fail("linked parallel is not allowed in a Timed section", node)
            if isinstance(node, ast.NondetInput):
                raise self.fail("a nondeterministic input '$' is not allowed in a Timed "
                                "section", node)

    # --- type annotations ----------------------------------------------------------------------

    def annotation_type(self, scheme: ast.TypeScheme, names: dict[str, TVar]) -> Type:
        """The type an annotation denotes; its new type variables (rigid) go into ``names``.

        Variables already bound by an enclosing annotation are that annotation's.
        """
        outer: dict[str, TVar] = {}
        for frame in self.type_vars:
            outer.update(frame)
        constrained: dict[str, set[str]] = {}
        for k in scheme.constraints:
            if k.var in outer:
                raise self.fail(f"the constraint {k.type_class} {k.var} cannot be given here: "
                                f"{k.var} belongs to an enclosing type annotation", k)
            constrained.setdefault(k.var, set()).add(k.type_class)

        def variable(name: str, node: ast.Node) -> TVar:
            found = names.get(name) or outer.get(name)
            if found is None:
                cs = constrained.get(name, set())
                if ORD in cs:
                    cs = cs | {EQ}
                found = TVar(self.u.level, cs)
                found.rigid = name
                names[name] = found
            return found

        def combine(node: ast.Node, kids: list[Type]) -> Type:
            if isinstance(node, ast.STName):
                return self.named_type(node, variable)
            if isinstance(node, ast.STSet):
                return TSet(kids[0])
            if isinstance(node, ast.STSeq):
                return TSeq(kids[0])
            if isinstance(node, ast.STTuple):
                return TTuple(tuple(kids))
            if isinstance(node, ast.STFunction):
                return TFun(tuple(kids[:-1]), kids[-1])
            if isinstance(node, ast.STDot):
                return _dot(kids)
            if isinstance(node, ast.STDotable):
                return make_dotable([kids[0]], kids[1])
            if isinstance(node, ast.STExtendable):
                if node.var in _BUILTIN_TYPES or "::" in node.var or \
                        node.var in self.datatype_names:
                    raise self.fail(f"'{node.var} =>* ...': the left of '=>*' must be a type "
                                    "variable", node)
                variable(node.var, node)
                return TExt(kids[0])
            assert isinstance(node, ast.STMap)
            return TMap(kids[0], kids[1])

        t = fold(scheme.body, combine)
        for name in constrained:
            if name not in names:
                raise self.fail(f"the constrained type variable {name} does not occur in the "
                                "annotated type", scheme)
        return t

    def named_type(self, node: ast.STName, variable: Any) -> Type:
        builtin = _BUILTIN_TYPES.get(node.name)
        if builtin is not None:
            return builtin
        b = self.res.types.get(node)
        if b is None:
            if "::" in node.name:
                raise self.fail(f"'{node.name}' is not a type", node)
            tv: TVar = variable(node.name, node)
            return tv
        if b.kind is Kind.DATATYPE:
            return TData(b.name)
        # A nametype or subtype stands for the type of its values.
        elem = self.fresh()
        self.unify_at(TSet(elem), self.binding_type(b, node), node)
        return elem

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
        v = self.fresh()
        self.unify_at(TSet(v), t, node)
        # The values' type with its dots evaluated (``{A.0.1}`` holds ``Z``s, not dotables).
        elem = self.evaluate(v, node)
        for c in constraints:
            self.require_at(c, elem, node)
        return elem

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
                signature = prune(self.mono(b)) if b in self.annotated else None
                for group in clause.params:
                    ts = []
                    for p in group:
                        ts.append(self.evaluate((yield self.pat(p)), p))
                    if isinstance(signature, TFun) and len(signature.args) == len(ts):
                        # As libcspm: the patterns take the annotation's types before the
                        # body is checked, and may not take them apart.
                        for p, tp, expected in zip(group, ts, signature.args, strict=True):
                            self.unify_at(tp, self.evaluate(expected, p), p, split=False)
                        signature = prune(signature.result)
                    else:
                        signature = None
                    groups.append(ts)
                t = self.evaluate((yield self.exp(clause.body)), clause.body)
                for ts in reversed(groups):
                    t = TFun(tuple(self.evaluate(x, clause) for x in ts), t)
                if b in self.annotated:
                    # The patterns must fit the annotation, not take its types apart.
                    self.unify_at(t, self.mono(b), clause, split=False)
                else:
                    self.unify_at(self.mono(b), t, clause)
        elif isinstance(d, ast.PatBind):
            tp = self.evaluate((yield self.pat(d.pattern)), d.pattern)
            tb = self.evaluate((yield self.exp(d.body)), d.body)
            self.unify_at(tb, tp, d, split=False)
        elif isinstance(d, ast.ChannelDecl):
            fields = yield self.fields_of(d.type_expr, d, EQ, COMPLETE)
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
                if len(fields) > len(args):
                    raise self.fail(f"the constructor {data_clause.name} has {len(args)} "
                                    f"field(s), not {len(fields)}", data_clause)
                for a, f in zip(args, fields, strict=False):
                    self.unify_at(a, f, data_clause)
            self.unify_at(self.mono(self.res.defs[d]), TSet(parent), d)
        elif isinstance(d, ast.NameTypeDecl):
            t = yield self.exp(d.type_expr)
            self.unify_at(self.mono(self.res.defs[d]),
                          TSet(self.type_expression(t, d, COMPLETE)), d)
        elif isinstance(d, ast.AssertDecl):
            yield self.assertion(d.assertion)
        elif isinstance(d, ast.TimedSection):
            tock = self.res.refs[d]
            self.unify_at(EVENT, self.binding_type(tock, d), d)
            if d.function is not None:
                yield self.expect(d.function, TFun((EVENT,), INT))

    def datatype(self, d: ast.DataTypeDecl) -> Step[None]:
        this = TData(d.name)
        self.classes.datatype_eq[d.name] = True
        self.unify_at(self.mono(self.res.defs[d]), TSet(this), d)
        all_fields: list[Type] = []
        for clause in d.clauses:
            fields = yield self.fields_of(clause.type_expr, clause, COMPLETE)
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
            if a.tau_priority is not None:
                yield self.events(a.tau_priority)
            if isinstance(a.trace, ast.SeqExp):
                for item in a.trace.items:
                    yield self.expect(item, EVENT)
                self.types[a.trace] = TSeq(EVENT)
            else:
                yield self.expect(a.trace, TSeq(EVENT))


def _with_tock(script: ast.Script) -> ast.Script:
    """The script, with ``channel tock`` declared if it has Timed sections but no ``tock``.

    FDR provides ``tock`` to timed scripts that do not declare it.
    """
    if not any("Timed" in text for _file, text in script.sources):
        return script
    timed = [n for n in walk(script) if isinstance(n, ast.TimedSection)]
    if not timed:
        return script
    for d in script.decls:
        names: list[str] = []
        if isinstance(d, ast.ChannelDecl | ast.TransparentDecl | ast.ExternalDecl):
            names = [x.name for x in d.names]
        elif isinstance(d, ast.PatBind):
            names = [n.name for n in walk(d.pattern) if isinstance(n, ast.PVar)]
        elif isinstance(d, ast.FunBind | ast.NameTypeDecl | ast.DataTypeDecl):
            names = [d.name]
        if "tock" in names:
            return script
    tock = ast.ChannelDecl((ast.Ident("tock", span=timed[0].span),), None, span=timed[0].span)
    return ast.Script((tock, *script.decls), script.sources, span=script.span)


def check_script(script: ast.Script) -> CheckedScript:
    """Scope- and type-check a parsed script; raise the first error found.

    Raises :class:`cspotlp.errors.CspmScopeError` or :class:`cspotlp.errors.CspmTypeError`
    located at the offending name or sub-expression.
    """
    source = script
    script = _with_tock(script)
    resolution = resolve_script(script)
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
