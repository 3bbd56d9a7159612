"""A small explicit-state model checker for the TLA+ subset cspotlp emits, for tests only.

SANY and TLC are not available everywhere the tests run, and tree-sitter only checks syntax. This
interpreter walks the tree-sitter parse of the emitted modules (and of ``specs/``) and gives them
the TLC semantics they rely on: values (integers, strings, booleans, finite sets, functions with
tuples and records as the same values TLC takes them to be), operators with parameters and
``RECURSIVE``, ``LET``, ``CASE``, ``CHOOSE``, quantifiers, ``EXCEPT``; the standard operators of
Naturals, Sequences, FiniteSets, TLC (``Print``, ``TLCGet("stats")``/``("config")``,
``TLCEval``) and the community ``Json``/``IOUtils`` operators the trace modules use; and a
breadth-first search with TLC's action evaluation (``x' = e`` assigns an unassigned primed
variable, ``\\E`` and ``\\/`` branch, ``/\\`` threads), deadlock checking, invariants, ``ASSUME``
and ``POSTCONDITION`` with ``TLCGet("stats").diameter``. It also fails on a name used before it is
defined (SANY's rule), on shadowing and on undefined names.

It is not TLC: it is what lets these tests check *verdicts* (deadlock, accepted or rejected log,
T1-T4 within a bound) without the jar; the tests marked ``needs_tla2tools`` run the real tools.
Recursion over the parse tree is fine here: the expressions are our own and shallow.
"""

from __future__ import annotations

import itertools
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.tla_support import parse_tree, read_config

Value = Any


class EvalError(Exception):
    """The module does something this interpreter (or TLC) cannot evaluate."""


# -- values ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fn:
    """A function whose domain is not 1..n and not a set of strings (those are tuples, records)."""

    items: frozenset[tuple[Value, Value]]

    def get(self, key: Value) -> Value:
        for k, v in self.items:
            if k == key:
                return v
        raise EvalError(f"{key!r} is not in the domain of the function")

    def domain(self) -> frozenset[Value]:
        return frozenset(k for k, _ in self.items)


@dataclass(frozen=True)
class Rec:
    """A record (a function from strings)."""

    items: frozenset[tuple[str, Value]]

    def get(self, key: Value) -> Value:
        for k, v in self.items:
            if k == key:
                return v
        raise EvalError(f"record has no field {key!r}")

    def domain(self) -> frozenset[Value]:
        return frozenset(k for k, _ in self.items)


def make_fn(mapping: dict[Value, Value]) -> Value:
    """Canonical function value: a tuple for domain 1..n (or empty), a record for strings."""
    keys = set(mapping)
    if all(type(k) is int for k in keys) and keys == set(range(1, len(keys) + 1)):
        return tuple(mapping[i] for i in range(1, len(keys) + 1))
    if all(isinstance(k, str) for k in keys):
        return Rec(frozenset(mapping.items()))
    return Fn(frozenset(mapping.items()))


def domain(f: Value) -> frozenset[Value]:
    if isinstance(f, tuple):
        return frozenset(range(1, len(f) + 1))
    if isinstance(f, (Fn, Rec)):
        return f.domain()
    raise EvalError(f"DOMAIN of a non-function {f!r}")


def apply(f: Value, arg: Value) -> Value:
    if isinstance(f, tuple):
        if type(arg) is not int or not 1 <= arg <= len(f):
            raise EvalError(f"index {arg!r} outside 1..{len(f)}")
        return f[arg - 1]
    if isinstance(f, (Fn, Rec)):
        return f.get(arg)
    raise EvalError(f"applying a non-function {f!r}")


def as_dict(f: Value) -> dict[Value, Value]:
    if isinstance(f, tuple):
        return {i + 1: v for i, v in enumerate(f)}
    if isinstance(f, (Fn, Rec)):
        return dict(f.items)
    raise EvalError(f"not a function: {f!r}")


def show(v: Value) -> str:
    """TLC-like text of a value (for Print)."""
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, int):
        return str(v)
    if isinstance(v, tuple):
        return "<<" + ", ".join(show(x) for x in v) + ">>"
    if isinstance(v, frozenset):
        return "{" + ", ".join(sorted(show(x) for x in v)) + "}"
    if isinstance(v, Rec):
        return "[" + ", ".join(f"{k} |-> {show(x)}" for k, x in sorted(v.items)) + "]"
    return "(" + " @@ ".join(f"{show(k)} :> {show(x)}" for k, x in sorted(v.items, key=str)) + ")"


# -- modules --------------------------------------------------------------------------------------


@dataclass
class OpDef:
    name: str
    params: list[str]
    body: Any  # tree-sitter node
    module: str


@dataclass
class Spec:
    """The definitions visible in a root module (its own and those it extends)."""

    ops: dict[str, OpDef] = field(default_factory=dict)
    constants: set[str] = field(default_factory=set)
    variables: list[str] = field(default_factory=list)
    assumptions: list[Any] = field(default_factory=list)


STANDARD = {
    "Naturals": {"Nat"}, "Integers": {"Int", "Nat"},
    "Sequences": {"Len", "Append", "SubSeq", "Head", "Tail", "Seq"},
    "FiniteSets": {"Cardinality", "IsFiniteSet"},
    "TLC": {"Print", "PrintT", "TLCGet", "TLCEval", "ToString", "Assert"},
    "Json": {"ndJsonDeserialize"}, "IOUtils": {"IOEnv"},
}
BUILTIN_NAMES = set().union(*STANDARD.values())


# Node ids are addresses inside their tree, so every tree parsed here stays alive (by text) and
# the per-node caches below can never see a reused id.
_TREES: dict[str, Any] = {}
_NAMED: dict[int, list[Any]] = {}
_TEXT: dict[int, str] = {}


def _parse(text: str) -> Any:
    tree = _TREES.get(text)
    if tree is None:
        tree = _TREES[text] = parse_tree(text)
    return tree


def _named(node: Any) -> list[Any]:
    key = node.id
    got = _NAMED.get(key)
    if got is None:
        got = [c for c in node.children
               if c.is_named and c.type not in ("comment", "block_comment")]
        _NAMED[key] = got
    return got


def _text(node: Any) -> str:
    key = node.id
    got = _TEXT.get(key)
    if got is None:
        got = _TEXT[key] = str(node.text.decode())
    return got


def load(root: str, sources: dict[str, str]) -> Spec:
    """Load module ``root`` (and what it extends) from ``sources`` (module name -> text).

    Fails on a name defined twice, used before its definition, or never defined.
    """
    spec = Spec()
    loaded: set[str] = set()
    builtins: set[str] = set()

    def visit(name: str) -> None:
        if name in loaded:
            return
        loaded.add(name)
        if name in STANDARD:
            builtins.update(STANDARD[name])
            return
        if name not in sources:
            raise EvalError(f"module {name} not found")
        module = _parse(sources[name]).root_node.children[0]
        recursive: set[str] = set()
        for child in _named(module):
            kind = child.type
            if kind == "extends":
                for ref in _named(child):
                    visit(_text(ref))
            elif kind in ("constant_declaration", "variable_declaration"):
                for ident in _named(child):
                    ident_name = _text(ident.children[0] if ident.type == "operator_declaration"
                                       else ident)
                    _fresh(spec, builtins, ident_name)
                    if kind == "constant_declaration":
                        spec.constants.add(ident_name)
                    else:
                        spec.variables.append(ident_name)
            elif kind == "recursive_declaration":
                for decl in _named(child):
                    recursive.add(_text(decl.children[0]))
            elif kind == "operator_definition":
                parts = _named(child)
                op_name = _text(parts[0])
                params = [_text(p.children[0] if p.type == "operator_declaration" else p)
                          for p in parts[1:-2]]
                if op_name not in recursive:
                    _fresh(spec, builtins, op_name)
                op = OpDef(op_name, params, parts[-1], name)
                _check_names(spec, builtins, op, recursive)
                spec.ops[op_name] = op
            elif kind == "assumption":
                spec.assumptions.append(_named(child)[-1])
            elif kind in ("header_line", "single_line", "double_line", "identifier"):
                continue
            else:
                raise EvalError(f"unsupported top-level {kind}")

    visit(root)
    return spec


def _fresh(spec: Spec, builtins: set[str], name: str) -> None:
    if name in spec.ops or name in spec.constants or name in spec.variables or name in builtins:
        raise EvalError(f"multiply-defined symbol {name}")


_BINDERS = ("bounded_quantification", "set_filter", "set_map", "function_literal", "choose")


def _check_names(spec: Spec, builtins: set[str], op: OpDef, recursive: set[str]) -> None:
    """SANY's scoping rules on one definition: every name defined before use, none shadowed."""
    known = set(spec.ops) | spec.constants | set(spec.variables) | builtins | recursive
    known.add(op.name)

    def bound_names(node: Any) -> list[str]:
        names: list[str] = []
        for q in _named(node):
            if q.type == "quantifier_bound":
                for ident in _named(q)[:-2]:
                    names.extend(_text(i) for i in ([ident] if ident.type == "identifier"
                                                    else _named(ident)
                                                    if ident.type == "tuple_of_identifiers"
                                                    else []))
        if node.type == "choose":
            names.append(_text(_named(node)[0]))
        return names

    def walk(node: Any, scope: set[str]) -> None:
        kind = node.type
        if kind == "identifier_ref":
            name = _text(node)
            if name not in scope:
                raise EvalError(f"{op.module}: {op.name} uses undefined {name}")
            return
        if kind == "record_value":
            walk(_named(node)[0], scope)
            return
        if kind == "record_literal":
            for i, child in enumerate(c for c in _named(node) if c.type != "all_map_to"):
                if i % 2 == 1:
                    walk(child, scope)
            return
        if kind == "except_update_record_field":
            return
        if kind in _BINDERS:
            new = bound_names(node)
            for name in new:
                if name in scope:
                    raise EvalError(f"{op.module}: {op.name} rebinds {name}")
            inner = scope | set(new)
            for child in _named(node):
                if child.type == "quantifier_bound":
                    walk(_named(child)[-1], scope)
                elif child.type not in ("identifier", "set_in"):
                    walk(child, inner)
            return
        if kind == "let_in":
            inner = set(scope)
            for child in _named(node):
                if child.type == "operator_definition":
                    parts = _named(child)
                    name = _text(parts[0])
                    params = [_text(p) for p in parts[1:-2]]
                    if name in inner or any(p in inner for p in params):
                        raise EvalError(f"{op.module}: {op.name} rebinds {name}")
                    walk(parts[-1], inner | set(params) | {name})
                    inner.add(name)
                else:
                    walk(child, inner)
            return
        for child in _named(node):
            walk(child, scope)

    for p in op.params:
        if p in known:
            raise EvalError(f"{op.module}: parameter {p} of {op.name} shadows a definition")
    walk(op.body, known | set(op.params))


# -- evaluation -----------------------------------------------------------------------------------


@dataclass
class World:
    """What evaluation can see: the spec, constants, the current state, TLC's counters."""

    spec: Spec
    constants: dict[str, Value]
    state: dict[str, Value] = field(default_factory=dict)
    printed: list[str] = field(default_factory=list)
    diameter: int = 0
    env: dict[str, str] = field(default_factory=dict)
    cache: dict[str, Value] = field(default_factory=dict)
    memo: dict[tuple[Value, ...], Value] = field(default_factory=dict)


@dataclass(frozen=True)
class Closure:
    """A LET-defined operator with its defining context."""

    op: OpDef
    ctx: dict[str, Value]


class Evaluator:
    """Evaluate expressions and enumerate actions (TLC's way) in one world."""

    def __init__(self, world: World) -> None:
        self.w = world
        self.init_mode = False

    # expressions ----------------------------------------------------------------------------

    def ev(self, node: Any, ctx: dict[str, Value]) -> Value:
        method = getattr(self, "e_" + node.type, None)
        if method is None:
            raise EvalError(f"unsupported expression {node.type}: {_text(node)[:60]}")
        return method(node, ctx)

    def e_nat_number(self, node: Any, ctx: dict[str, Value]) -> Value:
        return int(_text(node))

    def e_string(self, node: Any, ctx: dict[str, Value]) -> Value:
        from tests.tla_support import _string_value

        return _string_value(_text(node))

    def e_boolean(self, node: Any, ctx: dict[str, Value]) -> Value:
        return _text(node) == "TRUE"

    def e_parentheses(self, node: Any, ctx: dict[str, Value]) -> Value:
        return self.ev(_named(node)[0], ctx)

    def e_nat_number_set(self, node: Any, ctx: dict[str, Value]) -> Value:
        raise EvalError("Nat is infinite")

    def e_identifier_ref(self, node: Any, ctx: dict[str, Value]) -> Value:
        return self.lookup(_text(node), [], ctx)

    def lookup(self, name: str, args: list[Value], ctx: dict[str, Value]) -> Value:
        if name in ctx:
            v = ctx[name]
            if isinstance(v, Closure):
                return self.call(v.op, args, v.ctx)
            if args:
                raise EvalError(f"{name} takes no arguments")
            return v
        if name in self.w.state:
            return self.w.state[name]
        if name in self.w.constants:
            return self.w.constants[name]
        op = self.w.spec.ops.get(name)
        if op is not None:
            if self._uses_state(op):
                return self.call(op, args, {})
            # A constant-level operator is a function of its arguments: memoise (TLC evaluates
            # zero-argument constant definitions once, too).
            key = (name, *args)
            memo = self.w.memo
            if key not in memo:
                if len(memo) > 500_000:
                    memo.clear()
                memo[key] = self.call(op, args, {})
            return memo[key]
        return self.builtin(name, args)

    def _uses_state(self, op: OpDef) -> bool:
        key = "\0uses:" + op.name
        if key not in self.w.cache:
            names: set[str] = set()
            stack = [op.body]
            while stack:
                n = stack.pop()
                if n.type == "identifier_ref":
                    names.add(_text(n))
                stack.extend(n.children)
            uses = bool(names & set(self.w.spec.variables)) or any(
                n in self.w.spec.ops and self._uses_state(self.w.spec.ops[n]) for n in names
                if n != op.name) or bool(names & {"TLCGet", "Print", "IOEnv"})
            self.w.cache[key] = uses
        return bool(self.w.cache[key])

    def call(self, op: OpDef, args: list[Value], ctx: dict[str, Value]) -> Value:
        if len(args) != len(op.params):
            raise EvalError(f"{op.name} takes {len(op.params)} arguments, got {len(args)}")
        return self.ev(op.body, {**ctx, **dict(zip(op.params, args, strict=True))})

    def builtin(self, name: str, args: list[Value]) -> Value:
        if name == "Len":
            return len(_seq(args[0]))
        if name == "Append":
            return (*_seq(args[0]), args[1])
        if name == "Head":
            return _seq(args[0])[0]
        if name == "Tail":
            return _seq(args[0])[1:]
        if name == "SubSeq":
            return _seq(args[0])[args[1] - 1: args[2]]
        if name == "Cardinality":
            return len(_set(args[0]))
        if name in ("Print", "PrintT"):
            self.w.printed.append(show(args[0]))
            return args[1] if name == "Print" else True
        if name == "TLCEval":
            return args[0]
        if name == "ToString":
            return show(args[0])
        if name == "TLCGet":
            if args[0] == "stats":
                return make_fn({"diameter": self.w.diameter})
            if args[0] == "config":
                return make_fn({"mode": "bfs", "deadlock": True})
            raise EvalError(f"TLCGet({args[0]!r})")
        if name == "IOEnv":
            return make_fn(dict(self.w.env))
        if name == "ndJsonDeserialize":
            lines = Path(args[0]).read_text(encoding="utf-8").splitlines()
            return tuple(_from_json(json.loads(line)) for line in lines if line.strip())
        raise EvalError(f"unknown operator {name}")

    def e_bound_op(self, node: Any, ctx: dict[str, Value]) -> Value:
        parts = _named(node)
        name = _text(parts[0])
        return self.lookup(name, [self.ev(a, ctx) for a in parts[1:]], ctx)

    def e_bound_prefix_op(self, node: Any, ctx: dict[str, Value]) -> Value:
        op, arg = _named(node)
        kind = op.type
        if kind == "lnot":
            return not self.truth(arg, ctx)
        v = self.ev(arg, ctx)
        if kind == "domain":
            return domain(v)
        if kind == "union":
            return frozenset(itertools.chain.from_iterable(_set(x) for x in _set(v)))
        if kind == "negative":
            return -v
        raise EvalError(f"prefix operator {kind}")

    def truth(self, node: Any, ctx: dict[str, Value]) -> bool:
        v = self.ev(node, ctx)
        if not isinstance(v, bool):
            raise EvalError(f"not a Boolean: {_text(node)[:60]} = {v!r}")
        return v

    def e_bound_infix_op(self, node: Any, ctx: dict[str, Value]) -> Value:
        left, op, right = _named(node)
        kind = op.type
        if kind == "land":
            return self.truth(left, ctx) and self.truth(right, ctx)
        if kind == "lor":
            return self.truth(left, ctx) or self.truth(right, ctx)
        if kind == "implies":
            return (not self.truth(left, ctx)) or self.truth(right, ctx)
        if kind in ("in", "notin") and right.type == "nat_number_set":
            a = self.ev(left, ctx)
            return (type(a) is int and a >= 0) == (kind == "in")
        a, b = self.ev(left, ctx), self.ev(right, ctx)
        if kind in ("eq", "neq"):
            scalars = (bool, int, str)
            if (type(a) in scalars or type(b) in scalars) and type(a) is not type(b):
                raise EvalError(f"TLC cannot compare {a!r} with {b!r}")
            return (a == b) == (kind == "eq")
        if kind in ("lt", "leq", "gt", "geq", "plus", "minus", "mul", "dots_2"):
            if type(a) is not int or type(b) is not int:
                raise EvalError(f"arithmetic on non-integers {a!r} {kind} {b!r}")
            return {"lt": a < b, "leq": a <= b, "gt": a > b, "geq": a >= b, "plus": a + b,
                    "minus": a - b, "mul": a * b,
                    "dots_2": frozenset(range(a, b + 1))}[kind]
        if kind == "in":
            return a in _set(b)
        if kind == "notin":
            return a not in _set(b)
        if kind == "cup":
            return _set(a) | _set(b)
        if kind == "cap":
            return _set(a) & _set(b)
        if kind == "setminus":
            return _set(a) - _set(b)
        if kind == "circ":
            return _seq(a) + _seq(b)
        raise EvalError(f"infix operator {kind}")

    def e_conj_list(self, node: Any, ctx: dict[str, Value]) -> Value:
        return all(self.truth(_named(item)[-1], ctx) for item in _named(node))

    def e_disj_list(self, node: Any, ctx: dict[str, Value]) -> Value:
        return any(self.truth(_named(item)[-1], ctx) for item in _named(node))

    def e_if_then_else(self, node: Any, ctx: dict[str, Value]) -> Value:
        cond, then, other = _named(node)
        return self.ev(then if self.truth(cond, ctx) else other, ctx)

    def e_case(self, node: Any, ctx: dict[str, Value]) -> Value:
        for arm in _named(node):
            if arm.type == "case_arm":
                guard, _arrow, value = _named(arm)
                if self.truth(guard, ctx):
                    return self.ev(value, ctx)
            elif arm.type == "other_arm":
                return self.ev(_named(arm)[-1], ctx)
        raise EvalError("no CASE arm applies")

    def e_let_in(self, node: Any, ctx: dict[str, Value]) -> Value:
        inner = dict(ctx)
        parts = _named(node)
        for child in parts[:-1]:
            sub = _named(child)
            op = OpDef(_text(sub[0]), [_text(p) for p in sub[1:-2]], sub[-1], "LET")
            if op.params:
                inner[op.name] = Closure(op, inner)
            else:
                inner[op.name] = self.ev(op.body, inner)
        return self.ev(parts[-1], inner)

    def bindings(self, bounds: list[Any], ctx: dict[str, Value]) -> Iterator[dict[str, Value]]:
        """Every assignment of the bound identifiers of ``bounds`` (``x, y \\in S, <<a, b>> \\in T``)."""
        groups: list[tuple[list[Any], frozenset[Value]]] = []
        for q in bounds:
            parts = _named(q)
            groups.append((parts[:-2], _set(self.ev(parts[-1], ctx))))
        slots: list[tuple[Any, frozenset[Value]]] = [(ident, s) for ids, s in groups for ident in ids]
        for combo in itertools.product(*(sorted(s, key=_order) for _, s in slots)):
            new = dict(ctx)
            for (ident, _), value in zip(slots, combo, strict=True):
                if ident.type == "tuple_of_identifiers":
                    names = [_text(i) for i in _named(ident) if i.type == "identifier"]
                    for n, v in zip(names, _seq(value), strict=True):
                        new[n] = v
                else:
                    new[_text(ident)] = value
            yield new

    def e_bounded_quantification(self, node: Any, ctx: dict[str, Value]) -> Value:
        parts = _named(node)
        kind, bounds, body = parts[0].type, parts[1:-1], parts[-1]
        results = (self.truth(body, c) for c in self.bindings(bounds, ctx))
        return any(results) if kind == "exists" else all(results)

    def e_set_filter(self, node: Any, ctx: dict[str, Value]) -> Value:
        bound, pred = _named(node)
        name = _text(_named(bound)[0])
        return frozenset(x for x in _set(self.ev(_named(bound)[-1], ctx))
                         if self.truth(pred, {**ctx, name: x}))

    def e_set_map(self, node: Any, ctx: dict[str, Value]) -> Value:
        parts = _named(node)
        return frozenset(self.ev(parts[0], c) for c in self.bindings(parts[1:], ctx))

    def e_finite_set_literal(self, node: Any, ctx: dict[str, Value]) -> Value:
        return frozenset(self.ev(c, ctx) for c in _named(node))

    def e_tuple_literal(self, node: Any, ctx: dict[str, Value]) -> Value:
        return tuple(self.ev(c, ctx) for c in _named(node)
                     if c.type not in ("langle_bracket", "rangle_bracket"))

    def e_record_literal(self, node: Any, ctx: dict[str, Value]) -> Value:
        parts = [c for c in _named(node) if c.type != "all_map_to"]
        return make_fn({_text(parts[i]): self.ev(parts[i + 1], ctx)
                        for i in range(0, len(parts), 2)})

    def e_record_value(self, node: Any, ctx: dict[str, Value]) -> Value:
        rec, fld = _named(node)
        return apply(self.ev(rec, ctx), _text(fld))

    def e_function_literal(self, node: Any, ctx: dict[str, Value]) -> Value:
        parts = [c for c in _named(node) if c.type != "all_map_to"]
        bounds, body = parts[:-1], parts[-1]
        if len(bounds) != 1 or len(_named(bounds[0])) != 3:
            raise EvalError("only [x \\in S |-> e] functions")
        name = _text(_named(bounds[0])[0])
        return make_fn({x: self.ev(body, {**ctx, name: x})
                        for x in _set(self.ev(_named(bounds[0])[-1], ctx))})

    def e_function_evaluation(self, node: Any, ctx: dict[str, Value]) -> Value:
        parts = _named(node)
        f = self.ev(parts[0], ctx)
        args = [self.ev(a, ctx) for a in parts[1:]]
        return apply(f, args[0] if len(args) == 1 else tuple(args))

    def e_choose(self, node: Any, ctx: dict[str, Value]) -> Value:
        ident, _set_in, s, pred = _named(node)
        name = _text(ident)
        for x in sorted(_set(self.ev(s, ctx)), key=_order):
            if self.truth(pred, {**ctx, name: x}):
                return x
        raise EvalError(f"CHOOSE found no value: {_text(node)[:60]}")

    def e_except(self, node: Any, ctx: dict[str, Value]) -> Value:
        parts = _named(node)
        value = self.ev(parts[0], ctx)
        for update in parts[1:]:
            spec_node, new = _named(update)
            path: list[Value] = []
            for step in _named(spec_node):
                if step.type == "except_update_record_field":
                    path.append(_text(_named(step)[0]))
                else:
                    path.append(self.ev(_named(step)[0], ctx))
            value = _update(value, path, lambda old, new=new: self.ev(new, {**ctx, "@": old}))
        return value

    def e_prev_func_val(self, node: Any, ctx: dict[str, Value]) -> Value:
        return ctx["@"]

    def e_bound_postfix_op(self, node: Any, ctx: dict[str, Value]) -> Value:
        raise EvalError(f"primed expression outside an action: {_text(node)}")

    # actions: TLC's enumeration of successor assignments ------------------------------------

    def act(self, node: Any, ctx: dict[str, Value], nxt: dict[str, Value]) -> Iterator[dict]:
        kind = node.type
        if kind == "parentheses":
            yield from self.act(_named(node)[0], ctx, nxt)
        elif kind == "conj_list":
            yield from self._conj([_named(i)[-1] for i in _named(node)], ctx, nxt)
        elif kind == "disj_list":
            for item in _named(node):
                yield from self.act(_named(item)[-1], ctx, nxt)
        elif kind == "bound_infix_op" and _named(node)[1].type == "land":
            left, _, right = _named(node)
            yield from self._conj([left, right], ctx, nxt)
        elif kind == "bound_infix_op" and _named(node)[1].type == "lor":
            left, _, right = _named(node)
            yield from self.act(left, ctx, nxt)
            yield from self.act(right, ctx, nxt)
        elif self.init_mode and kind == "bound_infix_op" and _named(node)[1].type in (
                "eq", "in") and _named(node)[0].type == "identifier_ref" and \
                _text(_named(node)[0]) in self.w.spec.variables and \
                _text(_named(node)[0]) not in nxt:
            var = _text(_named(node)[0])
            self.w.state = dict(nxt)
            value = self.ev(_named(node)[2], ctx)
            for v in ([value] if _named(node)[1].type == "eq"
                      else sorted(_set(value), key=_order)):
                yield {**nxt, var: v}
        elif kind == "bound_infix_op" and _named(node)[1].type == "eq" and \
                _named(node)[0].type == "bound_postfix_op":
            var = _text(_named(_named(node)[0])[0])
            value = self.ev(_named(node)[2], self._primed(ctx, nxt))
            if var not in nxt:
                yield {**nxt, var: value}
            elif nxt[var] == value:
                yield nxt
        elif kind == "bounded_quantification" and _named(node)[0].type == "exists":
            parts = _named(node)
            for c in self.bindings(parts[1:-1], ctx):
                yield from self.act(parts[-1], c, nxt)
        elif kind == "bound_prefix_op" and _named(node)[0].type == "unchanged":
            target = _named(node)[1]
            names = ([_text(c) for c in _named(target) if c.type == "identifier_ref"]
                     if target.type == "tuple_literal" else [_text(target)])
            expanded: list[str] = []
            for n in names:
                if n in self.w.spec.variables:
                    expanded.append(n)
                else:  # vars == <<state, event>>
                    body = self.w.spec.ops[n].body
                    expanded += [_text(c) for c in _named(body) if c.type == "identifier_ref"]
            yield from self._conj_assign([(n, self.w.state[n]) for n in expanded], nxt)
        elif kind in ("identifier_ref", "bound_op") and self._is_action(node, ctx):
            name_node = node if kind == "identifier_ref" else _named(node)[0]
            name = _text(name_node)
            args = [] if kind == "identifier_ref" else [self.ev(a, self._primed(ctx, nxt))
                                                        for a in _named(node)[1:]]
            op = self.w.spec.ops[name]
            yield from self.act(op.body, dict(zip(op.params, args, strict=True)), nxt)
        elif kind == "if_then_else":
            cond, then, other = _named(node)
            yield from self.act(then if self.truth(cond, self._primed(ctx, nxt)) else other,
                                ctx, nxt)
        elif kind == "let_in":
            parts = _named(node)
            inner = dict(ctx)
            for child in parts[:-1]:
                sub = _named(child)
                op = OpDef(_text(sub[0]), [_text(p) for p in sub[1:-2]], sub[-1], "LET")
                inner[op.name] = (Closure(op, inner) if op.params
                                  else self.ev(op.body, self._primed(inner, nxt)))
            yield from self.act(parts[-1], inner, nxt)
        else:
            if self.init_mode:
                self.w.state = dict(nxt)
            if self.truth(node, self._primed(ctx, nxt)):
                yield nxt

    def _primed(self, ctx: dict[str, Value], nxt: dict[str, Value]) -> dict[str, Value]:
        return ctx  # primed variables are only read through x' = e, handled in act()

    def _is_action(self, node: Any, ctx: dict[str, Value]) -> bool:
        name = _text(node if node.type == "identifier_ref" else _named(node)[0])
        if name in ctx or name not in self.w.spec.ops:
            return False
        op = self.w.spec.ops[name]
        return self._has_primes(op) or (self.init_mode and self._uses_state(op))

    def _has_primes(self, op: OpDef) -> bool:
        key = "\0primes:" + op.name
        if key not in self.w.cache:
            found = False
            stack = [op.body]
            names: set[str] = set()
            while stack:
                n = stack.pop()
                if n.type in ("prime", "unchanged"):
                    found = True
                if n.type == "identifier_ref":
                    names.add(_text(n))
                stack.extend(n.children)
            self.w.cache[key] = found or any(
                self._has_primes(self.w.spec.ops[m]) for m in names
                if m in self.w.spec.ops and m != op.name)
        return bool(self.w.cache[key])

    def _conj(self, items: list[Any], ctx: dict[str, Value], nxt: dict) -> Iterator[dict]:
        if not items:
            yield nxt
            return
        for partial in self.act(items[0], ctx, nxt):
            yield from self._conj(items[1:], ctx, partial)

    def _conj_assign(self, pairs: list[tuple[str, Value]], nxt: dict) -> Iterator[dict]:
        out = dict(nxt)
        for var, value in pairs:
            if var in out and out[var] != value:
                return
            out[var] = value
        yield out


def _update(value: Value, path: list[Value], new: Callable[[Value], Value]) -> Value:
    mapping = as_dict(value)
    key = path[0]
    if key not in mapping:
        raise EvalError(f"EXCEPT on {key!r} outside the domain")
    mapping[key] = new(mapping[key]) if len(path) == 1 else _update(mapping[key], path[1:], new)
    return make_fn(mapping)


def _seq(v: Value) -> tuple[Value, ...]:
    if not isinstance(v, tuple):
        raise EvalError(f"not a sequence: {v!r}")
    return v


def _set(v: Value) -> frozenset[Value]:
    if not isinstance(v, frozenset):
        raise EvalError(f"not a set: {v!r}")
    return v


def _order(v: Value) -> tuple[int, str]:
    return (0, f"{v:020d}") if type(v) is int else (1, repr(v))


def _from_json(v: Any) -> Value:
    if isinstance(v, dict):
        return make_fn({k: _from_json(x) for k, x in v.items()})
    if isinstance(v, list):
        return tuple(_from_json(x) for x in v)
    return v


# -- model checking -------------------------------------------------------------------------------


@dataclass
class Verdict:
    """What TLC would say: ``ok``, ``deadlock``, ``invariant``, ``postcondition``, ``assumption``."""

    outcome: str
    distinct_states: int
    diameter: int
    detail: str = ""
    printed: list[str] = field(default_factory=list)


def _parse_constant(text: str) -> Value:
    from tests.tla_support import literal_value

    tree = _parse(f"---- MODULE C ----\nX == {text}\n====\n")
    return literal_value(tree.root_node.children[0].children[-2].children[-1])


def check(directory: Path | dict[str, str], module: str, config: str | None = None,
          env: dict[str, str] | None = None, max_states: int = 200_000) -> Verdict:
    """Model-check ``module`` with its config like TLC (breadth first)."""
    if isinstance(directory, dict):
        sources = {k.removesuffix(".tla"): v for k, v in directory.items() if k.endswith(".tla")}
        cfg_text = directory[f"{config or module}.cfg"]
    else:
        sources = {p.stem: p.read_text(encoding="utf-8") for p in directory.glob("*.tla")}
        cfg_text = (directory / f"{config or module}.cfg").read_text(encoding="utf-8")
    cfg = read_config(cfg_text)
    spec = load(module, sources)
    constants = {}
    for entry in cfg.get("CONSTANT", []):
        name, _, value = entry.partition("=")
        constants[name.strip()] = _parse_constant(value.strip())
    if set(constants) != spec.constants:
        raise EvalError(f"config binds {sorted(constants)}, module declares {sorted(spec.constants)}")
    world = World(spec, constants, env=dict(env or os.environ))
    evaluator = Evaluator(world)
    for assumption in spec.assumptions:
        if not evaluator.truth(assumption, {}):
            return Verdict("assumption", 0, 0, _text(assumption))
    spec_body = _text(spec.ops[cfg["SPECIFICATION"][0]].body)
    init_name = spec_body.split("/\\")[0].strip()
    next_name = spec_body.split("[][")[1].split("]_")[0].strip()
    invariants = cfg.get("INVARIANT", [])
    deadlock = cfg.get("CHECK_DEADLOCK", ["TRUE"]) == ["TRUE"]
    variables = spec.variables

    def freeze(assign: dict[str, Value]) -> tuple[Value, ...]:
        if set(assign) != set(variables):
            raise EvalError(f"state not completely specified: {sorted(assign)}")
        return tuple(assign[v] for v in variables)

    world.state = {}
    evaluator.init_mode = True
    inits = [freeze(a) for a in evaluator.act(spec.ops[init_name].body, {}, {})]
    evaluator.init_mode = False
    seen = set(inits)
    frontier = list(dict.fromkeys(inits))
    level = 0
    while frontier:
        level += 1
        nxt_frontier: list[tuple[Value, ...]] = []
        for s in frontier:
            world.state = dict(zip(variables, s, strict=True))
            for inv in invariants:
                if not evaluator.truth(spec.ops[inv].body, {}):
                    return Verdict("invariant", len(seen), level, f"{inv} violated in {world.state}",
                                   world.printed)
            succ = [freeze(a) for a in evaluator.act(spec.ops[next_name].body, {}, {})]
            if not succ and deadlock:
                return Verdict("deadlock", len(seen), level, f"deadlock in {world.state}",
                               world.printed)
            for t in succ:
                if t not in seen:
                    seen.add(t)
                    nxt_frontier.append(t)
            if len(seen) > max_states:
                raise EvalError(f"more than {max_states} states")
        if not nxt_frontier:
            break
        frontier = nxt_frontier
    world.diameter = level
    world.state = {}
    for post in cfg.get("POSTCONDITION", []):
        world.cache.pop(post, None)
        if not evaluator.truth(spec.ops[post].body, {}):
            return Verdict("postcondition", len(seen), level, post, world.printed)
    return Verdict("ok", len(seen), level, "", world.printed)
