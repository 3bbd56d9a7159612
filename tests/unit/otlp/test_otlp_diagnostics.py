import pytest

from cspotlp.errors import ClockSkew, DuplicateSpanId, MalformedInput, OrphanSpan, SpanCycle
from cspotlp.otlp import CapturedTrace, Event, Span, diagnose, summarise, validate
from cspotlp.otlp.diagnostics import depth
from cspotlp.otlp.repair import SYNTHETIC_NAME

TID = "0af7651916cd43dd8448eb211c80319c"


def sid(n: int) -> str:
    return f"{n:016x}"


def span(n, parent=None, start=10, end=100, kind=1, events=(), name=None):
    return Span(TID, sid(n), sid(parent) if parent is not None else "", name or f"s{n}", kind,
                start, end, events=tuple(Event(t, "e") for t in events))


def trace(*spans):
    return CapturedTrace(TID, tuple(spans), "f.json")


def kinds(t):
    return [(d.kind, d.span_id, d.blocking) for d in diagnose(t)]


def test_clean_tree_has_no_diagnostics():
    t = trace(span(1), span(2, 1, 20, 30), span(3, 2, 21, 29, events=[25]))
    assert diagnose(t) == []
    assert summarise([t]).depth == 3
    assert validate(t).repairs == ()


def test_orphan_and_synthetic_root():
    t = trace(span(2, 9, 20, 30), span(3, 9, 25, 40))
    assert kinds(t) == [("orphan", sid(2), True), ("orphan", sid(3), True)]
    with pytest.raises(OrphanSpan, match="synthetic-root") as info:
        validate(t)
    assert info.value.where.span_id == sid(2) and info.value.where.file == "f.json"
    valid = validate(t, ["synthetic-root"])
    synthetic = [n for n in valid.nodes if n.span_index < 0]
    assert [(n.id, n.parent, n.name, n.start, n.end) for n in synthetic] == [
        (sid(9), None, SYNTHETIC_NAME, 20, 40)]
    assert [d.repair for d in valid.repairs] == ["synthetic-root"]


def test_self_parent_and_cycles():
    t = trace(span(1, 1), span(2, 3), span(3, 2, start=5))
    assert [k for k in kinds(t) if k[0] == "cycle"] == [
        ("cycle", sid(1), True), ("cycle", sid(2), True)]
    assert "is its own parent" in diagnose(t)[0].message
    with pytest.raises(SpanCycle, match="break-cycles"):
        validate(t)
    valid = validate(t, ["break-cycles"])
    roots = {n.id for n in valid.nodes if n.parent is None}
    assert roots == {sid(1), sid(3)}  # on 2<->3 the earlier-starting span 3 becomes the root


def test_duplicates_exact_and_shared():
    a = span(1)
    t = trace(a, a)
    assert "repeats the first exactly" in diagnose(t)[0].message
    with pytest.raises(DuplicateSpanId, match="split-shared"):
        validate(t)
    assert [n.id for n in validate(t, ["drop-duplicates"]).nodes] == [sid(1)]
    assert [n.id for n in validate(t, ["split-shared"]).nodes] == [sid(1), sid(1) + "_2"]


def test_zipkin_shared_span_split_puts_server_under_client():
    client = span(2, 1, 20, 90, kind=3)
    server = span(2, 1, 25, 80, kind=2)
    t = trace(span(1), server, client, span(3, 2, 30, 40))
    assert "shared span (Zipkin)" in diagnose(t)[0].message
    nodes = {n.id: n for n in validate(t, ["split-shared"]).nodes}
    assert nodes[sid(2)].span_index == 2  # the client keeps the id
    assert nodes[sid(2) + "_2"].parent == sid(2)  # the server half under it
    assert nodes[sid(3)].parent == sid(2) + "_2"  # children go to the server half


def test_child_outside_parent_blocking_and_async():
    t = trace(span(1, None, 10, 50), span(2, 1, 5, 20), span(3, 1, 60, 70), span(4, 1, 20, 80))
    assert kinds(t) == [("child-outside-parent", sid(2), True),
                        ("child-outside-parent", sid(3), True),
                        ("child-outside-parent", sid(4), False)]
    with pytest.raises(ClockSkew, match="clamp-skew"):
        validate(t)
    valid = validate(t, ["clamp-skew"])
    times = {n.id: (n.start, n.end) for n in valid.nodes}
    assert times == {sid(1): (10, 50), sid(2): (10, 20), sid(3): (50, 70), sid(4): (20, 80)}
    assert len(valid.repairs) == 2


def test_end_before_start_and_events_outside():
    t = trace(span(1, None, 10, 5, events=[1, 7]))
    assert [k[0] for k in kinds(t)] == ["end-before-start", "event-outside-span",
                                       "event-outside-span"]
    valid = validate(t, ["clamp-skew"])
    (node,) = valid.nodes
    assert (node.start, node.end, node.event_times) == (10, 10, (10, 10))


def test_invalid_ids_are_rejected_without_repair():
    t = CapturedTrace("", (Span("", "", "0000000000000000", "x", 0, 1, 2),))
    assert [d.message for d in diagnose(t)] == [
        "trace id '' is empty", "span id '' is empty", "parent span id '0000000000000000' is all zero"]
    with pytest.raises(MalformedInput, match="invalid id"):
        validate(t, ["synthetic-root", "clamp-skew"])


def test_unknown_repair_name():
    with pytest.raises(ValueError, match="unknown repair"):
        validate(trace(span(1)), ["fix-everything"])


def test_depth_of_a_deep_chain_needs_no_recursion():
    n = 20_000
    spans = tuple(span(i, i - 1 if i > 1 else None, 10 + i, 10 * n - i) for i in range(1, n + 1))
    assert depth(spans) == n
    assert diagnose(trace(*spans)) == []
