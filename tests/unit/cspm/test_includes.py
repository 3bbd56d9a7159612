"""Includes: each file once, inside the script's tree, only regular files; no leaking context."""

import os
from pathlib import Path

import pytest

from cspotlp.cli import main
from cspotlp.cspm import ast, parse_file
from cspotlp.errors import CspmSyntaxError, SourceLocation


def names(script):
    return [d.pattern.name for d in script.decls if isinstance(d, ast.PatBind)]


def test_a_diamond_chain_reads_each_file_once(tmp_path: Path):
    # d0 includes a1 and b1, each of which includes d1, ... : 2^30 paths, 31 + 60 files
    depth = 30
    for k in range(depth):
        (tmp_path / f"d{k}.csp").write_text(f'include "a{k + 1}.csp"\ninclude "b{k + 1}.csp"\n'
                                            f"P{k} = STOP\n")
        for side in "ab":
            (tmp_path / f"{side}{k + 1}.csp").write_text(f'include "d{k + 1}.csp"\n')
    (tmp_path / f"d{depth}.csp").write_text(f"P{depth} = STOP\n")
    script = parse_file(tmp_path / "d0.csp")
    assert names(script) == [f"P{k}" for k in range(depth, -1, -1)]
    assert len(script.sources) == 1 + 3 * depth


def test_an_include_resolves_relative_to_the_including_file(tmp_path: Path):
    (tmp_path / "lib" / "deep").mkdir(parents=True)
    (tmp_path / "lib" / "a.csp").write_text('include "deep/b.csp"\nA = STOP\n')
    (tmp_path / "lib" / "deep" / "b.csp").write_text('include "../c.csp"\nB = STOP\n')
    (tmp_path / "lib" / "c.csp").write_text("C = STOP\n")
    (tmp_path / "main.csp").write_text('include "lib/a.csp"\nM = STOP\n')
    assert names(parse_file(tmp_path / "main.csp")) == ["C", "B", "A", "M"]


def test_includes_stay_in_the_scripts_tree_unless_allowed(tmp_path: Path, capsys):
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "secret.csp").write_text("S = STOP\n")
    (tmp_path / "project").mkdir()
    main_script = tmp_path / "project" / "main.csp"
    main_script.write_text('include "../outside/secret.csp"\nassert S :[deadlock free]\n')
    with pytest.raises(CspmSyntaxError, match="leaves the script's directory tree"):
        parse_file(main_script)
    assert names(parse_file(main_script, allow_include=[tmp_path / "outside"])) == ["S"]
    assert main(["check", str(main_script)]) == 2
    err = capsys.readouterr().err
    assert f"{main_script}:1:1: include '../outside/secret.csp' leaves" in err
    assert "--allow-include" in err
    assert main(["check", str(main_script), "--allow-include", str(tmp_path / "outside")]) == 1
    assert ":[deadlock free]: failed" in capsys.readouterr().out


def test_a_symbolic_link_out_of_the_tree_is_followed_before_the_check(tmp_path: Path):
    (tmp_path / "outside.csp").write_text("S = STOP\n")
    (tmp_path / "project").mkdir()
    os.symlink(tmp_path / "outside.csp", tmp_path / "project" / "inside.csp")
    (tmp_path / "project" / "main.csp").write_text('include "inside.csp"\n')
    with pytest.raises(CspmSyntaxError, match="leaves the script's directory tree"):
        parse_file(tmp_path / "project" / "main.csp")


@pytest.mark.parametrize("target", ["/dev/zero", "/dev/urandom", "."])
def test_only_regular_files_are_included(tmp_path: Path, target):
    script = tmp_path / "main.csp"
    os.symlink(Path(target).resolve(), tmp_path / "device.csp")
    script.write_text('include "device.csp"\n')
    allowed = [Path(target).resolve().parent, tmp_path]
    with pytest.raises(CspmSyntaxError, match="not a regular file"):
        parse_file(script, allow_include=allowed)
    script.write_text(f'include "{target}"\n')
    with pytest.raises(CspmSyntaxError, match="does not name a CSPm script"):
        parse_file(script, allow_include=allowed)


def test_include_paths_with_control_characters_are_errors(tmp_path: Path):
    script = tmp_path / "main.csp"
    script.write_text('include "a\\0b.csp"\n')  # CSPm's escape \0 is a NUL byte
    with pytest.raises(CspmSyntaxError, match="control characters"):
        parse_file(script)
    script.write_text('include "a\x01b.csp"\n')
    with pytest.raises(CspmSyntaxError, match="control characters"):
        parse_file(script)
    script.write_bytes(b'include "a\x00b.csp"\n')
    with pytest.raises(CspmSyntaxError, match="binary data"):
        parse_file(script)


def test_error_context_is_shown_only_from_cspm_files(tmp_path: Path, capsys):
    secret = tmp_path / "environ"
    secret.write_bytes(b"SECRET_TOKEN=hunter2 and more\nKEY=swordfish\n")
    script = tmp_path / "main.csp"
    script.write_text('include "environ"\n')
    assert main(["check", str(script)]) == 2
    err = capsys.readouterr().err
    assert "hunter2" not in err and "does not name a CSPm script" in err
    secret.write_bytes(b"KEY=swordfish(\n")  # given directly: the user's own file
    assert main(["check", str(secret)]) == 2
    err = capsys.readouterr().err
    assert "swordfish" not in err and f"{secret}:1:15: not CSPm text" in err
    bad = tmp_path / "bad.csp"
    bad.write_text("P = a -> \n")
    assert main(["check", str(bad)]) == 2
    assert "P = a -> " in capsys.readouterr().err  # a CSPm script's own line is quoted


def test_a_json_file_or_binary_file_is_not_a_script(tmp_path: Path, capsys):
    doc = tmp_path / "capture.json"
    doc.write_text('{"resourceSpans": []}\n')
    assert main(["check", str(doc)]) == 2
    assert "looks like JSON, not CSPm" in capsys.readouterr().err
    binary = tmp_path / "capture.pb"
    binary.write_bytes(b"\x00\x00\x00\x05\x0a\x03\x0a\x01\xff")
    assert main(["check", str(binary)]) == 2
    assert "not a CSPm script" in capsys.readouterr().err
    comment_first = tmp_path / "comment.csp"
    comment_first.write_text("{- a block comment first -}\nP = STOP\n")
    assert names(parse_file(comment_first)) == ["P"]


def test_context_lines_are_cut_around_the_column():
    line = "x" * 5000 + "@" + "y" * 5000
    shown, caret = SourceLocation("f.csp", 1, 5001, line).caret().split("\n")
    assert len(shown) <= 130 and shown.startswith("...") and shown.endswith("...")
    assert shown[len(caret) - 1] == "@"
    short = SourceLocation("f.csp", 1, 3, "ab\x01d").caret()
    assert short == "ab\\x01d\n  ^"
