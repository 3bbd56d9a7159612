"""Every script of the shared CSPm corpus gets the outcome its INDEX.md documents.

The expectation comes from the suite each file belongs to (libcspm's directory layout, or
"parses and type-checks" for the ProB examples, as cspmchecker observed). Errors must be of
the documented kind, at the line (and, for scope and type errors, the column) that libcspm's
cspmchecker reported. Evaluation is not this module's business: evaluator scripts must parse
and type-check, including those whose failure shows only at run time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from cspotlp.cspm import ast_equal, check_script, parse_file, parse_script, print_script
from cspotlp.errors import CspmScopeError, CspmSyntaxError, CspmTypeError
from tests.paths import CSPM_DATA, require_shared_data

require_shared_data()

INDEX = CSPM_DATA / "INDEX.md"
_ROW = re.compile(r"^\| `(?P<file>[^`]+)` \|(?:[^|]*\|){3}(?P<expected>[^|]*)\|(?P<observed>.*)\|\s*$")
_LOCATION = re.compile(r":(?P<line>\d+):(?P<col>\d+)(?:-\d+)?(?::|$)")


@dataclass(frozen=True)
class Entry:
    """One row of the corpus index."""

    file: str
    expected: str
    observed: str

    @property
    def path(self) -> Path:
        return CSPM_DATA / self.file

    @property
    def suite(self) -> str:
        parts = self.file.split("/")
        return "/".join(parts[1:3]) if parts[0] == "libcspm" else parts[0]

    def error_position(self) -> tuple[int, int | None]:
        """Line and column cspmchecker reported (column None when the location is unknown)."""
        text = self.observed
        if "<unknown location>" in text:
            m = _LOCATION.search(text.split(" at: ", 1)[1])
            assert m is not None, text
            return int(m["line"]), None
        m = _LOCATION.search(text)
        assert m is not None, text
        return int(m["line"]), int(m["col"])


def _entries() -> list[Entry]:
    rows = []
    for line in INDEX.read_text(encoding="utf-8").splitlines():
        m = _ROW.match(line)
        if m is not None:
            rows.append(Entry(m["file"], m["expected"].strip(), m["observed"].strip()))
    return rows


ENTRIES = _entries()


def _ids(entry: Entry) -> str:
    return entry.file


def of(*suites: str) -> list[Entry]:
    return [e for e in ENTRIES if e.suite in suites]


def test_the_index_covers_every_script_on_disk():
    on_disk = {
        str(p.relative_to(CSPM_DATA))
        for p in CSPM_DATA.rglob("*")
        if p.suffix in (".csp", ".fdr2")
    }
    assert on_disk == {e.file for e in ENTRIES}
    assert len(ENTRIES) >= 37


@pytest.mark.parametrize(
    "entry",
    of("parser/should_pass", "typechecker/should_pass", "prettyprinter/should_pass",
       "evaluator/should_pass", "evaluator/should_fail", "cspmf"),
    ids=_ids,
)
def test_well_typed_scripts_parse_and_type_check(entry: Entry):
    assert "typecheck OK" in entry.observed
    checked = check_script(parse_file(entry.path))
    assert checked.script.decls


@pytest.mark.parametrize("entry", of("parser/should_fail"), ids=_ids)
def test_syntax_errors_are_reported_at_the_documented_line(entry: Entry):
    with pytest.raises(CspmSyntaxError) as info:
        parse_file(entry.path)
    line, _col = entry.error_position()
    assert info.value.location is not None
    assert info.value.location.line == line
    assert str(info.value).startswith(f"{entry.path}:{line}:")


@pytest.mark.parametrize("entry", of("typechecker/should_fail"), ids=_ids)
def test_scope_and_type_errors_are_reported_where_cspmchecker_reports_them(entry: Entry):
    script = parse_file(entry.path)
    with pytest.raises((CspmScopeError, CspmTypeError)) as info:
        check_script(script)
    line, col = entry.error_position()
    loc = info.value.location
    assert loc is not None
    if col is None:
        # cspmchecker names the first definition; we report the second, which names the first.
        assert f"{entry.path}:{line}:" in info.value.message
    else:
        assert (loc.line, loc.column) == (line, col)


@pytest.mark.parametrize("entry", of("prettyprinter/should_pass"), ids=_ids)
def test_pretty_printed_scripts_reparse_to_the_same_tree(entry: Entry):
    script = parse_file(entry.path)
    text = print_script(script)
    again = parse_script(text, "printed.csp")
    assert ast_equal(again, script)
    assert print_script(again) == text


@pytest.mark.parametrize("entry", [e for e in ENTRIES if "should_fail" not in e.file], ids=_ids)
def test_every_parsable_script_round_trips_through_the_printer(entry: Entry):
    script = parse_file(entry.path)
    assert ast_equal(parse_script(print_script(script), "printed.csp"), script)
