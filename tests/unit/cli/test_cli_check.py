import json

from cspotlp.cli import main
from tests.paths import CSPM_DATA, needs_shared_data
from tests.project_data import CSPM as CSPM_SCRIPTS

LIBCSPM = CSPM_DATA / "libcspm"


@needs_shared_data
def test_typecheck_of_a_well_typed_script_exits_zero(capsys):
    path = LIBCSPM / "prettyprinter" / "should_pass" / "phone.csp"
    assert main(["check", str(path), "--typecheck"]) == 0
    out = capsys.readouterr().out
    assert out == f"{path}: well-typed (66 declarations, 4 assertions)\n"


@needs_shared_data
def test_type_error_is_printed_with_location_and_caret(capsys):
    path = LIBCSPM / "typechecker" / "should_fail" / "rename_1.csp"
    assert main(["check", str(path), "--typecheck"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith(f"{path}:6:18: couldn't match expected type Bool")
    assert err[1] == "P = STOP [[ a <- c ]]"
    assert err[2] == " " * 17 + "^"


def test_syntax_error_exits_two_without_traceback(capsys, tmp_path):
    bad = tmp_path / "bad.csp"
    bad.write_text("P = (a -> STOP\n")
    assert main(["check", str(bad), "--typecheck"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"{bad}:1:15: unexpected end of file")
    assert "Traceback" not in err


def test_missing_file_is_an_input_error(capsys, tmp_path):
    assert main(["check", str(tmp_path / "none.csp"), "--typecheck"]) == 2
    assert "cannot read file" in capsys.readouterr().err


CLASSICS = CSPM_DATA / "cspmf"

SCRIPT = """channel a, b
P = a -> b -> P
Q = a -> (b -> Q |~| STOP)
assert P [T= Q
assert P [F= Q
assert not P [FD= Q
assert Q :[deadlock free [F]]
assert P :[has trace]: <a, b, a>
assert P :[deterministic [FD]]
"""


def test_check_runs_every_assertion_in_order(capsys, tmp_path):
    path = tmp_path / "pq.csp"
    path.write_text(SCRIPT)
    assert main(["check", str(path)]) == 1
    out = capsys.readouterr().out.splitlines()
    heads = [line for line in out if not line.startswith("    ")]
    assert [h.split(": ")[0] for h in heads] == [
        "assert P [T= Q", "assert P [F= Q", "assert not P [FD= Q", "assert Q :[deadlock free [F]]",
        "assert P :[has trace]", "assert P :[deterministic [FD]]"]
    assert [h.split(": ")[-1].split(" (")[0] for h in heads] == [
        "passed", "failed", "passed", "failed", "passed", "passed"]
    assert "    counterexample (refusal): <a>" in out
    assert "    counterexample (deadlock): <a>" in out


def test_check_json_shape(capsys, tmp_path):
    path = tmp_path / "pq.csp"
    path.write_text(SCRIPT)
    assert main(["check", str(path), "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert isinstance(data, list) and len(data) == 6
    for item in data:
        assert {"assertion", "result", "counterexample", "states", "seconds"} <= set(item)
        assert item["result"] in ("passed", "failed", "inconclusive", "error")
        assert isinstance(item["states"], int) and isinstance(item["seconds"], float)
    assert data[0]["assertion"] == "assert P [T= Q" and data[0]["counterexample"] is None
    assert data[1]["result"] == "failed" and data[1]["counterexample"] == ["a"]
    assert data[1]["kind"] == "refusal"
    assert data[3]["counterexample"] == ["a"]


@needs_shared_data
def test_check_exits_zero_when_everything_passes(capsys):
    path = CSPM_DATA / "libcspm" / "parser" / "should_pass" / "comments.csp"
    assert main(["check", str(path)]) == 0
    assert capsys.readouterr().out == f"{path}: no assertions\n"
    vm2 = CSPM_DATA / "cspmf" / "vm2.csp"
    assert main(["check", str(vm2), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []


@needs_shared_data
def test_check_of_a_failing_classic(capsys):
    assert main(["check", str(CLASSICS / "hanoi.fix.csp"), "--json"]) == 1
    first, second = json.loads(capsys.readouterr().out)
    assert first["assertion"] == "assert NOTSOLVED [T= PUZZLE"
    assert first["result"] == "failed" and first["counterexample"][-1] == "complete.C"
    assert second["result"] == "failed"


def test_unsupported_or_limited_checks_are_never_verdicts(capsys, tmp_path):
    path = tmp_path / "lim.csp"
    path.write_text("channel a, b\nP = a -> P ||| b -> P\nassert P :[deadlock free]\n"
                    "assert STOP [V= STOP\nassert STOP [T= BUFFER(1, {(a, b)})\n")
    assert main(["check", str(path), "--json", "--state-limit", "3"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert [d["result"] for d in data] == ["inconclusive", "error", "error"]
    assert data[0]["details"][0].startswith("reason: ")
    assert "unsupported construct: refinement in the V model" in data[1]["details"][0]
    assert "unsupported construct: exploring BUFFER" in data[2]["details"][0]


def test_check_reports_evaluation_errors_of_one_assertion(capsys, tmp_path):
    path = tmp_path / "err.csp"
    path.write_text("channel c : {0..2}\nP = c!(1/0) -> STOP\nassert P :[deadlock free]\n")
    assert main(["check", str(path)]) == 1
    out = capsys.readouterr().out
    assert f"{path}:2:8: division by zero" in out and "error" in out.splitlines()[0]


@needs_shared_data
def test_scripts_that_cannot_be_loaded_exit_two(capsys, tmp_path):
    non_rect = CSPM_DATA / "libcspm" / "evaluator" / "should_fail" / "non_rect.csp"
    assert main(["check", str(non_rect)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith(f"{non_rect}:2:16: the set {{D.0, D.1, E.false}} is not rectangular")
    assert err[1] == "datatype G = F.{D.0, D.1, E.false}"
    assert err[2] == " " * 15 + "^"
    bad = tmp_path / "bad.csp"
    bad.write_text("channel c : {0..1/0}\n")
    assert main(["check", str(bad), "--json"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and f"{bad}:1:17: division by zero" in captured.err


@needs_shared_data
def test_explore_a_script_process(capsys):
    abp = CLASSICS / "abp.csp"
    assert main(["explore", str(abp), "SPEC", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["states"], data["transitions"], data["complete"]) == (28, 54, True)
    assert isinstance(data["seconds"], float)
    assert main(["explore", str(abp), "make_system(RCVA)"]) == 0
    assert capsys.readouterr().out.startswith("make_system(RCVA): 977 states, 2,558 transitions")
    assert main(["explore", str(CLASSICS / "dphil.fdr2"), "COLLEGE", "--state-limit", "100",
                 "--json"]) == 1
    assert json.loads(capsys.readouterr().out)["complete"] is False


@needs_shared_data
def test_explore_input_errors(capsys):
    abp = CLASSICS / "abp.csp"
    assert main(["explore", str(abp), "NOPE"]) == 2
    assert "no top-level definition named 'NOPE'" in capsys.readouterr().err
    assert main(["explore", str(abp), "DATA"]) == 2
    assert "DATA is not a process" in capsys.readouterr().err
    assert main(["explore", str(abp)]) == 2
    assert "give FILE PROCESS" in capsys.readouterr().err


# -- the same, on the project's own scripts (examples/cspm/): these run in a fresh clone --------

OWN = CSPM_SCRIPTS


def test_typecheck_of_the_operator_tour(capsys):
    path = OWN / "operators.csp"
    assert main(["check", str(path), "--typecheck"]) == 0
    assert capsys.readouterr().out == f"{path}: well-typed (63 declarations, 25 assertions)\n"


def test_type_error_of_an_own_script_with_location_and_caret(capsys):
    path = OWN / "type_error.csp"
    assert main(["check", str(path), "--typecheck"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0] == f"{path}:5:13: couldn't match expected type Bool with actual type Int"
    assert err[1] == "Q = a?x -> (x + 1 & b!x -> Q)"
    assert err[2] == " " * 12 + "^"
    assert main(["check", str(path)]) == 2  # the full check stops at the same place
    assert f"{path}:5:13" in capsys.readouterr().err


def test_every_assertion_of_the_vending_machine_passes(capsys):
    path = OWN / "vending_machine.csp"
    assert main(["check", str(path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert len(data) == 8 and {d["result"] for d in data} == {"passed"}
    assert data[6]["assertion"] == "assert VM :[has trace]: <coin, choc, coin, coffee>"
    definitions_only = OWN / "philosophers.csp"
    assert main(["check", str(definitions_only)]) == 0
    assert capsys.readouterr().out == f"{definitions_only}: no assertions\n"


def test_the_operator_tour_checks(capsys):
    assert main(["check", str(OWN / "operators.csp"), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert len(data) == 25 and all(d["result"] == "passed" for d in data)


def test_philosophers_deadlock_without_a_butler_and_not_with_one(capsys):
    assert main(["check", str(OWN / "dining_philosophers.csp"), "--json"]) == 1
    deadlock, divergence = json.loads(capsys.readouterr().out)
    assert deadlock["assertion"] == "assert COLLEGE :[deadlock free [F]]"
    assert deadlock["result"] == "failed" and deadlock["kind"] == "deadlock"
    # the shortest deadlock: every philosopher sits and holds the fork on their left
    trace = deadlock["counterexample"]
    assert len(trace) == 9 and sorted(e for e in trace if e.startswith("picks")) == [
        "picks.0.0", "picks.1.1", "picks.2.2"]
    assert divergence["result"] == "passed"
    assert main(["check", str(OWN / "dining_philosophers_butler.csp")]) == 0
    out = capsys.readouterr().out
    assert out.count(": passed") == 3


def test_timed_processes_are_checked(capsys):
    assert main(["check", str(OWN / "timed_deadline.csp"), "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert [d["result"] for d in data] == ["passed", "passed", "passed", "failed", "failed"]
    assert data[3]["counterexample"] == ["tock", "tock", "tock", "give_up"]


def test_own_scripts_that_cannot_be_loaded_exit_two(capsys, tmp_path):
    non_rect = tmp_path / "non_rect.csp"
    non_rect.write_text("datatype D = A.{0..1} | B.Bool\ndatatype G = F.{A.0, A.1, B.false}\n")
    assert main(["check", str(non_rect)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith(f"{non_rect}:2:16: the set {{A.0, A.1, B.false}} is not rectangular")
    assert err[1] == "datatype G = F.{A.0, A.1, B.false}"
    assert err[2] == " " * 15 + "^"


def test_explore_a_process_of_an_own_script(capsys):
    college = OWN / "dining_philosophers.csp"
    assert main(["explore", str(college), "PHIL(0)", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["states"], data["transitions"], data["complete"]) == (9, 9, True)
    assert main(["explore", str(OWN / "dining_philosophers_butler.csp"), "SERVED"]) == 0
    assert capsys.readouterr().out.startswith("SERVED: 248 states, 624 transitions")
    assert main(["explore", str(college), "COLLEGE", "--state-limit", "100", "--json"]) == 1
    assert json.loads(capsys.readouterr().out)["complete"] is False


def test_explore_input_errors_on_an_own_script(capsys):
    college = OWN / "dining_philosophers.csp"
    assert main(["explore", str(college), "NOPE"]) == 2
    assert "no top-level definition named 'NOPE'" in capsys.readouterr().err
    assert main(["explore", str(college), "N"]) == 2
    assert "N is not a process" in capsys.readouterr().err
    assert main(["explore", str(college)]) == 2
    assert "give FILE PROCESS" in capsys.readouterr().err
