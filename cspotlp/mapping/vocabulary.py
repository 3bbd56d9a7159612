"""The span vocabulary of docs/theory.md and well-formedness of traces over it.

A CSP trace over the span alphabet is a sequence of four kinds of event::

    begin(s, p, n, a)   span s starts, parent p (None for a root), name n, payload a
    end(s, st)          span s ends with status st
    mark(s, n, a)       an OTLP span event named n on span s
    link(s, t, a)       span s links to the span context t

Well formed (WF): (W1) each span begins at most once; (W2) ``end(s)`` at most once and only after
``begin(s)``; (W3) a child begins only while its parent is open (begun, not ended); (W4) marks and
links of s occur only while s is open. Children may end after their parent.
"""

from __future__ import annotations

from collections.abc import Container, Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import TypeAlias

SpanId: TypeAlias = int | str
"""A span identifier. Within one trace all ids have the same type (int or str)."""


@dataclass(frozen=True, slots=True)
class Begin:
    """``begin(s, p, n, a)``: span ``span`` starts under ``parent`` (None for a root)."""

    span: SpanId
    parent: SpanId | None
    name: str
    payload: Hashable = None


@dataclass(frozen=True, slots=True)
class End:
    """``end(s, st)``: span ``span`` ends with ``status``."""

    span: SpanId
    status: Hashable = None


@dataclass(frozen=True, slots=True)
class Mark:
    """``mark(s, n, a)``: an OTLP span event named ``name`` on span ``span``."""

    span: SpanId
    name: str
    payload: Hashable = None


@dataclass(frozen=True, slots=True)
class Link:
    """``link(s, t, a)``: span ``span`` links to the span context ``target``."""

    span: SpanId
    target: Hashable
    payload: Hashable = None


SpanEvent: TypeAlias = Begin | End | Mark | Link
Trace: TypeAlias = tuple[SpanEvent, ...]


def id_key(span: SpanId) -> tuple[int, int | str]:
    """A total order on span ids that never compares an int with a str."""
    return (0, span) if isinstance(span, int) else (1, span)


def wf_violation(trace: Iterable[SpanEvent]) -> tuple[int, str] | None:
    """The first place where ``trace`` breaks WF, as (0-based index, reason), or None if WF.

    >>> wf_violation([Begin(1, None, "a"), End(1), End(1)])
    (2, 'W2: span 1 ends twice')
    """
    begun: set[SpanId] = set()
    ended: set[SpanId] = set()
    for index, ev in enumerate(trace):
        s = ev.span
        if isinstance(ev, Begin):
            if s in begun:
                return index, f"W1: span {s!r} begins twice"
            p = ev.parent
            if p is not None and (p not in begun or p in ended):
                state = "has ended" if p in ended else "has not begun"
                return index, f"W3: span {s!r} begins while its parent {p!r} {state}"
            begun.add(s)
        elif isinstance(ev, End):
            if s not in begun:
                return index, f"W2: span {s!r} ends before it begins"
            if s in ended:
                return index, f"W2: span {s!r} ends twice"
            ended.add(s)
        else:
            what = "mark" if isinstance(ev, Mark) else "link"
            if s not in begun or s in ended:
                state = "has ended" if s in ended else "has not begun"
                return index, f"W4: {what} on span {s!r}, which {state}"
    return None


def is_wf(trace: Iterable[SpanEvent]) -> bool:
    """True when ``trace`` satisfies W1–W4."""
    return wf_violation(trace) is None


def is_complete(trace: Sequence[SpanEvent]) -> bool:
    """True when every span begun in ``trace`` has ended."""
    begun = {ev.span for ev in trace if isinstance(ev, Begin)}
    ended = {ev.span for ev in trace if isinstance(ev, End)}
    return begun <= ended


def is_strictly_nested(trace: Sequence[SpanEvent]) -> bool:
    """True when ``trace`` is WF and every child ends before its parent ends (no async work)."""
    if not is_wf(trace):
        return False
    parent_of = {ev.span: ev.parent for ev in trace if isinstance(ev, Begin)}
    open_children: dict[SpanId, int] = {}
    for ev in trace:
        if isinstance(ev, Begin) and ev.parent is not None:
            open_children[ev.parent] = open_children.get(ev.parent, 0) + 1
        elif isinstance(ev, End):
            if open_children.get(ev.span, 0) > 0:
                return False
            p = parent_of.get(ev.span)
            if p is not None:
                open_children[p] -= 1
    return True


def spans_of(trace: Iterable[SpanEvent]) -> frozenset[SpanId]:
    """The ids of every span that an event of ``trace`` is about (for a WF trace: those begun)."""
    return frozenset(ev.span for ev in trace)


def restrict_trace(trace: Iterable[SpanEvent], spans: Container[SpanId]) -> Trace:
    """t↾A: the events of ``trace`` about spans in ``spans``, in their order.

    If ``trace`` is WF and ``spans`` contains the parent of each of its members (it is closed
    upwards), the result is WF. For an interleaving ``u`` of traces with disjoint span ids,
    ``restrict_trace(u, spans_of(t1)) == t1``.

    >>> restrict_trace([Begin(1, None, "a"), Begin(2, None, "b"), End(1)], {1})
    (Begin(span=1, parent=None, name='a', payload=None), End(span=1, status=None))
    """
    return tuple(ev for ev in trace if ev.span in spans)
