"""Capturing the spans a process finishes, through the global tracer provider, per recording.

Application code gets its tracer from the global API (``trace.get_tracer(__name__)``), and the
SDK lets the global provider be set only once per process. So a test cannot install a fresh
provider with an in-memory exporter per test. Instead, :func:`global_capture` attaches one
:class:`SpanCapture` processor, once, to the global SDK provider (installing a default
``TracerProvider`` when none is set), and each test opens a *recording*
(:meth:`SpanCapture.recording`): a recording receives exactly the spans that finish while it is
open, whichever thread ends them. Recordings may overlap (a fixture and a marker of one test);
each sees every span finished while it is open.

Spans sent through a provider of the code's own (not the global one) are captured by adding
:attr:`CapturedSpans.span_processor` to that provider.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, overload

from cspotlp.errors import OtelError
from cspotlp.otel.convert import to_spans, to_traces
from cspotlp.otel.sdk import SpanProcessor, TracerProvider, trace
from cspotlp.otlp.model import Span
from cspotlp.otlp.reader import CapturedTrace


class CapturedSpans(Sequence[Any]):
    """The SDK spans (``ReadableSpan``) finished while a recording was open, in finishing order.

    It is a sequence, like ``InMemorySpanExporter.get_finished_spans()``; :meth:`to_spans` and
    :meth:`to_traces` give cspotlp's span model (for :func:`cspotlp.testing.assert_conforms`,
    Ψ, the writers).
    """

    def __init__(self, capture: SpanCapture) -> None:
        self._spans: list[Any] = []
        self._capture = capture

    @overload
    def __getitem__(self, index: int) -> Any: ...
    @overload
    def __getitem__(self, index: slice) -> list[Any]: ...

    def __getitem__(self, index: int | slice) -> Any:
        return self._spans[index]

    def __len__(self) -> int:
        return len(self._spans)

    def __iter__(self) -> Iterator[Any]:
        return iter(list(self._spans))

    def __repr__(self) -> str:
        return f"<CapturedSpans: {len(self._spans)} span(s)>"

    @property
    def span_processor(self) -> SpanCapture:
        """The processor to add to a tracer provider of the code's own, to capture its spans."""
        return self._capture

    def names(self) -> list[str]:
        """The span names, in finishing order."""
        return [s.name for s in list(self._spans)]

    def to_spans(self) -> list[Span]:
        """The spans in cspotlp's model, in finishing order."""
        return to_spans(list(self._spans))

    def to_traces(self) -> tuple[CapturedTrace, ...]:
        """The spans grouped by trace id (traces in order of first appearance)."""
        return to_traces(list(self._spans))

    def clear(self) -> None:
        """Forget the spans recorded so far (later ones are still recorded)."""
        self._spans.clear()


class SpanCapture(SpanProcessor):
    """A span processor handing each finished span to every recording open at that moment."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._open: tuple[CapturedSpans, ...] = ()

    def on_start(self, span: Any, parent_context: Any = None) -> None:
        """Nothing to do: spans are recorded when they finish."""

    def on_end(self, span: Any) -> None:
        """Record ``span`` in every open recording."""
        for recording in self._open:  # a tuple swapped whole under the lock: safe to read
            recording._spans.append(span)

    def shutdown(self) -> None:
        """Nothing to release."""

    def force_flush(self, timeout_millis: int = 30_000) -> bool:
        """Spans are recorded synchronously: nothing is pending."""
        return True

    def start(self) -> CapturedSpans:
        """Open a recording (close it with :meth:`stop`)."""
        recording = CapturedSpans(self)
        with self._lock:
            self._open = (*self._open, recording)
        return recording

    def stop(self, recording: CapturedSpans) -> None:
        """Close a recording: it keeps its spans and receives no more."""
        with self._lock:
            self._open = tuple(r for r in self._open if r is not recording)

    @contextmanager
    def recording(self) -> Iterator[CapturedSpans]:
        """A recording open for the duration of the ``with`` block."""
        rec = self.start()
        try:
            yield rec
        finally:
            self.stop(rec)


_GLOBAL: SpanCapture | None = None
_GLOBAL_LOCK = threading.Lock()


def global_capture() -> SpanCapture:
    """The capture attached to the global tracer provider (attached on the first call).

    When no global provider is set yet, a default SDK ``TracerProvider`` (resource from the
    ``OTEL_*`` environment variables, as ``TracerProvider()`` makes it) becomes the global one;
    a provider the application set earlier is kept and the capture added to it.

    Raises:
        OtelError: the global provider is not the SDK's (spans through it cannot be seen).
    """
    global _GLOBAL
    with _GLOBAL_LOCK:
        if _GLOBAL is not None:
            return _GLOBAL
        provider = trace.get_tracer_provider()
        if isinstance(provider, trace.ProxyTracerProvider):  # no global provider set yet
            trace.set_tracer_provider(TracerProvider())
            provider = trace.get_tracer_provider()
        if not isinstance(provider, TracerProvider):
            raise OtelError(
                f"the global tracer provider is a {type(provider).__name__}, not the "
                "OpenTelemetry SDK's TracerProvider, so the spans sent through it cannot be "
                "captured; set an opentelemetry.sdk.trace.TracerProvider as the global "
                "provider before the first test that captures spans")
        capture = SpanCapture()
        provider.add_span_processor(capture)
        _GLOBAL = capture
        return capture


__all__ = ["CapturedSpans", "SpanCapture", "global_capture"]
