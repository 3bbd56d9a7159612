"""The evaluator on the shared CSPm corpus.

- libcspm's evaluator suite: in ``should_pass`` every top-level ``test*`` Bool is true and every
  ``procTestN`` prints (libcspm's process-graph format) exactly as its expected file; in
  ``should_fail`` evaluating the ``test*`` declarations gives a located evaluation error (the
  suite's harness also counts a false test as a failure: none of ours is false).
- every script of the corpus that type-checks loads: its channel and type declarations
  evaluate, or fail with ``unsupported construct`` where this toolkit has a documented limit.
- the classic ProB examples: the verdicts of their assertions (and of the obvious ones we add
  through ``include``), each justified by the script's own comments or a short argument.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cspotlp.cspm import ast
from cspotlp.cspm.assertions import AssertionResult, check_assertions
from cspotlp.cspm.evaluate import LoadedScript, load_script
from cspotlp.cspm.procgraph import print_process_graph
from cspotlp.errors import CspmError, CspmEvalError
from tests.paths import CSPM_DATA, require_shared_data

require_shared_data()

EVALUATOR = CSPM_DATA / "libcspm" / "evaluator"
CLASSICS = CSPM_DATA / "cspmf"


def _names(loaded: LoadedScript, prefix: str) -> list[str]:
    return [d.pattern.name for d in loaded.script.decls
            if isinstance(d, ast.PatBind) and isinstance(d.pattern, ast.PVar)
            and d.pattern.name.startswith(prefix)]


def _run_tests(loaded: LoadedScript) -> list[str]:
    """libcspm's harness: every test* must evaluate to true (a false one is an error)."""
    names = _names(loaded, "test")
    for name in names:
        if loaded.value(name) is not True:
            raise CspmEvalError(f"{name} was false")
    return names


def _graph(loaded: LoadedScript, name: str) -> str:
    return print_process_graph(loaded.process(name), loaded.env)


PASSING = sorted((EVALUATOR / "should_pass").glob("*.csp"))
FAILING = sorted((EVALUATOR / "should_fail").glob("*.csp"))


@pytest.mark.parametrize("path", PASSING, ids=lambda p: p.name)
def test_should_pass_scripts_evaluate_every_test_to_true(path: Path):
    loaded = load_script(path)
    loaded.force_declarations()
    names = _run_tests(loaded)
    assert names or _names(loaded, "procTest")


PROC_TESTS = sorted(
    (path, m.group(1))
    for path in PASSING
    for m in re.finditer(r"^(procTest\d+)\s*=", path.read_text(), re.M)
)


@pytest.mark.parametrize(("path", "name"), PROC_TESTS, ids=lambda x: getattr(x, "name", x))
def test_proc_tests_print_as_libcspm_expects(path: Path, name: str):
    expected = (path.parent / f"{path.stem}-{name}-expected.txt").read_text()
    # Internal names (``Round({1})::ANNON(1)::P1``) follow libcspm's scheme, so the text
    # matches exactly; libcspm's order of [] branches (inputs ?x:S from the largest value)
    # is reproduced too.
    assert _graph(load_script(path), name) == expected.rstrip("\n") + "\n"


def test_every_proc_test_has_its_expected_file():
    assert len(PROC_TESTS) == 5
    for path, name in PROC_TESTS:
        assert (path.parent / f"{path.stem}-{name}-expected.txt").is_file()


@pytest.mark.parametrize("path", FAILING, ids=lambda p: p.name)
def test_should_fail_scripts_give_located_evaluation_errors(path: Path):
    loaded = load_script(path)
    with pytest.raises(CspmEvalError) as info:
        _run_tests(loaded)
    loc = info.value.location
    assert loc is not None and loc.file == str(path) and loc.source_line
    assert str(info.value).startswith(f"{path}:{loc.line}:{loc.column}: ")


def test_the_expected_evaluation_errors():
    with pytest.raises(CspmEvalError, match=r"divide_by_zero.csp:1:9: division by zero"):
        _run_tests(load_script(EVALUATOR / "should_fail" / "divide_by_zero.csp"))
    with pytest.raises(CspmEvalError, match=r"non_rect.csp:2:16: the set \{D.0, D.1, E.false\} "
                                            r"is not rectangular"):
        load_script(EVALUATOR / "should_fail" / "non_rect.csp").force_declarations()


# -- every well-typed script loads -------------------------------------------------------------

INFINITE_CHANNELS = {
    # channels of type Int (or Int.Int...): FDR accepts them, and so do we, while only
    # finitely many of their events are used
    "libcspm/typechecker/should_pass/fields.csp",
    "libcspm/typechecker/should_pass/has_trace.csp",
    "libcspm/typechecker/should_pass/link_parallel.csp",
    "libcspm/typechecker/should_pass/rename.csp",
}
WELL_TYPED = sorted(
    m.group(1)
    for line in (CSPM_DATA / "INDEX.md").read_text().splitlines()
    if (m := re.match(r"^\| `([^`]+)` \|", line)) and "typecheck OK" in line
    and "should_fail" not in m.group(1)
)


@pytest.mark.parametrize("name", WELL_TYPED)
def test_well_typed_scripts_load(name: str):
    # Recursive datatypes (compression09's PStruct) and channels of infinite type load too.
    loaded = load_script(CSPM_DATA / name)
    loaded.force_declarations()
    assert loaded.env.channels or not any(
        isinstance(d, ast.ChannelDecl) for d in loaded.script.decls)
    if name in INFINITE_CHANNELS:
        # ... but their events cannot all be listed: the error names the channel
        with pytest.raises(CspmEvalError, match=r"cannot be listed|cannot enumerate"):
            loaded.evaluate("Events")


# -- classic scripts ----------------------------------------------------------------------------


def _results(path: Path) -> list[tuple[str, str]]:
    return [(r.assertion, r.result) for r in check_assertions(load_script(path))]


def _with_asserts(tmp_path: Path, script: str, extra: str) -> list[AssertionResult]:
    """The results of ``extra`` assertions about a classic script (included by path)."""
    path = tmp_path / "checks.csp"
    path.write_text(f'include "{CLASSICS / script}"\n{extra}')
    return check_assertions(load_script(path, allow_include=[CLASSICS]))


def test_abp_verdicts_are_those_its_comments_announce():
    # DIVSYSTEM and GSYSTEM can diverge (acknowledgements and messages traded forever);
    # every constrained receiver gives a buffer; failures checks ignore the divergence.
    assert _results(CLASSICS / "abp.csp") == [
        ("assert DIVSYSTEM :[livelock free]", "failed"),
        ("assert SPEC [FD= make_system(RCVA)", "passed"),
        ("assert SPEC [FD= make_system(RCVL)", "passed"),
        ("assert SPEC [FD= make_system(RCVN)", "passed"),
        ("assert RCVN [FD= RCVimp", "passed"),
        ("assert SPEC [FD= make_system(RCVimp)", "passed"),
        ("assert RCVimp [FD= RCVA", "passed"),
        ("assert RCVA [FD= RCVimp", "passed"),
        ("assert LIVCH(a,b) [FD= PUT", "passed"),
        ("assert LIVCH(c,d) [FD= GET", "passed"),
        ("assert SPEC [F= GSYSTEM", "passed"),
        ("assert SPEC [FD= GSYSTEM", "failed"),
        ("assert SPEC [F= FSYSTEM", "passed"),
    ]


def test_abp_divergence_counterexamples_are_empty_traces():
    results = check_assertions(load_script(CLASSICS / "abp.csp"))
    for r in (results[0], results[11]):
        assert r.kind == "divergence" and r.counterexample == ()


def test_hanoi_counterexample_is_the_shortest_solution():
    first, second = check_assertions(load_script(CLASSICS / "hanoi.fix.csp"))
    assert first.result == "failed" and first.kind == "trace"
    # 2^5 - 1 moves bring the five discs to peg C, then C can say it is complete
    assert first.counterexample is not None and len(first.counterexample) == 32
    assert first.counterexample[-1] == "complete.C"
    assert all(e.startswith("move.") for e in first.counterexample[:-1])
    # with every move hidden, the puzzle is never stable: it has no failures STOP could have
    assert (second.result, second.kind, second.counterexample) == ("failed", "refusal", ())


def test_dining_philosophers_deadlock_and_the_butler_prevents_it(tmp_path: Path):
    r = _with_asserts(tmp_path, "dphil.fdr2",
                      "assert COLLEGE :[deadlock free [F]]\nassert COLLEGE :[divergence free]\n")
    assert [x.result for x in r] == ["failed", "passed"]
    # the shortest deadlock: every philosopher sits and picks up one fork
    trace = r[0].counterexample
    assert trace is not None and len(trace) == 10
    assert sorted(e.split(".")[0] for e in trace) == ["pickup"] * 5 + ["sitdown"] * 5
    r = _with_asserts(tmp_path, "dphil_butler.fdr2",
                      "assert NEWCOLLEGE :[deadlock free [F]]\nassert NEWCOLLEGE :[deadlock free]\n")
    assert [x.result for x in r] == ["passed", "passed"]


def test_vending_machines(tmp_path: Path):
    r = _with_asserts(tmp_path, "vm1.csp", "assert VM :[deadlock free]\n")
    assert (r[0].result, r[0].counterexample) == ("failed", ("coin", "choc"))
    r = _with_asserts(tmp_path, "vm2.csp",
                      "assert VM :[deadlock free]\nassert VM :[deterministic]\n"
                      "assert coin -> choc -> STOP [T= VM\n")
    assert [x.result for x in r] == ["passed", "passed", "failed"]
    assert r[2].counterexample == ("coin", "choc", "coin")


def test_buses_deadlock_at_once_when_the_wrong_bus_comes(tmp_path: Path):
    r = _with_asserts(tmp_path, "buses.csp",
                      "assert SYSTEM :[deadlock free]\nassert SERVICE :[deterministic]\n"
                      "assert PASS [T= SYSTEM\n")
    assert [(x.result, x.counterexample) for x in r] == [
        ("failed", ()), ("failed", ()), ("passed", None)]
    assert r[1].kind == "nondeterminism"


def test_peterson_is_deadlock_free_and_mutually_exclusive(tmp_path: Path):
    crit = "{p1enter, p1critical, p1leave, p2enter, p2critical, p2leave}"
    r = _with_asserts(tmp_path, "peterson.csp",
                      "MUTEX = p1enter -> p1critical -> p1leave -> MUTEX\n"
                      "     [] p2enter -> p2critical -> p2leave -> MUTEX\n"
                      f"assert SYSTEM :[deadlock free]\nassert MUTEX [T= SYSTEM |\\ {crit}\n")
    assert [x.result for x in r] == ["passed", "passed"]


def test_classics_without_assertions_run_none():
    for name in ("dphil.fdr2", "dphil_butler.fdr2", "peterson.csp", "vm1.csp", "vm2.csp",
                 "buses.csp"):
        assert check_assertions(load_script(CLASSICS / name)) == []


def test_load_errors_are_cspm_errors_with_locations():
    with pytest.raises(CspmError) as info:
        load_script(CSPM_DATA / "libcspm" / "typechecker" / "should_fail" / "rename_1.csp")
    assert info.value.location is not None
