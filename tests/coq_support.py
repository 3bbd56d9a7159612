"""Running the Coq development from tests: build ``proofs/`` once, run coqc on generated files.

coqc must be on PATH (Debian ``coq``, installed by ``bin/setup``). Its absence is a failure, not a
skip: a skipped proof check proves nothing.
"""

from __future__ import annotations

import contextlib
import fcntl
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PROOFS = REPO / "proofs"
LIBRARY = "Cspotlp"
"""The logical name ``proofs/_CoqProject`` gives the development (``-R . Cspotlp``)."""

_LOCK = PROOFS / ".make.lock"


def coqc() -> str:
    """The path of coqc; fails the calling test when it is not installed."""
    path = shutil.which("coqc")
    assert path is not None, "coqc is not on PATH: install Debian coq 8.16 (bin/setup does)"
    return path


@contextlib.contextmanager
def build_lock() -> Iterator[None]:
    """Hold the lock that serialises every ``make -C proofs`` of the test workers."""
    with _LOCK.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def build_proofs() -> None:
    """``make -C proofs``, serialised by a file lock so parallel test workers never race."""
    coqc()
    with build_lock():
        result = subprocess.run(
            ["make", "-C", str(PROOFS)], capture_output=True, text=True, timeout=900, check=False
        )
    assert result.returncode == 0, f"make -C proofs failed:\n{result.stdout}\n{result.stderr}"


def run_coq(workdir: Path, text: str, name: str = "Check") -> str:
    """Compile ``text`` as ``<workdir>/<name>.v`` against the built development; its stdout."""
    source = workdir / f"{name}.v"
    source.write_text(text, encoding="utf-8")
    result = subprocess.run(
        [coqc(), "-R", str(PROOFS), LIBRARY, str(source)],
        capture_output=True, text=True, timeout=600, cwd=workdir, check=False,
    )
    assert result.returncode == 0, f"coqc {source} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


_NAT_LIST = re.compile(r"=\s*\[([^\]]*)\]\s*:\s*list nat")


def nat_lists(output: str) -> list[list[int]]:
    """Every ``= [n; m; ...] : list nat`` answer printed by ``Eval ... in``, in order."""
    found: list[list[int]] = []
    for match in _NAT_LIST.finditer(output):
        body = match.group(1).strip()
        found.append([int(tok) for tok in body.split(";")] if body else [])
    return found


def strip_comments(text: str) -> str:
    """Coq source without its (possibly nested) comments, string literals kept."""
    out: list[str] = []
    depth = 0
    i = 0
    while i < len(text):
        pair = text[i:i + 2]
        if pair == "(*":
            depth += 1
            i += 2
        elif pair == "*)" and depth > 0:
            depth -= 1
            i += 2
        else:
            if depth == 0:
                out.append(text[i])
            i += 1
    return "".join(out)
