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

RUN = '''
import sys
from cspotlp.cli import main
folder, out = sys.argv[1], sys.argv[2]
code = main(["go", folder + "/model.py", "--json", "--cspm", out + "/m.csp", "--tla", out + "/tla",
             "--trace-json", out + "/run.json"])
assert code == 0, code
sys.path.insert(0, folder)
import model
from cspotlp.render import goroutine_to_dot, sequence_svg
from cspotlp.gomodel import terminating_trace
m = model.program().compile()
run = terminating_trace(m)
print(goroutine_to_dot(m, 2, run))
print(sequence_svg(m, run))
'''


def _outputs(tmp_path, seed):
    """The command's report and files, and the drawings, made in a process with this hash seed."""
    out = tmp_path / f"seed{seed}"
    out.mkdir()
    env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, "-c", RUN, str(tmp_path), str(out)], capture_output=True,
                          text=True, env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    files = {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}
    return done.stdout, files


def test_exports_and_drawings_do_not_depend_on_the_hash_seed(tmp_path):
    (tmp_path / "model.py").write_text(MODEL)
    first, second = _outputs(tmp_path, "1"), _outputs(tmp_path, "2")
    assert set(first[1]) == {"m.csp", "run.json", "tla/results.cfg", "tla/results.tla"}
    assert b"Received ==" in first[1]["tla/results.tla"] and b"SF_vars" in first[1]["tla/results.tla"]
    assert "<svg" in first[0] and "digraph goroutine" in first[0]
    assert first == second
