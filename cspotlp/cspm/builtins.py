"""The built-in names of CSPm (FDR4) and their type schemes.

Plain built-ins are always in scope (a script may shadow them). FDR's compression functions
(``transparent``) and external functions (``external``) are in scope only once the script
declares them, as in FDR4: ``transparent normal`` brings ``normal : (Proc) -> Proc`` in.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass

from cspotlp.cspm.types import (
    BOOL,
    CHAR,
    EQ,
    EVENT,
    INT,
    PROC,
    SET,
    YIELDABLE,
    Scheme,
    TDotable,
    TExt,
    TFun,
    TMap,
    TSeq,
    TSet,
    TTuple,
    TVar,
    Type,
)

_QUANTIFIED = 1 << 30
"""The level of the variables of built-in schemes (deeper than any real let-level)."""


class BuiltInKind(enum.Enum):
    """How a built-in name may be used."""

    VALUE = "value"
    CONSTRUCTOR = "constructor"
    TRANSPARENT = "transparent"
    EXTERNAL = "external"
    TRANSPARENT_OR_EXTERNAL = "transparent or external"
    TIMED = "timed"
    """In scope only inside ``Timed`` sections (``WAIT``, ``TSTOP``...)."""


@dataclass(frozen=True)
class BuiltIn:
    """A built-in name, its type scheme and kind."""

    name: str
    scheme: Scheme
    kind: BuiltInKind


def _mono(t: Type) -> Scheme:
    return Scheme((), t)


def _poly(make: Callable[..., Type], *constraints: tuple[str, ...]) -> Scheme:
    vs = tuple(TVar(_QUANTIFIED, cs) for cs in constraints)
    return Scheme(vs, make(*vs))


def _fn(*args: Type) -> Callable[[Type], TFun]:
    return lambda result: TFun(tuple(args), result)


def _table() -> dict[str, tuple[Scheme, BuiltInKind]]:
    v, c, t = BuiltInKind.VALUE, BuiltInKind.CONSTRUCTOR, BuiltInKind.TRANSPARENT
    x, tx = BuiltInKind.EXTERNAL, BuiltInKind.TRANSPARENT_OR_EXTERNAL
    proc_to_proc = _mono(TFun((PROC,), PROC))
    events = TSet(EVENT)
    table: dict[str, tuple[Scheme, BuiltInKind]] = {
        # sets (elements must form sets; the queries need equality)
        "union": (_poly(lambda a: TFun((TSet(a), TSet(a)), TSet(a)), (SET,)), v),
        "inter": (_poly(lambda a: TFun((TSet(a), TSet(a)), TSet(a)), (SET,)), v),
        "diff": (_poly(lambda a: TFun((TSet(a), TSet(a)), TSet(a)), (SET,)), v),
        "Union": (_poly(lambda a: TFun((TSet(TSet(a)),), TSet(a)), (SET,)), v),
        "Inter": (_poly(lambda a: TFun((TSet(TSet(a)),), TSet(a)), (SET,)), v),
        "set": (_poly(lambda a: TFun((TSeq(a),), TSet(a)), (SET,)), v),
        "Set": (_poly(lambda a: TFun((TSet(a),), TSet(TSet(a))), (SET,)), v),
        "Seq": (_poly(lambda a: TFun((TSet(a),), TSet(TSeq(a))), (SET,)), v),
        "member": (_poly(lambda a: TFun((a, TSet(a)), BOOL), (EQ,)), v),
        "card": (_poly(lambda a: TFun((TSet(a),), INT), (EQ,)), v),
        "empty": (_poly(lambda a: TFun((TSet(a),), BOOL), (EQ,)), v),
        "seq": (_poly(lambda a: TFun((TSet(a),), TSeq(a)), (EQ,)), v),
        # sequences
        "length": (_poly(lambda a: TFun((TSeq(a),), INT), ()), v),
        "null": (_poly(lambda a: TFun((TSeq(a),), BOOL), ()), v),
        "head": (_poly(lambda a: TFun((TSeq(a),), a), ()), v),
        "tail": (_poly(lambda a: TFun((TSeq(a),), TSeq(a)), ()), v),
        "concat": (_poly(lambda a: TFun((TSeq(TSeq(a)),), TSeq(a)), ()), v),
        "elem": (_poly(lambda a: TFun((a, TSeq(a)), BOOL), (EQ,)), v),
        # processes
        "STOP": (_mono(PROC), v),
        "SKIP": (_mono(PROC), v),
        "DIV": (_mono(PROC), v),
        "CHAOS": (_mono(TFun((events,), PROC)), v),
        "RUN": (_mono(TFun((events,), PROC)), v),
        "BUFFER": (_mono(TFun((INT, TSet(TTuple((EVENT, EVENT)))), PROC)), v),
        "WEAK_BUFFER": (_mono(TFun((INT, EVENT, TSet(TTuple((EVENT, EVENT)))), PROC)), v),
        # types as sets, and boolean constants
        "Int": (_mono(TSet(INT)), v),
        "Bool": (_mono(TSet(BOOL)), v),
        "Proc": (_mono(TSet(PROC)), v),
        "Events": (_mono(events), v),
        "Char": (_mono(TSet(CHAR)), v),
        "True": (_mono(BOOL), c),
        "False": (_mono(BOOL), c),
        # maps (keys must form sets)
        "emptyMap": (_poly(lambda k, w: TMap(k, w), (SET,), ()), v),
        "mapFromList": (_poly(lambda k, w: TFun((TSeq(TTuple((k, w))),), TMap(k, w)),
                              (SET,), ()), v),
        "mapLookup": (_poly(lambda k, w: TFun((TMap(k, w), k), w), (SET,), ()), v),
        "mapMember": (_poly(lambda k, w: TFun((TMap(k, w), k), BOOL), (SET,), ()), v),
        "mapToList": (_poly(lambda k, w: TFun((TMap(k, w),), TSeq(TTuple((k, w)))),
                            (SET,), ()), v),
        "mapUpdate": (_poly(lambda k, w: TFun((TMap(k, w), k, w), TMap(k, w)), (SET,), ()), v),
        "mapUpdateMultiple": (_poly(
            lambda k, w: TFun((TMap(k, w), TSeq(TTuple((k, w)))), TMap(k, w)), (SET,), ()), v),
        "mapDelete": (_poly(lambda k, w: TFun((TMap(k, w), k), TMap(k, w)), (SET,), ()), v),
        "Map": (_poly(lambda k, w: TFun((TSet(k), TSet(w)), TSet(TMap(k, w))), (SET,), (SET,)),
                v),
        # errors and text
        "error": (_poly(lambda a: TFun((TSeq(CHAR),), a), ()), v),
        "show": (_poly(lambda a: TFun((a,), TSeq(CHAR)), ()), v),
        # dot types
        "extensions": (_poly(lambda a, b: TFun((TDotable((a,), b),), TSet(a)), (), (YIELDABLE,)),
                       v),
        "productions": (_poly(lambda a: TFun((TExt(a),), TSet(a)), (YIELDABLE,)), v),
        # compression functions (transparent) and external functions
        "chase": (proc_to_proc, tx),
        "chase_nocache": (proc_to_proc, tx),
        "deter": (proc_to_proc, x),
        "loop": (proc_to_proc, x),
        "failure_watchdog": (_mono(TFun((PROC, events, EVENT), PROC)), x),
        "trace_watchdog": (_mono(TFun((PROC, events, EVENT), PROC)), x),
        "prioritise": (_mono(TFun((PROC, TSeq(events)), PROC)), x),
        "prioritise_nocache": (_mono(TFun((PROC, TSeq(events)), PROC)), x),
        "prioritisepo": (_mono(TFun((PROC, events, TSet(TTuple((EVENT, EVENT))), events),
                                    PROC)), x),
        # tock-CSP, inside Timed sections only
        "WAIT": (_mono(TFun((INT,), PROC)), BuiltInKind.TIMED),
        "TSTOP": (_mono(PROC), BuiltInKind.TIMED),
        "TSKIP": (_mono(PROC), BuiltInKind.TIMED),
        "timed_priority": (_mono(TFun((PROC,), PROC)), BuiltInKind.TIMED),
        "mtransclose": (_poly(lambda a: TFun((TSet(TTuple((a, a))), TSet(a)),
                                             TSet(TTuple((a, a)))), (EQ,)), x),
        "relational_image": (_poly(lambda a, b: TFun((TSet(TTuple((a, b))),),
                                                     TFun((a,), TSet(b))), (EQ,), (SET,)), x),
        "relational_inverse_image": (_poly(lambda a, b: TFun((TSet(TTuple((a, b))),),
                                                             TFun((b,), TSet(a))), (SET,), (EQ,)),
                                     x),
        "transpose": (_poly(lambda a, b: TFun((TSet(TTuple((a, b))),), TSet(TTuple((b, a)))),
                            (SET,), (SET,)), x),
    }
    for name in ("explicate", "lazyenumerate", "diamond", "normal", "lazynorm", "sbisim",
                 "tau_loop_factor", "model_compress", "wbisim", "dbisim"):
        table[name] = (proc_to_proc, t)
    return table


BUILTINS: dict[str, BuiltIn] = {
    name: BuiltIn(name, scheme, kind) for name, (scheme, kind) in sorted(_table().items())
}
"""Every built-in name."""

ALWAYS_IN_SCOPE = frozenset(
    name for name, b in BUILTINS.items()
    if b.kind in (BuiltInKind.VALUE, BuiltInKind.CONSTRUCTOR)
)
"""Built-ins available without declaration (outside ``Timed`` sections)."""

TIMED_BUILTINS = frozenset(name for name, b in BUILTINS.items() if b.kind is BuiltInKind.TIMED)
"""Built-ins available inside ``Timed`` sections only."""


def can_declare(name: str, as_transparent: bool) -> bool:
    """Whether ``transparent name`` (or ``external name``) names a function FDR provides."""
    b = BUILTINS.get(name)
    if b is None:
        return False
    if as_transparent:
        return b.kind in (BuiltInKind.TRANSPARENT, BuiltInKind.TRANSPARENT_OR_EXTERNAL)
    return b.kind in (BuiltInKind.EXTERNAL, BuiltInKind.TRANSPARENT_OR_EXTERNAL)


__all__ = ["ALWAYS_IN_SCOPE", "TIMED_BUILTINS", "BUILTINS", "BuiltIn", "BuiltInKind", "can_declare"]
