r"""Evaluation of process expressions into :mod:`cspotlp.csp` terms.

Each CSPm operator maps to one term constructor, without simplification, so that printing a
term (:mod:`cspotlp.cspm.procprint`) and evaluating the text gives the same interned term:

- ``a -> P`` is :func:`prefix`; ``c?x:S!y -> P(x)`` is the external choice of one prefix per
  event, in libcspm's order (a restricted input ``?x:S`` takes the values of ``S`` from the
  largest down, an unrestricted one ``?x`` from the smallest up); ``c$x -> P`` is an internal
  choice over the same;
- binary operators give binary terms (``P [] Q [] R`` is ``(P [] Q) [] R``); replicated
  ``[] x : S @ P``, ``|~|`` and ``|||`` give one n-ary term, ``;``, ``[| A |]``, ``||`` and
  ``[a <-> b]`` fold to the right; an empty replicated ``|~|`` or linked parallel is an error;
- ``P |\ A`` is ``P \ diff(Events, A)``.

Synchronising external choice ``[+ A +]`` and interrupt ``/+ A +\`` are binary terms
(the replicated ``[+ A +]`` folds to the right, and is STOP over nothing).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from cspotlp.csp.events import Event
from cspotlp.csp.terms import (
    STOP,
    Proc,
    apar,
    apar_all,
    exception,
    ext_choice,
    hide,
    int_choice,
    interleave,
    interrupt,
    link,
    par,
    par_all,
    prefix,
    rename,
    seq,
    seq_all,
    sync_ext_choice,
    sync_interrupt,
    timeout,
)
from cspotlp.cspm import ast
from cspotlp.cspm.dots import DotError, extensions, one_field_extensions, productions
from cspotlp.cspm.patterns import pattern_fields
from cspotlp.cspm.runtime import Frame, Step
from cspotlp.cspm.scope import flat_decls
from cspotlp.cspm.timed import (
    choice_operands,
    section_at,
    stop_at,
    sync_fold,
    timed_choice,
    timed_prefix,
    tock_of,
    tskip,
    with_tock,
)
from cspotlp.cspm.values import InfiniteSet, ordered, show

if TYPE_CHECKING:
    from cspotlp.cspm.evaluate import Evaluator

BINARY: dict[ast.ProcOp, Callable[[Proc, Proc], Proc]] = {
    ast.ProcOp.EXT_CHOICE: lambda p, q: ext_choice(p, q),
    ast.ProcOp.INT_CHOICE: lambda p, q: int_choice(p, q),
    ast.ProcOp.SEQ: seq,
    ast.ProcOp.INTERLEAVE: lambda p, q: interleave(p, q),
    ast.ProcOp.INTERRUPT: interrupt,
    ast.ProcOp.SLIDING: timeout,
}

Option = tuple[dict[Any, Any], Any, tuple[Any, ...]]
"""One way an input field can go: its bindings, the event so far, the values it took."""


def process_handlers(ev: Evaluator) -> dict[type, Callable[[Any, Frame], Any]]:
    """Handlers for the process expression classes."""
    return {
        ast.Prefix: functools.partial(_prefix, ev),
        ast.Guard: functools.partial(_guard, ev),
        ast.ProcBinary: functools.partial(_proc_binary, ev),
        ast.Hide: functools.partial(_hide, ev),
        ast.Project: functools.partial(_project, ev),
        ast.GenPar: functools.partial(_gen_par, ev),
        ast.AlphaPar: functools.partial(_alpha_par, ev),
        ast.ExceptionOp: functools.partial(_exception, ev),
        ast.LinkPar: functools.partial(_link_par, ev),
        ast.Rename: functools.partial(_rename, ev),
        ast.Replicated: functools.partial(_replicated, ev),
        ast.RepGenPar: functools.partial(_rep_gen_par, ev),
        ast.RepAlphaPar: functools.partial(_rep_alpha_par, ev),
        ast.RepLinkPar: functools.partial(_rep_link_par, ev),
        ast.SyncExtChoice: functools.partial(_sync_ext, ev),
        ast.SyncInterrupt: functools.partial(_sync_interrupt, ev),
        ast.RepSyncExtChoice: functools.partial(_rep_sync_ext, ev),
    }


# -- values processes need ----------------------------------------------------------------


def as_event(ev: Evaluator, v: Any, node: ast.Node) -> Event:
    """``v`` as an event, or a located error."""
    if isinstance(v, Event):
        return v
    raise ev.error(f"{show(v)} is not an event", node)


def event_set(ev: Evaluator, v: Any, node: ast.Node) -> frozenset[Event]:
    """``v`` as a set of events, or a located error."""
    if isinstance(v, InfiniteSet):
        raise ev.error(f"the infinite set {v} cannot be used as a set of events", node)
    if not isinstance(v, frozenset) or not all(isinstance(e, Event) for e in v):
        raise ev.error(f"{show(v)} is not a set of events", node)
    return v


def all_events(ev: Evaluator, node: ast.Node) -> frozenset[Event]:
    """``Events``: every event of every channel (forcing every channel declaration)."""
    for d in flat_decls(ev.script.decls):  # (those of Timed sections too)
        if isinstance(d, ast.ChannelDecl):
            for ident in d.names:
                ev.head_of_name(ident.name)
    return ev.env.events()


def productions_of(ev: Evaluator, v: Any, node: ast.Node) -> frozenset[Any]:
    """``{| v |}``."""
    try:
        return productions(ev, v)
    except DotError as e:
        raise ev.error(str(e), node) from e


def as_process(ev: Evaluator, v: Any, node: ast.Node) -> Proc:
    """``v`` as a process, or a located error."""
    if not isinstance(v, Proc):
        raise ev.error(f"{show(v)} is not a process", node)
    return v


# -- prefix ----------------------------------------------------------------------------------


def _prefix(ev: Evaluator, e: ast.Prefix, f: Frame) -> Step:
    plain = yield _plain_prefix(ev, e, f)
    section = section_at(ev, e)
    if section is None:
        return plain
    timed = yield timed_prefix(ev, section, e, f, plain)
    return timed


def _plain_prefix(ev: Evaluator, e: ast.Prefix, f: Frame) -> Step:
    base = yield ev.ev(e.event, f)
    if not e.fields:
        event = as_event(ev, base, e.event)
        body = yield ev.ev(e.body, f)
        return prefix(event, as_process(ev, body, e.body))
    nondet = 0
    while nondet < len(e.fields) and isinstance(e.fields[nondet], ast.NondetInput):
        nondet += 1
    for fld in e.fields[nondet:]:
        if isinstance(fld, ast.NondetInput):
            raise ev.unsupported("'$' after '?' or '!' in a prefix", fld)
    if nondet == 0:
        branches = yield _fields(ev, e, 0, base, f)
        return ext_choice(*branches)
    leaves = yield _nondet_fields(ev, e, 0, nondet, base, f)
    return int_choice(*leaves)


def _nondet_fields(ev: Evaluator, e: ast.Prefix, i: int, n: int, base: Any,
                   f: Frame) -> Step:
    if i == n:
        branches = yield _fields(ev, e, n, base, f)
        return [ext_choice(*branches)]
    fld = e.fields[i]
    assert isinstance(fld, ast.NondetInput)
    options = yield _input_options(ev, fld, base, f, i == len(e.fields) - 1)
    if not options:
        raise ev.error("internal choice over an empty set ('$' input with no values)", fld)
    out: list[Proc] = []
    for bindings, base2, values in options:
        frame = Frame(f, bindings, f.scope.anonymous(values))
        out.extend((yield _nondet_fields(ev, e, i + 1, n, base2, frame)))
    return out


def _fields(ev: Evaluator, e: ast.Prefix, i: int, base: Any, f: Frame) -> Step:
    if i == len(e.fields):
        event = as_event(ev, base, e)
        body = yield ev.ev(e.body, f)
        return [prefix(event, as_process(ev, body, e.body))]
    fld = e.fields[i]
    if isinstance(fld, ast.Output):
        v = yield ev.ev(fld.value, f)
        out: list[Proc] = yield _fields(ev, e, i + 1, ev.dot(base, v, fld), f)
        return out
    assert isinstance(fld, ast.Input)
    options = yield _input_options(ev, fld, base, f, i == len(e.fields) - 1)
    out = []
    for bindings, base2, values in options:
        frame = Frame(f, bindings, f.scope.anonymous(values))
        out.extend((yield _fields(ev, e, i + 1, base2, frame)))
    return out


def _input_options(ev: Evaluator, fld: ast.Input | ast.NondetInput, base: Any,
                   f: Frame, last_field: bool) -> Step:
    """The ways an input field can be filled, in libcspm's order."""
    options: list[Option] = []
    if fld.restriction is not None:
        allowed = yield ev.ev(fld.restriction, f)
        if isinstance(allowed, InfiniteSet):
            raise ev.error(f"cannot input from the infinite set {allowed}",
                             fld.restriction)
        for v in reversed(ordered(allowed)):
            bindings = ev.match(fld.pattern, v, fld)
            if bindings is not None:
                options.append((bindings, ev.dot(base, v, fld), (v,)))
        return options
    parts = pattern_fields(fld.pattern)
    states: list[Option] = [({}, base, ())]
    for k, part in enumerate(parts):
        ref = ev.refs.get(part) if isinstance(part, ast.PVar) else None
        if ref is not None:
            constant = ev.constant(ref)
            states = [(b, ev.dot(bs, constant, part), vals) for b, bs, vals in states]
            continue
        new: list[Option] = []
        for b, bs, vals in states:
            try:
                if last_field and k == len(parts) - 1:
                    candidates = extensions(ev, bs)
                else:
                    candidates = one_field_extensions(ev, bs)
            except DotError as e:
                raise ev.error(str(e), fld) from e
            for v in candidates:
                got = ev.match(part, v, part)
                if got is not None:
                    new.append(({**b, **got}, ev.dot(bs, v, part), (*vals, v)))
        states = new
    return states


def _guard(ev: Evaluator, e: ast.Guard, f: Frame) -> Step:
    cond = yield ev.ev(e.cond, f)
    if not cond:
        return stop_at(ev, e)
    body = yield ev.ev(e.body, f)
    return as_process(ev, body, e.body)


# -- binary operators ---------------------------------------------------------------------


def _two(ev: Evaluator, left: ast.Exp, right: ast.Exp, f: Frame) -> Step:
    p = yield ev.ev(left, f)
    q = yield ev.ev(right, f)
    return as_process(ev, p, left), as_process(ev, q, right)


def _proc_binary(ev: Evaluator, e: ast.ProcBinary, f: Frame) -> Step:
    section = section_at(ev, e)
    if section is not None and e.op is ast.ProcOp.EXT_CHOICE:
        ps: list[Proc] = []
        for operand in choice_operands(e):
            p = yield ev.ev(operand, f)
            ps.append(as_process(ev, p, operand))
        return timed_choice(ev, section, ps, e)
    p, q = yield _two(ev, e.left, e.right, f)
    if section is not None and e.op is ast.ProcOp.INTERLEAVE:
        return par(p, {tock_of(ev, section, e)}, q)
    if section is not None and e.op is ast.ProcOp.INTERRUPT:
        return sync_interrupt(p, {tock_of(ev, section, e)}, q)
    return BINARY[e.op](p, q)


def _events(ev: Evaluator, e: ast.Exp, f: Frame) -> Step:
    v = yield ev.ev(e, f)
    return event_set(ev, v, e)


def _hide(ev: Evaluator, e: ast.Hide, f: Frame) -> Step:
    p = yield ev.ev(e.proc, f)
    hidden = yield _events(ev, e.events, f)
    return hide(as_process(ev, p, e.proc), hidden)


def _project(ev: Evaluator, e: ast.Project, f: Frame) -> Step:
    p = yield ev.ev(e.proc, f)
    kept = yield _events(ev, e.events, f)
    return hide(as_process(ev, p, e.proc), all_events(ev, e) - kept)


def _gen_par(ev: Evaluator, e: ast.GenPar, f: Frame) -> Step:
    p, q = yield _two(ev, e.left, e.right, f)
    sync = yield _events(ev, e.sync, f)
    return par(p, with_tock(ev, e, sync), q)


def _alpha_par(ev: Evaluator, e: ast.AlphaPar, f: Frame) -> Step:
    p, q = yield _two(ev, e.left, e.right, f)
    a = yield _events(ev, e.left_alpha, f)
    b = yield _events(ev, e.right_alpha, f)
    return apar(p, with_tock(ev, e, a), with_tock(ev, e, b), q)


def _exception(ev: Evaluator, e: ast.ExceptionOp, f: Frame) -> Step:
    p, q = yield _two(ev, e.left, e.right, f)
    events = yield _events(ev, e.events, f)
    return exception(p, events, q)


def _ties(ev: Evaluator, ties: tuple[tuple[ast.Exp, ast.Exp], ...],
          stmts: tuple[ast.Stmt, ...], f: Frame) -> Step:
    """The event pairs of a renaming or link, channel-level pairs extended field by field."""
    def body(frame: Frame) -> Step:
        pairs: list[tuple[Event, Event]] = []
        for a, b in ties:
            va = yield ev.ev(a, frame)
            vb = yield ev.ev(b, frame)
            try:
                exts = extensions(ev, va)
            except DotError as err:
                raise ev.error(str(err), a) from err
            for x in exts:
                pairs.append((as_event(ev, ev.dot(va, x, a), a),
                              as_event(ev, ev.dot(vb, x, b), b)))
        return pairs

    if stmts:
        groups = yield ev.each_binding(stmts, f, body)
    else:
        groups = [(yield body(f))]
    return [pair for g in groups for pair in g]


def _link_par(ev: Evaluator, e: ast.LinkPar, f: Frame) -> Step:
    p, q = yield _two(ev, e.left, e.right, f)
    pairs = yield _ties(ev, e.ties, e.stmts, f)
    return link(p, pairs, q)


def _rename(ev: Evaluator, e: ast.Rename, f: Frame) -> Step:
    p = yield ev.ev(e.proc, f)
    pairs = yield _ties(ev, e.pairs, e.stmts, f)
    return rename(as_process(ev, p, e.proc), pairs)


# -- replicated operators -----------------------------------------------------------------


def _bodies(ev: Evaluator, stmts: tuple[ast.Stmt, ...], body: ast.Exp, f: Frame) -> Step:
    def one(frame: Frame) -> Step:
        p = yield ev.ev(body, frame)
        return as_process(ev, p, body)

    procs: list[Proc] = yield ev.each_binding(stmts, f, one)
    return procs


def _replicated(ev: Evaluator, e: ast.Replicated, f: Frame) -> Step:
    ps = yield _bodies(ev, e.stmts, e.body, f)
    return combine_replicated(ev, e, ps)


def combine_replicated(ev: Evaluator, e: ast.Replicated, ps: list[Proc]) -> Proc:
    """The process ``op stmts @ P`` stands for, given the processes of its bindings."""
    section = section_at(ev, e)
    if section is not None and e.op is not ast.RepOp.INT_CHOICE:
        tock = tock_of(ev, section, e)
        if e.op is ast.RepOp.EXT_CHOICE:
            return sync_fold(ev, section, ps, frozenset({tock}), e)
        if e.op is ast.RepOp.INTERLEAVE:
            return par_all({tock}, ps) if ps else stop_at(ev, e)
        return seq_all(ps) if ps else tskip(ev, tock)
    if e.op is ast.RepOp.EXT_CHOICE:
        return ext_choice(*ps)
    if e.op is ast.RepOp.INT_CHOICE:
        if not ps:
            raise ev.error("replicated internal choice over an empty set", e)
        return int_choice(*ps)
    if e.op is ast.RepOp.INTERLEAVE:
        return interleave(*ps)
    return seq_all(ps)


def _rep_gen_par(ev: Evaluator, e: ast.RepGenPar, f: Frame) -> Step:
    sync = yield _events(ev, e.sync, f)
    ps = yield _bodies(ev, e.stmts, e.body, f)
    if section_at(ev, e) is not None and not ps:
        return stop_at(ev, e)
    return par_all(with_tock(ev, e, sync), ps)


def _rep_alpha_par(ev: Evaluator, e: ast.RepAlphaPar, f: Frame) -> Step:
    def one(frame: Frame) -> Step:
        alpha = yield _events(ev, e.alphabet, frame)
        p = yield ev.ev(e.body, frame)
        return with_tock(ev, e, alpha), as_process(ev, p, e.body)

    components = yield ev.each_binding(e.stmts, f, one)
    if section_at(ev, e) is not None and not components:
        return stop_at(ev, e)
    return apar_all(components)


def _rep_link_par(ev: Evaluator, e: ast.RepLinkPar, f: Frame) -> Step:
    def one(frame: Frame) -> Step:
        pairs = yield _ties(ev, e.ties, e.tie_stmts, frame)
        p = yield ev.ev(e.body, frame)
        return pairs, as_process(ev, p, e.body)

    parts = yield ev.each_binding(e.stmts, f, one)
    if not parts:
        raise ev.error("replicated linked parallel over an empty sequence", e)
    out: Proc = parts[-1][1]
    for pairs, p in reversed(parts[:-1]):
        out = link(p, pairs, out)
    return out


def _sync_ext(ev: Evaluator, e: ast.SyncExtChoice, f: Frame) -> Step:
    p, q = yield _two(ev, e.left, e.right, f)
    events = yield _events(ev, e.events, f)
    return sync_ext_choice(p, with_tock(ev, e, events), q)


def _sync_interrupt(ev: Evaluator, e: ast.SyncInterrupt, f: Frame) -> Step:
    p, q = yield _two(ev, e.left, e.right, f)
    events = yield _events(ev, e.events, f)
    return sync_interrupt(p, with_tock(ev, e, events), q)


def _rep_sync_ext(ev: Evaluator, e: ast.RepSyncExtChoice, f: Frame) -> Step:
    events = yield _events(ev, e.events, f)
    ps = yield _bodies(ev, e.stmts, e.body, f)
    section = section_at(ev, e)
    if section is not None:
        return sync_fold(ev, section, ps, with_tock(ev, e, events), e)
    if not ps:
        return STOP
    out: Proc = ps[-1]
    for p in reversed(ps[:-1]):
        out = sync_ext_choice(p, events, out)
    return out
