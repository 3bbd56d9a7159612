import json

import pytest

from cspotlp.errors import AbstractionError
from cspotlp.mapping.abstraction import (
    DEFAULT_ABSTRACTION,
    Abstraction,
    Drop,
    Rename,
    SpanMatch,
    Template,
    abstract_trace,
)
from cspotlp.mapping.abstraction_file import (
    abstraction_from_json,
    load_abstraction,
    loads_abstraction,
)
from cspotlp.otlp import CapturedTrace, Resource, Span, attributes
from tests.flow_fixtures import CHECKOUT_ABSTRACTION, TraceBuilder, checkout_traces, order


def names(trace):
    return [e.name for e in trace.events]


def test_default_labels_are_service_and_name_with_call_ret_error():
    t = abstract_trace(order(3, 1, decline=True))
    assert names(t)[:3] == ["call.frontend.POST /api/checkout",
                            "call.frontend.oteldemo.CheckoutService/PlaceOrder",
                            "call.checkout.oteldemo.CheckoutService/PlaceOrder"]
    # the declined charge ends with error (instead of ret), and so does PlaceOrder
    assert "error.payment.oteldemo.PaymentService/Charge" in names(t)
    assert "ret.payment.oteldemo.PaymentService/Charge" not in names(t)
    assert names(t)[-1] == "ret.frontend.POST /api/checkout"
    assert len(t.events) == 2 * 13  # two events per span: 13 spans


def test_checkout_abstraction_gives_method_labels_and_keeps_the_span():
    a = load_abstraction(CHECKOUT_ABSTRACTION)
    t = abstract_trace(order(4, 2, ship_first=True), a)
    assert names(t) == [
        "call.Checkout", "call.PlaceOrder", "call.GetCart", "ret.GetCart",
        "call.GetProduct", "call.GetProduct", "ret.GetProduct", "ret.GetProduct",
        "call.Convert", "ret.Convert", "call.GetQuote", "ret.GetQuote",
        "call.ShipOrder", "ret.ShipOrder", "call.Charge", "ret.Charge",
        "call.EmptyCart", "ret.EmptyCart", "call.SendOrderConfirmation",
        "ret.SendOrderConfirmation", "ret.PlaceOrder", "ret.Checkout"]
    ship = t.events[12]
    assert (ship.service, ship.span_name, ship.trace_id) == (
        "shipping", "oteldemo.ShippingService/ShipOrder", f"{4:032x}")
    span = next(s for s in order(4, 2, ship_first=True).spans if s.span_id == ship.span_id)
    assert span.kind == 2  # the server span: client spans are dropped
    assert t.events[13].span_id == ship.span_id  # ret points at the same span


def test_templates_replace_high_cardinality_names_and_feed_data():
    a = Abstraction(templates=(Template("GET /users/{id:[0-9]+}"),
                               Template("GET /files/{path:.*}")),
                    label="{name}", data=("{id}", "http.method"))
    b = TraceBuilder(7)
    root = b.begin("web", "GET /users/123", 2, "", **{"http.method": "GET"})
    child = b.begin("web", "GET /files/a/b/c", 1, root["id"])
    b.end(child)
    other = b.begin("web", "GET /users/abc", 1, root["id"])  # [0-9]+ does not match
    b.end(other)
    b.end(root)
    t = abstract_trace(b.trace(), a)
    assert [(e.channel, e.label, e.data) for e in t.events] == [
        ("call", "GET /users/{id}", ("123", "GET")),
        ("call", "GET /files/{path}", (None, None)),
        ("ret", "GET /files/{path}", (None, None)),
        ("call", "GET /users/abc", (None, None)),
        ("ret", "GET /users/abc", (None, None)),
        ("ret", "GET /users/{id}", ("123", "GET")),
    ]


def test_drop_rules_with_and_without_subtree():
    tr = order(1, 1)
    keep_children = Abstraction(drops=(Drop(SpanMatch(service="checkout", kinds=("server",))),),
                                drop_client_spans=True, label="{service}")
    assert "call.checkout" not in names(abstract_trace(tr, keep_children))
    assert "call.cart" in names(abstract_trace(tr, keep_children))
    prune = Abstraction(drops=(Drop(SpanMatch(service="checkout", kinds=("server",)),
                                    subtree=True),), label="{service}")
    assert names(abstract_trace(tr, prune)) == [
        "call.frontend", "call.frontend", "ret.frontend", "ret.frontend"]


def test_rename_groups_and_first_match_wins():
    a = Abstraction(renames=(Rename(SpanMatch(service="(?P<svc>pay.*)"), "{svc}!"),
                             Rename(SpanMatch(name=r"oteldemo\.(?P<s>\w+)/(?P<m>\w+)"),
                                    "{s}:{m}:{kind}")))
    labels = {e.label for e in abstract_trace(order(1, 1), a).events}
    assert "payment!" in labels
    assert "CartService:GetCart:server" in labels and "CartService:GetCart:client" in labels
    assert "frontend.POST /api/checkout" in labels  # the default label


def test_services_default_to_unknown_service():
    span = Span("ab" * 16, "cd" * 8, "", "op", 1, 1, 2, resource=Resource(attributes({})))
    t = abstract_trace(CapturedTrace("ab" * 16, (span,)))
    assert [e.name for e in t.events] == ["call.unknown_service.op", "ret.unknown_service.op"]


def test_repairs_are_applied_and_reported():
    b = TraceBuilder(9)
    root = b.begin("a", "root", 2, "")
    b.end(root)
    spans = list(b.trace().spans)
    orphan = Span(b.trace_id, "ff" * 8, "ee" * 8, "lost", 2, 1100, 1200,
                  resource=spans[0].resource)
    tr = CapturedTrace(b.trace_id, (*spans, orphan))
    with pytest.raises(Exception, match="parent"):
        abstract_trace(tr)
    t = abstract_trace(tr, repairs=["synthetic-root"])
    assert "call.a.lost" in names(t)
    assert "absent-parent" not in " ".join(names(t))  # synthetic spans are not events
    assert t.repairs and t.repairs[0].startswith("synthetic-root")


def test_channel_names_are_configurable_and_checked():
    a = abstraction_from_json({"channels": {"call": "req", "ret": "resp", "error": "fail"},
                               "label": "{service}"})
    assert names(abstract_trace(order(1, 1), a))[0] == "req.frontend"
    assert a.reserved_names() == {"req", "resp", "fail"}
    for bad in ({"call": "a b"}, {"call": "let"}, {"call": "x", "ret": "x"}):
        with pytest.raises(AbstractionError):
            abstraction_from_json({"channels": bad})


@pytest.mark.parametrize("doc, message", [
    ({"labels": "x"}, "unknown key 'labels'"),
    ({"rename": [{"name": "(", "label": "x"}]}, "rename[0]: name: bad regex"),
    ({"rename": [{"name": "a", "label": "{nope}"}]}, "unknown placeholder {nope}"),
    ({"label": "{service"}, "stray '{'"),
    ({"templates": [{"template": "a/{id"}]}, "unclosed"),
    ({"templates": [{"template": "{a}/{a}"}]}, "repeated placeholder"),
    ({"drop": [{"kind": ["sever"]}]}, "unknown span kind 'sever'"),
    ({"drop": "all"}, "drop must be a list"),
    ({"data": ["{id}"]}, "no template has the placeholder {id}"),
    ({"drop_client_spans": "yes"}, "must be true or false"),
])
def test_bad_abstractions_name_the_key(doc, message):
    with pytest.raises(AbstractionError, match=message.replace("[", r"\[").replace("{", r"\{")
                       .replace("(", r"\(")):
        abstraction_from_json(doc, "a.json")


def test_json_errors_are_located(tmp_path):
    p = tmp_path / "a.json"
    p.write_text('{\n  "label": oops\n}\n')
    with pytest.raises(AbstractionError) as e:
        load_abstraction(p)
    assert str(e.value).startswith(f"{p}:2:12: not valid JSON")
    assert "^" in e.value.report()
    with pytest.raises(AbstractionError, match="cannot read"):
        load_abstraction(tmp_path / "missing.json")


def test_toml_and_json_give_the_same_abstraction(tmp_path):
    p = tmp_path / "a.toml"
    p.write_text('drop_client_spans = true\nlabel = "{name}"\n'
                 '[[rename]]\nservice = "frontend"\nlabel = "Front"\n')
    a = load_abstraction(p)
    assert a == abstraction_from_json({"drop_client_spans": True, "label": "{name}",
                                       "rename": [{"service": "frontend", "label": "Front"}]})


def test_canonical_json_round_trips():
    a = load_abstraction(CHECKOUT_ABSTRACTION)
    again = loads_abstraction(a.dumps())
    assert again == a and again.dumps() == a.dumps()
    assert json.loads(DEFAULT_ABSTRACTION.dumps())["label"] == "{service}.{name}"
    tricky = Abstraction(templates=(Template("x/{id:\\d{3}}", SpanMatch(kinds=("client",))),),
                         drops=(Drop(SpanMatch(name="a"), subtree=True),),
                         data=("{id}", "k"))
    assert loads_abstraction(tricky.dumps()) == tricky


def test_attribute_values_of_every_type_become_data():
    a = Abstraction(data=("s", "i", "b", "d", "arr", "missing"), label="{name}")
    span = Span("ab" * 16, "cd" * 8, "", "op", 1, 1, 2,
                attributes({"s": "x", "i": 3, "b": True, "d": 1.5, "arr": [1, b"\x01"]}),
                resource=Resource(attributes({"service.name": "s"})))
    (ev, _) = abstract_trace(CapturedTrace("ab" * 16, (span,)), a).events
    assert ev.data == ("x", 3, True, 1.5, '[1, "01"]', None)


def test_every_checkout_trace_has_balanced_events():
    a = load_abstraction(CHECKOUT_ABSTRACTION)
    for tr in checkout_traces():
        t = abstract_trace(tr, a)
        calls = [e.span_id for e in t.events if e.channel == "call"]
        ends = [e.span_id for e in t.events if e.channel != "call"]
        assert sorted(calls) == sorted(ends) and len(set(calls)) == len(calls)
