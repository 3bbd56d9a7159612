"""A Go-style model exports to CSPm (which our CSPm checker reads back with the same verdicts)
and to TLA+ (which parses, and which TLC checks when TLA2TOOLS_JAR is set)."""

import pytest

from cspotlp.cspm import check_assertions, load_text
from cspotlp.export import write_files
from cspotlp.export.gomodel import gomodel_to_cspm, gomodel_to_tla
from tests.tla_support import (
    TLC_SUCCESS,
    TLC_VIOLATION_DEADLOCK,
    assert_parses,
    needs_tla2tools,
    run_tlc,
)
from tests.unit.gomodel import programs as P

CASES = [(P.unbuffered_deadlock, False, True), (P.leaking_worker, True, False), (P.pipeline, True, True)]


@pytest.mark.parametrize(("make", "deadlock_free", "leak_free"), CASES, ids=lambda c: getattr(c, "__name__", ""))
def test_cspm_export_gives_the_native_verdicts(make, deadlock_free, leak_free):
    model = make().compile()
    assert model.check_deadlock().holds is deadlock_free
    assert model.check_leaks().holds is leak_free
    results = {r.assertion: r.result for r in check_assertions(load_text(gomodel_to_cspm(model)))}
    assert results == {"assert SYSTEM :[deadlock free [F]]": "passed" if deadlock_free else "failed",
                       "assert SYSTEM_LEAKS :[deadlock free [F]]": "passed" if leak_free else "failed"}


def test_exports_are_deterministic():
    a, b = P.leaking_worker().compile(), P.leaking_worker().compile()
    assert gomodel_to_cspm(a) == gomodel_to_cspm(b)
    assert gomodel_to_tla(a).text == gomodel_to_tla(b).text


def test_tla_export_parses():
    module = gomodel_to_tla(P.pipeline().compile())
    assert_parses(module.text)
    assert module.config.startswith("SPECIFICATION Spec")


@needs_tla2tools
@pytest.mark.parametrize(("make", "status"), [(P.unbuffered_deadlock, TLC_VIOLATION_DEADLOCK),
                                              (P.pipeline, TLC_SUCCESS)])
def test_tlc_agrees_on_deadlock(tmp_path, make, status):
    module = gomodel_to_tla(make().compile())
    write_files(module.files(), tmp_path)
    assert run_tlc(tmp_path, module.name).returncode == status


@pytest.mark.slow
@pytest.mark.parametrize("name", ["client", "pipeline"])
def test_cspm_of_the_bug_variants_gives_the_native_verdicts(name):
    """client_bug: the result channel's process offers values no goroutine sends (they must be
    declared all the same); pipeline_bug: wg.Done() is add.wg.g.-1 (a set "{-1" would open a
    CSPm comment)."""
    import importlib
    import sys

    from tests.paths import REPO

    sys.path.insert(0, str(REPO / "examples" / "gomodel"))
    model = importlib.import_module(name).program(bug=True).compile()
    script = gomodel_to_cspm(model)
    expected = {"assert SYSTEM :[deadlock free [F]]": model.check_deadlock().holds,
                "assert SYSTEM_LEAKS :[deadlock free [F]]": model.check_leaks().holds}
    results = {r.assertion: r.result for r in check_assertions(load_text(script))}
    assert results == {a: "passed" if holds else "failed" for a, holds in expected.items()}
