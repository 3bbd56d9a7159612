"""otlp2tla: captured traces -> trace-validation modules whose TLC verdicts agree with conform."""

import pytest

from cspotlp.cli import main
from cspotlp.otlp import dump_proto_stream
from tests import tla_eval
from tests.flow_fixtures import CHECKOUT_ABSTRACTION, CHECKOUT_SPEC, checkout_traces
from tests.tla_support import assert_parses


@pytest.fixture
def capture(tmp_path):
    path = tmp_path / "checkout.pb"
    path.write_bytes(dump_proto_stream([s for t in checkout_traces() for s in t.spans]))
    return path


def _export(capture, out, *extra):
    return main(["otlp2tla", str(capture), "--model", str(CHECKOUT_SPEC), "--process", "SPEC",
                 "--abstraction", str(CHECKOUT_ABSTRACTION), "-o", str(out), *extra])


def test_otlp2tla_accepts_the_good_orders_and_rejects_order_4_at_its_ship_span(
        tmp_path, capture, capsys):
    assert _export(capture, tmp_path / "tla") == 0
    written = capsys.readouterr().out.split()
    assert [p.rsplit("/", 1)[1] for p in written] == [
        "SPEC.tla", "SPEC.cfg", *[f"SPECTrace{k}.{x}" for k in range(1, 5) for x in ("tla", "cfg")]]
    for path in written:
        if path.endswith(".tla"):
            assert_parses((tmp_path / "tla" / path.rsplit("/", 1)[1]).read_text(encoding="ascii"))
    verdicts = [tla_eval.check(tmp_path / "tla", f"SPECTrace{k}") for k in range(1, 5)]
    assert [v.outcome for v in verdicts] == ["ok", "ok", "ok", "postcondition"]
    (message,) = verdicts[3].printed
    order4 = checkout_traces()[3]
    ship = next(s for s in order4.spans
                if s.name.endswith("ShipOrder") and s.kind == 2)  # the server span
    assert f'spanId |-> "{ship.span_id}"' in message
    assert f'traceId |-> "{order4.trace_id}"' in message
    assert 'label |-> "call.ShipOrder"' in message


def test_otlp2tla_ndjson_variant_agrees(tmp_path, capture, capsys):
    assert _export(capture, tmp_path, "--ndjson") == 0
    capsys.readouterr()
    outcomes = [tla_eval.check(tmp_path, "SPECTrace", env={"JSON": str(tmp_path / f"SPECTrace{k}.ndjson")}).outcome
                for k in range(1, 5)]
    assert outcomes == ["ok", "ok", "ok", "postcondition"]


def test_otlp2tla_errors_are_input_errors(tmp_path, capture, capsys):
    assert main(["otlp2tla", str(capture), "--model", str(CHECKOUT_SPEC), "--process", "NOPE",
                 "-o", str(tmp_path)]) == 2
    assert "NOPE" in capsys.readouterr().err
    empty = tmp_path / "empty.json"
    empty.write_text('{"resourceSpans": []}')
    assert main(["otlp2tla", str(empty), "--model", str(CHECKOUT_SPEC), "-o", str(tmp_path)]) == 2
    assert "no traces" in capsys.readouterr().err
