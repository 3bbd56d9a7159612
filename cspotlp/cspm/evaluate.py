"""The CSPm evaluator: a checked script becomes values, processes and an :class:`Environment`.

:func:`load_script` parses a file (inlining includes), checks it and binds its declarations
lazily, as FDR does: a definition's body is evaluated when it is first needed (so an ``error``
nobody needs never fires). Channels, datatypes, subtypes and nametypes become the channels and
datatypes of a :class:`~cspotlp.csp.environment.Environment`, with finite field sets (dotted
types such as ``{0..1}.Bool`` are flattened into one set per field).

Processes are :mod:`cspotlp.csp` terms. A process-valued definition is referenced through
:func:`~cspotlp.csp.terms.call` and expanded by the environment when the semantics needs it:
top-level ones by their own name and arguments (``call("PHIL", 1)``), the others (``let``
definitions, functions of several argument groups, lambdas returning processes) by libcspm's
scope names, such as ``Round({1})::ANNON(1)::P1``.

What is evaluated eagerly and what lazily: bindings (top-level and ``let``) are lazy and
remembered; function arguments and the items of sets, tuples and finite sequences are
evaluated when the expression is; infinite ranges (``<1..>``) and comprehensions or
concatenations over them are lazy sequences, so ``head(<x | x <- <0..>, x % 2 == 1>)`` works.

Every evaluation error is a :class:`~cspotlp.errors.CspmEvalError` located at the expression
that failed (``file:line:col`` with the source line); constructs that are not supported fail
with :class:`~cspotlp.errors.CspmUnsupported` (``unsupported construct: ...``), never silently.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from cspotlp.csp.environment import Environment
from cspotlp.csp.events import Event
from cspotlp.csp.terms import Proc, call
from cspotlp.csp.values import Datum, Seq, sorted_values
from cspotlp.cspm import ast
from cspotlp.cspm.channels import InfiniteChannel
from cspotlp.cspm.compiled import Compiler
from cspotlp.cspm.dots import DotError, dot_all, head_value, split_field_set
from cspotlp.cspm.functions import FunctionValue, Lambda, UserFunction
from cspotlp.cspm.intsets import MAX_ENUMERATED, at_least, between, difference, intervals_of
from cspotlp.cspm.parser import parse_expr, parse_file, parse_script
from cspotlp.cspm.patterns import PatternContext, PatternUnsupported, match
from cspotlp.cspm.processes import process_handlers, productions_of
from cspotlp.cspm.runtime import (
    MISSING,
    ROOT,
    CyclicDefinition,
    Frame,
    Scope,
    Step,
    Thunk,
    drive,
)
from cspotlp.cspm.scope import Binding, Kind, base_name, flat_decls
from cspotlp.cspm.source import located, script_sources
from cspotlp.cspm.timed import TIMED_BUILTINS, timed_builtin, timed_regions
from cspotlp.cspm.trampoline import RunawayRecursion
from cspotlp.cspm.typecheck import CheckedScript, check_script
from cspotlp.cspm.types import PROC, TFun, Type, prune
from cspotlp.cspm.values import (
    Char,
    DotValue,
    Head,
    InfiniteSet,
    LazySeq,
    MapValue,
    Partial,
    canonical,
    fingerprint,
    items_of,
    ordered,
    seq_iter,
    show,
    string_value,
)
from cspotlp.errors import CspError, CspmError, CspmEvalError, CspmUnsupported

__all__ = ["Evaluator", "LoadedScript", "load_script", "load_text"]


class _NeedLazy(Exception):
    """A generator met a lazy (maybe infinite) sequence at ``node``.

    A sequence comprehension catches it and is evaluated lazily instead; anywhere else it
    becomes a located error (:meth:`Evaluator.guarded`).
    """

    def __init__(self, node: ast.Node) -> None:
        super().__init__()
        self.node = node


def _result_type(t: Type, groups: int) -> Type | None:
    t = prune(t)
    for _ in range(groups):
        if not isinstance(t, TFun):
            return None
        t = prune(t.result)
    return t


class Evaluator:
    """Evaluates the declarations and expressions of one checked script."""

    def __init__(self, checked: CheckedScript, compiled: bool = True) -> None:
        """Bind the script's declarations (evaluated when needed).

        Args:
            checked: the type-checked script.
            compiled: evaluate top-level process definitions through their compiled closures
                (:mod:`cspotlp.cspm.compiled`); False keeps every evaluation on the general
                evaluator (the same terms and errors, slower: for comparisons).
        """
        self.checked = checked
        self.compiled = compiled
        self.script = checked.script
        self.res = checked.resolution
        self.refs = self.res.refs
        self.defs = self.res.defs
        self.sources = script_sources(self.script)
        self.env = Environment()
        self.globals = Frame(None, {}, ROOT)
        self.claims: dict[str, object] = {}
        self._calls: dict[tuple[Any, ...], Proc] = {}
        self.builtin_names: set[str] = set()
        self.chan_sets: dict[str, tuple[frozenset[Any], ...]] = {}
        self.ctor_sets: dict[str, tuple[frozenset[Any], ...]] = {}
        self.ctor_of_datatype: dict[str, list[str]] = {}
        self.declared_bindings: dict[str, Binding] = {}
        self.declared_types: set[str] = set()
        self.type_sets: dict[str, frozenset[Any]] = {}
        # The nodes written in Timed sections (tock-CSP's translation applies to them) and
        # each section's tock event.
        self.timing = timed_regions(self.script)
        self.tocks: dict[ast.TimedSection, Event] = {}
        # Datatypes defined in terms of themselves, while their values are being worked out.
        self.recursive: dict[str, InfiniteSet] = {}
        self.pctx = PatternContext(self.refs, self.defs, self.constant, self.head_of, self)
        self.handlers: dict[type, Callable[[Any, Frame], Any]] = self._handler_table()
        self.compiler = Compiler(self)
        self._bind_group(self.script.decls, self.globals, top=True)

    # -- errors -----------------------------------------------------------------------------------

    def error(self, message: str, node: ast.Node) -> CspmEvalError:
        """An evaluation error at ``node`` (the caller raises it)."""
        err = located(CspmEvalError, message, node.span, self.sources)
        assert isinstance(err, CspmEvalError)
        return err

    def unsupported(self, what: str, node: ast.Node) -> CspmUnsupported:
        """``unsupported construct: what`` at ``node``."""
        err = located(CspmUnsupported, f"unsupported construct: {what}", node.span, self.sources)
        assert isinstance(err, CspmUnsupported)
        return err

    def run(self, step: Any, node: ast.Node) -> Any:
        """Drive an evaluation to its value, turning internal failures into located errors."""
        return self.guarded(drive, step, node)

    def guarded(self, fn: Callable[[Any], Any], arg: Any, node: ast.Node) -> Any:
        """``fn(arg)``, its internal failures turned into errors located at ``node``."""
        try:
            return fn(arg)
        except CspmError:
            raise
        except RunawayRecursion as e:
            raise self.error(f"{e} (unbounded recursion?)", node) from e
        except CyclicDefinition as e:
            raise self.error(f"'{e.name}' is defined in terms of itself", node) from e
        except PatternUnsupported as e:
            raise self.unsupported(str(e).removeprefix("unsupported construct: "),
                                   e.node) from e
        except _NeedLazy as e:
            raise self.error("cannot range over a sequence that may be infinite here "
                             "(only a sequence comprehension may)", e.node) from e
        except (CspError, DotError) as e:
            raise self.error(str(e), node) from e

    def run_proc(self, step: Any, node: ast.Node) -> Proc:
        """Drive an evaluation that must give a process."""
        return self._process(self.run(step, node), node)

    def _process(self, value: Any, node: ast.Node) -> Proc:
        if not isinstance(value, Proc):
            raise self.error(f"expected a process, got {show(value)}", node)
        return value

    # -- declarations ----------------------------------------------------------------------------

    def _scheme_type(self, b: Binding) -> Type | None:
        scheme = self.checked.schemes.get(b)
        return None if scheme is None else prune(scheme.body)

    def _bind_group(self, decls: tuple[ast.Decl, ...], frame: Frame, top: bool) -> None:
        for d in flat_decls(decls):
            if isinstance(d, ast.FunBind):
                self._bind_function(d, frame, top)
            elif isinstance(d, ast.PatBind):
                self._bind_pattern(d, frame, top)
            elif isinstance(d, ast.ChannelDecl):
                for ident in d.names:
                    b = self.defs[ident]
                    self.declared_bindings[ident.name] = b
                    frame.vars[b] = Thunk(ident.name, self._channel_maker(d, ident.name))
            elif isinstance(d, ast.DataTypeDecl):
                self._bind_datatype(d, frame)
            elif isinstance(d, ast.SubTypeDecl):
                frame.vars[self.defs[d]] = Thunk(d.name, self._subtype_maker(d))
            elif isinstance(d, ast.NameTypeDecl):
                frame.vars[self.defs[d]] = Thunk(d.name, self._nametype_maker(d))

    def _bind_function(self, d: ast.FunBind, frame: Frame, top: bool) -> None:
        b = self.defs[d]
        groups = len(d.clauses[0].params)
        t = self._scheme_type(b)
        result = None if t is None else _result_type(t, groups)
        is_proc = result == PROC
        fn = UserFunction(d, frame, frame.scope, is_proc)
        frame.vars[b] = fn
        if top and is_proc and groups == 1:
            def body(*args: Any, fn: UserFunction = fn, d: ast.FunBind = d) -> Proc:
                value = self.guarded(self._compiled_equations, (fn, (tuple(args),)), d)
                return self._process(value, d)

            def general(*args: Any, fn: UserFunction = fn, d: ast.FunBind = d) -> Proc:
                return self.run_proc(self.apply_equations(fn, (tuple(args),), d), d)

            self._define(d.name, d, body if self.compiled else general)

    def _compiled_equations(self, call_: tuple[UserFunction, tuple[tuple[Any, ...], ...]]) -> Any:
        """:meth:`apply_equations` with the bodies compiled (:mod:`cspotlp.cspm.compiled`)."""
        fn, groups = call_
        decl = fn.decl
        for clause in decl.clauses:
            bindings = self._match_groups(clause, groups)
            if bindings is not None:
                scope = fn.scope.child(decl.name, *groups)
                return self.compiler.closure(clause.body)(Frame(fn.frame, bindings, scope))
        shown = decl.name + "".join("(" + ", ".join(show(a) for a in g) + ")" for g in groups)
        raise self.error(f"no equation of {decl.name} matches {shown}", decl)

    def _bind_pattern(self, d: ast.PatBind, frame: Frame, top: bool) -> None:
        pat = d.pattern
        if isinstance(pat, ast.PVar) and pat not in self.refs:
            b = self.defs[pat]
            scope = frame.scope.child(pat.name)
            if self._scheme_type(b) == PROC:
                self._bind_process(d, pat.name, b, frame, scope, top)
                return
            frame.vars[b] = Thunk(pat.name, self._body_in(d.body, frame, scope))
            return
        if self._bind_tuple_lazily(d, frame):
            return
        shared = Thunk("pattern", self._matcher(d, frame))
        for b in self.res.bound_by.get(d, ()):
            frame.vars[b] = Thunk(b.name, _projection(shared, b))

    def _bind_tuple_lazily(self, d: ast.PatBind, frame: Frame) -> bool:
        """``(s, t) = (1, loop)``: each variable of a tuple written out is bound on its own.

        As in FDR (Haskell's lazy pattern bindings), using ``s`` evaluates ``1`` but not
        ``loop``; the components matched by refutable patterns (``(1, x) = ...``) are checked
        whenever any variable is used.
        """
        if not (isinstance(d.pattern, ast.PTuple) and isinstance(d.body, ast.TupleExp)):
            return False
        variables: list[tuple[ast.PVar, ast.Exp]] = []
        refutable: list[tuple[ast.Pat, ast.Exp]] = []
        work: list[tuple[ast.Pat, ast.Exp]] = [(d.pattern, d.body)]
        while work:
            p, e = work.pop()
            if isinstance(p, ast.PTuple) and isinstance(e, ast.TupleExp) \
                    and len(p.items) == len(e.items):
                work.extend(zip(p.items, e.items, strict=True))
            elif isinstance(p, ast.PVar) and p not in self.refs:
                variables.append((p, e))
            elif not isinstance(p, ast.PWild):
                refutable.append((p, e))
        inner = Frame(frame, {}, frame.scope)

        def check() -> Step:
            out: dict[Binding, Any] = {}
            for p, e in refutable:
                value = yield self.ev(e, inner)
                got = self.match(p, value, d)
                if got is None:
                    raise self.error(f"the value {show(value)} does not match the pattern", p)
                out.update(got)
            return out

        checked = Thunk("pattern", check)
        own = set()
        for p, e in variables:
            b = self.defs[p]
            own.add(b)
            frame.vars[b] = Thunk(p.name, self._component(checked, e, inner))
        for b in self.res.bound_by.get(d, ()):
            if b not in own:
                frame.vars[b] = Thunk(b.name, _projection(checked, b))
        return True

    def _component(self, checked: Thunk, e: ast.Exp, inner: Frame) -> Callable[[], Step]:
        def compute() -> Step:
            yield checked.force()
            value = yield self.ev(e, inner)
            return value

        return compute

    def _body_in(self, body: ast.Exp, frame: Frame, scope: Scope) -> Callable[[], Any]:
        def compute() -> Any:
            return self.ev(body, Frame(frame, {}, scope))

        return compute

    def _matcher(self, d: ast.PatBind, frame: Frame) -> Callable[[], Step]:
        def compute() -> Step:
            value = yield self._match_binding(d, frame)
            return value

        return compute

    def _bind_process(self, d: ast.PatBind, name: str, b: Binding, frame: Frame, scope: Scope,
                      top: bool) -> None:
        """A process definition ``P = ...``: its value is a call, its body the definition."""
        body = self._body_in(d.body, frame, scope)
        if top:
            def compiled() -> Proc:
                closure = self.compiler.closure(d.body)
                return self._process(self.guarded(closure, Frame(frame, {}, scope), d), d)

            def general() -> Proc:
                return self.run_proc(body(), d)

            self._define(name, d, compiled if self.compiled else general)
            frame.vars[b] = call(name)
            return

        def named() -> Proc:
            return call(self.claim(scope.text(), d, body))

        frame.vars[b] = Thunk(name, named)

    def _match_binding(self, d: ast.PatBind, frame: Frame) -> Step:
        value = yield self.ev(d.body, Frame(frame, {}, frame.scope))
        bindings = self.match(d.pattern, value, d)
        if bindings is None:
            raise self.error(f"the value {show(value)} does not match the pattern", d.pattern)
        return bindings

    def _define(self, name: str, site: object, body: Callable[..., Proc]) -> None:
        self.claims[name] = site
        self.env.definitions[name] = body

    def claim(self, name: str, site: object, body: Callable[[], Any]) -> str:
        """The definition name for a process built at ``site`` in a scope named ``name``.

        The first claimant defines it; a later evaluation at the same site with the same name
        is the same process; a different site that happens to give the same name gets
        ``name#2`` (and so on), so distinct processes never share a name.
        """
        key = name
        n = 1
        while True:
            owner = self.claims.get(key)
            if owner is None:
                self.claims[key] = site
                node = site if isinstance(site, ast.Node) else self.script

                def expand(body: Callable[[], Any] = body, node: ast.Node = node) -> Proc:
                    return self.run_proc(body(), node)

                self.env.definitions[key] = expand
                return key
            if owner is site:
                return key
            n += 1
            key = f"{name}#{n}"

    # -- channels and datatypes -------------------------------------------------------------------

    def _type_fields(self, value: Any, node: ast.Node, infinite_ok: bool = False) -> list[Any]:
        """The field sets described by a type expression's value (``{0..1}.Bool`` gives two).

        With ``infinite_ok`` (constructor fields) a field may be an infinite set such as
        ``Int``: values are checked against it, but it cannot be enumerated.
        """
        if isinstance(value, DotValue):
            out: list[Any] = []
            for item in value.items:
                out.extend(self._type_fields(item, node, infinite_ok))
            return out
        if infinite_ok and isinstance(value, InfiniteSet):
            return [value]
        if infinite_ok and isinstance(value, tuple) and any(
                isinstance(v, InfiniteSet) for v in value):
            return [_tuple_type(value)]
        values = self.type_set(value, node)
        if values and all(isinstance(v, DotValue) for v in values):
            try:
                return list(split_field_set(values))
            except DotError as e:
                raise self.error(str(e), node) from e
        if any(isinstance(v, Datum) for v in values):
            self._check_datum_field(values, node)
        return [values]

    def type_set(self, value: Any, node: ast.Node) -> frozenset[Any]:
        """The set of values a type expression stands for (``{0..1}.Bool`` -> ``{0.false, ...}``)."""
        if isinstance(value, frozenset):
            return value
        if isinstance(value, DotValue):
            parts = [sorted_values(self.type_set(v, node)) for v in value.items]
            out = set()
            for combo in itertools.product(*parts):
                items: list[Any] = []
                for v in combo:
                    items.extend(items_of(v))
                out.add(DotValue(tuple(items)) if len(items) != 1 else items[0])
            return frozenset(out)
        if isinstance(value, tuple):
            parts = [sorted_values(self.type_set(v, node)) for v in value]
            return frozenset(itertools.product(*parts))
        if isinstance(value, InfiniteSet):
            raise self.unsupported(f"the infinite type {value} as a channel field or "
                                   "nametype (they must be finite)", node)
        raise self.error(f"{show(value)} is not a type (a set of values)", node)

    def _check_datum_field(self, values: frozenset[Any], node: ast.Node) -> None:
        """FDR needs a field set of datatype values to be a dotted Cartesian product.

        One constructor: its values must be a product of per-field sets. Several
        constructors: the set must be a declared datatype or subtype (or use each
        constructor completely), as FDR cannot split it field by field otherwise.
        """
        groups: dict[str, list[Datum]] = {}
        for v in values:
            if isinstance(v, Datum):
                groups.setdefault(v.ctor, []).append(v)
        complete = True
        for ctor, members in groups.items():
            # One constructor's values need not be a product (FDR checks membership):
            # datatype Y = X.{A.0.1, A.1.0} is fine.
            full = 1
            for s in self.field_sets(self.head_of_name(ctor)):
                full *= len(s)
            complete = complete and full == len(members)
        if len(groups) > 1 and not complete and not self._is_declared_type(values):
            raise self.error(
                f"the set {show(values)} is not rectangular: it mixes constructors "
                f"({', '.join(sorted(groups))}) without being a declared datatype or subtype",
                node)

    def _is_declared_type(self, values: frozenset[Any]) -> bool:
        for d in self.script.decls:
            if isinstance(d, ast.DataTypeDecl | ast.SubTypeDecl):
                b = self.defs[d]
                pending = self.globals.vars.get(b)
                if isinstance(pending, Thunk) and pending.state == 1:
                    continue  # the declaration being evaluated (it needs this field)
                try:
                    declared = self.run(self.lookup(b, self.globals, d), d)
                except CspmError:
                    continue  # it needs the field being checked: it cannot be that set
                if declared == values:
                    return True
        return False

    def _channel_maker(self, d: ast.ChannelDecl, name: str) -> Callable[[], Step]:
        def make() -> Step:
            sets: list[Any] = []
            if d.type_expr is not None:
                value = yield self.ev(d.type_expr, self.globals)
                sets = self._type_fields(value, d.type_expr, infinite_ok=True)
            self.chan_sets[name] = tuple(sets)
            try:
                if any(isinstance(x, InfiniteSet) for x in sets):
                    # FDR accepts it while only finitely many of its events are used.
                    if name in self.env.channels:
                        raise CspError(f"channel {name} is declared twice")
                    self.env.channels[name] = InfiniteChannel(name, sets)
                else:
                    self.env.channel(name, *sets)
            except CspError as e:
                raise self.error(str(e), d) from e
            return head_value(Head("channel", name, len(sets)))

        return make

    def _bind_datatype(self, d: ast.DataTypeDecl, frame: Frame) -> None:
        names = [c.name for c in d.clauses]
        self.ctor_of_datatype[d.name] = names
        self.declared_types.add(d.name)
        for clause in d.clauses:
            b = self.defs[clause]
            self.declared_bindings[clause.name] = b
            frame.vars[b] = Thunk(clause.name, self._ctor_maker(clause))

        def all_values() -> Step:
            out: set[Any] = set()
            domains: dict[str, Sequence[Iterable[Any]]] = {}
            for clause in d.clauses:
                yield self.lookup(self.defs[clause], self.globals, clause)
                domains[clause.name] = list(self.ctor_sets[clause.name])
            if any(isinstance(s, InfiniteSet) for sets in domains.values() for s in sets):
                return _datatype_type(d.name, {c: tuple(v) for c, v in domains.items()})
            for ctor, sets in domains.items():
                for fields in itertools.product(*(sorted_values(s) for s in sets)):
                    out.add(Datum(ctor, tuple(fields)))
            self.env.datatype(d.name, domains)
            return frozenset(out)

        frame.vars[self.defs[d]] = Thunk(d.name, all_values)

    def _ctor_maker(self, clause: ast.DataClause) -> Callable[[], Step]:
        def make() -> Step:
            sets: list[frozenset[Any]] = []
            if clause.type_expr is not None:
                value = yield self.ev(clause.type_expr, self.globals)
                sets = self._type_fields(value, clause.type_expr, infinite_ok=True)
            self.ctor_sets[clause.name] = tuple(sets)
            return head_value(Head("ctor", clause.name, len(sets)))

        return make

    def _subtype_maker(self, d: ast.SubTypeDecl) -> Callable[[], Step]:
        def make() -> Step:
            out: set[Any] = set()
            infinite: dict[str, tuple[Any, ...]] = {}
            for clause in d.clauses:
                ctor = self.refs[clause]
                base = yield self.lookup(ctor, self.globals, clause)
                if clause.type_expr is None:
                    sets = list(self.field_sets(self.head_of_name(clause.name))) \
                        if isinstance(base, Partial) else []
                else:
                    value = yield self.ev(clause.type_expr, self.globals)
                    sets = self._type_fields(value, clause.type_expr, infinite_ok=True)
                    if isinstance(base, Partial):
                        # Fields left out take the constructor's own sets (D2.X of D2.X.Y).
                        full = self.field_sets(self.head_of_name(clause.name))
                        sets = [*sets, *full[len(sets):]]
                if any(isinstance(s, InfiniteSet) for s in sets):
                    infinite[clause.name] = tuple(sets)
                    continue
                for fields in itertools.product(*(sorted_values(s) for s in sets)):
                    out.add(self.dot(base, DotValue(tuple(fields)) if len(fields) != 1
                                     else fields[0], clause))
            if infinite:
                finite = frozenset(out)
                some = _datatype_type(d.name, infinite)
                return InfiniteSet(d.name, lambda v: v in finite or some.contains(v))
            return frozenset(out)

        return make

    def _nametype_maker(self, d: ast.NameTypeDecl) -> Callable[[], Step]:
        def make() -> Step:
            value = yield self.ev(d.type_expr, self.globals)
            return self.type_set(value, d.type_expr)

        return make

    # -- the Declared protocol (field sets for dots) -----------------------------------------------

    def head_of_name(self, name: str) -> Head:
        """The head of a declared channel or constructor (forcing its declaration)."""
        b = self.declared_bindings[name]
        value = self.run(self.lookup(b, self.globals, self.script), self.script)
        if isinstance(value, Partial):
            return value.head
        if isinstance(value, Event):
            return Head("channel", name, 0)
        return Head("ctor", name, 0)

    def field_sets(self, head: Head) -> tuple[frozenset[Any], ...]:
        """The set of allowed values of each field of a channel or constructor."""
        table = self.chan_sets if head.kind == "channel" else self.ctor_sets
        sets = table.get(head.name)
        if sets is None:
            self.head_of_name(head.name)
            sets = table[head.name]
        return sets

    def head_of(self, b: Binding) -> Head | None:
        """The head a pattern's constructor or channel name stands for (None for True/False)."""
        if b.kind in (Kind.CHANNEL, Kind.CONSTRUCTOR) and b.name in self.declared_bindings \
                and self.declared_bindings[b.name] is b:
            return self.head_of_name(b.name)
        return None

    def constant(self, b: Binding) -> Any:
        """The value a constructor or channel name stands for in a pattern."""
        if b.kind is Kind.CONSTRUCTOR and b.decl is None:
            return b.name == "True"
        return canonical(self.run(self.lookup(b, self.globals, self.script), self.script))

    # -- pattern matching --------------------------------------------------------------------------

    def match(self, pattern: ast.Pat, value: Any, node: ast.Node) -> dict[Binding, Any] | None:
        """Match a value against a pattern (see :mod:`cspotlp.cspm.patterns`)."""
        try:
            return match(pattern, value, self.pctx)
        except PatternUnsupported as e:
            raise self.unsupported(str(e).removeprefix("unsupported construct: "), e.node) from e
        except DotError as e:
            raise self.error(str(e), node) from e

    # -- names -------------------------------------------------------------------------------------

    def lookup(self, b: Binding, f: Frame, node: ast.Node) -> Any:
        """The value of a binding (a value, or a step when a lazy binding must be computed)."""
        if b.kind is Kind.BUILTIN or (b.kind is Kind.CONSTRUCTOR and b.decl is None):
            return self.builtin(base_name(b.name), node)
        v = (self.globals if b.group == 1 else f).find(b)
        if v is MISSING:
            v = self.globals.find(b)
            if v is MISSING:  # pragma: no cover - the scope analysis guarantees a binding
                raise self.error(f"internal error: '{b.name}' has no value", node)
        if isinstance(v, Thunk):
            if v.state == 2:
                return v.value
            if b.kind is Kind.DATATYPE and self._being_defined(b.name, v):
                return self.recursive_datatype(b.name)
            return self._force(v, node)
        return v

    def _being_defined(self, name: str, thunk: Thunk) -> bool:
        """Whether datatype ``name`` (or one of its constructors) is being worked out now."""
        if thunk.state == 1:
            return True
        for ctor in self.ctor_of_datatype.get(name, ()):
            pending = self.globals.vars.get(self.declared_bindings[ctor])
            if isinstance(pending, Thunk) and pending.state == 1:
                return True
        return False

    def _force(self, thunk: Thunk, node: ast.Node) -> Step:
        try:
            value = yield thunk.force()
        except CyclicDefinition as e:
            if e.name in self.declared_types:
                # A recursive datatype: while its values are being worked out, it stands
                # for itself (membership only; FDR too cannot enumerate it).
                return self.recursive_datatype(e.name)
            raise self.error(f"'{e.name}' is defined in terms of itself", node) from e
        return value

    def recursive_datatype(self, name: str) -> InfiniteSet:
        """The values of datatype ``name`` as a set known only by membership."""
        found = self.recursive.get(name)
        if found is not None:
            return found
        ctors = self.ctor_of_datatype[name]

        def contains(v: Any) -> bool:
            if not isinstance(v, Datum) or v.ctor not in ctors:
                return False
            sets = self.ctor_sets.get(v.ctor)
            if sets is None or len(sets) != len(v.fields):
                return False
            return all(s.contains(f) if isinstance(s, InfiniteSet) else f in s
                       for s, f in zip(sets, v.fields, strict=True))

        found = self.recursive[name] = InfiniteSet(name, contains)
        return found

    # -- functions -----------------------------------------------------------------------------

    def _match_groups(self, clause: ast.Clause, groups: tuple[tuple[Any, ...], ...]
                      ) -> dict[Binding, Any] | None:
        bindings: dict[Binding, Any] = {}
        for pats, args in zip(clause.params, groups, strict=True):
            if len(pats) != len(args):
                return None
            for p, a in zip(pats, args, strict=True):
                got = self.match(p, a, clause)
                if got is None:
                    return None
                bindings.update(got)
        return bindings

    def apply_equations(self, fn: UserFunction, groups: tuple[tuple[Any, ...], ...],
                        node: ast.Node) -> Step:
        """Evaluate the first equation of ``fn`` whose patterns match the arguments."""
        decl = fn.decl
        for clause in decl.clauses:
            bindings = self._match_groups(clause, groups)
            if bindings is not None:
                scope = fn.scope.child(decl.name, *groups)
                value = yield self.ev(clause.body, Frame(fn.frame, bindings, scope))
                return value
        shown = decl.name + "".join("(" + ", ".join(show(a) for a in g) + ")" for g in groups)
        raise self.error(f"no equation of {decl.name} matches {shown}", node)

    def process_call(self, fn: UserFunction, groups: tuple[tuple[Any, ...], ...]) -> Proc:
        """The named process ``f(args)`` (its body is evaluated when the semantics needs it)."""
        integers = len(groups) == 1 and all(type(a) is int for a in groups[0])
        if not integers:  # (integers are canonical already)
            groups = tuple(tuple(canonical(a) for a in g) for g in groups)
        if fn.frame is self.globals and len(groups) == 1 and groups[0]:
            # (f() is named f() below, not f: it is not the process f would be.)
            # Building a call computes an order key of every argument (sorting sets): the
            # same calls recur all the time, so remember them (keyed with type fingerprints,
            # since 1 == True for Python).
            args = groups[0]
            key = (fn.decl, args, ("i",) * len(args) if integers
                   else tuple(fingerprint(a) for a in args))
            term = self._calls.get(key)
            if term is None:
                term = self._calls[key] = call(fn.decl.name, *args)
            return term
        scope = fn.scope.child(fn.decl.name, *groups)

        def body(fn: UserFunction = fn, groups: tuple[tuple[Any, ...], ...] = groups) -> Step:
            value = yield self.apply_equations(fn, groups, fn.decl)
            return value

        return call(self.claim(scope.text(), fn.decl, body))

    def apply_lambda(self, lam: Lambda, args: tuple[Any, ...], node: ast.Node) -> Any:
        """Apply a lambda to its arguments."""
        params = lam.node.params
        if len(params) != len(args):
            raise self.error(f"the function takes {len(params)} argument(s), "
                             f"not {len(args)}", node)
        bindings: dict[Binding, Any] = {}
        for p, a in zip(params, args, strict=True):
            got = self.match(p, a, p)
            if got is None:
                raise self.error(f"the argument {show(a)} does not match the pattern", p)
            bindings.update(got)
        args = tuple(canonical(a) for a in args)
        scope = lam.scope.anonymous(args)
        frame = Frame(lam.frame, bindings, scope)
        if lam.proc_result:
            return call(self.claim(scope.text(), lam.node,
                                   lambda: self.ev(lam.node.body, frame)))
        return self.ev(lam.node.body, frame)

    def builtin(self, name: str, node: ast.Node) -> Any:
        """The value of a built-in name."""
        from cspotlp.cspm.builtin_functions import builtin_value

        if name in TIMED_BUILTINS and self.timing.section:
            section = self.timing.section.get(node)
            if section is not None:
                return timed_builtin(self, section, name, node)
        return builtin_value(self, name, node)

    # -- expressions -----------------------------------------------------------------------------

    def ev(self, e: ast.Exp, f: Frame) -> Any:
        """Evaluate ``e`` in frame ``f``: a value, or a step to drive (or yield)."""
        return self.handlers[type(e)](e, f)

    def evaluate(self, e: ast.Exp, f: Frame | None = None) -> Any:
        """The value of ``e`` (driven to the end)."""
        return self.run(self.ev(e, f or self.globals), e)

    def _handler_table(self) -> dict[type, Callable[[Any, Frame], Any]]:
        table: dict[type, Callable[[Any, Frame], Any]] = {
            ast.Var: self._var,
            ast.IntLit: lambda e, f: e.value,
            ast.BoolLit: lambda e, f: e.value,
            ast.CharLit: lambda e, f: Char(e.value),
            ast.StringLit: lambda e, f: string_value(e.value),
            ast.App: self._app,
            ast.UnaryOp: self._unary,
            ast.BinaryOp: self._binary,
            ast.DotExp: self._dot,
            ast.If: self._if,
            ast.Let: self._let,
            ast.Lambda: self._lambda,
            ast.TupleExp: self._tuple,
            ast.SeqExp: self._seq,
            ast.SeqRange: self._seq_range,
            ast.SeqComp: self._seq_comp,
            ast.SeqRangeComp: self._seq_comp,
            ast.SetExp: self._set,
            ast.SetRange: self._set_range,
            ast.SetComp: self._set_comp,
            ast.SetRangeComp: self._set_comp,
            ast.EnumSet: self._enum_set,
            ast.EnumSetComp: self._enum_set,
            ast.MapExp: self._map,
        }
        table.update(process_handlers(self))
        return table

    def _var(self, e: ast.Var, f: Frame) -> Any:
        return self.lookup(self.refs[e], f, e)

    def _app(self, e: ast.App, f: Frame) -> Step:
        fn = yield self.ev(e.func, f)
        args = []
        for a in e.args:
            args.append((yield self.ev(a, f)))
        if not isinstance(fn, FunctionValue):
            raise self.error(f"{show(fn)} is not a function", e.func)
        result = yield fn.apply(self, tuple(args), e)
        return result

    def _unary(self, e: ast.UnaryOp, f: Frame) -> Step:
        v = yield self.ev(e.operand, f)
        if e.op is ast.UnOp.NEG:
            return -v
        if e.op is ast.UnOp.NOT:
            return not v
        return self.length(v, e)

    def length(self, v: Any, node: ast.Node) -> int:
        """``#s``."""
        if isinstance(v, LazySeq):
            if v.infinite:
                raise self.error("the length of an infinite sequence", node)
            return len(v.force().items)
        return len(v.items)

    def _binary(self, e: ast.BinaryOp, f: Frame) -> Step:
        op = e.op
        left = yield self.ev(e.left, f)
        if op is ast.BinOp.AND:
            if not left:
                return False
            right = yield self.ev(e.right, f)
            return bool(right)
        if op is ast.BinOp.OR:
            if left:
                return True
            right = yield self.ev(e.right, f)
            return bool(right)
        right = yield self.ev(e.right, f)
        return self.binary_value(op, left, right, e)

    def binary_value(self, op: ast.BinOp, left: Any, right: Any, e: ast.Node) -> Any:
        """``left op right`` for the operators that need both operands (not ``and``, ``or``)."""
        if op is ast.BinOp.PLUS:
            return left + right
        if op is ast.BinOp.MINUS:
            return left - right
        if op is ast.BinOp.TIMES:
            return left * right
        if op in (ast.BinOp.DIV, ast.BinOp.MOD):
            if right == 0:
                raise self.error("division by zero", e)
            return left // right if op is ast.BinOp.DIV else left % right
        if op is ast.BinOp.CONCAT:
            return self.concat(left, right)
        if op is ast.BinOp.EQ:
            return self.equal(left, right, e)
        if op is ast.BinOp.NE:
            return not self.equal(left, right, e)
        return self.compare(op, left, right, e)

    def concat(self, left: Any, right: Any) -> Any:
        """``s ^ t`` (lazy when either side is)."""
        if isinstance(left, Seq) and isinstance(right, Seq):
            return Seq(left.items + right.items)
        infinite = isinstance(left, LazySeq) and left.infinite
        return LazySeq(itertools.chain(seq_iter(left), seq_iter(right)), infinite)

    def canonical(self, v: Any, node: ast.Node) -> Any:
        """``v`` with lazy sequences forced (an error for an infinite one)."""
        if isinstance(v, LazySeq) and v.infinite:
            raise self.error("an infinite sequence cannot be compared or stored", node)
        return canonical(v)

    def equal(self, a: Any, b: Any, node: ast.Node) -> bool:
        """``a == b``."""
        if isinstance(a, Proc) or isinstance(b, Proc):
            raise self.error("processes cannot be compared", node)
        if isinstance(a, InfiniteSet) or isinstance(b, InfiniteSet):
            ia, ib = intervals_of(a), intervals_of(b)
            if ia is not None and ib is not None:  # sets of integers: by their members
                return ia == ib
            # Otherwise equal as written (Seq({0}) == Seq({0})); an infinite set is no finite one.
            return isinstance(a, InfiniteSet) and isinstance(b, InfiniteSet) \
                and a.text == b.text
        return bool(self.canonical(a, node) == self.canonical(b, node))

    def compare(self, op: ast.BinOp, a: Any, b: Any, node: ast.Node) -> bool:
        """``<``, ``<=``, ``>``, ``>=``: numbers, characters; subsets; sequence prefixes."""
        if op in (ast.BinOp.GT, ast.BinOp.GE):
            a, b = b, a
            op = ast.BinOp.LT if op is ast.BinOp.GT else ast.BinOp.LE
        strict = op is ast.BinOp.LT
        a, b = self.canonical(a, node), self.canonical(b, node)
        if isinstance(a, int):
            return bool(a < b) if strict else bool(a <= b)
        if isinstance(a, Char):
            return bool(a.ch < b.ch) if strict else bool(a.ch <= b.ch)
        if isinstance(a, InfiniteSet) or isinstance(b, InfiniteSet):
            return self._compare_infinite(a, b, strict, node)
        if isinstance(a, frozenset):
            return bool(a < b) if strict else bool(a <= b)
        if isinstance(a, MapValue) and isinstance(b, MapValue):
            # As libcspm (Haskell's Data.Map): lexicographically, by their sorted pairs.
            if a.pairs == b.pairs:
                return not strict
            for x, y in zip(a.pairs, b.pairs, strict=False):
                if x != y:
                    return self.compare(ast.BinOp.LT, x, y, node)
            return len(a.pairs) < len(b.pairs)
        if isinstance(a, Seq):
            prefix = bool(b.items[: len(a.items)] == a.items)
            return prefix and (len(a.items) < len(b.items) if strict else True)
        if isinstance(a, tuple):
            for x, y in zip(a, b, strict=True):
                if x != y:
                    return self.compare(ast.BinOp.LT, x, y, node)
            return not strict
        raise self.error(f"cannot order {show(a)} and {show(b)}", node)

    def _compare_infinite(self, a: Any, b: Any, strict: bool, node: ast.Node) -> bool:
        """Inclusion between sets of which one at least is infinite (what can be decided)."""
        ia, ib = intervals_of(a), intervals_of(b)
        if ia is not None and ib is not None:  # sets of integers: by their members
            return not difference(ia, ib) and (not strict or ia != ib)
        if isinstance(a, frozenset) and isinstance(b, InfiniteSet):
            return all(b.contains(x) for x in a)  # a finite set is a strict subset
        if isinstance(a, InfiniteSet) and isinstance(b, frozenset):
            return False
        if isinstance(a, InfiniteSet) and isinstance(b, InfiniteSet) and a.text == b.text:
            return not strict
        raise self.error(f"cannot decide whether {show(a)} is a subset of {show(b)} "
                         "(both are infinite)", node)

    def dot(self, left: Any, right: Any, node: ast.Node) -> Any:
        """``left.right``, or a located error if it breaks a declaration."""
        try:
            return dot_all(self, [left, right])
        except DotError as e:
            raise self.error(str(e), node) from e

    def _dot(self, e: ast.DotExp, f: Frame) -> Step:
        values = []
        for item in e.items:
            values.append((yield self.ev(item, f)))
        try:
            return dot_all(self, values)
        except DotError as err:
            raise self.error(str(err), e) from err

    def _if(self, e: ast.If, f: Frame) -> Step:
        cond = yield self.ev(e.cond, f)
        value = yield self.ev(e.then_branch if cond else e.else_branch, f)
        return value

    def _let(self, e: ast.Let, f: Frame) -> Step:
        frame = Frame(f, {}, f.scope)
        self._bind_group(e.decls, frame, top=False)
        value = yield self.ev(e.body, frame)  # a step, not a call: lets nest deeply
        return value

    def _lambda(self, e: ast.Lambda, f: Frame) -> Any:
        t = self.checked.types.get(e)
        result = None if t is None else _result_type(t, 1)
        return Lambda(e, f, f.scope, result == PROC)

    def _tuple(self, e: ast.TupleExp, f: Frame) -> Step:
        out = []
        for item in e.items:
            out.append((yield self.ev(item, f)))
        return tuple(out)

    def _seq(self, e: ast.SeqExp, f: Frame) -> Step:
        out = []
        for item in e.items:
            out.append((yield self.ev(item, f)))
        return Seq(tuple(out))

    def _seq_range(self, e: ast.SeqRange, f: Frame) -> Step:
        low = yield self.ev(e.low, f)
        if e.high is None:
            return LazySeq(itertools.count(low), infinite=True)
        high = yield self.ev(e.high, f)
        return Seq(tuple(range(low, high + 1)))

    def _set(self, e: ast.SetExp, f: Frame) -> Step:
        out = []
        for item in e.items:
            out.append(self.canonical((yield self.ev(item, f)), item))
        return frozenset(out)

    def _set_range(self, e: ast.SetRange, f: Frame) -> Step:
        low = yield self.ev(e.low, f)
        if e.high is None:
            return at_least(low)
        high = yield self.ev(e.high, f)
        if high - low >= MAX_RANGE_SET:  # membership only: enumerating it would exhaust memory
            return between(low, high, f"{{{low}..{high}}} ({high - low + 1:,} elements, more "
                                      f"than the {MAX_RANGE_SET:,} a set may have)")
        return frozenset(range(low, high + 1))

    def _map(self, e: ast.MapExp, f: Frame) -> Step:
        pairs = []
        for k, v in e.pairs:
            key = yield self.ev(k, f)
            value = yield self.ev(v, f)
            pairs.append((self.canonical(key, k), self.canonical(value, v)))
        return MapValue.of(pairs)

    # -- comprehensions --------------------------------------------------------------------------

    def elements(self, source: Any, node: ast.Node, lazy_ok: bool = False) -> Iterator[Any]:
        """The values a generator ranges over: a set in order, or a sequence's items."""
        if isinstance(source, frozenset):
            return iter(ordered(source))
        if isinstance(source, Seq):
            return iter(source.items)
        if isinstance(source, LazySeq):
            if not lazy_ok:
                raise _NeedLazy(node)
            return source.iterate()
        if isinstance(source, InfiniteSet):
            raise self.error(f"cannot enumerate the infinite set {source}", node)
        raise self.error(f"cannot range over {show(source)}", node)

    def each_binding(self, stmts: tuple[ast.Stmt, ...], f: Frame,
                     body: Callable[[Frame], Any]) -> Step:
        """Run ``body`` (a step) for every binding the statements produce; collect results."""
        out: list[Any] = []
        yield self._statements(stmts, 0, f, body, out)
        return out

    def _statements(self, stmts: tuple[ast.Stmt, ...], i: int, f: Frame,
                    body: Callable[[Frame], Any], out: list[Any]) -> Step:
        if i == len(stmts):
            out.append((yield body(f)))
            return None
        s = stmts[i]
        if isinstance(s, ast.Qualifier):
            cond = yield self.ev(s.cond, f)
            if cond:
                yield self._statements(stmts, i + 1, f, body, out)
            return None
        assert isinstance(s, ast.Generator)
        source = yield self.ev(s.source, f)
        for v in self.elements(source, s.source):
            bindings = self.match(s.pattern, v, s)
            if bindings is None:
                continue
            frame = Frame(f, bindings, f.scope.anonymous((v,)))
            yield self._statements(stmts, i + 1, frame, body, out)
        return None

    def _items_body(self, items: tuple[ast.Exp, ...]) -> Callable[[Frame], Step]:
        def body(frame: Frame) -> Step:
            values = []
            for item in items:
                values.append((yield self.ev(item, frame)))
            return values

        return body

    def _range_body(self, e: ast.SeqRangeComp | ast.SetRangeComp) -> Callable[[Frame], Step]:
        def body(frame: Frame) -> Step:
            low = yield self.ev(e.low, frame)
            if e.high is None:
                if isinstance(e, ast.SetRangeComp):
                    raise self.error("cannot enumerate an infinite range in a set "
                                     "comprehension", e)
                return itertools.count(low)
            high = yield self.ev(e.high, frame)
            return range(low, high + 1)

        return body

    def _comp_body(self, e: Any) -> Callable[[Frame], Step]:
        if isinstance(e, ast.SeqRangeComp | ast.SetRangeComp):
            return self._range_body(e)
        return self._items_body(e.items)

    def _seq_comp(self, e: ast.SeqComp | ast.SeqRangeComp, f: Frame) -> Step:
        if isinstance(e, ast.SeqRangeComp) and e.high is None:
            return self._lazy_comp(e, f)
        try:
            groups = yield self.each_binding(e.stmts, f, self._comp_body(e))
        except _NeedLazy:
            return self._lazy_comp(e, f)
        return Seq(tuple(v for g in groups for v in g))

    def _lazy_comp(self, e: ast.SeqComp | ast.SeqRangeComp, f: Frame) -> LazySeq | Seq:
        body = self._comp_body(e)
        infinite = [isinstance(e, ast.SeqRangeComp) and e.high is None]

        def frames(i: int, frame: Frame) -> Iterator[Frame]:
            if i == len(e.stmts):
                yield frame
                return
            s = e.stmts[i]
            if isinstance(s, ast.Qualifier):
                if self.run(self.ev(s.cond, frame), s.cond):
                    yield from frames(i + 1, frame)
                return
            assert isinstance(s, ast.Generator)
            source = self.run(self.ev(s.source, frame), s.source)
            if isinstance(source, LazySeq) and source.infinite:
                infinite[0] = True
            for v in self.elements(source, s.source, lazy_ok=True):
                bindings = self.match(s.pattern, v, s)
                if bindings is not None:
                    yield from frames(i + 1, Frame(frame, bindings, frame.scope.anonymous((v,))))

        bindings = frames(0, f)
        if isinstance(e, ast.SeqRangeComp) and e.high is None:
            # <n.. | stmts> is infinite only if the statements give some binding
            first = next(bindings, None)
            if first is None:
                return Seq(())
            bindings = itertools.chain((first,), bindings)

        def items() -> Iterator[Any]:
            for frame in bindings:
                yield from self.run(body(frame), e)

        seq = LazySeq(items())
        seq.infinite = infinite[0] or _has_infinite_source(e)
        return seq

    def _set_comp(self, e: ast.SetComp | ast.SetRangeComp, f: Frame) -> Step:
        if isinstance(e, ast.SetRangeComp) and e.high is None:
            # {x.. | stmts}: the union of {x..} over the bindings, i.e. {m..} for the least x
            lows = yield self.each_binding(e.stmts, f, lambda frame: self.ev(e.low, frame))
            if not lows:
                return frozenset()
            return at_least(min(lows))
        groups = yield self.each_binding(e.stmts, f, self._comp_body(e))
        return frozenset(self.canonical(v, e) for g in groups for v in g)

    def _enum_set(self, e: ast.EnumSet | ast.EnumSetComp, f: Frame) -> Step:
        def body(frame: Frame) -> Step:
            out: set[Any] = set()
            for item in e.items:
                v = yield self.ev(item, frame)
                out |= productions_of(self, v, item)
            return out

        if isinstance(e, ast.EnumSetComp):
            groups = yield self.each_binding(e.stmts, f, body)
        else:
            groups = [(yield body(f))]
        result: set[Any] = set()
        for g in groups:
            result |= g
        return frozenset(result)


def _tuple_type(parts: tuple[Any, ...]) -> InfiniteSet:
    """The tuples whose items belong to ``parts`` (some of which are infinite)."""
    def contains(v: Any) -> bool:
        return isinstance(v, tuple) and len(v) == len(parts) and all(
            p.contains(x) if isinstance(p, InfiniteSet) else x in p
            for p, x in zip(parts, v, strict=True))

    return InfiniteSet("(" + ", ".join(show(p) for p in parts) + ")", contains)


def _datatype_type(name: str, ctors: dict[str, tuple[Any, ...]]) -> InfiniteSet:
    """A datatype with an infinite field, as a set that can be tested but not enumerated."""
    def contains(v: Any) -> bool:
        sets = ctors.get(v.ctor) if isinstance(v, Datum) else None
        return sets is not None and all(
            s.contains(x) if isinstance(s, InfiniteSet) else x in s
            for s, x in zip(sets, v.fields, strict=True))

    return InfiniteSet(name, contains)


MAX_RANGE_SET = MAX_ENUMERATED
"""A range set ``{a..b}`` with more elements is kept as intervals (membership only)."""


def _projection(shared: Thunk, b: Binding) -> Callable[[], Step]:
    def compute() -> Step:
        bindings = yield shared.force()
        return bindings[b]

    return compute


def _has_infinite_source(e: ast.SeqComp | ast.SeqRangeComp) -> bool:
    return any(isinstance(s, ast.Generator) and isinstance(s.source, ast.SeqRange)
               and s.source.high is None for s in e.stmts)


@dataclass
class LoadedScript:
    r"""A script read, checked and bound: ask it for values, processes and assertions.

    >>> loaded = load_text("channel a\nP = a -> P\nn = 1 + 2\n")
    >>> loaded.value("n")
    3
    >>> str(loaded.env.unfold(loaded.value("P")))
    'a -> P'
    """

    checked: CheckedScript
    evaluator: Evaluator
    last_evaluation: LoadedScript | None = field(default=None, init=False, repr=False)

    @property
    def env(self) -> Environment:
        """The environment holding the script's channels and process definitions."""
        return self.evaluator.env

    @property
    def script(self) -> ast.Script:
        """The parsed script."""
        return self.checked.script

    def top_binding(self, name: str) -> Binding:
        """The top-level binding of ``name`` (KeyError if the script does not define it)."""
        for b in self.checked.resolution.defs.values():
            if b.name == name and b.group == 1:
                return b
        raise KeyError(name)

    def value(self, name: str) -> Any:
        """The value of a top-level name (a process name gives its :func:`call` term)."""
        b = self.top_binding(name)
        ev = self.evaluator
        node = b.site if isinstance(b.site, ast.Node) else self.script
        return ev.run(ev.lookup(b, ev.globals, node), node)

    def process(self, name: str) -> Proc:
        """The process a top-level name stands for."""
        v = self.value(name)
        if not isinstance(v, Proc):
            raise CspmEvalError(f"{name} is not a process")
        return v

    def evaluate(self, text: str) -> Any:
        """The value of an expression written in the script's terms (its names in scope).

        The expression is checked and evaluated together with the script, as one more
        declaration of a fresh copy of it; :attr:`last_evaluation` keeps that copy, whose
        environment gives meaning to the processes the value refers to.
        """
        fresh = "eval_expression_"
        while any(b.name == fresh for b in self.checked.resolution.defs.values()):
            fresh += "_"
        # Parsed as one expression, then bound: never spliced into script text, where a
        # newline in ``text`` could add declarations of its own.
        body = parse_expr(text, "<expression>")
        binding = ast.PatBind(ast.PVar(fresh, span=body.span), body, span=body.span)
        script = ast.Script((*self.script.decls, binding),
                            (*self.script.sources, ("<expression>", text)), span=self.script.span)
        again = _load_checked(check_script(script), self.evaluator.compiled)
        self.last_evaluation = again
        return again.value(fresh)

    def print_statements(self) -> list[tuple[ast.PrintDecl, str]]:
        r"""Each ``print`` statement of the script with its value shown, as FDR prints them.

        >>> [text for _, text in load_text("x = 2\nprint x * 3\n").print_statements()]
        ['6']
        """
        decls = (self.checked.source or self.script).decls
        return [(d, show(self.evaluate(d.text))) for d in decls if isinstance(d, ast.PrintDecl)]

    def force_declarations(self) -> None:
        """Evaluate every channel, datatype, subtype and nametype declaration now.

        FDR does this when it loads a script (it needs the events); definitions of values
        and processes stay lazy. Raises the first declaration's error.
        """
        ev = self.evaluator
        for d in self.script.decls:
            if isinstance(d, ast.ChannelDecl):
                for ident in d.names:
                    ev.run(ev.lookup(self.checked.resolution.defs[ident], ev.globals, d), d)
            elif isinstance(d, ast.DataTypeDecl | ast.SubTypeDecl | ast.NameTypeDecl):
                ev.run(ev.lookup(self.checked.resolution.defs[d], ev.globals, d), d)

    def assertions(self) -> list[ast.AssertDecl]:
        """The script's assertions, in order."""
        return [d for d in self.script.decls if isinstance(d, ast.AssertDecl)]

    def source_text(self, node: ast.Node) -> str:
        """The text of the source region of ``node`` (e.g. an assertion as written)."""
        text = dict(self.script.sources).get(node.span.file)
        if text is None or node.span.line < 1:
            return ""
        lines = text.split("\n")
        s, e = node.span, node.span
        if s.line == e.end_line:
            return lines[s.line - 1][s.column - 1: e.end_column - 1]
        parts = [lines[s.line - 1][s.column - 1:]]
        parts.extend(lines[s.line: e.end_line - 1])
        parts.append(lines[e.end_line - 1][: e.end_column - 1])
        return " ".join(p.strip() for p in parts)


def _load_checked(checked: CheckedScript, compiled: bool = True) -> LoadedScript:
    return LoadedScript(checked, Evaluator(checked, compiled))


def load_script(path: str | os.PathLike[str],
                allow_include: Sequence[str | os.PathLike[str]] = ()) -> LoadedScript:
    """Parse, check and bind a script file (its definitions are evaluated when needed).

    ``allow_include``: directories outside the script's tree that its includes may read (see
    :func:`~cspotlp.cspm.parser.parse_file`).
    """
    return _load_checked(check_script(parse_file(path, allow_include)))


def load_text(text: str, filename: str = "<string>", compiled: bool = True) -> LoadedScript:
    """Like :func:`load_script`, for a script given as text (no ``include``).

    ``compiled=False`` evaluates without the compiled fast path (see :class:`Evaluator`).
    """
    return _load_checked(check_script(parse_script(text, filename)), compiled)
