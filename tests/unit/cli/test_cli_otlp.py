import json

from cspotlp.cli import main
from cspotlp.otlp import load
from tests.paths import OTLP_DATA, needs_shared_data
from tests.project_data import (
    CAPTURE_DEPTH,
    CAPTURE_JSONL,
    CAPTURE_PB,
    CAPTURE_SERVICES,
    CAPTURE_SPANS,
    CAPTURE_TRACES,
    message_to_dict_lines,
    without_service,
)

TUI = str(OTLP_DATA / "otlpjson__otel-tui__otel-demo-fileexporter-part1.jsonl")
SCAN_ERROR = str(OTLP_DATA / "jaeger__jaeger__anonymizer-trace_scan_error.json")
BASE64 = str(OTLP_DATA / "otlpjson__otlp2parquet__traces.jsonl")
CLEAN = str(OTLP_DATA / "otlpjson__jaeger-ui__otlp2jaeger-multi-in-combined.json")
ORPHAN = str(OTLP_DATA / "otlpjson__otel-proto__examples-trace.json")


@needs_shared_data
def test_inspect_json(capsys):
    assert main(["inspect", "--json", TUI, CLEAN]) == 0
    lines = capsys.readouterr().out.splitlines()
    first, second = (json.loads(line) for line in lines)
    assert (first["traces"], first["spans"], first["depth"], len(first["services"])) == (61, 263, 8, 7)
    assert first["format"] == "otlp-jsonl"
    assert first["diagnostic_counts"]["orphan"] == 3
    assert first["diagnostic_counts"]["child-outside-parent"] == 28
    d = first["diagnostics"][0]
    assert {"kind", "trace_id", "span_id", "message"} <= set(d)
    assert d["line"] is not None  # JSON Lines: the line of the span
    assert (second["traces"], second["spans"], second["diagnostics"]) == (1, 4, [])


@needs_shared_data
def test_inspect_text(capsys):
    assert main(["inspect", TUI, "--max-diagnostics", "2"]) == 0
    out = capsys.readouterr().out
    assert "traces 61, spans 263, services 7, depth 8" in out
    assert "orphan 3" in out and "more (--json lists all)" in out
    assert "skipped a line of logs" in out


@needs_shared_data
def test_inspect_unreadable_file_exits_2_naming_file_and_place(capsys):
    assert main(["inspect", "--json", CLEAN, SCAN_ERROR]) == 2
    captured = capsys.readouterr()
    assert len(captured.out.splitlines()) == 1  # the good file is still reported
    assert f"{SCAN_ERROR}:2:1: invalid JSON" in captured.err


@needs_shared_data
def test_inspect_lenient(capsys):
    assert main(["inspect", BASE64]) == 2
    assert "--lenient" in capsys.readouterr().err
    assert main(["inspect", "--json", "--lenient", BASE64]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["spans"] == 19
    assert [n["kind"] for n in report["notes"]] == ["base64-id", "enum-name"]


@needs_shared_data
def test_psi_prints_events_and_rejects_without_repair(capsys):
    assert main(["psi", CLEAN]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "-- trace c620759e5d60fafb8ee0922b30e06bc6"
    assert out[1] == 'begin.s_eff3153be6b1fb93.root."main"'
    assert sum(line.startswith("begin.") for line in out) == 4
    assert main(["psi", ORPHAN]) == 2
    assert "--repair synthetic-root" in capsys.readouterr().err
    assert main(["psi", "--repair", "synthetic-root", ORPHAN]) == 0
    out = capsys.readouterr().out
    assert "-- repaired (synthetic-root) span eee19b7ec3c1b173" in out


@needs_shared_data
def test_phi_of_psi_output(tmp_path, capsys):
    assert main(["psi", "--repair", "all", TUI]) == 0
    text = capsys.readouterr().out
    trace_file = tmp_path / "traces.txt"
    trace_file.write_text(text, encoding="utf-8")
    assert main(["phi", str(trace_file), "--epoch", "1000", "--tick", "10"]) == 0
    otlp = capsys.readouterr().out
    capture = load(otlp.encode())
    original = load(TUI)
    assert len(capture.traces) == 61
    # the 3 synthetic roots made up for absent parents come back as spans named absent-parent
    assert capture.span_count == original.span_count + 3
    assert {t.trace_id for t in capture.traces} == {t.trace_id for t in original.traces}
    assert min(s.start_time_unix_nano for s in capture.spans()) == 1010


def test_phi_rejects_a_non_wf_trace(tmp_path, capsys):
    bad = tmp_path / "bad.txt"
    bad.write_text('begin.s_aa.s_bb."x"\n', encoding="utf-8")
    assert main(["phi", str(bad)]) == 2
    assert "W3" in capsys.readouterr().err
    assert main(["phi", str(tmp_path / "missing.txt")]) == 2


@needs_shared_data
def test_output_does_not_depend_on_the_hash_seed(tmp_path):
    import os
    import subprocess
    import sys

    from tests.paths import REPO

    outputs = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(REPO)}
        run = [sys.executable, "-m", "cspotlp.cli"]
        inspect = subprocess.run([*run, "inspect", "--json", TUI], env=env, capture_output=True)
        psi = subprocess.run([*run, "psi", "--repair", "all", TUI], env=env, capture_output=True)
        assert inspect.returncode == psi.returncode == 0
        outputs.append((inspect.stdout, psi.stdout))
    assert outputs[0] == outputs[1]
    assert outputs[0][1].endswith(b"\n")


def test_cli_lists_every_repair():
    from cspotlp.cli.common import REPAIR_NAMES
    from cspotlp.otlp import REPAIRS

    assert tuple(REPAIR_NAMES.split(", ")) == REPAIRS


# -- the same, on the captures the project makes (examples/captures/): these run in a fresh clone -


def test_inspect_json_of_the_project_captures(capsys):
    assert main(["inspect", "--json", str(CAPTURE_JSONL), str(CAPTURE_PB)]) == 0
    first, second = (json.loads(line) for line in capsys.readouterr().out.splitlines())
    assert (first["format"], second["format"]) == ("otlp-jsonl", "otlp-proto-stream")
    for report in (first, second):
        assert (report["traces"], report["spans"], report["depth"], len(report["services"])) == (
            CAPTURE_TRACES, CAPTURE_SPANS, CAPTURE_DEPTH, CAPTURE_SERVICES)
        assert (report["errors"], report["events"], report["diagnostics"]) == (2, 1, [])


def test_inspect_text_lists_diagnostics_with_their_place(capsys, tmp_path):
    partial = tmp_path / "partial.pb"
    partial.write_bytes(without_service("frontend"))
    assert main(["inspect", str(partial), "--max-diagnostics", "2"]) == 0
    out = capsys.readouterr().out
    assert f"traces {CAPTURE_TRACES}, spans 70, services 7, depth 3" in out
    assert "orphan 4" in out and "more (--json lists all)" in out


def test_inspect_unreadable_json_names_file_line_and_column(capsys, tmp_path):
    bad = tmp_path / "trailing_comma.json"
    bad.write_text('[{"traceID": "1", "spanID": "2"},\n]\n')
    assert main(["inspect", "--json", str(CAPTURE_PB), str(bad)]) == 2
    captured = capsys.readouterr()
    assert len(captured.out.splitlines()) == 1  # the good file is still reported
    assert f"{bad}:2:1: invalid JSON" in captured.err


def test_inspect_message_to_dict_output_only_leniently(capsys, tmp_path):
    proto3 = tmp_path / "message_to_dict.jsonl"
    proto3.write_text(message_to_dict_lines())
    assert main(["inspect", str(proto3)]) == 2
    err = capsys.readouterr().err
    assert "base64" in err and "MessageToDict" in err and "--lenient" in err
    assert main(["inspect", "--json", "--lenient", str(proto3)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert (report["traces"], report["spans"]) == (CAPTURE_TRACES, CAPTURE_SPANS)
    assert [n["kind"] for n in report["notes"]] == ["base64-id", "enum-name"]


def test_psi_of_a_project_capture_and_its_orphans(capsys, tmp_path):
    assert main(["psi", str(CAPTURE_JSONL)]) == 0
    out = capsys.readouterr().out.splitlines()
    first = load(CAPTURE_JSONL).traces[0]
    assert out[0] == f"-- trace {first.trace_id}"
    assert out[1].endswith('.root."POST /api/checkout"')
    assert sum(line.startswith("begin.") for line in out) == CAPTURE_SPANS
    assert sum(line.startswith("end.") for line in out) == CAPTURE_SPANS
    partial = tmp_path / "partial.pb"
    partial.write_bytes(without_service("frontend"))
    assert main(["psi", str(partial)]) == 2
    assert "--repair synthetic-root" in capsys.readouterr().err
    assert main(["psi", "--repair", "synthetic-root", str(partial)]) == 0
    assert capsys.readouterr().out.count("-- repaired (synthetic-root) span") == 4


def test_phi_of_psi_output_of_a_project_capture(tmp_path, capsys):
    partial = tmp_path / "partial.pb"
    partial.write_bytes(without_service("frontend"))
    assert main(["psi", "--repair", "all", str(partial)]) == 0
    trace_file = tmp_path / "traces.txt"
    trace_file.write_text(capsys.readouterr().out, encoding="utf-8")
    assert main(["phi", str(trace_file), "--epoch", "1000", "--tick", "10"]) == 0
    capture = load(capsys.readouterr().out.encode())
    original = load(partial)
    # the synthetic roots made up for the 4 absent parents come back as spans
    assert capture.span_count == original.span_count + 4
    assert [t.trace_id for t in capture.traces] == [t.trace_id for t in original.traces]
    assert min(s.start_time_unix_nano for s in capture.spans()) == 1010


def test_output_of_a_project_capture_does_not_depend_on_the_hash_seed():
    import os
    import subprocess
    import sys

    from tests.paths import REPO

    outputs = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(REPO)}
        run = [sys.executable, "-m", "cspotlp.cli"]
        inspect = subprocess.run([*run, "inspect", "--json", str(CAPTURE_JSONL)], env=env,
                                 capture_output=True)
        psi = subprocess.run([*run, "psi", str(CAPTURE_PB)], env=env, capture_output=True)
        assert inspect.returncode == psi.returncode == 0
        outputs.append((inspect.stdout, psi.stdout))
    assert outputs[0] == outputs[1]
    assert outputs[0][1].endswith(b"\n")
