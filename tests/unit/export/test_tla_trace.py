"""otlp2tla's generator: trace-validation modules (inlined and ndjson) for event logs."""

import json

import pytest

from cspotlp.csp import SKIP, TICK, Environment, build_lts, hide, prefix
from cspotlp.csp.models import vending_machines
from cspotlp.export import (
    LOG_FIELDS,
    TICK_LABEL,
    EventLog,
    LogEntry,
    encode_label,
    log_labels,
    trace_validation,
    write_files,
)
from tests.tla_support import (
    TLC_ERRORS,
    assert_parses,
    defined_value,
    module_name,
    needs_community_modules,
    needs_tla2tools,
    run_sany,
    run_tlc,
)


def vmc():
    env, procs = vending_machines()
    return build_lts(procs["VMC"], env)


def hidden():
    """``(a -> b -> SKIP) \\ {a}``: a τ step, then b, then ✓."""
    env = Environment()
    a, b = env.channel("a").event(), env.channel("b").event()
    return build_lts(hide(prefix(a, prefix(b, SKIP)), frozenset({a})), env)


def accepts(lts, names):
    """Python's verdict: is the logged sequence a trace of the process?"""
    by_name = {e.name: e for e in lts.events[1:]}
    if any(n not in by_name for n in names):
        return False
    return bool(lts.after([by_name[n] for n in names]))


# Logs with the verdict TLC must give; the Python verdict is checked too.
CASES = [
    ("vmc", ["in2p", "large", "in1p", "small"], True),
    ("vmc", ["in1p", "in1p", "in1p"], True),
    ("vmc", [], True),
    ("vmc", ["in1p", "in1p", "in1p", "in1p"], False),   # after in1p.in1p.in1p the machine is STOP
    ("vmc", ["in2p", "small", "large"], False),          # out1p must come first
    ("vmc", ["coin"], False),                            # not an event of the model
    ("hidden", ["b", TICK.name], True),                  # τ first, then b, then ✓
    ("hidden", ["a"], False),                            # a is hidden: never observable
    ("hidden", ["b", "b"], False),
]
MODELS = {"vmc": vmc, "hidden": hidden}


@pytest.mark.parametrize("model, names, accepted", CASES)
def test_python_agrees_with_the_expected_verdicts(model, names, accepted):
    assert accepts(MODELS[model](), names) is accepted


def test_inline_modules_hold_the_logs_with_provenance():
    log = EventLog.of([LogEntry("in2p", "4bf92f35", "00f067aa", "capture.json:3"),
                       LogEntry("large", "4bf92f35", "b7ad6b71", 'we"ird\nfile.json:4')],
                      source="capture.json")
    out = trace_validation(vmc(), [log, ["in1p"]], model="VMC", title="VMC")
    assert list(out.files) == ["VMC.tla", "VMC.cfg", "VMCTrace1.tla", "VMCTrace1.cfg",
                               "VMCTrace2.tla", "VMCTrace2.cfg"]
    assert out.model == "VMC" and out.modules == ("VMCTrace1", "VMCTrace2") and not out.ndjson
    for name, text in out.files.items():
        if name.endswith(".tla"):
            assert_parses(text, name)
            assert text.isascii()
            assert module_name(text) == name[:-4]
    text = out.files["VMCTrace1.tla"]
    assert "EXTENDS VMC, Naturals, Sequences, TLC\n" in text
    assert defined_value(text, "TraceLog") == (
        {"label": "in2p", "traceId": "4bf92f35", "spanId": "00f067aa", "where": "capture.json:3"},
        {"label": "large", "traceId": "4bf92f35", "spanId": "b7ad6b71",
         "where": encode_label('we"ird\nfile.json:4')},
    )
    assert defined_value(out.files["VMCTrace2.tla"], "TraceLog") == (
        {"label": "in1p", "traceId": "", "spanId": "", "where": ""},)
    assert out.files["VMCTrace1.cfg"] == (
        "SPECIFICATION TraceSpec\nPOSTCONDITION TraceAccepted\nCHECK_DEADLOCK FALSE\n")


def test_the_model_module_is_the_csp2tla_module_without_term_comments():
    out = trace_validation(vmc(), [["in1p"]], model="VMC")
    assert "large -> VMC" not in out.files["VMC.tla"]
    assert "Succ ==" in out.files["VMC.tla"] and "TauClosure(S) ==" in out.files["VMC.tla"]


def test_empty_log():
    out = trace_validation(vmc(), [[]], model="VMC")
    assert_parses(out.files["VMCTrace1.tla"])
    assert defined_value(out.files["VMCTrace1.tla"], "TraceLog") == ()


def test_log_labels_map_names_to_model_labels():
    lts = hidden()
    log = EventLog.of(["b", TICK.name, "τ", "zz", "%tick"])
    assert log_labels(lts, log) == ["b", TICK_LABEL, "%CF%84", "zz", "%25tick"]


def test_ndjson_variant_reads_the_same_records():
    lts = vmc()
    logs = [EventLog.of([LogEntry("in2p", "t", "s\n\"1\"", "f:1"), LogEntry("large")]), ["in1p"]]
    inline = trace_validation(lts, logs, model="VMC")
    out = trace_validation(lts, logs, model="VMC", ndjson=True)
    assert list(out.files) == ["VMC.tla", "VMC.cfg", "VMCTrace.tla", "VMCTrace.cfg",
                               "VMCTrace1.ndjson", "VMCTrace2.ndjson"]
    assert out.modules == ("VMCTrace",) and out.ndjson == ("VMCTrace1.ndjson", "VMCTrace2.ndjson")
    text = out.files["VMCTrace.tla"]
    assert_parses(text)
    assert "EXTENDS VMC, Naturals, Sequences, TLC, Json, IOUtils\n" in text
    assert "ndJsonDeserialize(TraceFile)" in text and 'IOEnv.JSON ELSE "VMCTrace1.ndjson"' in text
    for i in (1, 2):
        lines = out.files[f"VMCTrace{i}.ndjson"].splitlines()
        records = tuple(json.loads(line) for line in lines)
        assert all(list(r) == list(LOG_FIELDS) for r in records)
        assert records == defined_value(inline.files[f"VMCTrace{i}.tla"], "TraceLog")
        assert out.files[f"VMCTrace{i}.ndjson"].isascii()


def test_module_names_never_clash_with_defined_names():
    out = trace_validation(vmc(), [["in1p"]], model="Next")
    assert out.model == "I_Next" and out.modules == ("I_NextTrace1",)
    assert trace_validation(vmc(), [[]], model="TraceLog").model == "I_TraceLog"


def test_trace_module_names_follow_the_model_name():
    out = trace_validation(vmc(), [["in1p"]], model="Naturals")
    assert out.model == "I_Naturals" and out.modules == ("I_NaturalsTrace1",)
    assert "EXTENDS I_Naturals, Naturals" in out.files["I_NaturalsTrace1.tla"]


# -- SANY and TLC (only where TLA2TOOLS_JAR is set) ----------------------------------------------


def _check_verdict(tlc, accepted):
    if accepted:
        assert tlc.returncode == 0, tlc.output
        assert "No error has been found" in tlc.output
    else:
        # TLC reports the violated postcondition (as a false assumption, exit 10, in TLC 1.8).
        assert tlc.returncode != 0 and tlc.returncode not in TLC_ERRORS, tlc.output
        assert "Failed matching the trace to (a prefix of) a behavior" in tlc.output, tlc.output


@needs_tla2tools
@pytest.mark.external
@pytest.mark.parametrize("model, names, accepted", CASES)
def test_tlc_accepts_exactly_the_traces_of_the_model(tmp_path, model, names, accepted):
    entries = [LogEntry(n, "trace-1", f"span-{i}", f"log.json:{i + 1}") for i, n in enumerate(names)]
    out = trace_validation(MODELS[model](), [EventLog.of(entries)], model="M")
    write_files(out.files, tmp_path)
    for module in (out.model, *out.modules):
        sany = run_sany(tmp_path, module)
        assert sany.returncode == 0, sany.output
    tlc = run_tlc(tmp_path, out.modules[0])
    _check_verdict(tlc, accepted)
    if not accepted and names:
        # The report names the real span of the first line no behaviour matched.
        assert "span-" in tlc.output


@needs_community_modules
@pytest.mark.external
@pytest.mark.parametrize("model, names, accepted", [c for c in CASES if c[1]])
def test_tlc_ndjson_variant(tmp_path, model, names, accepted):
    out = trace_validation(MODELS[model](), [names], model="M", ndjson=True)
    write_files(out.files, tmp_path)
    sany = run_sany(tmp_path, out.modules[0])
    assert sany.returncode == 0, sany.output
    tlc = run_tlc(tmp_path, out.modules[0], env={"JSON": str(tmp_path / out.ndjson[0])})
    _check_verdict(tlc, accepted)
