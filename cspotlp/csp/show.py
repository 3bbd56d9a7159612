"""CSPm-style text of process terms, produced iteratively (terms may be 10^5 deep).

Binary and n-ary operators are parenthesised unless they are the whole term, so the text is
unambiguous without a precedence table; prefix chains print flat: ``a -> b -> STOP``.
"""

from __future__ import annotations

from typing import cast

from cspotlp.csp.events import Event, show_event_set
from cspotlp.csp.terms import (
    Op,
    Proc,
    alphabets_of,
    call_parts,
    event_set_of,
    levels_of,
    order_of,
    relation_of,
)
from cspotlp.csp.values import show_value

_INFIX = {
    Op.EXT: " [] ",
    Op.INT: " |~| ",
    Op.SEQ: " ; ",
    Op.ILEAVE: " ||| ",
    Op.INTERRUPT: " /\\ ",
    Op.TIMEOUT: " [> ",
}


def _pairs(rel: frozenset[tuple[Event, Event]], arrow: str) -> str:
    items = sorted(rel, key=lambda ab: (ab[0].sort_key(), ab[1].sort_key()))
    return ", ".join(f"{a} {arrow} {b}" for a, b in items)


def _call_text(p: Proc) -> str:
    name, args = call_parts(p)
    return f"{name}({', '.join(show_value(a) for a in args)})" if args else str(name)


def show(p: Proc, max_chars: int | None = None) -> str:
    """The term as CSPm-style text; with ``max_chars``, cut short and ended with ``...``."""
    out: list[str] = []
    size = 0
    work: list[Proc | str] = [p]
    top = True
    while work:
        item = work.pop()
        if isinstance(item, str):
            out.append(item)
            size += len(item)
        else:
            pieces = _pieces(item, top)
            top = False
            work.extend(reversed(pieces))
        if max_chars is not None and size > max_chars:
            return "".join(out)[:max_chars] + "..."
    return "".join(out)


def _pieces(p: Proc, top: bool) -> list[Proc | str]:
    op = p.op
    lp, rp = ("", "") if top else ("(", ")")
    if op in (Op.STOP, Op.SKIP, Op.DIV, Op.OMEGA):
        return [op.value]
    if op in (Op.RUN, Op.CHAOS):
        return [f"{op.value}({show_event_set(event_set_of(p))})"]
    if op is Op.PREFIX:
        child = p.args[0]
        if child.op in (Op.PREFIX, Op.STOP, Op.SKIP, Op.DIV, Op.CALL, Op.RUN, Op.CHAOS):
            return [f"{p.payload} -> ", child]
        return [f"{p.payload} -> (", child, ")"]
    if op in _INFIX:
        pieces: list[Proc | str] = [lp]
        for i, a in enumerate(p.args):
            if i:
                pieces.append(_INFIX[op])
            pieces.append(a)
        pieces.append(rp)
        return pieces
    if op is Op.PAR:
        return [lp, p.args[0], f" [| {show_event_set(event_set_of(p))} |] ", p.args[1], rp]
    if op is Op.APAR:
        left, right = alphabets_of(p)
        middle = f" [{show_event_set(left)} || {show_event_set(right)}] "
        return [lp, p.args[0], middle, p.args[1], rp]
    if op is Op.HIDE:
        return [lp, p.args[0], f" \\ {show_event_set(event_set_of(p))}", rp]
    if op is Op.RENAME:
        return ["(", p.args[0], f")[[{_pairs(relation_of(p), '<-')}]]"]
    if op is Op.EXCEPT:
        return [lp, p.args[0], f" [| {show_event_set(event_set_of(p))} |> ", p.args[1], rp]
    if op is Op.LINK:
        return [lp, p.args[0], f" [{_pairs(relation_of(p), '<->')}] ", p.args[1], rp]
    if op is Op.CALL:
        return [_call_text(p)]
    if op is Op.COMPRESS:
        return [f"{p.payload}(", p.args[0], ")"]
    if op is Op.PRIORITISE:
        levels = ", ".join(show_event_set(a) for a in levels_of(p))
        return ["prioritise(", p.args[0], f", <{levels}>)"]
    if op is Op.SYNC_EXT:
        return [lp, p.args[0], f" [+{show_event_set(event_set_of(p))}+] ", p.args[1], rp]
    if op is Op.SYNC_INTERRUPT:
        return [lp, p.args[0], f" /+{show_event_set(event_set_of(p))}+\\ ", p.args[1], rp]
    if op is Op.PRIORITISE_PO:
        pairs = ", ".join(f"({a}, {b})" for a, b in sorted(
            order_of(p), key=lambda ab: (ab[0].sort_key(), ab[1].sort_key())))
        return ["prioritisepo(", p.args[0], f", {{{pairs}}})"]
    if op is Op.EXPLICIT:
        graph, state = cast(tuple[object, int], p.payload)
        label = getattr(graph, "name", "lts")
        return [f"{label}#{state}"]
    raise AssertionError(f"no printer for {op}")
