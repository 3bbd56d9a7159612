"""Validation of a captured trace into a span tree, rejecting or repairing by named policies.

A span forest (:mod:`cspotlp.mapping.forest`) needs unique ids, present parents, no cycles,
children that start within their parent's interval, spans that do not end before they start and
events within their span. Captured traces often break these. :func:`validate` either rejects the
trace with the first blocking problem (the default policy, *reject*: the exception names file,
line, trace and span, and the repair that would apply), or applies the repairs the caller names,
each reported as a :class:`~cspotlp.otlp.diagnostics.Diagnostic` of kind ``repaired``:

``drop-duplicates``
    a record that repeats an earlier record of its span id exactly (duplicate delivery) is dropped.
``split-shared``
    records sharing a span id become separate nodes: the first keeps the id, the others get
    ``<id>_2``, ``<id>_3``... A Zipkin shared span (a CLIENT and a SERVER record) becomes the
    client with the server as its child. Children of the id go to the record of their own
    service, else to the server half, else to the first record.
``synthetic-root``
    each absent parent id becomes a synthetic root span with that id (so children keep their
    parent ids), named ``absent-parent`` and spanning its children.
``break-cycles``
    on each parent cycle, the span that starts first (then smallest id) becomes a root.
``clamp-skew``
    top-down, a child's start is clamped into its parent's interval, an end before the start
    is raised to the start, and event times are clamped into their span.

Repairs never touch the spans themselves: they produce :class:`TreeNode` records (ids, parents,
times) that point back at the span they came from, so the original fields stay available.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from cspotlp.errors import (
    ClockSkew,
    DuplicateSpanId,
    MalformedInput,
    OrphanSpan,
    OtlpError,
    SpanCycle,
    SpanWhere,
)
from cspotlp.otlp.diagnostics import Diagnostic, diagnose
from cspotlp.otlp.model import (
    KIND_CLIENT,
    KIND_SERVER,
    SPAN_ID_HEX,
    TRACE_ID_HEX,
    id_problem,
    service_name,
)
from cspotlp.otlp.reader import CapturedTrace

REPAIRS: tuple[str, ...] = (
    "drop-duplicates", "split-shared", "synthetic-root", "break-cycles", "clamp-skew",
)
"""The repair policies, in the order they are applied."""

SYNTHETIC_NAME = "absent-parent"
"""The name of a span made up by ``synthetic-root`` for an absent parent."""


class TreeNode(NamedTuple):
    """One node of a validated trace, with the id, parent and times the forest will use.

    ``span_index`` is the position of its span in the trace, or -1 for a synthetic root.
    """

    id: str
    parent: str | None
    span_index: int
    name: str
    start: int
    end: int | None
    event_times: tuple[int, ...]


class ValidTrace:
    """A captured trace made into a span tree.

    ``nodes`` are the tree; ``repairs`` say what each applied repair changed (kind
    ``repaired``, ``repair`` naming the policy); :attr:`diagnostics` are those of the trace as
    read (computed when first asked for: a clean trace does not pay for them).

    ``nodes=None`` says that the trace is a span tree as it is (no repair changed anything):
    its nodes are then its spans, one for one, and are built only when first asked for
    (:attr:`clean` tells; converters can read such a trace's spans directly).
    """

    __slots__ = ("trace", "_nodes", "repairs", "_diagnostics")

    def __init__(self, trace: CapturedTrace, nodes: tuple[TreeNode, ...] | None,
                 repairs: tuple[Diagnostic, ...]) -> None:
        self.trace = trace
        self._nodes = nodes
        self.repairs = repairs
        self._diagnostics: tuple[Diagnostic, ...] | None = None

    @property
    def clean(self) -> bool:
        """True when the nodes are the spans as read, in order (nothing repaired or dropped)."""
        return self._nodes is None

    @property
    def nodes(self) -> tuple[TreeNode, ...]:
        """The nodes of the tree (see :class:`TreeNode`)."""
        if self._nodes is None:
            new = tuple.__new__
            self._nodes = tuple(new(TreeNode, (
                sp.span_id, sp.parent_span_id or None, i, sp.name, sp.start_time_unix_nano,
                sp.end_time_unix_nano or None, tuple([e.time_unix_nano for e in sp.events])))
                for i, sp in enumerate(self.trace.spans))
        return self._nodes

    @property
    def diagnostics(self) -> tuple[Diagnostic, ...]:
        """The diagnostics of the trace as read, before any repair."""
        if self._diagnostics is None:
            self._diagnostics = tuple(diagnose(self.trace))
        return self._diagnostics

    def __repr__(self) -> str:
        return f"ValidTrace({self.trace.trace_id!r}, {len(self.nodes)} nodes, {len(self.repairs)} repairs)"


class _Nodes:
    """The nodes under construction, as parallel lists (index = node number)."""

    def __init__(self, trace: CapturedTrace, keep: list[int]) -> None:
        spans = trace.spans if len(keep) == len(trace.spans) else [trace.spans[i] for i in keep]
        self.trace = trace
        self.index = keep
        self.id = [sp.span_id for sp in spans]
        self.parent: list[str | None] = [sp.parent_span_id or None for sp in spans]
        self.name = [sp.name for sp in spans]
        self.start = [sp.start_time_unix_nano for sp in spans]
        self.end: list[int | None] = [sp.end_time_unix_nano or None for sp in spans]
        self.events = [[e.time_unix_nano for e in sp.events] if sp.events else [] for sp in spans]
        self.notes: list[Diagnostic] = []

    def where(self, node: int) -> SpanWhere:
        index = self.index[node]
        if index < 0:
            return SpanWhere(self.trace.file or None, None, self.trace.trace_id, self.id[node])
        return self.trace.where(index, self.id[node])

    def note(self, policy: str, node: int, message: str) -> None:
        self.notes.append(Diagnostic("repaired", self.where(node), message, False, policy))

    def nodes(self) -> tuple[TreeNode, ...]:
        new = tuple.__new__
        return tuple(new(TreeNode, fields) for fields in zip(
            self.id, self.parent, self.index, self.name, self.start, self.end,
            map(tuple, self.events), strict=True))


def validate(trace: CapturedTrace, repairs: Iterable[str] = ()) -> ValidTrace:
    """Make ``trace`` a span tree, applying the named ``repairs`` (default: none, i.e. reject).

    Raises:
        MalformedInput: an id is empty or invalid (no repair applies).
        DuplicateSpanId, SpanCycle, OrphanSpan, ClockSkew: a blocking problem that none of the
            chosen repairs fixes; the message names the place and the repair that would.
        ValueError: an unknown repair name.
    """
    chosen = frozenset(repairs)
    unknown = sorted(chosen - set(REPAIRS))
    if unknown:
        raise ValueError(f"unknown repair(s) {', '.join(unknown)}; known: {', '.join(REPAIRS)}")
    if _is_clean(trace):  # the common case, checked in one pass
        return ValidTrace(trace, None, ())
    return _validate_repairing(trace, chosen)


def _validate_repairing(trace: CapturedTrace, chosen: frozenset[str]) -> ValidTrace:
    """:func:`validate` in general: reject, or repair by the ``chosen`` policies, step by step."""
    if _has_invalid_id(trace):
        d = next(d for d in diagnose(trace) if d.kind == "invalid-id")
        raise MalformedInput(f"{d.message}; a span with an invalid id cannot be placed in a "
                             "span tree", d.where)
    blocking = _Blocking(trace)
    keep = _drop_duplicates(trace, chosen)
    nodes = _Nodes(trace, keep)
    _dropped_notes(trace, keep, nodes)
    _split_shared(nodes, chosen, blocking)
    _synthetic_roots(nodes, chosen, blocking)
    order, position = _top_down(nodes)
    if len(order) < len(nodes.id):  # some nodes hang on a parent cycle
        _break_cycles(nodes, chosen, blocking)
        order, position = _top_down(nodes)
    _times(nodes, order, position, chosen, blocking)
    return ValidTrace(trace, nodes.nodes(), tuple(nodes.notes))


_ZERO_SPAN_ID = "0" * SPAN_ID_HEX


def _has_invalid_id(trace: CapturedTrace) -> bool:
    if id_problem(trace.trace_id, TRACE_ID_HEX):
        return bool(trace.spans)
    for sp in trace.spans:
        pid = sp.parent_span_id
        if id_problem(sp.span_id, SPAN_ID_HEX) or (pid and id_problem(pid, SPAN_ID_HEX)):
            return True
    return False


def _is_clean(trace: CapturedTrace) -> bool:
    """True when ``trace`` is a span tree as it is: nothing to reject, nothing to repair.

    That is: valid trace, span and parent ids, unique span ids, every parent present, every
    child starting inside its parent's interval, no span ending before it starts, every event
    inside its span, and no parent cycle. A cycle needs every span on it to start when its parent starts (starts never
    decrease from parent to child), so the walks looking for one follow only such links.
    The general path of :func:`validate` handles everything else, with the same result.
    """
    spans = trace.spans
    if spans and id_problem(trace.trace_id, TRACE_ID_HEX):
        return False
    position = {sp.span_id: i for i, sp in enumerate(spans)}
    if len(position) != len(spans):
        return False
    zero = _ZERO_SPAN_ID
    same_start: list[int] = []
    for i, sp in enumerate(spans):
        sid, pid = sp.span_id, sp.parent_span_id
        if len(sid) != SPAN_ID_HEX or sid == zero:  # id_problem(...) is not None, inlined
            return False
        start, end = sp.start_time_unix_nano, sp.end_time_unix_nano
        if end and end < start:
            return False
        if pid:
            if len(pid) != SPAN_ID_HEX or pid == zero:
                return False
            p = position.get(pid)
            if p is None:
                return False
            parent = spans[p]
            p_start, p_end = parent.start_time_unix_nano, parent.end_time_unix_nano
            if start < p_start or (p_end and start > p_end):
                return False
            if start == p_start:
                same_start.append(i)
        for e in sp.events:
            if e.time_unix_nano < start or (end and e.time_unix_nano > end):
                return False
    state: dict[int, int] = {}  # 1: on the current walk up, 2: known to be on no cycle
    for i in same_start:  # walk up only along links to a parent with the same start
        walk: list[int] = []
        cur: int | None = i
        while cur is not None and cur not in state:
            state[cur] = 1
            walk.append(cur)
            sp = spans[cur]
            p = position[sp.parent_span_id] if sp.parent_span_id else None
            cur = p if p is not None and \
                spans[p].start_time_unix_nano == sp.start_time_unix_nano else None
        if cur is not None and state[cur] == 1:
            return False
        for n in walk:
            state[n] = 2
    return True


class _Blocking:
    """The number of blocking diagnostics of a trace, counted only when an error needs it."""

    def __init__(self, trace: CapturedTrace) -> None:
        self.trace = trace

    def __str__(self) -> str:
        return str(sum(d.blocking for d in diagnose(self.trace)))


def _reject(error: type[OtlpError], where: SpanWhere, message: str, repair: str,
            blocking: _Blocking) -> OtlpError:
    return error(f"{message} ({blocking} blocking diagnostic(s) in this trace; the "
                 f"'{repair}' repair applies, e.g. --repair {repair})", where)


def _drop_duplicates(trace: CapturedTrace, chosen: frozenset[str]) -> list[int]:
    if "drop-duplicates" not in chosen:
        return list(range(len(trace.spans)))
    seen: set[object] = set()
    keep: list[int] = []
    for i, sp in enumerate(trace.spans):
        if sp in seen:
            continue
        seen.add(sp)
        keep.append(i)
    return keep


def _dropped_notes(trace: CapturedTrace, keep: list[int], nodes: _Nodes) -> None:
    if len(keep) == len(trace.spans):
        return
    kept = set(keep)
    for i, sp in enumerate(trace.spans):
        if i not in kept:
            nodes.notes.append(Diagnostic(
                "repaired", trace.where(i), f"dropped an exact repeat of span {sp.span_id}", False,
                "drop-duplicates"))


def _split_shared(nodes: _Nodes, chosen: frozenset[str], blocking: _Blocking) -> None:
    if len(set(nodes.id)) == len(nodes.id):
        return
    spans = nodes.trace.spans
    records: dict[str, list[int]] = {}
    for n, sid in enumerate(nodes.id):
        records.setdefault(sid, []).append(n)
    shared = {sid: ns for sid, ns in records.items() if len(ns) > 1}
    if not shared:
        return
    if "split-shared" not in chosen:
        sid, ns = next(iter(shared.items()))
        raise _reject(DuplicateSpanId, nodes.where(ns[1]), f"span id {sid} is used by {len(ns)} "
                      "spans", "split-shared", blocking)
    new_id: dict[int, str] = {}
    halves: dict[str, tuple[int, int | None, list[int]]] = {}  # id -> (primary, server, all)
    for sid, ns in shared.items():
        kinds = [spans[nodes.index[n]].kind for n in ns]
        zipkin = KIND_CLIENT in kinds and KIND_SERVER in kinds
        primary = ns[kinds.index(KIND_CLIENT)] if zipkin else ns[0]
        server = ns[kinds.index(KIND_SERVER)] if KIND_SERVER in kinds else None
        suffix = 2
        for n in ns:
            if n == primary:
                continue
            new_id[n] = f"{sid}_{suffix}"
            suffix += 1
        halves[sid] = (primary, server, ns)
    for n, fresh in new_id.items():
        sid = nodes.id[n]
        primary, _server, _ = halves[sid]
        zipkin_server = spans[nodes.index[n]].kind == KIND_SERVER and \
            spans[nodes.index[primary]].kind == KIND_CLIENT
        nodes.id[n] = fresh
        if zipkin_server:
            nodes.parent[n] = sid
            nodes.note("split-shared", n, f"server half of shared span {sid} is now {fresh}, a "
                       f"child of the client half")
        else:
            nodes.note("split-shared", n, f"record of duplicated span id {sid} is now {fresh}")
    for n, pid in enumerate(nodes.parent):
        if pid is None or pid not in halves:
            continue
        primary, server, members = halves[pid]
        if n in members:
            continue  # the server half just placed under its client half
        own = service_name(spans[nodes.index[n]].resource)
        same = [m for m in members if own is not None
                and service_name(spans[nodes.index[m]].resource) == own]
        target = same[0] if len(same) == 1 else server if server is not None else primary
        if target != primary:
            nodes.parent[n] = nodes.id[target]
            nodes.note("split-shared", n, f"child of duplicated span id {pid} now hangs under "
                       f"{nodes.id[target]}")


def _break_cycles(nodes: _Nodes, chosen: frozenset[str], blocking: _Blocking) -> None:
    position = {sid: n for n, sid in enumerate(nodes.id)}
    state: dict[int, int] = {}
    for begin in range(len(nodes.id)):
        walk: list[int] = []
        cur: int | None = begin
        while cur is not None and cur not in state:
            state[cur] = 1
            walk.append(cur)
            pid = nodes.parent[cur]
            cur = position.get(pid) if pid is not None else None
        if cur is not None and state[cur] == 1:
            members = walk[walk.index(cur):]
            cut = min(members, key=lambda m: (nodes.start[m], nodes.id[m]))
            if "break-cycles" not in chosen:
                what = "is its own parent" if len(members) == 1 else "is on a parent cycle " + \
                    " -> ".join(nodes.id[m] for m in members)
                raise _reject(SpanCycle, nodes.where(cut), f"span {nodes.id[cut]} {what}",
                              "break-cycles", blocking)
            nodes.note("break-cycles", cut, f"parent link to {nodes.parent[cut]} cut: the span "
                       "was on a parent cycle; it is now a root")
            nodes.parent[cut] = None
        for node in walk:
            state[node] = 2


def _synthetic_roots(nodes: _Nodes, chosen: frozenset[str], blocking: _Blocking) -> None:
    present = set(nodes.id)
    orphans: dict[str, list[int]] = {}
    for n, pid in enumerate(nodes.parent):
        if pid is not None and pid not in present:
            orphans.setdefault(pid, []).append(n)
    if not orphans:
        return
    if "synthetic-root" not in chosen:
        pid, ns = next(iter(orphans.items()))
        raise _reject(OrphanSpan, nodes.where(ns[0]), f"parent {pid} is not in the trace",
                      "synthetic-root", blocking)
    for pid, children in orphans.items():
        start = min(nodes.start[c] for c in children)
        end = max(max(nodes.start[c] for c in children),
                  max((e for c in children if (e := nodes.end[c]) is not None), default=start))
        nodes.index.append(-1)
        nodes.id.append(pid)
        nodes.parent.append(None)
        nodes.name.append(SYNTHETIC_NAME)
        nodes.start.append(start)
        nodes.end.append(end)
        nodes.events.append([])
        nodes.note("synthetic-root", len(nodes.id) - 1,
                   f"absent parent {pid} made a synthetic root of {len(children)} span(s)")


def _top_down(nodes: _Nodes) -> tuple[list[int], dict[str, int]]:
    """Nodes reachable from the roots, breadth-first (parents first); and id -> node.

    Every parent is present here (orphans have been handled), so a node is unreachable exactly
    when it lies on, or below, a parent cycle.
    """
    position = {sid: n for n, sid in enumerate(nodes.id)}
    children: dict[int, list[int]] = {}
    order: list[int] = []
    for n, pid in enumerate(nodes.parent):
        if pid is None:
            order.append(n)
        else:
            children.setdefault(position[pid], []).append(n)
    head = 0
    while head < len(order):
        order.extend(children.get(order[head], ()))
        head += 1
    return order, position


def _times(nodes: _Nodes, order: list[int], position: dict[str, int], chosen: frozenset[str],
           blocking: _Blocking) -> None:
    """Top-down over the tree: check (or clamp) every node against its parent, ends, events."""
    clamp = "clamp-skew" in chosen
    for n in order:  # a parent is final before its children
        pid = nodes.parent[n]
        if pid is not None:
            p = position[pid]
            lo, hi = nodes.start[p], nodes.end[p]
            start = nodes.start[n]
            fixed = max(start, lo) if hi is None else min(max(start, lo), hi)
            if fixed != start:
                _clamp_or_reject(nodes, n, clamp, blocking,
                                 f"starts at {start}, outside its parent {pid} [{lo}, {hi}]",
                                 f"start moved from {start} to {fixed}, into its parent {pid}")
                nodes.start[n] = fixed
        start, end = nodes.start[n], nodes.end[n]
        if end is not None and end < start:
            _clamp_or_reject(nodes, n, clamp, blocking, f"ends at {end}, before it starts at {start}",
                             f"end moved from {end} to {start}, its start")
            nodes.end[n] = end = start
        times = nodes.events[n]
        for k, t in enumerate(times):
            fixed = max(t, start) if end is None else min(max(t, start), end)
            if fixed != t:
                _clamp_or_reject(nodes, n, clamp, blocking, f"event {k} at {t} lies outside the span "
                                 f"[{start}, {end}]", f"event {k} moved from {t} to {fixed}")
                times[k] = fixed


def _clamp_or_reject(nodes: _Nodes, n: int, clamp: bool, blocking: _Blocking, problem: str,
                     repair: str) -> None:
    if not clamp:
        raise _reject(ClockSkew, nodes.where(n), f"span {nodes.id[n]} {problem}", "clamp-skew",
                      blocking)
    nodes.note("clamp-skew", n, repair)
