"""A checkout receiver on ephemeral loopback ports, always shut down."""

import io

import pytest

from cspotlp.conformance import ConformanceChecker
from cspotlp.conformance.spec import load_spec
from cspotlp.serve import Receiver, ServeConfig, ServerThread
from tests.flow_fixtures import CHECKOUT_SPEC, checkout_abstraction


@pytest.fixture(scope="session")
def checkout_spec():
    return load_spec(CHECKOUT_SPEC, "SPEC")


@pytest.fixture
def make_server(checkout_spec):
    """make_server(**config) -> (server, out): a running receiver; stopped after the test."""
    started = []

    def make(complete=True, **options):
        process, env = checkout_spec
        checker = ConformanceChecker.for_process(process, env, checkout_abstraction(),
                                                 complete=complete)
        options.setdefault("http", "127.0.0.1:0")
        options.setdefault("grpc", "127.0.0.1:0")
        options.setdefault("trace_timeout", 0.2)
        out = io.StringIO()
        server = ServerThread(Receiver(checker, ServeConfig(**options), out=out))
        server.start()
        started.append(server)
        return server, out

    yield make
    for server in started:
        server.stop()
