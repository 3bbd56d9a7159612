"""``--forward URL``: every accepted export request passed on, unchanged, to another endpoint.

cspotlp can then sit in front of an existing Collector or tracing backend. An OTLP/HTTP target
(``http(s)://host:port/v1/traces``) gets the request body exactly as it was received, with its
``Content-Type`` and ``Content-Encoding``; a gRPC target (``grpc://host:port``, ``grpcs://``
for TLS) gets the same ``ExportTraceServiceRequest`` (a JSON or compressed HTTP body is decoded
first: the spans are unchanged, the wire format is the target's).

Requests are sent in the background so a slow target does not slow the checks, but at most
``in_flight`` at once: past that, receiving waits (back-pressure), so nothing is dropped. A
failed forward is counted (``cspotlp_forward_requests_total{outcome="failed"}``) and reported
through ``on_note``; it does not change the answer to the sender, whose spans were accepted.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import aiohttp
import grpc
from google.protobuf import json_format
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2, trace_service_pb2_grpc

from cspotlp.serve.decode import JSON, inflate
from cspotlp.serve.metrics import Metrics

FORWARD_TIMEOUT = 10.0
"""Seconds one forwarded request may take."""


class Forwarder:
    """Passes requests on to ``url`` (see the module docstring); create it in the event loop."""

    def __init__(self, url: str, metrics: Metrics, *, in_flight: int = 32,
                 on_note: Callable[[str], None] | None = None,
                 max_decompressed_bytes: int = 64 << 20) -> None:
        self.url = url
        self.metrics = metrics
        self.on_note = on_note
        self.max_decompressed_bytes = max_decompressed_bytes
        self._slots = asyncio.Semaphore(in_flight)
        self._tasks: set[asyncio.Task[None]] = set()
        self._session: aiohttp.ClientSession | None = None
        self._channel: grpc.aio.Channel | None = None
        self._stub: trace_service_pb2_grpc.TraceServiceStub | None = None
        self._failures = 0
        if url.startswith(("grpc://", "grpcs://")):
            target = url.split("://", 1)[1].rstrip("/")
            self._channel = (grpc.aio.secure_channel(target, grpc.ssl_channel_credentials())
                             if url.startswith("grpcs://") else grpc.aio.insecure_channel(target))
            self._stub = trace_service_pb2_grpc.TraceServiceStub(self._channel)  # type: ignore[no-untyped-call]
        else:
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=FORWARD_TIMEOUT), auto_decompress=False)

    async def submit(self, body: bytes, content_type: str, encoding: str = "identity") -> None:
        """Start passing one request on (waits while ``in_flight`` requests are pending)."""
        await self._slots.acquire()
        task = asyncio.get_running_loop().create_task(self._send(body, content_type, encoding))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _send(self, body: bytes, content_type: str, encoding: str) -> None:
        try:
            if self._stub is not None:
                await self._send_grpc(body, content_type, encoding)
            else:
                await self._send_http(body, content_type, encoding)
        except Exception as e:  # any failure of the target is reported, never raised here
            self._failed(f"{type(e).__name__}: {e}")
        else:
            self.metrics.forwarded.labels(outcome="ok").inc()
        finally:
            self._slots.release()

    async def _send_http(self, body: bytes, content_type: str, encoding: str) -> None:
        assert self._session is not None
        headers = {"Content-Type": content_type}
        if encoding.strip().lower() not in ("", "identity"):
            headers["Content-Encoding"] = encoding
        async with self._session.post(self.url, data=body, headers=headers) as resp:
            await resp.read()
            if resp.status != 200:
                raise RuntimeError(f"HTTP {resp.status}")

    async def _send_grpc(self, body: bytes, content_type: str, encoding: str) -> None:
        assert self._stub is not None
        plain = inflate(body, encoding, self.max_decompressed_bytes)
        msg = trace_service_pb2.ExportTraceServiceRequest()
        if content_type == JSON:
            json_format.Parse(plain, msg, ignore_unknown_fields=True)
        else:
            msg.ParseFromString(plain)
        await self._stub.Export(msg, timeout=FORWARD_TIMEOUT)

    def _failed(self, why: str) -> None:
        self.metrics.forwarded.labels(outcome="failed").inc()
        self._failures += 1
        if self.on_note is not None and (self._failures & (self._failures - 1)) == 0:
            # the 1st, 2nd, 4th, 8th... failure: a dead target does not flood the log
            self.on_note(f"forwarding to {self.url} failed ({self._failures} so far): {why}")

    async def close(self) -> None:
        """Wait for the requests in flight (up to the timeout), then close the connections."""
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=FORWARD_TIMEOUT)
        if self._session is not None:
            await self._session.close()
        if self._channel is not None:
            await self._channel.close()


__all__ = ["FORWARD_TIMEOUT", "Forwarder"]
