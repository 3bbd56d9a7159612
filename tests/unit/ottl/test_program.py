"""Programs over spans: drops, error modes, determinism, and the seed document's examples."""

import os
import subprocess
import sys

from cspotlp.otlp import CapturedTrace, Resource, Span, Status, attributes, dumps_json
from cspotlp.ottl import RunNotes, load_program, program_from_statements
from tests.paths import REPO
from tests.unit.ottl.spans import attrs, two_spans

EXAMPLES = REPO / "examples" / "ottl"
T = "ab" * 16


def shop_trace():
    """A checkout call: a fast OK child, a slow erroring child, and a fast OK grandchild."""
    res = Resource(attributes({"service.name": "checkout"}))
    ms = 1_000_000
    return [
        Span(T, "0000000000000001", "", "POST /checkout", 2, 0, 50 * ms,
             attributes({"http.request.method": "POST", "http.response.status_code": 502,
                         "user.email": "ann.lee@example.com", "note": "mail bob@ex.org now",
                         "http.url": "/checkout?id=42"}), resource=res),
        Span(T, "0000000000000002", "0000000000000001", "cache get", 3, ms, ms + ms // 2,
             attributes({"user.email": "x@y.io"}), resource=res),
        Span(T, "0000000000000003", "0000000000000001", "charge", 3, 2 * ms, 40 * ms,
             attributes({"http.method": "POST", "http.response.status_code": 500}),
             status=Status(2, "declined"), resource=res),
        Span(T, "0000000000000004", "0000000000000002", "lookup", 1, ms, ms + 10,
             resource=res),
    ]


def test_example_redact_emails():
    out = load_program(EXAMPLES / "redact_emails.ottl").apply_spans(shop_trace())
    assert attrs(out[0])["user.email"] == "***@example.com"
    assert attrs(out[0])["note"] == "mail <email> now"
    assert attrs(out[1])["user.email"] == "***@y.io"


def test_example_keep_service_method_status_class():
    out = load_program(EXAMPLES / "keep_labels.yaml").apply_spans(shop_trace())
    assert attrs(out[0]) == {"service": "checkout", "method": "POST", "status_class": "5xx"}
    assert attrs(out[1]) == {"service": "checkout"}
    assert attrs(out[2]) == {"service": "checkout", "method": "POST", "status_class": "5xx"}


def test_example_drop_fast_successful_spans_reattaches_children():
    out = load_program(EXAMPLES / "drop_fast_ok.yaml").apply_spans(shop_trace())
    assert [s.name for s in out] == ["POST /checkout", "charge"]
    out = program_from_statements(drop=['name == "cache get"']).apply_spans(shop_trace())
    lookup = next(s for s in out if s.name == "lookup")
    assert lookup.parent_span_id == "0000000000000001"  # its parent was dropped


def test_apply_trace_keeps_file_and_lines_of_remaining_spans():
    from array import array

    trace = CapturedTrace(T, tuple(shop_trace()), "f.jsonl", array("q", [1, 2, 3, 4]))
    out = load_program(EXAMPLES / "drop_fast_ok.yaml").apply_trace(trace)
    assert out.file == "f.jsonl" and list(out.lines or []) == [1, 3]


def test_event_drops_and_ignore_notes():
    from cspotlp.ottl import loads_program

    p = loads_program("traces:\n  spanevent: ['name == \"eventB\"']\n", "f.yaml")
    out = p.apply_spans(two_spans())
    assert [e.name for e in out[1].events] == ["eventB2"] and len(out[0].events) == 1
    notes = RunNotes()
    p = program_from_statements(['set(attributes["x"], Substring(name, 0, 99))'] * 30,
                                error_mode="ignore")
    p.apply_spans(two_spans(), notes)
    assert notes.ignored == 60 and len(notes.summary()) == 21
    assert notes.summary()[-1] == "... and 40 more ignored OTTL errors"
    silent = RunNotes()
    p.with_error_mode("silent").apply_spans(two_spans(), silent)
    assert silent.ignored == 0


def test_output_does_not_depend_on_hash_seed(tmp_path):
    script = (
        "from cspotlp.ottl import load_program\n"
        "from cspotlp.otlp import dumps_json\n"
        "from tests.unit.ottl.test_program import shop_trace, EXAMPLES\n"
        "spans = shop_trace()\n"
        "for f in ('redact_emails.ottl', 'keep_labels.yaml', 'drop_fast_ok.yaml'):\n"
        "    spans = load_program(EXAMPLES / f).apply_spans(spans)\n"
        "print(dumps_json(spans))\n")
    outs = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        outs.append(subprocess.run([sys.executable, "-c", script], cwd=REPO, env=env,
                                   capture_output=True, text=True, check=True).stdout)
    assert outs[0] == outs[1] and '"checkout"' in outs[0]


def test_cli_options_apply_before_abstraction(tmp_path, capsys):
    from cspotlp.cli import main

    capture = tmp_path / "shop.json"
    capture.write_text(dumps_json(shop_trace()))
    assert main(["abstract", str(capture), "--ottl", str(EXAMPLES / "drop_fast_ok.yaml")]) == 0
    out = capsys.readouterr().out
    assert "call.checkout.charge" in out and "cache get" not in out
    assert main(["abstract", str(capture), "--ottl-drop", 'kind == SPAN_KIND_CLIENT']) == 0
    out = capsys.readouterr().out
    assert "charge" not in out and "call.checkout.lookup" in out
    assert main(["inspect", str(capture), "--ottl-drop", 'name != "charge"']) == 0
    assert "spans 1," in capsys.readouterr().out


def test_cli_label_from_an_attribute_set_by_ottl(tmp_path, capsys):
    from cspotlp.cli import main

    capture = tmp_path / "shop.json"
    capture.write_text(dumps_json(shop_trace()))
    rules = tmp_path / "labels.ottl"
    rules.write_text('set(attributes["label"], Concat([name, "_", kind.string], ""))\n'
                     'replace_pattern(attributes["label"], "[^A-Za-z_]", "_")\n')
    abstraction = tmp_path / "a.json"
    abstraction.write_text('{"label_attribute": "label"}')
    assert main(["abstract", str(capture), "--ottl", str(rules), "--abstraction",
                 str(abstraction)]) == 0
    assert "call.charge_Client" in capsys.readouterr().out


def test_cli_errors_are_located_and_exit_2(tmp_path, capsys):
    from cspotlp.cli import main

    capture = tmp_path / "shop.json"
    capture.write_text(dumps_json(shop_trace()))
    bad = tmp_path / "bad.ottl"
    bad.write_text('set(attributes["x"], Nope())\n')
    assert main(["abstract", str(capture), "--ottl", str(bad)]) == 2
    err = capsys.readouterr().err
    assert f"{bad}:1:22: undefined function \"Nope\"" in err and err.rstrip().endswith("^")
    assert main(["otlp2cspm", str(capture), "-o", str(tmp_path / "o.csp"), "--ottl-drop",
                 "name =="]) == 2
    assert "<--ottl-drop>:1:8: unexpected end of condition" in capsys.readouterr().err
    bad.write_text('set(attributes["x"], Substring(name, 0, 99))\n')
    assert main(["abstract", str(capture), "--ottl", str(bad)]) == 2
    assert "failed to execute statement" in capsys.readouterr().err
    assert main(["abstract", str(capture), "--ottl", str(bad), "--ottl-error-mode",
                 "ignore"]) == 0
    assert "note: " in capsys.readouterr().err


def test_serve_hook_transforms_each_request_and_drops_a_failing_one(tmp_path, capsys):
    import argparse

    from cspotlp.cli.ottl_options import add_ottl_options, ottl_span_transform

    parser = argparse.ArgumentParser()
    add_ottl_options(parser)
    assert ottl_span_transform(parser.parse_args([]), "serve") is None
    rules = tmp_path / "r.ottl"
    rules.write_text('set(attributes["seen"], true)\n'
                     'set(attributes["x"], Substring(name, 0, 9)) where name == "charge"\n')
    hook = ottl_span_transform(parser.parse_args(["--ottl", str(rules)]), "serve")
    kept = hook([s for s in shop_trace() if s.name != "charge"])
    assert len(kept) == 3 and all(attrs(s)["seen"] is True for s in kept)
    assert hook(shop_trace()) == []
    assert "the request's 4 span(s) are dropped" in capsys.readouterr().err


def test_conform_on_dask_refuses_ottl_rather_than_ignoring_it(tmp_path, capsys):
    from cspotlp.cli import main

    capture = tmp_path / "shop.json"
    capture.write_text(dumps_json(shop_trace()))
    spec = REPO / "examples" / "checkout_spec.csp"
    assert main(["conform", str(capture), "--spec", str(spec), "--dask", "local:1",
                 "--ottl-drop", "true"]) == 2
    assert "do not work with --dask" in capsys.readouterr().err
