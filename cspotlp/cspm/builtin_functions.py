"""The values of FDR's built-in names (``union``, ``head``, ``Events``, ``normal``, ``RUN``...).

Each built-in function takes one argument group and returns a value (or an evaluation step).
Errors are located at the application: ``head(<>)``, ``error("...")``, ``mapLookup`` of a
missing key. Compressions (and ``deter``) are :func:`~cspotlp.csp.terms.compress` terms; the
watchdogs (:mod:`cspotlp.csp.watchdogs`) and ``prioritise_nocache`` are calls of built-in
definitions, printed as the applications they are. ``BUFFER`` and ``WEAK_BUFFER`` evaluate,
and print, as named processes, and fail with ``unsupported construct`` when a check explores
them. The tock-CSP built-ins of Timed sections (``WAIT``...) are in :mod:`cspotlp.cspm.timed`.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from cspotlp.csp.events import TAU, TICK, Event, sort_events
from cspotlp.csp.explore import explicate
from cspotlp.csp.semantics import Semantics, explicit
from cspotlp.csp.terms import (
    DIV,
    SKIP,
    STOP,
    Proc,
    call,
    chaos,
    compress,
    prioritise,
    prioritise_po,
    run,
    seq,
)
from cspotlp.csp.values import Seq, sorted_values
from cspotlp.csp.watchdogs import failure_watchdog_lts, trace_watchdog_lts
from cspotlp.cspm import ast
from cspotlp.cspm.dots import DotError, extensions
from cspotlp.cspm.functions import BuiltinFunction, Curried, FunctionValue
from cspotlp.cspm.intsets import (
    Intervals,
    IntervalSet,
    all_integers,
    difference,
    from_intervals,
    intersection,
    intervals_of,
    union,
)
from cspotlp.cspm.processes import all_events, as_process, event_set, productions_of
from cspotlp.cspm.values import (
    Char,
    InfiniteSet,
    LazySeq,
    MapValue,
    canonical,
    char_string,
    drop,
    ordered,
    seq_iter,
    show,
    string_value,
)

if TYPE_CHECKING:
    from cspotlp.cspm.evaluate import Evaluator

Impl = Callable[["Evaluator", tuple[Any, ...], ast.Node], Any]

COMPRESSION_NAMES = {
    "normal": "normal", "lazynorm": "lazynorm", "sbisim": "sbisim", "wbisim": "wbisim",
    "dbisim": "dbisim", "diamond": "diamond", "explicate": "explicate",
    "lazyenumerate": "lazyenumerate", "chase": "chase", "chase_nocache": "chase_no_cache",
    "tau_loop_factor": "tau_loop_factor", "model_compress": "model_compress", "deter": "deter",
}
"""CSPm compression functions and the registered compression each stands for (its name as FDR
prints it: ``chase_nocache(P)`` is printed ``chase_no_cache(P)``)."""

BUILTIN_PROCESSES = frozenset({"BUFFER", "WEAK_BUFFER"})
"""Built-ins that evaluate to named processes with no CSPm body (printed as themselves)."""

INLINE_CALLS = frozenset({"failure_watchdog", "trace_watchdog", "prioritise_nocache"})
"""Built-ins that evaluate to calls of built-in definitions, printed as applications (FDR's
process operators), never as equations of their own."""

MAX_POWERSET = 20
"""``Set(A)`` of a larger set is refused (it would have more than a million members)."""


def _finite(ev: Evaluator, v: Any, node: ast.Node) -> frozenset[Any]:
    if isinstance(v, InfiniteSet):
        raise ev.error(f"cannot enumerate the infinite set {v}", node)
    assert isinstance(v, frozenset)
    return v


def _items(ev: Evaluator, s: Any, node: ast.Node) -> tuple[Any, ...]:
    if isinstance(s, LazySeq):
        if s.infinite:
            raise ev.error("cannot use all of an infinite sequence", node)
        return s.force().items
    assert isinstance(s, Seq)
    return s.items


def _member(ev: Evaluator, x: Any, s: Any, node: ast.Node) -> bool:
    if isinstance(s, InfiniteSet):
        return bool(s.contains(ev.canonical(x, node)))
    return ev.canonical(x, node) in s


# -- sets ---------------------------------------------------------------------------------------


def _integer_algebra(x: Any, y: Any, op: Callable[[Intervals, Intervals], Intervals]) -> Any:
    """``op`` on two sets of integers, one at least kept as intervals (else None)."""
    if not (isinstance(x, IntervalSet) or isinstance(y, IntervalSet)):
        return None
    ix, iy = intervals_of(x), intervals_of(y)
    if ix is None or iy is None:
        return None
    return from_intervals(op(ix, iy))


def _union(ev: Evaluator, a: tuple[Any, ...], n: ast.Node) -> Any:
    x, y = a
    if isinstance(x, frozenset) and isinstance(y, frozenset):
        return x | y
    exact = _integer_algebra(x, y, union)
    if exact is not None:
        return exact
    if isinstance(x, InfiniteSet) or isinstance(y, InfiniteSet):
        return InfiniteSet(f"union({x}, {y})",
                           lambda v: _member(ev, v, x, n) or _member(ev, v, y, n))
    return x | y


def _inter(ev: Evaluator, a: tuple[Any, ...], n: ast.Node) -> Any:
    x, y = a
    if isinstance(x, frozenset) and isinstance(y, frozenset):
        return x & y
    exact = _integer_algebra(x, y, intersection)
    if exact is not None:
        return exact
    if isinstance(x, InfiniteSet) and isinstance(y, InfiniteSet):
        return InfiniteSet(f"inter({x}, {y})",
                           lambda v: _member(ev, v, x, n) and _member(ev, v, y, n))
    if isinstance(x, InfiniteSet):
        x, y = y, x
    return frozenset(v for v in x if _member(ev, v, y, n))


def _diff(ev: Evaluator, a: tuple[Any, ...], n: ast.Node) -> Any:
    x, y = a
    if isinstance(x, frozenset) and isinstance(y, frozenset):
        return x - y
    exact = _integer_algebra(x, y, difference)
    if exact is not None:
        return exact
    if isinstance(x, InfiniteSet):
        return InfiniteSet(f"diff({x}, {y})",
                           lambda v: _member(ev, v, x, n) and not _member(ev, v, y, n))
    return frozenset(v for v in x if not _member(ev, v, y, n))


def _big_union(ev: Evaluator, a: tuple[Any, ...], n: ast.Node) -> Any:
    out: set[Any] = set()
    for s in _finite(ev, a[0], n):
        out |= _finite(ev, s, n)
    return frozenset(out)


def _big_inter(ev: Evaluator, a: tuple[Any, ...], n: ast.Node) -> Any:
    sets = [_finite(ev, s, n) for s in sorted_values(_finite(ev, a[0], n))]
    if not sets:
        raise ev.error("Inter of an empty set of sets", n)
    out = sets[0]
    for s in sets[1:]:
        out &= s
    return out


def _powerset(ev: Evaluator, a: tuple[Any, ...], n: ast.Node) -> Any:
    base = sorted_values(_finite(ev, a[0], n))
    if len(base) > MAX_POWERSET:
        raise ev.error(f"Set(...) of a set of {len(base)} values is too large", n)
    return frozenset(frozenset(c) for k in range(len(base) + 1)
                     for c in itertools.combinations(base, k))


def _all_seqs(ev: Evaluator, a: tuple[Any, ...], n: ast.Node) -> Any:
    elems = a[0]
    if isinstance(elems, frozenset) and not elems:
        return frozenset({Seq()})
    return InfiniteSet(f"Seq({show(elems)})",
                       lambda v: isinstance(v, Seq) and all(_member(ev, x, elems, n)
                                                           for x in v.items))


def _all_maps(ev: Evaluator, a: tuple[Any, ...], n: ast.Node) -> Any:
    keys = sorted_values(_finite(ev, a[0], n))
    values = sorted_values(_finite(ev, a[1], n))
    out = set()
    choices = [[None, *values]] * len(keys)
    for combo in itertools.product(*choices):
        out.add(MapValue.of((k, v) for k, v in zip(keys, combo, strict=True) if v is not None))
    return frozenset(out)


# -- sequences ----------------------------------------------------------------------------------


def _head(ev: Evaluator, a: tuple[Any, ...], n: ast.Node) -> Any:
    s = a[0]
    if isinstance(s, LazySeq):
        if s.is_empty():
            raise ev.error("head of an empty sequence", n)
        return s.item(0)
    if not s.items:
        raise ev.error("head of an empty sequence", n)
    return s.items[0]


def _tail(ev: Evaluator, a: tuple[Any, ...], n: ast.Node) -> Any:
    s = a[0]
    empty = s.is_empty() if isinstance(s, LazySeq) else not s.items
    if empty:
        raise ev.error("tail of an empty sequence", n)
    return drop(s, 1)


def _concat(ev: Evaluator, a: tuple[Any, ...], n: ast.Node) -> Any:
    s = a[0]
    parts = list(seq_iter(s)) if not (isinstance(s, LazySeq) and s.infinite) else None
    if parts is not None and all(isinstance(p, Seq) for p in parts):
        return Seq(tuple(x for p in parts for x in p.items))
    return LazySeq((x for p in seq_iter(s) for x in seq_iter(p)),
                   infinite=isinstance(s, LazySeq) and s.infinite)


def _null(ev: Evaluator, a: tuple[Any, ...], n: ast.Node) -> Any:
    s = a[0]
    return s.is_empty() if isinstance(s, LazySeq) else not s.items


def _elem(ev: Evaluator, a: tuple[Any, ...], n: ast.Node) -> Any:
    x, s = ev.canonical(a[0], n), a[1]
    return any(canonical(y) == x for y in seq_iter(s))


def _error(ev: Evaluator, a: tuple[Any, ...], n: ast.Node) -> Any:
    text = char_string(canonical(a[0]))
    raise ev.error(f"Error: {text if text is not None else show(a[0])}", n)


# -- maps ---------------------------------------------------------------------------------------


def _map_lookup(ev: Evaluator, a: tuple[Any, ...], n: ast.Node) -> Any:
    m, k = a
    key = ev.canonical(k, n)
    if key not in m.table:
        raise ev.error(f"the key {show(key)} is not in the domain of the map", n)
    return m.table[key]


def _map_update(ev: Evaluator, a: tuple[Any, ...], n: ast.Node) -> Any:
    m, k, v = a
    return MapValue.of([*m.pairs, (ev.canonical(k, n), ev.canonical(v, n))])


def _map_update_multiple(ev: Evaluator, a: tuple[Any, ...], n: ast.Node) -> Any:
    m, s = a
    return MapValue.of([*m.pairs, *(canonical(p) for p in _items(ev, s, n))])


def _map_delete(ev: Evaluator, a: tuple[Any, ...], n: ast.Node) -> Any:
    m, k = a
    key = ev.canonical(k, n)
    return MapValue.of(p for p in m.pairs if p[0] != key)


# -- dot types ------------------------------------------------------------------------------------


def _extensions(ev: Evaluator, a: tuple[Any, ...], n: ast.Node) -> Any:
    try:
        return frozenset(extensions(ev, a[0]))
    except DotError as e:
        raise ev.error(str(e), n) from e


def _productions(ev: Evaluator, a: tuple[Any, ...], n: ast.Node) -> Any:
    return productions_of(ev, a[0], n)


# -- processes ------------------------------------------------------------------------------------


def _events_arg(ev: Evaluator, v: Any, n: ast.Node) -> frozenset[Event]:
    return event_set(ev, v, n)


def _compression(name: str) -> Impl:
    def apply(ev: Evaluator, a: tuple[Any, ...], n: ast.Node) -> Any:
        return compress(COMPRESSION_NAMES[name], as_process(ev, a[0], n))

    return apply


def _levels(ev: Evaluator, a: tuple[Any, ...], n: ast.Node) -> tuple[Proc, list[frozenset[Event]]]:
    p, levels = a
    sets = [_events_arg(ev, s, n) for s in _items(ev, levels, n)]
    if not sets:
        raise ev.error("prioritise needs at least one set of events", n)
    return as_process(ev, p, n), sets


def _prioritise(ev: Evaluator, a: tuple[Any, ...], n: ast.Node) -> Any:
    p, sets = _levels(ev, a, n)
    return prioritise(p, sets)


def _prioritise_nocache(ev: Evaluator, a: tuple[Any, ...], n: ast.Node) -> Any:
    """FDR's ``prioritise`` computed without a cache: the same process, under its own name."""
    p, sets = _levels(ev, a, n)

    def body(p: Proc, levels: Seq) -> Proc:
        return prioritise(p, cast(tuple[frozenset[Event], ...], levels.items))

    _builtin_definition(ev, "prioritise_nocache", body)
    return call("prioritise_nocache", p, Seq(tuple(sets)))


def _builtin_definition(ev: Evaluator, name: str, body: Callable[..., Proc]) -> None:
    if name not in ev.env.definitions:
        ev.env.definitions[name] = body
        ev.builtin_names.add(name)


def _watchdog(name: str) -> Impl:
    """``trace_watchdog(P, A, bark)`` / ``failure_watchdog(P, A, bark)``.

    The watchdog (:mod:`cspotlp.csp.watchdogs`) is built when a check first explores it.
    """
    build = trace_watchdog_lts if name == "trace_watchdog" else failure_watchdog_lts

    def apply(ev: Evaluator, a: tuple[Any, ...], n: ast.Node) -> Any:
        p = as_process(ev, a[0], n)
        watched = _events_arg(ev, a[1], n)
        bark = a[2]
        if not isinstance(bark, Event):
            raise ev.error(f"{show(bark)} is not an event", n)
        if bark in watched:
            raise ev.error(f"{name}: the bark event {show(bark)} must not be one of the "
                           "watched events", n)

        def body(spec: Proc, events: frozenset[Event], signal: Event) -> Proc:
            lts = build(explicate(spec, Semantics(ev.env), name=name), events, signal)
            return explicit(lts, lts.initial)

        _builtin_definition(ev, name, body)
        return call(name, p, watched, bark)

    return apply


def _prioritise_po(ev: Evaluator, a: tuple[Any, ...], n: ast.Node) -> Any:
    """``prioritisepo(P, E, O, M)``: O orders events of E (``(a, b)``: b pre-empts a).

    As in FDR: τ and ✓ lie below every event outside M, the order is closed transitively,
    and it is an error for it to be cyclic, to mention events outside E, or to put anything
    below an event of M.
    """
    p, prioritised, pairs, maximal = a
    events = _events_arg(ev, prioritised, n)
    top = _events_arg(ev, maximal, n)
    order: set[tuple[Event, Event]] = set()
    if not isinstance(pairs, frozenset):
        raise ev.error(f"{show(pairs)} is not a set of pairs of events", n)
    for pair in ordered(pairs):
        if not (isinstance(pair, tuple) and len(pair) == 2
                and all(isinstance(x, Event) for x in pair)):
            raise ev.error(f"{show(pair)} is not a pair of events", n)
        order.add((pair[0], pair[1]))
    mentioned = top | {x for pair in order for x in pair}
    missing = sort_events(mentioned - events)
    if missing:
        raise ev.error("prioritisepo: the order mentions events that are not prioritised: "
                       + ", ".join(str(e) for e in missing), n)
    order |= {(low, e) for e in events | mentioned if e not in top for low in (TAU, TICK)}
    closed = _transitive_closure(order)
    cyclic = sorted({x for x, y in closed if x == y}, key=lambda e: e.sort_key())
    if cyclic:
        raise ev.error("prioritisepo: the order is cyclic (through "
                       + ", ".join(str(e) for e in cyclic) + ")", n)
    below_top = sorted({y for _, y in closed if y in top}, key=lambda e: e.sort_key())
    if below_top:
        raise ev.error(f"prioritisepo: {below_top[0]} is given as maximal but has events "
                       "below it", n)
    return prioritise_po(as_process(ev, p, n), closed)


def _transitive_closure(pairs: set[tuple[Event, Event]]) -> frozenset[tuple[Event, Event]]:
    """The transitive closure of a relation (iterative: a fixed point of one-step joins)."""
    closed = set(pairs)
    successors: dict[Event, set[Event]] = {}
    for x, y in pairs:
        successors.setdefault(x, set()).add(y)
    for x in list(successors):
        seen: set[Event] = set()
        stack = list(successors[x])
        while stack:
            y = stack.pop()
            if y in seen:
                continue
            seen.add(y)
            closed.add((x, y))
            stack.extend(successors.get(y, ()))
    return frozenset(closed)


def _loop(ev: Evaluator, a: tuple[Any, ...], n: ast.Node) -> Any:
    p = as_process(ev, a[0], n)
    holder: list[str] = []

    def body() -> Proc:
        return seq(p, call(holder[0]))

    holder.append(ev.claim(f"loop({show(p)})", p, body))
    return call(holder[0])


def _opaque_process(name: str) -> Impl:
    def apply(ev: Evaluator, a: tuple[Any, ...], n: ast.Node) -> Any:
        args = tuple(canonical(x) for x in a)

        def expand(*_: Any) -> Proc:
            raise ev.unsupported(f"exploring {name} (its semantics is not implemented)", n)

        if name not in ev.env.definitions:
            ev.env.definitions[name] = expand
            ev.builtin_names.add(name)
        return call(name, *args)

    return apply


# -- relations (external functions) -----------------------------------------------------------------


def _image(rel: frozenset[Any]) -> Impl:
    def apply(ev: Evaluator, a: tuple[Any, ...], n: ast.Node) -> Any:
        x = ev.canonical(a[0], n)
        return frozenset(y for (k, y) in rel if k == x)

    return apply


def _relational_image(ev: Evaluator, a: tuple[Any, ...], n: ast.Node) -> Any:
    rel = _finite(ev, a[0], n)
    return Curried("relational_image", (rel,), _image(rel))


def _relational_inverse_image(ev: Evaluator, a: tuple[Any, ...], n: ast.Node) -> Any:
    rel = frozenset((y, x) for (x, y) in _finite(ev, a[0], n))
    return Curried("relational_inverse_image", (a[0],), _image(rel))


def _transpose(ev: Evaluator, a: tuple[Any, ...], n: ast.Node) -> Any:
    return frozenset((y, x) for (x, y) in _finite(ev, a[0], n))


def _mtransclose(ev: Evaluator, a: tuple[Any, ...], n: ast.Node) -> Any:
    """FDR's ``mtransclose``: the members of each class of a symmetric transitive closure.

    Each member ``x`` of a class maps to the class's least member ``r`` (as pairs ``(r, x)``,
    omitting ``x`` itself), as FDR computes it.
    """
    rel, domain = _finite(ev, a[0], n), _finite(ev, a[1], n)
    parent: dict[Any, Any] = {}

    def find(x: Any) -> Any:
        root = x
        while parent.get(root, root) != root:
            root = parent[root]
        while parent.get(x, x) != root:
            parent[x], x = root, parent[x]
        return root

    for pair in sorted_values(rel):
        x, y = cast(tuple[Any, Any], pair)
        rx, ry = find(x), find(y)
        if rx != ry:
            lo, hi = sorted_values([rx, ry])
            parent[hi] = lo
    out = set()
    for x in parent:
        r = find(x)
        if r != x and x in domain and r in domain:
            out.add((r, x))
    return frozenset(out)


# -- the table ------------------------------------------------------------------------------------

FUNCTIONS: dict[str, tuple[int, Impl]] = {
    "union": (2, _union),
    "inter": (2, _inter),
    "diff": (2, _diff),
    "Union": (1, _big_union),
    "Inter": (1, _big_inter),
    "member": (2, lambda ev, a, n: _member(ev, a[0], a[1], n)),
    "card": (1, lambda ev, a, n: len(_finite(ev, a[0], n))),
    "empty": (1, lambda ev, a, n: isinstance(a[0], frozenset) and not a[0]),
    "set": (1, lambda ev, a, n: frozenset(canonical(x) for x in _items(ev, a[0], n))),
    "Set": (1, _powerset),
    "Seq": (1, _all_seqs),
    "seq": (1, lambda ev, a, n: Seq(tuple(sorted_values(_finite(ev, a[0], n))))),
    "length": (1, lambda ev, a, n: ev.length(a[0], n)),
    "null": (1, _null),
    "head": (1, _head),
    "tail": (1, _tail),
    "concat": (1, _concat),
    "elem": (2, _elem),
    "CHAOS": (1, lambda ev, a, n: chaos(_events_arg(ev, a[0], n))),
    "RUN": (1, lambda ev, a, n: run(_events_arg(ev, a[0], n))),
    "BUFFER": (2, _opaque_process("BUFFER")),
    "WEAK_BUFFER": (3, _opaque_process("WEAK_BUFFER")),
    "mapFromList": (1, lambda ev, a, n: MapValue.of(canonical(p) for p in _items(ev, a[0], n))),
    "mapLookup": (2, _map_lookup),
    "mapMember": (2, lambda ev, a, n: ev.canonical(a[1], n) in a[0].table),
    "mapToList": (1, lambda ev, a, n: Seq(a[0].pairs)),
    "mapUpdate": (3, _map_update),
    "mapUpdateMultiple": (2, _map_update_multiple),
    "mapDelete": (2, _map_delete),
    "Map": (2, _all_maps),
    "error": (1, _error),
    "show": (1, lambda ev, a, n: string_value(show(a[0]))),
    "extensions": (1, _extensions),
    "productions": (1, _productions),
    "prioritise": (2, _prioritise),
    "prioritise_nocache": (2, _prioritise_nocache),
    "loop": (1, _loop),
    "failure_watchdog": (3, _watchdog("failure_watchdog")),
    "trace_watchdog": (3, _watchdog("trace_watchdog")),
    "prioritisepo": (4, _prioritise_po),
    "mtransclose": (2, _mtransclose),
    "relational_image": (1, _relational_image),
    "relational_inverse_image": (1, _relational_inverse_image),
    "transpose": (1, _transpose),
}
for _name in COMPRESSION_NAMES:
    FUNCTIONS[_name] = (1, _compression(_name))


def _constants(ev: Evaluator, name: str, node: ast.Node) -> Any:
    if name == "STOP":
        return STOP
    if name == "SKIP":
        return SKIP
    if name == "DIV":
        return DIV
    if name == "Int":
        return all_integers()
    if name == "Bool":
        return frozenset({False, True})
    if name == "Char":
        return InfiniteSet("Char", lambda v: isinstance(v, Char))
    if name == "Proc":
        return InfiniteSet("Proc", lambda v: isinstance(v, Proc))
    if name == "Events":
        return all_events(ev, node)
    if name == "emptyMap":
        return MapValue.of(())
    if name in ("True", "False", "true", "false"):
        return name in ("True", "true")
    return None


_FUNCTION_VALUES: dict[str, FunctionValue] = {}


def builtin_value(ev: Evaluator, name: str, node: ast.Node) -> Any:
    """The value of the built-in ``name``."""
    fn = _FUNCTION_VALUES.get(name)
    if fn is not None:
        return fn
    entry = FUNCTIONS.get(name)
    if entry is not None:
        arity, impl = entry
        fn = _FUNCTION_VALUES[name] = BuiltinFunction(name, arity, _checked_arity(name, arity,
                                                                                   impl))
        return fn
    value = _constants(ev, name, node)
    if value is None:
        raise ev.unsupported(f"the built-in '{name}'", node)
    return value


def _checked_arity(name: str, arity: int, impl: Impl) -> Impl:
    def apply(ev: Evaluator, a: tuple[Any, ...], n: ast.Node) -> Any:
        if len(a) != arity:
            raise ev.error(f"{name} takes {arity} argument(s), not {len(a)}", n)
        return impl(ev, a, n)

    return apply
