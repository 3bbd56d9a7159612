from cspotlp.cli import main
from tests.paths import CSPM_DATA

LIBCSPM = CSPM_DATA / "libcspm"


def test_typecheck_of_a_well_typed_script_exits_zero(capsys):
    path = LIBCSPM / "prettyprinter" / "should_pass" / "phone.csp"
    assert main(["check", str(path), "--typecheck"]) == 0
    out = capsys.readouterr().out
    assert out == f"{path}: well-typed (66 declarations, 4 assertions)\n"


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


def test_check_without_typecheck_says_assertions_are_not_implemented(capsys):
    path = LIBCSPM / "parser" / "should_pass" / "specifications.csp"
    assert main(["check", str(path)]) == 2
    captured = capsys.readouterr()
    assert "well-typed" in captured.out
    assert "not implemented yet" in captured.err
