"""The live OTLP receiver: traces checked as they arrive, verdicts out, a web view.

``cspotlp serve`` in Python: a :class:`Receiver` (spans in, verdicts out, no network) served
over OTLP/HTTP and OTLP/gRPC by :func:`serve` (in the caller's event loop) or
:class:`ServerThread` (in a background thread)::

    from cspotlp.conformance import ConformanceChecker, load_spec
    from cspotlp.serve import Receiver, ServeConfig, ServerThread

    process, env = load_spec("examples/checkout_spec.csp", "SPEC")
    checker = ConformanceChecker.for_process(process, env, abstraction)
    config = ServeConfig(http="127.0.0.1:0", grpc="127.0.0.1:0", trace_timeout=1.0)
    with ServerThread(Receiver(checker, config, out=sys.stdout)) as server:
        ...  # export to server.http_url + "/v1/traces" or server.grpc_target
    # leaving the block checks what is still buffered and writes it

Web and gRPC frameworks (aiohttp, grpcio) are imported only in this package (the ``serve``
extra); the pages themselves come from :mod:`cspotlp.render.html`.
"""

from cspotlp.serve.buffer import INCOMPLETE_REASONS, Release, TraceBuffer
from cspotlp.serve.config import ServeConfig, SpanTransform, is_loopback, parse_address
from cspotlp.serve.decode import Accepted, RequestError
from cspotlp.serve.metrics import Metrics
from cspotlp.serve.receiver import Receiver, VerdictHistory
from cspotlp.serve.server import Endpoints, ServerThread, serve
from cspotlp.serve.verdicts import VERDICTS, check_release, verdict_record

__all__ = [
    "INCOMPLETE_REASONS", "VERDICTS", "Accepted", "Endpoints", "Metrics", "Receiver", "Release",
    "RequestError", "ServeConfig", "ServerThread", "SpanTransform", "TraceBuffer",
    "VerdictHistory", "check_release", "is_loopback", "parse_address", "serve", "verdict_record",
]
