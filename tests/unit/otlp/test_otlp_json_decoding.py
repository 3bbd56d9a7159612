import json

import pytest

from cspotlp.errors import MalformedInput, NonConformingInput
from cspotlp.otlp import AnyValue, KeyValue, Status, load
from cspotlp.otlp.model import EMPTY_VALUE

TID = "5B8EFFF798038103D269B633813FC60C"
SID = "EEE19B7EC3C1B174"


def doc(span=None, indent=1, **resource_spans):
    sp = {"traceId": TID, "spanId": SID, "name": "s", "kind": 2,
          "startTimeUnixNano": "10", "endTimeUnixNano": 20}
    sp.update(span or {})
    rs = {"resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "svc"}}]},
          "scopeSpans": [{"scope": {"name": "lib", "version": "1"}, "spans": [sp]}]}
    rs.update(resource_spans)
    return json.dumps({"resourceSpans": [rs]}, indent=indent).encode()


def one(data, **options):
    capture = load(data, **options)
    (span,) = capture.spans()
    return span


def test_canonical_fields_are_decoded():
    sp = one(doc({"parentSpanId": "", "traceState": "a=b", "flags": 257,
                  "droppedAttributesCount": 3, "droppedEventsCount": "4", "droppedLinksCount": 5,
                  "status": {"code": 2, "message": "boom"}, "unknownField": {"x": 1}}))
    assert sp.trace_id == TID.lower() and sp.span_id == SID.lower()  # hex, case-insensitive
    assert sp.parent_span_id == ""
    assert (sp.start_time_unix_nano, sp.end_time_unix_nano) == (10, 20)  # string or number
    assert (sp.kind, sp.trace_state, sp.flags) == (2, "a=b", 257)
    assert (sp.dropped_attributes_count, sp.dropped_events_count, sp.dropped_links_count) == (3, 4, 5)
    assert sp.status == Status(2, "boom")
    assert sp.resource.attributes == (KeyValue("service.name", AnyValue("string", "svc")),)
    assert (sp.scope.name, sp.scope.version) == ("lib", "1")


def test_every_attribute_value_type():
    values = [
        {"stringValue": "x"}, {"boolValue": True}, {"intValue": "-9223372036854775808"},
        {"intValue": 7}, {"doubleValue": 1.5}, {"doubleValue": "Infinity"},
        {"bytesValue": "AAEC"},
        {"arrayValue": {"values": [{"intValue": "1"}, {"arrayValue": {}}]}},
        {"kvlistValue": {"values": [{"key": "k", "value": {"boolValue": False}}, {"key": "e"}]}},
        {},
    ]
    attrs = [{"key": f"k{i}", "value": v} for i, v in enumerate(values)]
    sp = one(doc({"attributes": attrs}))
    got = [kv.value for kv in sp.attributes]
    assert got == [
        AnyValue("string", "x"), AnyValue("bool", True), AnyValue("int", -(1 << 63)),
        AnyValue("int", 7), AnyValue("double", 1.5), AnyValue("double", float("inf")),
        AnyValue("bytes", b"\x00\x01\x02"),
        AnyValue("array", (AnyValue("int", 1), AnyValue("array", ()))),
        AnyValue("kvlist", (KeyValue("k", AnyValue("bool", False)), KeyValue("e", EMPTY_VALUE))),
        EMPTY_VALUE,
    ]
    assert got[1] != AnyValue("int", 1)  # True and 1 stay apart


def test_deeply_nested_value_is_decoded_without_recursion():
    depth = 250  # json itself limits nesting (~1000 levels); our decoder has no limit of its own
    value = {"intValue": "1"}
    for _ in range(depth):
        value = {"arrayValue": {"values": [value]}}
    sp = one(doc({"attributes": [{"key": "deep", "value": value}]}, indent=None))
    v, levels = sp.attributes[0].value, 0
    while v.kind == "array":
        v, levels = v.value[0], levels + 1
    assert (levels, v) == (depth, AnyValue("int", 1))


@pytest.mark.parametrize(("span", "message"), [
    ({"kind": "SPAN_KIND_SERVER"}, "span kind given by name 'SPAN_KIND_SERVER'"),
    ({"status": {"code": "STATUS_CODE_ERROR"}}, "status code given by name"),
    ({"traceId": "W47/95gDgQPSabYzgT/GDA=="}, "is base64"),
    ({"trace_id": TID}, "snake_case key(s) 'trace_id'"),
])
def test_common_deviations_need_lenient(span, message):
    data = doc(span)
    with pytest.raises(NonConformingInput, match="lenient") as info:
        load(data)
    assert message in str(info.value)
    capture = load(data, lenient=True)
    assert capture.span_count == 1 and len(capture.notes) == 1
    assert message.split("'")[0].strip() in capture.notes[0].message


def test_lenient_values_equal_the_canonical_ones():
    lenient = one(doc({"kind": "SPAN_KIND_SERVER", "traceId": "W47/95gDgQPSabYzgT/GDA==",
                       "start_time_unix_nano": "10"}), lenient=True)
    assert lenient == one(doc())


def test_obsolete_instrumentation_library_keys_need_lenient():
    data = json.dumps({"resourceSpans": [{"resource": {}, "instrumentationLibrarySpans": [
        {"instrumentationLibrary": {"name": "old"}, "spans": [
            {"traceId": TID, "spanId": SID, "name": "s"}]}]}]}).encode()
    with pytest.raises(NonConformingInput, match="instrumentationLibrarySpans"):
        load(data)
    assert one(data, lenient=True).scope.name == "old"


@pytest.mark.parametrize(("span", "message"), [
    ({"kind": "SPAN_KIND_NONSENSE"}, "invalid span kind 'SPAN_KIND_NONSENSE'"),
    ({"kind": 2.5}, "invalid span kind 2.5"),
    ({"kind": 2**40}, "expected a 32-bit integer"),
    ({"startTimeUnixNano": "-1"}, "startTimeUnixNano '-1' is not an unsigned integer"),
    ({"startTimeUnixNano": str(1 << 64)}, "out of range"),
    ({"spanId": "xyz"}, "span id 'xyz' is not hex"),
    ({"name": 3}, "span name 3 is not a string"),
    ({"attributes": [{"key": "k", "value": {"boolValue": "yes"}}]}, "boolValue 'yes'"),
    ({"attributes": [{"key": "k", "value": {"intValue": "1.5"}}]}, "intValue '1.5'"),
    ({"attributes": [{"key": "k", "value": {"bytesValue": "***"}}]}, "not base64"),
    ({"events": {"name": "e"}}, "'events' is not a JSON array"),
])
def test_malformed_spans_name_the_place_and_value(span, message):
    with pytest.raises(MalformedInput) as info:
        load(doc(span), lenient=True)
    assert message in str(info.value)
    assert info.value.where.file == "<bytes>"


def test_wrong_length_hex_ids_are_kept_for_the_diagnostics():
    sp = one(doc({"spanId": "abcd"}))
    assert sp.span_id == "abcd"


def test_json_syntax_error_has_line_and_column():
    with pytest.raises(MalformedInput) as info:
        load(b'{\n  "resourceSpans": [,]\n}')
    assert (info.value.where.line, info.value.where.column) == (2, 21)
    assert str(info.value).startswith("<bytes>:2:21: invalid JSON")


def test_json_lines_errors_name_the_line():
    good = doc().replace(b"\n", b"")
    with pytest.raises(MalformedInput) as info:
        load(good + b"\n" + good + b"\n{oops\n")
    assert info.value.where.line == 3


def test_json_lines_skip_other_signals_with_a_note():
    good = doc().replace(b"\n", b"")
    data = b'{"resourceMetrics": []}\n' + good + b"\n\n" + b'{"resourceLogs": []}\n' + good + b"\n"
    capture = load(data)
    assert capture.format == "otlp-jsonl"
    assert capture.span_count == 2 and list(capture.traces[0].lines) == [2, 5]
    assert [(n.kind, n.times, n.where.line) for n in capture.notes] == [
        ("skipped-metrics", 1, 1), ("skipped-logs", 1, 4)]


def test_json_lines_keep_attributes_false_drops_span_attributes_only():
    sp = one(doc({"attributes": [{"key": "a", "value": {"stringValue": "b"}}],
                  "events": [{"timeUnixNano": "12", "name": "e",
                              "attributes": [{"key": "x", "value": {"intValue": 1}}]}]}),
             keep_attributes=False)
    assert sp.attributes == () and sp.events[0].attributes == () and sp.events[0].name == "e"
    assert sp.resource.attributes  # resources are kept (services)
