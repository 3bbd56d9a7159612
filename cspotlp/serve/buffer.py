"""Assembling live spans into traces, and deciding when a trace is ready to be checked.

Spans arrive in any order, a trace spread over many requests (each service exports its own
spans). A :class:`TraceBuffer` holds the spans of every trace not yet checked and releases a
trace as a :class:`Release` when

* its root has ended (OTLP exports only ended spans, so: a span without parent has arrived) and
  no span of it has arrived for ``trace_timeout`` seconds — a *complete* trace;
* ``max_trace_wait`` seconds have passed since its first span (no root yet, or spans still
  trickling in) — checked as it is and marked *incomplete*;
* the buffer is over ``max_buffered_spans``: the oldest waiting traces are checked as they are,
  marked *incomplete* (memory stays bounded; nothing is dropped silently);
* :meth:`TraceBuffer.drain` is called (shutdown): a trace whose root has ended is complete,
  the others incomplete.

A span arriving for a trace already checked is *late*: the trace is reopened with the spans of
the earlier check (when they are still kept, see ``keep_checked``) and released again by the
same rules, flagged ``late``. If those spans are no longer kept, the re-check is incomplete.

The buffer knows nothing of the network or of the specification: times are passed in (so tests
drive it with a fake clock) and releases are returned, not acted on.

>>> from cspotlp.otlp import Span
>>> buf = TraceBuffer(trace_timeout=5.0)
>>> root = Span("ab" * 16, "01" * 8, "", "GET /", 2, 10, 20)
>>> buf.add([root], now=0.0)
[]
>>> buf.due(now=4.0), [r.reason for r in buf.due(now=5.0)]
([], ['complete'])
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from cspotlp.otlp.model import Span

Reason = Literal["complete", "max-trace-wait", "buffer-full", "shutdown"]
"""Why a trace left the buffer; every reason but ``complete`` makes the verdict incomplete."""

INCOMPLETE_REASONS: dict[str, str] = {
    "max-trace-wait": "still waiting for its root span, or for spans to stop arriving, "
                      "after --max-trace-wait",
    "buffer-full": "checked early to keep within --max-buffered-spans",
    "shutdown": "the receiver stopped before the root span arrived",
    "earlier-spans-gone": "late spans arrived after the spans of the earlier check were "
                          "released (--keep-checked-traces, --max-buffered-spans)",
}
"""What each incomplete verdict's ``incomplete`` field says."""

CHECKED_IDS_KEPT = 1 << 17
"""How many checked trace ids are remembered to recognise late spans (oldest forgotten first)."""


@dataclass
class _Waiting:
    spans: list[Span]
    first_seen: float
    last_seen: float
    has_root: bool
    late_spans: int = 0
    previous: str | None = None
    earlier_spans_gone: bool = False


@dataclass(frozen=True)
class Release:
    """A trace leaving the buffer to be checked.

    Attributes:
        trace_id: its id.
        spans: its spans in arrival order (for a late trace: the earlier ones first).
        reason: why now (see :data:`Reason`).
        due: when it became ready: last span + ``trace_timeout`` for a complete trace, the
            current time otherwise (the check latency is measured from here).
        late_spans: spans that arrived after an earlier check (0 for a first check).
        previous: the verdict of the earlier check, for a late trace.
        incomplete: why the verdict is incomplete (None for a complete trace).
    """

    trace_id: str
    spans: tuple[Span, ...]
    reason: Reason
    due: float
    late_spans: int = 0
    previous: str | None = None
    incomplete: str | None = field(default=None)

    @property
    def late(self) -> bool:
        """True for the re-check of a trace that had been checked before."""
        return self.previous is not None


class TraceBuffer:
    """Spans waiting to be checked, and the spans of recent checks (see the module docstring).

    Args:
        trace_timeout: quiet seconds after the root has ended before a trace is complete.
        max_trace_wait: seconds after its first span when a trace is released regardless.
        max_buffered_spans: bound on spans held, waiting and kept together.
        keep_checked: checked traces whose spans are kept (late re-checks, trace pages).
    """

    def __init__(self, trace_timeout: float = 5.0, max_trace_wait: float = 60.0,
                 max_buffered_spans: int = 1_000_000, keep_checked: int = 1_000) -> None:
        self.trace_timeout = trace_timeout
        self.max_trace_wait = max_trace_wait
        self.max_buffered_spans = max_buffered_spans
        self.keep_checked = keep_checked
        self._waiting: dict[str, _Waiting] = {}          # in order of first span
        self._active: OrderedDict[str, None] = OrderedDict()  # rooted, by last activity
        self._kept: OrderedDict[str, tuple[Span, ...]] = OrderedDict()  # checked, oldest first
        self._verdicts: OrderedDict[str, str] = OrderedDict()  # checked id -> last verdict
        self.waiting_spans = 0
        self.kept_spans = 0

    # -- state -----------------------------------------------------------------------------

    @property
    def buffered_spans(self) -> int:
        """Spans held: waiting plus kept."""
        return self.waiting_spans + self.kept_spans

    @property
    def waiting_traces(self) -> int:
        """Traces not yet checked."""
        return len(self._waiting)

    def kept(self, trace_id: str) -> tuple[Span, ...] | None:
        """The spans of a checked trace, while they are kept."""
        return self._kept.get(trace_id)

    # -- input -----------------------------------------------------------------------------

    def add(self, spans: Iterable[Span], now: float) -> list[Release]:
        """Take spans in; returns the traces pushed out to keep within the span bound."""
        waiting = self._waiting
        active = self._active
        for sp in spans:
            tid = sp.trace_id
            w = waiting.get(tid)
            if w is None:
                w = waiting[tid] = self._open(tid, now)
            w.spans.append(sp)
            w.last_seen = now
            if w.previous is not None:
                w.late_spans += 1
            if not sp.parent_span_id:
                w.has_root = True
            if w.has_root:
                active[tid] = None
                active.move_to_end(tid)
            self.waiting_spans += 1
        return self._bound(now)

    def _open(self, trace_id: str, now: float) -> _Waiting:
        previous = self._verdicts.get(trace_id)
        if previous is None:
            return _Waiting([], now, now, False)
        earlier = self._kept.pop(trace_id, None)
        if earlier is None:
            return _Waiting([], now, now, False, previous=previous, earlier_spans_gone=True)
        self.kept_spans -= len(earlier)
        self.waiting_spans += len(earlier)
        return _Waiting(list(earlier), now, now, any(not s.parent_span_id for s in earlier),
                        previous=previous)

    def _bound(self, now: float) -> list[Release]:
        limit = self.max_buffered_spans
        while self.buffered_spans > limit and self._kept:
            _tid, spans = self._kept.popitem(last=False)
            self.kept_spans -= len(spans)
        out = []
        while self.waiting_spans > limit and self._waiting:
            tid = next(iter(self._waiting))
            out.append(self._release(tid, "buffer-full", now))
        return out

    # -- output ----------------------------------------------------------------------------

    def due(self, now: float) -> list[Release]:
        """The traces ready at time ``now``, complete ones first (each in order of readiness)."""
        out = []
        active = self._active
        waiting = self._waiting
        timeout = self.trace_timeout
        while active:
            tid = next(iter(active))
            w = waiting[tid]
            if w.last_seen + timeout > now:
                break
            out.append(self._release(tid, "complete", w.last_seen + timeout))
        while waiting:
            tid = next(iter(waiting))
            if waiting[tid].first_seen + self.max_trace_wait > now:
                break
            out.append(self._release(tid, "max-trace-wait", now))
        return out

    def drain(self, now: float) -> list[Release]:
        """Every waiting trace (shutdown): complete when its root has ended, else incomplete."""
        return [self._release(tid, "complete" if self._waiting[tid].has_root else "shutdown", now)
                for tid in list(self._waiting)]

    def _release(self, trace_id: str, reason: Reason, due: float) -> Release:
        w = self._waiting.pop(trace_id)
        self._active.pop(trace_id, None)
        self.waiting_spans -= len(w.spans)
        incomplete = None
        if w.earlier_spans_gone:
            incomplete = INCOMPLETE_REASONS["earlier-spans-gone"]
        elif reason != "complete":
            incomplete = INCOMPLETE_REASONS[reason]
        return Release(trace_id, tuple(w.spans), reason, due, w.late_spans, w.previous,
                       incomplete)

    def checked(self, release: Release, verdict: str) -> None:
        """Record the verdict of a released trace (and keep its spans for late re-checks)."""
        tid = release.trace_id
        verdicts = self._verdicts
        verdicts[tid] = verdict
        verdicts.move_to_end(tid)
        if len(verdicts) > CHECKED_IDS_KEPT:
            verdicts.popitem(last=False)
        if self.keep_checked == 0 or tid in self._waiting:
            return
        kept = self._kept
        old = kept.pop(tid, None)
        if old is not None:
            self.kept_spans -= len(old)
        kept[tid] = release.spans
        self.kept_spans += len(release.spans)
        while len(kept) > self.keep_checked or (self.buffered_spans > self.max_buffered_spans
                                                and kept):
            _old_id, spans = kept.popitem(last=False)
            self.kept_spans -= len(spans)


__all__ = ["CHECKED_IDS_KEPT", "INCOMPLETE_REASONS", "Reason", "Release", "TraceBuffer"]
