"""Numbers and expressions from the command line: range-checked, parsed whole, never spliced."""

import json

import pytest

from cspotlp.cli import main
from cspotlp.errors import VerifyError
from cspotlp.verify import MAX_BOUND, prove
from tests.project_data import CSPM

VM = str(CSPM / "vending_machine.csp")
COLLEGE = str(CSPM / "dining_philosophers.csp")


def usage_error(argv, capsys):
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
    return capsys.readouterr().err


@pytest.mark.parametrize("argv, message", [
    (["prove", "--timeout", "nan"], "nan is not a number of seconds above 0"),
    (["prove", "--timeout", "inf"], "inf is not a number of seconds above 0"),
    (["prove", "--timeout", "0"], "0 is not a number of seconds above 0"),
    (["prove", "--bound", str(10**9)], f"1000000000 is not between 0 and {MAX_BOUND}"),
    (["prove", "--bound", "-1"], "-1 is not between 0"),
    (["phi", "--tick", "0", "t.txt"], "--tick: 0 is not between 1"),
    (["phi", "--epoch", "-1", "t.txt"], "--epoch: -1 is not between 0"),
    (["phi", "--epoch", str(2**64), "t.txt"], "is not between 0 and 18,446,744,073,709,551,615"),
    (["explore", VM, "VM", "--state-limit", "-5"], "-5 is not between 1"),
    (["check", VM, "--state-limit", "0"], "0 is not between 1"),
    (["inspect", "--max-diagnostics", "-1", "x"], "-1 is not between 0"),
])
def test_numbers_out_of_range_are_usage_errors(argv, message, capsys):
    assert message in usage_error(argv, capsys)


def test_the_library_checks_the_same_ranges():
    for bad in ({"bound": MAX_BOUND + 1}, {"timeout": float("nan")}, {"timeout": float("inf")}):
        with pytest.raises(VerifyError):
            prove(["T1"], **{"bound": 2, **bad})


def test_phi_times_must_fit_64_bits(tmp_path, capsys):
    text = tmp_path / "t.txt"
    text.write_text('begin.s_1.root."a"\nend.s_1.ok\n')
    assert main(["phi", str(text), "--tick", str(2**63)]) == 2
    assert "past OTLP's 64-bit times" in capsys.readouterr().err
    assert main(["phi", str(text), "--tick", str(2**62)]) == 0
    doc = json.loads(capsys.readouterr().out)
    span = doc["resourceSpans"][0]["scopeSpans"][0]["spans"][0]
    assert (span["startTimeUnixNano"], span["endTimeUnixNano"]) == (str(2**62), str(2**63))


def test_phi_of_nothing_is_an_error_not_an_empty_document(tmp_path, capsys):
    empty = tmp_path / "empty.txt"
    empty.write_text("-- trace 0123\n\n")
    assert main(["phi", str(empty)]) == 2
    assert "no events" in capsys.readouterr().err
    assert main(["phi", "/dev/null"]) == 2
    assert "not a regular file" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["explore", "csp2tla"])
def test_the_process_argument_is_one_expression(command, tmp_path, capsys):
    extra = ["-o", str(tmp_path / "tla")] if command == "csp2tla" else []
    assert main([command, VM, "VM\nassert STOP [T= STOP", *extra]) == 2
    assert "<expression>:1:3: unexpected end of line" in capsys.readouterr().err
    assert main([command, VM, "VM [] coin -> VM", *extra]) == 0  # an expression is fine
    assert not list(tmp_path.glob("tla/*.tmp"))


def test_explore_reports_the_deadlocks_of_a_scripts_process(capsys):
    assert main(["explore", COLLEGE, "COLLEGE", "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["complete"] is True and data["deadlock_free"] is False
    assert len(data["counterexample"]) == 9
    assert main(["explore", COLLEGE, "COLLEGE"]) == 1
    out = capsys.readouterr().out
    assert "COLLEGE :[deadlock free [F]]: Failed" in out and "Counterexample (deadlock)" in out
    assert main(["explore", str(CSPM / "dining_philosophers_butler.csp"), "SERVED", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["deadlock_free"] is True
