"""Writing spans as OTLP JSON, OTLP JSON Lines, or OTLP protobuf (single message or stream).

Every writer is a pure function from spans to text or bytes; the same spans always give the same
output. Reading a valid file and writing it back loses nothing: reading the output gives a
:class:`~cspotlp.otlp.Capture` equal to the original (same traces, same spans in the same order).

>>> from cspotlp.otlp.model import Span
>>> from cspotlp.otlp.reader import load
>>> text = dumps_json([Span("0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331", "", "GET", 2,
...                         1, 2)])
>>> load(text.encode()).span_count
1
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from cspotlp.errors import ExportError
from cspotlp.otlp.model import Span
from cspotlp.otlp.otlp_json_encode import encode_traces_data
from cspotlp.otlp.otlp_proto import encode_request, size_prefixed
from cspotlp.otlp.reader import Capture, CapturedTrace

__all__ = ["dump_proto", "dump_proto_stream", "dumps_json", "dumps_jsonl"]

SpanSource = Capture | Iterable[CapturedTrace] | Iterable[Span]
"""What the writers accept: a capture, traces, or plain spans."""


def _spans(source: SpanSource) -> list[Span]:
    if isinstance(source, Capture):
        return list(source.spans())
    out: list[Span] = []
    for item in source:
        if isinstance(item, CapturedTrace):
            out.extend(item.spans)
        else:
            out.append(item)
    return out


def _traces(source: SpanSource) -> list[list[Span]]:
    """Spans grouped by trace id, traces in order of first appearance."""
    groups: dict[str, list[Span]] = {}
    for sp in _spans(source):
        groups.setdefault(sp.trace_id, []).append(sp)
    return list(groups.values())


def _json(value: object, indent: int | None) -> str:
    try:
        return json.dumps(value, ensure_ascii=False, indent=indent,
                          separators=(",", ":") if indent is None else None)
    except RecursionError as e:
        raise ExportError("an attribute value is nested too deeply for JSON") from e


def _check_ids(spans: list[Span]) -> None:
    for sp in spans:
        for what, value in (("trace id", sp.trace_id), ("span id", sp.span_id),
                            ("parent span id", sp.parent_span_id)):
            if len(value) % 2:
                raise ExportError(f"span {sp.span_id!r}: {what} {value!r} is not a whole number of "
                                  "bytes")


def dumps_json(source: SpanSource, indent: int | None = 2) -> str:
    """One OTLP JSON document (``TracesData``) holding every span, with a final newline."""
    spans = _spans(source)
    _check_ids(spans)
    return _json(encode_traces_data(spans), indent) + "\n"


def dumps_jsonl(source: SpanSource) -> str:
    """OTLP JSON Lines, as the collector's file exporter writes them: one trace per line."""
    groups = _traces(source)
    for group in groups:
        _check_ids(group)
    return "".join(_json(encode_traces_data(group), None) + "\n" for group in groups)


def dump_proto(source: SpanSource) -> bytes:
    """One binary ``ExportTraceServiceRequest`` holding every span."""
    spans = _spans(source)
    _check_ids(spans)
    return bytes(encode_request(spans).SerializeToString(deterministic=True))


def dump_proto_stream(source: SpanSource) -> bytes:
    """The collector file exporter's binary stream: one size-prefixed message per trace."""
    groups = _traces(source)
    for group in groups:
        _check_ids(group)
    return b"".join(size_prefixed(encode_request(group).SerializeToString(deterministic=True))
                    for group in groups)
