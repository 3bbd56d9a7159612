"""The public strategies (cspotlp.testing.strategies) draw what they promise, shrink as they
promise, and feed the T1–T5 checks, which hold for cspotlp's maps and catch broken ones."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, Phase, find, given, settings
from hypothesis.errors import NoSuchExample
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from cspotlp import csp
from cspotlp.csp import TICK, Environment, after, call, ext_choice, int_choice, prefix
from cspotlp.csp.traces import acceptances
from cspotlp.mapping import BEGIN, End, Forest, SpanRecord, occurrence_key, phi, psi
from cspotlp.otlp import load
from cspotlp.testing import LAWS, check_correspondence, check_phi_psi, check_psi_wf
from cspotlp.testing.laws import check_phi_normalised, check_prefixes, check_psi_phi
from cspotlp.testing.strategies import (
    DOCUMENT_FORMATS,
    any_values,
    failures,
    otlp_documents,
    span_forests,
    traces,
    wf_traces,
)

# -- a model with data, choice, recursion and termination ---------------------------------------

ENV = Environment()
PUT = ENV.channel("put", range(3))
GET = ENV.channel("get", range(3))
DONE = ENV.channel("done")
BAD = ENV.channel("bad")        # declared, never used: always refusable
ENV.define("BUF", lambda: ext_choice(
    csp.input_prefix(PUT, [None], lambda x: prefix(GET.event(x), call("BUF"))),
    prefix(DONE.event(), csp.SKIP)))
BUF = call("BUF")
CHOICE = int_choice(prefix(PUT.event(0), csp.STOP), prefix(PUT.event(1), csp.STOP))


@given(traces(BUF, ENV, max_length=12))
def test_model_traces_are_traces_of_the_model(t):
    assert after(BUF, t, ENV)          # the engine's own walk, independent of the strategy
    assert TICK not in t[:-1]
    for i in range(0, len(t) - 1, 2):  # a one-place buffer: every put is followed by its get
        if t[i] == DONE.event():
            break
        assert t[i].channel == "put" and t[i + 1] == GET.event(t[i].fields[0])


def test_model_traces_shrink_to_the_shortest_with_the_earliest_choices():
    # channels in name order (done, get, put), ✓ last; data values in order
    assert find(traces(BUF, ENV), lambda t: t[-1:] == (TICK,)) == (DONE.event(), TICK)
    assert find(traces(BUF, ENV), lambda t: len(t) >= 3) == (
        PUT.event(0), GET.event(0), DONE.event())
    assert find(traces(BUF, ENV), lambda t: GET.event(2) in t) == (PUT.event(2), GET.event(2))
    assert TICK not in find(traces(BUF, ENV, tick=False), lambda t: DONE.event() in t)


def _refusable(process, trace, refusal):
    """Some stable state after ``trace`` refuses ``refusal`` (✓ a signal, as in UCS)."""
    terms = after(process, trace, ENV)
    for term in terms:
        for acc in acceptances(term, ENV):
            accepted = {TICK} if TICK in acc else acc
            if not accepted & refusal:
                return True
    return False


@given(failures(BUF, ENV, max_length=8))
def test_model_failures_are_failures_of_the_model(f):
    assert _refusable(BUF, f.trace, f.refusal)
    assert not _refusable(BUF, f.trace, f.refusal | {e for e in ENV.events() if e not in f.refusal
                                                     and e.channel != "bad"} | {TICK}) or (
        f.trace[-1:] == (TICK,))  # only after ✓ can everything be refused


def test_internal_choice_refuses_either_branch_but_external_choice_neither():
    first = lambda f: f.trace == () and PUT.event(0) in f.refusal  # noqa: E731
    assert find(failures(CHOICE, ENV), first).refusal == {PUT.event(0)}
    # at the start the buffer offers every put: no stable state refuses one
    with pytest.raises(NoSuchExample):
        find(failures(BUF, ENV, max_length=0), lambda f: PUT.event(0) in f.refusal,
             settings=settings(max_examples=300, database=None))


# -- OTLP documents -----------------------------------------------------------------------------


@settings(max_examples=40, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(otlp_documents(max_spans=4))
def test_documents_read_back_as_the_traces_they_hold(doc):
    capture = load(doc.data)
    # a JSON Lines file of one line is also one OTLP JSON document
    one_line = doc.format == "otlp-jsonl" and len(doc.traces) == 1
    assert capture.format == ("otlp-json" if one_line else doc.format)
    assert capture.traces == doc.traces
    if doc.format == "otlp-proto":
        assert len(ExportTraceServiceRequest.FromString(doc.data).resource_spans) >= (
            1 if doc.spans else 0)


def _seen(strategy, features, n=60):
    """The features of ``n`` examples drawn the same way every run (no shrinking involved)."""
    seen = set()

    @settings(max_examples=n, database=None, derandomize=True, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(strategy)
    def collect(value):
        seen.update(features(value))

    collect()
    return seen


def _kinds(value):
    stack = [value]
    while stack:
        v = stack.pop()
        yield v.kind
        if v.kind == "array":
            stack.extend(v.value)
        elif v.kind == "kvlist":
            stack.extend(kv.value for kv in v.value)


def test_every_any_value_kind_is_drawn():
    assert _seen(any_values, _kinds, 100) == {"string", "bool", "int", "double", "bytes", "array",
                                              "kvlist", "empty"}


def _document_features(doc):
    yield doc.format
    yield f"{min(len(doc.traces), 2)} traces"
    for sp in doc.spans:
        yield from ("events" if sp.events else "", "links" if sp.links else "",
                    "child" if sp.parent_span_id else "")
        yield from (k for kv in sp.attributes for k in _kinds(kv.value))


def test_documents_have_every_format_links_events_nesting_and_values():
    assert _seen(otlp_documents(max_spans=4), _document_features) >= {
        *DOCUMENT_FORMATS, "0 traces", "1 traces", "2 traces", "events", "links", "child",
        "string", "bool", "int", "double", "bytes", "array", "kvlist", "empty"}


def test_unknown_document_formats_are_refused():
    with pytest.raises(ValueError, match="unknown document format"):
        _seen(otlp_documents(formats=["yaml"]), lambda d: [], 1)


# -- the laws -------------------------------------------------------------------------------------


# tests/property/test_correspondence_laws.py states the laws at length; these check that the
# public strategies feed the public checks
@settings(max_examples=50)
@given(wf_traces())
def test_the_trace_laws_hold(t):
    check_correspondence(t)


@settings(max_examples=50)
@given(span_forests())
def test_the_forest_laws_hold(f):
    check_correspondence(f)


def _ends_first(time, cls, depth, span, seq):
    """A wrong tie-break for Ψ: ends before begins at one time."""
    return (time, -cls, depth if cls == BEGIN else 0, occurrence_key(time, cls, depth, span,
                                                                      seq)[3], seq)


def _late_phi(t):
    """A wrong Φ: every time one later than it should be."""
    from dataclasses import replace

    return Forest(replace(r, start=r.start + 1, end=None if r.end is None else r.end + 1)
                  for r in phi(t).records())


def test_the_checks_catch_a_wrong_map_with_the_theorem_named():
    wrong_psi = lambda f: psi(f, _ends_first)  # noqa: E731
    f = find(span_forests(), lambda f: not _passes(check_psi_wf, f, psi=wrong_psi))
    with pytest.raises(AssertionError, match="T1 fails: Ψ\\(F\\) is not well formed at event"):
        check_psi_wf(f, psi=wrong_psi)
    t = find(wf_traces(), lambda t: len(t) > 0)
    with pytest.raises(AssertionError, match="T4 fails: Φ\\(t\\) is not normalised"):
        check_phi_normalised(t, phi=_late_phi)
    with pytest.raises(AssertionError, match="T5 fails for the prefix of length 1: "):
        check_prefixes(t, phi=_late_phi)
    reversed_psi = lambda f: tuple(reversed(psi(f)))  # noqa: E731
    two = find(wf_traces(), lambda t: len(t) >= 2 and isinstance(t[-1], End))
    with pytest.raises(AssertionError, match="T3 fails: Ψ\\(Φ\\(t\\)\\) differs from t at event 1"):
        check_phi_psi(two, psi=reversed_psi)
    g = find(span_forests(), lambda g: len(g) >= 1 and any(r.end is not None for r in g.values()))
    with pytest.raises(AssertionError, match="T2 fails: Φ\\(Ψ\\(F\\)\\) differs from norm\\(F\\)"):
        check_psi_phi(g, phi=_late_phi)
    assert sorted(LAWS) == ["T1", "T2", "T3", "T4", "T5"]


def _passes(check, *args, **kwargs):
    try:
        check(*args, **kwargs)
    except AssertionError:
        return False
    return True


def test_a_check_given_an_input_outside_its_theorem_says_so():
    with pytest.raises(ValueError, match="T3 is about well-formed traces; this one is not, at event 1"):
        check_phi_psi((End(1),))
    check_psi_wf(Forest([]))  # the empty forest is valid
    orphan = Forest([SpanRecord(1, 7, "x", None, 1, 2)])
    with pytest.raises(ValueError, match="T1 is about valid forests"):
        check_psi_wf(orphan)


@settings(max_examples=50)
@given(wf_traces(complete=True))
def test_complete_traces_end_every_span(t):
    assert sum(isinstance(e, End) for e in t) == len({e.span for e in t})
