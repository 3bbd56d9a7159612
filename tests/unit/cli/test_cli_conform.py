import json

import pytest

from cspotlp.cli import main
from cspotlp.otlp import dump_proto_stream, dumps_jsonl
from tests.flow_fixtures import (
    CHECKOUT_ABSTRACTION,
    CHECKOUT_SPEC,
    EXAMPLES,
    checkout_traces,
    order,
)
from tests.paths import OTLP_DATA, SHARED_DATA, needs_shared_data
from tests.project_data import CAPTURE_PB

TUI = str(OTLP_DATA / "otlpjson__otel-tui__otel-demo-fileexporter-part1.jsonl")
FLOW = ["--spec", str(CHECKOUT_SPEC), "--abstraction", str(CHECKOUT_ABSTRACTION)]


def write(path, traces):
    path.write_bytes(dump_proto_stream([s for t in traces for s in t.spans]))
    return str(path)


def test_all_pass_exits_0(tmp_path, capsys):
    good = write(tmp_path / "good.pb", checkout_traces()[:3])
    assert main(["conform", *FLOW, good]) == 0
    out = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in out[:3]] == ["PASS"] * 3
    assert out[-1] == "3 trace(s), 58 abstract event(s): 3 pass, 0 fail, 0 error"


def test_a_failure_exits_1_and_points_at_the_span(tmp_path, capsys):
    path = write(tmp_path / "all.pb", checkout_traces())
    assert main(["conform", *FLOW, "--complete", path]) == 1
    out = capsys.readouterr().out
    ship = next(s for s in checkout_traces()[3].spans
                if s.name.endswith("ShipOrder") and s.kind == 2)
    assert f"FAIL  trace {ship.trace_id} (24 events)" in out
    assert "event 15, call.ShipOrder, is refused" in out
    assert f"span {ship.span_id} 'oteldemo.ShippingService/ShipOrder' (service shipping, " in out
    assert "the specification accepted here: call.Charge" in out


def test_json_shape(tmp_path, capsys):
    path = write(tmp_path / "all.pb", checkout_traces())
    assert main(["conform", *FLOW, "--json", path]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert set(doc) == {"spec", "process", "abstraction", "complete", "orders",
                        "skew_tolerance_ns", "strict", "results", "summary"}
    assert (doc["orders"], doc["skew_tolerance_ns"], doc["strict"]) == ("some", 1_000_000, False)
    assert doc["summary"] == {"traces": 4, "pass": 3, "fail": 1, "error": 0, "inconclusive": 0,
                              "events": 82, "orphan_spans": 0, "skewed_spans": 0}
    assert [r["verdict"] for r in doc["results"]] == ["pass", "pass", "pass", "fail"]
    failure = doc["results"][3]["failure"]
    assert set(failure) == {"index", "event", "reason", "span", "accepted", "before",
                            "in_time_order", "order"}
    assert failure["in_time_order"] is True and failure["order"] == list(range(14))
    assert set(failure["span"]) == {"trace_id", "span_id", "name", "service"}
    assert doc["abstraction"]["drop_client_spans"] is True


def test_input_errors_exit_2(tmp_path, capsys):
    path = write(tmp_path / "all.pb", checkout_traces())
    assert main(["conform", "--spec", str(CHECKOUT_SPEC), "--process", "NOPE", path]) == 2
    assert "defines no process 'NOPE'" in capsys.readouterr().err
    assert main(["conform", *FLOW, str(tmp_path / "missing.pb")]) == 2
    assert "missing.pb" in capsys.readouterr().err
    bad = tmp_path / "bad.csp"
    bad.write_text("SPEC = undefined_thing\n")
    assert main(["conform", "--spec", str(bad), path]) == 2
    assert f"{bad}:1:8" in capsys.readouterr().err
    # a trace with a span whose parent is outside the capture: an error only with --strict
    broken = order(9, 1)
    orphan = broken.spans[0]._replace(span_id="ee" * 8, parent_span_id="ff" * 8)
    (tmp_path / "broken.jsonl").write_text(dumps_jsonl([*broken.spans, orphan]))
    assert main(["conform", *FLOW, "--strict", str(tmp_path / "broken.jsonl")]) == 2
    assert "ERROR trace" in capsys.readouterr().out
    assert main(["conform", *FLOW, str(tmp_path / "broken.jsonl")]) == 1
    out = capsys.readouterr().out
    assert "FAIL  trace" in out and "1 span(s) had a parent outside the capture" in out
    # duplicate span ids are refused unless a repair is named
    (tmp_path / "dup.jsonl").write_text(dumps_jsonl([*broken.spans, broken.spans[0]]))
    assert main(["conform", *FLOW, str(tmp_path / "dup.jsonl")]) == 2
    assert "split-shared" in capsys.readouterr().out


@needs_shared_data
def test_failures_only_and_the_demo_corpus_with_no_flags(capsys):
    argv = ["conform", "--spec", str(EXAMPLES / "otel_demo_spec.csp"), "--abstraction",
            str(EXAMPLES / "otel_demo_abstraction.json"), "--failures-only", TUI]
    assert main(argv) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[-3] == "61 trace(s), 372 abstract event(s): 58 pass, 3 fail, 0 error"
    assert out[-2].startswith("3 span(s) had a parent outside the capture")
    assert out[-1].startswith("17 span(s) started outside their parent's interval")
    fails = [line for line in out if line.startswith("FAIL")]
    assert len(fails) == 3 and all("(2 events)" in line for line in fails)
    assert sum("event 1, call.GetProduct, is refused" in line for line in out) == 3
    # --strict: today's refusal of clock skew and absent parents
    assert main([*argv, "--strict"]) == 2
    assert "clamp-skew" in capsys.readouterr().out
    # every order: the capture's timing does not order what the specification sequences
    assert main([*argv, "--all-orders"]) == 1
    out = capsys.readouterr().out
    assert "in an order its partial order allows" in out
    assert "55 pass, 6 fail, 0 error" in out


def test_failures_only_on_a_project_capture(capsys):
    argv = ["conform", *FLOW, "--failures-only", str(CAPTURE_PB)]
    assert main(argv) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[-1] == "4 trace(s), 82 abstract event(s): 3 pass, 1 fail, 0 error"
    assert [line.split()[0] for line in out if line and not line.startswith(" ")] == [
        "FAIL", "4"]
    assert "event 15, call.ShipOrder, is refused" in "\n".join(out)


def test_locate_points_a_counterexample_at_spans(tmp_path, capsys):
    path = write(tmp_path / "all.pb", checkout_traces())
    script = tmp_path / "observed.csp"
    assert main(["otlp2cspm", path, "-o", str(script), *FLOW]) == 0
    side = json.loads((tmp_path / "observed.csp.json").read_text())
    events = [e[0] for e in side["traces"][3]["events"]]
    cex = "<" + ", ".join(events[:events.index("call.ShipOrder") + 1]) + ">"
    capsys.readouterr()
    assert main(["locate", f"{script}.json", cex]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith(f"trace {checkout_traces()[3].trace_id}")
    assert out[-1].endswith('"oteldemo.ShippingService/ShipOrder" (shipping)  <- here')
    assert main(["locate", f"{script}.json", "<call.Nothing>"]) == 1
    assert main(["locate", str(tmp_path / "none.json"), "<>"]) == 2


@pytest.mark.slow
def test_demo_runs_every_step(tmp_path, capsys):
    from cspotlp.demo import run_demo

    assert run_demo(tmp_path / "demo") == 0
    out = capsys.readouterr().out
    assert "3 pass, 1 fail, 0 error" in out
    if SHARED_DATA is not None:  # the step on the OpenTelemetry Demo capture of the corpus
        assert "58 pass, 3 fail, 0 error" in out
    else:
        assert "skipped: the shared corpus" in out
    assert "<- here" in out and "All steps done" in out
    assert (tmp_path / "demo" / "checkout.csp.json").is_file()
    drawing = (tmp_path / "demo" / "order4.svg").read_text()
    assert drawing.startswith("<?xml") and "oteldemo.ShippingService/ShipOrder" in drawing
    report = (tmp_path / "demo" / "report.html").read_text()
    assert "cee105ceb72cc65da4c47649f7e9e0ce" in report  # order 4, its ids seeded
    assert report.count("<svg") >= 2 and "src=\"http" not in report  # self-contained
