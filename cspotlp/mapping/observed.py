"""Captured traces as they were captured: abstract events with their partial order.

:func:`abstract_observed` is :func:`~cspotlp.mapping.abstraction.abstract_trace` for real
captures. It keeps the trace's concurrency: the result's :attr:`AbstractTrace.tree` gives the
partial order of its events (:mod:`cspotlp.mapping.event_order`), and its events are listed in
*time order* — the linearisation that always takes, among the events the order allows next, the
one Ψ's key puts first (for a valid forest at tolerance 0, exactly Ψ's order).

Real captures have clock skew, parents outside the capture window and concurrent children. By
default (``strict=False``):

* a child that starts before its parent, or after its parent ended (clocks of different
  services), stays its parent's child: the order puts it after its parent's begin whatever the
  clocks say. Nothing is moved; each such span is reported as a ``clock-skew`` note;
* a span whose parent is not in the capture hangs from a synthetic root (the ``synthetic-root``
  repair), reported as such.

With ``strict=True`` both are refused, as :func:`~cspotlp.otlp.repair.validate` refuses them,
unless named ``repairs`` say otherwise. Duplicate span ids and parent cycles are always refused
unless repaired by name. Every note is in :attr:`AbstractTrace.repairs`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from cspotlp.mapping.abstraction import (
    DEFAULT_ABSTRACTION,
    AbstractEvent,
    Abstraction,
    AbstractTrace,
    SpanLabeller,
    psi_order,
    repair_notes,
)
from cspotlp.mapping.event_order import DEFAULT_TOLERANCE, SpanTree
from cspotlp.otlp.reader import CapturedTrace
from cspotlp.otlp.repair import TreeNode, ValidTrace, validate

_BEGIN, _END = 0, 3  # Ψ's occurrence classes (cspotlp.mapping.correspondence)
_STATUS_ERROR = 2
SKEW_NOTE = "clock-skew"
"""The name under which tolerated clock skew is reported (like a repair's name), once per span."""
ORPHAN_NOTE = "synthetic-root"
"""The name under which a span whose parent is outside the capture is reported, once per span."""


def abstract_observed(trace: CapturedTrace, abstraction: Abstraction = DEFAULT_ABSTRACTION, *,
                      repairs: Iterable[str] = (), tolerance: int = DEFAULT_TOLERANCE,
                      strict: bool = False) -> AbstractTrace:
    """The abstract events of a captured trace with their partial order (module docstring).

    Args:
        trace: the spans of one trace id.
        abstraction: how spans become events.
        repairs: repairs to apply (see :func:`~cspotlp.otlp.repair.validate`).
        tolerance: the skew tolerance δ in nanoseconds: siblings are ordered only when one
            ends more than δ before the other starts, and a parent's end waits for a child
            that ends less than δ after it.
        strict: refuse clock skew and absent parents (unless ``repairs`` name their repair).

    Raises:
        OtlpError: the trace is not a span forest under these rules.
    """
    named = tuple(repairs)
    chosen = set(named)
    if not strict:
        chosen |= {"synthetic-root", "clamp-skew"}  # clamped times are not used: see below
    valid = validate(trace, tuple(r for r in ("drop-duplicates", "split-shared",
                                              "synthetic-root", "break-cycles", "clamp-skew")
                                  if r in chosen))
    clean = valid.clean  # (building the nodes below makes a trace no longer look clean)
    nodes = valid.nodes
    clamp = "clamp-skew" in named
    start, end = _times(valid, clamp or clean)
    notes = [n for n, d in zip(repair_notes(valid), valid.repairs, strict=True)
             if d.repair not in ("clamp-skew", "synthetic-root") or (d.repair == "clamp-skew"
                                                                      and clamp)]
    notes.extend(_orphan_notes(nodes))
    if not clamp and not clean:
        notes.extend(_skew_notes(nodes, start, end))
    return _abstract(valid, clean, abstraction, start, end, tolerance, tuple(notes))


def _times(valid: ValidTrace, as_nodes: bool) -> tuple[list[int], list[int | None]]:
    """Start and end of every node: as captured, or as the nodes have them (``as_nodes``).

    The nodes have the clamp-skew repair's times; for a clean trace, the captured ones.
    """
    nodes = valid.nodes
    if as_nodes:
        return [n.start for n in nodes], [n.end for n in nodes]
    spans = valid.trace.spans
    start: list[int] = []
    end: list[int | None] = []
    for n in nodes:
        if n.span_index < 0:  # a synthetic root spans its children's captured times
            start.append(n.start)
            end.append(n.end)
            continue
        sp = spans[n.span_index]
        start.append(sp.start_time_unix_nano)
        end.append(sp.end_time_unix_nano or None)
    return start, end


def _orphan_notes(nodes: Sequence[TreeNode]) -> list[str]:
    synthetic = {n.id for n in nodes if n.span_index < 0}
    return [f"{ORPHAN_NOTE}: span {n.id}: its parent {n.parent} is not in the capture; it "
            "hangs from a synthetic root" for n in nodes if n.parent in synthetic]


def _skew_notes(nodes: Sequence[TreeNode], start: Sequence[int], end: Sequence[int | None]
                ) -> list[str]:
    index = {n.id: k for k, n in enumerate(nodes)}
    notes: list[str] = []
    for k, n in enumerate(nodes):
        e = end[k]
        if e is not None and e < start[k]:
            notes.append(f"{SKEW_NOTE}: span {n.id}: ends {_span(start[k] - e)} before it "
                         "starts; taken as ending when it starts")
        if n.parent is None:
            continue
        p = index[n.parent]
        pe = end[p]
        if start[k] < start[p]:
            notes.append(f"{SKEW_NOTE}: span {n.id}: starts {_span(start[p] - start[k])} before "
                         f"its parent {n.parent}; it stays its parent's child")
        elif pe is not None and start[k] > pe:
            notes.append(f"{SKEW_NOTE}: span {n.id}: starts {_span(start[k] - pe)} after its "
                         f"parent {n.parent} ended; it stays its parent's child")
    return notes


def _span(ns: int) -> str:
    for unit, size in (("s", 10**9), ("ms", 10**6), ("µs", 10**3)):
        if ns >= size:
            return f"{ns / size:.3f} {unit}"
    return f"{ns} ns"


def _abstract(valid: ValidTrace, clean: bool, abstraction: Abstraction, start: list[int],
              end: list[int | None], tolerance: int, notes: tuple[str, ...]) -> AbstractTrace:
    nodes = valid.nodes
    n = len(nodes)
    index = {node.id: k for k, node in enumerate(nodes)}
    parent = [index[node.parent] if node.parent is not None else -1 for node in nodes]
    effective = [e if e is None or e >= s else s for s, e in zip(start, end, strict=True)]
    clock = _clocks(valid)
    labeller = SpanLabeller(valid, abstraction)
    kept = labeller.kept
    occurrences: list[tuple[int, int]] = []  # (node, class) of the visible events, in order
    if _psi_is_linearisation(parent, start, effective, clock, tolerance):
        retimed = nodes if clean else [
            node._replace(start=s, end=e) for node, s, e in zip(nodes, start, effective,
                                                                strict=True)]
        for _time, cls, _depth, _id, k in psi_order(retimed):  # parents begin first
            if cls == _BEGIN:
                if labeller.label(k) is not None:
                    occurrences.append((k, _BEGIN))
            elif kept[k] is not None:
                occurrences.append((k, _END))
    else:
        for k in _parents_first(parent):
            labeller.label(k)
        occurrences = _greedy_linearisation(nodes, SpanTree(
            parent, start, effective, [k if kept[k] is not None else -1 for k in range(n)],
            [k if kept[k] is not None and effective[k] is not None else -1 for k in range(n)],
            tolerance, clock))
    call, ret, error = abstraction.channels
    begin_event, end_event = [-1] * n, [-1] * n
    events: list[AbstractEvent] = []
    for k, cls in occurrences:
        info = kept[k]
        assert info is not None
        if cls == _BEGIN:
            begin_event[k] = len(events)
            events.append(info.event(call))
        else:
            end_event[k] = len(events)
            events.append(info.event(error if info.status == _STATUS_ERROR else ret))
    tree = SpanTree(parent, start, effective, begin_event, end_event, tolerance, clock)
    return AbstractTrace(valid.trace.trace_id, tuple(events), valid.trace.file, notes, tree)


def _clocks(valid: ValidTrace) -> list[int]:
    """Per node, the clock that timed it: spans with equal resources share one.

    Spans of one service instance carry one resource, and its clock reads their times, so
    they are compared exactly; spans of different resources (other services, other hosts)
    are compared with the skew tolerance. A synthetic root has a clock of its own.
    """
    spans = valid.trace.spans
    known: dict[object, int] = {}
    by_object: dict[int, int] = {}  # resource objects are shared by the spans of a batch
    out: list[int] = []
    for node in valid.nodes:
        if node.span_index < 0:
            out.append(-1 - len(out))
            continue
        resource = spans[node.span_index].resource
        c = by_object.get(id(resource))
        if c is None:
            try:
                c = known.setdefault(resource.attributes, len(known))
            except TypeError:  # an unhashable attribute value: this resource object alone
                c = len(known) + len(by_object) + 1_000_000
            by_object[id(resource)] = c
        out.append(c)
    return out


def _parents_first(parent: Sequence[int]) -> list[int]:
    kids: list[list[int]] = [[] for _ in parent]
    order = [k for k, p in enumerate(parent) if p < 0]
    for k, p in enumerate(parent):
        if p >= 0:
            kids[p].append(k)
    head = 0
    while head < len(order):
        order.extend(kids[order[head]])
        head += 1
    return order


def _psi_is_linearisation(parent: Sequence[int], start: Sequence[int],
                          end: Sequence[int | None], clock: Sequence[int], tolerance: int
                          ) -> bool:
    """True when sorting by Ψ's key already respects the order (the common, cheap case).

    That holds when every child starts within its parent's interval and no child ends in
    ``[end(p), end(p) + δ(c, p))`` (O4 would put its end first, against the clocks): then
    each generator of the order is an inequality of times that Ψ's tie-break respects.
    """
    for k, p in enumerate(parent):
        if p < 0:
            continue
        pe = end[p]
        if start[k] < start[p] or (pe is not None and start[k] > pe):
            return False
        e = end[k]
        if pe is not None and e is not None and pe <= e and clock[k] != clock[p] \
                and e - pe < tolerance:
            return False
    return True


def _greedy_linearisation(nodes: Sequence[TreeNode], tree: SpanTree) -> list[tuple[int, int]]:
    """The time order when clocks disagree with the order: greedy by Ψ's key.

    ``tree`` numbers the visible begin and end of node ``k`` as ``k``; returns the visible
    (node, class) pairs in order.
    """
    order = tree.order()
    depth = [0] * len(nodes)
    for k in _parents_first(tree.parent):
        p = tree.parent[k]
        depth[k] = depth[p] + 1 if p >= 0 else 0
    span_of: dict[int, tuple[int, int]] = {}
    for k in range(len(nodes)):
        span_of[order.begin_node[k]] = (k, _BEGIN)
        if order.end_node[k] >= 0:
            span_of[order.end_node[k]] = (k, _END)

    def key(node: int) -> tuple[int, int, int, str]:
        k, cls = span_of[node]
        if cls == _BEGIN:
            return (tree.start[k], _BEGIN, depth[k], nodes[k].id)
        end = tree.end[k]
        assert end is not None
        return (end, _END, 0, nodes[k].id)

    return [span_of[v] for v in order.greedy(key)]


__all__ = ["ORPHAN_NOTE", "SKEW_NOTE", "abstract_observed"]
