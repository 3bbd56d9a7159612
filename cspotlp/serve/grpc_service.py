"""The OTLP/gRPC endpoint: ``opentelemetry.proto.collector.trace.v1.TraceService/Export``.

The service definition is the one generated in ``opentelemetry-proto``
(``trace_service_pb2_grpc``), served by ``grpcio``'s asyncio server (``grpc.aio``) — the
reference gRPC implementation, in the same event loop as the HTTP endpoint. Messages larger
than ``max_request_bytes`` are refused by gRPC itself (``RESOURCE_EXHAUSTED``); gRPC applies
that limit to the *decompressed* message, so a compressed bomb is refused as well.

Status codes follow the OTLP specification: ``UNAUTHENTICATED`` without the bearer token (sent
as ``authorization`` metadata, as a Collector's ``headers`` setting does), ``INVALID_ARGUMENT``
for spans that do not decode, and ``OK`` with ``partial_success`` when some spans were refused.
"""

from __future__ import annotations

from typing import Any

import grpc
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2, trace_service_pb2_grpc

from cspotlp.serve.decode import PROTOBUF, RequestError, response, spans_of_message
from cspotlp.serve.forward import Forwarder
from cspotlp.serve.http import bearer_ok
from cspotlp.serve.receiver import Receiver


class TraceService(trace_service_pb2_grpc.TraceServiceServicer):
    """``TraceService/Export`` for one receiver."""

    def __init__(self, receiver: Receiver, forwarder: Forwarder | None = None) -> None:
        self.receiver = receiver
        self.forwarder = forwarder

    async def Export(self, request: trace_service_pb2.ExportTraceServiceRequest,  # noqa: N802
                     context: grpc.aio.ServicerContext[Any, Any]
                     ) -> trace_service_pb2.ExportTraceServiceResponse:
        """Accept the spans of one export request."""
        metrics = self.receiver.metrics
        token = self.receiver.config.auth_token
        if token is not None:
            header = dict(context.invocation_metadata() or ()).get("authorization")
            if not bearer_ok(header if isinstance(header, str) else None, token):
                metrics.requests.labels(transport="grpc", outcome="unauthorized").inc()
                await context.abort(grpc.StatusCode.UNAUTHENTICATED,
                                    "missing or wrong bearer token")
        try:
            accepted = spans_of_message(request, "OTLP/gRPC request",
                                        self.receiver.keep_attributes)
        except RequestError as e:
            metrics.requests.labels(transport="grpc", outcome="invalid").inc()
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, e.message)
        metrics.requests.labels(transport="grpc",
                                outcome="partial" if accepted.rejected else "ok").inc()
        if accepted.rejected:
            metrics.spans_rejected.labels(transport="grpc").inc(accepted.rejected)
        self.receiver.accept(accepted.spans, "grpc")
        if self.forwarder is not None:
            await self.forwarder.submit(request.SerializeToString(), PROTOBUF)
        return response(accepted)


def grpc_server(receiver: Receiver, forwarder: Forwarder | None = None) -> grpc.aio.Server:
    """A ``grpc.aio`` server with the trace service (no port bound yet); create it in the loop."""
    limit = receiver.config.max_request_bytes
    server = grpc.aio.server(options=[
        ("grpc.max_receive_message_length", limit),
        ("grpc.max_send_message_length", 1 << 20),
        ("grpc.so_reuseport", 0),
    ])
    trace_service_pb2_grpc.add_TraceServiceServicer_to_server(  # type: ignore[no-untyped-call]
        TraceService(receiver, forwarder), server)
    return server


def credentials(cert_path: str, key_path: str) -> grpc.ServerCredentials:
    """TLS server credentials from PEM files."""
    with open(cert_path, "rb") as f:
        cert = f.read()
    with open(key_path, "rb") as f:
        key = f.read()
    return grpc.ssl_server_credentials([(key, cert)])


__all__ = ["TraceService", "credentials", "grpc_server"]
