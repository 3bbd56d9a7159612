"""Golden files for the TLA+ exporters: csp2tla of VMC, otlp2tla of a small log (both variants).

Refresh with ``pytest tests/golden/test_tla_golden.py --update-golden`` and review the diff.
"""

from pathlib import Path

from cspotlp.csp import build_lts
from cspotlp.csp.models import vending_machines
from cspotlp.export import EventLog, LogEntry, lts_to_tla, trace_validation

GOLDEN = Path(__file__).resolve().parent / "tla"


def _vmc():
    env, procs = vending_machines()
    return build_lts(procs["VMC"], env)


def _log():
    return EventLog.of(
        [LogEntry("in2p", "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7", "capture.jsonl:1"),
         LogEntry("large", "4bf92f3577b34da6a3ce929d0e0e4736", "b7ad6b7169203331", "capture.jsonl:2"),
         LogEntry("in1p", "4bf92f3577b34da6a3ce929d0e0e4736", "53995c3f42cd8ad8", "capture.jsonl:3")],
        source="capture.jsonl")


def outputs():
    lts = _vmc()
    files = {f"csp2tla/{k}": v for k, v in lts_to_tla(lts, module="VMC").files().items()}
    inline = trace_validation(lts, [_log()], model="VMC")
    files |= {f"otlp2tla/{k}": v for k, v in inline.files.items()}
    ndjson = trace_validation(lts, [_log()], model="VMC", ndjson=True)
    files |= {f"otlp2tla_ndjson/{k}": v for k, v in ndjson.files.items()}
    return files


def test_golden_files(request):
    update = request.config.getoption("--update-golden")
    actual = outputs()
    expected = {str(p.relative_to(GOLDEN)): p for p in GOLDEN.rglob("*") if p.is_file()}
    if update:
        for name, text in actual.items():
            path = GOLDEN / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8", newline="\n")
        for name in sorted(set(expected) - set(actual)):
            expected[name].unlink()
        expected = {name: GOLDEN / name for name in actual}
    assert sorted(expected) == sorted(actual), "golden files missing or stale: run --update-golden"
    for name, text in actual.items():
        assert expected[name].read_text(encoding="utf-8") == text, f"{name} differs from golden"
