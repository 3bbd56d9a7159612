r"""Captured traces as a CSPm script for FDR4 (``cspotlp otlp2cspm``).

:func:`export_cspm` is a pure function: abstract traces (:mod:`cspotlp.mapping.abstraction`)
in, CSPm text and a JSON-ready *sidecar* out, byte-for-byte the same on every run. The script:

* stores the abstraction (as JSON in comments) and lists every label with its CSPm name;
* without a specification, declares the alphabet itself: ``datatype Label = ...`` and
  ``channel call, ret, error : Label`` (with ``.Attr_1.Attr_2...`` fields when the abstraction
  picks data attributes, each ``datatype Attr_k`` holding the values seen);
* with a specification, ``include``\ s it (path relative to the output file) and uses *its*
  declarations — the contract of :mod:`cspotlp.mapping.alphabet`: the specification declares
  channels named as the abstraction's events (``call``, ``ret``, ``error``) whose first field
  is a datatype of label constructors (named by :func:`~cspotlp.mapping.cspm_names.label_ident`)
  and whose further fields carry the data. An observed event the specification's alphabet
  lacks is written on the exporter's own channel ``unexpected`` (constructors ``U_...``), so
  the script still type-checks; the assertions check ``Obs_SPEC``, the specification with
  ``unexpected`` (and the exporter's other channels) blocked, so that the refinement fails at
  such an event even when the specification accepts every member of ``Events``;
* defines one process per distinct captured trace, ``Trace_k``, whose traces are exactly the
  prefixes of the linearisations of the trace's partial order (:mod:`cspotlp.export.cspm_order`:
  concurrent spans as ``|||`` inside their parent's call ... ret), and ``OBSERVED``, their
  external choice, so that ``Obs_SPEC [T= OBSERVED`` holds iff *every* order of every captured
  trace is a trace of SPEC (``cspotlp conform --all-orders``); and per distinct trace the
  assertion ``not STOP [T= Obs_SomeOrder(Trace_k)``, which holds iff *some* order of it is
  (``cspotlp conform``): the trace runs in lockstep with the specification on every event,
  hidden, and signals ``obs_done`` at its end (the process being checked stays on the right
  of ``[T=``, explored on the fly, not normalised);
* with ``sequential=True`` (or for traces without an order), the time order only, as before:
  ``OBSERVED`` is every captured trace merged into one deterministic prefix tree, whose traces
  are exactly the prefixes of the captured ones (``cspotlp conform --sequential``). Only
  branching points and every ``CHAIN``-th event of a long chain get a process name
  (``Obs_k``), so the text grows linearly with the input and no expression nests deeply;
* with ``per_trace``, asserts every order of each trace on its own (``Obs_SPEC [T= Trace_k``).

Names are injective and cannot break the script: labels and data become identifiers through
:mod:`cspotlp.mapping.cspm_names`; everything else the input controls (span names, file names,
abstraction rules) appears only in comments, JSON-escaped with ``-`` next to ``{``, ``}`` or
``-`` written as ``\u002d``, so no ``{-``, ``-}`` or newline can end a comment early.

The sidecar (written as ``OUT.csp.json`` by the CLI) maps the script back to the capture: the
abstraction, each label's CSPm name with its (trace id, span id) occurrences, and each trace's
events with the span each came from (and its order); :func:`spans_of_counterexample` uses it to
point an FDR counterexample — in any order the trace allows — at real spans.
"""

from __future__ import annotations

import json
import re
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from cspotlp.csp.events import Event
from cspotlp.errors import ExportError
from cspotlp.export.cspm_order import trace_process
from cspotlp.mapping.abstraction import AbstractEvent, Abstraction, AbstractTrace
from cspotlp.mapping.alphabet import EventBinding, FieldDomains
from cspotlp.mapping.cspm_names import EXPORT_NAMES, data_ident, escape, label_ident
from cspotlp.mapping.event_order import SpanTree
from cspotlp.mapping.linearisations import SequenceAutomaton, search

CHAIN = 16
"""Events per line of a chain in the prefix tree before a fresh process name is introduced."""

SIDECAR_FORMAT = "cspotlp-cspm-map/2"
"""Version 2 adds each trace's process and the order of its events (``order``)."""
SIDECAR_FORMATS = ("cspotlp-cspm-map/1", SIDECAR_FORMAT)
"""The sidecar versions ``locate`` reads (version 1: every trace in its time order)."""


@dataclass(frozen=True)
class SpecRef:
    """The specification an export refers to.

    ``include`` is the path written in the ``include`` line (relative to the exported script);
    ``channels`` and ``names`` come from :func:`cspotlp.export.cspm_spec.read_spec_interface`
    (or an evaluated script).
    """

    include: str
    process: str
    channels: Mapping[str, FieldDomains]
    names: frozenset[str] = frozenset()


@dataclass(frozen=True)
class CspmExport:
    """The script text and its sidecar (a JSON-ready dict)."""

    text: str
    sidecar: dict[str, Any] = field(default_factory=dict)
    unexpected: int = 0
    """How many observed events are outside the specification's alphabet (on ``unexpected``)."""


def export_cspm(traces: Sequence[AbstractTrace], abstraction: Abstraction, *,
                spec: SpecRef | None = None, per_trace: bool = False,
                sources: Sequence[str] = (), notes: Sequence[str] = (),
                sequential: bool = False) -> CspmExport:
    """The CSPm script of ``traces`` (see the module docstring).

    Args:
        traces: abstract traces, in the order they should appear.
        abstraction: the abstraction that produced them (stored in the script).
        spec: the specification to include and assert against, if any.
        per_trace: also assert every order of each trace on its own.
        sources: the trace files, named in the header comment.
        notes: more lines for the header comment (e.g. traces left out, and why).
        sequential: write each trace's time order only (as one prefix tree), not its
            partial order.

    Raises:
        ExportError: the spec's include path cannot be written, or its names clash with the
            names the export uses.
    """
    binding = EventBinding(abstraction, None if spec is None else spec.channels)
    if spec is not None:
        _check_spec(spec)
    texts = _event_texts(traces, binding)
    out = _Writer()
    _header(out, traces, abstraction, spec, sources, notes, sequential)
    if spec is None:
        _declare_alphabet(out, traces, abstraction, binding)
    else:
        out.line(f'include "{spec.include}"')
        out.blank()
        _declare_unexpected(out, texts)
        _label_comments(out, traces, binding)
    if sequential:
        _prefix_tree(out, traces, texts)
        names = _per_trace(out, traces, texts) if per_trace else []
        processes = names
    else:
        processes = _ordered_traces(out, traces, texts)
        names = processes if per_trace else []
    if spec is not None:
        _assertions(out, spec, traces, texts, processes, names, sequential)
    unexpected = sum(text.startswith("unexpected.") for row in texts for text in row)
    return CspmExport(out.text(), _sidecar(traces, abstraction, binding, texts, processes,
                                           sequential), unexpected)


# -- text helpers ---------------------------------------------------------------------------


class _Writer:
    def __init__(self) -> None:
        self._lines: list[str] = []

    def line(self, text: str = "") -> None:
        self._lines.append(text)

    def blank(self) -> None:
        if self._lines and self._lines[-1] != "":
            self._lines.append("")

    def text(self) -> str:
        while self._lines and self._lines[-1] == "":
            self._lines.pop()
        return "\n".join(self._lines) + "\n"


_DASH = re.compile(r"(?<=[{}-])-|-(?=[{}-])")


def _safe(value: object) -> str:
    """Comment-safe text of ``value``: JSON with non-ASCII escaped and no ``{-``/``-}``/``--``."""
    text = value if isinstance(value, str) and _is_plain_comment(value) else json.dumps(
        value, ensure_ascii=True)
    return _DASH.sub(r"\\u002d", text)


def _json_comment(value: object) -> str:
    """Comment-safe JSON text of ``value``."""
    return _DASH.sub(r"\\u002d", json.dumps(value, ensure_ascii=True))


def _is_plain_comment(text: str) -> bool:
    return all(32 <= ord(c) < 127 for c in text) and '"' not in text


def _comment_block(out: _Writer, title: str, body: str) -> None:
    out.line(f"-- {title}")
    for line in body.splitlines():
        out.line("--   " + _DASH.sub(r"\\u002d", line))


# -- declarations ---------------------------------------------------------------------------


def _header(out: _Writer, traces: Sequence[AbstractTrace], abstraction: Abstraction,
            spec: SpecRef | None, sources: Sequence[str], notes: Sequence[str],
            sequential: bool) -> None:
    events = sum(len(t.events) for t in traces)
    out.line("-- Captured OpenTelemetry traces as CSPm (written by cspotlp otlp2cspm).")
    out.line(f"-- {len(traces)} trace(s), {events} abstract event(s), "
             + ("in time order (sequential)." if sequential else
                "each as the partial order of its events."))
    for s in sources:
        out.line(f"-- source: {_safe(s)}")
    if spec is not None:
        out.line(f"-- specification: {_safe(spec.include)}, process {spec.process}")
    for note in notes:
        out.line(f"-- note: {_safe(note)}")
    out.line("-- Each event maps back to its spans: see the trace comments and the sidecar "
             "JSON.")
    _comment_block(out, "abstraction (JSON):", json.dumps(abstraction.to_json(), indent=1,
                                                          ensure_ascii=True))
    out.blank()


def _labels_in_order(traces: Sequence[AbstractTrace], binding: EventBinding) -> list[str]:
    """Distinct labels sorted by their CSPm name."""
    labels = {ev.label for t in traces for ev in t.events}
    return sorted(labels, key=lambda lab: binding.label_value(lab).ctor)


def _label_comments(out: _Writer, traces: Sequence[AbstractTrace], binding: EventBinding) -> None:
    labels = _labels_in_order(traces, binding)
    if not labels:
        return
    out.line("-- labels (CSPm name = label):")
    for lab in labels:
        out.line(f"--   {binding.label_value(lab).ctor} = {_json_comment(lab)}")
    out.blank()


def _declare_alphabet(out: _Writer, traces: Sequence[AbstractTrace], abstraction: Abstraction,
                      binding: EventBinding) -> None:
    _label_comments(out, traces, binding)
    labels = _labels_in_order(traces, binding)
    ctors = [binding.label_value(lab).ctor for lab in labels] or [label_ident("")]
    if not labels:
        out.line("-- no events were observed; L_ (the empty label) keeps the datatype non-empty")
    out.line("datatype Label = " + " | ".join(ctors))
    fields = ["Label"]
    for k in range(1, len(abstraction.data) + 1):
        values = sorted({data_ident(k, ev.data[k - 1]) for t in traces for ev in t.events}) \
            or [data_ident(k, None)]
        out.line(f"-- Attr_{k}: values of {_safe(abstraction.data[k - 1])}")
        out.line(f"datatype Attr_{k} = " + " | ".join(values))
        fields.append(f"Attr_{k}")
    out.line(f"channel {', '.join(abstraction.channels)} : {'.'.join(fields)}")
    out.blank()


def _check_spec(spec: SpecRef) -> None:
    bad = [c for c in spec.include if c in '"\\' or ord(c) < 32 or ord(c) == 127]
    if bad:
        raise ExportError(f"cannot write the include path {spec.include!r} in CSPm (it holds "
                          f"{bad[0]!r}); move the specification to a simpler path")
    if spec.process not in spec.names:
        raise ExportError(f"the specification does not define the process {spec.process!r}")
    clash = sorted(n for n in spec.names if n in EXPORT_NAMES - {"call", "ret", "error", "Label"}
                   or re.match(r"(Obs|obs|Trace|U)_", n))
    if clash:
        raise ExportError(f"the specification declares {clash[0]!r}, a name the export uses; "
                          "rename it in the specification")


def _unexpected_ctor(ev: AbstractEvent) -> str:
    parts = [escape(ev.channel), escape(ev.label)]
    parts.extend(data_ident(k, v) for k, v in enumerate(ev.data, 1))
    return "U_" + "_Z".join(parts)


def _declare_unexpected(out: _Writer, texts: list[list[str]]) -> None:
    odd = sorted({text for row in texts for text in row if text.startswith("unexpected.")})
    if not odd:
        return
    out.line("-- Observed events the specification's alphabet does not hold (so it can never")
    out.line("-- perform them): U_<channel>_Z<label>[_Z<data>...], escaped as label names are.")
    out.line("datatype Unexpected = " + " | ".join(t.removeprefix("unexpected.") for t in odd))
    out.line("channel unexpected : Unexpected")
    out.blank()


def _event_texts(traces: Sequence[AbstractTrace], binding: EventBinding) -> list[list[str]]:
    """The CSPm text of every event, trace by trace (memoised per distinct abstract event)."""
    memo: dict[tuple[str, str, tuple[object, ...]], str] = {}
    out: list[list[str]] = []
    for t in traces:
        row: list[str] = []
        for ev in t.events:
            key = (ev.channel, ev.label, ev.data)
            text = memo.get(key)
            if text is None:
                bound: Event | None = binding.event(ev)
                text = bound.name if bound is not None else \
                    f"unexpected.{_unexpected_ctor(ev)}"
                memo[key] = text
            row.append(text)
        out.append(row)
    return out


# -- processes ------------------------------------------------------------------------------


def _prefix_tree(out: _Writer, traces: Sequence[AbstractTrace], texts: list[list[str]]) -> None:
    """``OBSERVED``: the captured traces merged into one deterministic tree."""
    children: list[dict[str, int]] = [{}]
    for row in texts:
        node = 0
        for text in row:
            nxt = children[node].get(text)
            if nxt is None:
                nxt = len(children)
                children[node][text] = nxt
                children.append({})
            node = nxt
    out.line("-- The captured traces as one deterministic prefix tree: its traces are exactly")
    out.line("-- the prefixes of the captured ones, so SPEC [T= OBSERVED holds iff every")
    out.line("-- captured trace is a trace of SPEC.")
    out.line("OBSERVED = Obs_0")
    names = {0: "Obs_0"}
    todo = deque([0])  # breadth first: nodes are written in the order they were named
    while todo:
        start = todo.popleft()
        out.line(f"{names[start]} = {_node_body(start, children, names, todo)}")
    out.blank()


def _node_body(start: int, children: list[dict[str, int]], names: dict[int, str],
               todo: deque[int]) -> str:
    """The body of a named node: a chain of prefixes ending in STOP, a choice or a name."""
    def name_of(node: int) -> str:
        if node not in names:
            names[node] = f"Obs_{len(names)}"
            todo.append(node)
        return names[node]

    prefix: list[str] = []
    node = start
    while True:
        kids = children[node]
        if not kids:
            return "".join(prefix) + "STOP"
        if len(kids) > 1:
            if prefix:  # the choice gets its own name so that each line stays one shape
                return "".join(prefix) + name_of(node)
            branches = [f"{text} -> {name_of(kid)}" for text, kid in kids.items()]
            return " [] ".join(branches)
        if len(prefix) == CHAIN:
            return "".join(prefix) + name_of(node)
        (text, kid), = kids.items()
        prefix.append(f"{text} -> ")
        node = kid


def _per_trace(out: _Writer, traces: Sequence[AbstractTrace], texts: list[list[str]]) -> list[str]:
    names: list[str] = []
    out.line("-- One process per captured trace.")
    for k, (trace, row) in enumerate(zip(traces, texts, strict=True), 1):
        name = f"Trace_{k}"
        names.append(name)
        where = f" ({_safe(trace.file)})" if trace.file else ""
        out.line(f"-- trace {_safe(trace.trace_id)}{where}: {len(row)} event(s)")
        chunks = [row[i:i + CHAIN] for i in range(0, len(row), CHAIN)] or [[]]
        for j, chunk in enumerate(chunks):
            head = name if j == 0 else f"{name}_{j}"
            tail = "STOP" if j == len(chunks) - 1 else f"{name}_{j + 1}"
            out.line(f"{head} = " + "".join(f"{t} -> " for t in chunk) + tail)
    out.blank()
    return names


def _ordered_traces(out: _Writer, traces: Sequence[AbstractTrace], texts: list[list[str]]
                    ) -> list[str]:
    """One process per distinct trace (its partial order), and ``OBSERVED``; their names."""
    bodies: dict[str, str] = {}  # definitions with the name left open -> process name
    names: list[str] = []
    blocks: list[list[str]] = []
    repeats: dict[str, int] = {}
    forks = group = joins = 0
    for trace, row in zip(traces, texts, strict=True):
        if trace.tree is not None:
            proc = trace_process(trace.tree, row, _PLACEHOLDER)
            lines = proc.lines
            forks, group = max(forks, proc.forks), max(group, proc.group)
            joins = max(joins, proc.joins)
        else:  # a trace without an order: its events in the order listed
            lines = _chain(row, _PLACEHOLDER)
        key = "\n".join(lines)
        name = bodies.get(key)
        if name is None:
            name = bodies[key] = f"Trace_{len(bodies) + 1}"
            where = f" ({_safe(trace.file)})" if trace.file else ""
            blocks.append([f"-- trace {_safe(trace.trace_id)}{where}: {len(row)} event(s)",
                           *(line.replace(_PLACEHOLDER, name) for line in lines)])
        else:
            repeats[name] = repeats.get(name, 0) + 1
        names.append(name)
    for name, count in repeats.items():
        blocks[int(name.removeprefix("Trace_")) - 1][0] += \
            f" (and {count} more trace(s) with this order: see the sidecar)"
    if forks:
        out.line("-- Hidden events of the processes below: a child its parent did not wait for")
        out.line("-- runs apart from it, started by obs_fork.j.")
        out.line(f"channel obs_fork : {{0..{forks - 1}}}")
    if group:
        out.line("-- Hidden events of the processes below: siblings ordered as an interval order")
        out.line("-- that is neither series nor parallel start and finish through a controller"
                 + ("" if joins else "."))
        if joins:
            out.line("-- (obs_join.k: the first siblings to finish have finished).")
        out.line(f"channel obs_start, obs_finish : {{0..{group - 1}}}")
        if joins:
            out.line(f"channel obs_join : {{0..{joins - 1}}}")
    out.blank()
    out.line("-- Each captured trace as the partial order of its events: concurrent spans are")
    out.line("-- interleaved (|||) inside their parent's call ... ret; the traces of Trace_k")
    out.line("-- are the prefixes of every order of the captured trace that its order allows.")
    for block in blocks:
        for line in block:
            out.line(line)
    out.blank()
    out.line("-- Their traces, without the termination each process ends with:")
    _choice(out, "OBSERVED", sorted(set(names), key=lambda n: int(n.removeprefix("Trace_"))),
            " ; STOP")
    out.blank()
    return names


_PLACEHOLDER = "Trace_0x"
"""The name a trace's definitions are written with before they get theirs (no CSPm name
the export writes contains it)."""


def _chain(row: Sequence[str], name: str) -> list[str]:
    chunks = [row[i:i + CHAIN] for i in range(0, len(row), CHAIN)] or [[]]
    lines: list[str] = []
    for j, chunk in enumerate(chunks):
        head = name if j == 0 else f"{name}_{j}"
        tail = "SKIP" if j == len(chunks) - 1 else f"{name}_{j + 1}"
        lines.append(f"{head} = " + "".join(f"{t} -> " for t in chunk) + tail)
    return lines


def _choice(out: _Writer, name: str, options: Sequence[str], then: str = "") -> None:
    """``name`` as the external choice of ``options``, at most CHAIN per line, then ``then``."""
    if not options:
        out.line(f"{name} = STOP")
        return
    level = list(options)
    counter = 0
    while len(level) > CHAIN:
        nxt: list[str] = []
        for i in range(0, len(level), CHAIN):
            counter += 1
            part = f"Obs_Choice_{counter}"
            out.line(f"{part} = " + " [] ".join(level[i:i + CHAIN]))
            nxt.append(part)
        level = nxt
    choice = " [] ".join(level)
    out.line(f"{name} = " + (f"({choice}){then}" if then and len(level) > 1 else
                             f"{choice}{then}"))


def _assertions(out: _Writer, spec: SpecRef, traces: Sequence[AbstractTrace],
                texts: list[list[str]], processes: Sequence[str], per_trace: Sequence[str],
                sequential: bool) -> None:
    blocked = [c for c, used in (("unexpected", _has_unexpected(texts)),
                                 ("obs_done", not sequential)) if used]
    target = spec.process
    if not sequential:
        out.line("-- Marks the end of a captured trace (Obs_SomeOrder below).")
        out.line("channel obs_done")
    if blocked:
        out.line("-- The specification, unable to perform the exporter's own events (so an")
        out.line("-- observed event outside its alphabet fails even if it accepts all of Events).")
        out.line(f"Obs_SPEC = {spec.process} [| {{| {', '.join(blocked)} |}} |] SKIP")
        target = "Obs_SPEC"
    out.blank()
    if sequential:
        out.line("-- Every captured trace, in its time order, is a trace of the specification:")
    else:
        out.line("-- Every order of every captured trace is a trace of the specification")
        out.line("-- (cspotlp conform --all-orders):")
    out.line(f"assert {target} [T= OBSERVED")
    ended = "" if sequential else " ; STOP"
    if per_trace:
        out.line("-- ... of each captured trace on its own:")
    seen: set[str] = set()
    for name, trace in zip(per_trace, traces, strict=False):  # per_trace is empty or complete
        if name not in seen:
            seen.add(name)
            out.line(f"assert {target} [T= {name}{ended}  -- trace {_safe(trace.trace_id)}")
    if sequential:
        return
    out.blank()
    out.line("-- Some order of each captured trace is a trace of the specification (cspotlp")
    out.line("-- conform): the trace runs in lockstep with the specification on every event,")
    out.line("-- hidden, and then signals obs_done. So Obs_SomeOrder(T) can do obs_done -- and")
    out.line("-- STOP does not refine it -- exactly when some order of T is a trace of it.")
    out.line(f"Obs_SomeOrder(T) = ({target} [| diff(Events, {{obs_done}}) |] "
             "(T ; obs_done -> STOP)) \\ diff(Events, {obs_done})")
    first: dict[str, str] = {}
    for name, trace in zip(processes, traces, strict=True):
        first.setdefault(name, trace.trace_id)
    for name in sorted(first, key=lambda n: int(n.removeprefix("Trace_"))):
        out.line(f"assert not STOP [T= Obs_SomeOrder({name})  -- trace {_safe(first[name])}")


def _has_unexpected(texts: list[list[str]]) -> bool:
    return any(text.startswith("unexpected.") for row in texts for text in row)


# -- the sidecar ----------------------------------------------------------------------------


def _sidecar(traces: Sequence[AbstractTrace], abstraction: Abstraction, binding: EventBinding,
             texts: list[list[str]], names: list[str], sequential: bool) -> dict[str, Any]:
    labels: dict[str, dict[str, Any]] = {}
    for t in traces:
        for ev in t.events:
            if ev.channel != abstraction.call:
                continue  # one occurrence per span: its call
            ident = binding.label_value(ev.label).ctor
            entry = labels.setdefault(ident, {"label": ev.label, "spans": []})
            entry["spans"].append([ev.trace_id, ev.span_id])
    out: list[dict[str, Any]] = []
    for k, (t, row) in enumerate(zip(traces, texts, strict=True)):
        entry = {"trace_id": t.trace_id, "file": t.file,
                 **({"process": names[k]} if names else {}),
                 "events": [[text, ev.span_id, ev.span_name, ev.service]
                            for text, ev in zip(row, t.events, strict=True)]}
        if t.tree is not None and not sequential:
            entry["order"] = _tree_json(t.tree)
        out.append(entry)
    return {
        "format": SIDECAR_FORMAT,
        "abstraction": abstraction.to_json(),
        "orders": "sequential" if sequential else "partial",
        "labels": {k: labels[k] for k in sorted(labels)},
        "traces": out,
    }


def _tree_json(tree: SpanTree) -> dict[str, Any]:
    return {"tolerance": tree.tolerance, "parent": list(tree.parent), "start": list(tree.start),
            "end": list(tree.end), "begin_event": list(tree.begin_event),
            "end_event": list(tree.end_event)}


_ORDER_KEYS = ("parent", "start", "end", "begin_event", "end_event")


def order_problem(doc: object, events: int) -> str | None:
    """What makes ``doc`` not the order of a trace of ``events`` events, or None.

    An order is ``{"tolerance", "parent", "start", "end", "begin_event", "end_event"}``: a span
    tree (parents earlier in no particular order, but present and acyclic), integer times
    (``end`` may be null), and each of the events numbered once by a begin or an end.
    """
    if not isinstance(doc, dict):
        return "not an object"
    tolerance = doc.get("tolerance")
    if not isinstance(tolerance, int) or isinstance(tolerance, bool) or tolerance < 0:
        return "'tolerance' is not a non-negative integer"
    lists: list[list[Any]] = []
    for key in _ORDER_KEYS:
        value = doc.get(key)
        if not isinstance(value, list):
            return f"{key!r} is not a list"
        lists.append(value)
    n = len(lists[0])
    if any(len(x) != n for x in lists):
        return f"{', '.join(_ORDER_KEYS)} must have one entry per span"
    parent, start, end, begin, finish = lists
    if not all(_is_int(x) for x in [*parent, *start, *begin, *finish]) or \
            not all(x is None or _is_int(x) for x in end):
        return "entries must be integers (end: an integer or null)"
    if any(not -1 <= p < n for p in parent):
        return "a parent is not a span of the order"
    numbered = sorted(e for e in [*begin, *finish] if e != -1)
    if numbered != list(range(events)) or any(e < -1 for e in [*begin, *finish]):
        return f"the begins and ends do not number the {events} event(s) once each"
    if any(f >= 0 and end[k] is None for k, f in enumerate(finish)):
        return "an open span has an end event"
    seen = [p < 0 for p in parent]  # a walk up from every span reaches a root
    for k in range(n):
        walk, cur = set(), k
        while not seen[cur]:
            if cur in walk:
                return "the parents form a cycle"
            walk.add(cur)
            cur = parent[cur]
        for w in walk:
            seen[w] = True
    return None


def _is_int(x: object) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)


def _tree_of(doc: Mapping[str, Any]) -> SpanTree | None:
    """The span tree a sidecar stores (None when it holds no valid one)."""
    events = sum(e >= 0 for e in doc.get("begin_event", [])) + \
        sum(e >= 0 for e in doc.get("end_event", [])) if isinstance(doc, dict) else 0
    if order_problem(doc, events) is not None:
        return None
    return SpanTree(doc["parent"], doc["start"], doc["end"], doc["begin_event"],
                    doc["end_event"], doc["tolerance"])


def spans_of_counterexample(sidecar: Mapping[str, Any], events: Sequence[str]
                            ) -> list[dict[str, Any]]:
    """The captured traces that performed ``events`` (an FDR counterexample), with their spans.

    Each result is ``{"trace_id", "file", "spans": [[event, span id, span name, service], ...]}``
    for the traces that can start with ``events`` — in an order their partial order allows,
    when the sidecar stores it, else in time order; the spans are listed in the order of
    ``events``, and the last one is the one that made the offending event.
    """
    wanted = list(events)
    found: list[dict[str, Any]] = []
    for t in sidecar.get("traces", []):
        row = t["events"]
        if len(row) < len(wanted):
            continue
        order = t.get("order")
        tree = _tree_of(order) if isinstance(order, Mapping) else None
        if tree is None:
            match = list(range(len(wanted))) \
                if [r[0] for r in row[:len(wanted)]] == wanted else None
        else:
            match = _prefix_of_some_order(tree, [r[0] for r in row], wanted)
        if match is not None:
            found.append({"trace_id": t["trace_id"], "file": t.get("file", ""),
                          "spans": [row[i] for i in match]})
    return found


def _prefix_of_some_order(tree: SpanTree, texts: Sequence[str], wanted: Sequence[str]
                          ) -> list[int] | None:
    """The events (indices) that perform ``wanted`` first in some order, or None."""
    number: dict[str, int] = {}
    codes = [number.setdefault(text, len(number)) for text in texts]
    if any(w not in number for w in wanted) or tree.order().events != len(texts):
        return None
    seq = SequenceAutomaton([number[w] for w in wanted], then=range(len(number)))
    outcome = search(tree.order(), codes, seq, "some")
    return list(outcome.path[:len(wanted)]) if outcome.verdict == "pass" else None


__all__ = ["CHAIN", "SIDECAR_FORMAT", "SIDECAR_FORMATS", "CspmExport", "SpecRef", "export_cspm",
           "order_problem", "spans_of_counterexample"]
