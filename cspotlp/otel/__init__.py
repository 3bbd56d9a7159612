"""The OpenTelemetry SDK side: write captures from instrumented apps, convert spans in memory.

* :class:`OtlpFileExporter` — an SDK ``SpanExporter`` writing the Collector ``file`` exporter's
  formats (OTLP JSON Lines, or length-prefixed protobuf), which every ``cspotlp`` command reads;
* :func:`to_span`, :func:`to_spans`, :func:`to_traces` — SDK ``ReadableSpan`` objects (from an
  ``InMemorySpanExporter``, a span processor, ...) as cspotlp's span model, without a file;
* :func:`global_capture` — per-test recordings of the spans finished through the global tracer
  provider (what the pytest fixture ``otel_spans`` uses).

Needs the SDK: ``pip install 'cspotlp[otel]'``.

>>> from opentelemetry.sdk.trace import TracerProvider
>>> from opentelemetry.sdk.trace.export import SimpleSpanProcessor
>>> from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
>>> memory = InMemorySpanExporter()
>>> provider = TracerProvider()
>>> provider.add_span_processor(SimpleSpanProcessor(memory))
>>> with provider.get_tracer("shop").start_as_current_span("checkout"):
...     with provider.get_tracer("shop").start_as_current_span("charge"):
...         pass
>>> [(len(t.spans), t.spans[0].name) for t in to_traces(memory.get_finished_spans())]
[(2, 'charge')]
"""

from cspotlp.otel.capture import CapturedSpans, SpanCapture, global_capture
from cspotlp.otel.convert import to_span, to_spans, to_traces
from cspotlp.otel.exporter import FILE_FORMATS, FileFormat, OtlpFileExporter, encode_record

__all__ = [
    "FILE_FORMATS", "CapturedSpans", "FileFormat", "OtlpFileExporter", "SpanCapture",
    "encode_record", "global_capture", "to_span", "to_spans", "to_traces",
]
