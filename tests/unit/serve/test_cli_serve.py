"""`cspotlp serve` as a process: start-up message, SIGTERM drains and exits 0, refusals."""

import json
import os
import re
import signal
import subprocess
import sys

import pytest
import requests

from cspotlp.cli import main
from cspotlp.otlp.otlp_proto import encode_request
from tests.flow_fixtures import CHECKOUT_ABSTRACTION, CHECKOUT_SPEC, REPO, checkout_traces

SERVE = [sys.executable, "-m", "cspotlp", "serve", "--spec", str(CHECKOUT_SPEC),
         "--abstraction", str(CHECKOUT_ABSTRACTION)]


def start(args, tmp_path):
    proc = subprocess.Popen([*SERVE, *args], cwd=REPO, stderr=subprocess.PIPE, text=True,
                            stdout=subprocess.PIPE, env={**os.environ, "PYTHONPATH": str(REPO)})
    line = proc.stderr.readline()
    found = re.search(r"(http://127\.0\.0\.1:\d+)", line)
    if found is None:
        proc.kill()
        pytest.fail(f"no start-up line: {line!r}{proc.stderr.read()}")
    return proc, found.group(1)


def test_sigterm_checks_what_is_buffered_writes_and_exits_0(tmp_path):
    out = tmp_path / "verdicts.jsonl"
    proc, url = start(["--http", "127.0.0.1:0", "--no-grpc", "--trace-timeout", "60",
                       "--out", str(out)], tmp_path)
    try:
        traces = checkout_traces()
        whole = [s for t in traces[:3] for s in t.spans]
        rootless = [s for s in traces[3].spans if s.parent_span_id]  # its root never comes
        body = encode_request(whole + rootless).SerializeToString()
        r = requests.post(url + "/v1/traces", data=body,
                          headers={"Content-Type": "application/x-protobuf"}, timeout=10)
        assert r.status_code == 200
        assert out.read_text() == ""  # nothing is ready before the 60 s quiet period
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
    finally:
        proc.kill()
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    assert [x["verdict"] for x in lines] == ["pass", "pass", "pass", "incomplete"]
    assert lines[3]["incomplete"].startswith("the receiver stopped before the root span")
    assert "stopped; 4 trace(s) checked: 3 pass, 0 fail, 0 error, 1 incomplete" in proc.stderr.read()


@pytest.mark.parametrize(("args", "words"), [
    (["--http", "0.0.0.0:0", "--no-grpc"], "needs TLS (--tls-cert, --tls-key) and a bearer token"),
    (["--http", "127.0.0.1:0", "--grpc", "0.0.0.0:0", "--auth-token", "x"], "needs TLS"),
    (["--http", "localhost"], "expected HOST:PORT"),
    (["--http", "127.0.0.1:0", "--tls-cert", "nope.pem"], "needs both --tls-cert and --tls-key"),
    (["--http", "127.0.0.1:0", "--forward", "ftp://x"], "expected an http://"),
])
def test_unsafe_or_bad_options_are_refused_before_serving(args, words, capsys):
    assert main([*SERVE[3:], *args]) == 2
    assert words in capsys.readouterr().err
