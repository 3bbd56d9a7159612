"""Print a process term as CSPm that evaluates back to the same interned term.

:func:`print_process` builds the syntax tree of an expression denoting the term and prints it
with :func:`~cspotlp.cspm.printer.print_expr` (which adds the parentheses). Evaluating the text
in a script declaring the same channels, datatypes and named processes gives the very same
term (:mod:`cspotlp.cspm.processes` maps each operator to one term constructor):

>>> from cspotlp.csp import Environment, prefix, ext_choice, STOP, SKIP
>>> env = Environment(); a = env.channel("a").event(); b = env.channel("b").event()
>>> print_process(ext_choice(prefix(a, STOP), prefix(b, SKIP), STOP), env)
'[] i <- {0..2} @ if i == 0 then a -> STOP else if i == 1 then b -> SKIP else STOP'

Binary terms print as binary operators. An external or internal choice or an interleaving of
three or more operands (which only replicated operators and input prefixes build) prints as the
replicated operator over ``{0..n-1}`` selecting each operand in turn, the only CSPm that builds
exactly that term. Calls print as their names; the terminated state Ω and compiled (explicit)
states have no CSPm syntax and are refused.
"""

from __future__ import annotations

from typing import Any

from cspotlp.csp.environment import Environment
from cspotlp.csp.events import TAU, TICK, Event, sort_events
from cspotlp.csp.terms import (
    Op,
    Proc,
    alphabets_of,
    call_parts,
    event_set_of,
    levels_of,
    order_of,
    prefix_event,
    relation_of,
)
from cspotlp.csp.values import Datum, Seq, sorted_values
from cspotlp.cspm import ast
from cspotlp.cspm.printer import print_expr
from cspotlp.cspm.values import Char, DotValue, MapValue, Partial, char_string
from cspotlp.errors import CspError

_BINARY = {
    Op.EXT: ast.ProcOp.EXT_CHOICE, Op.INT: ast.ProcOp.INT_CHOICE, Op.ILEAVE: ast.ProcOp.INTERLEAVE,
    Op.SEQ: ast.ProcOp.SEQ, Op.INTERRUPT: ast.ProcOp.INTERRUPT, Op.TIMEOUT: ast.ProcOp.SLIDING,
}
_REPLICATED = {Op.EXT: ast.RepOp.EXT_CHOICE, Op.INT: ast.RepOp.INT_CHOICE,
               Op.ILEAVE: ast.RepOp.INTERLEAVE}


def value_exp(v: Any) -> ast.Exp:
    """A CSPm expression for a value (values nest only as deep as their types)."""
    if isinstance(v, bool):
        return ast.BoolLit(v)
    if isinstance(v, int):
        return ast.IntLit(v) if v >= 0 else ast.UnaryOp(ast.UnOp.NEG, ast.IntLit(-v))
    if isinstance(v, Char):
        return ast.CharLit(v.ch)
    if isinstance(v, Seq):
        text = char_string(v)
        if text is not None:
            return ast.StringLit(text)
        return ast.SeqExp(tuple(value_exp(x) for x in v.items))
    if isinstance(v, tuple):
        return ast.TupleExp(tuple(value_exp(x) for x in v))
    if isinstance(v, frozenset):
        return ast.SetExp(tuple(value_exp(x) for x in sorted_values(v)))
    if isinstance(v, Event):
        return _dotted(v.channel, v.fields)
    if isinstance(v, Datum):
        return _dotted(v.ctor, v.fields)
    if isinstance(v, Partial):
        return _dotted(v.head.name, v.fields)
    if isinstance(v, DotValue):
        return ast.DotExp(tuple(value_exp(x) for x in v.items))
    if isinstance(v, MapValue):
        return ast.MapExp(tuple((value_exp(k), value_exp(x)) for k, x in v.pairs))
    if isinstance(v, Proc):
        return process_exp(v)
    raise CspError(f"the value {v!r} has no CSPm text")


def _dotted(name: str, fields: tuple[Any, ...]) -> ast.Exp:
    if not fields:
        return ast.Var(name)
    return ast.DotExp((ast.Var(name), *(value_exp(f) for f in fields)))


def _event_set(events: frozenset[Event]) -> ast.Exp:
    return ast.SetExp(tuple(value_exp(e) for e in sort_events(events)))


def _pairs(rel: frozenset[tuple[Event, Event]]) -> tuple[tuple[ast.Exp, ast.Exp], ...]:
    items = sorted(rel, key=lambda ab: (ab[0].sort_key(), ab[1].sort_key()))
    return tuple((value_exp(a), value_exp(b)) for a, b in items)


def _fresh_variable(env: Environment | None) -> str:
    taken: set[str] = set()
    if env is not None:
        taken |= set(env.definitions) | set(env.channels) | set(env.datatypes)
        for dt in env.datatypes.values():
            taken |= set(dt.constructors)
    name = "i"
    while name in taken:
        name += "'"
    return name


def _selector(var: str, operands: list[ast.Exp]) -> ast.Exp:
    out = operands[-1]
    for k in range(len(operands) - 2, -1, -1):
        cond = ast.BinaryOp(ast.BinOp.EQ, ast.Var(var), ast.IntLit(k))
        out = ast.If(cond, operands[k], out)
    return out


def process_exp(root: Proc, env: Environment | None = None) -> ast.Exp:
    """The syntax tree of an expression evaluating to ``root`` (built without recursion)."""
    var = _fresh_variable(env)
    built: dict[Proc, ast.Exp] = {}
    stack: list[tuple[Proc, bool]] = [(root, False)]
    while stack:
        p, ready = stack.pop()
        if p in built:
            continue
        if not ready:
            stack.append((p, True))
            stack.extend((a, False) for a in reversed(p.args) if a not in built)
            continue
        built[p] = _node(p, [built[a] for a in p.args], var)
    return built[root]


def _node(p: Proc, args: list[ast.Exp], var: str) -> ast.Exp:  # noqa: C901 - one case per op
    op = p.op
    if op in (Op.STOP, Op.SKIP, Op.DIV):
        return ast.Var(op.value)
    if op in (Op.RUN, Op.CHAOS):
        return ast.App(ast.Var(op.value), (_event_set(event_set_of(p)),))
    if op is Op.PREFIX:
        return ast.Prefix(value_exp(prefix_event(p)), (), args[0])
    if op in _BINARY and len(args) == 2:
        return ast.ProcBinary(_BINARY[op], args[0], args[1])
    if op in _REPLICATED:
        gen = ast.Generator(ast.PVar(var),
                            ast.SetRange(ast.IntLit(0), ast.IntLit(len(args) - 1)))
        return ast.Replicated(_REPLICATED[op], (gen,), _selector(var, args))
    if op is Op.PAR:
        return ast.GenPar(args[0], _event_set(event_set_of(p)), args[1])
    if op is Op.APAR:
        a, b = alphabets_of(p)
        return ast.AlphaPar(args[0], _event_set(a), _event_set(b), args[1])
    if op is Op.EXCEPT:
        return ast.ExceptionOp(args[0], _event_set(event_set_of(p)), args[1])
    if op is Op.LINK:
        return ast.LinkPar(args[0], _pairs(relation_of(p)), (), args[1])
    if op is Op.HIDE:
        return ast.Hide(args[0], _event_set(event_set_of(p)))
    if op is Op.RENAME:
        return ast.Rename(args[0], _pairs(relation_of(p)), ())
    if op is Op.CALL:
        name, values = call_parts(p)
        if not values:
            return ast.Var(name)
        return ast.App(ast.Var(name), tuple(value_exp(v) for v in values))
    if op is Op.COMPRESS:  # chase_nocache(P) is the compression FDR names chase_no_cache
        name = "chase_nocache" if p.payload == "chase_no_cache" else str(p.payload)
        return ast.App(ast.Var(name), (args[0],))
    if op is Op.PRIORITISE:
        levels = ast.SeqExp(tuple(_event_set(a) for a in levels_of(p)))
        return ast.App(ast.Var("prioritise"), (args[0], levels))
    if op is Op.SYNC_EXT:
        return ast.SyncExtChoice(args[0], _event_set(event_set_of(p)), args[1])
    if op is Op.SYNC_INTERRUPT:
        return ast.SyncInterrupt(args[0], _event_set(event_set_of(p)), args[1])
    if op is Op.PRIORITISE_PO:
        return _prioritise_po(p, args[0])
    raise CspError(f"{op.value} has no CSPm syntax (it is not a term a script can write)")


def _prioritise_po(p: Proc, arg: ast.Exp) -> ast.Exp:
    """``prioritisepo(P, E, O, M)`` giving the same (closed) order.

    E holds all its events, O the order between them, M those τ is not below.
    """
    order = order_of(p)
    events = {x for pair in order for x in pair if x is not TAU and x is not TICK}
    above_tau = {y for x, y in order if x is TAU}
    pairs = ast.SetExp(tuple(ast.TupleExp((value_exp(x), value_exp(y)))
                             for x, y in sorted(order, key=lambda ab: (ab[0].sort_key(),
                                                                      ab[1].sort_key()))
                             if x in events))
    return ast.App(ast.Var("prioritisepo"), (arg, _event_set(frozenset(events)), pairs,
                                             _event_set(frozenset(events - above_tau))))


def print_process(p: Proc, env: Environment | None = None) -> str:
    """CSPm text for ``p`` (see the module docstring); ``env`` helps choose a fresh variable."""
    return print_expr(process_exp(p, env))
