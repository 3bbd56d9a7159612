"""A compiled OTTL program and how it runs over captured spans.

A :class:`Program` is what the Collector's transform processor and filter processor configure
for traces, compiled: groups of statements, each in one context (``resource``, ``scope``,
``span``, ``spanevent``) with optional group conditions and error mode, followed by drop
conditions (the filter processor: a span or span event for which *any* condition holds is
dropped).

Semantics, as the Collector's:

* groups run one after the other over the whole batch; within a group, each item gets every
  statement in order;
* a group's ``conditions`` (if any) select the items its statements run on (any one holding);
* a statement that fails on an item (``Substring`` out of range, a value of the wrong type)
  stops the run with an :class:`~cspotlp.errors.OttlRuntimeError` naming the statement's file,
  line and column, the trace and the span (error mode ``propagate``, the default), or is
  skipped with a note (``ignore``) or silently (``silent``).

A batch is one captured trace (:meth:`Program.apply_trace`) or any list of spans
(:meth:`Program.apply_spans`, what a live receiver gets per export request). Where the
Collector's filter processor leaves the children of a dropped span orphaned, cspotlp attaches
them to the nearest ancestor it keeps, so that a trace stays a span forest for Ψ; this is the
one departure, and it is deliberate.

Runs are deterministic: the output depends only on the spans and the statements.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from cspotlp.errors import OttlBindError, OttlRuntimeError, SourceLocation
from cspotlp.otlp.model import Span
from cspotlp.otlp.reader import CapturedTrace
from cspotlp.ottl.compiler import CompiledCondition, CompiledStatement
from cspotlp.ottl.paths import EvalError
from cspotlp.ottl.state import Batch, EventState, SpanState

ERROR_MODES = ("propagate", "ignore", "silent")
"""The Collector's error modes: fail the run, note and go on, or go on quietly."""

MAX_NOTES = 20
"""Ignored errors noted per run; beyond that only a count is kept."""

_FAILURES = (EvalError, ArithmeticError, RecursionError, UnicodeError, ValueError)
"""What a statement may raise on one item's data (never on its own text: that is refused
when it is compiled)."""


@dataclass(frozen=True)
class StatementGroup:
    """Statements of one context, run in order on each item the group's conditions select."""

    context: str
    statements: tuple[CompiledStatement, ...]
    conditions: tuple[CompiledCondition, ...] = ()
    error_mode: str | None = None
    """None: the program's error mode."""
    drop: bool = False
    """A filter stage: the items for which any condition holds are dropped (no statements)."""


@dataclass
class RunNotes:
    """What a run noticed without failing: ignored statement errors (first :data:`MAX_NOTES`)."""

    lines: list[str] = field(default_factory=list)
    ignored: int = 0

    def add(self, text: str) -> None:
        """Record one ignored error."""
        self.ignored += 1
        if len(self.lines) < MAX_NOTES:
            self.lines.append(text)

    def summary(self) -> list[str]:
        """The noted lines, and a count of those left out."""
        extra = self.ignored - len(self.lines)
        return self.lines + ([f"... and {extra} more ignored OTTL errors"] if extra > 0 else [])


@dataclass(frozen=True)
class Program:
    """Compiled OTTL for traces: statement groups, then drop conditions (see module doc)."""

    groups: tuple[StatementGroup, ...] = ()
    span_drops: tuple[CompiledCondition, ...] = ()
    event_drops: tuple[CompiledCondition, ...] = ()
    error_mode: str = "propagate"

    def __post_init__(self) -> None:
        if self.error_mode not in ERROR_MODES:
            raise OttlBindError(f"unknown error_mode {self.error_mode!r}; expected one of "
                                f"{', '.join(ERROR_MODES)}")

    @property
    def empty(self) -> bool:
        """True when the program changes nothing."""
        return not (any(g.statements or (g.drop and g.conditions) for g in self.groups)
                    or self.span_drops or self.event_drops)

    def then(self, other: Program) -> Program:
        """This program followed by ``other`` (each keeps its error mode).

        This program's drop conditions become a filter stage between the two, as a filter
        processor between two transform processors of a pipeline.
        """
        def pinned(p: Program) -> tuple[StatementGroup, ...]:
            return tuple(StatementGroup(g.context, g.statements, g.conditions,
                                        g.error_mode or p.error_mode, g.drop) for g in p.groups)
        middle = tuple(StatementGroup(ctx, (), conds, self.error_mode, drop=True)
                       for ctx, conds in (("span", self.span_drops),
                                          ("spanevent", self.event_drops)) if conds)
        return Program(pinned(self) + middle + pinned(other), other.span_drops,
                       other.event_drops, self.error_mode)

    def with_error_mode(self, mode: str) -> Program:
        """This program with every group (and the drops) in error mode ``mode``."""
        groups = tuple(StatementGroup(g.context, g.statements, g.conditions, mode, g.drop)
                       for g in self.groups)
        return Program(groups, self.span_drops, self.event_drops, mode)

    def statement_count(self) -> int:
        """How many statements and conditions the program holds."""
        return (sum(len(g.statements) + len(g.conditions) for g in self.groups)
                + len(self.span_drops) + len(self.event_drops))

    # -- running -----------------------------------------------------------------------------
    def apply_spans(self, spans: Sequence[Span], notes: RunNotes | None = None) -> list[Span]:
        """The spans after the statements ran and the drop conditions dropped some.

        Children of a dropped span are attached to its nearest kept ancestor (same trace).

        Raises:
            OttlRuntimeError: a statement or condition failed in error mode ``propagate``.
        """
        return self._apply(spans, notes)[0]

    def _apply(self, spans: Sequence[Span], notes: RunNotes | None
               ) -> tuple[list[Span], list[bool] | None]:
        if self.empty or not spans:
            return list(spans), None
        notes = notes if notes is not None else RunNotes()
        batch = Batch(spans)
        final = tuple(StatementGroup(ctx, (), conds, self.error_mode, drop=True)
                      for ctx, conds in (("spanevent", self.event_drops),
                                         ("span", self.span_drops)) if conds)
        for group in (*self.groups, *final):
            if group.drop:
                self._drop(group, batch, notes)
            else:
                self._run_group(group, batch, notes)
        keep: list[bool] | None = [not st.removed for st in batch.spans]
        if all(keep or ()):
            keep = None
        out = batch.close(keep)
        if keep is not None:
            out = _reattach(out, [st.orig for st, k in zip(batch.spans, keep, strict=True)
                                  if not k])
        return out, keep

    def apply_trace(self, trace: CapturedTrace, notes: RunNotes | None = None) -> CapturedTrace:
        """One captured trace transformed (file and JSON Lines lines kept for remaining spans)."""
        if self.empty:
            return trace
        new, keep = self._apply(trace.spans, notes)
        lines = trace.lines
        if lines is not None and keep is not None:
            lines = array(lines.typecode, (ln for ln, k in zip(lines, keep, strict=True) if k))
        return CapturedTrace(trace.trace_id, tuple(new), trace.file, lines)

    def _run_group(self, group: StatementGroup, batch: Batch, notes: RunNotes) -> None:
        mode = group.error_mode or self.error_mode
        items = _items(group.context, batch)
        runs = [s.run for s in group.statements]
        conditions = [c.test for c in group.conditions]
        n = len(runs)
        for item in items:
            if conditions and not self._any(group.conditions, item, mode, notes):
                continue
            k = 0
            while k < n:
                try:
                    while k < n:
                        runs[k](item)
                        k += 1
                except _FAILURES as e:
                    _failed(group.statements[k], item, e, mode, notes)
                    k += 1

    def _any(self, conditions: Sequence[CompiledCondition], item: Any, mode: str,
             notes: RunNotes) -> bool:
        for cond in conditions:
            try:
                if cond.test(item):
                    return True
            except _FAILURES as e:
                _failed(cond, item, e, mode, notes)
        return False

    def _drop(self, group: StatementGroup, batch: Batch, notes: RunNotes) -> None:
        """A filter stage: mark the spans (or span events) any condition holds for."""
        mode = group.error_mode or self.error_mode
        for item in _items(group.context, batch):
            if self._any(group.conditions, item, mode, notes):
                if isinstance(item, SpanState):
                    item.removed = True
                else:
                    item.dropped = True


def _items(context: str, batch: Batch) -> Sequence[Any]:
    """The items a group of ``context`` runs on: those no filter stage dropped."""
    if context == "resource":
        return batch.resources
    if context == "scope":
        return batch.scopes
    if context == "span":
        return [sp for sp in batch.spans if not sp.removed]
    return [ev for sp in batch.spans if not sp.removed for ev in sp.events() if not ev.dropped]


def _describe(item: Any) -> str:
    if isinstance(item, SpanState):
        return f"trace {item.orig.trace_id}, span {item.orig.span_id}"
    if isinstance(item, EventState):
        return (f"trace {item.span.orig.trace_id}, span {item.span.orig.span_id}, event "
                f"{item.index} ({item.orig.name!r})")
    resource = getattr(item, "resource", item)
    service = next((kv.value.value for kv in resource.orig.attributes
                    if kv.key == "service.name"), None)
    what = "scope" if item is not resource else "resource"
    return f"{what} of service {service!r}" if service is not None else what


def _failed(what: CompiledStatement | CompiledCondition, item: Any, error: BaseException,
            mode: str, notes: RunNotes) -> None:
    src = what.source
    first_line = what.text.split("\n", 1)[0]
    location = SourceLocation(src.file, src.line, src.column,
                              src.line_text if src.line_text is not None else first_line)
    detail = "value nested too deeply" if isinstance(error, RecursionError) else str(error)
    err = OttlRuntimeError(f"{_describe(item)}: failed to execute statement: {what.text}: "
                           f"{detail}", location)
    if mode == "propagate":
        raise err from error
    if mode == "ignore":
        notes.add(str(err))


def _reattach(spans: list[Span], dropped: Sequence[Span]) -> list[Span]:
    """Children of dropped spans get the nearest kept ancestor as parent (within a trace)."""
    parent_of = {(s.trace_id, s.span_id): s.parent_span_id for s in dropped}
    out: list[Span] = []
    for s in spans:
        parent = s.parent_span_id
        seen = 0
        while (s.trace_id, parent) in parent_of and seen <= len(parent_of):
            parent = parent_of[(s.trace_id, parent)]
            seen += 1  # a cycle among dropped spans cannot loop forever
        out.append(s if parent == s.parent_span_id else s._replace(parent_span_id=parent))
    return out


TraceTransform = Callable[[CapturedTrace], CapturedTrace]

__all__ = ["ERROR_MODES", "MAX_NOTES", "Program", "RunNotes", "StatementGroup",
           "TraceTransform"]
