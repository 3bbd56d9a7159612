"""The CLI of the partial-order semantics: conform's orders and options, otlp2cspm's outputs,
locate on reordered counterexamples, and the bad input of issue 12."""

import json

import pytest

from cspotlp.cli import main
from cspotlp.cli.conformance import duration_ns
from cspotlp.otlp import Resource, Span, attributes, dumps_jsonl
from tests.flow_fixtures import CHECKOUT_ABSTRACTION, CHECKOUT_SPEC, checkout_traces

MS = 1_000_000
TID = "ef" * 16


def res(service):
    return Resource(attributes({"service.name": service}))


@pytest.fixture
def names(tmp_path):
    """An abstraction labelling each span by its name."""
    path = tmp_path / "names.json"
    path.write_text('{"label": "{name}"}')
    return path


@pytest.fixture
def overlap(tmp_path):
    """Checkout over GetCart and Convert, overlapping, from two services; a specification
    that wants GetCart to return before Convert is called (SPEC) and one that does not care
    (BOTH)."""
    spans = (
        Span(TID, "01" * 8, "", "Checkout", 2, 0, 20 * MS, resource=res("front")),
        Span(TID, "02" * 8, "01" * 8, "GetCart", 2, 1 * MS, 4 * MS, resource=res("cart")),
        Span(TID, "03" * 8, "01" * 8, "Convert", 2, 2 * MS, 5 * MS, resource=res("currency")))
    path = tmp_path / "overlap.jsonl"
    path.write_text(dumps_jsonl(spans))
    spec = tmp_path / "spec.csp"
    spec.write_text("datatype Label = Checkout | GetCart | Convert\n"
                    "channel call, ret, error : Label\n"
                    "Call(l) = call.l -> ret.l -> SKIP\n"
                    "SPEC = call.Checkout -> (Call(GetCart) ; Call(Convert)) ; ret.Checkout -> "
                    "SKIP\n"
                    "BOTH = call.Checkout -> (Call(GetCart) ||| Call(Convert)) ; ret.Checkout -> "
                    "SKIP\n")
    return path, spec


def conform(names, *argv):
    return main(["conform", "--abstraction", str(names), *map(str, argv)])


def test_some_order_every_order_and_the_time_order(overlap, names, capsys):
    path, spec = overlap
    # the calls overlap: GetCart may have returned before Convert was called
    assert conform(names, "--spec", spec, path) == 0
    assert conform(names, "--spec", spec, "--sequential", path) == 1
    assert conform(names, "--spec", spec, "--all-orders", path) == 1
    out = capsys.readouterr().out
    assert out.count("event 3, call.Convert, is refused") == 2
    for orders in ([], ["--all-orders"], ["--sequential"]):
        assert conform(names, "--spec", spec, "--process", "BOTH", *orders, path) == 0
    capsys.readouterr()
    assert conform(names, "--spec", spec, "--skew-tolerance", "0", "--json", path) == 0
    doc = json.loads(capsys.readouterr().out)
    assert (doc["orders"], doc["skew_tolerance_ns"]) == ("some", 0)
    assert doc["results"][0]["order"] == [0, 1, 3, 2, 4, 5]  # the order found


def test_all_orders_and_sequential_exclude_each_other(overlap, names, capsys):
    path, spec = overlap
    with pytest.raises(SystemExit) as e:
        conform(names, "--spec", spec, "--all-orders", "--sequential", path)
    assert e.value.code == 2
    assert "not allowed with argument" in capsys.readouterr().err


def test_the_search_limit_gives_inconclusive_not_pass(tmp_path, names, capsys):
    spans = [Span(TID, "01" * 8, "", "P", 2, 0, 20 * MS, resource=res("front"))]
    spans += [Span(TID, f"{k + 2:016x}", "01" * 8, "W", 2, MS, 5 * MS, resource=res(f"s{k}"))
              for k in range(6)]
    path = tmp_path / "fan.jsonl"
    path.write_text(dumps_jsonl(spans))
    spec = tmp_path / "fan.csp"
    spec.write_text("datatype Label = P | W\nchannel call, ret, error : Label\n"
                    "SPEC = call.P -> (||| i : {1..6} @ call.W -> ret.W -> SKIP) ; ret.P -> SKIP\n")
    assert conform(names, "--spec", spec, "--all-orders", path) == 0
    assert conform(names, "--spec", spec, "--all-orders", "--search-limit", "3", path) == 1
    out = capsys.readouterr().out
    assert "INCONCLUSIVE" in out and out.rstrip().endswith("0 error, 1 inconclusive")
    assert conform(names, "--spec", spec, "--search-limit", "0", path) == 2


def test_no_traces_to_check_is_a_failure(tmp_path, capsys):
    empty = tmp_path / "empty.json"
    empty.write_text('{"resourceSpans": []}')
    assert main(["conform", "--spec", str(CHECKOUT_SPEC), str(empty)]) == 1
    captured = capsys.readouterr()
    assert "no traces to check" in captured.err and "0 trace(s)" in captured.out


@pytest.mark.parametrize("text, ns", [("1ms", MS), ("250us", 250_000), ("250µs", 250_000),
                                      ("0", 0), ("0.5s", 500_000_000), ("7ns", 7)])
def test_durations(text, ns):
    assert duration_ns(text) == ns


@pytest.mark.parametrize("text", ["1", "-1ms", "abc", "nanms", "infms", "1e9s"])
def test_bad_durations(text, capsys):
    with pytest.raises(SystemExit) as e:
        main(["conform", "--spec", str(CHECKOUT_SPEC), f"--skew-tolerance={text}", "x.json"])
    assert e.value.code == 2
    assert "is not a duration" in capsys.readouterr().err


def test_otlp2cspm_creates_the_output_folder_and_warns_when_nothing_is_in_the_alphabet(
        tmp_path, capsys):
    capture = tmp_path / "c.jsonl"
    capture.write_text(dumps_jsonl([s for t in checkout_traces() for s in t.spans]))
    out = tmp_path / "new" / "deeper" / "obs.csp"
    # the default abstraction labels spans service.name: none is a label of the spec
    assert main(["otlp2cspm", str(capture), "-o", str(out), "--spec", str(CHECKOUT_SPEC)]) == 0
    err = capsys.readouterr().err
    assert "every event fell on the 'unexpected' channel" in err
    assert out.is_file() and (tmp_path / "new" / "deeper" / "obs.csp.json").is_file()
    assert main(["otlp2cspm", str(capture), "-o", str(out), "--spec", str(CHECKOUT_SPEC),
                 "--abstraction", str(CHECKOUT_ABSTRACTION)]) == 0
    assert "unexpected" not in capsys.readouterr().err


def test_otlp2cspm_sequential_writes_one_prefix_tree(tmp_path, capsys):
    capture = tmp_path / "c.jsonl"
    capture.write_text(dumps_jsonl([s for t in checkout_traces() for s in t.spans]))
    assert main(["otlp2cspm", str(capture), "-o", "-", "--sequential", "--spec",
                 str(CHECKOUT_SPEC), "--abstraction", str(CHECKOUT_ABSTRACTION)]) == 0
    text = capsys.readouterr().out
    assert "OBSERVED = Obs_0" in text and "|||" not in text and "obs_done" not in text


def test_locate_finds_a_counterexample_in_another_order(overlap, names, tmp_path, capsys):
    path, spec = overlap
    script = tmp_path / "o.csp"
    assert main(["otlp2cspm", str(path), "-o", str(script), "--spec", str(spec),
                 "--abstraction", str(names)]) == 0
    capsys.readouterr()
    # Convert before GetCart: not the clocks' order, but one the trace's order allows
    assert main(["locate", f"{script}.json", "<call.Checkout, call.Convert>"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"trace {TID} ({path})"
    assert out[-1].startswith("    2. call.Convert") and out[-1].endswith("<- here")
    assert main(["locate", f"{script}.json", "<call.Convert>"]) == 1  # not before Checkout


def test_abstract_prints_the_time_order_and_the_tolerated_skew(tmp_path, names, capsys):
    spans = (Span(TID, "01" * 8, "", "P", 2, 5 * MS, 20 * MS, resource=res("front")),
             Span(TID, "02" * 8, "01" * 8, "C", 2, 4 * MS, 6 * MS, resource=res("back")))
    path = tmp_path / "skew.jsonl"
    path.write_text(dumps_jsonl(spans))
    assert main(["abstract", str(path), "--abstraction", str(names)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[1].startswith("-- repaired (clock-skew: span 0202020202020202: starts 1.000 ms "
                             "before its parent")
    assert [line.split()[0] for line in out[2:]] == ["call.P", "call.C", "ret.C", "ret.P"]
    assert main(["abstract", str(path), "--strict"]) == 2
    assert "clamp-skew" in capsys.readouterr().err


def test_locate_reads_version_1_sidecars_and_refuses_a_broken_order(overlap, names, tmp_path,
                                                                     capsys):
    path, spec = overlap
    script = tmp_path / "o.csp"
    assert main(["otlp2cspm", str(path), "-o", str(script), "--spec", str(spec),
                 "--abstraction", str(names)]) == 0
    side = json.loads((tmp_path / "o.csp.json").read_text())
    old = {"format": "cspotlp-cspm-map/1",
           "traces": [{k: v for k, v in t.items() if k in ("trace_id", "file", "events")}
                      for t in side["traces"]]}
    (tmp_path / "v1.json").write_text(json.dumps(old))
    capsys.readouterr()
    assert main(["locate", str(tmp_path / "v1.json"), "<call.Checkout, call.GetCart>"]) == 0
    assert main(["locate", str(tmp_path / "v1.json"), "<call.Checkout, call.Convert>"]) == 1
    side["traces"][0]["order"]["parent"] = [1, 0, 0]  # a cycle
    (tmp_path / "broken.json").write_text(json.dumps(side))
    capsys.readouterr()
    assert main(["locate", str(tmp_path / "broken.json"), "<call.Checkout>"]) == 2
    assert "traces[0].order: the parents form a cycle" in capsys.readouterr().err
