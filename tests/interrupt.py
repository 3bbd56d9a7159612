"""Child processes that Ctrl-C reaches, whatever signal state the test runner inherited."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import Iterator


@contextlib.contextmanager
def interruptible_children() -> Iterator[None]:
    """Processes started inside get SIGINT's default disposition, as from a terminal.

    A shell without job control starts background jobs (``bin/test &``) with SIGINT ignored,
    and an ignored signal stays ignored across ``exec``: a CLI started from such a test run
    would never see the Ctrl-C a test sends, and Python honours that by design. A *handled*
    signal is reset to its default on ``exec``, so handling it here while the child starts gives
    the child the state a terminal gives.
    """
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous if previous is not None else signal.SIG_DFL)


def start_cli(*args: str, cwd: str | None = None) -> subprocess.Popen[str]:
    """``python -m cspotlp *args`` with its output piped, unbuffered, and Ctrl-C reaching it."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with interruptible_children():
        return subprocess.Popen([sys.executable, "-m", "cspotlp", *args], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, env=env, cwd=cwd)


def interrupt(proc: subprocess.Popen[str], timeout: float) -> tuple[str, str]:
    """Ctrl-C to ``proc``; its output and errors once it has ended (killed if it takes over ``timeout``)."""
    try:
        proc.send_signal(signal.SIGINT)
        return proc.communicate(timeout=timeout)
    finally:
        proc.kill()
