"""Every check ends with a reason: budgets, growing terms, Ctrl-C, and the ``--json`` results.

A check stopped by a budget is *inconclusive* (exit 1), never passed; the text names the bound,
and when a component's terms grow syntactically it names the definition and where it is
written. Ctrl-C ends ``check`` at once with "interrupted" and exit status 130.
"""

import json
import sys

from cspotlp.cli import main
from tests.interrupt import interrupt, start_cli

GROWING = """channel a, b
P = a -> (P ||| P)
SEQ = a -> (SEQ ; b -> SKIP)
assert SEQ :[deadlock free]
assert SEQ :[has trace]: <a, a, a>
assert SEQ :[has trace]: <a, b>
assert P :[deadlock free]
"""


def test_growing_terms_name_the_definition_and_its_place(capsys, tmp_path):
    path = tmp_path / "grow.csp"
    path.write_text(GROWING)
    assert main(["check", str(path), "--json", "--state-limit", "2000"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert [d["result"] for d in data] == ["inconclusive", "passed", "failed", "inconclusive"]
    assert data[0]["details"][0].startswith(
        f"reason: {path}:3:1: the terms of SEQ grow without bound: recursion through ;")
    assert data[1]["states"] <= 10 and data[2]["states"] <= 10  # guided by the trace
    assert data[2]["counterexample"] == ["a", "b"] and data[2]["kind"] == "missing trace"
    # P's terms grow in breadth first: the limit stops it, and the reason says why
    assert "state limit 2,000 reached" in data[3]["details"][0]
    assert f"{path}:2:1: the terms of P grow without bound: recursion through |||" in data[3]["details"][0]


def test_limits_of_explore_and_check(capsys, tmp_path):
    path = tmp_path / "count.csp"
    path.write_text("channel up, down\nCOUNT(n) = up -> COUNT(n+1) [] n > 0 & down -> COUNT(n-1)\n"
                    "assert COUNT(0) :[deadlock free]\n")
    assert main(["check", str(path), "--state-limit", "500"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("assert COUNT(0) :[deadlock free]: inconclusive")
    assert "the arguments of COUNT grow without bound?" in out
    assert main(["explore", str(path), "COUNT(0)", "--json", "--state-limit", "300"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["result"] == "inconclusive" and not data["complete"]
    assert "state limit 300" in data["reason"]


def test_memory_and_time_limits_are_checked_options(capsys, tmp_path):
    path = tmp_path / "count.csp"
    path.write_text("channel up\nCOUNT(n) = up -> COUNT(n+1)\nassert COUNT(0) :[deadlock free]\n")
    assert main(["check", str(path), "--json", "--memory-limit", "1M"]) == 1
    reason = json.loads(capsys.readouterr().out)[0]["details"][0]
    assert reason.startswith("reason: memory limit 1.0 MiB reached")
    for bad in (["--memory-limit", "lots"], ["--time-limit", "-1"], ["--time-limit", "nan"],
                ["--state-limit", "0"]):
        try:
            main(["check", str(path), *bad])
        except SystemExit as e:
            assert e.code == 2
        else:
            raise AssertionError(f"{bad} was accepted")
    assert "not a memory size" in capsys.readouterr().err


def test_wide_networks_stop_within_the_memory_budget(capsys):
    # 256 philosophers: a state is 21 words and has hundreds of successors; the expansion is cut
    # to fit the budget instead of allocating gigabytes before the first state
    assert main(["explore", "--builtin", "dining_philosophers", "--n", "256", "--state-limit", "3000",
                 "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["states"] == 3000 and data["result"] == "inconclusive"


def test_ctrl_c_ends_a_check_at_once(tmp_path):
    path = tmp_path / "slow.csp"
    path.write_text("channel a\nQ = a -> Q\nP = a -> (P ||| P)\nassert Q :[deadlock free]\n"
                    "assert P :[deadlock free]\n")
    proc = start_cli("check", str(path), "--state-limit", "100000000")
    assert proc.stdout is not None
    first = proc.stdout.readline()  # the first assertion is done: the second is running
    assert first.startswith("assert Q :[deadlock free]: passed")
    out, err = interrupt(proc, timeout=60)
    assert proc.returncode == 130
    assert err.strip() == "cspotlp: interrupted"
    assert "Traceback" not in err + out


def test_a_huge_range_set_is_not_built(capsys, tmp_path):
    path = tmp_path / "huge.csp"
    path.write_text("channel a : {0..3}\nS = {0..1000000000}\n"
                    "P = a?x:{y | y <- {0..3}, member(y, S)} -> STOP\nassert P :[has trace]: <a.3>\n"
                    "n = card(S)\nassert P :[deadlock free [F]]\n")
    assert main(["check", str(path), "--json"]) == 1  # P deadlocks after a.3
    data = json.loads(capsys.readouterr().out)
    assert [d["result"] for d in data] == ["passed", "failed"]
    path.write_text(path.read_text() + "assert STOP [T= a?x:{n} -> STOP\n")
    assert main(["check", str(path)]) == 1
    assert "cannot enumerate the infinite set {0..1000000000} (1,000,000,001 elements" in capsys.readouterr().out


def test_the_progress_line_shows_after_two_seconds_on_a_terminal_only(capsys, monkeypatch):
    import argparse

    from cspotlp.cli.models import ProgressLine
    from cspotlp.csp import ProgressReport

    early = ProgressReport(10, 20, 1.5, 50 << 20, depth=3)
    late = ProgressReport(300_000, 900_000, 2.5, 80 << 20, depth=12)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    line = ProgressLine.for_args(argparse.Namespace(json=False))
    line(early)
    assert capsys.readouterr().err == ""
    line(late)
    line.clear()
    err = capsys.readouterr().err
    assert err == ("\r\033[K  300,000 states, depth 12, 120,000 states/s, 2.5 s, 80 MiB"
                   "\r\033[K")
    assert ProgressLine.for_args(argparse.Namespace(json=True)).callback is None
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False)
    assert ProgressLine.for_args(argparse.Namespace(json=False)).callback is None
