"""The OTLP/HTTP endpoint, metrics, health and the web view, on aiohttp.

Why aiohttp: it is a maintained, widely deployed asyncio HTTP server (aio-libs) that runs in the
same event loop as ``grpc.aio``, so one thread serves both transports and the receiver's state
needs no locks; it streams request bodies (so the size limit is enforced while reading, not
after), serves TLS from a standard ``ssl.SSLContext``, and can leave compressed bodies alone
(``auto_decompress=False``) so that inflating is bounded by our own limit.

Routes:

=======================  ==============================================================
``POST /v1/traces``      OTLP/HTTP export: protobuf or JSON, identity/gzip/deflate
``GET /metrics``         Prometheus text format (:mod:`cspotlp.serve.metrics`)
``GET /healthz``         ``ok`` while serving (never needs the token)
``GET /`` and below      the web view (:mod:`cspotlp.serve.web`)
=======================  ==============================================================

With a bearer token configured, every route but ``/healthz`` needs ``Authorization: Bearer
<token>`` (what a Collector's ``headers`` setting sends). A browser cannot add that header, so
the web view also accepts the token once as ``?token=...``: it is then kept in an HttpOnly,
SameSite=Strict cookie, and the address is shown again without it.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable

from aiohttp import web

from cspotlp.serve.decode import (
    JSON,
    PROTOBUF,
    Accepted,
    RequestError,
    inflate,
    parse_protobuf,
    response_body,
    spans_of_json,
    spans_of_message,
    status_body,
    too_large,
)
from cspotlp.serve.forward import Forwarder
from cspotlp.serve.metrics import CONTENT_TYPE
from cspotlp.serve.receiver import Receiver

TOKEN_COOKIE = "cspotlp_token"
_CHUNK = 1 << 16

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def bearer_ok(header: str | None, token: str) -> bool:
    """True when an ``Authorization`` header carries ``Bearer <token>`` (constant-time compare).

    >>> bearer_ok("Bearer s3cret", "s3cret"), bearer_ok("bearer s3cret", "s3cret"), bearer_ok(None, "x")
    (True, True, False)
    """
    if not header:
        return False
    scheme, _, value = header.strip().partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(value.strip().encode(),
                                                              token.encode())


class OtlpHttp:
    """The aiohttp application of one receiver (build it with :meth:`app`)."""

    def __init__(self, receiver: Receiver, forwarder: Forwarder | None = None,
                 web_routes: Callable[[web.Application], None] | None = None) -> None:
        self.receiver = receiver
        self.config = receiver.config
        self.forwarder = forwarder
        self.web_routes = web_routes

    def app(self) -> web.Application:
        """The application: OTLP, metrics, health, and the web view's routes."""
        app = web.Application(middlewares=[self._auth],
                               client_max_size=self.config.max_request_bytes)
        app.router.add_post("/v1/traces", self.export)
        app.router.add_get("/metrics", self.metrics)
        app.router.add_get("/healthz", self.healthz)
        if self.web_routes is not None:
            self.web_routes(app)
        return app

    # -- auth ------------------------------------------------------------------------------

    @web.middleware
    async def _auth(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        token = self.config.auth_token
        if token is None or request.path == "/healthz":
            return await handler(request)
        if bearer_ok(request.headers.get("Authorization"), token):
            return await handler(request)
        if request.method == "GET":
            cookie = request.cookies.get(TOKEN_COOKIE, "")
            if cookie and hmac.compare_digest(cookie.encode(), token.encode()):
                return await handler(request)
            given = request.query.get("token", "")
            if given and hmac.compare_digest(given.encode(), token.encode()):
                clean = request.rel_url.with_query(
                    {k: v for k, v in request.query.items() if k != "token"})
                found = web.HTTPFound(str(clean))
                found.set_cookie(TOKEN_COOKIE, token, httponly=True, samesite="Strict",
                                 secure=self.config.tls)
                raise found
        self.receiver.metrics.requests.labels(transport="http", outcome="unauthorized").inc()
        kind = JSON if _media_type(request) == JSON else PROTOBUF
        return web.Response(status=401, body=status_body(16, "missing or wrong bearer token",
                                                         kind),
                            content_type=kind, headers={"WWW-Authenticate": "Bearer"})

    # -- OTLP ------------------------------------------------------------------------------

    async def export(self, request: web.Request) -> web.StreamResponse:
        """``POST /v1/traces``: decode, accept, answer (see :mod:`cspotlp.serve.decode`)."""
        media = _media_type(request)
        reply = JSON if media == JSON else PROTOBUF
        try:
            if media not in (PROTOBUF, JSON):
                raise RequestError(415, 3, f"unsupported Content-Type {media or '(none)'!r}; "
                                   f"expected {PROTOBUF} or {JSON}")
            body = await self._read(request)
            encoding = request.headers.get("Content-Encoding", "identity")
            plain = inflate(body, encoding, self.config.max_decompressed_bytes)
            if media == JSON:
                accepted = spans_of_json(plain, "OTLP/HTTP request", lenient=self.config.lenient,
                                         keep_attributes=self.receiver.keep_attributes)
            else:
                accepted = spans_of_message(parse_protobuf(plain), "OTLP/HTTP request",
                                            self.receiver.keep_attributes)
        except RequestError as e:
            outcome = {400: "invalid", 413: "too_large", 415: "unsupported"}.get(e.http_status,
                                                                                 "invalid")
            self.receiver.metrics.requests.labels(transport="http", outcome=outcome).inc()
            return web.Response(status=e.http_status, body=status_body(e.grpc_code, e.message,
                                                                       reply),
                                content_type=reply)
        self._count(accepted)
        self.receiver.accept(accepted.spans, "http")
        if self.forwarder is not None:
            await self.forwarder.submit(body, media, encoding)
        return web.Response(status=200, body=response_body(accepted, reply), content_type=reply)

    async def _read(self, request: web.Request) -> bytes:
        limit = self.config.max_request_bytes
        declared = request.content_length
        if declared is not None and declared > limit:
            raise too_large(f"the body has {declared} bytes; the limit is {limit} "
                            "(--max-request-bytes)")
        chunks = []
        size = 0
        while True:
            chunk = await request.content.read(_CHUNK)
            if not chunk:
                break
            size += len(chunk)
            if size > limit:
                raise too_large(f"the body is longer than {limit} bytes (--max-request-bytes)")
            chunks.append(chunk)
        return b"".join(chunks)

    def _count(self, accepted: Accepted) -> None:
        m = self.receiver.metrics
        m.requests.labels(transport="http",
                          outcome="partial" if accepted.rejected else "ok").inc()
        if accepted.rejected:
            m.spans_rejected.labels(transport="http").inc(accepted.rejected)

    # -- operations ------------------------------------------------------------------------

    async def metrics(self, request: web.Request) -> web.StreamResponse:
        """``GET /metrics``."""
        return web.Response(body=self.receiver.metrics.exposition(),
                            headers={"Content-Type": CONTENT_TYPE})

    async def healthz(self, request: web.Request) -> web.StreamResponse:
        """``GET /healthz``."""
        return web.Response(text="ok\n")


def _media_type(request: web.Request) -> str:
    return request.headers.get("Content-Type", "").split(";")[0].strip().lower()


__all__ = ["TOKEN_COOKIE", "OtlpHttp", "bearer_ok"]
