"""An OpenTelemetry SDK span exporter that writes what the Collector's ``file`` exporter writes.

:class:`OtlpFileExporter` is a real ``opentelemetry.sdk.trace.export.SpanExporter``: put it
behind a ``BatchSpanProcessor`` (or ``SimpleSpanProcessor``) and every export call appends one
record to the file, in one of the two formats of the Collector's file exporter:

* ``json`` — OTLP JSON Lines: one ``{"resourceSpans": [...]}`` object per line (the OTLP JSON
  encoding: hex ids, 64-bit integers as strings, enums as integers);
* ``proto`` — length-prefixed protobuf: a 4-byte big-endian size, then one binary
  ``ExportTraceServiceRequest``.

Every ``cspotlp`` command reads both (``otlp-jsonl`` and ``otlp-proto-stream``). Each record is
flushed when written, so a crash loses at most the export in progress. The same spans always
give the same bytes.

A write that fails (disk full, file removed) makes that export return ``FAILURE`` with a
warning in the ``cspotlp.otel`` log, as the SDK's exporters do: telemetry never crashes the
application. Opening the file is checked up front, so a bad path fails at start-up.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Sequence
from typing import Any, BinaryIO, Literal

from cspotlp.errors import OtelError
from cspotlp.otel.convert import to_spans
from cspotlp.otel.sdk import SpanExporter, SpanExportResult
from cspotlp.otlp.model import Span
from cspotlp.otlp.writer import dump_proto, dumps_json

FileFormat = Literal["json", "proto"]
FILE_FORMATS: tuple[FileFormat, ...] = ("json", "proto")
"""The Collector file exporter's ``format`` values."""

_log = logging.getLogger("cspotlp.otel")


def encode_record(spans: Sequence[Span], format: FileFormat) -> bytes:
    """One file exporter record holding ``spans`` (a JSON line, or a size-prefixed message).

    Spans are grouped by resource and scope in order of first appearance, as the SDK's OTLP
    exporter groups them.
    """
    order: dict[tuple[int, int], int] = {}
    keyed = sorted(spans, key=lambda sp: order.setdefault((id(sp.resource), id(sp.scope)),
                                                          len(order)))
    if format == "json":
        return dumps_json(keyed, indent=None).encode()
    message = dump_proto(keyed)
    return len(message).to_bytes(4, "big") + message


class OtlpFileExporter(SpanExporter):
    """Writes exported spans to ``path`` as the Collector's ``file`` exporter does.

    Args:
        path: the capture file.
        format: ``"json"`` (OTLP JSON Lines) or ``"proto"`` (length-prefixed protobuf).
        append: add to an existing file instead of replacing it.

    Raises:
        OtelError: the format is unknown or the file cannot be opened for writing.

    Example::

        provider.add_span_processor(BatchSpanProcessor(OtlpFileExporter("capture.jsonl")))
    """

    def __init__(self, path: str | os.PathLike[str], *, format: FileFormat = "json",
                 append: bool = False) -> None:
        if format not in FILE_FORMATS:
            raise OtelError(f"unknown capture format {format!r}; expected one of "
                            f"{', '.join(FILE_FORMATS)}")
        self.path = os.fspath(path)
        self.format: FileFormat = format
        try:
            self._file: BinaryIO | None = open(self.path, "ab" if append else "wb")  # noqa: SIM115
        except OSError as e:
            raise OtelError(f"{self.path}: cannot open for writing: {e.strerror or e}") from e
        self._lock = threading.Lock()

    def export(self, spans: Sequence[Any]) -> Any:
        """Append one record holding ``spans``; ``SUCCESS``, or ``FAILURE`` if it was not written."""
        if not spans:
            return SpanExportResult.SUCCESS
        record = encode_record(to_spans(spans), self.format)
        with self._lock:
            if self._file is None:
                _log.warning("%s: export after shutdown: %d span(s) not written", self.path,
                             len(spans))
                return SpanExportResult.FAILURE
            try:
                self._file.write(record)
                self._file.flush()
            except OSError as e:
                _log.warning("%s: %d span(s) not written: %s", self.path, len(spans), e)
                return SpanExportResult.FAILURE
        return SpanExportResult.SUCCESS

    def force_flush(self, timeout_millis: int = 30_000) -> bool:
        """Nothing is buffered beyond the file object, which every export flushes."""
        return True

    def shutdown(self) -> None:
        """Close the file; later exports fail."""
        with self._lock:
            if self._file is not None:
                try:
                    self._file.close()
                except OSError as e:
                    _log.warning("%s: closing failed: %s", self.path, e)
                self._file = None


__all__ = ["FILE_FORMATS", "FileFormat", "OtlpFileExporter", "encode_record"]
