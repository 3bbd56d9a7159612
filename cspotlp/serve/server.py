"""Running a receiver: both transports in one event loop, the sweep, shutdown.

:func:`serve` runs until its ``stop`` event is set (the CLI sets it on SIGTERM or Ctrl-C),
then stops accepting, checks everything still buffered, writes it and returns.
:class:`ServerThread` runs the same in a background thread, for tests, notebooks and the
benchmarks::

    with ServerThread(receiver, config) as server:
        post_spans(server.http_url + "/v1/traces")
    # here every trace received has been checked and written

Sweeps run every ``min(trace_timeout / 4, 0.05)`` seconds, so a trace is checked at most that
long after it became ready.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from types import TracebackType

from aiohttp import web

from cspotlp.errors import ServeError
from cspotlp.serve.config import ServeConfig, parse_address
from cspotlp.serve.forward import Forwarder
from cspotlp.serve.grpc_service import credentials, grpc_server
from cspotlp.serve.http import OtlpHttp
from cspotlp.serve.receiver import Receiver
from cspotlp.serve.web import WebView

STARTUP_TIMEOUT = 30.0
SHUTDOWN_GRACE = 2.0
"""Seconds requests in progress get to finish when the receiver stops."""


@dataclass
class Endpoints:
    """Where a running receiver listens (ports resolved, so ``:0`` shows the port chosen)."""

    http: tuple[str, int] | None = None
    grpc: tuple[str, int] | None = None
    tls: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def http_url(self) -> str:
        """``http(s)://host:port`` of the HTTP endpoint."""
        if self.http is None:
            raise ServeError("no HTTP endpoint")
        return f"{'https' if self.tls else 'http'}://{_host(self.http[0])}:{self.http[1]}"

    @property
    def grpc_target(self) -> str:
        """``host:port`` of the gRPC endpoint."""
        if self.grpc is None:
            raise ServeError("no gRPC endpoint")
        return f"{_host(self.grpc[0])}:{self.grpc[1]}"


def _host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def _ssl_context(config: ServeConfig) -> ssl.SSLContext | None:
    if config.tls_cert is None or config.tls_key is None:
        return None
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    try:
        ctx.load_cert_chain(config.tls_cert, config.tls_key)
    except (OSError, ssl.SSLError) as e:
        raise ServeError(f"cannot load the TLS certificate {config.tls_cert} and key "
                         f"{config.tls_key}: {e}") from e
    ctx.set_alpn_protocols(["http/1.1"])
    return ctx


async def serve(receiver: Receiver, stop: asyncio.Event, *,
                ready: Callable[[Endpoints], None] | None = None,
                on_note: Callable[[str], None] | None = None) -> Endpoints:
    """Serve until ``stop`` is set, then drain the buffer; returns the endpoints used.

    Raises:
        ServeError: an address cannot be bound, or the TLS files cannot be loaded.
    """
    config = receiver.config
    config.validate()
    ends = Endpoints(tls=config.tls)
    forwarder = (Forwarder(config.forward, receiver.metrics, on_note=on_note,
                           max_decompressed_bytes=config.max_decompressed_bytes)
                 if config.forward else None)
    runner: web.AppRunner | None = None
    grpc_srv = None
    try:
        if config.http is not None:
            host, port = parse_address(config.http, "--http")
            web_view = WebView(receiver)
            app = OtlpHttp(receiver, forwarder, web_view.add_routes).app()
            runner = web.AppRunner(app, auto_decompress=False, access_log=None,
                                   handle_signals=False, shutdown_timeout=SHUTDOWN_GRACE)
            await runner.setup()
            site = web.TCPSite(runner, host, port, ssl_context=_ssl_context(config))
            try:
                await site.start()
            except OSError as e:
                raise ServeError(f"--http {config.http}: cannot listen: {e.strerror or e}") from e
            ends.http = _bound(runner, host)
        if config.grpc is not None:
            host, port = parse_address(config.grpc, "--grpc")
            grpc_srv = grpc_server(receiver, forwarder)
            address = f"{_host(host)}:{port}"
            try:
                if config.tls_cert is not None and config.tls_key is not None:
                    bound = grpc_srv.add_secure_port(address, credentials(config.tls_cert,
                                                                          config.tls_key))
                else:
                    bound = grpc_srv.add_insecure_port(address)
            except RuntimeError as e:
                raise ServeError(f"--grpc {config.grpc}: cannot listen: {e}") from e
            if bound == 0:
                raise ServeError(f"--grpc {config.grpc}: cannot listen (address in use?)")
            await grpc_srv.start()
            ends.grpc = (host, bound)
        if ready is not None:
            ready(ends)
        tick = min(config.trace_timeout / 4, 0.05)
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), tick)
            receiver.sweep()
    finally:
        if grpc_srv is not None:
            await grpc_srv.stop(SHUTDOWN_GRACE)
        if runner is not None:
            await runner.cleanup()
        if forwarder is not None:
            await forwarder.close()
        receiver.drain()
    return ends


def _bound(runner: web.AppRunner, host: str) -> tuple[str, int]:
    """The address the HTTP site listens on (the port chosen for ``:0``)."""
    for address in runner.addresses:
        if isinstance(address, tuple) and len(address) >= 2:
            return host, int(address[1])
    raise ServeError(f"the HTTP endpoint on {host} did not report its port")


class ServerThread:
    """A receiver serving in a background thread (a context manager).

    Entering starts both transports and waits until they listen; leaving stops them, drains
    the buffer (every trace received is checked and written) and joins the thread.
    """

    def __init__(self, receiver: Receiver, *, on_note: Callable[[str], None] | None = None
                 ) -> None:
        self.receiver = receiver
        self.on_note = on_note
        self.endpoints = Endpoints()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="cspotlp-serve", daemon=True)

    def _run(self) -> None:
        async def main() -> None:
            self._loop = asyncio.get_running_loop()
            self._stop = asyncio.Event()
            await serve(self.receiver, self._stop, ready=self._started, on_note=self.on_note)

        try:
            asyncio.run(main())
        except BaseException as e:  # handed to the thread that started the server
            self._error = e
        finally:
            self._ready.set()

    def _started(self, endpoints: Endpoints) -> None:
        self.endpoints = endpoints
        self._ready.set()

    def start(self) -> ServerThread:
        """Start serving; returns once both endpoints listen.

        Raises:
            ServeError: the receiver could not start (the reason is kept).
        """
        self._thread.start()
        if not self._ready.wait(STARTUP_TIMEOUT):
            raise ServeError(f"the receiver did not start within {STARTUP_TIMEOUT:g} s")
        if self._error is not None:
            raise self._error
        return self

    def stop(self) -> None:
        """Stop serving, drain the buffer, and wait for the thread."""
        if self._loop is not None and self._stop is not None and self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(STARTUP_TIMEOUT)
        if self._error is not None:
            raise self._error

    def call(self, fn: Callable[[], object]) -> object:
        """Run ``fn`` in the server's event loop and return its result (thread-safe)."""
        if self._loop is None:
            raise ServeError("the receiver is not running")

        async def run() -> object:
            return fn()

        return asyncio.run_coroutine_threadsafe(run(), self._loop).result(STARTUP_TIMEOUT)

    @property
    def http_url(self) -> str:
        """``http(s)://host:port`` of the HTTP endpoint."""
        return self.endpoints.http_url

    @property
    def grpc_target(self) -> str:
        """``host:port`` of the gRPC endpoint."""
        return self.endpoints.grpc_target

    def __enter__(self) -> ServerThread:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()


__all__ = ["SHUTDOWN_GRACE", "Endpoints", "ServerThread", "serve"]
