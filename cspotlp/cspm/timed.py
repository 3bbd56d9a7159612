r"""Timed CSP (tock-CSP): the processes of ``Timed`` sections, translated as FDR4 does.

Inside ``Timed (et) { ... }`` time passes by the event ``tock`` (the channel of that name in
scope at the section), and ``et`` maps each event to the number of ``tock`` s that follow it
(one each when the section names no function). Whether an expression is timed is lexical: a
function defined in a section is timed wherever it is called, and one defined outside is not.
The translation is libcspm's (FDR4's front end), construct by construct:

=============================  ==============================================================
written in a section           becomes
=============================  ==============================================================
``e -> P``                     ``μX. tock -> X [] e -> tock^et(e) -> P`` (each event of an
                               input prefix gets its own tocks); named ``P::iN`` after the
                               process it is in, as FDR names it
``STOP``, ``TSTOP``            ``STOP(tock) = tock -> STOP(tock)``
``SKIP``, ``TSKIP``            ``SKIP(tock) = tock -> SKIP(tock) [] SKIP``
``WAIT(n)``                    ``WAIT(tock)(n) = tock -> ... -> tock -> SKIP(tock)`` (n tocks)
``P [] Q``                     ``P [+{tock}+] Q`` (time passes in both; the first other event
                               decides); ``STOP(tock)`` operands are dropped, and a choice of
                               nothing is ``STOP(tock)``
``P ||| Q``                    ``P [| {tock} |] Q``
``P /\ Q``                     ``P /+ {tock} +\ Q``
``[| A |]``, ``[A || B]``,     ``tock`` joins every synchronisation set and alphabet
``[+ A +]``, ``/+ A +\``
``b & P``                      ``P`` if b, else ``STOP(tock)``
replicated ``[]``, ``|||``,    as the binary forms; over nothing ``STOP(tock)`` (``;`` over
``[| A |]``, ``||``, ``[+A+]`` nothing: ``SKIP(tock)``)
``timed_priority(P)``          ``prioritise(P, <{}, {tock}>)``: τ and ✓ pre-empt ``tock``
                               (maximal progress)
=============================  ==============================================================

Everything else (hiding, renaming, ``;``, ``|~|``, ``[>``, ``[| A |>``, linked parallel) is
unchanged: in particular ``P \ A`` does not by itself give maximal progress; apply
``timed_priority`` or check with ``:[tau priority]: {tock}``, as FDR's users do.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cspotlp.csp.events import Event
from cspotlp.csp.terms import (
    SKIP,
    STOP,
    Op,
    Proc,
    call,
    call_parts,
    ext_choice,
    prefix,
    prefix_event,
    prioritise,
    sync_ext_choice,
)
from cspotlp.cspm import ast
from cspotlp.cspm.functions import Curried, FunctionValue
from cspotlp.cspm.runtime import Frame, Step
from cspotlp.cspm.traverse import children
from cspotlp.cspm.values import show

if TYPE_CHECKING:
    from cspotlp.cspm.evaluate import Evaluator

__all__ = ["TIMED_BUILTINS", "TimedRegions", "is_tstop", "timed_regions"]

TIMED_BUILTINS = frozenset({"STOP", "SKIP", "WAIT", "TSTOP", "TSKIP", "timed_priority"})
"""Built-in names whose meaning changes inside a ``Timed`` section."""


@dataclass
class TimedRegions:
    """Where a script's ``Timed`` sections are.

    Attributes:
        section: every node lexically inside a section, with its innermost section (the
            timing function of a section is not inside it: FDR evaluates it outside).
        prefix_number: each prefix inside a section, numbered in source order (its process
            is named ``P::i1``, ``P::i2``... after the process ``P`` it is written in).
    """

    section: dict[ast.Node, ast.TimedSection] = field(default_factory=dict)
    prefix_number: dict[ast.Node, int] = field(default_factory=dict)


def timed_regions(script: ast.Script) -> TimedRegions:
    """The ``Timed`` sections of a script (see :class:`TimedRegions`)."""
    out = TimedRegions()
    if not any("Timed" in text for _file, text in script.sources):
        return out
    stack: list[tuple[ast.Node, ast.TimedSection | None]] = [(script, None)]
    while stack:
        node, section = stack.pop()
        if section is not None:
            out.section[node] = section
            if isinstance(node, ast.Prefix):
                out.prefix_number[node] = len(out.prefix_number) + 1
        if isinstance(node, ast.TimedSection):
            stack.extend((d, node) for d in reversed(node.decls))
            if node.function is not None:
                stack.append((node.function, section))
            continue
        stack.extend((kid, section) for kid in reversed(children(node)))
    return out


def is_tstop(p: Proc) -> bool:
    """Whether ``p`` is tock-CSP's ``STOP(tock)`` (libcspm prints it like ``STOP``)."""
    return p.op is Op.CALL and call_parts(p)[0].startswith("STOP(")


# -- the timed built-in processes ---------------------------------------------------------


def _builtin_process(ev: Evaluator, name: str, body: Any) -> None:
    if name not in ev.env.definitions:
        ev.env.definitions[name] = body


def tstop(ev: Evaluator, tock: Event) -> Proc:
    """``STOP(tock) = tock -> STOP(tock)``: lets time pass, and nothing else."""
    name = f"STOP({show(tock)})"
    me = call(name)
    _builtin_process(ev, name, lambda: prefix(tock, me))
    return me


def tskip(ev: Evaluator, tock: Event) -> Proc:
    """``SKIP(tock) = tock -> SKIP(tock) [] SKIP``: may terminate at any time."""
    name = f"SKIP({show(tock)})"
    me = call(name)
    _builtin_process(ev, name, lambda: ext_choice(prefix(tock, me), SKIP))
    return me


def wait(ev: Evaluator, tock: Event, n: int, node: ast.Node) -> Proc:
    """``WAIT(tock)(n)``: n tocks, then ``SKIP(tock)``."""
    if not isinstance(n, int) or isinstance(n, bool) or n < 0:
        raise ev.error(f"WAIT needs a number of tocks at least 0, not {show(n)}", node)
    name = f"WAIT({show(tock)})"

    def body(count: int) -> Proc:
        return tocks(tock, count, tskip(ev, tock))

    _builtin_process(ev, name, body)
    return call(name, n)


def tocks(tock: Event, n: int, p: Proc) -> Proc:
    """``tock -> ... -> tock -> p`` (n tocks)."""
    for _ in range(n):
        p = prefix(tock, p)
    return p


def timed_builtin(ev: Evaluator, section: ast.TimedSection, name: str, node: ast.Node) -> Any:
    """The value of a built-in name written inside ``section``."""
    tock = tock_of(ev, section, node)
    if name in ("STOP", "TSTOP"):
        return tstop(ev, tock)
    if name in ("SKIP", "TSKIP"):
        return tskip(ev, tock)
    if name == "WAIT":
        return Curried("WAIT", (tock,), lambda ev2, a, n: wait(ev2, tock, a[0], n))

    def prioritised(ev2: Evaluator, a: tuple[Any, ...], n: ast.Node) -> Proc:
        from cspotlp.cspm.processes import as_process

        return prioritise(as_process(ev2, a[0], n), [frozenset(), frozenset({tock})])

    return Curried("timed_priority", (tock,), prioritised)


# -- what the sections change ------------------------------------------------------------------


def tock_of(ev: Evaluator, section: ast.TimedSection, node: ast.Node) -> Event:
    """The ``tock`` event of a section (the channel ``tock`` in scope there)."""
    found = ev.tocks.get(section)
    if found is None:
        b = ev.refs[section]
        value = ev.run(ev.lookup(b, ev.globals, section), node)
        if not isinstance(value, Event):
            raise ev.error(f"tock must be an event, not {show(value)}", section)
        found = ev.tocks[section] = value
    return found


def section_at(ev: Evaluator, node: ast.Node) -> ast.TimedSection | None:
    """The ``Timed`` section ``node`` is written in, if any."""
    return ev.timing.section.get(node) if ev.timing.section else None


def stop_at(ev: Evaluator, node: ast.Node) -> Proc:
    """``STOP``, or ``STOP(tock)`` inside a section."""
    section = section_at(ev, node)
    return STOP if section is None else tstop(ev, tock_of(ev, section, node))


def with_tock(ev: Evaluator, node: ast.Node, events: frozenset[Event]) -> frozenset[Event]:
    """A synchronisation set or alphabet, with ``tock`` added inside a section."""
    section = section_at(ev, node)
    return events if section is None else events | {tock_of(ev, section, node)}


def tocks_after(ev: Evaluator, section: ast.TimedSection, event: Event, f: Frame,
                node: ast.Node) -> Step:
    """How many tocks follow ``event`` (the section's timing function, or 1)."""
    if section.function is None:
        return 1
    fn = yield ev.ev(section.function, f)
    if not isinstance(fn, FunctionValue):  # pragma: no cover - the type checker ensures it
        raise ev.error(f"{show(fn)} is not a function", section.function)
    n = yield fn.apply(ev, (event,), node)
    if not isinstance(n, int) or isinstance(n, bool) or n < 0:
        raise ev.error(f"the timing function of the Timed section gives {show(n)} for "
                       f"{show(event)}: it must be a number of tocks, at least 0", node)
    return n


def _branches(p: Proc) -> Iterator[Proc]:
    """The prefixes a (plain) prefix expression evaluated to: one, or a choice of several."""
    stack = [p]
    while stack:
        q = stack.pop()
        if q.op is Op.EXT:
            stack.extend(reversed(q.args))
        elif q.op is not Op.STOP:
            yield q


def timed_prefix(ev: Evaluator, section: ast.TimedSection, e: ast.Prefix, f: Frame,
                 plain: Proc) -> Step:
    """``μX. tock -> X [] (each branch of plain, its event followed by its tocks)``."""
    tock = tock_of(ev, section, e)
    branches: list[Proc] = []
    for branch in _branches(plain):
        if branch.op is not Op.PREFIX:  # pragma: no cover - a prefix evaluates to prefixes
            branches.append(branch)
            continue
        event = prefix_event(branch)
        n = yield tocks_after(ev, section, event, f, e)
        branches.append(prefix(event, tocks(tock, n, branch.args[0])))
    number = ev.timing.prefix_number[e]
    scope = f.scope.text()
    holder: list[str] = []

    def body() -> Proc:
        return ext_choice(prefix(tock, call(holder[0])), *branches)

    holder.append(ev.claim(f"{scope}::i{number}" if scope else f"i{number}", e, body))
    return call(holder[0])


def choice_operands(e: ast.ProcBinary) -> list[ast.Exp]:
    """The operands of a chain of ``[]`` (``P [] Q [] R``), left to right."""
    out: list[ast.Exp] = []
    stack: list[ast.Exp] = [e]
    while stack:
        cur = stack.pop()
        if isinstance(cur, ast.ProcBinary) and cur.op is ast.ProcOp.EXT_CHOICE:
            stack.append(cur.right)
            stack.append(cur.left)
        else:
            out.append(cur)
    return out


def timed_choice(ev: Evaluator, section: ast.TimedSection, ps: list[Proc],
                 node: ast.Node) -> Proc:
    """``p1 [+{tock}+] p2 ...`` without the operands that are ``STOP`` (as libcspm does)."""
    tock = tock_of(ev, section, node)
    kept = [p for p in ps if not (is_tstop(p) or p.op is Op.STOP)]
    return sync_fold(ev, section, kept, frozenset({tock}), node)


def sync_fold(ev: Evaluator, section: ast.TimedSection, ps: list[Proc],
              events: frozenset[Event], node: ast.Node) -> Proc:
    """``p1 [+A+] (p2 [+A+] ...)``; nothing is ``STOP(tock)``."""
    if not ps:
        return tstop(ev, tock_of(ev, section, node))
    out = ps[-1]
    for p in reversed(ps[:-1]):
        out = sync_ext_choice(p, events, out)
    return out
