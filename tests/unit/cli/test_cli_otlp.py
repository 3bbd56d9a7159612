import json

from cspotlp.cli import main
from cspotlp.otlp import load
from tests.paths import OTLP_DATA, needs_shared_data

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
