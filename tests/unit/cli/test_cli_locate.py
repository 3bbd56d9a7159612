"""``locate`` reads only sidecars: anything else is "not a sidecar", never "no trace matches"."""

import json

import pytest

from cspotlp.cli import main
from tests.project_data import CAPTURE_PB, CHECKOUT_ABSTRACTION


@pytest.fixture(scope="module")
def sidecar(tmp_path_factory):
    out = tmp_path_factory.mktemp("locate") / "obs.csp"
    assert main(["otlp2cspm", str(CAPTURE_PB), "-o", str(out), "--abstraction",
                 str(CHECKOUT_ABSTRACTION)]) == 0
    return json.loads((out.parent / "obs.csp.json").read_text())


def good_trace(sidecar):
    return "<" + ", ".join(e[0] for e in sidecar["traces"][0]["events"][:3]) + ">"


def test_a_real_sidecar_answers(sidecar, tmp_path, capsys):
    path = tmp_path / "s.json"
    path.write_text(json.dumps(sidecar))
    assert main(["locate", str(path), good_trace(sidecar)]) == 0
    assert "<- here" in capsys.readouterr().out
    assert main(["locate", str(path), "<call.Nothing>"]) == 1
    assert "no captured trace starts with" in capsys.readouterr().out


@pytest.mark.parametrize("mangle, problem", [
    (lambda s: [s], "the document is a JSON array, not an object"),
    (lambda s: 3, "the document is a JSON number, not an object"),
    (lambda s: {**s, "format": "other/1"}, "'format' is 'other/1'"),
    (lambda s: {k: v for k, v in s.items() if k != "traces"}, "'traces' is null, not a list"),
    (lambda s: {**s, "traces": [{**s["traces"][0], "events": None}]},
     r"traces\[0\].events is null, not a list"),
    (lambda s: {**s, "traces": [{k: v for k, v in s["traces"][0].items() if k != "trace_id"}]},
     r"traces\[0\].trace_id is null, not a string"),
    (lambda s: {**s, "traces": [{**s["traces"][0], "events": [["call.X", 1]]}]},
     r"traces\[0\].events\[0\] is not \[event, span id, span name, service\]"),
])
def test_a_file_of_another_shape_is_not_a_sidecar(sidecar, tmp_path, capsys, mangle, problem):
    path = tmp_path / "s.json"
    path.write_text(json.dumps(mangle(sidecar)))
    assert main(["locate", str(path), good_trace(sidecar)]) == 2
    err = capsys.readouterr().err
    assert "not a sidecar" in err
    assert __import__("re").search(problem, err), err


@pytest.mark.parametrize("content", ["[" * 100_000, '{"a": ' * 100_000, "not json", ""])
def test_deep_or_broken_json_is_not_a_sidecar(tmp_path, capsys, content):
    path = tmp_path / "s.json"
    path.write_text(content)
    assert main(["locate", str(path), "<a>"]) == 2
    assert "not a sidecar" in capsys.readouterr().err


def test_devices_are_not_read(capsys):
    assert main(["locate", "/dev/zero", "<a>"]) == 2
    assert "not a regular file" in capsys.readouterr().err
