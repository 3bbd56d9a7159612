"""Print a process and every named process it reaches, the way libcspm prints ``procTest`` s.

The output is one equation ``name = body`` per named process (a :func:`~cspotlp.csp.call`)
reachable from the root through process bodies, in the reverse of the order a depth-first
search discovers them, separated by blank lines, followed by the root itself::

    P = STOP [| {a.0, a.1} |> STOP

    procTest1 = P

    procTest1

Bodies are written with libcspm's operator precedences; external choices are flattened and
their ``STOP`` branches dropped (libcspm's ``STOP`` is the empty external choice). tock-CSP's
``STOP(tock)`` is, like ``STOP``, not listed as an equation of its own. An equation
longer than libcspm's ribbon (66 characters) puts its body on the next line, indented by four.
Long bodies are not broken further (libcspm would also break inside them).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from cspotlp.csp.environment import Environment
from cspotlp.csp.events import Event, sort_events
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
from cspotlp.cspm.timed import is_tstop
from cspotlp.cspm.values import show

RIBBON = 66
"""Longest equation libcspm prints on one line (100 columns at 1.5 ribbons: 66 characters)."""

BODY_WIDTH = 73
"""Longest body libcspm prints on one line below its name; a longer chain of ``[]`` (or
another binary operator) gets one operand per line (as libcspm's pretty-printer does)."""

_NAMED_BUILTINS = frozenset({Op.SKIP, Op.DIV, Op.RUN, Op.CHAOS})
"""Built-in processes libcspm lists as equations of their own (``SKIP = ✓ -> STOP``)."""

_CHAINS = {Op.EXT: " [] ", Op.INT: " |~| ", Op.ILEAVE: " ||| ", Op.SEQ: " ; ",
           Op.INTERRUPT: " /\\ ", Op.TIMEOUT: " [> "}

_PRECEDENCE = {
    Op.HIDE: 10, Op.ILEAVE: 9, Op.EXCEPT: 8, Op.APAR: 8, Op.PAR: 8, Op.LINK: 8, Op.INT: 7,
    Op.EXT: 6, Op.SYNC_EXT: 6, Op.INTERRUPT: 5, Op.SYNC_INTERRUPT: 5, Op.TIMEOUT: 4,
    Op.SEQ: 3, Op.PREFIX: 2, Op.RENAME: 1,
}


def _prec(p: Proc) -> int:
    if p.op is Op.EXT and not _ext_items(p):
        return 0
    return _PRECEDENCE.get(p.op, 0)


def _ext_items(p: Proc) -> list[Proc]:
    """The operands of nested external choices, without STOP (libcspm's flattening)."""
    out: list[Proc] = []
    stack = [p]
    while stack:
        q = stack.pop()
        if q.op is Op.EXT:
            stack.extend(reversed(q.args))
        elif q.op is not Op.STOP:
            out.append(q)
    return out


def _int_items(p: Proc) -> list[Proc]:
    out: list[Proc] = []
    stack = [p]
    while stack:
        q = stack.pop()
        if q.op is Op.INT:
            stack.extend(reversed(q.args))
        else:
            out.append(q)
    return out


def event_set_text(events: frozenset[Event]) -> str:
    """``{a.0, a.1}``."""
    return "{" + ", ".join(show(e) for e in sort_events(events)) + "}"


def _pairs(rel: frozenset[tuple[Event, Event]], arrow: str) -> str:
    items = sorted(rel, key=lambda ab: (ab[0].sort_key(), ab[1].sort_key()))
    return ", ".join(f"{show(a)} {arrow} {show(b)}" for a, b in items)


def process_name(p: Proc) -> str:
    """The display name of a call: ``Round({1, 2})``, ``P``."""
    name, args = call_parts(p)
    return f"{name}({', '.join(show(a) for a in args)})" if args else name


def inline_call(p: Proc) -> bool:
    """Whether ``p`` applies an FDR process operator that libcspm prints in place.

    ``failure_watchdog(P, A, e)``, ``prioritise_nocache(P, <A>)``: never an equation.
    """
    from cspotlp.cspm.builtin_functions import INLINE_CALLS

    return p.op is Op.CALL and call_parts(p)[0] in INLINE_CALLS


def _process_args(p: Proc) -> list[Proc]:
    return [a for a in call_parts(p)[1] if isinstance(a, Proc)]


def show_process(p: Proc) -> str:
    """One line of libcspm-style text for a process body (iterative: any depth)."""
    out: list[str] = []
    work: list[Proc | str] = [p]
    while work:
        item = work.pop()
        if isinstance(item, str):
            out.append(item)
            continue
        pieces = _pieces(item)
        work.extend(reversed(pieces))
    return "".join(out)


def _wrap(child: Proc, limit: int) -> list[Proc | str]:
    if _prec(child) > limit:
        return ["(", child, ")"]
    return [child]


def _joined(items: list[Proc], sep: str, limit: int) -> list[Proc | str]:
    out: list[Proc | str] = []
    for i, q in enumerate(items):
        if i:
            out.append(sep)
        out.extend(_wrap(q, limit))
    return out


def _pieces(p: Proc) -> list[Proc | str]:  # noqa: C901 - one case per operator
    op = p.op
    own = _prec(p)
    if inline_call(p):
        name, args = call_parts(p)
        out: list[Proc | str] = [f"{name}("]
        for i, a in enumerate(args):
            out.extend([", "] if i else [])
            out.append(a if isinstance(a, Proc) else show(a))
        return [*out, ")"]
    if op is Op.CALL:
        return [process_name(p)]
    if op in (Op.STOP, Op.SKIP, Op.DIV, Op.OMEGA):
        return [op.value]
    if op in (Op.RUN, Op.CHAOS):
        return [f"{op.value}({event_set_text(event_set_of(p))})"]
    if op is Op.PREFIX:
        return [f"{show(prefix_event(p))} -> ", *_wrap(p.args[0], own)]
    if op is Op.EXT:
        items = _ext_items(p)
        return _joined(items, " [] ", own) if items else ["STOP"]
    if op is Op.INT:
        return _joined(_int_items(p), " |~| ", own)
    if op is Op.ILEAVE:
        return _joined(list(p.args), " ||| ", own)
    if op is Op.SEQ:
        return _joined(list(p.args), " ; ", own)
    if op is Op.INTERRUPT:
        return _joined(list(p.args), " /\\ ", own)
    if op is Op.TIMEOUT:
        return _joined(list(p.args), " [> ", own)
    left, right = (p.args[0], p.args[1]) if len(p.args) == 2 else (p.args[0], p.args[0])
    if op is Op.PAR:
        mid = f" [| {event_set_text(event_set_of(p))} |] "
        return [*_wrap(left, own), mid, *_wrap(right, own)]
    if op is Op.APAR:
        a, b = alphabets_of(p)
        mid = f" [{event_set_text(a)} || {event_set_text(b)}] "
        return [*_wrap(left, own), mid, *_wrap(right, own)]
    if op is Op.EXCEPT:
        mid = f" [| {event_set_text(event_set_of(p))} |> "
        return [*_wrap(left, own), mid, *_wrap(right, own)]
    if op is Op.LINK:
        mid = f" [{_pairs(relation_of(p), '<->')}] "
        return [*_wrap(left, own), mid, *_wrap(right, own)]
    if op is Op.SYNC_EXT:
        mid = f" [+{event_set_text(event_set_of(p))}+] "
        return [*_wrap(left, own), mid, *_wrap(right, own)]
    if op is Op.SYNC_INTERRUPT:
        mid = f" /+ {event_set_text(event_set_of(p))} +\\ "
        return [*_wrap(left, own), mid, *_wrap(right, own)]
    if op is Op.PRIORITISE_PO:
        pairs = ", ".join(f"({show(a)}, {show(b)})" for a, b in sorted(
            order_of(p), key=lambda ab: (ab[0].sort_key(), ab[1].sort_key())))
        return ["prioritisepo(", left, f", {{{pairs}}})"]
    if op is Op.HIDE:
        if not event_set_of(p):
            return [left]  # libcspm prints P \\ {} as P (the same process)
        return [*_wrap(left, own), f" \\ {event_set_text(event_set_of(p))}"]
    if op is Op.RENAME:
        return [*_wrap(left, own), f"[[{_pairs(relation_of(p), '<-')}]]"]
    if op is Op.COMPRESS:
        return [f"{p.payload}(", left, ")"]
    if op is Op.PRIORITISE:
        levels = ", ".join(event_set_text(a) for a in levels_of(p))
        return ["prioritise(", left, f", <{levels}>)"]
    return [str(p)]


def _calls_in(body: Proc) -> Iterator[Proc]:
    """The calls a body refers to, left to right (not looking through the calls)."""
    stack = [body]
    seen: set[Proc] = set()
    while stack:
        q = stack.pop()
        if q in seen:
            continue
        seen.add(q)
        if is_tstop(q):
            continue
        if inline_call(q):
            stack.extend(reversed(_process_args(q)))
        elif q.op is Op.CALL or q.op in _NAMED_BUILTINS:
            yield q
        else:
            stack.extend(reversed(q.args))


def builtin_process(p: Proc) -> bool:
    """Whether a call names a built-in process without a CSPm body (``BUFFER(...)``)."""
    from cspotlp.cspm.builtin_functions import BUILTIN_PROCESSES

    return p.op is Op.CALL and call_parts(p)[0] in BUILTIN_PROCESSES


def named_processes(root: Proc, env: Environment,
                    opaque: Callable[[Proc], bool] = builtin_process) -> list[Proc]:
    """The calls reachable from ``root``, in depth-first discovery order.

    ``opaque`` calls are listed but not expanded (by default the built-in processes, which
    have no CSPm body: libcspm prints ``BUFFER(...) = BUFFER(...)``).
    """
    order: list[Proc] = []
    seen: set[Proc] = set()

    def children(q: Proc) -> Iterator[Proc]:
        if q.op in _NAMED_BUILTINS:
            return iter(())
        if q.op is Op.CALL:
            if opaque(q):
                return iter(())
            return _calls_in(env.unfold(q))
        return _calls_in(q)

    start = [root] if root.op is Op.CALL or root.op in _NAMED_BUILTINS else []
    stack: list[Iterator[Proc]] = [iter(start) if start else children(root)]
    while stack:
        nxt = next(stack[-1], None)
        if nxt is None:
            stack.pop()
            continue
        if nxt in seen:
            continue
        seen.add(nxt)
        order.append(nxt)
        stack.append(children(nxt))
    return order


def equation(name: str, body: str, operands: list[str] | None = None) -> str:
    """``name = body`` on one line if it fits libcspm's ribbon, else with the body below.

    ``operands`` (with their operator first, but for the first) are the lines of a body
    too long for one line.
    """
    one = f"{name} = {body}"
    if len(one) <= RIBBON:
        return one
    if operands is not None and len(body) > BODY_WIDTH:
        return f"{name} =\n    " + "\n    ".join(operands)
    return f"{name} =\n    {body}"


def _operands(p: Proc) -> list[str] | None:
    """The lines of a binary-operator chain laid out vertically (None if not a chain)."""
    sep = _CHAINS.get(p.op)
    if sep is None:
        return None
    if p.op is Op.EXT:
        items = _ext_items(p)
    elif p.op is Op.INT:
        items = _int_items(p)
    else:
        items = list(p.args)
    if len(items) < 2:
        return None
    own = _prec(p)
    texts = ["".join(show_process(x) if isinstance(x, Proc) else x for x in _wrap(q, own))
             for q in items]
    return [texts[0], *(sep.strip() + " " + t for t in texts[1:])]


def _builtin_equation(q: Proc) -> str:
    """``SKIP = ✓ -> STOP``, ``DIV = DIV``, ``RUN({a}) = RUN({a})``."""
    name = show_process(q)
    return f"{name} = ✓ -> STOP" if q.op is Op.SKIP else f"{name} = {name}"


def print_process_graph(root: Proc, env: Environment,
                        opaque: Callable[[Proc], bool] = builtin_process) -> str:
    """Libcspm's ``procTest`` output for ``root`` (see the module docstring)."""
    chunks: list[str] = []
    for q in reversed(named_processes(root, env, opaque)):
        if q.op in _NAMED_BUILTINS:
            chunks.append(_builtin_equation(q))
            continue
        name = process_name(q)
        if opaque(q):
            chunks.append(equation(name, name))
            continue
        unfolded = env.unfold(q)
        chunks.append(equation(name, show_process(unfolded), _operands(unfolded)))
    chunks.append(show_process(root))
    return "\n\n".join(chunks) + "\n"
