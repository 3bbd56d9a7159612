"""OTLP export requests in and responses out, independent of the transport.

Both endpoints receive an ``ExportTraceServiceRequest`` — as protobuf or OTLP JSON over HTTP,
optionally gzip- or deflate-compressed, as protobuf over gRPC — and answer with an
``ExportTraceServiceResponse`` whose ``partial_success`` counts the spans refused. What the
OTLP specification asks of a receiver, and how it is done here:

* a body that does not decode is refused whole (HTTP 400, gRPC ``INVALID_ARGUMENT``) with a
  message naming the problem and, inside spans, the trace and span ids;
* a span with an invalid trace or span id (empty, all zero, wrong length) is refused alone and
  counted in ``partial_success.rejected_spans``, the first reason in ``error_message``;
* a compressed body is inflated only up to ``max_decompressed_bytes`` (decompression-bomb
  protection): beyond it the request is refused with 413 / ``RESOURCE_EXHAUSTED``;
* an error's body is a ``google.rpc.Status`` in the request's own encoding.

>>> inflate(gzip_bytes(b"spans"), "gzip", limit=10)
b'spans'
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

from google.protobuf import json_format
from google.protobuf.message import DecodeError
from google.rpc import code_pb2, status_pb2
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2

from cspotlp.errors import OtlpError
from cspotlp.otlp.context import DecodeContext
from cspotlp.otlp.model import Span, id_problem
from cspotlp.otlp.otlp_json import OtlpJsonDecoder
from cspotlp.otlp.otlp_proto import decode_message

PROTOBUF = "application/x-protobuf"
JSON = "application/json"
ENCODINGS = ("identity", "gzip", "deflate")


@dataclass(frozen=True)
class RequestError(Exception):
    """A request refused whole: the HTTP status, the gRPC code and what was wrong."""

    http_status: int
    grpc_code: int
    message: str

    def __str__(self) -> str:
        return self.message


def invalid(message: str) -> RequestError:
    """A malformed request (HTTP 400, ``INVALID_ARGUMENT``): not retryable."""
    return RequestError(400, code_pb2.INVALID_ARGUMENT, message)


def too_large(message: str) -> RequestError:
    """A request over a size limit (HTTP 413, ``RESOURCE_EXHAUSTED``)."""
    return RequestError(413, code_pb2.RESOURCE_EXHAUSTED, message)


@dataclass(frozen=True)
class Accepted:
    """The spans of a request that were accepted, and the refused ones counted."""

    spans: list[Span]
    rejected: int = 0
    message: str = ""


def inflate(body: bytes, encoding: str, limit: int) -> bytes:
    """The body with its ``Content-Encoding`` undone, never more than ``limit`` bytes.

    Raises:
        RequestError: unknown encoding (415), corrupt data (400), or more than ``limit`` bytes
            once inflated (413).
    """
    encoding = encoding.strip().lower() or "identity"
    if encoding == "identity":
        return body
    if encoding not in ENCODINGS:
        raise RequestError(415, code_pb2.UNIMPLEMENTED,
                           f"unsupported Content-Encoding {encoding!r} (supported: "
                           f"{', '.join(ENCODINGS)})")
    # gzip: a gzip header; deflate: a zlib stream (RFC 9110), accepted raw as well
    wbits = 16 + zlib.MAX_WBITS if encoding == "gzip" else zlib.MAX_WBITS
    out = bytearray()
    data = body
    try:
        while data:
            inflater = zlib.decompressobj(wbits)
            out += inflater.decompress(data, limit + 1 - len(out))
            if len(out) > limit or inflater.unconsumed_tail:
                raise too_large(f"the {encoding} body inflates to more than {limit} bytes "
                                "(--max-decompressed-bytes)")
            if not inflater.eof:
                raise invalid(f"the {encoding} body is truncated")
            data = inflater.unused_data  # gzip allows several members one after the other
    except zlib.error as e:
        if encoding == "deflate" and not out and data is body:
            return _raw_deflate(body, limit)
        raise invalid(f"the body is not valid {encoding} data: {e}") from e
    return bytes(out)


def _raw_deflate(body: bytes, limit: int) -> bytes:
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    try:
        out = inflater.decompress(body, limit + 1)
    except zlib.error as e:
        raise invalid(f"the body is not valid deflate data: {e}") from e
    if len(out) > limit or inflater.unconsumed_tail:
        raise too_large(f"the deflate body inflates to more than {limit} bytes "
                        "(--max-decompressed-bytes)")
    return out


def gzip_bytes(data: bytes) -> bytes:
    """``data`` gzip-compressed (for tests and forwarding)."""
    compressor = zlib.compressobj(6, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush()


def parse_protobuf(body: bytes) -> trace_service_pb2.ExportTraceServiceRequest:
    """The request message of a protobuf body.

    Raises:
        RequestError: the bytes are not an ``ExportTraceServiceRequest`` (400).
    """
    msg = trace_service_pb2.ExportTraceServiceRequest()
    try:
        msg.ParseFromString(body)
    except (DecodeError, RecursionError) as e:
        raise invalid(f"the body is not an OTLP ExportTraceServiceRequest: {e}") from e
    return msg


def spans_of_message(msg: trace_service_pb2.ExportTraceServiceRequest, source: str,
                     keep_attributes: bool = True) -> Accepted:
    """The valid spans of a parsed request; invalid ids are counted as refused."""
    ctx = DecodeContext(source, keep_attributes=keep_attributes)
    try:
        spans = decode_message(msg, ctx)
    except OtlpError as e:
        raise invalid(str(e)) from e
    return screen(spans)


def spans_of_json(body: bytes, source: str, *, lenient: bool = False,
                  keep_attributes: bool = True) -> Accepted:
    """The valid spans of an OTLP JSON body.

    Raises:
        RequestError: not JSON, or not an OTLP trace export (400, naming the place).
    """
    try:
        doc = json.loads(body)
    except (UnicodeDecodeError, ValueError, RecursionError) as e:
        raise invalid(f"the body is not JSON: {e}") from e
    ctx = DecodeContext(source, lenient=lenient, keep_attributes=keep_attributes)
    try:
        spans = OtlpJsonDecoder(ctx).traces_data(doc)
    except OtlpError as e:
        raise invalid(str(e)) from e
    return screen(spans)


def screen(spans: Sequence[Span]) -> Accepted:
    """Keep the spans whose ids are valid; count and describe the others."""
    kept: list[Span] = []
    rejected = 0
    first = ""
    for sp in spans:
        # the common case in one expression; the slow path says what is wrong
        tid, sid, pid = sp.trace_id, sp.span_id, sp.parent_span_id
        if (len(tid) == 32 and len(sid) == 16 and tid != _ZERO_TRACE and sid != _ZERO_SPAN
                and (not pid or (len(pid) == 16 and pid != _ZERO_SPAN))):
            kept.append(sp)
            continue
        problem = _id_problem(sp)
        if problem is None:
            kept.append(sp)
            continue
        rejected += 1
        if not first:
            first = problem
    if rejected:
        more = f" (and {rejected - 1} more)" if rejected > 1 else ""
        return Accepted(kept, rejected, f"{first}{more}")
    return Accepted(kept)


_ZERO_TRACE, _ZERO_SPAN = "0" * 32, "0" * 16


def _id_problem(sp: Span) -> str | None:
    where = f"trace {sp.trace_id or '(none)'} span {sp.span_id or '(none)'}"
    if (p := id_problem(sp.trace_id, 32)) is not None:
        return f"{where}: trace id {p}"
    if (p := id_problem(sp.span_id, 16)) is not None:
        return f"{where}: span id {p}"
    if sp.parent_span_id and (p := id_problem(sp.parent_span_id, 16)) is not None:
        return f"{where}: parent span id {p}"
    return None


def response(accepted: Accepted) -> trace_service_pb2.ExportTraceServiceResponse:
    """The export response: empty, or with ``partial_success`` when spans were refused."""
    out = trace_service_pb2.ExportTraceServiceResponse()
    if accepted.rejected:
        out.partial_success.rejected_spans = accepted.rejected
        out.partial_success.error_message = accepted.message
    return out


def response_body(accepted: Accepted, content_type: str) -> bytes:
    """The export response encoded as the request was (protobuf or JSON)."""
    msg = response(accepted)
    if content_type == JSON:
        return json_format.MessageToJson(msg, indent=None).encode()
    return bytes(msg.SerializeToString())


def status_body(code: int, message: str, content_type: str) -> bytes:
    """A ``google.rpc.Status`` error body in the request's encoding."""
    status = status_pb2.Status(code=code, message=message)
    if content_type == JSON:
        return json_format.MessageToJson(status, indent=None).encode()
    return bytes(status.SerializeToString())


__all__ = ["ENCODINGS", "JSON", "PROTOBUF", "Accepted", "RequestError", "gzip_bytes", "inflate",
           "invalid", "parse_protobuf", "response", "response_body", "screen", "spans_of_json",
           "spans_of_message", "status_body", "too_large"]
