"""Process terms: immutable, interned, built only through the functions of this module.

Building the same term twice returns the same object, so equality is identity and hashing is
O(1). Recursion is a :func:`call` by name, resolved through an explicit
:class:`~cspotlp.csp.environment.Environment`, so terms stay acyclic.

Constructors do not simplify (``hide(P, set())`` is not ``P``): the algebraic laws are properties of
the semantics, checked by tests, not identities of the representation.
"""

from __future__ import annotations

import enum
import weakref
from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import Any, cast, final

from cspotlp.csp.events import TAU, TICK, Channel, Event
from cspotlp.csp.values import Value, value_key
from cspotlp.errors import CspError


class Op(enum.Enum):
    """Operators of the process language."""

    STOP = "STOP"
    SKIP = "SKIP"
    DIV = "DIV"
    OMEGA = "Ω"  # the terminated process (after ✓); never written by users
    RUN = "RUN"
    CHAOS = "CHAOS"
    PREFIX = "->"
    EXT = "[]"
    INT = "|~|"
    SEQ = ";"
    PAR = "[| |]"
    APAR = "[ || ]"
    ILEAVE = "|||"
    HIDE = "\\"
    RENAME = "[[ ]]"
    INTERRUPT = "/\\"
    TIMEOUT = "[>"
    EXCEPT = "[| |>"
    LINK = "[ <-> ]"
    CALL = "call"
    COMPRESS = "compress"  # payload: name of a registered compression (normal, sbisim, ...)
    EXPLICIT = "explicit"  # payload: (ExplicitLts, state): a state of a compiled LTS
    PRIORITISE = "prioritise"  # payload: tuple of event sets, highest priority first
    SYNC_EXT = "[+ +]"  # payload: the event set both sides perform together
    SYNC_INTERRUPT = "/+ +\\"  # payload: the event set both sides perform together
    PRIORITISE_PO = "prioritisepo"  # payload: frozenset of (lower, higher) pairs, τ/✓ too


@final
class Proc:
    """An interned process term: operator, child processes and a hashable payload."""

    __slots__ = ("__weakref__", "_hash", "args", "op", "payload")

    op: Op
    args: tuple[Proc, ...]
    payload: Hashable
    _hash: int

    def __hash__(self) -> int:
        return self._hash

    def __repr__(self) -> str:
        from cspotlp.csp.show import show

        return f"Proc({show(self, max_chars=200)})"

    def __str__(self) -> str:
        from cspotlp.csp.show import show

        return show(self)

    def __reduce__(self) -> Any:
        raise TypeError("process terms are interned and cannot be pickled")


_TABLE: weakref.WeakValueDictionary[tuple[object, ...], Proc] = weakref.WeakValueDictionary()


def mk(op: Op, args: tuple[Proc, ...] = (), payload: Hashable = None) -> Proc:
    """The unique term with this operator, children and payload."""
    key = (op, args, payload)
    node = _TABLE.get(key)
    if node is None:
        node = object.__new__(Proc)
        node.op = op
        node.args = args
        node.payload = payload
        node._hash = hash(key)
        _TABLE[key] = node
    return node


STOP: Proc = mk(Op.STOP)
SKIP: Proc = mk(Op.SKIP)
DIV: Proc = mk(Op.DIV)
OMEGA: Proc = mk(Op.OMEGA)
_KEEP = (STOP, SKIP, DIV, OMEGA)


def _event_set(events: Iterable[Event]) -> frozenset[Event]:
    s = frozenset(events)
    for e in s:
        if not isinstance(e, Event) or e is TAU or e is TICK:
            raise CspError(f"{e!r} cannot be in an event set")
    return s


def run(events: Iterable[Event]) -> Proc:
    """``RUN(A)``: always offers every event of A."""
    return mk(Op.RUN, (), _event_set(events))


def chaos(events: Iterable[Event]) -> Proc:
    """``CHAOS(A)``: may do any event of A or refuse anything, never diverges."""
    return mk(Op.CHAOS, (), _event_set(events))


def prefix(ev: Event, p: Proc) -> Proc:
    """``ev -> p``."""
    if not isinstance(ev, Event) or ev is TAU or ev is TICK:
        raise CspError(f"cannot prefix with {ev!r}")
    return mk(Op.PREFIX, (p,), ev)


def prefixes(events: Sequence[Event], p: Proc) -> Proc:
    """``e1 -> e2 -> ... -> p`` built iteratively (no recursion, any length)."""
    for ev in reversed(events):
        p = prefix(ev, p)
    return p


def ext_choice(*ps: Proc) -> Proc:
    """``p1 [] p2 [] ...`` (n-ary; no operands is STOP, one operand is itself)."""
    if not ps:
        return STOP
    return ps[0] if len(ps) == 1 else mk(Op.EXT, tuple(ps))


def int_choice(*ps: Proc) -> Proc:
    """``p1 |~| p2 |~| ...``; an empty internal choice is an error, as in FDR."""
    if not ps:
        raise CspError("internal choice over an empty set")
    return ps[0] if len(ps) == 1 else mk(Op.INT, tuple(ps))


def seq(p: Proc, q: Proc) -> Proc:
    """``p ; q``."""
    return mk(Op.SEQ, (p, q))


def seq_all(ps: Sequence[Proc]) -> Proc:
    """``; x : <...> @ P(x)``: sequential composition of a list (empty is SKIP)."""
    if not ps:
        return SKIP
    out = ps[-1]
    for p in reversed(ps[:-1]):
        out = seq(p, out)
    return out


def par(p: Proc, sync: Iterable[Event], q: Proc) -> Proc:
    """``p [| A |] q``: generalised parallel synchronising on A."""
    return mk(Op.PAR, (p, q), _event_set(sync))


def apar(p: Proc, a: Iterable[Event], b: Iterable[Event], q: Proc) -> Proc:
    """``p [A || B] q``: p restricted to A, q to B, synchronising on A ∩ B."""
    return mk(Op.APAR, (p, q), (_event_set(a), _event_set(b)))


def interleave(*ps: Proc) -> Proc:
    """``p1 ||| p2 ||| ...`` (n-ary; no operands is SKIP)."""
    if not ps:
        return SKIP
    return ps[0] if len(ps) == 1 else mk(Op.ILEAVE, tuple(ps))


def par_all(sync: Iterable[Event], ps: Sequence[Proc]) -> Proc:
    """``[| A |] i : I @ P(i)``, folded to the right; empty is SKIP."""
    a = _event_set(sync)
    if not ps:
        return SKIP
    out = ps[-1]
    for p in reversed(ps[:-1]):
        out = par(p, a, out)
    return out


def apar_all(components: Sequence[tuple[Iterable[Event], Proc]]) -> Proc:
    """``|| i : I @ [A(i)] P(i)`` = P1 [A1 || A2 ∪ ... ∪ An] (...), folded to the right."""
    if not components:
        return SKIP
    alpha = _event_set(components[-1][0])
    out = components[-1][1]
    for a, p in reversed(components[:-1]):
        a_set = _event_set(a)
        out = apar(p, a_set, alpha, out)
        alpha = alpha | a_set
    return out


def hide(p: Proc, events: Iterable[Event]) -> Proc:
    r"""``p \ A``."""
    return mk(Op.HIDE, (p,), _event_set(events))


def rename(p: Proc, pairs: Iterable[tuple[Event, Event]]) -> Proc:
    """``p [[a <- b, ...]]``: relational renaming (an event may map to several)."""
    rel = frozenset(pairs)
    for a, b in rel:
        _event_set((a, b))
    return mk(Op.RENAME, (p,), rel)


def interrupt(p: Proc, q: Proc) -> Proc:
    r"""``p /\ q``: q may take over at any time by a visible event."""
    return mk(Op.INTERRUPT, (p, q))


def timeout(p: Proc, q: Proc) -> Proc:
    """``p [> q``: sliding choice; p may be silently abandoned for q."""
    return mk(Op.TIMEOUT, (p, q))


def exception(p: Proc, events: Iterable[Event], q: Proc) -> Proc:
    """``p [| A |> q``: when p does an event of A, control passes to q."""
    return mk(Op.EXCEPT, (p, q), _event_set(events))


def link(p: Proc, pairs: Iterable[tuple[Event, Event]], q: Proc) -> Proc:
    """``p [a <-> b, ...] q``: p's a synchronises with q's b and is hidden."""
    rel = frozenset(pairs)
    for a, b in rel:
        _event_set((a, b))
    return mk(Op.LINK, (p, q), rel)


def guard(condition: bool, p: Proc) -> Proc:
    """``b & p``: p if the condition holds, else STOP."""
    return p if condition else STOP


def call(name: str, *args: Value) -> Proc:
    """A reference to the named definition ``name(args)`` of an environment."""
    return mk(Op.CALL, (), (name, tuple(args), tuple(value_key(a) for a in args)))


def compress(name: str, p: Proc) -> Proc:
    """``name(p)`` for a registered compression (``normal``, ``sbisim``, ``diamond``, ...)."""
    return mk(Op.COMPRESS, (p,), name)


def sync_ext_choice(p: Proc, events: Iterable[Event], q: Proc) -> Proc:
    """``p [+ A +] q``: an external choice in which p and q perform the events of A together.

    An event outside A (or ✓) resolves the choice; an event of A leaves it open.
    """
    return mk(Op.SYNC_EXT, (p, q), _event_set(events))


def sync_interrupt(p: Proc, events: Iterable[Event], q: Proc) -> Proc:
    r"""``p /+ A +\ q``: q may interrupt p by an event outside A; both perform A together."""
    return mk(Op.SYNC_INTERRUPT, (p, q), _event_set(events))


def prioritise_po(p: Proc, order: Iterable[tuple[Event, Event]]) -> Proc:
    """FDR's ``prioritisepo`` with its order computed: ``(a, b)`` means b pre-empts a.

    The order is a strict partial order over events, τ and ✓ (already transitively closed).
    """
    return mk(Op.PRIORITISE_PO, (p,), frozenset(order))


def prioritise(p: Proc, levels: Sequence[Iterable[Event]]) -> Proc:
    """``prioritise(p, <A1, A2, ...>)``: events of earlier sets pre-empt later ones (τ, ✓ top)."""
    return mk(Op.PRIORITISE, (p,), tuple(_event_set(a) for a in levels))


def input_prefix(
    channel: Channel,
    pattern: Sequence[Value | None | Iterable[Value]],
    continuation: Callable[..., Proc],
) -> Proc:
    """``c?x!v?y:S -> P(x, y)``: external choice over the matching events.

    ``pattern`` has one entry per field (see :meth:`Channel.matching`); ``continuation`` receives
    the values of the input fields (entries that are ``None`` or a set), in order.
    """
    inputs = [i for i, p in enumerate(pattern) if p is None or isinstance(p, (set, frozenset, list, range))]
    branches = [
        prefix(ev, continuation(*(ev.fields[i] for i in inputs)))
        for ev in channel.matching(pattern)
    ]
    return ext_choice(*branches)


# -- typed views of payloads (the payload is stored as a plain Hashable) --------------------------


def call_parts(p: Proc) -> tuple[str, tuple[Value, ...]]:
    """Name and arguments of a CALL term."""
    name, args, _keys = cast(tuple[str, tuple[Value, ...], object], p.payload)
    return name, args


def event_set_of(p: Proc) -> frozenset[Event]:
    """The event set of RUN, CHAOS, PAR, HIDE or EXCEPT."""
    return cast(frozenset[Event], p.payload)


def alphabets_of(p: Proc) -> tuple[frozenset[Event], frozenset[Event]]:
    """The two alphabets of an APAR term."""
    return cast(tuple[frozenset[Event], frozenset[Event]], p.payload)


def relation_of(p: Proc) -> frozenset[tuple[Event, Event]]:
    """The pairs of a RENAME or LINK term."""
    return cast(frozenset[tuple[Event, Event]], p.payload)


def order_of(p: Proc) -> frozenset[tuple[Event, Event]]:
    """The (lower, higher) pairs of a PRIORITISE_PO term."""
    return cast(frozenset[tuple[Event, Event]], p.payload)


def levels_of(p: Proc) -> tuple[frozenset[Event], ...]:
    """The priority levels of a PRIORITISE term."""
    return cast(tuple[frozenset[Event], ...], p.payload)


def prefix_event(p: Proc) -> Event:
    """The event of a PREFIX term."""
    return cast(Event, p.payload)
