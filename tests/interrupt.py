"""Child processes that Ctrl-C reaches, whatever signal state the test runner inherited."""

from __future__ import annotations

import contextlib
import signal
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
