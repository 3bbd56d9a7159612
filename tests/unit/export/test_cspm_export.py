import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cspotlp.cspm import ast, check_script, parse_file, parse_script
from cspotlp.errors import ExportError
from cspotlp.export.cspm import CHAIN, SpecRef, export_cspm, spans_of_counterexample
from cspotlp.export.cspm_spec import read_spec_interface
from cspotlp.mapping.abstraction import Abstraction, Template, abstract_trace
from cspotlp.otlp import dumps_jsonl
from tests.flow_fixtures import (
    CHECKOUT_SPEC,
    REPO,
    TraceBuilder,
    checkout_abstraction,
    checkout_traces,
    order,
)

GOLDEN = Path(__file__).resolve().parents[2] / "golden" / "cspm"


def abstract(traces, abstraction):
    return [abstract_trace(t, abstraction) for t in traces]


def spec_ref(process="SPEC", include=None):
    interface = read_spec_interface(CHECKOUT_SPEC)
    include = include or os.path.relpath(CHECKOUT_SPEC, GOLDEN)
    return SpecRef(include, process, interface.channels, interface.names)


def hostile_traces():
    b = TraceBuilder(5, file='we"ird\nfile--{-.jsonl')
    names = ["GET /users/{id}", "a--b", "{-x-}", 'quote"s', "new\nline", "ünïcødé ✓",
             "call", "STOP", "", "-- not a comment", "x_y", "x.y"]
    root = b.begin("svc\u2028-", names[0], 2, "")
    for n in names[1:]:
        b.end(b.begin("svc\u2028-", n, 1, root["id"], **{"k": n}))
    b.end(root, error=True)
    return [b.trace()]


CASES = {
    "checkout_nospec": lambda: export_cspm(
        abstract(checkout_traces(), checkout_abstraction()), checkout_abstraction(),
        per_trace=True, sources=["checkout.jsonl"]),
    "checkout_spec": lambda: export_cspm(
        abstract(checkout_traces(), checkout_abstraction()), checkout_abstraction(),
        spec=spec_ref(), per_trace=True, sources=["checkout.jsonl"]),
    "checkout_default": lambda: export_cspm(
        abstract(checkout_traces()[:2], Abstraction(data=("app.order.id",))),
        Abstraction(data=("app.order.id",)), sources=["checkout.jsonl"]),
    "hostile": lambda: export_cspm(
        abstract(hostile_traces(), Abstraction(label="{name}", data=("k",))),
        Abstraction(label="{name}", data=("k",)), per_trace=True, sources=["x\n--{-"],
        notes=["a -} note\nwith newline"]),
    "unexpected": lambda: export_cspm(
        abstract(hostile_traces() + checkout_traces()[3:], checkout_abstraction()),
        checkout_abstraction(), spec=spec_ref(), sources=["mixed"]),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden(name, update_golden):
    result = CASES[name]()
    sidecar = json.dumps(result.sidecar, indent=1, ensure_ascii=False) + "\n"
    csp, side = GOLDEN / f"{name}.csp", GOLDEN / f"{name}.csp.json"
    if update_golden:
        csp.write_text(result.text, encoding="utf-8", newline="\n")
        side.write_text(sidecar, encoding="utf-8", newline="\n")
    assert result.text == csp.read_text(encoding="utf-8")
    assert sidecar == side.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_golden_script_parses_and_type_checks(name):
    # includes inlined, as FDR reads it (the spec lies outside the golden files' tree)
    script = parse_file(GOLDEN / f"{name}.csp", allow_include=[CHECKOUT_SPEC.parent])
    check_script(script)
    text = (GOLDEN / f"{name}.csp").read_text(encoding="utf-8")
    assert text.endswith("\n") and "\r" not in text
    assert all(ord(c) < 128 for c in text)  # everything the input controls is escaped


def test_spec_mode_reuses_the_spec_alphabet_and_asserts():
    text = CASES["checkout_spec"]().text
    assert 'include "' in text and "datatype Label" not in text
    assert "assert SPEC [T= OBSERVED" in text
    assert "assert SPEC [T= Trace_4  -- trace 00000000000000000000000000000004" in text
    assert "unexpected" not in text


def test_events_the_spec_lacks_go_to_the_unexpected_channel():
    text = CASES["unexpected"]().text
    assert "channel unexpected : Unexpected" in text
    assert "unexpected.U_call_Zsvc_u2028__h_dGET_w_susers_s_lid_r" in text  # not in Label
    assert "call.ShipOrder" in text  # order 4's events are


def test_prefix_tree_shares_prefixes_and_breaks_long_chains():
    a = checkout_abstraction()
    traces = abstract(checkout_traces(), a)
    text = export_cspm(traces, a).text
    obs = [line for line in text.splitlines() if line.startswith("Obs_")]
    # all four orders share call.Checkout -> call.PlaceOrder -> GetCart, then branch
    assert obs[0].startswith("Obs_0 = call.Checkout -> call.PlaceOrder -> call.GetCart -> ")
    assert all(line.count("->") <= CHAIN + 1 for line in obs)
    total = sum(len(t.events) for t in traces)
    assert sum(line.count("->") for line in obs) < total  # shared prefixes written once


def test_many_traces_size_is_linear():
    a = checkout_abstraction()
    small = export_cspm(abstract([order(k, 1 + k % 3) for k in range(1, 21)], a), a).text
    large = export_cspm(abstract([order(k, 1 + k % 3) for k in range(1, 201)], a), a).text
    assert len(large) < 3 * len(small)  # identical shapes: the tree does not grow


def test_deep_single_trace_has_short_lines():
    b = TraceBuilder(1)
    parent = ""
    opened = []
    for k in range(600):  # a 600-deep chain of spans
        s = b.begin("svc", f"op{k % 5}", 1, parent)
        opened.append(s)
        parent = s["id"]
    for s in reversed(opened):
        b.end(s)
    a = Abstraction(label="{name}")
    result = export_cspm(abstract([b.trace()], a), a, per_trace=True)
    assert max(len(line) for line in result.text.splitlines()) < 400
    check_script(parse_script(result.text, "deep.csp"))


def test_sidecar_points_counterexamples_at_spans():
    result = CASES["checkout_spec"]()
    side = result.sidecar
    assert side["labels"]["ShipOrder"]["label"] == "ShipOrder"
    assert len(side["labels"]["ShipOrder"]["spans"]) == 3  # orders 1, 2 and 4 ship
    events = [e[0] for e in side["traces"][3]["events"]]
    cex = events[:events.index("call.ShipOrder") + 1]
    assert cex[-2:] == ["ret.GetQuote", "call.ShipOrder"]
    found = spans_of_counterexample(side, cex)
    assert [f["trace_id"] for f in found] == [f"{4:032x}"]
    event, span_id, span_name, service = found[0]["spans"][-1]
    assert (event, span_name, service) == ("call.ShipOrder", "oteldemo.ShippingService/ShipOrder",
                                           "shipping")
    assert any(s.span_id == span_id for s in checkout_traces()[3].spans)


def test_bad_spec_references_are_export_errors():
    a = checkout_abstraction()
    traces = abstract(checkout_traces(), a)
    with pytest.raises(ExportError, match="does not define the process 'NOPE'"):
        export_cspm(traces, a, spec=spec_ref("NOPE"))
    with pytest.raises(ExportError, match="include path"):
        export_cspm(traces, a, spec=spec_ref(include='a"b.csp'))
    clash = SpecRef("s.csp", "SPEC", {}, frozenset({"SPEC", "Obs_1"}))
    with pytest.raises(ExportError, match="'Obs_1', a name the export uses"):
        export_cspm(traces, a, spec=clash)


def test_no_traces_still_gives_a_valid_script():
    text = export_cspm([], Abstraction()).text
    assert "Obs_0 = STOP" in text
    check_script(parse_script(text, "empty.csp"))


def test_spec_interface_reads_channel_domains():
    interface = read_spec_interface(CHECKOUT_SPEC)
    (labels,) = interface.channels["call"]
    assert len(labels) == 10
    assert {"SPEC", "ORDER", "Call", "Lookups"} <= interface.processes
    script = parse_script("nametype N = {0..2}\ndatatype D = A | B.N\nchannel c : N.Bool.D\n"
                          "channel d : {x | x <- {0..2}}\nchannel e : Int\nchannel f\n", "i.csp")
    from cspotlp.csp.values import Datum
    from cspotlp.export.cspm_spec import spec_interface
    ch = spec_interface(script).channels
    assert ch["c"] == (frozenset({0, 1, 2}), frozenset({True, False}), frozenset({Datum("A")}))
    assert ch["d"] == (None,) and ch["e"] == (None,) and ch["f"] == ()


def test_output_is_the_same_under_two_hash_seeds(tmp_path):
    capture = tmp_path / "checkout.jsonl"
    capture.write_text(dumps_jsonl([s for t in checkout_traces() for s in t.spans]))
    outputs = []
    for seed in ("0", "12345"):
        out = tmp_path / f"out{seed}.csp"
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(REPO)}
        subprocess.run([sys.executable, "-m", "cspotlp.cli", "otlp2cspm", str(capture), "-o",
                        str(out), "--abstraction", str(REPO / "examples/checkout_abstraction.json"),
                        "--spec", str(CHECKOUT_SPEC), "--per-trace"],
                       check=True, env=env, cwd=tmp_path, capture_output=True)
        outputs.append((out.read_bytes(), Path(str(out) + ".json").read_bytes()))
    assert outputs[0] == outputs[1]
    assert b"assert SPEC [T= OBSERVED" in outputs[0][0]


def test_hostile_names_stay_inside_comments():
    text = CASES["hostile"]().text
    script = parse_script(text, "hostile.csp")
    declared = [d for d in script.decls if not isinstance(d, ast.PatBind)]
    assert [type(d).__name__ for d in declared] == ["DataTypeDecl", "DataTypeDecl", "ChannelDecl"]
    for line in text.splitlines():
        if line.startswith("--"):
            assert "{-" not in line and "-}" not in line and "--" not in line[2:]


def test_templated_labels_collapse_cardinality():
    a = Abstraction(label="{name}", templates=(Template("GET /users/{id}"),))
    b = TraceBuilder(3)
    root = b.begin("web", "root", 2, "")
    for k in range(50):
        b.end(b.begin("web", f"GET /users/{k}", 1, root["id"]))
    b.end(root)
    text = export_cspm(abstract([b.trace()], a), a).text
    assert "datatype Label = L_GET_w_susers_s_lid_r | root" in text


@pytest.mark.parametrize("name", sorted(CASES))
def test_observed_has_exactly_the_prefixes_of_the_captured_traces(name):
    from cspotlp.csp import traces
    from cspotlp.cspm.evaluate import load_script

    loaded = load_script(GOLDEN / f"{name}.csp", allow_include=[CHECKOUT_SPEC.parent])
    side = json.loads((GOLDEN / f"{name}.csp.json").read_text(encoding="utf-8"))
    rows = [[e[0] for e in t["events"]] for t in side["traces"]]
    expected = {tuple(row[:k]) for row in rows for k in range(len(row) + 1)}
    longest = max(map(len, rows))
    got = traces(loaded.process("OBSERVED"), loaded.env, longest + 1)
    assert {tuple(e.name for e in t) for t in got} == expected
    for k, row in enumerate(rows, 1):  # and each per-trace process is its own trace
        if "process" in side["traces"][k - 1]:
            mine = traces(loaded.process(f"Trace_{k}"), loaded.env, longest + 1)
            assert tuple(e.name for e in max(mine, key=len)) == tuple(row)


def test_exported_assertions_have_the_native_verdicts():
    from cspotlp.cspm.assertions import check_assertions
    from cspotlp.cspm.evaluate import load_script

    results = check_assertions(load_script(GOLDEN / "checkout_spec.csp",
                                            allow_include=[CHECKOUT_SPEC.parent]))
    assert [r.result for r in results] == ["passed"] * 3 + ["failed"] + ["passed"] * 3 + ["failed"]
    observed = results[3]
    assert observed.assertion == "assert SPEC [T= OBSERVED"
    assert observed.counterexample[-2:] == ("ret.GetQuote", "call.ShipOrder")
    located = spans_of_counterexample(CASES["checkout_spec"]().sidecar, observed.counterexample)
    assert [hit["trace_id"] for hit in located] == [f"{4:032x}"]
    unexpected = check_assertions(load_script(GOLDEN / "unexpected.csp",
                                               allow_include=[CHECKOUT_SPEC.parent]))
    assert unexpected[-1].result == "failed"
    assert unexpected[-1].counterexample[0].startswith("unexpected.U_call_Z")
