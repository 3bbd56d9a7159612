"""cspotlp.otel: SDK spans in cspotlp's model, and the file exporter's captures."""

import logging
import os
import subprocess
import sys
import textwrap

import pytest
from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import SpanLimits, TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    SimpleSpanProcessor,
    SpanExportResult,
)
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import (
    Link,
    NonRecordingSpan,
    SpanContext,
    SpanKind,
    Status,
    StatusCode,
    set_span_in_context,
)
from opentelemetry.trace.span import TraceFlags, TraceState

from cspotlp.errors import OtelError
from cspotlp.otel import OtlpFileExporter, encode_record, to_span, to_spans, to_traces
from cspotlp.otel.convert import HAS_IS_REMOTE, IS_REMOTE
from cspotlp.otlp import load, service_name

REMOTE = SpanContext(0x0AF7651916CD43DD8448EB211C80319C, 0xB7AD6B7169203331, is_remote=True,
                     trace_flags=TraceFlags(1), trace_state=TraceState([("vendor", "x")]))


def busy_spans():
    """Spans using every field the SDK fills: all kinds, every attribute type, events, links,
    status, trace state, a remote parent, dropped counts, two resources and scopes."""
    memory = InMemorySpanExporter()
    limits = SpanLimits(max_span_attributes=6, max_events=2, max_links=1)
    providers = [TracerProvider(resource=Resource.create({"service.name": name, "n": k}, "https://s"),
                                span_limits=limits, shutdown_on_exit=False)
                 for k, name in enumerate(("shop", "bank"))]
    for p in providers:
        p.add_span_processor(SimpleSpanProcessor(memory))
    shop = providers[0].get_tracer("shop.web", "1.2", schema_url="https://scope",
                                   attributes={"lib": True})
    bank = providers[1].get_tracer("bank")
    attrs = {"s": "x", "b": True, "i": -(2**63), "f": 2.5, "ss": ["a", "b"], "bs": [True],
             "is": [1, 2], "fs": [0.5]}
    with shop.start_as_current_span("checkout", context=set_span_in_context(NonRecordingSpan(REMOTE)),
                                     kind=SpanKind.SERVER, attributes=attrs) as root:
        root.add_event("begun", {"k": 1}, timestamp=123)
        for kind in (SpanKind.CLIENT, SpanKind.PRODUCER, SpanKind.CONSUMER, SpanKind.INTERNAL):
            with shop.start_as_current_span(kind.name, kind=kind) as child:
                child.add_event("e1")
                child.add_event("e2")
                child.add_event("e3")  # beyond max_events: counted as dropped
        with bank.start_as_current_span("charge", links=[Link(REMOTE, {"why": "retry"}),
                                                         Link(REMOTE)]) as charge:
            charge.set_status(Status(StatusCode.ERROR, "declined"))
        root.set_status(Status(StatusCode.OK))
    return memory.get_finished_spans()


def as_the_sdk_encoder_writes(sp):
    """The Python OTLP encoder leaves two things out that OTLP defines and we keep: the W3C
    trace flags (the low byte of ``flags``, on spans and links) and the trace state of links."""
    links = tuple(k._replace(flags=k.flags & ~0xFF, trace_state="") for k in sp.links)
    return sp._replace(flags=sp.flags & ~0xFF, links=links)


def test_spans_are_what_the_sdks_own_otlp_encoder_sends():
    sdk = busy_spans()
    ours = to_spans(sdk)
    wire = load(encode_spans(sdk).SerializeToString()).spans()
    key = lambda sp: sp.span_id  # noqa: E731
    assert sorted(map(as_the_sdk_encoder_writes, ours), key=key) == sorted(wire, key=key)
    by_name = {sp.name: sp for sp in ours}
    root, charge = by_name["checkout"], by_name["charge"]
    assert root.parent_span_id == f"{REMOTE.span_id:016x}"
    assert root.flags == 1 | HAS_IS_REMOTE | IS_REMOTE and by_name["CLIENT"].flags == 1 | HAS_IS_REMOTE
    assert root.dropped_attributes_count == 2 and by_name["CLIENT"].dropped_events_count == 1
    assert charge.dropped_links_count == 1 and charge.links[0].trace_state == "vendor=x"
    assert charge.links[0].flags == 1 | HAS_IS_REMOTE | IS_REMOTE
    assert (charge.status.code, charge.status.message) == (2, "declined")
    assert {sp.kind for sp in ours} == {1, 2, 3, 4, 5}
    assert root.scope.schema_url == "https://scope" and root.resource.schema_url == "https://s"


def test_spans_of_one_resource_share_one_converted_resource_and_group_into_traces():
    sdk = busy_spans()
    spans = to_spans(sdk)
    assert len({id(sp.resource) for sp in spans}) == 2
    assert {service_name(sp.resource) for sp in spans} == {"shop", "bank"}
    (trace,) = to_traces(sdk)
    assert trace.trace_id == f"{REMOTE.trace_id:032x}" and list(trace.spans) == spans
    assert to_span(sdk[0]) == spans[0]


def test_a_span_that_has_not_ended_is_open():
    provider = TracerProvider(shutdown_on_exit=False)
    span = provider.get_tracer("t").start_span("pending")
    assert to_span(span).end_time_unix_nano == 0


@pytest.mark.parametrize(("fmt", "read_as"), [("json", "otlp-jsonl"), ("proto", "otlp-proto-stream")])
def test_the_exporter_writes_a_capture_every_command_reads(tmp_path, fmt, read_as):
    path = tmp_path / f"capture.{fmt}"
    provider = TracerProvider(shutdown_on_exit=False)
    provider.add_span_processor(BatchSpanProcessor(OtlpFileExporter(path, format=fmt)))
    tracer = provider.get_tracer("app")
    for order in range(3):
        with tracer.start_as_current_span("checkout", attributes={"order": order}), \
                tracer.start_as_current_span("charge"):
            pass
        provider.force_flush()  # one export (one record) per order
    provider.shutdown()
    capture = load(path)
    assert capture.format == read_as
    assert [len(t.spans) for t in capture.traces] == [2, 2, 2]
    data = path.read_bytes()
    records = data.count(b"\n") if fmt == "json" else _count_messages(data)
    assert records == 3


def _count_messages(data):
    n = i = 0
    while i < len(data):
        i += 4 + int.from_bytes(data[i:i + 4], "big")
        n += 1
    assert i == len(data)
    return n


def test_records_hold_exactly_the_exported_spans(tmp_path):
    sdk = busy_spans()
    exporter = OtlpFileExporter(tmp_path / "c.jsonl")
    assert exporter.export(sdk) is SpanExportResult.SUCCESS
    assert exporter.export([]) is SpanExportResult.SUCCESS  # nothing written for nothing
    exporter.shutdown()
    key = lambda sp: sp.span_id  # noqa: E731
    assert sorted(load(tmp_path / "c.jsonl").spans(), key=key) == sorted(to_spans(sdk), key=key)
    assert (tmp_path / "c.jsonl").read_bytes() == encode_record(to_spans(sdk), "json")


def test_appending_keeps_what_is_there(tmp_path):
    path = tmp_path / "c.pb"
    for _ in range(2):
        exporter = OtlpFileExporter(path, format="proto", append=True)
        exporter.export(busy_spans())
        exporter.shutdown()
    assert len(load(path).traces) == 1 and load(path).span_count == 12


def test_bad_set_up_fails_at_start_up_with_the_reason(tmp_path):
    with pytest.raises(OtelError, match="unknown capture format 'yaml'; expected one of json, proto"):
        OtlpFileExporter(tmp_path / "c", format="yaml")
    with pytest.raises(OtelError, match=f"{tmp_path}: cannot open for writing: Is a directory"):
        OtlpFileExporter(tmp_path)


def test_failed_writes_fail_the_export_and_never_the_application(tmp_path, caplog):
    caplog.set_level(logging.WARNING, "cspotlp.otel")
    spans = busy_spans()
    if os.path.exists("/dev/full"):
        full = OtlpFileExporter("/dev/full", append=True)
        assert full.export(spans) is SpanExportResult.FAILURE
        assert "/dev/full: 6 span(s) not written" in caplog.text
    closed = OtlpFileExporter(tmp_path / "c.jsonl")
    closed.shutdown()
    closed.shutdown()  # twice is harmless
    assert closed.export(spans) is SpanExportResult.FAILURE
    assert "export after shutdown: 6 span(s) not written" in caplog.text
    assert closed.force_flush() is True


DETERMINISM = textwrap.dedent('''
    import sys
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.id_generator import IdGenerator
    from cspotlp.otel import OtlpFileExporter

    class Counting(IdGenerator):
        n = 0
        def generate_span_id(self):
            self.n += 1
            return self.n
        def generate_trace_id(self):
            return 7

    exporter = OtlpFileExporter(sys.argv[1], format=sys.argv[2])
    spans = []
    for name in ("a", "b"):
        provider = TracerProvider(resource=Resource({"service.name": name, "x": {"k": 1}.get("k")}),
                                  id_generator=Counting(), shutdown_on_exit=False)
        tracer = provider.get_tracer(name, attributes={"z": 1, "a": 2})
        span = tracer.start_span(name, attributes={"m": [1, 2], "k": "v"}, start_time=10)
        span.add_event("e", {"q": 1.5}, timestamp=11)
        span.end(end_time=12)
        spans.append(span)
    exporter.export(spans)
    exporter.shutdown()
''')


@pytest.mark.parametrize("fmt", ["json", "proto"])
def test_the_same_spans_give_the_same_bytes_under_any_hash_seed(tmp_path, fmt):
    script = tmp_path / "write.py"
    script.write_text(DETERMINISM)
    outputs = []
    for seed in ("1", "2"):
        out = tmp_path / f"{seed}.{fmt}"
        subprocess.run([sys.executable, str(script), str(out), fmt], check=True,
                       env={**os.environ, "PYTHONHASHSEED": seed})
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1] and outputs[0]


def test_the_example_service_writes_a_capture_that_conforms(tmp_path):
    """The README's lines for an application, as examples/orders_service.py has them."""
    from cspotlp.testing import assert_conforms
    from tests.flow_fixtures import EXAMPLES, REPO

    capture = tmp_path / "capture.jsonl"
    subprocess.run([sys.executable, str(EXAMPLES / "orders_service.py"), str(capture)],
                   check=True, cwd=REPO, capture_output=True)
    traces = load(capture).traces
    # the batch processor exported once, at shutdown: one line, which is also one JSON document
    assert capture.read_bytes().count(b"\n") == 1 and load(capture).format == "otlp-json"
    assert len(traces) == 2
    assert {service_name(sp.resource) for t in traces for sp in t.spans} == {"orders"}
    assert_conforms(traces, EXAMPLES / "orders_spec.csp", "SPEC",
                    EXAMPLES / "orders_abstraction.json", complete=True)
