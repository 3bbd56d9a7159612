import json
from pathlib import Path

import pytest

from cspotlp.cli import main
from cspotlp.cspm import check_script, parse_file
from cspotlp.errors import CspmSyntaxError
from cspotlp.otlp import dump_proto_stream, dumps_jsonl
from tests.flow_fixtures import CHECKOUT_ABSTRACTION, CHECKOUT_SPEC, checkout_traces
from tests.paths import OTLP_DATA, needs_shared_data
from tests.project_data import without_service

TUI = str(OTLP_DATA / "otlpjson__otel-tui__otel-demo-fileexporter-part1.jsonl")


@pytest.fixture
def capture(tmp_path):
    path = tmp_path / "checkout.pb"
    path.write_bytes(dump_proto_stream([s for t in checkout_traces() for s in t.spans]))
    return path


def test_otlp2cspm_with_spec_writes_script_and_sidecar(tmp_path, capture, capsys):
    out = tmp_path / "out" / "observed.csp"
    out.parent.mkdir()
    assert main(["otlp2cspm", str(capture), "-o", str(out), "--spec", str(CHECKOUT_SPEC),
                 "--abstraction", str(CHECKOUT_ABSTRACTION), "--per-trace"]) == 0
    assert "wrote" in capsys.readouterr().out
    text = out.read_text()
    assert "assert Obs_SPEC [T= OBSERVED" in text and "assert Obs_SPEC [T= Trace_4 ; STOP" in text
    assert "assert not STOP [T= Obs_SomeOrder(Trace_4)" in text
    # the include resolves relative to the script; the spec lies outside the script's tree
    with pytest.raises(CspmSyntaxError, match="leaves the script's directory tree"):
        parse_file(out)
    check_script(parse_file(out, allow_include=[CHECKOUT_SPEC.parent]))
    side = json.loads(Path(str(out) + ".json").read_text())
    assert len(side["traces"]) == 4 and side["traces"][3]["process"] == "Trace_4"


def test_otlp2cspm_to_stdout_without_spec(capture, capsys):
    assert main(["otlp2cspm", str(capture), "-o", "-"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("-- Captured OpenTelemetry traces as CSPm")
    assert "datatype Label" in out and "assert" not in out


@needs_shared_data
def test_otlp2cspm_converts_the_demo_capture_with_no_flags_and_refuses_it_when_strict(
        tmp_path, capsys):
    out = tmp_path / "demo.csp"
    assert main(["otlp2cspm", TUI, "-o", str(out)]) == 0
    captured = capsys.readouterr()
    assert "61 trace(s)" in captured.out
    assert "3 span(s) had a parent outside the capture" in captured.err
    check_script(parse_file(out))
    assert main(["otlp2cspm", TUI, "-o", str(out), "--strict"]) == 2
    err = capsys.readouterr().err
    assert "left out" in err and "--repair" in err
    assert main(["otlp2cspm", TUI, "-o", str(out), "--strict", "--skip-invalid"]) == 0
    assert "left out" in capsys.readouterr().out
    assert "-- note: trace" in out.read_text()
    assert main(["otlp2cspm", TUI, "-o", str(out), "--strict", "--repair", "all"]) == 0
    assert "61 trace(s)" in capsys.readouterr().out


def test_otlp2cspm_of_a_partial_project_capture_exits_2_unless_repaired_or_skipped(
        tmp_path, capsys):
    partial = tmp_path / "partial.pb"
    partial.write_bytes(without_service("frontend"))
    out = tmp_path / "partial.csp"
    argv = ["otlp2cspm", str(partial), "-o", str(out), "--abstraction", str(CHECKOUT_ABSTRACTION)]
    strict = ["--strict"] if main_accepts("otlp2cspm", "--strict") else []
    assert main([*argv, *strict]) == 2
    err = capsys.readouterr().err
    assert "left out" in err and "--repair" in err and not out.exists()
    assert main([*argv, *strict, "--skip-invalid"]) == 0
    assert "4 left out" in capsys.readouterr().out
    assert out.read_text().count("-- note: trace") == 4
    assert main([*argv, "--repair", "synthetic-root"]) == 0
    assert "4 trace(s)" in capsys.readouterr().out
    check_script(parse_file(out))


def main_accepts(command, option):
    """Whether ``command`` has ``option`` (``--strict`` comes with synthetic roots by default)."""
    import contextlib
    import io

    help_text = io.StringIO()
    with contextlib.redirect_stdout(help_text), contextlib.suppress(SystemExit):
        main([command, "--help"])
    return option in help_text.getvalue()


def test_otlp2cspm_input_errors(tmp_path, capture, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text('{"label": 1}')
    assert main(["otlp2cspm", str(capture), "-o", "-", "--abstraction", str(bad)]) == 2
    assert "label must be a string" in capsys.readouterr().err
    assert main(["otlp2cspm", str(capture), "-o", "-", "--spec", str(CHECKOUT_SPEC),
                 "--process", "NOPE"]) == 2
    assert "does not define the process 'NOPE'" in capsys.readouterr().err
    broken = tmp_path / "broken.csp"
    broken.write_text("P = a -> \n")
    assert main(["otlp2cspm", str(capture), "-o", "-", "--spec", str(broken)]) == 2
    assert f"{broken}:" in capsys.readouterr().err
    assert main(["otlp2cspm", str(tmp_path / "missing.pb"), "-o", "-"]) == 2


def test_otlp2cspm_reads_every_format(tmp_path, capsys):
    jsonl = tmp_path / "c.jsonl"
    jsonl.write_text(dumps_jsonl([s for t in checkout_traces() for s in t.spans]))
    assert main(["otlp2cspm", str(jsonl), "-o", "-", "--abstraction",
                 str(CHECKOUT_ABSTRACTION)]) == 0
    text = capsys.readouterr().out
    assert "call.ShipOrder" in text and "4 trace(s), 82 abstract event(s)" in text


@needs_shared_data
@pytest.mark.slow
def test_the_demo_capture_exported_checks_as_conform_does(tmp_path, capsys):
    """otlp2cspm and check with no flags on the OpenTelemetry Demo capture: each exported
    assertion's verdict is conform's (some order per trace, every order over all)."""
    from cspotlp.conformance import ConformanceChecker, load_spec
    from cspotlp.cspm.assertions import check_assertions
    from cspotlp.cspm.evaluate import load_script
    from cspotlp.mapping.abstraction_file import load_abstraction
    from cspotlp.otlp import load
    from tests.flow_fixtures import EXAMPLES

    spec, abstraction = EXAMPLES / "otel_demo_spec.csp", EXAMPLES / "otel_demo_abstraction.json"
    out = tmp_path / "demo.csp"
    assert main(["otlp2cspm", TUI, "-o", str(out), "--spec", str(spec), "--abstraction",
                 str(abstraction)]) == 0
    results = {r.assertion: r.result
               for r in check_assertions(load_script(out, allow_include=[EXAMPLES]))}
    side = json.loads(Path(f"{out}.json").read_text())
    process, env = load_spec(spec, "SPEC")
    traces = load(TUI).traces
    verdict = {}
    for orders in ("some", "all"):
        checker = ConformanceChecker.for_process(process, env, load_abstraction(abstraction),
                                                 orders=orders)
        verdict[orders] = [r.verdict for r in checker.check_all(traces)]
    assert results["assert Obs_SPEC [T= OBSERVED"] == \
        ("passed" if set(verdict["all"]) == {"pass"} else "failed") == "failed"
    for entry, some in zip(side["traces"], verdict["some"], strict=True):
        got = results[f"assert not STOP [T= Obs_SomeOrder({entry['process']})"]
        assert got == ("passed" if some == "pass" else "failed"), entry["trace_id"]
    assert verdict["some"].count("fail") == 3
