"""OTLP/HTTP as the specification asks: encodings, status codes, partial success, limits."""

import json
import zlib

import pytest
import requests
from google.rpc import status_pb2
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2

from cspotlp.otlp.otlp_json_encode import encode_traces_data
from cspotlp.otlp.otlp_proto import encode_request
from cspotlp.serve.decode import gzip_bytes
from tests.flow_fixtures import checkout_traces

PB = {"Content-Type": "application/x-protobuf"}
JS = {"Content-Type": "application/json"}


def spans():
    return [s for t in checkout_traces() for s in t.spans]


def body_pb(items=None):
    return encode_request(spans() if items is None else items).SerializeToString()


def records(out):
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_protobuf_json_and_gzip_bodies_are_checked_like_conform(make_server):
    server, out = make_server()
    url = server.http_url + "/v1/traces"
    traces = checkout_traces()
    r = requests.post(url, data=body_pb(traces[0].spans), headers=PB, timeout=10)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("application/x-protobuf")
    assert trace_service_pb2.ExportTraceServiceResponse.FromString(r.content).partial_success.rejected_spans == 0
    doc = json.dumps(encode_traces_data(list(traces[1].spans)))
    r = requests.post(url, data=doc, headers=JS, timeout=10)
    assert r.status_code == 200 and r.json() == {}
    r = requests.post(url, data=gzip_bytes(body_pb(traces[2].spans + traces[3].spans)),
                      headers={**PB, "Content-Encoding": "gzip"}, timeout=10)
    assert r.status_code == 200
    server.stop()
    verdicts = {rec["trace_id"]: rec["verdict"] for rec in records(out)}
    assert verdicts == {t.trace_id: v for t, v in zip(traces, ["pass", "pass", "pass", "fail"],
                                                       strict=True)}
    failing = next(rec for rec in records(out) if rec["verdict"] == "fail")
    assert failing["failure"]["event"] == "call.ShipOrder"
    assert failing["failure"]["accepted"] == ["call.Charge"]


def test_invalid_spans_are_refused_alone_with_partial_success(make_server):
    server, out = make_server()
    good = checkout_traces()[0].spans
    bad = good[0]._replace(trace_id="00" * 16, span_id="ab" * 8)
    r = requests.post(server.http_url + "/v1/traces", data=body_pb([*good, bad]), headers=PB,
                      timeout=10)
    assert r.status_code == 200
    partial = trace_service_pb2.ExportTraceServiceResponse.FromString(r.content).partial_success
    assert partial.rejected_spans == 1 and "trace id is all zero" in partial.error_message
    r = requests.post(server.http_url + "/v1/traces",
                      data=json.dumps(encode_traces_data([bad])), headers=JS, timeout=10)
    assert r.json()["partialSuccess"]["rejectedSpans"] == "1"
    server.stop()
    assert [rec["verdict"] for rec in records(out)] == ["pass"]


@pytest.mark.parametrize(("data", "headers", "status", "words"), [
    (b"\xff\xff\xff", PB, 400, "not an OTLP"),
    (b"{not json", JS, 400, "not JSON"),
    (b'{"resourceSpans": 3}', JS, 400, "resourceSpans"),
    (b"x", {"Content-Type": "text/plain"}, 415, "unsupported Content-Type"),
    (b"x", {**PB, "Content-Encoding": "br"}, 415, "unsupported Content-Encoding"),
    (b"\x1f\x8b\x08garbage", {**PB, "Content-Encoding": "gzip"}, 400, "gzip"),
])
def test_bad_requests_get_the_specs_status_and_a_status_body(make_server, data, headers, status,
                                                               words):
    server, _out = make_server()
    r = requests.post(server.http_url + "/v1/traces", data=data, headers=headers, timeout=10)
    assert r.status_code == status
    if headers["Content-Type"] == "application/json":
        message = r.json()["message"]
    else:
        message = status_pb2.Status.FromString(r.content).message
    assert words in message


def test_size_limits_and_decompression_bombs_are_refused(make_server):
    server, out = make_server(max_request_bytes=50_000, max_decompressed_bytes=200_000)
    url = server.http_url + "/v1/traces"
    r = requests.post(url, data=b"\x0a" * 60_000, headers=PB, timeout=10)
    assert r.status_code == 413
    # 20 MB of zeros gzip to ~20 kB: under the request limit, far over the inflated one
    bomb = zlib.compressobj(9, zlib.DEFLATED, 31)
    packed = bomb.compress(b"\0" * 20_000_000) + bomb.flush()
    assert len(packed) < 50_000
    r = requests.post(url, data=packed, headers={**PB, "Content-Encoding": "gzip"}, timeout=10)
    assert r.status_code == 413
    assert "inflates to more than 200000" in status_pb2.Status.FromString(r.content).message
    metrics = requests.get(server.http_url + "/metrics", timeout=10).text
    assert 'cspotlp_requests_total{outcome="too_large",transport="http"} 2.0' in metrics


def test_metrics_health_and_methods(make_server):
    server, _out = make_server()
    assert requests.get(server.http_url + "/healthz", timeout=10).text == "ok\n"
    requests.post(server.http_url + "/v1/traces", data=body_pb(), headers=PB, timeout=10)
    assert requests.get(server.http_url + "/v1/traces", timeout=10).status_code == 405
    text = requests.get(server.http_url + "/metrics", timeout=10).text
    total = len(spans())
    assert f'cspotlp_spans_received_total{{transport="http"}} {total}.0' in text
    assert "# TYPE cspotlp_check_latency_seconds histogram" in text
    assert "cspotlp_buffered_spans" in text


def test_a_bearer_token_is_required_except_for_health(make_server):
    server, out = make_server(auth_token="s3cret")
    url = server.http_url + "/v1/traces"
    assert requests.post(url, data=body_pb(), headers=PB, timeout=10).status_code == 401
    wrong = {**PB, "Authorization": "Bearer nope"}
    assert requests.post(url, data=body_pb(), headers=wrong, timeout=10).status_code == 401
    assert requests.get(server.http_url + "/metrics", timeout=10).status_code == 401
    assert requests.get(server.http_url + "/healthz", timeout=10).status_code == 200
    ok = {**PB, "Authorization": "Bearer s3cret"}
    assert requests.post(url, data=body_pb(), headers=ok, timeout=10).status_code == 200
    # a browser gives the token once in the address; it is then kept in a cookie
    with requests.Session() as browser:
        r = browser.get(server.http_url + "/?token=s3cret", timeout=10)
        assert r.status_code == 200 and r.url.rstrip("/") == server.http_url
        assert browser.get(server.http_url + "/spec", timeout=10).status_code == 200
    server.stop()
    assert len(records(out)) == 4
