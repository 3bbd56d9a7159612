"""Drawings of captured traces, normal forms and counterexamples; the render and report commands."""

import re

import pytest

from cspotlp.cli import main
from cspotlp.conformance import ConformanceChecker, NormalisedSpec
from cspotlp.mapping.otlp_bridge import to_forest
from cspotlp.otlp import dump_proto_stream
from cspotlp.render import forest_to_dot, render
from cspotlp.render.automaton import automaton_to_dot, normalised_spec_successors, walk
from cspotlp.render.counterexample import span_tree_dot
from cspotlp.render.spans import span_rows
from cspotlp.render.timelines import timeline_svg
from tests.flow_fixtures import (
    CHECKOUT_ABSTRACTION,
    CHECKOUT_SPEC,
    checkout_abstraction,
    checkout_spec_terms,
    checkout_traces,
)


def declined():
    return checkout_traces()[2]


def test_error_spans_of_a_captured_forest_are_red():
    """The bug of issue 14: the status is an OTLP Status, printed as Status(code=2, ...)."""
    trace = declined()
    errors = {s.span_id for s in trace.spans if s.status.code == 2}
    assert len(errors) == 2
    dot = forest_to_dot(to_forest(trace, keep_times=True))
    red = set(re.findall(r'"span:([0-9a-f]+)" \[[^\n]*color="red"', dot))
    assert red == errors
    assert "status ERROR failed" in dot and "Status(" not in dot
    assert re.search(r"\\n\+10 ms, 230 ms\\n", dot)  # real times, human units


def test_children_are_listed_in_start_order_even_when_read_out_of_order():
    trace = checkout_traces()[1]
    shuffled = tuple(reversed(trace.spans))
    rows = span_rows(shuffled)
    assert rows[0].depth == 0 and rows[0].span.name == "POST /api/checkout"
    starts = {}
    for row in rows:
        starts.setdefault((row.depth, row.span.parent_span_id), []).append(
            row.span.start_time_unix_nano)
    assert all(v == sorted(v) for v in starts.values())
    assert len(rows) == len(trace.spans)


def test_span_rows_survive_orphans_cycles_and_depth():
    from cspotlp.otlp import Span

    deep = [Span("t", f"{k:016x}", f"{k - 1:016x}" if k else "", "s", 1, k, 10**6 - k)
            for k in range(20_000)]
    assert span_rows(deep)[-1].depth == 19_999
    cycle = [Span("t", "a", "b", "a", 1, 1, 2), Span("t", "b", "a", "b", 1, 2, 3),
             Span("t", "c", "zz", "orphan", 1, 0, 9)]
    rows = span_rows(cycle)
    assert sorted(r.span.span_id for r in rows) == ["a", "b", "c"]
    assert next(r for r in rows if r.span.span_id == "c").orphan


def test_timeline_marks_the_offending_and_error_spans():
    trace = checkout_traces()[3]
    checker = ConformanceChecker.for_process(*checkout_spec_terms(), checkout_abstraction())
    failure = checker.check(trace).failure
    svg = timeline_svg(trace.spans, highlight=failure.span.span_id)
    assert svg.count('class="span offending"') == 1
    assert f'data-span-id="{failure.span.span_id}"' in svg
    assert "◀ offending" in svg
    assert 'class="span error"' in timeline_svg(declined().spans)
    assert svg.startswith("<svg") and b"<svg" in render(forest_to_dot(to_forest(trace)))[:400]


def test_counterexample_tree_highlights_the_span_and_says_what_was_accepted():
    trace = checkout_traces()[3]
    checker = ConformanceChecker.for_process(*checkout_spec_terms(), checkout_abstraction())
    failure = checker.check(trace).failure.to_json()
    dot = span_tree_dot(trace.spans, failure)
    assert dot.count('class="offending"') == 1
    assert "refused: call.ShipOrder\\naccepted here: call.Charge" in dot
    svg = render(dot).decode()
    assert 'class="node offending"' in svg


def test_normal_form_path_ends_in_the_refused_event():
    spec = NormalisedSpec(*checkout_spec_terms())
    succ = normalised_spec_successors(spec)
    path = ["call.Checkout", "call.PlaceOrder", "call.GetCart", "ret.GetCart"]
    nodes = walk(succ, path)
    assert len(nodes) == 5
    dot = automaton_to_dot(succ, path=path, refused="call.ShipOrder", max_nodes=5)
    assert f'"n{nodes[-1]}" -> "refused" [label="call.ShipOrder"' in dot
    assert dot.count('penwidth=2.5];') >= len(path)  # the path's edges are bold
    assert '"more" [label="…"' in dot  # the cut at five nodes is visible
    assert dot == automaton_to_dot(succ, path=path, refused="call.ShipOrder", max_nodes=5)


@pytest.fixture
def capture(tmp_path):
    path = tmp_path / "checkout.pb"
    path.write_bytes(dump_proto_stream(checkout_traces()))
    return path


def test_render_commands_write_svg_png_and_dot(capture, tmp_path, capsys):
    spec = ["--spec", str(CHECKOUT_SPEC), "--abstraction", str(CHECKOUT_ABSTRACTION)]
    assert main(["render", "spans", str(capture), "-o", str(tmp_path / "t.svg")]) == 0
    assert main(["render", "spans", str(capture), "--timeline", "-o", str(tmp_path / "tl.svg")]) == 0
    assert main(["render", "lts", str(CHECKOUT_SPEC), "SPEC", "-o", str(tmp_path / "l.png")]) == 0
    assert main(["render", "normal-form", str(CHECKOUT_SPEC), "SPEC", "-o", str(tmp_path / "n.dot")]) == 0
    assert main(["render", "counterexample", str(capture), *spec, "-o", str(tmp_path / "c.svg")]) == 0
    assert main(["render", "counterexample", str(capture), *spec, "--path",
                 "-o", str(tmp_path / "p.dot")]) == 0
    assert (tmp_path / "l.png").read_bytes().startswith(b"\x89PNG")
    assert (tmp_path / "n.dot").read_text().startswith("digraph normal_form")
    assert "class=\"node offending\"" in (tmp_path / "c.svg").read_text()
    assert '-> "refused" [label="call.ShipOrder"' in (tmp_path / "p.dot").read_text()
    assert "timeline" in (tmp_path / "tl.svg").read_text()
    assert "FAIL  trace" in capsys.readouterr().err
    assert main(["render", "spans", str(capture), "--trace", "ff" * 16, "-o", str(tmp_path / "x.svg")]) == 2
    assert "no trace ffff" in capsys.readouterr().err


def test_render_a_refinement_counterexample(tmp_path, capsys):
    script = tmp_path / "m.csp"
    script.write_text("channel a, b\nSPEC = a -> SPEC\nIMPL = a -> b -> IMPL\n"
                      "assert SPEC [T= IMPL\nassert SPEC [T= SPEC\n")
    out = tmp_path / "r.dot"
    assert main(["render", "counterexample", str(script), "--assertion", "1", "-o", str(out)]) == 0
    assert '"n0" -> "refused" [label="b"' in out.read_text()
    assert main(["render", "counterexample", str(script), "--assertion", "2", "-o", str(out)]) == 0
    assert "passed" in capsys.readouterr().err
    assert main(["render", "counterexample", str(script), "--assertion", "3", "-o", str(out)]) == 2


def test_report_is_one_self_contained_file(capture, tmp_path, capsys):
    out = tmp_path / "report.html"
    status = main(["report", str(capture), "--spec", str(CHECKOUT_SPEC), "--abstraction",
                   str(CHECKOUT_ABSTRACTION), "--complete", "-o", str(out)])
    assert status == 1  # one order ships before charging
    html = out.read_text()
    assert html.count('class="trace-row') == 4
    assert html.count('data-verdict="fail"') == 1
    assert 'class="span offending"' in html and 'class="node offending"' in html
    assert not re.search(r'(src|href)="(https?:)?//', html)  # nothing loaded from elsewhere
    assert "3 pass, 1 fail" in capsys.readouterr().out
    assert html.count("<section") == 5  # four traces and the specification


def test_render_imports_no_web_or_grpc_framework():
    import subprocess
    import sys

    code = ("import sys, cspotlp.render, cspotlp.cli.render; "
            "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('aiohttp', 'grpc') "
            "or m.startswith('cspotlp.serve')); print(bad)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
