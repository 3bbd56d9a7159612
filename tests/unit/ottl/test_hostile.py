"""OTTL on hostile input: every problem is a located error (exit 2), never a traceback or hang."""

import pytest

from cspotlp.cli import main
from cspotlp.otlp import dumps_json
from cspotlp.ottl import RunNotes, program_from_statements
from cspotlp.ottl.regex import compile_regex
from tests.unit.ottl.spans import attrs, two_spans


@pytest.fixture
def capture(tmp_path):
    path = tmp_path / "c.json"
    path.write_text(dumps_json(two_spans()))
    return str(path)


@pytest.mark.parametrize("content", [
    b"\x00\x01\xff binary", b"", b"# only a comment\n", b"set(\n", b"trace_statements: [\n",
    b"set(attributes[\"k\"], " + b"[" * 200 + b"1" + b"]" * 200 + b")\n",
    b"processors: {}\n", b"- a\n- b\n",
])
def test_bad_ottl_files_exit_2_with_a_message(tmp_path, capture, capsys, content):
    bad = tmp_path / "bad.ottl"
    bad.write_bytes(content)
    assert main(["abstract", capture, "--ottl", str(bad)]) == 2
    err = capsys.readouterr().err
    assert str(bad) in err and "Traceback" not in err


def test_a_directory_or_missing_file_is_an_input_error(tmp_path, capture, capsys):
    assert main(["inspect", capture, "--ottl", str(tmp_path)]) == 2
    assert "not a regular file" in capsys.readouterr().err
    assert main(["inspect", capture, "--ottl", str(tmp_path / "none")]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_backtracking_patterns_run_in_linear_time_on_span_data():
    regex = compile_regex("(a+)+$")
    assert type(regex).__module__.startswith("re2")
    text = "a" * 200_000 + "b"
    spans = two_spans()
    spans[0] = spans[0]._replace(name=text)
    notes = RunNotes()
    out = program_from_statements(['set(attributes["m"], IsMatch(name, "(a+)+$"))',
                                   'replace_pattern(name, "(a|aa)+$", "x")'],
                                  error_mode="ignore").apply_spans(spans, notes)
    assert attrs(out[0])["m"] is False and out[0].name == text
    assert notes.summary() == []


def test_deeply_nested_json_is_an_error_on_that_span_only():
    deep = "[" * 100_000 + "]" * 100_000
    notes = RunNotes()
    spans = two_spans()
    spans[0] = spans[0]._replace(name=deep)
    out = program_from_statements(['set(attributes["j"], ParseJSON(name))'],
                                  error_mode="ignore").apply_spans(spans, notes)
    assert "j" not in attrs(out[0])
    assert "span 0102030405060708" in notes.summary()[0]
    assert "JSON nested too deeply" in notes.summary()[0]


def test_huge_strings_in_statements_are_fine(capture, tmp_path, capsys):
    rules = tmp_path / "big.ottl"
    rules.write_text(f'set(attributes["big"], "{"x" * 1_000_000}")\n')
    assert main(["abstract", capture, "--ottl", str(rules), "--repair", "all"]) == 0
    assert "call." in capsys.readouterr().out
