"""A small order service instrumented with the OpenTelemetry API, as application code is.

``place_order`` reserves each item, charges the card and ships; a declined card ends the order
with error statuses. The spans go through the global tracer (``trace.get_tracer``), so the
service does not know where they end up: in production, wherever the global provider exports;
in its tests, in cspotlp's ``otel_spans`` fixture (see ``examples/test_orders_spans.py``).

Run as a program, it writes a capture with the lines an application adds to do so::

    python examples/orders_service.py capture.jsonl
    cspotlp conform --spec examples/orders_spec.csp --abstraction examples/orders_abstraction.json \\
        --complete capture.jsonl
"""

from __future__ import annotations

import contextlib
import sys

from opentelemetry import trace
from opentelemetry.trace import SpanKind, Status, StatusCode

tracer = trace.get_tracer("orders")


class CardDeclined(Exception):
    """The payment provider refused the card."""


def place_order(items: list[str], card: str) -> str:
    """Reserve ``items``, charge ``card``, ship; the order's tracking number."""
    with tracer.start_as_current_span("PlaceOrder", kind=SpanKind.SERVER,
                                      attributes={"app.items": len(items)}) as order:
        for item in items:
            with tracer.start_as_current_span("Reserve", attributes={"app.item": item}):
                pass
        with tracer.start_as_current_span("Charge", kind=SpanKind.CLIENT) as charge:
            if card == "declined":
                charge.set_status(Status(StatusCode.ERROR, "card declined"))
                order.set_status(Status(StatusCode.ERROR, "payment failed"))
                raise CardDeclined(card)
        with tracer.start_as_current_span("Ship", kind=SpanKind.CLIENT):
            return f"track-{len(items)}"


def main(path: str) -> None:
    # -- the lines an application adds to write a capture (OTLP JSON Lines) ------------------
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    from cspotlp.otel import OtlpFileExporter

    provider = TracerProvider(resource=Resource.create({"service.name": "orders"}))
    provider.add_span_processor(BatchSpanProcessor(OtlpFileExporter(path)))  # format="proto" too
    trace.set_tracer_provider(provider)
    # -- the application runs ... ------------------------------------------------------------
    place_order(["book", "pen"], card="visa")
    with contextlib.suppress(CardDeclined):
        place_order(["lamp"], card="declined")
    provider.shutdown()  # at exit: the last batch is written


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "capture.jsonl")
