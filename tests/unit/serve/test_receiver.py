"""Late spans, forwarding, TLS and the span bound, through a running receiver."""

import json
import shutil
import subprocess
import threading

import pytest
import requests

from cspotlp.otlp.otlp_proto import encode_request
from cspotlp.serve import ServeConfig
from cspotlp.serve.config import is_loopback
from tests.flow_fixtures import checkout_traces

PB = {"Content-Type": "application/x-protobuf"}


def post(url, spans, **kw):
    r = requests.post(url + "/v1/traces", data=encode_request(spans).SerializeToString(),
                      headers={**PB, **kw.pop("headers", {})}, timeout=10, **kw)
    assert r.status_code == 200, r.content
    return r


def lines(out):
    return [json.loads(x) for x in out.getvalue().splitlines()]


def test_a_late_span_is_reported_with_a_recheck(make_server):
    server, out = make_server()
    trace = checkout_traces()[0]
    ship = next(i for i, s in enumerate(trace.spans) if s.name.endswith("ShipOrder")
                and s.kind == 2)
    early = [s for i, s in enumerate(trace.spans) if i != ship]
    checked = threading.Event()
    server.receiver.on_verdict = lambda record, latency: checked.set()
    post(server.http_url, early)
    assert checked.wait(30)  # the quiet period (0.2 s) passes in the server's own sweeps
    post(server.http_url, [trace.spans[ship]])
    server.stop()
    first, again = lines(out)
    assert first["verdict"] == "fail" and "late" not in first  # ShipOrder missing: refused
    assert again["late"] is True and again["late_spans"] == 1
    assert (again["verdict"], again["previous_verdict"], again["spans"]) == (
        "pass", "fail", len(trace.spans))
    m = server.receiver.metrics
    assert m.value("cspotlp_traces_late_total") == 1 and m.value("cspotlp_spans_late_total") == 1


def test_past_the_span_bound_traces_are_checked_incomplete_and_counted(make_server):
    traces = checkout_traces()
    server, out = make_server(max_buffered_spans=30, trace_timeout=60)
    for t in traces:
        post(server.http_url, list(t.spans))
    server.stop()
    got = lines(out)
    assert [r["verdict"] for r in got].count("incomplete") >= 2
    assert {r["incomplete"] for r in got if r["verdict"] == "incomplete"} == {
        "checked early to keep within --max-buffered-spans"}
    m = server.receiver.metrics
    received = m.value("cspotlp_spans_received_total", transport="http")
    assert received == sum(len(t.spans) for t in traces)
    assert received == m.value("cspotlp_spans_checked_total") + m.value(
        "cspotlp_spans_incomplete_total")


@pytest.mark.parametrize("scheme", ["http", "grpc"])
def test_forward_passes_requests_on_unchanged(make_server, scheme):
    back, back_out = make_server()
    target = (back.http_url + "/v1/traces" if scheme == "http"
              else f"grpc://{back.grpc_target}")
    front, front_out = make_server(forward=target)
    for t in checkout_traces():
        post(front.http_url, list(t.spans))
    front.stop()  # waits for the forwards in flight
    back.stop()
    assert front.receiver.metrics.value("cspotlp_forward_requests_total", outcome="ok") == 4
    # forwards run concurrently, so the target may see the requests in another order
    def by_trace(out):
        return sorted(lines(out), key=lambda r: r["trace_id"])

    assert by_trace(front_out) == by_trace(back_out) and len(lines(back_out)) == 4


def test_a_dead_forward_target_is_counted_not_fatal(make_server):
    front, out = make_server(forward="http://127.0.0.1:9/v1/traces")
    post(front.http_url, list(checkout_traces()[0].spans))
    front.stop()
    assert front.receiver.metrics.value("cspotlp_forward_requests_total", outcome="failed") == 1
    assert [r["verdict"] for r in lines(out)] == ["pass"]


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")
def test_tls_and_token_on_loopback(make_server, tmp_path):
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    server, out = make_server(tls_cert=str(cert), tls_key=str(key), auth_token="t0ken")
    assert server.http_url.startswith("https://")
    with pytest.raises(requests.exceptions.SSLError):
        requests.get(server.http_url + "/healthz", timeout=10)  # not a certificate we trust
    post(server.http_url, list(checkout_traces()[0].spans), verify=str(cert),
         headers={"Authorization": "Bearer t0ken"})
    server.stop()
    assert [r["verdict"] for r in lines(out)] == ["pass"]


def test_loopback_rule():
    assert is_loopback("127.0.0.5") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("example.org")
    ServeConfig(http="0.0.0.0:1", grpc=None, insecure=True).validate()


def test_the_transform_hook_sees_every_batch_before_assembly(make_server):
    def drop_email(spans):
        return [s for s in spans if "EmailService" not in s.name]

    server, out = make_server(transform=drop_email)
    assert server.receiver.keep_attributes  # a transform may read them
    trace = checkout_traces()[0]
    post(server.http_url, list(trace.spans))
    server.stop()
    [record] = lines(out)
    assert record["spans"] == len(trace.spans) - 2
    failure = record["failure"]
    assert (record["verdict"], failure["event"], failure["accepted"]) == (
        "fail", "ret.PlaceOrder", ["call.SendOrderConfirmation"])


def test_attributes_are_decoded_only_when_something_reads_them(checkout_spec):
    from cspotlp.conformance import ConformanceChecker
    from cspotlp.mapping.abstraction_file import loads_abstraction
    from cspotlp.serve import Receiver
    from tests.flow_fixtures import checkout_abstraction

    process, env = checkout_spec
    plain = ConformanceChecker.for_process(process, env, checkout_abstraction())
    assert not Receiver(plain).keep_attributes
    assert Receiver(plain, ServeConfig(keep_attributes=True)).keep_attributes
    with_data = ConformanceChecker.for_process(
        process, env, loads_abstraction('{"data": ["app.order.id"]}', "a.json"))
    assert Receiver(with_data).keep_attributes
    labelled = ConformanceChecker.for_process(  # labels taken from an attribute
        process, env, loads_abstraction('{"label_attribute": "app.product.id"}', "a.json"))
    assert Receiver(labelled).keep_attributes
