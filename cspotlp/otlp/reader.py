"""Reading trace files: format detection, streaming span readers, loading grouped by trace.

:func:`load` reads a whole file into a :class:`Capture` (spans grouped into
:class:`CapturedTrace` objects by trace id, in order of first appearance); :class:`SpanReader` streams
spans one at a time for files too large to hold twice. The format is detected from the bytes:

* ``otlp-proto``: binary, first byte ``0x0a``: one ``ExportTraceServiceRequest``;
* ``otlp-proto-stream``: binary otherwise: 4-byte big-endian size-prefixed messages;
* ``otlp-jsonl``: JSON whose first line alone is an OTLP export object, one per line (the
  collector file exporter); log, metric and profile lines are skipped with a note; a trace may
  be split over several lines;
* ``otlp-json``: one OTLP JSON document (``{"resourceSpans": [...]}``);
* ``tempo``: Grafana Tempo's answer to a trace-by-id query (``{"batches": [...]}``, v2's
  ``{"trace": {...}}``), see :mod:`cspotlp.otlp.wrapped`;
* ``jaeger-api-v3``: Jaeger v2's api_v3 answer (``{"result": {"resourceSpans": [...]}}``, one
  document or one per line);
* ``jaeger``: Jaeger query/UI JSON, span arrays, api_v2 model JSON;
* ``zipkin``: Zipkin v2 JSON;
* ``parquet``: a Parquet span table, one row per span (:mod:`cspotlp.otlp.parquet`);
* ``otel-console``: what the Python SDK's ``ConsoleSpanExporter`` prints, read only when lenient
  (see :mod:`cspotlp.otlp.console`).

JSON Lines and the protobuf stream are read one line / message at a time; the other formats are
single documents and are parsed whole, after a size check (:data:`cspotlp.files.MAX_DOCUMENT_BYTES`).
Only regular files are read (or ``-``, standard input): ``/dev/zero`` is refused, not read.
JSON is held to its RFC: bare ``NaN`` / ``Infinity`` and an object with a key twice are errors.
Errors are :class:`MalformedInput` naming the file and the place (``file:line:col`` for JSON
syntax, the line for JSON Lines, trace and span ids inside spans).
"""

from __future__ import annotations

import gc
import io
import json
import os
import re
from array import array
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import IO, Any

from cspotlp import files
from cspotlp.errors import MalformedInput, SpanWhere
from cspotlp.otlp import console, wrapped
from cspotlp.otlp.context import DecodeContext, ReadNote
from cspotlp.otlp.jaeger import JaegerDecoder, looks_like_jaeger
from cspotlp.otlp.model import Span
from cspotlp.otlp.otlp_json import SIGNAL_KEYS, OtlpJsonDecoder
from cspotlp.otlp.otlp_proto import decode_message, is_single_message, read_messages
from cspotlp.otlp.parquet import ParquetDecoder, is_parquet
from cspotlp.otlp.zipkin import ZipkinDecoder, looks_like_zipkin

FORMATS = ("otlp-json", "otlp-jsonl", "otlp-proto", "otlp-proto-stream", "tempo",
           "jaeger-api-v3", "jaeger", "zipkin", "parquet", "otel-console")
"""The format names :func:`load` accepts and reports."""

Source = str | os.PathLike[str] | bytes
"""A path, or the bytes of a file (named ``<bytes>`` in messages)."""

_HEAD = 1 << 16
_TEXT_CONTROL = bytes(c for c in range(32) if c not in (9, 10, 13))
_OTHER_SIGNALS = {"resourceLogs": "logs", "resource_logs": "logs", "resourceMetrics": "metrics",
                  "resource_metrics": "metrics", "resourceProfiles": "profiles",
                  "resource_profiles": "profiles"}


@dataclass(frozen=True)
class CapturedTrace:
    """The spans of one trace id, in the order they were read.

    Equality compares the trace id and the spans only: where they were read from (``file``,
    ``lines`` — the JSON Lines line of each span) is not part of the trace.
    """

    trace_id: str
    spans: tuple[Span, ...]
    file: str = field(default="", compare=False)
    lines: array[int] | None = field(default=None, compare=False, repr=False)

    def where(self, index: int, span_id: str | None = None) -> SpanWhere:
        """Where span ``index`` was read (file, JSON Lines line, trace id, span id)."""
        line = self.lines[index] if self.lines is not None else None
        sid = span_id if span_id is not None else self.spans[index].span_id
        return SpanWhere(self.file or None, line, self.trace_id or None, sid or None)


@dataclass(frozen=True)
class Capture:
    """Everything read from one file: its traces and what the reader noticed on the way.

    ``notes`` are lenient acceptances (``kind`` starting with the deviation, e.g. ``base64-id``)
    and skipped JSON Lines records (``skipped-logs``, ...). Equality ignores file, format and
    notes, so a capture read back from a re-encoding equals the original.
    """

    file: str = field(compare=False)
    format: str = field(compare=False)
    traces: tuple[CapturedTrace, ...]
    notes: tuple[ReadNote, ...] = field(default=(), compare=False)

    def spans(self) -> Iterator[Span]:
        """All spans, trace by trace."""
        for trace in self.traces:
            yield from trace.spans

    @property
    def span_count(self) -> int:
        """The number of spans."""
        return sum(len(t.spans) for t in self.traces)


class SpanReader:
    """Streams the spans of a file (see the module docstring for formats).

    Iterating yields spans in file order; after each, :attr:`line` is its JSON Lines line (None for
    other formats) and :meth:`notes` what was noticed so far.

    Args:
        source: a path, or the bytes of a file.
        lenient: accept common deviations from the OTLP JSON spec, with a note each.
        keep_attributes: False drops span, event and link attributes while reading (resources
            are kept) — for statistics and Ψ of captures too large to hold whole.
        format: one of :data:`FORMATS` to skip detection.
    """

    def __init__(self, source: Source, *, lenient: bool = False, keep_attributes: bool = True,
                 format: str | None = None) -> None:
        if format is not None and format not in FORMATS:
            raise ValueError(f"unknown format {format!r}; expected one of {', '.join(FORMATS)}")
        self.name = "<bytes>" if isinstance(source, bytes) else os.fspath(source)
        self._source = source
        self.ctx = DecodeContext(self.name, lenient=lenient, keep_attributes=keep_attributes)
        self.format = format
        self.line: int | None = None

    def notes(self) -> tuple[ReadNote, ...]:
        """Lenient acceptances and skipped records noticed so far."""
        return self.ctx.notes()

    def _open(self) -> IO[bytes]:
        if isinstance(self._source, bytes):
            return io.BytesIO(self._source)
        try:
            if self.name == files.STDIN:  # not seekable: held whole (with the size check)
                return io.BytesIO(files.read_bytes(files.STDIN))
            return files.open_input(self._source)  # closed by batches()
        except (OSError, ValueError) as e:  # ValueError: a NUL byte in the path
            raise MalformedInput(f"cannot read: {getattr(e, 'strerror', None) or e}",
                                 SpanWhere(self.name)) from e

    def __iter__(self) -> Iterator[Span]:
        for batch in self.batches():
            yield from batch

    def batches(self) -> Iterator[list[Span]]:
        """The spans in the batches the file holds them in.

        A batch is a JSON line, a protobuf message, or the whole document; :attr:`line` is the
        batch's JSON Lines line.
        """
        stream = self._open()
        try:
            fmt = self.format or detect_format(stream, self.ctx)
            self.format = fmt
            if fmt == "otlp-jsonl" or (fmt == wrapped.JAEGER_V3 and _is_line_stream(stream)):
                yield from self._jsonl(stream)
            elif fmt == "parquet":
                yield from ParquetDecoder(self.ctx).batches(stream)
            elif fmt in ("otlp-proto", "otlp-proto-stream"):
                for msg in read_messages(stream, self.ctx, fmt == "otlp-proto"):
                    yield decode_message(msg, self.ctx)
            elif fmt == console.FORMAT:
                yield self._console(stream)
            else:
                yield self._document(stream, fmt)
        except OSError as e:
            raise MalformedInput(f"cannot read: {e.strerror or e}", SpanWhere(self.name)) from e
        finally:
            stream.close()

    def _jsonl(self, stream: IO[bytes]) -> Iterator[list[Span]]:
        ctx = self.ctx
        decoder = OtlpJsonDecoder(ctx)
        for number, raw in enumerate(stream, start=1):
            if raw.isspace():  # (not strip(): that would copy every line)
                continue
            ctx.line = self.line = number
            doc = _parse_json(raw, ctx, number)
            if not isinstance(doc, dict):
                ctx.fail("a JSON Lines record is not a JSON object")
            if "resourceSpans" in doc or "resource_spans" in doc:
                yield decoder.traces_data(doc)
                continue
            if wrapped.wrapper_of(doc) is not None:
                yield decoder.traces_data(wrapped.unwrap(doc))
                continue
            _refuse_error_answer(doc, ctx)
            signal = next((name for key, name in _OTHER_SIGNALS.items() if key in doc), None)
            if signal is not None:
                ctx.note(f"skipped-{signal}", f"skipped a line of {signal} (not traces)")
            else:
                ctx.note("skipped-unknown", "skipped a line with no resourceSpans")
        self.line = ctx.line = None

    def _document(self, stream: IO[bytes], fmt: str) -> list[Span]:
        doc = _parse_json(files.read_limited(stream, self.name, files.MAX_DOCUMENT_BYTES),
                          self.ctx, None)
        if doc == {} or doc == []:
            self.ctx.note("empty-document", f"the document is an empty JSON "
                          f"{'object' if doc == {} else 'array'}: it holds no traces")
            return []
        if fmt == "otlp-json":
            if isinstance(doc, dict) and "resourceSpans" not in doc and "resource_spans" not in doc:
                signal = next((name for key, name in _OTHER_SIGNALS.items() if key in doc), None)
                if signal is not None:
                    self.ctx.note(f"skipped-{signal}", f"the file holds {signal}, not traces")
                    return []
            return OtlpJsonDecoder(self.ctx).traces_data(doc)
        if fmt in (wrapped.TEMPO, wrapped.JAEGER_V3):
            if wrapped.wrapper_of(doc) != fmt:
                self.ctx.fail(f"not a {fmt} answer: expected "
                              + ('{"batches": [...]} or {"trace": {...}}' if fmt == wrapped.TEMPO
                                 else '{"result": {"resourceSpans": [...]}}'))
            assert isinstance(doc, dict)
            if fmt == wrapped.TEMPO:
                self.ctx.accepted |= wrapped.PROTO3_JSON_KINDS
            return OtlpJsonDecoder(self.ctx).traces_data(wrapped.unwrap(doc))
        if fmt == "jaeger":
            return list(JaegerDecoder(self.ctx).document(doc))
        if fmt == "zipkin":
            return list(ZipkinDecoder(self.ctx).document(doc))
        raise AssertionError(fmt)

    def _console(self, stream: IO[bytes]) -> list[Span]:
        ctx = self.ctx
        ctx.nonconforming(
            "console-exporter", "the file is what the OpenTelemetry Python SDK's "
            "ConsoleSpanExporter prints, a debugging format and not an OTLP export (export with "
            "an OTLP exporter, or the collector's file exporter, to keep every detail)",
            lenient_reading="read with times to the microsecond and without instrumentation "
            "scopes")
        raw = files.read_limited(stream, self.name, files.MAX_DOCUMENT_BYTES)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as e:
            raise MalformedInput(f"not UTF-8 text: {e.reason} at byte {e.start}",
                                 SpanWhere(ctx.file)) from e
        decoder = console.ConsoleDecoder(ctx)
        out: list[Span] = []
        for line, obj in console.objects(text, ctx, lambda t, n: _parse_json(t.encode(), ctx, n,
                                                                            offset_line=n)):
            ctx.line = line
            out.append(decoder.span(obj))
        ctx.line = None
        return out


def detect_format(stream: IO[bytes], ctx: DecodeContext) -> str:
    """The format of the file behind ``stream`` (left at its start); see the module docstring."""
    head = stream.read(_HEAD)
    stream.seek(0)
    if not head:
        ctx.fail("the file is empty: 0 bytes")
    if not head.strip():
        ctx.fail("the file is empty: it holds only white space")
    if is_parquet(head):
        return "parquet"
    text = head.lstrip(b" \t\r\n")
    if text.startswith(b"\xef\xbb\xbf"):
        text = text[3:].lstrip(b" \t\r\n")
    # JSON never holds raw control characters; protobuf always does (the field tags 0x12 and 0x1a
    # that carry spans and their ids are control characters), so text is never protobuf.
    is_text = head.translate(None, _TEXT_CONTROL) == head and _is_utf8_prefix(head)
    if text[:1] in (b"{", b"[") and is_text:
        if console.looks_like_console(text):
            return console.FORMAT
        return _detect_json(stream, ctx)
    if is_text:
        ctx.fail(_what_text_is(text))
    return "otlp-proto" if is_single_message(head) else "otlp-proto-stream"


def _is_utf8_prefix(head: bytes) -> bool:
    """Whether ``head`` is UTF-8 (allowing a character cut at its end)."""
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as e:
        return e.start >= len(head) - 3 and e.reason == "unexpected end of data"
    return True


_CSPM_WORDS = re.compile(rb"^\s*(channel|datatype|nametype|assert|include|--|\{-)"
                         rb"|^\s*[A-Za-z_][A-Za-z0-9_']*(\([^)]*\))?\s*=[^=]", re.MULTILINE)


def _what_text_is(text: bytes) -> str:
    """The message for a text file that is no trace format (naming a CSPm script as such)."""
    if _CSPM_WORDS.search(text):
        return ("this looks like a CSPm script, not a trace (captured traces are OTLP JSON or "
                "protobuf, Jaeger or Zipkin JSON; a CSPm script is checked with 'cspotlp "
                "check')")
    return ("a text file that is not a known trace format (expected OTLP JSON or protobuf, "
            "Jaeger or Zipkin JSON)")


def _is_line_stream(stream: IO[bytes]) -> bool:
    """Whether a JSON file holds one document per line (its first line parses alone)."""
    first = b""
    for raw in stream:
        if raw.strip():
            first = raw
            break
    stream.seek(0)
    try:
        return isinstance(json.loads(first), dict)
    except (ValueError, RecursionError):
        return False


def _detect_json(stream: IO[bytes], ctx: DecodeContext) -> str:
    first = b""
    for raw in stream:
        if raw.strip():
            first = raw
            break
    rest_has_text = any(raw.strip() for raw in _take(stream, 4))
    stream.seek(0)
    try:
        line_doc = json.loads(first)
    except (ValueError, RecursionError):
        line_doc = None
    if isinstance(line_doc, dict) and any(k in line_doc for k in SIGNAL_KEYS):
        return "otlp-jsonl" if rest_has_text else "otlp-json"
    if wrapped.wrapper_of(line_doc) == wrapped.JAEGER_V3:
        return wrapped.JAEGER_V3
    doc = _parse_json(files.read_limited(stream, ctx.file, files.MAX_DOCUMENT_BYTES), ctx, None)
    stream.seek(0)
    if isinstance(doc, dict) and (any(k in doc for k in SIGNAL_KEYS) or not doc):
        return "otlp-json"
    kind = wrapped.wrapper_of(doc)
    if kind is not None:
        return kind
    _refuse_error_answer(doc, ctx)
    if looks_like_zipkin(doc):
        return "zipkin"
    if looks_like_jaeger(doc):
        return "jaeger"
    if doc == []:
        return "zipkin"  # an empty span array: no spans whichever format it is
    shape = f"an object with keys {', '.join(sorted(doc)[:6])}" if isinstance(doc, dict) \
        else f"a JSON {type(doc).__name__}"
    ctx.fail(f"not a known trace format: the document is {shape} (expected OTLP JSON, "
             "Jaeger or Zipkin JSON)")


def _refuse_error_answer(doc: object, ctx: DecodeContext) -> None:
    """Fail on a query API's error answer saved as a capture (it holds no traces)."""
    message = wrapped.error_answer(doc)
    if message is not None:
        ctx.fail(f"the file is an error answer of a trace query API, not traces: {message}")


def _take(stream: IO[bytes], n: int) -> Iterator[bytes]:
    for _ in range(n):
        raw = stream.readline()
        if not raw:
            return
        yield raw


class _NotJson(ValueError):
    """JSON that the RFC does not allow but Python's parser accepts (NaN, repeated keys)."""


def _no_constant(name: str) -> Any:
    raise _NotJson(f"{name} is not a JSON value (RFC 8259 has no NaN or Infinity; OTLP JSON "
                   f'writes a special double as the string "{name}")')


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    d = dict(pairs)
    if len(d) != len(pairs):
        seen: set[str] = set()
        twice = next(k for k, _ in pairs if k in seen or seen.add(k))  # type: ignore[func-returns-value]
        raise _NotJson(f"the key {twice!r} appears twice in one object (which one counts is "
                       "not defined)")
    return d


def _parse_json(data: bytes, ctx: DecodeContext, line: int | None,
                offset_line: int | None = None) -> Any:
    """``data`` parsed as strict JSON; errors located (``line``: the JSON Lines line)."""
    try:
        return json.loads(data, parse_constant=_no_constant, object_pairs_hook=_unique_keys)
    except json.JSONDecodeError as e:
        at = offset_line + e.lineno - 1 if offset_line is not None \
            else line if line is not None else e.lineno
        where = SpanWhere(ctx.file, at, None, None, e.colno)
        raise MalformedInput(f"invalid JSON: {e.msg}", where) from e
    except _NotJson as e:
        raise MalformedInput(f"invalid JSON: {e}", SpanWhere(ctx.file, line)) from e
    except UnicodeDecodeError as e:
        raise MalformedInput(f"not UTF-8 text: {e.reason} at byte {e.start}",
                             SpanWhere(ctx.file, line)) from e
    except RecursionError as e:
        raise MalformedInput("JSON nested too deeply to parse", SpanWhere(ctx.file, line)) from e


def load(source: Source, *, lenient: bool = False, keep_attributes: bool = True,
         format: str | None = None, progress: Callable[[int], None] | None = None) -> Capture:
    """Read a trace file whole, spans grouped by trace id (traces in order of first appearance).

    Args:
        source: a path, or the bytes of a file.
        lenient: accept common deviations from the OTLP JSON spec (base64 ids, enum names,
            snake_case keys), each noted in :attr:`Capture.notes`.
        keep_attributes: False drops span, event and link attributes (see :class:`SpanReader`).
        format: one of :data:`FORMATS` to skip detection.
        progress: called with the number of spans read so far, about every 65536 spans.

    Raises:
        MalformedInput: the file cannot be read; the message names the file and the place.
        NonConformingInput: the file breaks the OTLP JSON spec in a way ``lenient`` accepts.
    """
    reader = SpanReader(source, lenient=lenient, keep_attributes=keep_attributes, format=format)
    groups: dict[str, tuple[list[Span], array[int]]] = {}
    count = reported = 0
    with gc_paused():
        for batch in reader.batches():
            line = reader.line
            for span in batch:
                group = groups.get(span.trace_id)
                if group is None:
                    group = groups[span.trace_id] = ([], array("q"))
                group[0].append(span)
                if line is not None:
                    group[1].append(line)
            count += len(batch)
            if progress is not None and count - reported >= 0x10000:
                progress(count)
                reported = count
        assert reader.format is not None
        if count == 0 and not any(n.kind.startswith(("skipped-", "empty-"))
                                  for n in reader.notes()):
            reader.ctx.note("no-spans", f"the file holds no spans ({reader.format})",
                            SpanWhere(reader.name))
        traces = tuple(
            CapturedTrace(tid, tuple(spans), reader.name, lines if len(lines) == len(spans) else None)
            for tid, (spans, lines) in groups.items())
        return Capture(reader.name, reader.format, traces, reader.notes())


def merge_traces(traces: Iterable[CapturedTrace]) -> list[CapturedTrace]:
    """Traces read from several files, the parts of each trace id joined into one trace.

    A collector's file rotations, or batches exported at different times, spread one trace's
    spans over several files. Traces come out in order of first appearance, each with its spans
    in reading order; ``file`` is the first file holding a span of it, and ``lines`` is kept
    only when all its spans came from one file.
    """
    merged: dict[str, list[CapturedTrace]] = {}
    for trace in traces:
        merged.setdefault(trace.trace_id, []).append(trace)
    out: list[CapturedTrace] = []
    for parts in merged.values():
        if len(parts) == 1:
            out.append(parts[0])
            continue
        first = parts[0]
        spans = tuple(span for part in parts for span in part.spans)
        one_file = all(part.file == first.file for part in parts)
        lines: array[int] | None = None
        if one_file and all(part.lines is not None for part in parts):
            lines = array("q")
            for part in parts:
                assert part.lines is not None
                lines.extend(part.lines)
        out.append(CapturedTrace(first.trace_id, spans, first.file, lines))
    return out


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while reading or checking spans (a decorator too).

    Reading builds millions of small immutable objects and no reference cycles; meanwhile the
    collector would rescan the growing capture again and again (a third of the reading time on a
    10^5-span file), and in a long-lived process (a Dask worker) every other object it holds
    too. Reference counting still frees everything as usual. (The collector makes one full pass
    over the capture some time after reading; a one-shot process such as the ``cspotlp``
    command can avoid even that by disabling the collector.)
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
