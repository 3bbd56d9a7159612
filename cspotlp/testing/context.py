"""What the pytest plugin tells the checks about the test running now.

The plugin sets :data:`current` around each test call; checks use it to attach text to the
test's report (:func:`attach`) and to find files named relative to the test (:func:`resolve`).
Outside pytest (or with the plugin disabled: ``-p no:cspotlp``) there is no current test and
both fall back to plain behaviour.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class RunningTest:
    """The running test: how to add a report section, and the directories to look in."""

    add_section: Callable[[str, str], None]
    """``(title, text)``: a section shown with the test's report when it fails."""
    test_dir: Path
    rootdir: Path


current: RunningTest | None = None
"""The running test (set by the plugin), or None."""


def attach(title: str, text: str) -> bool:
    """Add a section to the running test's report; False when no test is running."""
    ctx = current
    if ctx is None:
        return False
    ctx.add_section(title, text)
    return True


def resolve(path: str | os.PathLike[str], what: str) -> Path:
    """An existing file ``path``: as given, else relative to the test's directory or rootdir.

    Raises:
        FileNotFoundError: none of the candidates exists (the message lists them all).
    """
    given = Path(path)
    candidates = [given]
    ctx = current
    if ctx is not None and not given.is_absolute():
        candidates += [ctx.test_dir / given, ctx.rootdir / given]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    tried = ", ".join(dict.fromkeys(str(c) for c in candidates))
    raise FileNotFoundError(f"{what} {os.fspath(path)} not found (looked for: {tried})")


__all__ = ["RunningTest", "attach", "current", "resolve"]
