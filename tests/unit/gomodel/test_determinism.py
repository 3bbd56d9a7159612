"""The Go-model exports and drawings are the same bytes under any PYTHONHASHSEED (string hashes,
and so set orders, change between processes)."""

import os
import subprocess
import sys

from tests.paths import REPO

MODEL = '''
from cspotlp.export.gomodel import LeadsTo
from cspotlp.gomodel import Program, after, go, on_recv, recv, select, send

def program():
    p = Program("results")
    res = p.chan("res", values=["ok", "fail"], cap=1)
    quit = p.chan("quit", values=[1])

    @p.func
    def worker():
        return [select(on_recv(quit), on_recv(after(1), lambda: [send(res, "ok")]))]

    @p.main
    def main():
        return [go(worker), recv(res)]

    return p

def liveness(model):
    sent = frozenset(e for e in model.all_events() if e.channel == "res_send")
    got = frozenset(e for e in model.all_events() if e.channel == "res_recv")
    return [LeadsTo("Received", sent, got)]
'''

DRAW = '''
import sys
sys.path.insert(0, sys.argv[1])
import model
from cspotlp.render import goroutine_to_dot, sequence_svg
from cspotlp.gomodel import terminating_trace
m = model.program().compile()
run = terminating_trace(m)
print(goroutine_to_dot(m, 2, run))
print(sequence_svg(m, run))
'''


def _outputs(tmp_path, seed):
    out = tmp_path / f"seed{seed}"
    out.mkdir()
    env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(REPO)}
    cli = subprocess.run([sys.executable, "-m", "cspotlp.cli", "go", str(tmp_path / "model.py"), "--json",
                          "--cspm", str(out / "m.csp"), "--tla", str(out / "tla"), "--trace-json",
                          str(out / "run.json")], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert cli.returncode == 0, cli.stderr
    draw = subprocess.run([sys.executable, "-c", DRAW, str(tmp_path)], capture_output=True, text=True,
                          env=env, cwd=tmp_path, check=True)
    files = {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}
    return cli.stdout, draw.stdout, files


def test_exports_and_drawings_do_not_depend_on_the_hash_seed(tmp_path):
    (tmp_path / "model.py").write_text(MODEL)
    first, second = _outputs(tmp_path, "1"), _outputs(tmp_path, "2")
    assert set(first[2]) == {"m.csp", "run.json", "tla/results.cfg", "tla/results.tla"}
    assert b"Received ==" in first[2]["tla/results.tla"] and b"SF_vars" in first[2]["tla/results.tla"]
    assert first == second
