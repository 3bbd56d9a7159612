"""The receiver's core: spans in, verdicts out, independent of HTTP and gRPC.

A :class:`Receiver` takes the spans each transport decoded (:meth:`Receiver.accept`), keeps
them in a :class:`~cspotlp.serve.buffer.TraceBuffer`, and on every :meth:`Receiver.sweep`
checks the traces that are ready against the specification, writes one JSON line per verdict
and keeps the recent verdicts for the web view (:class:`VerdictHistory`). The transports and
the clock live in :mod:`cspotlp.serve.server`; everything here runs on one thread (the event
loop's), so nothing is locked.

>>> from cspotlp.conformance import ConformanceChecker
>>> from cspotlp.csp import Environment, STOP
>>> import io
>>> out = io.StringIO()
>>> rx = Receiver(ConformanceChecker.for_process(STOP, Environment()), out=out)
>>> rx.drain(), out.getvalue()
(0, '')
"""

from __future__ import annotations

import json
import time
from collections import deque
from collections.abc import Callable, Iterator
from typing import Any, TextIO

from cspotlp.conformance import ConformanceChecker
from cspotlp.errors import CspotlpError
from cspotlp.otlp.model import Span
from cspotlp.serve.buffer import Release, TraceBuffer
from cspotlp.serve.config import ServeConfig
from cspotlp.serve.metrics import Metrics
from cspotlp.serve.verdicts import check_release, services_of

Record = dict[str, Any]
Clock = Callable[[], float]


class VerdictHistory:
    """The most recent verdict records, newest last, and the latest one of each trace."""

    def __init__(self, size: int) -> None:
        self._records: deque[Record] = deque()
        self._latest: dict[str, Record] = {}
        self.size = size

    def add(self, record: Record) -> None:
        """Remember a record (forgetting the oldest beyond ``size``)."""
        if self.size == 0:
            return
        self._records.append(record)
        self._latest[record["trace_id"]] = record
        while len(self._records) > self.size:
            old = self._records.popleft()
            if self._latest.get(old["trace_id"]) is old:
                del self._latest[old["trace_id"]]

    def __iter__(self) -> Iterator[Record]:
        return iter(self._records)

    def __len__(self) -> int:
        return len(self._records)

    def latest(self, trace_id: str) -> Record | None:
        """The last record of a trace, while it is remembered."""
        return self._latest.get(trace_id)


class Receiver:
    """Spans in, verdicts out (see the module docstring).

    Args:
        checker: the conformance checker of the specification.
        config: limits and timing (only the buffer's options are used here).
        out: where verdict lines go (flushed after every sweep); None for nowhere.
        clock: monotonic seconds (a fake one in tests).
        on_verdict: also called with every record and its latency in seconds (from the trace
            being ready to its verdict; the load benchmark collects these).
        spec_name: how the specification is called in the web view.
    """

    def __init__(self, checker: ConformanceChecker, config: ServeConfig | None = None, *,
                 out: TextIO | None = None, clock: Clock = time.monotonic,
                 on_verdict: Callable[[Record, float], None] | None = None,
                 spec_name: str = "SPEC") -> None:
        config = config or ServeConfig()
        self.checker = checker
        self.config = config
        self.buffer = TraceBuffer(config.trace_timeout, config.max_trace_wait,
                                  config.max_buffered_spans, config.keep_checked_traces)
        self.metrics = Metrics()
        self.history = VerdictHistory(config.history)
        self.out = out
        self.clock = clock
        self.on_verdict = on_verdict
        self.spec_name = spec_name
        wanted = config.keep_attributes
        self.keep_attributes = wanted if wanted is not None else (
            config.transform is not None or checker.abstraction.reads_attributes)
        """Whether the transports decode attributes (see ``ServeConfig.keep_attributes``)."""

    # -- input -----------------------------------------------------------------------------

    def accept(self, spans: list[Span], transport: str) -> None:
        """Take the valid spans of one request (after the transform hook, if any)."""
        if self.config.transform is not None:
            spans = self.config.transform(spans)
        self.metrics.spans_received.labels(transport=transport).inc(len(spans))
        pushed = self.buffer.add(spans, self.clock())
        if pushed:
            self._emit(pushed)
        self._gauges()

    # -- output ----------------------------------------------------------------------------

    def sweep(self) -> int:
        """Check every trace that is ready now; the number checked."""
        ready = self.buffer.due(self.clock())
        if ready:
            self._emit(ready)
            self._gauges()
        return len(ready)

    def drain(self) -> int:
        """Check everything still waiting (shutdown); the number checked."""
        ready = self.buffer.drain(self.clock())
        self._emit(ready)
        self._gauges()
        return len(ready)

    def _emit(self, releases: list[Release]) -> None:
        m = self.metrics
        lines = []
        for release in releases:
            record = self._check(release)
            verdict = record["verdict"]
            self.buffer.checked(release, verdict)
            new_spans = release.late_spans if release.late else len(release.spans)
            m.traces_checked.labels(verdict=verdict).inc()
            (m.spans_incomplete if verdict == "incomplete" else m.spans_checked).inc(new_spans)
            if release.late:
                m.traces_late.inc()
                m.spans_late.inc(release.late_spans)
            self.history.add(record)
            lines.append(json.dumps(record, ensure_ascii=False, separators=(",", ":")))
            latency = max(0.0, self.clock() - release.due)
            m.check_latency.observe(latency)
            if self.on_verdict is not None:
                self.on_verdict(record, latency)
        if self.out is not None and lines:
            self.out.write("\n".join(lines) + "\n")
            self.out.flush()

    def _check(self, release: Release) -> Record:
        try:
            return check_release(self.checker, release)
        except CspotlpError as e:  # a limit of the specification, not a problem of the trace
            record: Record = {"trace_id": release.trace_id, "verdict": "error", "events": 0,
                              "error": f"the check could not finish: {e}",
                              "spans": len(release.spans),
                              "services": list(services_of(release.spans))}
            if release.incomplete is not None:
                record.update(partial_verdict="error", verdict="incomplete",
                              incomplete=release.incomplete)
            if release.late:
                record.update(late=True, late_spans=release.late_spans,
                              previous_verdict=release.previous)
            return record

    def _gauges(self) -> None:
        self.metrics.buffered_spans.set(self.buffer.buffered_spans)
        self.metrics.waiting_traces.set(self.buffer.waiting_traces)


__all__ = ["Receiver", "Record", "VerdictHistory"]
