import os
import subprocess
import sys

import pytest

from cspotlp import csp
from cspotlp.csp import STOP, Environment, build_lts
from cspotlp.errors import ExportError
from cspotlp.mapping import Begin, End, Mark, phi
from cspotlp.render import forest_to_dot, lts_to_dot, render, timeline
from tests.paths import REPO


def small_lts():
    env = Environment()
    a = env.channel("a").event()
    b = env.channel("b").event()
    return build_lts(csp.int_choice(csp.prefix(a, STOP), csp.prefix(b, csp.SKIP)), env)


def test_lts_dot_marks_tau_and_deadlocks():
    text = lts_to_dot(small_lts())
    assert 's0 -> s1 [label="τ", style=dashed];' in text
    assert 'color="red"' in text  # a -> STOP deadlocks
    svg = render(text)
    assert svg.startswith(b"<?xml") or b"<svg" in svg[:400]


def test_forest_dot_escapes_hostile_names_and_renders():
    f = phi((Begin(1, None, 'say "hi"\\\n'), Mark(1, "m"), Begin(2, 1, "child"), End(2, "ERROR"), End(1, "OK")))
    text = forest_to_dot(f)
    assert '"span:1" -> "span:2";' in text
    assert b"<svg" in render(text)[:400]


def test_timeline_rows():
    f = phi((Begin(1, None, "root"), Begin(2, 1, "child"), End(2), End(1), Begin(3, None, "late")))
    rows = timeline(f, width=20).splitlines()
    assert rows[0].startswith("root") and rows[1].startswith("  child") and rows[2].endswith("…")


def test_too_big_to_draw():
    with pytest.raises(ExportError, match="limited"):
        lts_to_dot(small_lts(), max_states=1)


def test_dot_output_is_deterministic_across_hash_seeds():
    code = ("from tests.unit.render.test_dot import small_lts; from cspotlp.render import lts_to_dot;"
            "import sys; sys.stdout.write(lts_to_dot(small_lts()))")
    outs = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           env={**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(REPO)}, cwd=REPO).stdout
            for seed in ("1", "2")}
    assert len(outs) == 1 and outs.pop().startswith("digraph")
