"""Static scope analysis (renaming) of CSPm scripts.

:func:`resolve_script` links every use of a name to its :class:`Binding` and every binding
occurrence to the binding it creates, following CSPm's rules:

- top-level and ``let`` declarations are mutually recursive; names may be defined once per
  group (the equations of one function must be consecutive);
- function parameters, lambda parameters, inputs ``c?x`` (visible in later fields and the
  body) and generators ``x <- S`` (visible in later statements and the items) bind variables;
- in a pattern, a name that is a datatype constructor or a channel matches that value, any
  other name binds a new variable;
- FDR's compression and external functions exist only after ``transparent`` / ``external``;
- a module's declarations (private and exported) see each other and the enclosing scope;
  outside it, ``M::x`` names an exported ``x``; a parameterised module is a template whose
  names exist only through an instance (``instance N = M(args)``, then ``N::x``);
- the declarations of a ``Timed`` section belong to the enclosing group.

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
from cspotlp.cspm.builtins import (
    ALWAYS_IN_SCOPE,
    BUILTINS,
    TIMED_BUILTINS,
    BuiltInKind,
    can_declare,
)
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
    MODULE = "module"
    INSTANCE = "module instance"


PATTERN_CONSTANTS = frozenset({Kind.CONSTRUCTOR, Kind.CHANNEL})
"""Names of these kinds match values in patterns instead of binding variables."""

NAMESPACES = frozenset({Kind.MODULE, Kind.INSTANCE})
"""Names that only qualify other names (``M::x``): never values."""

MAX_MODULE_NESTING = 64
"""Deeper nesting of modules (or chains of instances) is refused with an error."""


def base_name(name: str) -> str:
    """``x`` of a qualified name ``M::N::x`` (the name itself when unqualified)."""
    return name.rsplit("::", 1)[-1]


@dataclass(eq=False)
class ScopeFrame:
    """A static scope of module-level names: a module body, or the top level (parent None)."""

    table: dict[str, Binding]
    parent: ScopeFrame | None


@dataclass(eq=False)
class ModuleInfo:
    """What the resolver knows of a module or a module instance.

    For a module: its declaration, its members (private and exported) and exports, and the
    scope its body sees. For an instance: its declaration and the module it instantiates
    (``target``, resolved in ``scope``, the scope where the instance is declared).
    ``parent`` is the module whose body declares it (None at the top level).
    """

    binding: Binding
    parent: Binding | None
    scope: ScopeFrame
    decl: ast.ModuleDecl | None = None
    members: dict[str, Binding] = field(default_factory=dict)
    exports: dict[str, Binding] = field(default_factory=dict)
    instance: ast.InstanceDecl | None = None
    target: Binding | None = None

    @property
    def parameterised(self) -> bool:
        """Whether this is a module with parameters (a template)."""
        return self.decl is not None and self.decl.params is not None


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
    modules: dict[Binding, ModuleInfo] = field(default_factory=dict)
    """Module and instance bindings -> what they hold."""
    owner: dict[Binding, Binding] = field(default_factory=dict)
    """Each module-level binding (and module parameter) -> the module declaring it."""
    heads: dict[ast.Node, Binding] = field(default_factory=dict)
    """Each qualified reference ``A::...::x`` -> the binding of ``A`` (where it starts)."""
    types: dict[ast.Node, Binding] = field(default_factory=dict)
    """Each named type of an annotation that is a datatype or nametype -> its binding."""

    def binding(self, node: ast.Node) -> Binding:
        """The binding a use refers to, or that a binding occurrence creates."""
        found = self.refs.get(node) or self.defs.get(node)
        if found is None:
            raise KeyError(f"no binding recorded for {type(node).__name__} at {node.span}")
        return found

    def is_constructor_pattern(self, pat: ast.PVar) -> bool:
        """Whether a ``PVar`` matches a constructor or channel (rather than binding a variable)."""
        return pat in self.refs


def flat_decls(decls: tuple[ast.Decl, ...]) -> list[ast.Decl]:
    """The declarations of a group, with those of its ``Timed`` sections spliced in."""
    return [d for d, _timed in timed_decls(decls)]


def timed_decls(decls: tuple[ast.Decl, ...]) -> list[tuple[ast.Decl, bool]]:
    """:func:`flat_decls`, each with whether it stands inside a ``Timed`` section."""
    out: list[tuple[ast.Decl, bool]] = []
    stack: list[tuple[ast.Decl, bool]] = [(d, False) for d in reversed(decls)]
    while stack:
        d, timed = stack.pop()
        if isinstance(d, ast.TimedSection):
            stack.extend((x, True) for x in reversed(d.decls))
        out.append((d, timed))
    return out


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
    def __init__(self, script: ast.Script, literal: bool = False) -> None:
        # ``literal``: names with '::' are plain names (the script modules were elaborated into).
        self.literal = literal
        self.sources = script_sources(script)
        self.res = Resolution()
        self.env: dict[str, list[Binding]] = {}
        self.active: dict[int, ast.Decl] = {}
        self.groups = 0
        # The static scope of module-level names being resolved (None inside no module
        # machinery yet: the top level sets it), and the instances whose targets are pending.
        self.frame: ScopeFrame | None = None
        self.resolving: set[Binding] = set()
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
        b: Binding | None
        if "::" in name and not self.literal:
            b = self.qualified(node, name, span)
        else:
            b = self.lookup(name)
        if b is not None and b.kind in NAMESPACES:
            raise self.error(f"'{name}' is a {b.kind.value}, not a value: name one of its "
                             f"exports ('{name}::x')", span)
        if b is None:
            builtin = BUILTINS.get(name)
            if builtin is not None and builtin.kind is BuiltInKind.TIMED:
                raise self.error(f"unknown name '{name}' (it exists only inside a Timed "
                                 "section)", span)
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

    # --- modules -------------------------------------------------------------------------------

    def qualified(self, node: ast.Node, name: str, span: Span,
                  frame: ScopeFrame | None = None, template: bool = False) -> Binding:
        """The binding ``A::B::x`` names (``template``: it may be a parameterised module)."""
        parts = name.split("::")
        head = self.lookup(parts[0]) if frame is None else self.static_lookup(parts[0], frame)
        if head is None:
            raise self.error(f"unknown name '{parts[0]}' (in '{name}')", span)
        self.res.heads[node] = head
        b = head
        for k, part in enumerate(parts[1:], start=1):
            qualifier = "::".join(parts[:k])
            info = self.res.modules.get(b)
            if info is None:
                raise self.error(f"'{qualifier}' is not a module: '{name}' names nothing", span)
            if info.parameterised:
                raise self.error(f"'{qualifier}' is a parameterised module: its names exist "
                                 f"only in an instance ('instance N = {qualifier}(...)')", span)
            exports = self.exports_of(info, span)
            member = exports.get(part)
            if member is None:
                target = info if info.decl is not None else self.res.modules[info.target] \
                    if info.target is not None else info
                hidden = part in target.members
                why = "is private to it" if hidden else "is not defined there"
                raise self.error(f"'{name}': '{part}' {why} (the exports of '{qualifier}' "
                                 f"are: {', '.join(sorted(exports)) or 'none'})", span)
            b = member
        info = self.res.modules.get(b)
        if not template and info is not None and info.parameterised:
            raise self.error(f"'{name}' is a parameterised module: its names exist only in "
                             f"an instance ('instance N = {name}(...)')", span)
        return b

    def static_lookup(self, name: str, frame: ScopeFrame | None) -> Binding | None:
        """A name in the static module scopes, then among the always-visible built-ins."""
        while frame is not None:
            found = frame.table.get(name)
            if found is not None:
                return found
            frame = frame.parent
        return self.res.builtins.get(name) if name in ALWAYS_IN_SCOPE else None

    def exports_of(self, info: ModuleInfo, span: Span) -> dict[str, Binding]:
        """A module's exports, or those of the module an instance instantiates."""
        if info.decl is not None:
            return info.exports
        target = self.instance_target(info)
        return self.res.modules[target].exports

    def instance_target(self, info: ModuleInfo) -> Binding:
        """The module an instance instantiates (resolved once, where the instance stands)."""
        if info.target is not None:
            return info.target
        d = info.instance
        assert d is not None
        if info.binding in self.resolving or len(self.resolving) > MAX_MODULE_NESTING:
            raise self.error(f"the instance '{d.name}' instantiates itself", d.span)
        self.resolving.add(info.binding)
        try:
            if "::" in d.module:
                target = self.qualified(d, d.module, d.span, info.scope, template=True)
            else:
                found = self.static_lookup(d.module, info.scope)
                if found is None:
                    raise self.error(f"unknown module '{d.module}'", d.span)
                target = found
        finally:
            self.resolving.discard(info.binding)
        target_info = self.res.modules.get(target)
        if target_info is None or target_info.decl is None:
            what = target.kind.value if target_info is None else "module instance"
            raise self.error(f"'{d.module}' is a {what}, not a module", d.span)
        params = target_info.decl.params
        want = 0 if params is None else len(params)
        got = 0 if d.args is None else len(d.args)
        if (params is None) != (d.args is None) or want != got:
            raise self.error(f"the module '{d.module}' takes {want} argument(s), "
                             f"not {got}", d.span)
        info.target = target
        return target

    def module_members(self, d: ast.ModuleDecl, b: Binding) -> Step[None]:
        """Bind the names a module declares (its body is resolved with the group)."""
        info = self.res.modules[b]
        self.groups += 1
        table = yield self.group_bindings(d.private + d.exports, self.groups, b)
        info.members = table
        exported = {x.name for d2 in flat_decls(d.exports)
                    for x in self.res.bound_by.get(d2, ())}
        info.exports = {name: x for name, x in table.items() if name in exported}
        info.scope.table.update(table)
        return None

    def module_body(self, d: ast.ModuleDecl) -> Step[None]:
        b = self.res.defs[d]
        info = self.res.modules[b]
        outer = self.frame
        self.frame = info.scope
        params: dict[str, Binding] = {}
        if d.params is not None:
            self.bind_patterns(d.params, Kind.VARIABLE, params)
            for param in params.values():
                self.res.owner[param] = b
            info.scope.table.update({k: v for k, v in params.items()
                                     if k not in info.members})
        self.push(params)
        self.push(info.members)
        for member in flat_decls(d.private + d.exports):
            if isinstance(member, ast.InstanceDecl):
                self.instance_target(self.res.modules[self.res.defs[member]])
        for member, timed in timed_decls(d.private + d.exports):
            yield self.member(member, timed)
        self.pop(info.members)
        self.pop(params)
        self.frame = outer
        return None

    # --- type annotations --------------------------------------------------------------------

    def annotation(self, d: ast.TypeAnnotation) -> None:
        """Link each named type of an annotation that is a datatype (or nametype)."""
        stack: list[ast.SType] = [d.scheme.body]
        while stack:
            t = stack.pop()
            if isinstance(t, ast.STName):
                b = self.type_name(t)
                if b is not None:
                    self.res.types[t] = b
            elif isinstance(t, ast.STSet | ast.STSeq):
                stack.append(t.elem)
            elif isinstance(t, ast.STTuple | ast.STDot):
                stack.extend(t.items)
            elif isinstance(t, ast.STFunction):
                stack.extend((*t.args, t.result))
            elif isinstance(t, ast.STDotable):
                stack.extend((t.arg, t.result))
            elif isinstance(t, ast.STExtendable):
                stack.append(t.result)
            elif isinstance(t, ast.STMap):
                stack.extend((t.key, t.value))

    def type_name(self, t: ast.STName) -> Binding | None:
        """The datatype a named type refers to, or None (a built-in type or type variable)."""
        b: Binding | None
        if "::" in t.name and not self.literal:
            b = self.qualified(t, t.name, t.span)
        else:
            b = self.lookup(t.name)
        if b is not None and b.kind in (Kind.DATATYPE, Kind.NAMETYPE, Kind.SUBTYPE):
            return b
        if "::" in t.name:
            what = f"a {b.kind.value}" if b is not None else "not defined"
            raise self.error(f"'{t.name}' is {what}, not a type", t.span)
        return None

    # --- patterns ------------------------------------------------------------------------------

    def bind_patterns(self, pats: tuple[ast.Pat, ...], kind: Kind, into: dict[str, Binding],
                      decl: ast.Decl | None = None, group: int | None = None) -> None:
        """Record the variables the patterns bind into ``into`` (rejecting repeats)."""
        for p in pats:
            for v in _pattern_vars(p):
                known: Binding | None
                if "::" in v.name and not self.literal:
                    known = self.qualified(v, v.name, v.span)
                    if known.kind not in PATTERN_CONSTANTS:
                        raise self.error(f"'{v.name}' is not a channel or constructor: a "
                                         f"pattern cannot bind a qualified name", v.span)
                else:
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

    def group_bindings(self, decls: tuple[ast.Decl, ...], group: int,
                       module: Binding | None = None) -> Step[dict[str, Binding]]:
        """All names a group of declarations binds (duplicates are errors).

        ``module`` is the module whose body the group is (its members get it as owner).
        """
        table: dict[str, Binding] = {}
        decls_flat = flat_decls(decls)

        def add(name: str, kind: Kind, span: Span, decl: ast.Decl, site: ast.Node) -> Binding:
            if name in table:
                first = table[name].span
                raise self.error(f"'{name}' is defined more than once (first at {first})", span)
            b = Binding(name, kind, span, decl, site, group)
            table[name] = b
            self.res.defs[site] = b
            self.res.bound_by[decl] = (*self.res.bound_by.get(decl, ()), b)
            return b

        # Constructors and channels first: patterns of pattern bindings refer to them.
        for d in decls_flat:
            self.res.bound_by.setdefault(d, ())
            if isinstance(d, ast.ChannelDecl):
                for ident in d.names:
                    add(ident.name, Kind.CHANNEL, ident.span, d, ident)
            elif isinstance(d, ast.DataTypeDecl):
                add(d.name, Kind.DATATYPE, d.span, d, d)
                for clause in d.clauses:
                    add(clause.name, Kind.CONSTRUCTOR, clause.span, d, clause)
        self.push(table)
        outer_frame = self.frame if self.frame is not None else ScopeFrame({}, None)
        modules: list[tuple[ast.ModuleDecl, Binding]] = []
        for d in decls_flat:
            if isinstance(d, ast.FunBind):
                add(d.name, Kind.FUNCTION, d.span, d, d)
            elif isinstance(d, ast.SubTypeDecl):
                add(d.name, Kind.SUBTYPE, d.span, d, d)
            elif isinstance(d, ast.NameTypeDecl):
                add(d.name, Kind.NAMETYPE, d.span, d, d)
            elif isinstance(d, ast.TransparentDecl | ast.ExternalDecl):
                transparent = isinstance(d, ast.TransparentDecl)
                for ident in d.names:
                    if not can_declare(base_name(ident.name), transparent):
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
            elif isinstance(d, ast.ModuleDecl):
                b = add(d.name, Kind.MODULE, d.span, d, d)
                scope = ScopeFrame({}, self.frame)
                self.res.modules[b] = ModuleInfo(b, module, scope, decl=d)
                modules.append((d, b))
            elif isinstance(d, ast.InstanceDecl):
                b = add(d.name, Kind.INSTANCE, d.span, d, d)
                self.res.modules[b] = ModuleInfo(b, module, outer_frame, instance=d)
            elif isinstance(d, ast.IncludeDecl):
                raise located(CspmUnsupported, "unsupported construct: 'include' in a script "
                              "given as text (read the file with parse_file)", d.span,
                              self.sources)
        self.active.pop(group, None)
        if module is not None:
            for b in table.values():
                self.res.owner[b] = module
        # The static scope: this group's names, seen by the module bodies declared in it.
        outer_frame.table.update(table)
        for d, b in modules:
            info = self.res.modules[b]
            info.scope.parent = outer_frame
            if self.depth(info) > MAX_MODULE_NESTING:
                raise self.error(f"modules nested more than {MAX_MODULE_NESTING} deep", d.span)
            saved = self.frame
            self.frame = info.scope
            yield self.module_members(d, b)
            self.frame = saved
        self.pop({k: v for k, v in table.items() if v.kind in (Kind.CHANNEL, Kind.DATATYPE,
                                                                 Kind.CONSTRUCTOR)})
        if self.frame is None:
            self.frame = outer_frame
        return table

    def depth(self, info: ModuleInfo) -> int:
        """How deeply a module is nested in others."""
        n = 0
        parent = info.parent
        while parent is not None:
            n += 1
            parent = self.res.modules[parent].parent
        return n

    def decl_group(self, decls: tuple[ast.Decl, ...]) -> Step[dict[str, Binding]]:
        """Bind a group and resolve its declarations; the caller pops the returned table."""
        self.groups += 1
        group = self.groups
        top = self.frame is None
        table: dict[str, Binding] = yield self.group_bindings(decls, group)
        self.push(table)
        members = timed_decls(decls)
        if top:
            for d, _timed in members:
                if isinstance(d, ast.InstanceDecl):
                    self.instance_target(self.res.modules[self.res.defs[d]])
        for d, timed in members:
            self.active[group] = d
            yield self.member(d, timed)
        self.active.pop(group, None)
        return table

    def member(self, d: ast.Decl, timed: bool) -> Step[None]:
        """Resolve one declaration of a group (inside a Timed section: with its built-ins)."""
        if isinstance(d, ast.TimedSection):
            tock = self.lookup("tock")
            if tock is None:
                raise self.error("a Timed section needs the channel 'tock'", d.span)
            self.res.refs[d] = tock
        if not timed:
            yield self.decl(d)
            return None
        extra = {name: self.res.builtins[name] for name in TIMED_BUILTINS}
        self.push(extra)
        yield self.decl(d)
        self.pop(extra)
        return None

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
        elif isinstance(d, ast.ModuleDecl):
            yield self.module_body(d)
        elif isinstance(d, ast.InstanceDecl):
            info = self.res.modules[self.res.defs[d]]
            self.instance_target(info)
            outer = self.frame
            self.frame = info.scope
            yield self.exps(d.args or ())
            self.frame = outer
        elif isinstance(d, ast.TimedSection):
            if d.function is not None:
                yield self.exp(d.function)
        elif isinstance(d, ast.TypeAnnotation):
            self.annotation(d)
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
                if a.tau_priority is not None:
                    yield self.exp(a.tau_priority)

    # --- statements (each generator opens a scope for what follows) ------------------------------

    def stmts(self, stmts: tuple[ast.Stmt, ...]) -> Step[list[dict[str, Binding]]]:
        """Resolve statements left to right; returns the scopes pushed (the caller pops them)."""
        frames: list[dict[str, Binding]] = []
        bound: set[str] = set()
        for s in stmts:
            if isinstance(s, ast.Generator):
                yield self.exp(s.source)
                frame: dict[str, Binding] = {}
                self.bind_patterns((s.pattern,), Kind.VARIABLE, frame)
                for name, b in frame.items():
                    if name in bound:
                        raise self.error(f"'{name}' is bound by two generators of the same "
                                         "statements", b.span)
                    bound.add(name)
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
            seen_input = False
            for f in e.fields:
                if isinstance(f, ast.NondetInput) and seen_input:
                    raise self.error("a '$' field must come before every '?' and '!' field",
                                     f.span)
                seen_input = seen_input or not isinstance(f, ast.NondetInput)
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


def resolve_script(script: ast.Script, literal: bool = False) -> Resolution:
    """Resolve every name of the script, or raise :class:`CspmScopeError` at the first problem.

    With ``literal``, qualified names (``M::x``) are plain names, as in the script that
    :func:`cspotlp.cspm.modules.elaborate` makes.
    """
    resolver = _Resolver(script, literal)
    run(resolver.decl_group(script.decls))
    return resolver.res
