"""A small instrumented checkout flow, shaped like the OpenTelemetry Demo, that captures its own
telemetry with the OpenTelemetry Python SDK.

Eight "services" (each with its own ``service.name`` resource) handle orders. ``PlaceOrder`` in
``checkout`` fetches the cart, then looks up every product *concurrently* (threads, with the trace
context carried across; a barrier makes every lookup of an order start before any returns),
converts the total, quotes shipping, charges the card, ships, empties the cart and sends a
confirmation e-mail. The run writes what the SDK exported, one batch per exported span, in one of
the shapes such telemetry is found in:

* ``proto`` (default): the OpenTelemetry Collector file exporter's protobuf format (4-byte
  big-endian length, then an ``ExportTraceServiceRequest``), written by
  ``cspotlp.otel.OtlpFileExporter``;
* ``jsonl``: the file exporter's JSON format, one OTLP JSON ``ExportTraceServiceRequest`` a line
  (``OtlpFileExporter`` too);
* ``console``: what the SDK's own ``ConsoleSpanExporter`` prints (a debugging format);
* ``message-to-dict``: protobuf's ``MessageToDict`` of each request, one a line (proto3 JSON:
  base64 ids and enum names, which the OTLP JSON encoding forbids).

Trace and span ids come from a generator seeded by ``--seed``, so every run has the same trace
ids (times are real, and so differ between runs).

Order ``order-3`` exercises a declined card: the charge span ends with an error status and the
order is abandoned. Order ``order-4`` has a deliberate bug: it ships *before* charging the card,
which the bundled specification (``examples/checkout_spec.csp``) forbids.

Usage::

    python examples/checkout_app.py OUT.pb [--orders 4] [--seed 7] [--format proto]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import (
    ConsoleSpanExporter,
    SimpleSpanProcessor,
    SpanExporter,
    SpanExportResult,
)
from opentelemetry.sdk.trace.id_generator import IdGenerator
from opentelemetry.trace import SpanKind, Status, StatusCode

from cspotlp.otel import OtlpFileExporter

FORMATS = ("proto", "jsonl", "console", "message-to-dict")
PRICES = (9.99, 19.5, 101.0)
SERVICES = ("frontend", "checkout", "cart", "productcatalog", "currency", "shipping", "payment", "email")
GRPC_SERVICE = {"checkout": "CheckoutService", "cart": "CartService",
                "productcatalog": "ProductCatalogService", "currency": "CurrencyService",
                "shipping": "ShippingService", "payment": "PaymentService", "email": "EmailService"}


class MessageToDictExporter(SpanExporter):
    """Writes each export as one JSON line of protobuf's ``MessageToDict`` (not OTLP JSON)."""

    def __init__(self, path: Path) -> None:
        self._file = path.open("w", encoding="utf-8")
        self._lock = threading.Lock()

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        from google.protobuf.json_format import MessageToDict
        from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans

        doc = MessageToDict(encode_spans(spans))
        with self._lock:
            self._file.write(json.dumps(doc) + "\n")
        return SpanExportResult.SUCCESS

    def shutdown(self) -> None:
        self._file.close()


class ConsoleFileExporter(ConsoleSpanExporter):
    """The SDK's ``ConsoleSpanExporter``, printing to a file (closed at shutdown)."""

    def __init__(self, path: Path) -> None:
        self._path_file = path.open("w", encoding="utf-8")
        super().__init__(out=self._path_file)

    def shutdown(self) -> None:
        self._path_file.close()


def exporter_for(path: Path, fmt: str) -> SpanExporter:
    """The exporter writing ``path`` in format ``fmt`` (see the module docstring)."""
    if fmt in ("proto", "jsonl"):  # the collector file exporter's formats
        return OtlpFileExporter(path, format="proto" if fmt == "proto" else "json")
    if fmt == "console":
        return ConsoleFileExporter(path)
    return MessageToDictExporter(path)


class SeededIds(IdGenerator):
    """Trace and span ids from a seeded generator, so that every run has the same trace ids."""

    def __init__(self, seed: int) -> None:
        self._rng = random.Random(seed)
        self._lock = threading.Lock()

    def generate_span_id(self) -> int:
        with self._lock:
            return self._rng.getrandbits(64) or 1

    def generate_trace_id(self) -> int:
        with self._lock:
            return self._rng.getrandbits(128) or 1


class Shop:
    """The services, each with its own tracer (and so its own resource)."""

    def __init__(self, exporter: SpanExporter, rng: random.Random) -> None:
        self.rng = rng
        self.providers = []
        self.tracers: dict[str, trace.Tracer] = {}
        processor = SimpleSpanProcessor(exporter)
        ids = SeededIds(rng.getrandbits(32))
        for name in SERVICES:
            provider = TracerProvider(resource=Resource.create({"service.name": name,
                                                                "service.namespace": "shop"}),
                                      id_generator=ids)
            provider.add_span_processor(processor)
            self.providers.append(provider)
            self.tracers[name] = provider.get_tracer(f"shop.{name}", "1.0.0")

    @contextmanager
    def span(self, service: str, name: str, kind: SpanKind, **attrs: object) -> Iterator[trace.Span]:
        with self.tracers[service].start_as_current_span(name, kind=kind, attributes=attrs) as s:
            yield s

    def rpc(self, caller: str, callee: str, method: str, **attrs: object) -> Iterator[trace.Span]:
        """A client span in the caller around a server span in the callee (like gRPC)."""
        return _rpc(self, caller, callee, method, attrs)

    def shutdown(self) -> None:
        for p in self.providers:
            p.shutdown()


@contextmanager
def _rpc(shop: Shop, caller: str, callee: str, method: str, attrs: dict[str, object]) -> Iterator[trace.Span]:
    full = f"oteldemo.{GRPC_SERVICE[callee]}/{method}"
    with shop.span(caller, full, SpanKind.CLIENT, **{"rpc.system": "grpc", "rpc.method": method}), \
            shop.span(callee, full, SpanKind.SERVER, **{"rpc.system": "grpc", **attrs}) as server:
        yield server


def get_product(shop: Shop, parent_ctx: otel_context.Context, product_id: str,
                together: threading.Barrier) -> float:
    token = otel_context.attach(parent_ctx)  # carry the trace context into the worker thread
    try:
        with shop.rpc("checkout", "productcatalog", "GetProduct", **{"app.product.id": product_id}):
            # every lookup of an order is in flight before any returns: the calls really overlap
            together.wait(timeout=10)
            return PRICES[int(product_id[1:]) % len(PRICES)]
    finally:
        otel_context.detach(token)


def place_order(shop: Shop, order: str, items: list[str], *, decline: bool, ship_first: bool) -> None:
    with shop.span("frontend", "POST /api/checkout", SpanKind.SERVER, **{"http.method": "POST", "app.order.id": order}), \
            shop.rpc("frontend", "checkout", "PlaceOrder", **{"app.order.id": order}) as checkout:
        with shop.rpc("checkout", "cart", "GetCart"):
            pass
        ctx = otel_context.get_current()
        together = threading.Barrier(len(items))
        with ThreadPoolExecutor(max_workers=len(items)) as pool:
            total = sum(pool.map(lambda p: get_product(shop, ctx, p, together), items))
        with shop.rpc("checkout", "currency", "Convert", **{"app.currency": "EUR"}):
            pass
        with shop.rpc("checkout", "shipping", "GetQuote"):
            pass
        if ship_first:  # the bug the specification catches
            with shop.rpc("checkout", "shipping", "ShipOrder"):
                pass
        with shop.rpc("checkout", "payment", "Charge", **{"app.payment.amount": round(total, 2)}) as charge:
            if decline:
                charge.add_event("card declined", {"app.payment.card_type": "visa"})
                charge.set_status(Status(StatusCode.ERROR, "card declined"))
                checkout.set_status(Status(StatusCode.ERROR, "payment failed"))
                return
        if not ship_first:
            with shop.rpc("checkout", "shipping", "ShipOrder"):
                pass
        with shop.rpc("checkout", "cart", "EmptyCart"):
            pass
        with shop.rpc("checkout", "email", "SendOrderConfirmation"):
            pass


def run(out: Path, orders: int, seed: int, fmt: str = "proto") -> None:
    """Place ``orders`` orders and write the captured spans to ``out`` in format ``fmt``."""
    rng = random.Random(seed)
    exporter = exporter_for(out, fmt)
    shop = Shop(exporter, rng)
    try:
        for i in range(1, orders + 1):
            items = [f"P{rng.randrange(100):02d}" for _ in range(rng.randint(1, 3))]
            place_order(shop, f"order-{i}", items, decline=(i == 3), ship_first=(i == 4))
    finally:
        shop.shutdown()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--orders", type=int, default=4)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--format", choices=FORMATS, default="proto")
    args = parser.parse_args(argv)
    run(args.out, args.orders, args.seed, args.format)
    return 0


if __name__ == "__main__":
    sys.exit(main())
