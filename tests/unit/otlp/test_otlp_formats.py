import json

import pytest

from cspotlp.errors import MalformedInput
from cspotlp.otlp import (
    AnyValue,
    Capture,
    Event,
    Link,
    Resource,
    Scope,
    Span,
    Status,
    attributes,
    dump_proto,
    dump_proto_stream,
    dumps_json,
    dumps_jsonl,
    load,
)
from cspotlp.otlp.model import service_name
from tests.paths import OTLP_DATA, needs_shared_data, shared_files
from tests.project_data import CAPTURE_JSONL, CAPTURE_PB

T1, T2 = "0af7651916cd43dd8448eb211c80319c", "4bf92f3577b34da6a3ce929d0e0e4736"


def sample_spans():
    res = Resource(attributes({"service.name": "api", "n": 3}), 1, (), "https://schema/r")
    scope = Scope("lib", "2.0", attributes({"x": True}), 0, "https://schema/s")
    root = Span(T1, "b7ad6b7169203331", "", "root", 2, 100, 200,
                attributes({"f": 1.25, "b": b"\x00\xff", "l": [1, "a", [False]], "m": {"k": None}}),
                (Event(150, "ev", attributes({"e": "v"}), 2),),
                (Link(T2, "00f067aa0ba902b7", "k=v", attributes({"l": 1}), 1, 1),),
                Status(2, "bad"), "t=s", 1, 4, 5, 6, res, scope)
    child = Span(T1, "00f067aa0ba902b7", "b7ad6b7169203331", "child", 3, 120, 180, resource=res,
                 scope=scope)
    other = Span(T2, "1111111111111111", "", "other", 1, 5, 9)
    return [root, child, other]


def capture_of(spans):
    return load(dumps_json(spans).encode())


@pytest.mark.parametrize("write", [
    lambda s: dumps_json(s).encode(), lambda s: dumps_json(s, indent=None).encode(),
    lambda s: dumps_jsonl(s).encode(), dump_proto, dump_proto_stream,
])
def test_every_writer_round_trips_every_field(write):
    spans = sample_spans()
    capture = load(write(spans))
    assert list(capture.spans()) == spans
    assert [t.trace_id for t in capture.traces] == [T1, T2]


def test_detected_formats():
    spans = sample_spans()
    assert load(dumps_json(spans).encode()).format == "otlp-json"
    assert load(dumps_jsonl(spans).encode()).format == "otlp-jsonl"
    assert load(dumps_json(spans, indent=None).encode()).format == "otlp-json"  # one line
    assert load(dump_proto(spans)).format == "otlp-proto"
    assert load(dump_proto_stream(spans)).format == "otlp-proto-stream"


def test_writers_are_deterministic_and_end_with_a_newline():
    spans = sample_spans()
    assert dumps_json(spans) == dumps_json(list(spans)) and dumps_json(spans).endswith("}\n")
    assert dump_proto(spans) == dump_proto(spans)


def test_json_encoding_follows_the_otlp_spec():
    data = json.loads(dumps_json(sample_spans()))
    sp = data["resourceSpans"][0]["scopeSpans"][0]["spans"][0]
    assert sp["traceId"] == T1 and sp["kind"] == 2  # hex ids, enums as integers
    assert sp["startTimeUnixNano"] == "100"  # 64-bit integers as strings
    assert sp["status"] == {"code": 2, "message": "bad"}
    assert {"key": "b", "value": {"bytesValue": "AP8="}} in sp["attributes"]


def test_protobuf_stream_errors_name_the_offset():
    stream = dump_proto_stream(sample_spans())
    with pytest.raises(MalformedInput, match="truncated"):
        load(stream[:-3])
    with pytest.raises(MalformedInput, match="truncated size prefix"):
        load(stream + b"\x00\x01")


def test_garbage_bytes_are_not_a_message():
    with pytest.raises(MalformedInput, match="not (OTLP protobuf|an OTLP trace export)"):
        load(b"\x0a\xff\xff\xff\xff\x0f garbage")
    with pytest.raises(MalformedInput):
        load(b"hello, world")


def test_empty_and_unknown_files(tmp_path):
    with pytest.raises(MalformedInput, match="empty"):
        load(b"  \n")
    with pytest.raises(MalformedInput, match="not a known trace format"):
        load(b'{"hello": 1}')
    with pytest.raises(MalformedInput, match="cannot read"):
        load(str(tmp_path / "no-such-file.json"))


@needs_shared_data
def test_capture_equality_ignores_where_it_came_from():
    a = load(OTLP_DATA / "otlpjson__jaeger-ui__otlp2jaeger-multi-in.jsonl")
    b = load(OTLP_DATA / "otlpjson__jaeger-ui__otlp2jaeger-multi-in-combined.json")
    assert isinstance(a, Capture) and a.format != b.format
    assert sorted(a.spans()) == sorted(b.spans())


@needs_shared_data
def test_jaeger_model_json_times_ids_and_references():
    capture = load(OTLP_DATA / "jaeger__jaeger__model-domain_01.json")
    spans = list(capture.spans())
    first = spans[0]
    assert first.trace_id == "00000000000000000000000000000001"
    assert first.span_id == "0000000000000002"
    # 2017-01-26T16:46:31.639875139-05:00, duration 5000ns
    assert first.start_time_unix_nano == 1485467191639875139
    assert first.end_time_unix_nano - first.start_time_unix_nano == 5000
    assert [e.name for e in first.events] == ["some-event", ""]
    fourth = spans[3]
    assert fourth.parent_span_id == "0000000000000002"
    assert [(k.trace_id[-2:], k.span_id[-2:], k.attributes[0].value.value) for k in fourth.links] == [
        ("ff", "ff", "child_of"), ("01", "02", "follows_from")]
    typed = {kv.key: kv.value for kv in spans[1].attributes}
    assert typed["peer.ipv4"] == AnyValue("int", 23456)
    assert typed["blob"] == AnyValue("bytes", b"\x00\x0009")
    assert spans[1].status.code == 2  # error tag


@needs_shared_data
def test_jaeger_ui_processes_kinds_and_scopes():
    spans = list(load(OTLP_DATA / "jaeger__jaeger-ui__oltp2jaeger-multi-out.json").spans())
    assert {service_name(s.resource) for s in spans} == {"example-trace"}
    assert {s.kind for s in spans} == {1}  # span.kind=internal, consumed
    assert all("span.kind" not in {kv.key for kv in s.attributes} for s in spans)
    assert {s.scope.name for s in spans} == {"ohboy", "widgets"}


@needs_shared_data
def test_zipkin_ids_are_padded_and_tags_kept():
    (sp,) = load(OTLP_DATA / "zipkin2__jaeger__zipkin_v2_01.json").spans()
    assert (sp.span_id, sp.parent_span_id) == ("0000000000000002", "0000000000000001")
    assert (sp.kind, sp.start_time_unix_nano, sp.end_time_unix_nano) == (3, 1000, 11000)
    keys = {kv.key: kv.value.value for kv in sp.attributes}
    assert keys["foo"] == "bar" and keys["zipkin.shared"] is True and keys["zipkin.debug"] is True
    (short,) = load(OTLP_DATA / "zipkin2__jaeger__zipkin_v2_03.json").spans()
    assert short.trace_id == "0000000000000000091f00370361e578"
    assert short.parent_span_id == "0c26551047c72d19"


@needs_shared_data
def test_zipkin_status_from_otel_tags_and_error_tag():
    (sp,) = load(OTLP_DATA / "zipkin2__otelcol-contrib__zipkinreceiver-sample3.json").spans()
    assert sp.status == Status(2, "Something failed")
    # a single span object where Zipkin has an array: read only leniently
    (cn,) = load(OTLP_DATA / "zipkin2__zipkin__benchmarks-zipkin2-chinese.json",
                 lenient=True).spans()
    assert cn.status == Status(2, "此用户没有操作权限") and cn.name == "个人信息查询"


@needs_shared_data
@pytest.mark.parametrize("name", sorted(
    p.name for p in shared_files(OTLP_DATA, (".json", ".jsonl", ".pb")) if "invalid" not in p.name
    and "scan_error" not in p.name and "otlp2parquet__traces.jsonl" not in p.name))
def test_corpus_round_trips_through_json_and_protobuf(name):
    capture = load(OTLP_DATA / name, lenient="chinese" in name)  # a lone Zipkin span object
    via_json = load(dumps_json(capture).encode())
    via_proto = load(dump_proto(capture))
    assert via_json == capture and via_proto == capture
    assert load(dumps_json(via_proto).encode()) == capture  # JSON -> protobuf -> JSON


def test_negative_zero_and_special_doubles_survive():
    import math

    values = [-0.0, float("inf"), float("-inf"), 1e-300]
    spans = [Span(T1, "b7ad6b7169203331", "", "x", 1, 1, 2,
                  tuple(attributes({f"d{i}": v for i, v in enumerate(values)})))]
    for data in (dumps_json(spans).encode(), dump_proto(spans)):
        (sp,) = load(data).spans()
        got = [kv.value.value for kv in sp.attributes]
        assert got == values and math.copysign(1, got[0]) == -1


@needs_shared_data
def test_span_reader_streams_with_lines_and_notes():
    from cspotlp.otlp import SpanReader

    reader = SpanReader(OTLP_DATA / "otlpjson__otel-tui__otel-demo-fileexporter-part1.jsonl",
                        keep_attributes=False)
    lines = [reader.line for _span in reader]
    assert len(lines) == 263 and reader.format == "otlp-jsonl"
    assert lines == sorted(lines) and lines[0] == 2  # line 1 holds logs
    assert [n.kind for n in reader.notes()] == ["skipped-logs"]


def test_plain_values_render_bytes_as_hex_when_asked():
    from cspotlp.otlp import AnyValue

    nested = AnyValue.of({"raw": b"\x01\xff", "list": [b"\x00", 2]})
    assert nested.to_python() == {"raw": b"\x01\xff", "list": [b"\x00", 2]}
    assert nested.to_python(bytes_hex=True) == {"raw": "01ff", "list": ["00", 2]}
    assert AnyValue.of(b"\xab").to_python(bytes_hex=True) == "ab"


# -- the same, on the project's own captures: these run in a fresh clone ----------------------


@pytest.mark.parametrize("path", [CAPTURE_PB, CAPTURE_JSONL], ids=lambda p: p.name)
def test_project_captures_round_trip_through_json_and_protobuf(path):
    capture = load(path)
    assert load(dumps_json(capture).encode()) == capture
    assert load(dump_proto(capture)) == capture
    assert load(dumps_jsonl(capture).encode()) == capture


def test_span_reader_streams_a_project_capture_with_lines_and_notes(tmp_path):
    from cspotlp.otlp import SpanReader

    logs = json.dumps({"resourceLogs": [{"scopeLogs": [{"logRecords": [{"body": {
        "stringValue": "a log line among the spans"}}]}]}]})
    lines = CAPTURE_JSONL.read_text().splitlines()
    mixed = tmp_path / "mixed.jsonl"
    mixed.write_text("\n".join([logs, *lines]) + "\n")
    reader = SpanReader(mixed, keep_attributes=False)
    seen = [reader.line for _span in reader]
    assert len(seen) == 78 and reader.format == "otlp-jsonl"
    assert seen == sorted(seen) and seen[0] == 2 and seen[-1] == len(lines) + 1
    assert [n.kind for n in reader.notes()] == ["skipped-logs"]
