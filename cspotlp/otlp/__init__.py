"""Captured telemetry: the OTLP span model, readers, writers, diagnostics and repairs.

>>> from cspotlp.otlp import load, summarise
>>> capture = load("trace.json")                     # doctest: +SKIP
>>> summarise(capture).diagnostics                   # doctest: +SKIP
"""

from cspotlp.otlp.context import ReadNote
from cspotlp.otlp.diagnostics import DIAGNOSTIC_KINDS, Diagnostic, Summary, diagnose, summarise
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
from cspotlp.otlp.repair import REPAIRS, TreeNode, ValidTrace, validate
from cspotlp.otlp.writer import dump_proto, dump_proto_stream, dumps_json, dumps_jsonl

__all__ = [
    "DIAGNOSTIC_KINDS", "FORMATS", "REPAIRS", "AnyValue", "Capture", "CapturedTrace", "Diagnostic",
    "EntityRef", "Event", "KeyValue", "Link", "ReadNote", "Resource", "Scope", "Span", "SpanReader",
    "Status", "Summary", "TreeNode", "ValidTrace", "attributes", "diagnose", "dump_proto",
    "dump_proto_stream", "dumps_json", "dumps_jsonl", "load", "service_name", "summarise",
    "validate",
]
