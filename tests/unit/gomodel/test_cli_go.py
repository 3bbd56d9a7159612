"""``cspotlp go FILE.py``: load a model file, check it, report in Go's words, export; exit 0/1/2."""

import json

import pytest

from cspotlp.cli import main
from cspotlp.otlp import load
from tests.interrupt import interrupt, start_cli
from tests.paths import REPO
from tests.tla_support import assert_parses

EXAMPLES = REPO / "examples" / "gomodel"

STUCK = """
from cspotlp.gomodel import Program, recv, send

p = Program("stuck")
c = p.chan("c", values=[1])

@p.main
def main():
    return [send(c, 1), recv(c)]
"""


def run(capsys, *argv):
    code = main(["go", *map(str, argv)])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_a_deadlock_is_reported_as_go_reports_it(tmp_path, capsys, monkeypatch):
    model = tmp_path / "stuck.py"
    model.write_text(STUCK)
    monkeypatch.chdir(tmp_path)
    code, out, _err = run(capsys, "stuck.py", "--check", "deadlock")
    assert code == 1
    assert "fatal error: all goroutines are asleep - deadlock!" in out
    assert "goroutine 1 [chan send]:\nmain.main()\n\tstuck.py:9  (send 1 on c)" in out


def test_examples_every_program_checked_and_the_bug_caught(capsys):
    code, out, _err = run(capsys, EXAMPLES / "pipeline.py")
    assert code == 1
    assert out.count("== pipeline") == 2
    head, bug = out.split("== pipeline_bug")
    assert "FAILED" not in head
    assert "leaks: FAILED" in bug and "goroutine leak: 2 goroutine(s) blocked forever" in bug


def test_one_program_by_name_passes(capsys):
    code, out, _err = run(capsys, EXAMPLES / "pipeline.py", "--program", "pipeline")
    assert code == 0
    assert out.count("passed") == 3 and "pipeline_bug" not in out


def test_json_report(capsys):
    code, out, _err = run(capsys, EXAMPLES / "client.py", "--program", "client_bug", "--json")
    assert code == 1
    doc = json.loads(out)
    (prog,) = doc["programs"]
    results = {c["check"]: c for c in prog["checks"]}
    assert [c["check"] for c in prog["checks"]] == ["deadlock", "leaks", "panics"]
    assert results["panics"]["result"] == "passed"
    leak = results["leaks"]
    assert leak["result"] == "failed" and leak["trace"] == leak["run"]
    server = next(g for g in leak["goroutines"] if g["goroutine"] == 2)
    assert server["status"] == "blocked" and server["wait"] == "chan send"
    assert server["line"].endswith("client.py:45")
    assert isinstance(leak["offending_span"], int)
    assert "seconds" not in json.dumps(doc)  # deterministic: no times


def test_refinement_and_divergence_from_the_files_spec(capsys):
    code, out, _err = run(capsys, EXAMPLES / "batch_processor.py", "--check", "all", "--json")
    assert code == 1
    by_program = {p["program"]: {c["check"]: c["result"] for c in p["checks"]}
                  for p in json.loads(out)["programs"]}
    every = ["deadlock", "leaks", "panics", "divergence", "refinement"]
    assert by_program["batch_processor"] == dict.fromkeys(every, "passed")
    assert by_program["batch_processor_bug"] == {**dict.fromkeys(every, "passed"), "refinement": "failed"}


def test_exports(tmp_path, capsys):
    cspm, tla, trace = tmp_path / "out" / "bp.csp", tmp_path / "tla", tmp_path / "run.json"
    code, _out, err = run(capsys, EXAMPLES / "batch_processor.py", "--program", "batch_processor_bug",
                          "--check", "refinement", "--cspm", cspm, "--tla", tla, "--trace-json", trace)
    assert code == 1
    assert cspm.read_text().count("assert SYSTEM") == 2
    (module,) = tla.glob("*.tla")
    text = module.read_text()
    assert_parses(text)
    assert "Span1ExportedOrDropped ==" in text and "SF_vars(" in text
    assert "PROPERTY Span1ExportedOrDropped" in module.with_suffix(".cfg").read_text()
    spans = load(trace).traces[0].spans
    assert {s.name for s in spans} == {"main", "worker", "on_end", "shutdown_processor"}
    assert f"wrote {trace}" in err
    assert not list(tmp_path.rglob("*.tmp"))


def test_trace_json_of_a_passing_program_is_a_complete_run(tmp_path, capsys):
    trace = tmp_path / "run.json"
    code, _out, _err = run(capsys, EXAMPLES / "pipeline.py", "--program", "pipeline", "--trace-json", trace)
    assert code == 0
    spans = {s.name: s for s in load(trace).traces[0].spans}
    # main returned (its span ended); goroutines still running when it did stay open, as in Go
    assert set(spans) == {"main", "gen", "square", "closer"} and spans["main"].end_time_unix_nano


def test_a_state_limit_gives_inconclusive(capsys):
    code, out, _err = run(capsys, EXAMPLES / "pipeline.py", "--program", "pipeline", "--check", "deadlock",
                          "--state-limit", "50")
    assert code == 1
    assert "deadlock: inconclusive" in out


@pytest.mark.parametrize(("source", "message"), [
    ("def broken(:\n", "bad.py:1:12: invalid Python"),
    ("x = 1\nraise RuntimeError('no model here')\n", "bad.py:2:1: RuntimeError: no model here"),
    ("x = 1\n", "bad.py defines no program"),
    ("def program():\n    return 42\n", "programs() returned int, not a Program"),
    ("from cspotlp.gomodel import Program\np = Program('a b')\n", "program name 'a b' must be an identifier"),
    ("import sys\nsys.exit(3)\n", "bad.py:2:1: the model called exit(3)"),
    ("x = 1\x00\n", "invalid Python: source code string cannot contain null bytes"),
    (b"\xff\xfe not text", "bad.py:1:2: invalid Python: (unicode error)"),
    ("x = " + "-" * 200_000 + "1\n", "bad.py: too deeply nested for Python's compiler"),
    ("def f():\n    return f()\nf()\n", "bad.py:2:1: RecursionError: maximum recursion depth exceeded"),
])
def test_bad_model_files_exit_2_with_a_located_message(tmp_path, capsys, monkeypatch, source, message):
    bad = tmp_path / "bad.py"
    bad.write_bytes(source) if isinstance(source, bytes) else bad.write_text(source)
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "bad.py")
    assert code == 2 and out == ""
    assert message in err and "Traceback" not in err


@pytest.mark.parametrize(("argv", "message"), [
    (["missing.py"], "cannot read missing.py"),
    (["/dev/zero"], "cannot read /dev/zero: a device, not a regular file"),
    (["-"], "the model is read from a file, not standard input"),
    ([".", "--check", "deadlock"], "cannot read .: a directory, not a regular file"),
    (["stuck.py", "--check", "races"], "unknown check 'races'"),
    (["stuck.py", "--check", "refinement"], "defines no OBSERVE and spec(model)"),
    (["stuck.py", "--program", "other"], "has no program named 'other' (it has: stuck)"),
    (["stuck.py", "--state-limit", "0"], "--state-limit must be positive"),
])
def test_bad_arguments_exit_2(tmp_path, capsys, monkeypatch, argv, message):
    (tmp_path / "stuck.py").write_text(STUCK)
    monkeypatch.chdir(tmp_path)
    code, _out, err = run(capsys, *argv)
    assert code == 2 and message in err


def test_exports_need_one_program(tmp_path, capsys):
    code, _out, err = run(capsys, EXAMPLES / "pipeline.py", "--cspm", tmp_path / "x.csp")
    assert code == 2 and "name one with --program" in err
    assert not (tmp_path / "x.csp").exists()


def test_ctrl_c_ends_with_130(tmp_path):
    """SIGINT while a check runs: exit 130 and a one-line message, no traceback."""
    proc = start_cli("go", str(EXAMPLES / "canary.py"), "--check", "deadlock,leaks,panics,refinement",
                     cwd=str(tmp_path))
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()  # the program's heading: its checks are running now
        assert first.startswith("== canary")
    except BaseException:
        proc.kill()
        raise
    _out, err = interrupt(proc, timeout=120)
    assert proc.returncode == 130
    assert "interrupted" in err and "Traceback" not in err


def test_a_model_file_that_never_finishes_loading_is_an_error(tmp_path, capsys):
    """The model's own code runs under --time-limit too: a loop is an error, not a hang."""
    (tmp_path / "loop.py").write_text("while True:\n    pass\n")
    code, _out, err = run(capsys, tmp_path / "loop.py", "--time-limit", "0.5")
    assert code == 2 and "loading the model ran for more than 0.5 s (--time-limit)" in err


def test_an_unwritable_output_leaves_the_others_untouched(tmp_path, capsys):
    good = tmp_path / "bp.csp"
    good.write_text("previous\n")
    blocked = tmp_path / "file"
    blocked.write_text("")  # a file where --tla wants a directory
    code, _out, err = run(capsys, EXAMPLES / "pipeline.py", "--program", "pipeline", "--check", "deadlock",
                          "--cspm", good, "--tla", blocked / "tla")
    assert code == 2 and "cannot write" in err and "Traceback" not in err
    assert good.read_text() == "previous\n"
