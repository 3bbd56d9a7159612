"""Drawings of Go-style models: a goroutine's state machine with the run and where it is stuck,
a run as a sequence diagram, the span a counterexample points at; the run behind a refinement
counterexample."""

import re
import xml.etree.ElementTree as ET

import pytest

from cspotlp.gomodel import Program, go, offending_span, open_span, recv, send, terminating_trace
from cspotlp.render import go_event_text, goroutine_to_dot, render, sequence_svg
from tests.unit.gomodel import programs as P


def test_leak_drawn_where_the_worker_is_stuck():
    model = P.leaking_worker().compile()
    verdict = model.check_leaks()
    assert verdict.holds is False
    worker = next(r for r in verdict.goroutines if r.gid == 2)
    assert worker.status == "blocked"
    dot = goroutine_to_dot(model, 2, verdict.path, report=worker)
    stuck = [line for line in dot.splitlines() if 'class="stuck"' in line]
    assert len(stuck) == 1 and "send 1 on res" in stuck[0] and "BLOCKED" in stuck[0]
    assert "res <- 1" in dot
    assert b"<svg" in render(dot)


def test_path_edges_are_the_goroutines_own_events():
    model = P.pipeline().compile()
    trace = terminating_trace(model)
    assert trace is not None
    dot = goroutine_to_dot(model, 1, trace)
    blue = {re.search(r'label="([^"]*)"', line).group(1)
            for line in dot.splitlines() if "->" in line and "penwidth=2.5" in line}
    own = {go_event_text(model, e) for e in trace if 1 in model.participants(e)}
    assert blue == own  # exactly main's own steps of the run are drawn in blue
    assert 'class="stuck"' not in dot


def test_sequence_diagram_is_valid_svg_with_arrows_and_stuck_notes():
    model = P.leaking_worker().compile()
    verdict = model.check_leaks()
    svg = sequence_svg(model, verdict.path, goroutines=verdict.goroutines, highlight=len(verdict.path) - 1)
    root = ET.fromstring(svg)
    ns = {"s": "http://www.w3.org/2000/svg"}
    assert [t.text for t in root.findall(".//s:text[@class='head']", ns)] == ["goroutine 1", "goroutine 2"]
    assert root.findall(".//s:g[@class='message']", ns), "go worker() is an arrow"
    notes = root.findall(".//s:g[@class='stuck-note']", ns)
    assert [n.get("data-goroutine") for n in notes] == ["2"]
    assert root.findall(".//s:rect[@class='offending']", ns)


def test_drawings_are_deterministic():
    a, b = P.leaking_worker().compile(), P.leaking_worker().compile()
    va, vb = a.check_leaks(), b.check_leaks()
    assert sequence_svg(a, va.path, goroutines=va.goroutines) == sequence_svg(b, vb.path, goroutines=vb.goroutines)
    assert goroutine_to_dot(a, 2, va.path) == goroutine_to_dot(b, 2, vb.path)


def test_no_such_goroutine_is_an_error():
    from cspotlp.errors import ExportError

    with pytest.raises(ExportError, match="goroutine 9 is not in program"):
        goroutine_to_dot(P.leaking_worker().compile(), 9)


def test_go_event_text():
    p = Program("texts")
    c = p.chan("c", values=[1, 2], cap=1)
    u = p.chan("u", values=[1])

    @p.func
    def helper():
        return [send(u, 1)]

    @p.main
    def main():
        return [go(helper), recv(u), send(c, 2), recv(c)]

    model = p.compile()
    texts = {str(e): go_event_text(model, e) for e in model.all_events()}
    assert texts["c_send.1.2"] == "c <- 2"
    assert texts["c_recv.1.2.true"] == "<-c = 2"
    assert texts["u.2.1.1"] == "u <- 1"
    assert texts["returned"] == "returned"  # no Go spelling: the CSP name


def test_offending_span_of_a_leak_is_the_blocked_goroutines_open_span():
    model = P.leaking_worker().compile()
    verdict = model.check_leaks()
    span = offending_span(model, verdict)
    assert span is not None and span == open_span(model, verdict.path, 2)
    rec = verdict.forest[span]
    assert rec.name == "worker" and rec.end is None


def test_offending_span_of_a_passed_check_is_none():
    model = P.fixed_worker().compile()
    assert offending_span(model, model.check_leaks()) is None


def test_refinement_counterexample_carries_the_run_behind_it():
    """The observed trace is a projection of the run; the forest is Φ of the whole run."""
    import sys

    from tests.paths import REPO

    sys.path.insert(0, str(REPO / "examples" / "gomodel"))
    import canary

    model = canary.program(bug=True).compile()
    verdict = model.check_refines(canary.spec(model), canary.OBSERVE, semantic_model="T")
    assert verdict.holds is False
    observed = {e for e in model.all_events() if e.channel in canary.OBSERVE}
    assert tuple(e for e in verdict.path if e in observed) == verdict.trace
    assert len(verdict.path) > len(verdict.trace)
    names = sorted({r.name for r in verdict.forest.records()})
    assert names == ["agent", "controller", "main"]
    assert re.search(r"the program's run behind it \(\d+ events\)", str(verdict))
    assert verdict.forest[offending_span(model, verdict)].name == "controller"
    # the run ends with the program's exit: every goroutine finished, none is reported stuck
    assert {r.status for r in verdict.goroutines} == {"finished"}
