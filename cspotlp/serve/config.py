"""How ``cspotlp serve`` is configured: addresses, security, limits, timing.

:class:`ServeConfig` holds every option; :meth:`ServeConfig.validate` enforces the rule that
keeps a receiver from being opened to a network by accident: an address outside loopback needs
TLS (a certificate and its key) *and* a bearer token, unless ``insecure`` says otherwise in so
many words.

>>> parse_address("127.0.0.1:4318", "--http")
('127.0.0.1', 4318)
>>> parse_address("[::1]:0", "--grpc")
('::1', 0)
>>> is_loopback("localhost"), is_loopback("0.0.0.0")
(True, False)
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Callable
from dataclasses import dataclass

from cspotlp.errors import ServeError
from cspotlp.otlp.model import Span

SpanTransform = Callable[[list[Span]], list[Span]]
"""A hook applied to every decoded batch of spans before they are assembled into traces.

It receives the spans of one request (in request order) and returns the spans to keep, changed
or not; the OTTL transformations of ``--ottl`` plug in here. Forwarding (``--forward``) is not
affected: it passes the request on as received.
"""

DEFAULT_MAX_REQUEST_BYTES = 16 << 20
"""Largest request body accepted, compressed or not (the Collector's default is 20 MiB)."""

DEFAULT_MAX_DECOMPRESSED_BYTES = 64 << 20
"""Largest body a compressed request may inflate to (decompression-bomb protection)."""


def parse_address(text: str, option: str) -> tuple[str, int]:
    """``host:port`` (``[v6]:port`` for IPv6) as a pair; port 0 picks a free port.

    Raises:
        ServeError: the text is not ``host:port`` with a port in 0..65535.
    """
    host, sep, port = text.rpartition(":")
    if not sep or not host:
        raise ServeError(f"{option} {text!r}: expected HOST:PORT (e.g. 127.0.0.1:4318)")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    try:
        number = int(port)
    except ValueError:
        raise ServeError(f"{option} {text!r}: the port {port!r} is not a number") from None
    if not 0 <= number <= 65535:
        raise ServeError(f"{option} {text!r}: the port must be between 0 and 65535")
    return host, number


def is_loopback(host: str) -> bool:
    """True for ``localhost`` and loopback addresses (127.0.0.0/8, ::1)."""
    if host.lower() in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a host name: it may resolve to anything


@dataclass
class ServeConfig:
    """Everything ``cspotlp serve`` is told.

    Attributes:
        http: ``host:port`` of the OTLP/HTTP endpoint (and the web view), or None for none.
        grpc: ``host:port`` of the OTLP/gRPC endpoint, or None for none.
        tls_cert: PEM certificate (chain) for both endpoints; with ``tls_key``.
        tls_key: PEM private key of ``tls_cert``.
        auth_token: bearer token every request must carry (``Authorization: Bearer ...``);
            ``/healthz`` is exempt.
        insecure: allow an address beyond loopback without TLS or token.
        trace_timeout: seconds without a new span, after the root has ended, before a trace is
            checked.
        max_trace_wait: seconds after its first span when a trace is checked whatever its state
            (then "incomplete" unless its root has ended and it has gone quiet).
        max_buffered_spans: spans held (waiting traces plus those kept for late re-checks);
            past it the oldest waiting traces are checked as they are and marked "incomplete".
        keep_checked_traces: checked traces whose spans are kept, for late re-checks and the
            trace pages of the web view.
        history: verdicts listed by the web view.
        max_request_bytes: largest request body (compressed size as sent).
        max_decompressed_bytes: largest size a compressed body may inflate to.
        forward: an OTLP endpoint to pass every accepted request on to, unchanged
            (``http(s)://host:port/v1/traces`` or ``grpc://host:port``).
        transform: see :data:`SpanTransform`.
        lenient: accept common deviations from the OTLP JSON spec (as ``--lenient``).
        keep_attributes: keep span, event and link attributes when decoding; None (the
            default) keeps them only when something reads them: an abstraction that turns
            attributes into event data, or a ``transform``. Dropping them makes decoding
            about a fifth cheaper.
    """

    http: str | None = "127.0.0.1:4318"
    grpc: str | None = "127.0.0.1:4317"
    tls_cert: str | None = None
    tls_key: str | None = None
    auth_token: str | None = None
    insecure: bool = False
    trace_timeout: float = 5.0
    max_trace_wait: float = 60.0
    max_buffered_spans: int = 1_000_000
    keep_checked_traces: int = 1_000
    history: int = 10_000
    max_request_bytes: int = DEFAULT_MAX_REQUEST_BYTES
    max_decompressed_bytes: int = DEFAULT_MAX_DECOMPRESSED_BYTES
    forward: str | None = None
    transform: SpanTransform | None = None
    lenient: bool = False
    keep_attributes: bool | None = None

    def validate(self) -> None:
        """Check the options against each other.

        Raises:
            ServeError: a bad address or limit, TLS files missing or unreadable, an address
                beyond loopback without TLS and token (and without ``insecure``).
        """
        if self.http is None and self.grpc is None:
            raise ServeError("nothing to serve: give --http or --grpc an address")
        if self.trace_timeout <= 0 or self.max_trace_wait <= 0:
            raise ServeError("--trace-timeout and --max-trace-wait must be positive")
        if self.max_trace_wait < self.trace_timeout:
            raise ServeError(f"--max-trace-wait ({self.max_trace_wait:g} s) is shorter than "
                             f"--trace-timeout ({self.trace_timeout:g} s)")
        for name, value in (("--max-buffered-spans", self.max_buffered_spans),
                            ("--max-request-bytes", self.max_request_bytes),
                            ("--max-decompressed-bytes", self.max_decompressed_bytes)):
            if value < 1:
                raise ServeError(f"{name} must be at least 1")
        if self.keep_checked_traces < 0 or self.history < 0:
            raise ServeError("--keep-checked-traces and --history cannot be negative")
        if (self.tls_cert is None) != (self.tls_key is None):
            raise ServeError("TLS needs both --tls-cert and --tls-key")
        for path in (self.tls_cert, self.tls_key):
            if path is not None and not os.path.isfile(path):
                raise ServeError(f"{path}: no such file (TLS certificate or key)")
        if self.auth_token is not None and not self.auth_token.strip():
            raise ServeError("--auth-token is empty")
        exposed = [f"{opt} {addr}" for opt, addr in (("--http", self.http), ("--grpc", self.grpc))
                   if addr is not None and not is_loopback(parse_address(addr, opt)[0])]
        if exposed and not self.insecure:
            missing = [what for what, ok in (("TLS (--tls-cert, --tls-key)", self.tls_cert),
                                             ("a bearer token (--auth-token)", self.auth_token))
                       if ok is None]
            if missing:
                raise ServeError(
                    f"{', '.join(exposed)} is reachable beyond this machine; that needs "
                    f"{' and '.join(missing)}, or --insecure to serve it unprotected")
        if self.forward is not None and not self.forward.startswith(
                ("http://", "https://", "grpc://", "grpcs://")):
            raise ServeError(f"--forward {self.forward!r}: expected an http://, https://, "
                             "grpc:// or grpcs:// URL")

    @property
    def tls(self) -> bool:
        """True when both endpoints speak TLS."""
        return self.tls_cert is not None


__all__ = ["DEFAULT_MAX_DECOMPRESSED_BYTES", "DEFAULT_MAX_REQUEST_BYTES", "ServeConfig",
           "SpanTransform", "is_loopback", "parse_address"]
