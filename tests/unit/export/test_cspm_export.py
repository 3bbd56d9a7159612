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
from cspotlp.mapping.observed import abstract_observed
from cspotlp.otlp import CapturedTrace, Span, dumps_jsonl
from tests.flow_fixtures import (
    CHECKOUT_SPEC,
    REPO,
    TraceBuilder,
    checkout_abstraction,
    checkout_traces,
    order,
    resource,
)

GOLDEN = Path(__file__).resolve().parents[2] / "golden" / "cspm"
MS = 1_000_000


def abstract(traces, abstraction):
    """Each trace with its partial order (the default of otlp2cspm)."""
    return [abstract_observed(t, abstraction) for t in traces]


def abstract_in_time_order(traces, abstraction):
    """Each trace as one sequence of events, in Ψ's order."""
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


def concurrent_traces():
    """Siblings as an N-shaped interval order (a, b before c; b before d; a and d overlap),
    and a child its parent did not wait for (it ends 5 ms after the parent)."""
    b = TraceBuilder(7)
    root = b.begin("front", "Checkout", 2, "")
    spans = {}
    for name, start, end, parent in (("GetCart", 0, 5, root), ("Convert", 0, 1, root),
                                     ("GetQuote", 3, 10, root), ("Charge", 7, 8, root),
                                     ("ShipOrder", 12, 30, root)):
        spans[name] = (name, start, end, parent)
    t0 = b.clock
    out = []
    for name, start, end, parent in spans.values():
        s = b.begin(f"svc{name}", name, 1, parent["id"])
        out.append(Span(b.trace_id, s["id"], parent["id"], name, 1, t0 + start * 1_000_000,
                        t0 + end * 1_000_000, resource=resource(f"svc{name}")))
    root_span = Span(b.trace_id, root["id"], "", "Checkout", 2, root["start"],
                     t0 + 25 * 1_000_000, resource=resource("front"))
    return [CapturedTrace(b.trace_id, (root_span, *out))]


CASES = {
    "checkout_nospec": lambda: export_cspm(
        abstract(checkout_traces(), checkout_abstraction()), checkout_abstraction(),
        per_trace=True, sources=["checkout.jsonl"]),
    "checkout_spec": lambda: export_cspm(
        abstract(checkout_traces(), checkout_abstraction()), checkout_abstraction(),
        spec=spec_ref(), per_trace=True, sources=["checkout.jsonl"]),
    "checkout_sequential": lambda: export_cspm(
        abstract(checkout_traces(), checkout_abstraction()), checkout_abstraction(),
        spec=spec_ref(), per_trace=True, sources=["checkout.jsonl"], sequential=True),
    "concurrency": lambda: export_cspm(
        abstract(concurrent_traces(), Abstraction(label="{name}")), Abstraction(label="{name}"),
        spec=spec_ref(include=os.path.relpath(REPO / "examples" / "checkout_spec.csp", GOLDEN)),
        sources=["made up"]),
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
    assert "Obs_SPEC = SPEC [| {| obs_done |} |] SKIP" in text
    assert "assert Obs_SPEC [T= OBSERVED" in text
    assert "assert Obs_SPEC [T= Trace_4 ; STOP  -- trace 00000000000000000000000000000004" in text
    assert "assert not STOP [T= Obs_SomeOrder(Trace_4)" in text
    assert "unexpected" not in text
    sequential = CASES["checkout_sequential"]().text
    assert "assert SPEC [T= OBSERVED" in sequential and "obs_done" not in sequential


def test_events_the_spec_lacks_go_to_the_unexpected_channel():
    text = CASES["unexpected"]().text
    assert "channel unexpected : Unexpected" in text
    assert "unexpected.U_call_Zsvc_u2028__h_dGET_w_susers_s_lid_r" in text  # not in Label
    assert "call.ShipOrder" in text  # order 4's events are


def test_prefix_tree_shares_prefixes_and_breaks_long_chains():
    a = checkout_abstraction()
    traces = abstract(checkout_traces(), a)
    text = export_cspm(traces, a, sequential=True).text
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
    assert large.count("\nTrace_") == small.count("\nTrace_")  # one process per distinct one
    assert "(and 65 more trace(s) with this order: see the sidecar)" in large


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
    for traces in (abstract([b.trace()], a), abstract_in_time_order([b.trace()], a)):
        result = export_cspm(traces, a, per_trace=True)
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
    assert "OBSERVED = STOP" in text
    check_script(parse_script(text, "empty.csp"))
    text = export_cspm([], Abstraction(), sequential=True).text
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
    assert b"assert Obs_SPEC [T= OBSERVED" in outputs[0][0]


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
def test_observed_has_exactly_the_prefixes_of_the_orders_of_the_captured_traces(name):
    from cspotlp.csp import traces
    from cspotlp.cspm.evaluate import load_script
    from cspotlp.export.cspm import _tree_of

    loaded = load_script(GOLDEN / f"{name}.csp", allow_include=[CHECKOUT_SPEC.parent])
    side = json.loads((GOLDEN / f"{name}.csp.json").read_text(encoding="utf-8"))
    orders: list[set[tuple[str, ...]]] = []
    for t in side["traces"]:
        row = [e[0] for e in t["events"]]
        if "order" in t:  # the partial order: every linearisation
            lins = _tree_of(t["order"]).order().linearisations()
            orders.append({tuple(row[i] for i in lin) for lin in lins})
        else:
            orders.append({tuple(row)})
    expected = {o[:k] for lins in orders for o in lins for k in range(len(o) + 1)}
    longest = max(len(o) for lins in orders for o in lins)
    got = traces(loaded.process("OBSERVED"), loaded.env, longest + 1)
    assert {tuple(e.name for e in t) for t in got} == expected
    for t, lins in zip(side["traces"], orders, strict=True):  # each trace's own process
        if "process" in t:
            mine = traces(loaded.process(t["process"]), loaded.env, longest + 1)
            assert {tuple(e.name for e in m if e.name != "✓") for m in mine} == \
                {o[:k] for o in lins for k in range(len(o) + 1)}


def test_exported_assertions_have_the_native_verdicts():
    from cspotlp.conformance import ConformanceChecker, load_spec
    from cspotlp.cspm.assertions import check_assertions
    from cspotlp.cspm.evaluate import load_script

    results = check_assertions(load_script(GOLDEN / "checkout_spec.csp",
                                            allow_include=[CHECKOUT_SPEC.parent]))
    process, env = load_spec(CHECKOUT_SPEC, "SPEC")
    verdicts = {orders: ["passed" if r.passed else "failed" for r in
                         ConformanceChecker.for_process(process, env, checkout_abstraction(),
                                                        orders=orders)
                         .check_all(checkout_traces())]
                for orders in ("some", "all")}
    assert verdicts["some"] == verdicts["all"] == ["passed"] * 3 + ["failed"]
    assert [r.result for r in results] == (
        ["passed"] * 3 + ["failed"] + verdicts["all"] + verdicts["some"])
    observed = results[3]
    assert observed.assertion == "assert Obs_SPEC [T= OBSERVED"
    assert observed.counterexample[-1] == "call.ShipOrder"
    located = spans_of_counterexample(CASES["checkout_spec"]().sidecar, observed.counterexample)
    assert [hit["trace_id"] for hit in located] == [f"{4:032x}"]
    assert located[0]["spans"][-1][2] == "oteldemo.ShippingService/ShipOrder"
    unexpected = check_assertions(load_script(GOLDEN / "unexpected.csp",
                                               allow_include=[CHECKOUT_SPEC.parent]))
    observed = next(r for r in unexpected if r.assertion.endswith("[T= OBSERVED"))
    assert observed.result == "failed"
    assert observed.counterexample[0].startswith("unexpected.U_call_Z")


def _script_of(trace, direct_limit):
    """A standalone script defining the trace's process with the given controller form."""
    from cspotlp.export.cspm_order import trace_process

    observed = abstract_observed(trace, Abstraction(label="{name}"))
    names = [e.name for e in observed.events]
    proc = trace_process(observed.tree, names, "T", direct_limit=direct_limit)
    labels = sorted({e.label for e in observed.events})
    decls = [f"datatype Label = {' | '.join(labels)}", "channel call, ret, error : Label"]
    if proc.forks:
        decls.append(f"channel obs_fork : {{0..{proc.forks - 1}}}")
    if proc.group:
        decls.append(f"channel obs_start, obs_finish : {{0..{proc.group - 1}}}")
    if proc.joins:
        decls.append(f"channel obs_join : {{0..{proc.joins - 1}}}")
    return observed, "\n".join([*decls, *proc.lines]) + "\n"


@pytest.mark.parametrize("direct_limit", [0, 16])
def test_both_controllers_have_exactly_the_orders_of_the_trace(direct_limit):
    from cspotlp.csp import traces
    from cspotlp.cspm.evaluate import load_text

    observed, text = _script_of(concurrent_traces()[0], direct_limit)
    assert ("obs_join" in text) == (direct_limit == 0)
    loaded = load_text(text)
    names = [e.name for e in observed.events]
    expected = {tuple(names[i] for i in lin[:k]) for lin in observed.order().linearisations()
                for k in range(len(lin) + 1)}
    got = traces(loaded.process("T"), loaded.env, len(names) + 1)
    assert {tuple(e.name for e in t if e.name != "✓") for t in got} == expected


def test_a_large_group_gets_a_controller_that_grows_linearly():
    # 300 calls in a staircase: each overlaps its neighbours only, so the group is neither
    # series nor parallel, and its transitive reduction would hold ~ n^2 / 2 edges
    b = TraceBuilder(8)
    root = b.begin("front", "Batch", 2, "")
    spans = [Span(b.trace_id, root["id"], "", "Batch", 2, 0, 10_000 * MS,
                  resource=resource("front"))]
    for k in range(300):
        spans.append(Span(b.trace_id, f"{k + 1:016x}", root["id"], "Work", 1, 3 * k * MS,
                          (3 * k + 5) * MS, resource=resource(f"w{k % 7}")))
    observed, text = _script_of(CapturedTrace(b.trace_id, tuple(spans)), 16)
    controller = next(line for line in text.splitlines() if "obs_join" in line)
    assert controller.count("(obs_") < 4 * 300
    check_script(parse_script(text, "staircase.csp"))
