"""Modules and their instances, elaborated into plain declarations.

FDR4's modules only organise names: a module's declarations are ordinary declarations whose
names, seen from outside, are qualified (``M::x``); a parameterised module is a template, and
each instance (``instance N = M(args)``) is a copy of its declarations, with its own channels,
datatypes and processes (``N::c``, ``N::P``). :func:`elaborate` makes this literal: from a
script and its scope resolution it builds the script without modules in which

- every module-level name is declared under its qualified name (``M::x``, ``N::x`` for the
  copy an instance makes), and every use of it says that name;
- an instance ``N = M(args)`` becomes the copy of ``M``'s declarations plus the declaration
  ``(N::p1, ..., N::pk) = (args)`` of its parameters;
- a parameterised module ``M(p)`` also becomes a function ``M::(module)(p) = let <body>
  within true``, never called: it type-checks the module for every argument, as libcspm
  checks a module once before any instance exists.

The type checker and the evaluator then work on that script as on any other. The copies
keep the source positions of the module's text, so errors point into the module.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from cspotlp.cspm import ast
from cspotlp.cspm.scope import Binding, ModuleInfo, Resolution, flat_decls
from cspotlp.cspm.source import located, script_sources
from cspotlp.cspm.traverse import fold
from cspotlp.errors import CspmScopeError

GENERIC_SUFFIX = "::(module)"
"""The name of the function that type-checks a parameterised module (no script can say it)."""

Context = dict[Binding, str]
"""Parameterised module -> the prefix of the copy being made (an instance's flat name)."""


def has_modules(script: ast.Script) -> bool:
    """Whether a script declares modules or instances (anywhere a declaration may stand)."""
    stack = list(script.decls)
    while stack:
        d = stack.pop()
        if isinstance(d, ast.ModuleDecl | ast.InstanceDecl):
            return True
        if isinstance(d, ast.TimedSection):
            stack.extend(d.decls)
    return False


@dataclass
class Elaborated:
    """The script without modules, and where each of its top-level declarations came from."""

    script: ast.Script
    from_module: dict[ast.Decl, set[Binding]] = field(default_factory=dict)
    """A declaration copied from the body of these modules (directly or as a check)."""
    from_instance: dict[ast.Decl, tuple[Binding, ast.InstanceDecl]] = field(default_factory=dict)
    """A declaration made by instantiating this module, at that instance."""


class _Elaborator:
    def __init__(self, script: ast.Script, res: Resolution) -> None:
        self.script = script
        self.res = res
        self.sources = script_sources(script)
        self.expanding: list[Binding] = []
        # The modules whose bodies are being elaborated as themselves (not copied for an
        # instance): what is made meanwhile belongs to them.
        self.module_stack: list[Binding] = []
        self.result = Elaborated(script)

    def error(self, message: str, node: ast.Node) -> CspmScopeError:
        err = located(CspmScopeError, message, node.span, self.sources)
        assert isinstance(err, CspmScopeError)
        return err

    # --- names -------------------------------------------------------------------------------

    def flat_name(self, b: Binding, ctx: Context) -> str:
        """The name ``b`` has in the elaborated script."""
        owner = self.res.owner.get(b)
        if owner is None:
            return b.name
        return f"{self.prefix(owner, ctx)}::{b.name}"

    def prefix(self, module: Binding, ctx: Context) -> str:
        """The qualifier of the names a module declares, in the copy being made."""
        found = ctx.get(module)
        return found if found is not None else self.flat_name(module, ctx)

    def reference(self, node: ast.Node, name: str, ctx: Context) -> str:
        """The elaborated name of a use (``name`` as written; qualified uses keep their tail)."""
        if "::" in name:
            head = self.res.heads[node]
            return self.flat_name(head, ctx) + name[name.index("::"):]
        b = self.res.refs.get(node) or self.res.defs.get(node)
        return name if b is None else self.flat_name(b, ctx)

    # --- copying -----------------------------------------------------------------------------

    def copy(self, root: ast.Node, ctx: Context) -> Any:
        """A fresh copy of a tree with every name elaborated."""

        def combine(node: ast.Node, kids: list[Any]) -> Any:
            it = iter(kids)
            changes: dict[str, Any] = {}
            for f in dataclasses.fields(node):
                if f.name == "span":
                    continue
                changes[f.name] = _rebuild(getattr(node, f.name), it)
            changes.update(self.renamed(node, ctx))
            return dataclasses.replace(node, **changes)

        return fold(root, combine)

    def renamed(self, node: ast.Node, ctx: Context) -> dict[str, Any]:
        """The name fields of ``node`` as they read in the copy."""
        res = self.res
        if isinstance(node, ast.Var | ast.PVar):
            return {"name": self.reference(node, node.name, ctx)}
        if isinstance(node, ast.STName):
            b = res.types.get(node)
            if "::" in node.name:
                return {"name": self.reference(node, node.name, ctx)}
            return {"name": node.name if b is None else self.flat_name(b, ctx)}
        if isinstance(node, ast.Ident | ast.DataClause) and (node in res.defs or
                                                              node in res.refs):
            return {"name": self.flat_name(res.binding(node), ctx)}
        if isinstance(node, ast.FunBind | ast.DataTypeDecl | ast.SubTypeDecl
                      | ast.NameTypeDecl) and node in res.defs:
            return {"name": self.flat_name(res.defs[node], ctx)}
        return {}

    # --- declaration lists ---------------------------------------------------------------------

    def decls(self, decls: tuple[ast.Decl, ...], ctx: Context, module: Binding | None,
              out: list[ast.Decl]) -> None:
        """Append the elaboration of a list of declarations (of ``module``'s body, if given)."""
        for d in decls:
            before = len(out)
            self.decl(d, ctx, module, out)
            if self.module_stack:
                for made in out[before:]:
                    self.result.from_module.setdefault(made, set()).update(self.module_stack)

    def decl(self, d: ast.Decl, ctx: Context, module: Binding | None,
             out: list[ast.Decl]) -> None:
        if isinstance(d, ast.ModuleDecl):
            self.module(d, ctx, out)
        elif isinstance(d, ast.InstanceDecl):
            self.instance(d, ctx, out)
        elif isinstance(d, ast.TimedSection):
            inner: list[ast.Decl] = []
            self.decls(d.decls, ctx, module, inner)
            function = None if d.function is None else self.copy(d.function, ctx)
            out.append(ast.TimedSection(function, tuple(inner), span=d.span))
        elif isinstance(d, ast.TypeAnnotation) and module is not None:
            members = self.res.modules[module].members
            names = tuple(ast.Ident(self.flat_name(members[i.name], ctx), span=i.span)
                          if i.name in members else i for i in d.names)
            out.append(ast.TypeAnnotation(names, self.copy(d.scheme, ctx), span=d.span))
        else:
            out.append(self.copy(d, ctx))

    def module(self, d: ast.ModuleDecl, ctx: Context, out: list[ast.Decl]) -> None:
        b = self.res.defs[d]
        self.module_stack.append(b)
        if d.params is None:
            self.decls(d.private + d.exports, ctx, b, out)
            self.module_stack.pop()
            return
        # A template: check its body once, inside a function of its parameters.
        inner_ctx = {**ctx, b: self.flat_name(b, ctx)}
        self.entering(b, d)
        body: list[ast.Decl] = []
        self.decls(d.private + d.exports, inner_ctx, b, body)
        self.expanding.pop()
        self.module_stack.pop()
        params = tuple(self.copy(p, inner_ctx) for p in d.params)
        let = ast.Let(tuple(body), ast.BoolLit(True, span=d.span), module=True, span=d.span)
        clause = ast.Clause((params,), let, span=d.span)
        check = ast.FunBind(self.flat_name(b, ctx) + GENERIC_SUFFIX, (clause,), span=d.span)
        self.result.from_module.setdefault(check, set()).add(b)
        out.append(check)

    def entering(self, module: Binding, at: ast.Decl) -> None:
        """Push ``module`` on the expansion stack, refusing infinitely recursive instances."""
        if module in self.expanding:
            chain = " -> ".join(m.name for m in (*self.expanding, module))
            raise self.error(f"module instances without end: {chain}", at)
        self.expanding.append(module)

    def instance(self, d: ast.InstanceDecl, ctx: Context, out: list[ast.Decl]) -> None:
        res = self.res
        inst = res.defs[d]
        info = res.modules[inst]
        target = info.target
        assert target is not None
        copy_ctx = dict(ctx)
        if "::" in d.module:
            # Each instance along the path fixes the prefix of the module it instantiates.
            cur = res.heads[d]
            name = self.flat_name(cur, ctx)
            for part in d.module.split("::")[1:]:
                cur_info = res.modules[cur]
                if cur_info.instance is not None:
                    assert cur_info.target is not None
                    copy_ctx[cur_info.target] = name
                    cur = res.modules[cur_info.target].exports[part]
                else:
                    cur = cur_info.exports[part]
                name = f"{name}::{part}"
        module_info: ModuleInfo = res.modules[target]
        module = module_info.decl
        assert module is not None
        copy_ctx[target] = self.flat_name(inst, ctx)
        self.entering(target, d)
        outer_stack, self.module_stack = self.module_stack, []
        made: list[ast.Decl] = []
        if module.params is not None and d.args is not None:
            params = [self.copy(p, copy_ctx) for p in module.params]
            args = [self.copy(a, ctx) for a in d.args]
            pattern = params[0] if len(params) == 1 else ast.PTuple(tuple(params), span=d.span)
            value = args[0] if len(args) == 1 else ast.TupleExp(tuple(args), span=d.span)
            made.append(ast.PatBind(pattern, value, span=d.span))
        self.decls(module.private + module.exports, copy_ctx, target, made)
        self.expanding.pop()
        self.module_stack = outer_stack
        for m in made:
            self.result.from_instance.setdefault(m, (target, d))
        out.extend(made)


def _rebuild(value: Any, it: Any) -> Any:
    """A field value with its nodes replaced, in order, by the next copies from ``it``."""
    if isinstance(value, ast.Node):
        return next(it)
    if isinstance(value, tuple):
        out: list[Any] = []
        for item in value:
            if isinstance(item, ast.Node):
                out.append(next(it))
            elif isinstance(item, tuple):
                out.append(tuple(next(it) if isinstance(x, ast.Node) else x for x in item))
            else:
                out.append(item)
        return tuple(out)
    return value


def elaborate(script: ast.Script, res: Resolution) -> Elaborated:
    """The script with its modules and instances turned into plain declarations."""
    el = _Elaborator(script, res)
    out: list[ast.Decl] = []
    el.decls(script.decls, {}, None, out)
    el.result.script = ast.Script(tuple(out), script.sources, span=script.span)
    return el.result


def check_instance_cycles(result: Elaborated, flat: Resolution) -> None:
    """Refuse a module whose declarations depend on an instance of itself.

    libcspm refuses ``module M exports y = N::y endmodule`` with ``instance N = M``: the
    instance would be defined by itself. ``flat`` is the resolution of the elaborated script.
    """
    targets: dict[Binding, list[tuple[ast.Decl, ast.InstanceDecl]]] = {}
    for d, (module, inst) in result.from_instance.items():
        targets.setdefault(module, []).append((d, inst))
    if not targets:
        return
    sources: dict[Binding, list[ast.Decl]] = {}
    for d, modules in result.from_module.items():
        for m in modules:
            sources.setdefault(m, []).append(d)
    for module, made in targets.items():
        start = sources.get(module, [])
        goal = dict(made)
        seen: set[ast.Decl] = set()
        stack = list(start)
        while stack:
            d = stack.pop()
            if d in seen:
                continue
            seen.add(d)
            if d in goal:
                inst = goal[d]
                err = located(CspmScopeError, f"the module '{module.name}' depends on its own "
                              f"instance '{inst.name}' (a module cannot use its instances)",
                              inst.span, script_sources(result.script))
                raise err
            stack.extend(flat.deps.get(d, {}))


__all__ = ["Elaborated", "check_instance_cycles", "elaborate", "flat_decls", "has_modules"]
