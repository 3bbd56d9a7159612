"""The README's tour runs as written, on files in the repository; the docs cite only those.

Every command line of the tour (continuation lines joined) is run by bash in a fresh directory
that holds the repository's ``examples/`` and ``proofs/``, with the project's ``cspotlp`` first on
the PATH, in order, and must exit as the README says it does (0, or 1 where a check fails on
purpose). The Python API block runs too.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.coq_support import build_lock
from tests.paths import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")

# The exit status each tour line has, in order: 1 where the point is a failing check.
EXPECTED = {
    "cspotlp explore --builtin dining_philosophers --n 5": 1,  # the philosophers deadlock
    "cspotlp explore --builtin dining_philosophers --n 8 --workers 2": 1,  # on two workers too
    "cspotlp explore --builtin dining_philosophers --n 9 --threads auto": 1,  # and on threads
    "cspotlp explore examples/cspm/dining_philosophers.csp COLLEGE --json": 1,
    "cspotlp check examples/cspm/dining_philosophers.csp --json": 1,
    "cspotlp conform --spec": 1,  # order 4 ships before paying (on Dask too)
    "cspotlp report": 1,  # the report of a capture with a failing trace
    "cspotlp check out/obs.csp": 1,  # SPEC [T= OBSERVED fails on order 4
    "cspotlp prove --theorem T1 --bound 4 --mutation ends-first": 1,
    "cspotlp go examples/gomodel/pipeline.py": 1,  # pipeline_bug leaks a goroutine
    "cspotlp go examples/gomodel/batch_processor.py --program batch_processor_bug": 1,  # a span is lost
}


def section(title: str) -> str:
    start = README.index(f"## {title}")
    end = README.find("\n## ", start + 1)
    return README[start:end if end >= 0 else len(README)]


def fenced(text: str, language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", text, re.DOTALL)


def tour_lines() -> list[str]:
    (block,) = fenced(section("A short tour of the CLI"), "sh")
    lines, pending = [], ""
    for raw in block.splitlines():
        line = pending + raw.strip()
        if line.endswith("\\"):
            pending = line[:-1] + " "
            continue
        pending = ""
        if line and not line.startswith("#"):
            lines.append(line)
    return lines


def without_comment(line: str) -> str:
    """The command without its trailing ``# comment`` (a ``#`` inside quotes is kept)."""
    quoted = False
    for i, ch in enumerate(line):
        if ch == "'":
            quoted = not quoted
        elif ch == "#" and not quoted and line[i - 1] == " ":
            return line[:i].rstrip()
    return line


def expected_status(command: str) -> int:
    return next((status for prefix, status in EXPECTED.items() if command.startswith(prefix)), 0)


def test_the_tour_is_what_the_test_runs():
    commands = [without_comment(line) for line in tour_lines()]
    assert len(commands) >= 18
    assert all(c.startswith(("cspotlp ", "mkdir ", "make ")) for c in commands), commands
    for prefix in EXPECTED:  # every exception names a line that is there
        assert any(c.startswith(prefix) for c in commands), prefix


@pytest.mark.slow
def test_every_line_of_the_tour_runs_as_written(tmp_path):
    for name in ("examples", "proofs"):
        os.symlink(REPO / name, tmp_path / name)
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    for command in map(without_comment, tour_lines()):
        if command.startswith("cspotlp serve"):
            run = _serve_until_ctrl_c(command, tmp_path, env)
            assert run.returncode in (0, 130), f"$ {command}\n{run.stderr[-2000:]}"
            continue
        with build_lock() if command.startswith("make ") else _no_lock():
            run = subprocess.run(["bash", "-c", command], cwd=tmp_path, env=env,
                                 capture_output=True, text=True, timeout=600, check=False)
        assert "Traceback" not in run.stderr, f"{command}\n{run.stderr}"
        assert run.returncode == expected_status(command), (
            f"$ {command}\nexit {run.returncode}\n{run.stdout[-2000:]}\n{run.stderr[-2000:]}")
        if command.startswith("cspotlp locate"):
            assert run.stdout.rstrip().endswith("<- here")
    assert (tmp_path / "out" / "obs.csp.json").is_file()
    assert sorted(p.name for p in (tmp_path / "out" / "tla").glob("*.tla"))[:1] == ["SPEC.tla"]


@pytest.mark.slow
def test_the_python_api_block_runs(tmp_path, monkeypatch):
    (block,) = fenced(section("The Python API"), "python")
    monkeypatch.chdir(REPO)
    namespace: dict[str, object] = {}
    exec(compile(block, "README.md (Python API)", "exec"), namespace)  # noqa: S102
    assert "verdict" in namespace and "loaded" in namespace


def _serve_until_ctrl_c(command: str, cwd: Path, env: dict[str, str]
                        ) -> subprocess.CompletedProcess[str]:
    """Run a server line of the tour until it answers on OTLP/HTTP, then press Ctrl-C."""
    import signal
    import socket
    import time

    proc = subprocess.Popen(["bash", "-c", f"exec {command}"], cwd=cwd, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                with socket.create_connection(("127.0.0.1", 4318), timeout=1):
                    break
            except OSError:
                time.sleep(0.2)
        assert proc.poll() is None, f"$ {command}\nexited {proc.returncode} before listening"
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    return subprocess.CompletedProcess(command, proc.returncode, out, err)


class _no_lock:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


# -- the documentation cites only files that exist -------------------------------------------

DOCS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md")), REPO / "proofs" / "README.md",
        REPO / "specs" / "README.md"]
TOP = ("cspotlp/", "examples/", "tests/", "docs/", "benchmarks/", "bin/", "proofs/", "specs/",
       "notebooks/")


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(REPO)))
def test_the_docs_cite_only_files_of_the_repository(doc):
    text = doc.read_text(encoding="utf-8")
    assert "DESIGN.md" not in text and "STYLE.md" not in text
    cited = {m.group(1) for m in re.finditer(r"`([A-Za-z0-9_./-]+)`", text)}
    missing = [c for c in sorted(cited) if c.startswith(TOP) and not (REPO / c).exists()]
    assert missing == []
