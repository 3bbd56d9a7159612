"""specs/: the correspondence in TLA+ (WF, Phi, Psi, norm; T1-T4 as invariants) and its bounds."""

import re
import shutil

import pytest

from cspotlp.mapping import Begin, End, Link, Mark, is_wf
from tests.tla_support import (
    SPECS,
    assert_parses,
    declared,
    distinct_states,
    module_name,
    needs_tla2tools,
    read_config,
    run_sany,
    run_tlc,
    top_level_names,
)

MODULES = ["SpanCorrespondence", "CorrespondenceTraces", "CorrespondenceForests"]
CONFIGS = sorted(p.stem for p in SPECS.glob("*.cfg"))


def text(name):
    return (SPECS / f"{name}.tla").read_text(encoding="ascii")


def test_the_shipped_files():
    assert sorted(p.stem for p in SPECS.glob("*.tla")) == sorted(MODULES)
    assert [f"Correspondence{side}_K{k}" for side in ("Forests", "Traces")
                       for k in (1, 2, 3)] == CONFIGS


@pytest.mark.parametrize("name", MODULES)
def test_modules_parse(name):
    source = text(name)
    assert_parses(source, name)
    assert module_name(source) == name
    assert source.endswith("\n")


def test_definitions_match_docs_theory():
    source = text("SpanCorrespondence")
    names = top_level_names(source)
    for required in ["IsWF", "WFAt", "ValidForest", "IsNormalised", "Occurrences", "KeyLess",
                     "Rank", "Psi", "Norm", "Phi", "T1", "T2", "T3", "T4"]:
        assert required in names
    # Psi's tie-break key: (time, class, depth for begins else 0, span id, list position) with
    # begin = 0 < mark = 1 < link = 2 < end = 3.
    assert "ClsBegin == 0\nClsMark == 1\nClsLink == 2\nClsEnd == 3\n" in source
    assert "<<F[s].start, ClsBegin, Depth(F, s), s, 0>>" in source
    assert "<<F[s].end, ClsEnd, 0, s, 0>>" in source
    assert "<<F[s].marks[k][1], ClsMark, 0, s, k>>" in source
    assert "<<F[s].links[k][1], ClsLink, 0, s, k>>" in source


@pytest.mark.parametrize("cfg", CONFIGS)
def test_configs_bind_every_constant_and_name_defined_invariants(cfg):
    side = cfg.split("_")[0]
    config = read_config((SPECS / f"{cfg}.cfg").read_text(encoding="ascii"))
    module = text(side)
    constants = declared(text("SpanCorrespondence"), "constant") | declared(module, "constant")
    bound = {entry.split("=")[0].strip() for entry in config["CONSTANT"]}
    assert bound == constants
    k = int(cfg[-1])
    assert f"K = {k}" in config["CONSTANT"]
    assert config["SPECIFICATION"] == ["Spec"]
    assert config["CHECK_DEADLOCK"] == ["FALSE"]
    names = top_level_names(module)
    invariants = config["INVARIANT"]
    assert set(invariants) <= names
    expected = {"Traces": {"T3Holds", "T4Holds"}, "Forests": {"T1Holds", "T2Holds"}}
    assert expected[side.removeprefix("Correspondence")] <= set(invariants)


def _constant(config, name):
    for entry in config["CONSTANT"]:
        key, _, value = entry.partition("=")
        if key.strip() == name:
            return value.strip()
    raise AssertionError(name)


def _string_set(value):
    return re.findall(r'"([^"]*)"', value)


def wf_trace_count(config):
    """How many WF traces the trace spec must reach: counted in Python with cspotlp.mapping."""
    k = int(_constant(config, "K"))
    max_len = int(_constant(config, "MaxLen"))
    names = _string_set(_constant(config, "Names"))
    statuses = _string_set(_constant(config, "Statuses"))
    marks = _string_set(_constant(config, "MarkNames"))
    targets = [int(x) for x in re.findall(r"\d+", _constant(config, "Targets"))]
    spans = range(1, k + 1)
    vocabulary = ([Begin(s, p, n) for s in spans for p in [None, *spans] for n in names]
                  + [End(s, st) for s in spans for st in statuses]
                  + [Mark(s, n) for s in spans for n in marks]
                  + [Link(s, g) for s in spans for g in targets])
    total, frontier = 1, [()]
    for _ in range(max_len):
        frontier = [(*t, e) for t in frontier for e in vocabulary if is_wf((*t, e))]
        total += len(frontier)
    return total


def test_python_counts_of_the_trace_bounds():
    counts = {k: wf_trace_count(read_config((SPECS / f"CorrespondenceTraces_K{k}.cfg")
                                            .read_text(encoding="ascii"))) for k in (1, 2)}
    assert counts == {1: 123, 2: 5437}


# -- SANY and TLC (only where TLA2TOOLS_JAR is set) ----------------------------------------------


@needs_tla2tools
@pytest.mark.external
@pytest.mark.parametrize("cfg", CONFIGS)
def test_tlc_checks_the_theorems_within_the_bound(tmp_path, cfg):
    for name in MODULES:
        shutil.copy(SPECS / f"{name}.tla", tmp_path)
    shutil.copy(SPECS / f"{cfg}.cfg", tmp_path)
    side = cfg.split("_")[0]
    sany = run_sany(tmp_path, side)
    assert sany.returncode == 0, sany.output
    tlc = run_tlc(tmp_path, side, config=cfg)
    assert tlc.returncode == 0, tlc.output
    assert "No error has been found" in tlc.output
    if side == "CorrespondenceTraces":
        config = read_config((SPECS / f"{cfg}.cfg").read_text(encoding="ascii"))
        assert distinct_states(tlc.output) == wf_trace_count(config)
