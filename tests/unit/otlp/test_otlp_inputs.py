"""Formats users have, and input that is not what it claims: each read as captured, or refused
with a message that says what the file is.

The samples are made here from the project's own capture (examples/captures/, exported by the
OpenTelemetry SDK from examples/checkout_app.py) with the real encoders: protobuf's
MessageToDict for Tempo's proto3 JSON, the SDK's ConsoleSpanExporter for its console output.
"""

import importlib.util
import json
import os

import pytest

from cspotlp.cli import main
from cspotlp.errors import MalformedInput, NonConformingInput
from cspotlp.otlp import load, summarise
from tests.project_data import (
    CAPTURE_JSONL,
    CAPTURE_PB,
    CAPTURE_SPANS,
    CAPTURE_TRACES,
    EXAMPLES,
    message_to_dict_lines,
)

PB = load(CAPTURE_PB)


def resource_spans(lines):
    return [rs for line in lines.splitlines() for rs in json.loads(line)["resourceSpans"]]


# -- OTLP under a wrapper -------------------------------------------------------------------


def test_tempo_trace_by_id_is_read_as_tempo_writes_it():
    # Tempo answers with protobuf's JSON mapping: base64 ids and enum names, which are its
    # documented encoding (so read without --lenient, without a note)
    batches = resource_spans(message_to_dict_lines())
    v1 = load(json.dumps({"batches": batches}).encode())
    assert (v1.format, v1.notes) == ("tempo", ())
    assert v1 == PB
    v2 = load(json.dumps({"trace": {"resourceSpans": batches}, "metrics": {}}).encode())
    assert v2.format == "tempo" and v2 == PB
    hex_v1 = load(json.dumps({"batches": resource_spans(CAPTURE_JSONL.read_text())}).encode())
    assert hex_v1 == load(CAPTURE_JSONL)


def test_jaeger_api_v3_document_and_stream():
    lines = CAPTURE_JSONL.read_text().splitlines()
    doc = json.dumps({"result": {"resourceSpans": resource_spans("\n".join(lines))}}, indent=2)
    one = load(doc.encode())
    stream = load("\n".join(json.dumps({"result": json.loads(x)}) for x in lines).encode())
    assert one.format == stream.format == "jaeger-api-v3"
    assert one == stream == load(CAPTURE_JSONL)


def test_an_error_answer_is_not_an_empty_capture():
    for answer in ({"error": {"httpCode": 404, "message": "trace not found"}},
                   {"status": 404, "message": "trace not found"}):
        with pytest.raises(MalformedInput, match="error answer .*trace not found"):
            load(json.dumps(answer).encode())


# -- SDK outputs that are not OTLP JSON -------------------------------------------------------


def test_message_to_dict_output_needs_lenient_and_then_is_the_capture(tmp_path):
    for snake in (False, True):
        path = tmp_path / f"proto3_{snake}.jsonl"
        path.write_text(message_to_dict_lines(snake_case=snake))
        with pytest.raises(NonConformingInput, match="MessageToDict.*--lenient"):
            load(path)
        assert load(path, lenient=True) == PB


@pytest.fixture(scope="module")
def console_output(tmp_path_factory):
    """What the SDK's ConsoleSpanExporter printed while the example app ran."""
    spec = importlib.util.spec_from_file_location("checkout_app", EXAMPLES / "checkout_app.py")
    app = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(app)
    path = tmp_path_factory.mktemp("console") / "spans.txt"
    app.run(path, 4, 7, "console")
    return path


def test_console_exporter_output_is_named_and_read_leniently(console_output, capsys):
    assert main(["inspect", str(console_output)]) == 2
    err = capsys.readouterr().err
    assert "ConsoleSpanExporter" in err and "--lenient" in err
    capture = load(console_output, lenient=True)
    assert capture.format == "otel-console"
    assert [n.kind for n in capture.notes] == ["console-exporter"]
    # the same run as the committed capture (same seed): same trace ids and span tree
    assert [t.trace_id for t in capture.traces] == [t.trace_id for t in PB.traces]
    for got, want in zip(capture.traces, PB.traces, strict=True):
        assert sorted((s.span_id, s.parent_span_id, s.name, s.kind, s.status.code)
                      for s in got.spans) == sorted(
            (s.span_id, s.parent_span_id, s.name, s.kind, s.status.code) for s in want.spans)
    assert not summarise(capture).diagnostics
    first = capture.traces[0].spans[0]
    assert first.start_time_unix_nano % 1000 == 0  # microseconds: what the format keeps


# -- one span where a list belongs ------------------------------------------------------------

ZIPKIN_SPAN = {"traceId": "5b8efff798038103d269b633813fc60c", "id": "eee19b7ec3c1b174",
               "name": "get", "timestamp": 1_600_000_000_000_000, "duration": 10}
JAEGER_SPAN = {"traceID": "5b8efff798038103d269b633813fc60c", "spanID": "eee19b7ec3c1b174",
               "operationName": "get", "startTime": 1_600_000_000_000_000, "duration": 10}


@pytest.mark.parametrize("span", [ZIPKIN_SPAN, JAEGER_SPAN], ids=["zipkin", "jaeger"])
def test_a_single_span_object_is_not_taken_for_a_trace(span):
    with pytest.raises(NonConformingInput, match="single .* span object"):
        load(json.dumps(span).encode())
    (sp,) = load(json.dumps(span).encode(), lenient=True).spans()
    assert sp.name == "get" and sp.end_time_unix_nano - sp.start_time_unix_nano == 10_000
    assert load(json.dumps([span]).encode()).span_count == 1  # as the format has it: a list


def test_a_span_where_otlp_has_a_list_is_rejected():
    span = {"traceId": "5b8efff798038103d269b633813fc60c", "spanId": "eee19b7ec3c1b174"}
    for doc in ({"resourceSpans": {"scopeSpans": [{"spans": [span]}]}},
                {"resourceSpans": [{"scopeSpans": [{"spans": span}]}]}):
        with pytest.raises(MalformedInput, match="is not a JSON array"):
            load(json.dumps(doc).encode())


# -- files that say what they are -------------------------------------------------------------


def test_empty_documents_say_what_they_are(tmp_path, capsys):
    cases = {"empty.json": b"", "blank.json": b" \n\t\n", "object.json": b"{}",
             "array.json": b"[]", "no_spans.json": b'{"resourceSpans": []}'}
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
    assert main(["inspect", *(str(tmp_path / n) for n in cases)]) == 2
    captured = capsys.readouterr()
    assert "empty.json: the file is empty: 0 bytes" in captured.err
    assert "blank.json: the file is empty: it holds only white space" in captured.err
    assert "the document is an empty JSON object: it holds no traces" in captured.out
    assert "the document is an empty JSON array: it holds no traces" in captured.out
    assert "the file holds no spans (otlp-json)" in captured.out


def test_a_cspm_script_or_other_text_given_as_a_trace(capsys, tmp_path):
    assert main(["inspect", str(EXAMPLES / "cspm" / "vending_machine.csp")]) == 2
    assert "looks like a CSPm script, not a trace" in capsys.readouterr().err
    notes = tmp_path / "notes.txt"
    notes.write_text("\nsome notes about the capture\n")  # starts with 0x0a, as protobuf does
    assert main(["inspect", str(notes)]) == 2
    assert "a text file that is not a known trace format" in capsys.readouterr().err


def test_zero_bytes_are_not_a_protobuf_stream_with_no_traces():
    with pytest.raises(MalformedInput, match="size 0: not a protobuf stream"):
        load(b"\x00" * 4096)


def test_strict_json_no_bare_constants_no_repeated_keys(tmp_path):
    line = CAPTURE_JSONL.read_text().splitlines()[0]
    twice = line.replace('"spanId": ', '"spanId": "0000000000000001", "spanId": ', 1)
    path = tmp_path / "twice.jsonl"
    path.write_text(line + "\n" + twice + "\n")
    with pytest.raises(MalformedInput, match="'spanId' appears twice") as info:
        load(path)
    assert (info.value.where.file, info.value.where.line) == (str(path), 2)
    for token in ("NaN", "Infinity", "-Infinity"):
        doc = '{"resourceSpans": [], "x": ' + token + '}'
        with pytest.raises(MalformedInput, match=f"{token} is not a JSON value"):
            load(doc.encode())


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom", "/dev/null"])
def test_devices_directories_and_pipes_are_not_read(device, tmp_path):
    with pytest.raises(MalformedInput, match="not a regular file"):
        load(device)
    with pytest.raises(MalformedInput, match="a directory, not a regular file"):
        load(tmp_path)
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(MalformedInput, match="a pipe, not a regular file"):
        load(fifo)  # refused at once: opening does not wait for a writer


# -- ids: one rule whatever their length --------------------------------------------------


@pytest.mark.parametrize("digits", [1, 2, 3, 14, 15, 17, 18, 31, 32, 40])
def test_a_span_id_of_any_wrong_length_gets_the_same_diagnostic(digits, tmp_path):
    lines = CAPTURE_JSONL.read_text().splitlines()
    doc = json.loads(lines[0])
    span = doc["resourceSpans"][0]["scopeSpans"][0]["spans"][0]
    span["spanId"] = "ab" * (digits // 2) + "c" * (digits % 2)
    path = tmp_path / "ids.jsonl"
    path.write_text("\n".join([*lines[1:3], json.dumps(doc)]) + "\n")
    (d,) = [d for d in summarise(load(path)).diagnostics if d.kind == "invalid-id"]
    assert d.message == f"span id {span['spanId']!r} has {digits} hex digits, not 16"
    assert (d.where.file, d.where.line, d.span_id) == (str(path), 3, span["spanId"])
    assert main(["psi", str(path)]) == 2


# -- Jaeger and Zipkin times: checked like OTLP's ------------------------------------------


@pytest.mark.parametrize("start, why", [
    ("2020-13-01T00:00:00Z", "month 13 does not exist"),
    ("0000-01-01T00:00:00Z", "before 1970"),
    ("1900-01-01T00:00:00Z", "before 1970"),
    ("9999-12-31T23:59:59Z", "after 2554"),
    ("2020-02-30T10:00:00Z", "day 30 does not exist in month 2"),
    ("2020-02-10T99:99:99Z", "is not a time of day"),
    ("2020-02-10T10:00:00+25:00", "is not a time zone offset"),
])
def test_jaeger_model_times_are_dates_that_exist_in_otlp_range(start, why):
    span = {"traceId": "AAAAAAAAAAAAAAAAAAAAAQ==", "spanId": "AAAAAAAAAAI=", "operationName": "x",
            "startTime": start, "duration": "1s"}
    with pytest.raises(MalformedInput, match=why):
        load(json.dumps({"spans": [span]}).encode())


@pytest.mark.parametrize("field, value", [("startTime", 10**30), ("duration", 10**30)])
def test_jaeger_ui_microseconds_are_range_checked(field, value):
    span = {**JAEGER_SPAN, field: value}
    with pytest.raises(MalformedInput, match="after 2554"):
        load(json.dumps({"data": [{"spans": [span], "processes": {}}]}).encode())


@pytest.mark.parametrize("field, value", [("timestamp", 10**30), ("duration", 2**64)])
def test_zipkin_microseconds_are_range_checked(field, value):
    with pytest.raises(MalformedInput, match="after 2554"):
        load(json.dumps([{**ZIPKIN_SPAN, field: value}]).encode())


def test_the_project_capture_reads_the_same_in_every_format():
    assert load(CAPTURE_JSONL).span_count == PB.span_count == CAPTURE_SPANS
    assert len(PB.traces) == CAPTURE_TRACES
