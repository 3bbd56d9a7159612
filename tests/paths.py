"""Where the shared corpus lives: ``shared/data`` beside the checkout (or above a worktree).

Tests read ``../shared/data`` in place and never copy it. ``CSPOTLP_SHARED_DATA`` overrides the
search. A missing corpus is an error, not a skip: a skipped corpus test proves nothing.
"""

import os
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _find_shared_data() -> Path:
    env = os.environ.get("CSPOTLP_SHARED_DATA")
    if env:
        return Path(env)
    for parent in REPO.parents:
        candidate = parent / "shared" / "data"
        if candidate.is_dir():
            return candidate
    raise RuntimeError(
        f"cannot find shared/data above {REPO}; set CSPOTLP_SHARED_DATA to the corpus directory"
    )


SHARED_DATA = _find_shared_data()
OTLP_DATA = SHARED_DATA / "otlp"
CSPM_DATA = SHARED_DATA / "cspm"
