"""Data the project makes itself, for tests that must run in a fresh clone.

* ``examples/cspm/``: small CSPm scripts (a vending machine, the dining philosophers with and
  without a butler — sharing their definitions through an include —, a type error, a tour of
  the operators and a timed client with a deadline);
* ``examples/captures/``: what the OpenTelemetry SDK exported while ``examples/checkout_app.py``
  ran (the collector file exporter's protobuf stream and JSON Lines), committed once;
* shapes derived from those captures here, each with a real encoder: protobuf's
  ``MessageToDict`` (proto3 JSON) of the very messages the SDK encoded, and the capture with one
  service's spans missing (their children's parents are then outside the capture).
"""

from __future__ import annotations

import json
from pathlib import Path

from cspotlp.otlp import dump_proto_stream, load

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"
CSPM = EXAMPLES / "cspm"
CAPTURES = EXAMPLES / "captures"
CAPTURE_PB = CAPTURES / "checkout.pb"
CAPTURE_JSONL = CAPTURES / "checkout.jsonl"
CHECKOUT_SPEC = EXAMPLES / "checkout_spec.csp"
CHECKOUT_ABSTRACTION = EXAMPLES / "checkout_abstraction.json"

CAPTURE_TRACES, CAPTURE_SPANS, CAPTURE_SERVICES, CAPTURE_DEPTH = 4, 78, 8, 5
"""What the committed captures hold (each: four orders of the checkout app)."""


def proto_messages(path: Path = CAPTURE_PB) -> list[bytes]:
    """The messages of a length-prefixed protobuf stream, as the SDK's encoder wrote them."""
    data = path.read_bytes()
    out, at = [], 0
    while at < len(data):
        size = int.from_bytes(data[at:at + 4], "big")
        out.append(data[at + 4:at + 4 + size])
        at += 4 + size
    return out


def message_to_dict_lines(path: Path = CAPTURE_PB, *, snake_case: bool = False) -> str:
    """protobuf's ``MessageToDict`` of every message of ``path``, one JSON object a line.

    That is proto3's canonical JSON: base64 ids and enum names (and, with ``snake_case``, the
    proto field names), which the OTLP JSON encoding forbids.
    """
    from google.protobuf.json_format import MessageToDict
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
        ExportTraceServiceRequest,
    )

    lines = []
    for raw in proto_messages(path):
        msg = ExportTraceServiceRequest()
        msg.ParseFromString(raw)
        lines.append(json.dumps(MessageToDict(msg, preserving_proto_field_name=snake_case)))
    return "\n".join(lines) + "\n"


def without_service(service: str, path: Path = CAPTURE_PB) -> bytes:
    """The capture of ``path`` without the spans of ``service`` (as a protobuf stream).

    Without ``frontend``, every order's PlaceOrder span has its parent outside the capture: what
    a capture looks like when one service does not export.
    """
    from cspotlp.otlp import service_name

    spans = [s for s in load(path).spans() if service_name(s.resource) != service]
    return dump_proto_stream(spans)
