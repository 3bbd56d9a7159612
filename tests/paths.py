"""Where the shared corpus lives: ``shared/data`` beside the checkout (or above a worktree).

Tests read ``../shared/data`` in place and never copy it. ``CSPOTLP_SHARED_DATA`` overrides the
search. The corpus is optional: a fresh clone has none, and the tests that read it are then
*skipped with a reason* (``needs_shared_data`` on a test, ``require_shared_data()`` for a whole
module) — never an error, never a silent pass. CI has the corpus, so there they run.
"""

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

MISSING_REASON = (
    "the shared corpus (shared/data beside the checkout) is absent; "
    "set CSPOTLP_SHARED_DATA to its directory to run this test"
)


def _find_shared_data() -> Path | None:
    env = os.environ.get("CSPOTLP_SHARED_DATA")
    if env:  # named explicitly: a wrong name is an error, not a reason to skip
        if not Path(env).is_dir():
            raise RuntimeError(f"CSPOTLP_SHARED_DATA={env} is not a directory")
        return Path(env)
    for parent in REPO.parents:
        candidate = parent / "shared" / "data"
        if candidate.is_dir():
            return candidate
    return None


SHARED_DATA = _find_shared_data()
_ROOT = SHARED_DATA if SHARED_DATA is not None else REPO / "no-shared-data"
OTLP_DATA = _ROOT / "otlp"
CSPM_DATA = _ROOT / "cspm"

needs_shared_data = pytest.mark.skipif(SHARED_DATA is None, reason=MISSING_REASON)
"""Mark for a test that reads the shared corpus."""


def require_shared_data() -> None:
    """Skip the calling test module (at import) when the shared corpus is absent."""
    if SHARED_DATA is None:
        pytest.skip(MISSING_REASON, allow_module_level=True)


def shared_files(directory: Path, suffixes: tuple[str, ...] = ()) -> list[Path]:
    """The files of a corpus directory (sorted; empty when the corpus is absent)."""
    if SHARED_DATA is None or not directory.is_dir():
        return []
    return sorted(p for p in directory.iterdir() if not suffixes or p.suffix in suffixes)
