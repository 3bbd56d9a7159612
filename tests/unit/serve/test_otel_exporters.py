"""The real OpenTelemetry SDK exporters (OTLP/HTTP and OTLP/gRPC) send the checkout example's
spans to ``serve``; its verdicts equal ``cspotlp conform`` on the same spans."""

import importlib.util
import json
import random
from collections.abc import Sequence

import grpc
import pytest
from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter as GrpcExporter
from opentelemetry.exporter.otlp.proto.http import Compression as HttpCompression
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter as HttpExporter
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2, trace_service_pb2_grpc
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult

from cspotlp.cli import main
from cspotlp.otel import OtlpFileExporter
from cspotlp.otlp import Resource, Span, attributes
from cspotlp.otlp.otlp_proto import encode_request
from tests.flow_fixtures import CHECKOUT_ABSTRACTION, CHECKOUT_SPEC, EXAMPLES


def checkout_app():
    spec = importlib.util.spec_from_file_location("checkout_app", EXAMPLES / "checkout_app.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Tee(SpanExporter):
    """Exports to the receiver under test and to a file for `cspotlp conform`."""

    def __init__(self, *exporters: SpanExporter) -> None:
        self.exporters = exporters

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        results = [e.export(spans) for e in self.exporters]
        return (SpanExportResult.SUCCESS if all(r == SpanExportResult.SUCCESS for r in results)
                else SpanExportResult.FAILURE)

    def shutdown(self) -> None:
        for e in self.exporters:
            e.shutdown()


def run_shop(exporter, path, orders=4):
    app = checkout_app()
    rng = random.Random(7)
    shop = app.Shop(Tee(exporter, OtlpFileExporter(path, format="proto")), rng)
    try:
        for i in range(1, orders + 1):
            items = [f"P{rng.randrange(100):02d}" for _ in range(rng.randint(1, 3))]
            app.place_order(shop, f"order-{i}", items, decline=(i == 3), ship_first=(i == 4))
    finally:
        shop.shutdown()


def conform(path, capsys):
    capsys.readouterr()
    main(["conform", "--json", "--complete", "--spec", str(CHECKOUT_SPEC),
          "--abstraction", str(CHECKOUT_ABSTRACTION), str(path)])
    return json.loads(capsys.readouterr().out)["results"]


def essence(record):
    failure = record.get("failure") or {}
    return (record["verdict"], record["events"], failure.get("event"),
            (failure.get("span") or {}).get("span_id"), tuple(failure.get("accepted", ())))


@pytest.mark.parametrize("transport", ["http", "grpc"])
def test_sdk_exporters_get_the_verdicts_of_conform(make_server, tmp_path, capsys, transport):
    server, out = make_server()
    if transport == "http":
        exporter = HttpExporter(endpoint=server.http_url + "/v1/traces", timeout=10,
                                compression=HttpCompression.Gzip)
    else:
        exporter = GrpcExporter(endpoint=server.grpc_target, insecure=True, timeout=10,
                                compression=grpc.Compression.Gzip)
    run_shop(exporter, tmp_path / "spans.pb")
    server.stop()
    served = {r["trace_id"]: r for r in map(json.loads, out.getvalue().splitlines())}
    expected = {r["trace_id"]: r for r in conform(tmp_path / "spans.pb", capsys)}
    assert len(expected) == 4
    assert {t: essence(r) for t, r in served.items()} == {t: essence(r) for t, r in expected.items()}
    assert sorted(r["verdict"] for r in served.values()) == ["fail", "pass", "pass", "pass"]
    m = server.receiver.metrics
    assert m.value("cspotlp_spans_received_total", transport=transport) == sum(
        r["spans"] for r in served.values())


def big_request(size):
    span = Span("ab" * 16, "cd" * 8, "", "x", 2, 1, 2,
                resource=Resource(attributes({"service.name": "bomb", "pad": "a" * size})))
    return encode_request([span])


def test_grpc_refuses_a_compressed_bomb_and_a_missing_token(make_server):
    server, out = make_server(max_request_bytes=1 << 20, auth_token="s3cret")
    with grpc.insecure_channel(server.grpc_target) as channel:
        stub = trace_service_pb2_grpc.TraceServiceStub(channel)
        token = (("authorization", "Bearer s3cret"),)
        with pytest.raises(grpc.RpcError) as refused:
            stub.Export(big_request(100), timeout=10)
        assert refused.value.code() == grpc.StatusCode.UNAUTHENTICATED
        with pytest.raises(grpc.RpcError) as bomb:
            stub.Export(big_request(8 << 20), timeout=10, metadata=token,
                        compression=grpc.Compression.Gzip)
        assert bomb.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
        bad = trace_service_pb2.ExportTraceServiceRequest()
        bad.MergeFrom(big_request(10))
        bad.resource_spans[0].scope_spans[0].spans[0].span_id = b"\0" * 8
        reply = stub.Export(bad, timeout=10, metadata=token)
        assert reply.partial_success.rejected_spans == 1
        assert stub.Export(big_request(10), timeout=10, metadata=token).partial_success.rejected_spans == 0
    server.stop()
    # only the last request's span reached the checker (a lone span outside the checkout spec)
    [record] = [json.loads(line) for line in out.getvalue().splitlines()]
    assert (record["trace_id"], record["spans"], record["verdict"]) == ("ab" * 16, 1, "fail")
