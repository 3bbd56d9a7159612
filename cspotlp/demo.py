"""The main job on bundled example data (what ``bin/demo`` runs).

It grows as capabilities land; each step prints what it does and what it found, in words a
newcomer can follow.
"""

from __future__ import annotations

import sys

from cspotlp.cli import main as cli


def run_demo() -> int:
    """Run every step of the tour; returns the first non-zero exit status, else 0."""
    steps = [
        ("Dining philosophers (5, no butler): full LTS and deadlock states",
         ["explore", "--builtin", "dining_philosophers", "--n", "5"]),
        ("Dining philosophers (5, with a butler): no deadlock expected",
         ["explore", "--builtin", "dining_philosophers", "--n", "5", "--butler"]),
    ]
    for title, argv in steps:
        print(f"\n== {title}\n$ cspotlp {' '.join(argv)}", flush=True)
        status = cli(argv)
        if status != 0:
            return status
    return 0


if __name__ == "__main__":
    sys.exit(run_demo())
