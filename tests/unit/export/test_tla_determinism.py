"""Exporters are pure: the same value gives the same bytes under any PYTHONHASHSEED."""

import os
import subprocess
import sys

from tests.tla_support import REPO

SCRIPT = r"""
import hashlib, sys
from cspotlp.csp import build_lts
from cspotlp.csp.models import dining_philosophers
from cspotlp.export import EventLog, LogEntry, lts_to_tla, trace_validation

model = dining_philosophers(3, butler=True)
lts = build_lts(model.process, model.env)
files = dict(lts_to_tla(lts, module="DP3").files())
log = EventLog.of([LogEntry("sits.0", "t", "s1"), LogEntry("picks.0.0", "t", "s2"), "eats.0"])
files |= trace_validation(lts, [log, ["sits.1"]], model="DP3").files
files |= {"nd/" + k: v for k, v in trace_validation(lts, [log], model="DP3", ndjson=True).files.items()}
digest = hashlib.sha256()
for name in files:
    digest.update(name.encode() + b"\0" + files[name].encode() + b"\0")
sys.stdout.write(digest.hexdigest())
"""


def _run(seed):
    env = dict(os.environ, PYTHONHASHSEED=str(seed), PYTHONPATH=str(REPO))
    result = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True,
                            text=True, check=False, timeout=300)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_same_bytes_under_two_hash_seeds():
    first, second = _run(0), _run(4242)
    assert len(first) == 64
    assert first == second
