"""Deterministic captured traces for the trace -> model-checker flow (abstraction, export,
conformance): the checkout flow of examples/checkout_app.py, built span by span with fixed ids
and times, plus the bundled example files.
"""

from __future__ import annotations

from pathlib import Path

from cspotlp.mapping.abstraction_file import load_abstraction
from cspotlp.otlp import CapturedTrace, Resource, Span, Status, attributes

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"
CHECKOUT_SPEC = EXAMPLES / "checkout_spec.csp"
CHECKOUT_ABSTRACTION = EXAMPLES / "checkout_abstraction.json"
GRPC = {"checkout": "CheckoutService", "cart": "CartService",
        "productcatalog": "ProductCatalogService", "currency": "CurrencyService",
        "shipping": "ShippingService", "payment": "PaymentService", "email": "EmailService"}
_RESOURCES: dict[str, Resource] = {}


def resource(service: str) -> Resource:
    if service not in _RESOURCES:
        _RESOURCES[service] = Resource(attributes({"service.name": service,
                                                   "service.namespace": "shop"}))
    return _RESOURCES[service]


class TraceBuilder:
    """Builds the spans of one trace with a clock that ticks 10 ms per begin or end.

    10 ms is well above the default skew tolerance (1 ms), so spans that do not overlap are
    ordered, as a capture from real services would show them.
    """

    def __init__(self, trace_no: int, file: str = "checkout.jsonl") -> None:
        self.trace_id = f"{trace_no:032x}"
        self.spans: list[Span] = []
        self.clock = 1_700_000_000_000_000_000
        self.next_id = trace_no << 16
        self.file = file

    def tick(self) -> int:
        self.clock += 10_000_000
        return self.clock

    def begin(self, service: str, name: str, kind: int, parent: str, **attrs: object) -> dict:
        self.next_id += 1
        return {"service": service, "name": name, "kind": kind, "parent": parent,
                "id": f"{self.next_id:016x}", "start": self.tick(), "attrs": attrs}

    def end(self, open_span: dict, error: bool = False) -> str:
        self.spans.append(Span(
            self.trace_id, open_span["id"], open_span["parent"], open_span["name"],
            open_span["kind"], open_span["start"], self.tick(), attributes(open_span["attrs"]),
            status=Status(2, "failed") if error else Status(),
            resource=resource(open_span["service"])))
        return open_span["id"]

    def rpc(self, caller: str, callee: str, method: str, parent: str, error: bool = False,
            **attrs: object) -> None:
        full = f"oteldemo.{GRPC[callee]}/{method}"
        client = self.begin(caller, full, 3, parent)
        server = self.begin(callee, full, 2, client["id"], **attrs)
        self.end(server, error)
        self.end(client)

    def trace(self) -> CapturedTrace:
        return CapturedTrace(self.trace_id, tuple(self.spans), self.file)


def order(trace_no: int, items: int, *, decline: bool = False, ship_first: bool = False,
          file: str = "checkout.jsonl") -> CapturedTrace:
    """One order of the checkout example, with ``items`` concurrent product lookups."""
    b = TraceBuilder(trace_no, file)
    front = b.begin("frontend", "POST /api/checkout", 2, "", **{"app.order.id": f"order-{trace_no}"})
    place_c = b.begin("frontend", "oteldemo.CheckoutService/PlaceOrder", 3, front["id"])
    place = b.begin("checkout", "oteldemo.CheckoutService/PlaceOrder", 2, place_c["id"],
                    **{"app.order.id": f"order-{trace_no}"})
    pid = place["id"]
    b.rpc("checkout", "cart", "GetCart", pid)
    lookups = []
    for k in range(items):  # all lookups begin before any ends (they overlap)
        client = b.begin("checkout", "oteldemo.ProductCatalogService/GetProduct", 3, pid)
        server = b.begin("productcatalog", "oteldemo.ProductCatalogService/GetProduct", 2,
                         client["id"], **{"app.product.id": f"P{k:02d}"})
        lookups.append((client, server))
    for client, server in lookups:
        b.end(server)
        b.end(client)
    b.rpc("checkout", "currency", "Convert", pid)
    b.rpc("checkout", "shipping", "GetQuote", pid)
    if ship_first:
        b.rpc("checkout", "shipping", "ShipOrder", pid)
    b.rpc("checkout", "payment", "Charge", pid, error=decline)
    if not decline:
        if not ship_first:
            b.rpc("checkout", "shipping", "ShipOrder", pid)
        b.rpc("checkout", "cart", "EmptyCart", pid)
        b.rpc("checkout", "email", "SendOrderConfirmation", pid)
    b.end(place, error=decline)
    b.end(place_c)
    b.end(front)
    return b.trace()


def checkout_traces(file: str = "checkout.jsonl") -> list[CapturedTrace]:
    """The four orders of the example app: two good ones, a declined card, a shipping bug."""
    return [order(1, 1, file=file), order(2, 3, file=file), order(3, 1, decline=True, file=file),
            order(4, 3, ship_first=True, file=file)]


def checkout_abstraction():
    return load_abstraction(CHECKOUT_ABSTRACTION)


def checkout_spec_terms(max_items: int = 3):
    """examples/checkout_spec.csp built with the cspotlp.csp API: (SPEC process, environment)."""
    from cspotlp.csp import SKIP, Environment, ext_choice, int_choice, interleave, prefix, seq
    from cspotlp.csp.values import Datum

    labels = ["Checkout", "PlaceOrder", "GetCart", "GetProduct", "Convert", "GetQuote", "Charge",
              "ShipOrder", "EmptyCart", "SendOrderConfirmation"]
    env = Environment()
    values = [Datum(x) for x in labels]
    call, ret, error = (env.channel(name, values) for name in ("call", "ret", "error"))
    lab = {x: Datum(x) for x in labels}

    def c(x):
        return call.event(lab[x])

    def r(x):
        return ret.event(lab[x])

    def rpc(x):
        return prefix(c(x), prefix(r(x), SKIP))

    def lookups(n):
        p = rpc("GetProduct")
        for _ in range(n - 1):
            p = interleave(rpc("GetProduct"), p)
        return p

    options = [lookups(n) for n in range(1, max_items + 1)]
    look = options[0]
    for p in options[1:]:
        look = int_choice(look, p)
    fulfil = seq(rpc("ShipOrder"), seq(rpc("EmptyCart"), seq(rpc("SendOrderConfirmation"),
                 prefix(r("PlaceOrder"), prefix(r("Checkout"), SKIP)))))
    pay = prefix(c("Charge"), ext_choice(
        prefix(r("Charge"), fulfil),
        prefix(error.event(lab["Charge"]), prefix(error.event(lab["PlaceOrder"]),
                                                  prefix(r("Checkout"), SKIP)))))
    body = seq(rpc("GetCart"), seq(look, seq(rpc("Convert"), seq(rpc("GetQuote"), pay))))
    return prefix(c("Checkout"), prefix(c("PlaceOrder"), body)), env
