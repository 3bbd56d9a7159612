"""Captured telemetry: the OTLP span model, readers, writers and diagnostics."""

from cspotlp.otlp.context import ReadNote
from cspotlp.otlp.model import (
    AnyValue,
    EntityRef,
    Event,
    KeyValue,
    Link,
    Resource,
    Scope,
    Span,
    Status,
    attributes,
    service_name,
)
from cspotlp.otlp.reader import FORMATS, Capture, CapturedTrace, SpanReader, load

__all__ = [
    "FORMATS", "AnyValue", "Capture", "CapturedTrace", "EntityRef", "Event", "KeyValue", "Link",
    "ReadNote", "Resource", "Scope", "Span", "SpanReader", "Status", "attributes", "load",
    "service_name",
]
