"""The OpenTelemetry SDK names cspotlp.otel uses, with one clear error when it is not installed."""

from __future__ import annotations

try:
    from opentelemetry import trace
    from opentelemetry.sdk.trace import ReadableSpan, SpanProcessor, TracerProvider
    from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult
except ImportError as e:  # pragma: no cover - the dev environment has the SDK
    raise ImportError("cspotlp.otel needs the OpenTelemetry SDK: pip install 'cspotlp[otel]' "
                      f"(importing it failed: {e})") from e

__all__ = ["ReadableSpan", "SpanExportResult", "SpanExporter", "SpanProcessor", "TracerProvider",
           "trace"]
