"""Valid OTLP documents, for testing tools that read or write OTLP.

:func:`otlp_documents` draws an :class:`OtlpDocument`: the bytes of a file in one of the
formats ``cspotlp`` reads and the Collector writes — one OTLP JSON document, OTLP JSON Lines
(one trace per line), one binary ``ExportTraceServiceRequest``, or the file exporter's
length-prefixed protobuf stream — together with the traces it holds, so a test can compare what
its tool reads with what was written. Documents have any number of traces (an OTLP JSON
document may have none); each
trace is a clean span tree (ids unique and valid, every parent present, children starting inside
their parent); spans carry events, links (to spans of any trace) and attributes holding every
``AnyValue`` kind (string, bool, int, double, bytes, array, kvlist, empty), nested, on spans,
events, links, resources and scopes.

    @given(otlp_documents(formats=["otlp-json"]))
    def test_my_reader(doc):
        assert my_reader(doc.data) == [sp.name for t in doc.traces for sp in t.spans]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from hypothesis import strategies as st

from cspotlp.otlp.model import (
    AnyValue,
    EntityRef,
    Event,
    KeyValue,
    Link,
    Resource,
    Scope,
    Span,
    Status,
)
from cspotlp.otlp.reader import CapturedTrace
from cspotlp.otlp.writer import dump_proto, dump_proto_stream, dumps_json, dumps_jsonl

DOCUMENT_FORMATS = ("otlp-json", "otlp-jsonl", "otlp-proto", "otlp-proto-stream")
"""The formats :func:`otlp_documents` writes (named as :func:`cspotlp.otlp.load` reports them)."""


class OtlpDocument(NamedTuple):
    """A generated file: its format, its bytes and the traces it holds (in file order).

    ``format`` is how it was written; a JSON Lines file of one line is also a valid OTLP JSON
    document, and readers that detect formats (as :func:`cspotlp.otlp.load` does) may call it so.
    """

    format: str
    data: bytes
    traces: tuple[CapturedTrace, ...]

    @property
    def spans(self) -> tuple[Span, ...]:
        """Every span, trace by trace."""
        return tuple(sp for t in self.traces for sp in t.spans)


# Every choice is kept cheap (a few draws per span): generation and, above all, shrinking
# re-run the whole strategy for each attempt, so a heavy one makes a failing test crawl.

# text protobuf and JSON can both carry (no lone surrogates): common words, or any short text
_WORDS = ("", "GET /users/{id}", "db.query", "ü ñ 漢字 🙂", "two\nlines", 'quote " and \\')
_text = st.one_of(st.sampled_from(_WORDS), st.text(st.characters(codec="utf-8"), max_size=6))
_small = st.sampled_from((0, 1, 7, 2**32 - 1))
# ids as integers, never zero: they shrink to 1 instead of running into a filter
_span_number = st.integers(1, 2**64 - 1)
_trace_id = st.integers(1, 2**128 - 1).map(lambda n: f"{n:032x}")

_scalars = st.one_of(
    _text.map(lambda s: AnyValue("string", s)),
    st.booleans().map(lambda b: AnyValue("bool", b)),
    st.integers(-(2**63), 2**63 - 1).map(lambda i: AnyValue("int", i)),
    # NaN is left out: NaN != NaN, so a document holding one never equals what is read back
    st.floats(allow_nan=False).map(lambda f: AnyValue("double", f)),
    st.binary(max_size=8).map(lambda b: AnyValue("bytes", b)),
    st.just(AnyValue("empty", None)),
)


def _nested(children: st.SearchStrategy[AnyValue]) -> st.SearchStrategy[AnyValue]:
    return st.one_of(
        st.lists(children, max_size=3).map(lambda xs: AnyValue("array", tuple(xs))),
        st.lists(st.tuples(_text, children), max_size=3).map(
            lambda kvs: AnyValue("kvlist", tuple(KeyValue(k, v) for k, v in kvs))),
    )


any_values: st.SearchStrategy[AnyValue] = st.recursive(_scalars, _nested, max_leaves=5)
"""OTLP ``AnyValue``: every kind, arrays and kvlists nested."""

attribute_lists: st.SearchStrategy[tuple[KeyValue, ...]] = st.lists(
    st.builds(KeyValue, _text, any_values), max_size=2).map(tuple)
"""Attribute lists (keys may repeat, as OTLP allows on the wire)."""

_ENTITIES = ((), (EntityRef("https://schema", "service", ("service.name",), ("host",)),))
_resources = st.builds(Resource, attribute_lists, _small, st.sampled_from(_ENTITIES),
                       st.sampled_from(("", "https://opentelemetry.io/schemas/1.26.0")))
_scopes = st.builds(Scope, st.sampled_from(("", "shop.web", "ü")), st.sampled_from(("", "1.0")),
                    attribute_lists, _small, st.sampled_from(("", "https://scope")))
_statuses = st.sampled_from((Status(), Status(1), Status(2, "card declined"), Status(2)))
# (trace state, flags, dropped attributes, dropped events, dropped links)
_extras = st.sampled_from((("", 0, 0, 0, 0), ("", 0x301, 0, 0, 0), ("congo=t61rcWkgMzE", 1, 2, 3, 4)))


@st.composite
def _trace(draw: st.DrawFn, max_spans: int, link_targets: Sequence[tuple[str, str]]
           ) -> CapturedTrace:
    trace_id = draw(_trace_id)
    ids = [f"{n:016x}" for n in draw(st.lists(_span_number, min_size=1, max_size=max_spans,
                                               unique=True))]
    resource, scope = draw(_resources), draw(_scopes)
    spans: list[Span] = []
    for i, sid in enumerate(ids):
        pick = draw(st.integers(0, i))  # 0: a root, else the parent's position + 1
        if pick == 0:
            parent, start = "", draw(st.integers(1, 2**62))
            end = draw(st.integers(start, start + 10**12))
        else:
            p = spans[pick - 1]
            parent = p.span_id
            start = draw(st.integers(p.start_time_unix_nano, p.end_time_unix_nano))
            end = draw(st.integers(start, p.end_time_unix_nano + 10**9))
        events = tuple(Event(draw(st.integers(start, end)), draw(_text), draw(attribute_lists),
                             draw(_small)) for _ in range(draw(st.integers(0, 2))))
        targets = [*link_targets, *((trace_id, s.span_id) for s in spans)]
        links = tuple(Link(*draw(st.sampled_from(targets)), "", draw(attribute_lists), 0,
                           draw(_small))
                      for _ in range(draw(st.integers(0, 1 if targets else 0))))
        if draw(st.integers(0, 3)) == 0:  # a second resource and scope inside one trace
            resource, scope = draw(_resources), draw(_scopes)
        state, flags, dropped_attributes, dropped_events, dropped_links = draw(_extras)
        spans.append(Span(trace_id, sid, parent, draw(_text), draw(st.integers(0, 5)), start, end,
                          draw(attribute_lists), events, links, draw(_statuses), state, flags,
                          dropped_attributes, dropped_events, dropped_links, resource, scope))
    order = draw(st.permutations(range(len(spans))))
    return CapturedTrace(trace_id, tuple(spans[k] for k in order))


_WRITERS = {
    "otlp-json": lambda traces: dumps_json(traces).encode(),
    "otlp-jsonl": lambda traces: dumps_jsonl(traces).encode(),
    "otlp-proto": dump_proto,
    "otlp-proto-stream": dump_proto_stream,
}


@st.composite
def otlp_documents(draw: st.DrawFn, formats: Sequence[str] = DOCUMENT_FORMATS,
                   max_traces: int = 3, max_spans: int = 6) -> OtlpDocument:
    """A valid OTLP file in one of ``formats`` (see the module docstring) and its traces.

    Raises:
        ValueError: a format that is not one of :data:`DOCUMENT_FORMATS`.
    """
    unknown = [f for f in formats if f not in _WRITERS]
    if unknown or not formats:
        raise ValueError(f"unknown document format(s) {unknown}; expected some of "
                         f"{', '.join(DOCUMENT_FORMATS)}")
    fmt = draw(st.sampled_from(list(formats)))
    traces: list[CapturedTrace] = []
    seen: set[str] = set()
    # an empty file is no document; only a JSON document can say "no spans" ({"resourceSpans": []})
    fewest = 0 if fmt == "otlp-json" else 1
    for _ in range(draw(st.integers(fewest, max(fewest, max_traces)))):
        targets = [(t.trace_id, sp.span_id) for t in traces for sp in t.spans]
        trace = draw(_trace(max_spans, targets))
        if trace.trace_id not in seen:  # a repeated trace id would merge two traces
            seen.add(trace.trace_id)
            traces.append(trace)
    return OtlpDocument(fmt, _WRITERS[fmt](tuple(traces)), tuple(traces))


__all__ = ["DOCUMENT_FORMATS", "OtlpDocument", "any_values", "attribute_lists", "otlp_documents"]
