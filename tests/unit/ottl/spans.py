"""Small span batches for the OTTL tests (shaped like the Collector's own test data)."""

from cspotlp.otlp import Event, Resource, Scope, Span, Status, attributes

TRACE = "0102030405060708090a0b0c0d0e0f10"
SPAN_A, SPAN_B = "0102030405060708", "0807060504030201"
START, END = 1_581_452_772_000_000_321, 1_581_452_773_000_000_789


def two_spans():
    """operationA (child of 0807..., kind internal, error) and operationB (root) of one resource."""
    resource = Resource(attributes({"host.name": "localhost"}))
    scope = Scope("scope")
    a = Span(TRACE, SPAN_A, SPAN_B, "operationA", 1, START, END,
             attributes({"http.method": "get", "http.path": "/health",
                         "http.url": "http://localhost/health", "flags": "A|B|C",
                         "total.string": "123456789"}),
             events=(Event(START, "eventA"),), status=Status(2, "status-cancelled"),
             trace_state="new", dropped_attributes_count=1, dropped_events_count=1,
             dropped_links_count=1, resource=resource, scope=scope)
    b = Span(TRACE, "1112131415161718", "", "operationB", 0, START, END,
             attributes({"http.method": "get", "http.path": "/health",
                         "http.url": "http://localhost/health", "flags": "C|D",
                         "total.string": "345678"}),
             events=(Event(START, "eventB"), Event(START, "eventB2")),
             status=Status(2, "status-cancelled"), dropped_links_count=3, resource=resource,
             scope=scope)
    return [a, b]


def attrs(span):
    """A span's attributes as a plain dict."""
    return {kv.key: kv.value.to_python() for kv in span.attributes}
