"""A bounded-queue batch span processor, shaped like the OpenTelemetry SDK's BatchSpanProcessor.

Finished spans go into a bounded queue (``max_queue_size``); when it is full, the oldest span
is dropped and counted in ``dropped_spans``. The worker exports the queue in batches of at most
``max_export_batch_size``: each time it wakes (its timer expired) it exports at least one batch,
then keeps going while a full batch is waiting — the SDK's ``EXPORT_AT_LEAST_ONE_BATCH``.
``force_flush`` exports everything; ``shutdown`` exports everything, shuts the exporter down,
and from then on ignores spans.

The worker's wake-up is the method :meth:`BatchSpanProcessor.worker_wakes`, so a test decides
when the worker runs (the SDK runs it on a thread, on a timer). ``bug=`` makes one of two
deliberately broken variants, which ``examples/test_bounded_batch_processor.py`` shows the
model-based test catching:

* ``"queue-bound"``: an off-by-one in the queue bound (it holds one span too many);
* ``"lost-on-shutdown"``: shutdown forgets the last queued span.

The specification is ``examples/bounded_batch_processor.csp``.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from typing import Any

from opentelemetry.sdk.trace import SpanProcessor
from opentelemetry.sdk.trace.export import SpanExporter

BUGS = ("queue-bound", "lost-on-shutdown")


class BatchSpanProcessor(SpanProcessor):
    """Batches finished spans for an exporter (see the module docstring)."""

    def __init__(self, exporter: SpanExporter, max_queue_size: int = 2048,
                 max_export_batch_size: int = 512, *, bug: str | None = None) -> None:
        if not 0 < max_export_batch_size <= max_queue_size:
            raise ValueError("need 0 < max_export_batch_size <= max_queue_size")
        if bug is not None and bug not in BUGS:
            raise ValueError(f"unknown bug {bug!r}; expected one of {', '.join(BUGS)}")
        self.exporter = exporter
        self.max_queue_size = max_queue_size
        self.max_export_batch_size = max_export_batch_size
        self.bug = bug
        self.dropped_spans = 0
        self._queue: deque[Any] = deque()  # newest on the left, oldest on the right
        self._shutdown = False

    def on_end(self, span: Any) -> None:
        if self._shutdown:
            return
        bound = self.max_queue_size + (1 if self.bug == "queue-bound" else 0)
        if len(self._queue) >= bound:
            self._queue.pop()  # drop the oldest, as the SDK's bounded deque does
            self.dropped_spans += 1
        self._queue.appendleft(span)

    def _export_batch(self) -> None:
        count = min(self.max_export_batch_size, len(self._queue))
        batch: Sequence[Any] = [self._queue.pop() for _ in range(count)]
        self.exporter.export(batch)

    def worker_wakes(self) -> None:
        """One wake-up of the worker: at least one batch, then every full batch waiting."""
        if self._shutdown or not self._queue:
            return
        self._export_batch()
        while len(self._queue) >= self.max_export_batch_size:
            self._export_batch()

    def force_flush(self, timeout_millis: int = 30_000) -> bool:
        if self._shutdown:
            return False
        while self._queue:
            self._export_batch()
        return True

    def shutdown(self) -> None:
        if self._shutdown:
            return
        self._shutdown = True
        if self.bug == "lost-on-shutdown" and self._queue:
            self._queue.popleft()
        while self._queue:
            self._export_batch()
        self.exporter.shutdown()
