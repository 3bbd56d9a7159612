"""The emitted modules *mean* the right thing: run them with tests/tla_eval.py (TLC's semantics
for the subset we emit) and check the verdicts TLC must give — without needing the jar."""

import json

import pytest

from cspotlp.export import EventLog, LogEntry, lts_to_tla, trace_validation, write_files
from tests import tla_eval
from tests.tla_support import SPECS, read_config
from tests.unit.export.test_specs import wf_trace_count
from tests.unit.export.test_tla_lts import SMALL
from tests.unit.export.test_tla_trace import CASES, MODELS


@pytest.mark.parametrize("name, lts", SMALL, ids=[n for n, _ in SMALL])
def test_csp2tla_verdict_is_deadlock_exactly_when_the_lts_deadlocks(name, lts):
    verdict = tla_eval.check(lts_to_tla(lts, module=name).files(), name)
    assert verdict.outcome == ("deadlock" if lts.deadlocks() else "ok"), verdict.detail
    if verdict.outcome == "ok":
        pairs = {(0, -1)} | {(t, lab) for s in range(lts.num_states)
                             for lab, t in lts.successor_numbers(s)}
        assert verdict.distinct_states == len(pairs)
    else:
        state = int(verdict.detail.split("'state': ")[1].split(",")[0])
        assert state in lts.deadlocks()


def _first_rejected_line(lts, names):
    by_name = {e.name: e for e in lts.events[1:]}
    for i in range(len(names)):
        prefix = names[: i + 1]
        if any(n not in by_name for n in prefix) or not lts.after([by_name[n] for n in prefix]):
            return i + 1
    return None


@pytest.mark.parametrize("model, names, accepted", CASES)
def test_otlp2tla_accepts_exactly_the_traces_of_the_model(model, names, accepted):
    lts = MODELS[model]()
    entries = [LogEntry(n, "trace-1", f"span-{i + 1}", f"log.json:{i + 1}")
               for i, n in enumerate(names)]
    out = trace_validation(lts, [EventLog.of(entries)], model="M")
    verdict = tla_eval.check(out.files, out.modules[0])
    assert verdict.outcome == ("ok" if accepted else "postcondition"), verdict
    assert verdict.diameter - 1 == (len(names) if accepted
                                    else _first_rejected_line(lts, names) - 1)
    if not accepted:
        line = _first_rejected_line(lts, names)
        (message,) = verdict.printed
        assert message.startswith('<<"Failed matching the trace to (a prefix of) a behavior:"')
        assert f'spanId |-> "span-{line}"' in message and message.endswith(f'"log line", {line}>>')


@pytest.mark.parametrize("model, names, accepted", [c for c in CASES if c[1]])
def test_otlp2tla_ndjson_variant_gives_the_same_verdicts(tmp_path, model, names, accepted):
    out = trace_validation(MODELS[model](), [names, ["nothing"]], model="M", ndjson=True)
    write_files(out.files, tmp_path)
    verdict = tla_eval.check(tmp_path, out.modules[0], env={"JSON": str(tmp_path / out.ndjson[0])})
    assert verdict.outcome == ("ok" if accepted else "postcondition"), verdict
    second = tla_eval.check(tmp_path, out.modules[0], env={"JSON": str(tmp_path / out.ndjson[1])})
    assert second.outcome == "postcondition"
    assert [json.loads(x)["label"] for x in out.files[out.ndjson[0]].splitlines()] == names or \
        model == "hidden"


# -- specs/ --------------------------------------------------------------------------------------


def _specs(config_text):
    files = {p.name: p.read_text(encoding="ascii") for p in SPECS.glob("*.tla")}
    files["Bound.cfg"] = config_text
    return files


def _config(name, **changes):
    text = (SPECS / f"{name}.cfg").read_text(encoding="ascii")
    for key, value in changes.items():
        lines = [f"    {key} = {value}" if line.strip().startswith(f"{key} =") else line
                 for line in text.splitlines()]
        text = "\n".join(lines) + "\n"
    return text


def test_trace_spec_k1_as_shipped():
    verdict = tla_eval.check(_specs(_config("CorrespondenceTraces_K1")), "CorrespondenceTraces",
                             "Bound")
    assert verdict.outcome == "ok", verdict.detail
    assert verdict.distinct_states == 123


@pytest.mark.parametrize("side, changes", [
    ("CorrespondenceTraces_K2", {"MaxLen": 3}),
    ("CorrespondenceTraces_K3", {"MaxLen": 3}),
    ("CorrespondenceForests_K1", {"TMax": 2}),
    ("CorrespondenceForests_K2", {"TMax": 2, "MaxMarks": 1, "MaxLinks": 0}),
])
def test_theorems_hold_within_small_bounds(side, changes):
    config = _config(side, **changes)
    verdict = tla_eval.check(_specs(config), side.split("_")[0], "Bound")
    assert verdict.outcome == "ok", verdict.detail
    if side.startswith("CorrespondenceTraces"):
        assert verdict.distinct_states == wf_trace_count(read_config(config))


@pytest.mark.parametrize("mutation, theorem", [
    (("ClsBegin == 0\nClsMark == 1\nClsLink == 2\nClsEnd == 3",
      "ClsBegin == 3\nClsMark == 1\nClsLink == 2\nClsEnd == 0"), "T1Holds"),  # ends first at ties
    (("<<F[s].start, ClsBegin, Depth(F, s), s, 0>>",
      "<<F[s].start, ClsBegin, 0, s, 0>>"), "T1Holds"),           # no parent-first tie-break
    (("status |-> IF e = Open THEN NoStatus ELSE t[e].status",
      "status |-> NoStatus"), "T2Holds"),                         # Phi loses statuses
])
def test_the_invariants_catch_a_broken_definition(mutation, theorem):
    files = _specs(_config("CorrespondenceForests_K2", TMax=1, MaxMarks=0, MaxLinks=0,
                           Statuses='{"ok"}'))
    old, new = mutation
    assert old in files["SpanCorrespondence.tla"]
    files["SpanCorrespondence.tla"] = files["SpanCorrespondence.tla"].replace(old, new)
    verdict = tla_eval.check(files, "CorrespondenceForests", "Bound")
    assert verdict.outcome == "invariant"
    # The generator is untouched, so the forest is valid; a theorem (or norm's validity) fails.
    assert verdict.detail.split()[0] in (theorem, "NormIsNormalisedForest"), verdict.detail


def test_scope_rules_are_enforced():
    good = "---- MODULE A ----\nEXTENDS Naturals\nX == 1\nY == X + 1\n====\n"
    assert tla_eval.load("A", {"A": good}).ops["Y"]
    for body in ["Y == Z\nZ == 1", "X == 2", "Y(X) == X", "Y == \\E X \\in {1} : X = 1",
                 "Nat == 1", "Y == LET X == 2 IN X"]:
        bad = f"---- MODULE A ----\nEXTENDS Naturals\nX == 1\n{body}\n====\n"
        with pytest.raises(tla_eval.EvalError):
            tla_eval.load("A", {"A": bad})


def test_every_emitted_and_shipped_module_passes_the_scope_rules():
    out = trace_validation(MODELS["vmc"](), [["in1p"]], model="V")
    for module in out.modules:
        tla_eval.load(module, {k[:-4]: v for k, v in out.files.items() if k.endswith(".tla")})
    out = trace_validation(MODELS["vmc"](), [["in1p"]], model="V", ndjson=True)
    tla_eval.load(out.modules[0], {k[:-4]: v for k, v in out.files.items() if k.endswith(".tla")})
    sources = {p.stem: p.read_text(encoding="ascii") for p in SPECS.glob("*.tla")}
    for root in ("CorrespondenceTraces", "CorrespondenceForests"):
        spec = tla_eval.load(root, sources)
        assert {"T1", "T2", "T3", "T4"} <= set(spec.ops)
    assert read_config(_config("CorrespondenceForests_K1", TMax=2))["CONSTANT"][1] == "TMax = 2"
