"""The encodings can fail: broken definitions give counterexamples that Python confirms.

Each mutation changes one clause of the definitions (Ψ's tie-break, W3 of WF, W3 of forests).
Z3 must then find a counterexample, which is read back as a Python trace or forest, and the
Python implementation of cspotlp.mapping must agree that it breaks the law.
"""

import pytest

from cspotlp.errors import MappingError
from cspotlp.mapping import (
    Forest,
    forest_violations,
    is_valid_forest,
    is_wf,
    phi,
    psi,
    wf_violation,
)
from cspotlp.verify import MUTATIONS, THEOREMS, prove_bounded, reference_psi
from cspotlp.verify.steps import _t3, _t4, _t5, check_obligations

BOUND = 4


@pytest.mark.parametrize("name", ["ends-first", "marks-after-ends", "children-first"])
def test_broken_tie_break_gives_a_forest_python_confirms(name):
    defs = MUTATIONS[name]
    result = prove_bounded(THEOREMS["T1"], BOUND, defs=defs, timeout=30)
    assert result.result == "counterexample"
    forest = result.counterexample
    assert isinstance(forest, Forest)
    assert is_valid_forest(forest), forest_violations(forest)
    assert not is_wf(psi(forest, key=defs.occurrence_key))   # the mutated Ψ breaks T1 ...
    assert is_wf(psi(forest))                                # ... the real one does not
    assert reference_psi(forest, defs) == psi(forest, key=defs.occurrence_key)


@pytest.mark.parametrize("name", ["ends-first", "children-first"])
def test_broken_tie_break_also_breaks_t2(name):
    result = prove_bounded(THEOREMS["T2"], BOUND, defs=MUTATIONS[name], timeout=30)
    assert result.result == "counterexample"
    assert not is_wf(reference_psi(result.counterexample, MUTATIONS[name]))


def test_forest_without_w3_gives_an_invalid_forest_whose_psi_breaks_w3():
    result = prove_bounded(THEOREMS["T1"], BOUND, defs=MUTATIONS["forest-without-w3"], timeout=30)
    assert result.result == "counterexample"
    forest = result.counterexample
    problems = forest_violations(forest)
    assert problems and all("outside its parent" in p for p in problems)
    bad = wf_violation(psi(forest))
    assert bad is not None and bad[1].startswith("W3")


def test_trace_without_w3_gives_a_trace_phi_rejects():
    result = prove_bounded(THEOREMS["T4"], BOUND, defs=MUTATIONS["trace-without-w3"], timeout=30)
    assert result.result == "counterexample"
    trace = result.counterexample
    bad = wf_violation(trace)
    assert bad is not None and bad[1].startswith("W3")
    with pytest.raises(MappingError, match="W3"):
        phi(trace)


@pytest.mark.parametrize("name", ["ends-first", "children-first", "forest-without-w3"])
def test_mutations_leave_the_theorems_they_do_not_touch_proved(name):
    for tid in ("T3", "T5"):
        assert prove_bounded(THEOREMS[tid], BOUND, defs=MUTATIONS[name], timeout=30).result == "proved"


def test_the_unmutated_definitions_prove_the_same_theorems():
    for tid in ("T1", "T2", "T4"):
        assert prove_bounded(THEOREMS[tid], BOUND, timeout=30).result == "proved"


def test_inductive_steps_fail_when_broken():
    assert check_obligations("T3-step", _t3(newest_first=True), timeout=2).result != "proved"
    assert check_obligations("T5-step", _t5(assume_wf=False), timeout=2).result != "proved"
    assert check_obligations("T4-step", _t4(trace_w3=False), timeout=2).result != "proved"
    assert check_obligations("T3-step", _t3(), timeout=30).result == "proved"
    assert check_obligations("T5-step", _t5(), timeout=30).result == "proved"
