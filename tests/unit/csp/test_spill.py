"""``--spill DIR``: the native search keeps its hash table and its levels in files of DIR mapped
into memory (unlinked at once), so a memory bound that stops the in-memory search does not stop
it; when the table no longer fits, the visited set moves to disk (tests/unit/csp/test_external.py);
the results are the same, and nothing is left in DIR."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from cspotlp.cli import main
from cspotlp.csp import Budget, explore, levels, native, parallel
from cspotlp.csp.models import dining_philosophers
from cspotlp.errors import CspError

pytestmark = pytest.mark.skipif(native.KERNEL is None, reason=f"native engine: {native.UNAVAILABLE}")


def test_a_spilled_search_keeps_its_table_and_levels_in_unlinked_files(tmp_path, monkeypatch):
    seen = []
    close_level = levels.LevelStore.close_level

    def watch(store):
        close_level(store)
        with open("/proc/self/maps", encoding="ascii", errors="replace") as f:
            maps = f.read()
        seen.append((type(store.levels[-1][0]) if store.levels[-1] else None,
                     f"{tmp_path}/cspotlp-table-" in maps and "(deleted)" in maps))

    monkeypatch.setattr(levels.LevelStore, "close_level", watch)
    m = dining_philosophers(6)
    spilled = explore(m.process, m.env, budget=Budget(engine="native", spill=str(tmp_path)))
    monkeypatch.undo()
    in_memory = explore(m.process, m.env, budget=Budget(engine="native"))
    assert (spilled.states, spilled.transitions, spilled.complete) == (
        in_memory.states, in_memory.transitions, True)
    assert seen and all(kind is np.memmap and mapped for kind, mapped in seen)
    assert os.listdir(tmp_path) == []  # unlinked as soon as made


def explore_cli(n, limit, workers, *options):
    """``cspotlp explore --builtin dining_philosophers`` in a fresh process (its memory does not
    depend on the tests run before), as JSON."""
    out = subprocess.run(
        [sys.executable, "-m", "cspotlp", "explore", "--builtin", "dining_philosophers", "--n", str(n),
         "--memory-limit", limit, "--workers", str(workers), "--json", *options],
        capture_output=True, text=True, timeout=120, check=False)
    assert out.returncode == 1 and out.stderr == "", out.stderr  # they deadlock
    return json.loads(out.stdout)


@pytest.mark.parametrize(("workers", "n", "limit", "reason", "states"), [
    # about 32 MiB at the start (19 MiB of it anonymous); 1,679,616 states need a table of 32 MiB
    # and levels of 13 MiB more, past 75 MiB; spilled, only the table must fit beside the
    # anonymous memory
    (1, 8, "75M", "memory limit 75.0 MiB reached", 1_679_616),
    # each worker holds half of the table (64 MiB) and of the levels (40 MiB); the state bound
    # (40 bytes a state) stops the search in memory; spilled, the bound follows the disk
    (2, 9, "210M", "state limit 5,505,024 reached (5,505,024 states stored; the default limit "
                   "follows the memory bound 210.0 MiB)", 10_077_694),
])
def test_a_memory_bound_that_stops_the_search_in_memory_does_not_stop_a_spilled_one(
        tmp_path, workers, n, limit, reason, states):
    if workers > 1 and not parallel.can_fork():
        pytest.skip("worker processes are forked: this platform cannot fork")
    stopped = explore_cli(n, limit, workers)
    assert not stopped["complete"] and stopped["reason"].startswith(reason)
    spilled = explore_cli(n, limit, workers, "--spill", str(tmp_path / "spill"))
    assert (spilled["states"], spilled["complete"], spilled["reason"]) == (states, True, None)
    assert spilled["counterexample"] == stopped["counterexample"]  # found in the first levels
    assert os.listdir(tmp_path / "spill") == []


SHARE_SCRIPT = """
from cspotlp.csp import Budget, explore
from cspotlp.csp.budget import resident_memory
from cspotlp.csp.models import dining_philosophers

m = dining_philosophers(9)
budget = Budget(engine="native", workers=2, state_limit=10**9,
                memory_limit=resident_memory() + (60 << 20))
print(explore(m.process, m.env, budget=budget).reason)
"""


def test_each_worker_is_held_to_its_share_of_the_memory_bound():
    if not parallel.can_fork():
        pytest.skip("worker processes are forked: this platform cannot fork")
    # a fresh process, 60 MiB beyond what it holds: the coordinator's rule tables fit; each
    # worker starts as a copy of it and may use half of the 60 MiB, far less than its half of
    # N = 9's table and levels (104 MiB)
    out = subprocess.run([sys.executable, "-c", SHARE_SCRIPT], capture_output=True, text=True,
                         timeout=120, check=False)
    assert out.returncode == 0 and out.stderr == "", out.stderr
    reason = out.stdout.strip()
    assert reason.startswith("search worker ") and " of 2 (its share of the memory limit " in reason
    assert "): memory limit " in reason


def test_a_spilled_search_whose_table_outgrows_memory_goes_on_with_its_visited_set_on_disk(tmp_path):
    # 60 MiB hold a table of 16 MiB, not the 32 MiB that 1,679,616 states need: the visited set
    # moves to disk (cspotlp.csp.external) and the search completes with the in-memory answer
    stopped = explore_cli(8, "60M", 1)
    assert not stopped["complete"] and stopped["reason"].startswith("memory limit 60.0 MiB reached")
    spilled = explore_cli(8, "60M", 1, "--spill", str(tmp_path))
    in_memory = explore_cli(8, "1G", 1)
    assert (spilled["states"], spilled["transitions"], spilled["complete"]) == (1_679_616, 11_837_296, True)
    assert spilled["counterexample"] == in_memory["counterexample"] is not None
    assert os.listdir(tmp_path) == []


def test_a_spill_folder_that_cannot_be_written_is_refused(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(CspError, match=f"cannot spill to {blocker}/x"):
        Budget(spill=str(blocker / "x"))
    with pytest.raises(SystemExit):
        main(["explore", "--builtin", "dining_philosophers", "--n", "3", "--spill", str(blocker / "x")])
    assert f"argument --spill: cannot spill to {blocker}/x: Not a directory" in capsys.readouterr().err


@pytest.mark.parametrize(("cores", "spill"), [("--workers", True), ("--threads", False)])
def test_the_cli_gives_the_same_answer_on_every_core_and_spilled(tmp_path, capsys, cores, spill):
    args = ["explore", "--builtin", "dining_philosophers", "--n", "5", "--json"]
    assert main(args) == 1  # they deadlock
    plain = json.loads(capsys.readouterr().out)
    assert main([*args, cores, "2", *(["--spill", str(tmp_path)] if spill else [])]) == 1
    both = json.loads(capsys.readouterr().out)
    plain.pop("seconds"), both.pop("seconds")
    assert both == plain and plain["states"] == 7_774 and plain["counterexample"]
    for bad in ("0", "256", "many"):
        with pytest.raises(SystemExit):
            main([*args, cores, bad])
        assert f"argument {cores}" in capsys.readouterr().err
