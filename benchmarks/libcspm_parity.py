"""Score cspotlp's CSPm front end against libcspm's own test suite.

Run: PYTHONPATH=. python benchmarks/libcspm_parity.py LIBCSPM_TESTS [--verbose] [--jobs N]

``LIBCSPM_TESTS`` is the ``tests`` folder of a checkout of tomgr/libcspm (the suite is not part
of this project; fetch it yourself). Each script is judged as libcspm's own harness
(``tests/Main.hs``) judges it, section by section:

- ``parser``: ``should_pass`` parses; ``should_fail`` is a syntax error.
- ``typechecker``: ``should_pass`` parses, resolves and type-checks (what
  ``cspotlp check --typecheck`` does); ``should_fail`` parses and is then a scope or type error.
- ``prettyprinter``: parses, prints, and the printed text parses to the same tree.
- ``desugar``: ``should_fail`` parses and is then rejected by the checker (libcspm rejects these
  scripts when it desugars them, after type checking).
- ``evaluator``: the script type-checks; then every top-level ``test*`` must evaluate to true
  and every ``procTest*`` must print (libcspm's process-graph format) as one of its
  ``<file>-procTestN-expected*.txt`` files. ``should_fail``: one of those evaluations fails
  with an evaluation error (or a test is false). As in libcspm's ``compareOutputs``, internal
  names (``P::i1347``: ``i`` and digits) may be numbered differently, consistently. (The
  harness meant that; its code compares nothing after the first such name, so that some
  expected files are truncated or stale and pass there only. ``--libcspm-compare`` judges
  outputs with that code as it is, to show the difference.)

An ``unsupported construct`` error never counts as agreement, nor does a time-out. Prints one
row per section and, with ``--verbose``, every disagreement with its reason.
"""

from __future__ import annotations

import argparse
import multiprocessing
import re
import signal
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cspotlp.cspm import (  # noqa: E402
    ast,
    ast_equal,
    check_script,
    parse_file,
    parse_script,
    print_process_graph,
    print_script,
)
from cspotlp.cspm.evaluate import LoadedScript, _load_checked  # noqa: E402
from cspotlp.errors import (  # noqa: E402
    CspmError,
    CspmEvalError,
    CspmScopeError,
    CspmSyntaxError,
    CspmTypeError,
    CspmUnsupported,
)

SECTIONS = ("parser", "typechecker", "prettyprinter", "desugar", "evaluator")
TIMEOUT_S = 60


class TimedOut(Exception):
    """The script took longer than the per-script time-out."""


@dataclass(frozen=True)
class Outcome:
    """What happened to one script: agreement with libcspm, and what we said."""

    path: str
    section: str
    expect_pass: bool
    agrees: bool
    detail: str
    seconds: float


def _kind(e: BaseException) -> str:
    return type(e).__name__


def _message(e: BaseException) -> str:
    return str(e).splitlines()[0] if str(e) else type(e).__name__


def _scripts(root: Path) -> list[tuple[str, bool, Path]]:
    out = []
    for section in SECTIONS:
        for verdict, expect_pass in (("should_pass", True), ("should_fail", False)):
            folder = root / section / verdict
            if folder.is_dir():
                out.extend((section, expect_pass, p) for p in sorted(folder.rglob("*.csp")))
    return out


def _top_names(script: ast.Script, prefix: str) -> list[str]:
    return [d.pattern.name for d in script.decls
            if isinstance(d, ast.PatBind) and isinstance(d.pattern, ast.PVar)
            and d.pattern.name.startswith(prefix)]


def _expected_outputs(path: Path, name: str) -> list[str]:
    out = []
    first = path.parent / f"{path.stem}-{name}-expected.txt"
    n = 1
    candidate = first
    while candidate.exists():
        out.append(candidate.read_text(encoding="utf-8").rstrip("\n"))
        candidate = path.parent / f"{path.stem}-{name}-expected{n}.txt"
        n += 1
    return out


_INTERNAL_NAME = re.compile(r"(i[0-9]+)")


def same_output(actual: str, expected: str) -> bool:
    """Equal up to a consistent renumbering of internal names (``P::i1`` for ``P::i1347``)."""
    xs, ys = _INTERNAL_NAME.split(actual), _INTERNAL_NAME.split(expected)
    if len(xs) != len(ys):
        return False
    forward: dict[str, str] = {}
    backward: dict[str, str] = {}
    for k, (x, y) in enumerate(zip(xs, ys, strict=True)):
        if k % 2 == 0:
            if x != y:
                return False
        elif forward.setdefault(x, y) != y or backward.setdefault(y, x) != x:
            return False
    return True


def harness_same_output(actual: str, expected: str) -> bool:
    """libcspm's ``compareOutputs`` as written: equal up to the first internal name in both."""
    for k, (x, y) in enumerate(zip(actual, expected, strict=False)):
        if x == y == "i" and actual[k + 1:k + 2].isdigit() and expected[k + 1:k + 2].isdigit():
            return True
        if x != y:
            return False
    return len(actual) == len(expected)


COMPARE = [same_output]
"""How procTest outputs are compared (``--libcspm-compare`` swaps in the harness's code)."""


def _evaluate(loaded: LoadedScript, path: Path) -> str | None:
    """libcspm's evaluator test: None if every test holds, else what went wrong."""
    script = loaded.script
    for name in _top_names(script, "test"):
        if loaded.value(name) is not True:
            return f"{name} was false"
    for name in _top_names(script, "procTest"):
        graph = print_process_graph(loaded.process(name), loaded.env).rstrip("\n")
        expected = _expected_outputs(path, name)
        if not any(COMPARE[0](graph, e) for e in expected):
            return f"the output of {name} did not match the expected output"
    return None


def judge(section: str, expect_pass: bool, path: Path) -> tuple[bool, str]:
    """Whether cspotlp agrees with libcspm on one script, and what cspotlp said."""
    try:
        script = parse_file(path)
    except CspmSyntaxError as e:
        if section == "parser" and not expect_pass:
            return True, f"syntax error: {_message(e)}"
        return False, f"syntax error: {_message(e)}"
    if section == "parser":
        return expect_pass, "parses"
    if section == "prettyprinter":
        again = parse_script(print_script(script), "printed.csp")
        same = ast_equal(again, script)
        return same, "round trip equal" if same else "printed text parses to another tree"
    try:
        checked = check_script(script)
    except (CspmScopeError, CspmTypeError) as e:
        wanted = not expect_pass and section in ("typechecker", "desugar")
        return wanted, f"{_kind(e)}: {_message(e)}"
    if section != "evaluator":
        return expect_pass, "well-typed"
    loaded = _load_checked(checked)
    try:
        failure = _evaluate(loaded, path)
    except CspmEvalError as e:
        return not expect_pass, f"{_kind(e)}: {_message(e)}"
    if failure is not None:
        return not expect_pass, failure
    return expect_pass, "every test holds"


def _on_alarm(signum: int, frame: FrameType | None) -> None:
    raise TimedOut


def run_one(job: tuple[str, bool, str]) -> Outcome:
    """Judge one script within the time-out (a pool worker's task)."""
    section, expect_pass, name = job
    path = Path(name)
    signal.signal(signal.SIGALRM, _on_alarm)
    signal.alarm(TIMEOUT_S)
    start = time.perf_counter()
    try:
        agrees, detail = judge(section, expect_pass, path)
    except TimedOut:
        agrees, detail = False, f"timed out after {TIMEOUT_S} s"
    except CspmUnsupported as e:
        agrees, detail = False, f"unsupported: {_message(e)}"
    except CspmError as e:
        agrees, detail = False, f"{_kind(e)}: {_message(e)}"
    except Exception as e:  # a crash is a disagreement to report, not a reason to stop
        agrees, detail = False, f"crash {type(e).__name__}: {e}"
    finally:
        signal.alarm(0)
    return Outcome(name, section, expect_pass, agrees, detail, time.perf_counter() - start)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("tests", type=Path, help="libcspm's tests/ folder")
    parser.add_argument("--verbose", "-v", action="store_true", help="list every disagreement")
    parser.add_argument("--all", action="store_true", help="list every script's outcome")
    parser.add_argument("--jobs", "-j", type=int, default=1, help="worker processes")
    parser.add_argument("--only", help="judge only paths matching this regular expression")
    parser.add_argument("--libcspm-compare", action="store_true",
                        help="compare procTest outputs with libcspm's compareOutputs as it is "
                             "written (it ignores everything after the first internal name)")
    args = parser.parse_args()
    if args.libcspm_compare:
        COMPARE[0] = harness_same_output
    if not (args.tests / "typechecker").is_dir():
        print(f"{args.tests}: not libcspm's tests/ folder (no typechecker/ in it)",
              file=sys.stderr)
        return 2
    jobs = [(s, p, str(path)) for s, p, path in _scripts(args.tests)
            if args.only is None or re.search(args.only, str(path))]
    start = time.perf_counter()
    if args.jobs > 1:
        with multiprocessing.get_context("fork").Pool(args.jobs) as pool:
            outcomes = pool.map(run_one, jobs, chunksize=4)
    else:
        outcomes = [run_one(j) for j in jobs]
    elapsed = time.perf_counter() - start
    print("| section | expectation | scripts | agree | share |")
    print("|---|---|---:|---:|---:|")
    for section in SECTIONS:
        for expect_pass in (True, False):
            rows = [o for o in outcomes if o.section == section and o.expect_pass == expect_pass]
            if rows:
                agree = sum(o.agrees for o in rows)
                verdict = "should_pass" if expect_pass else "should_fail"
                print(f"| {section} | {verdict} | {len(rows)} | {agree} | "
                      f"{agree / len(rows):.0%} |")
    total = sum(o.agrees for o in outcomes)
    print(f"| **all** | | {len(outcomes)} | {total} | {total / max(len(outcomes), 1):.1%} |")
    print(f"\n{total}/{len(outcomes)} agree ({elapsed:.0f} s)")
    shown = outcomes if args.all else [o for o in outcomes if not o.agrees]
    if args.verbose or args.all:
        for o in shown:
            mark = "ok  " if o.agrees else "DIFF"
            rel = Path(o.path).relative_to(args.tests)
            print(f"{mark} {rel}: {o.detail} ({o.seconds:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
