"""Static scope analysis (renaming) of CSPm scripts.

:func:`resolve_script` links every use of a name to its :class:`Binding` and every binding
occurrence to the binding it creates, following CSPm's rules:

- top-level and ``let`` declarations are mutually recursive; names may be defined once per
  group (the equations of one function must be consecutive);
- function parameters, lambda parameters, inputs ``c?x`` (visible in later fields and the
  body) and generators ``x <- S`` (visible in later statements and the items) bind variables;
- in a pattern, a name that is a datatype constructor or a channel matches that value, any
  other name binds a new variable;
- FDR's compression and external functions exist only after ``transparent`` / ``external``.

It also records, for each declaration of a group, which declarations of the same group it
uses: the type checker generalises one strongly connected component at a time. The result
is keyed by node identity (nodes hash by identity), so the evaluator can look up any ``Var``
or ``PVar`` node.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass, field

from cspotlp.cspm import ast
from cspotlp.cspm.ast import Span
from cspotlp.cspm.builtins import ALWAYS_IN_SCOPE, BUILTINS, BuiltInKind, can_declare
from cspotlp.cspm.source import located, script_sources
from cspotlp.cspm.trampoline import Step, run
from cspotlp.cspm.traverse import children
from cspotlp.errors import CspmScopeError, CspmUnsupported


class Kind(enum.Enum):
    """What a name stands for."""

    BUILTIN = "built-in"
    CONSTRUCTOR = "datatype constructor"
    CHANNEL = "channel"
    DATATYPE = "datatype"
    SUBTYPE = "subtype"
    NAMETYPE = "nametype"
    FUNCTION = "function"
    VALUE = "value"
    VARIABLE = "variable"


PATTERN_CONSTANTS = frozenset({Kind.CONSTRUCTOR, Kind.CHANNEL})
"""Names of these kinds match values in patterns instead of binding variables."""


@dataclass(frozen=True, eq=False)
class Binding:
    """One definition of a name: where it is and what declaration made it.

    ``decl`` is the declaration of a top-level or ``let`` group that binds the name (None for
    built-ins and for parameters, inputs and generators); ``site`` is the binding occurrence
    (a ``PVar``, ``Ident``, ``DataClause``, or the declaration itself).
    """

    name: str
    kind: Kind
    span: Span
    decl: ast.Decl | None = None
    site: ast.Node | None = None
    group: int | None = field(default=None, repr=False)


@dataclass
class Resolution:
    """The result of scope analysis.

    - ``refs``: each ``Var``, each ``PVar`` that matches a constructor or channel, and each
      subtype ``DataClause`` -> the binding it refers to;
    - ``defs``: each binding occurrence (``PVar`` binder, ``FunBind``, channel ``Ident``,
      datatype ``DataClause``, type declarations, transparent/external ``Ident``) -> binding;
    - ``bound_by``: each group declaration -> the bindings it introduces;
    - ``deps``: each group declaration -> the declarations of its own group that it uses, in
      first-use order.
    """

    refs: dict[ast.Node, Binding] = field(default_factory=dict)
    defs: dict[ast.Node, Binding] = field(default_factory=dict)
    bound_by: dict[ast.Decl, tuple[Binding, ...]] = field(default_factory=dict)
    deps: dict[ast.Decl, dict[ast.Decl, None]] = field(default_factory=dict)
    builtins: dict[str, Binding] = field(default_factory=dict)

    def binding(self, node: ast.Node) -> Binding:
        """The binding a use refers to, or that a binding occurrence creates."""
        found = self.refs.get(node) or self.defs.get(node)
        if found is None:
            raise KeyError(f"no binding recorded for {type(node).__name__} at {node.span}")
        return found

    def is_constructor_pattern(self, pat: ast.PVar) -> bool:
        """Whether a ``PVar`` matches a constructor or channel (rather than binding a variable)."""
        return pat in self.refs


def _pattern_vars(p: ast.Pat) -> Iterator[ast.PVar]:
    stack: list[ast.Pat] = [p]
    while stack:
        cur = stack.pop()
        if isinstance(cur, ast.PVar):
            yield cur
        elif isinstance(cur, ast.PTuple | ast.PDot | ast.PSeq | ast.PSet):
            stack.extend(reversed(cur.items))
        elif isinstance(cur, ast.PConcat | ast.PDouble):
            stack.extend((cur.right, cur.left))


class _Resolver:
    def __init__(self, script: ast.Script) -> None:
        self.sources = script_sources(script)
        self.res = Resolution()
        self.env: dict[str, list[Binding]] = {}
        self.active: dict[int, ast.Decl] = {}
        self.groups = 0
        for name in sorted(BUILTINS):
            b = Binding(name, Kind.BUILTIN if BUILTINS[name].kind is not BuiltInKind.CONSTRUCTOR
                        else Kind.CONSTRUCTOR, ast.NO_SPAN)
            self.res.builtins[name] = b
            if name in ALWAYS_IN_SCOPE:
                self.env[name] = [b]

    # --- environment ---------------------------------------------------------------------------

    def error(self, message: str, span: Span) -> CspmScopeError:
        err = located(CspmScopeError, message, span, self.sources)
        assert isinstance(err, CspmScopeError)
        return err

    def lookup(self, name: str) -> Binding | None:
        stack = self.env.get(name)
        return stack[-1] if stack else None

    def push(self, bindings: dict[str, Binding]) -> None:
        for name, b in bindings.items():
            self.env.setdefault(name, []).append(b)

    def pop(self, bindings: dict[str, Binding]) -> None:
        for name in bindings:
            self.env[name].pop()

    def use(self, node: ast.Node, name: str, span: Span) -> Binding:
        b = self.lookup(name)
        if b is None:
            builtin = BUILTINS.get(name)
            if builtin is not None and builtin.kind is not BuiltInKind.VALUE:
                word = "transparent" if builtin.kind is not BuiltInKind.EXTERNAL else "external"
                raise self.error(f"unknown name '{name}' (FDR's function must be declared "
                                 f"first: '{word} {name}')", span)
            raise self.error(f"unknown name '{name}'", span)
        self.res.refs[node] = b
        if b.group is not None and b.decl is not None:
            user = self.active.get(b.group)
            if user is not None:
                self.res.deps.setdefault(user, {})[b.decl] = None
        return b

    # --- patterns ------------------------------------------------------------------------------

    def bind_patterns(self, pats: tuple[ast.Pat, ...], kind: Kind, into: dict[str, Binding],
                      decl: ast.Decl | None = None, group: int | None = None) -> None:
        """Record the variables the patterns bind into ``into`` (rejecting repeats)."""
        for p in pats:
            for v in _pattern_vars(p):
                known = self.lookup(v.name)
                if known is not None and known.kind in PATTERN_CONSTANTS:
                    self.use(v, v.name, v.span)
                    continue
                if v.name in into:
                    raise self.error(f"'{v.name}' is bound more than once here", v.span)
                b = Binding(v.name, kind, v.span, decl, v, group)
                into[v.name] = b
                self.res.defs[v] = b

    # --- declaration groups --------------------------------------------------------------------

    def group_bindings(self, decls: tuple[ast.Decl, ...], group: int) -> dict[str, Binding]:
        """All names a group of declarations binds (duplicates are errors)."""
        table: dict[str, Binding] = {}

        def add(name: str, kind: Kind, span: Span, decl: ast.Decl, site: ast.Node) -> None:
            if name in table:
                first = table[name].span
                raise self.error(f"'{name}' is defined more than once (first at {first})", span)
            b = Binding(name, kind, span, decl, site, group)
            table[name] = b
            self.res.defs[site] = b
            self.res.bound_by[decl] = (*self.res.bound_by.get(decl, ()), b)

        # Constructors and channels first: patterns of pattern bindings refer to them.
        for d in decls:
            self.res.bound_by.setdefault(d, ())
            if isinstance(d, ast.ChannelDecl):
                for ident in d.names:
                    add(ident.name, Kind.CHANNEL, ident.span, d, ident)
            elif isinstance(d, ast.DataTypeDecl):
                add(d.name, Kind.DATATYPE, d.span, d, d)
                for clause in d.clauses:
                    add(clause.name, Kind.CONSTRUCTOR, clause.span, d, clause)
        self.push(table)
        for d in decls:
            if isinstance(d, ast.FunBind):
                add(d.name, Kind.FUNCTION, d.span, d, d)
            elif isinstance(d, ast.SubTypeDecl):
                add(d.name, Kind.SUBTYPE, d.span, d, d)
            elif isinstance(d, ast.NameTypeDecl):
                add(d.name, Kind.NAMETYPE, d.span, d, d)
            elif isinstance(d, ast.TransparentDecl | ast.ExternalDecl):
                transparent = isinstance(d, ast.TransparentDecl)
                for ident in d.names:
                    if not can_declare(ident.name, transparent):
                        word = "transparent" if transparent else "external"
                        raise self.error(f"'{ident.name}' is not an {word} function of FDR",
                                         ident.span)
                    add(ident.name, Kind.BUILTIN, ident.span, d, ident)
            elif isinstance(d, ast.PatBind):
                self.active[group] = d
                into: dict[str, Binding] = {}
                self.bind_patterns((d.pattern,), Kind.VALUE, into, d, group)
                for name, b in into.items():
                    if name in table:
                        first = table[name].span
                        raise self.error(
                            f"'{name}' is defined more than once (first at {first})", b.span)
                    table[name] = b
                    self.res.bound_by[d] = (*self.res.bound_by[d], b)
            elif isinstance(d, ast.IncludeDecl):
                raise located(CspmUnsupported, "unsupported construct: 'include' in a script "
                              "given as text (read the file with parse_file)", d.span,
                              self.sources)
        self.active.pop(group, None)
        self.pop({k: v for k, v in table.items() if v.kind in (Kind.CHANNEL, Kind.DATATYPE,
                                                                 Kind.CONSTRUCTOR)})
        return table

    def decl_group(self, decls: tuple[ast.Decl, ...]) -> Step[dict[str, Binding]]:
        """Bind a group and resolve its declarations; the caller pops the returned table."""
        self.groups += 1
        group = self.groups
        table = self.group_bindings(decls, group)
        self.push(table)
        for d in decls:
            self.active[group] = d
            yield self.decl(d)
        self.active.pop(group, None)
        return table

    def decl(self, d: ast.Decl) -> Step[None]:
        if isinstance(d, ast.FunBind):
            for clause in d.clauses:
                params: dict[str, Binding] = {}
                self.bind_patterns(tuple(p for g in clause.params for p in g), Kind.VARIABLE,
                                   params)
                self.push(params)
                yield self.exp(clause.body)
                self.pop(params)
        elif isinstance(d, ast.PatBind):
            yield self.exp(d.body)
        elif isinstance(d, ast.ChannelDecl):
            if d.type_expr is not None:
                yield self.exp(d.type_expr)
        elif isinstance(d, ast.DataTypeDecl):
            for data_clause in d.clauses:
                if data_clause.type_expr is not None:
                    yield self.exp(data_clause.type_expr)
        elif isinstance(d, ast.SubTypeDecl):
            for data_clause in d.clauses:
                b = self.use(data_clause, data_clause.name, data_clause.span)
                if b.kind is not Kind.CONSTRUCTOR:
                    raise self.error(f"'{data_clause.name}' is not a datatype constructor",
                                     data_clause.span)
                if data_clause.type_expr is not None:
                    yield self.exp(data_clause.type_expr)
        elif isinstance(d, ast.NameTypeDecl):
            yield self.exp(d.type_expr)
        elif isinstance(d, ast.AssertDecl):
            a = d.assertion
            if isinstance(a, ast.Refinement):
                yield self.exp(a.spec)
                yield self.exp(a.impl)
                if a.tau_priority is not None:
                    yield self.exp(a.tau_priority)
            elif isinstance(a, ast.PropertyCheck):
                yield self.exp(a.process)
                if a.tau_priority is not None:
                    yield self.exp(a.tau_priority)
            elif isinstance(a, ast.HasTrace):
                yield self.exp(a.process)
                yield self.exp(a.trace)

    # --- statements (each generator opens a scope for what follows) ------------------------------

    def stmts(self, stmts: tuple[ast.Stmt, ...]) -> Step[list[dict[str, Binding]]]:
        """Resolve statements left to right; returns the scopes pushed (the caller pops them)."""
        frames: list[dict[str, Binding]] = []
        for s in stmts:
            if isinstance(s, ast.Generator):
                yield self.exp(s.source)
                frame: dict[str, Binding] = {}
                self.bind_patterns((s.pattern,), Kind.VARIABLE, frame)
                self.push(frame)
                frames.append(frame)
            else:
                assert isinstance(s, ast.Qualifier)
                yield self.exp(s.cond)
        return frames

    def pop_all(self, frames: list[dict[str, Binding]]) -> None:
        for frame in reversed(frames):
            self.pop(frame)

    def exps(self, items: tuple[ast.Exp, ...]) -> Step[None]:
        for e in items:
            yield self.exp(e)

    def pairs(self, pairs: tuple[tuple[ast.Exp, ast.Exp], ...]) -> Step[None]:
        for a, b in pairs:
            yield self.exp(a)
            yield self.exp(b)

    def scoped(self, stmts: tuple[ast.Stmt, ...], inner: list[ast.Exp],
               pairs: tuple[tuple[ast.Exp, ast.Exp], ...] = ()) -> Step[None]:
        frames = yield self.stmts(stmts)
        yield self.pairs(pairs)
        yield self.exps(tuple(inner))
        self.pop_all(frames)

    # --- expressions ---------------------------------------------------------------------------

    def exp(self, e: ast.Exp) -> Step[None]:
        if isinstance(e, ast.Var):
            self.use(e, e.name, e.span)
        elif isinstance(e, ast.Let):
            table = yield self.decl_group(e.decls)
            yield self.exp(e.body)
            self.pop(table)
        elif isinstance(e, ast.Lambda):
            params: dict[str, Binding] = {}
            self.bind_patterns(e.params, Kind.VARIABLE, params)
            self.push(params)
            yield self.exp(e.body)
            self.pop(params)
        elif isinstance(e, ast.Prefix):
            yield self.exp(e.event)
            bound: dict[str, Binding] = {}
            frames: list[dict[str, Binding]] = []
            for f in e.fields:
                if isinstance(f, ast.Output):
                    yield self.exp(f.value)
                    continue
                assert isinstance(f, ast.Input | ast.NondetInput)
                if f.restriction is not None:
                    yield self.exp(f.restriction)
                frame: dict[str, Binding] = {}
                self.bind_patterns((f.pattern,), Kind.VARIABLE, frame)
                for name, b in frame.items():
                    if name in bound:
                        raise self.error(f"'{name}' is input twice in one prefix", b.span)
                    bound[name] = b
                self.push(frame)
                frames.append(frame)
            yield self.exp(e.body)
            self.pop_all(frames)
        elif isinstance(e, ast.SeqComp | ast.SetComp | ast.EnumSetComp):
            yield self.scoped(e.stmts, list(e.items))
        elif isinstance(e, ast.SeqRangeComp | ast.SetRangeComp):
            yield self.scoped(e.stmts, [e.low] + ([e.high] if e.high is not None else []))
        elif isinstance(e, ast.Replicated):
            yield self.scoped(e.stmts, [e.body])
        elif isinstance(e, ast.RepAlphaPar):
            yield self.scoped(e.stmts, [e.alphabet, e.body])
        elif isinstance(e, ast.RepGenPar):
            yield self.exp(e.sync)
            yield self.scoped(e.stmts, [e.body])
        elif isinstance(e, ast.RepSyncExtChoice):
            yield self.exp(e.events)
            yield self.scoped(e.stmts, [e.body])
        elif isinstance(e, ast.RepLinkPar):
            outer = yield self.stmts(e.stmts)
            yield self.scoped(e.tie_stmts, [], e.ties)
            yield self.exp(e.body)
            self.pop_all(outer)
        elif isinstance(e, ast.Rename):
            yield self.exp(e.proc)
            yield self.scoped(e.stmts, [], e.pairs)
        elif isinstance(e, ast.LinkPar):
            yield self.exp(e.left)
            yield self.exp(e.right)
            yield self.scoped(e.stmts, [], e.ties)
        else:
            for kid in _exp_children(e):
                yield self.exp(kid)


def _exp_children(e: ast.Exp) -> tuple[ast.Exp, ...]:
    """Sub-expressions of the node kinds that bind nothing."""
    out = children(e)
    assert all(isinstance(k, ast.Exp) for k in out), type(e).__name__
    return out  # type: ignore[return-value]


def resolve_script(script: ast.Script) -> Resolution:
    """Resolve every name of the script, or raise :class:`CspmScopeError` at the first problem."""
    resolver = _Resolver(script)
    run(resolver.decl_group(script.decls))
    return resolver.res
