"""Every theorem is proved at a small bound, honestly: premises satisfiable, verdicts not errors."""

import json

import pytest

from cspotlp.cli import main
from cspotlp.errors import VerifyError
from cspotlp.verify import (
    DEFAULT,
    STEP_THEOREMS,
    THEOREM_IDS,
    THEOREMS,
    ProofResult,
    format_counterexample,
    prove,
    prove_bounded,
)
from cspotlp.verify.smt import Solver, Terms

SMALL = 6


@pytest.mark.parametrize("tid", list(THEOREMS))
def test_bounded_theorem_is_proved(tid):
    (result,) = prove([tid], bound=SMALL, timeout=60)
    assert result == ProofResult(tid, SMALL, "proved", result.seconds)
    assert result.counterexample is None


@pytest.mark.parametrize("tid", list(STEP_THEOREMS))
def test_inductive_step_is_proved_for_every_length(tid):
    (result,) = prove([tid], timeout=60)
    assert (result.result, result.bound) == ("proved", None)


@pytest.mark.parametrize("tid", ["T1", "T3", "T5"])
def test_baseline_encoding_agrees_at_a_tiny_bound(tid):
    assert prove_bounded(THEOREMS[tid], 3, encoding="baseline", timeout=60).result == "proved"


@pytest.mark.parametrize("tid", list(THEOREMS))
@pytest.mark.parametrize("encoding", ["optimised", "baseline"])
def test_premises_are_satisfiable_so_proofs_are_not_vacuous(tid, encoding):
    for n in (1, 4):
        terms = Terms()
        inst = THEOREMS[tid].build(terms, n, DEFAULT, encoding)
        solver = Solver(terms, 30)
        solver.add_all(inst.premises)
        assert solver.check() == "sat"


def test_listed_forests_may_tie_so_the_tie_break_is_exercised():
    """A forest of 5 occurrences at one time, with a child, is among those T1 covers."""
    from cspotlp.mapping import is_valid_forest, is_wf, psi
    from cspotlp.verify import encoding as enc
    from cspotlp.verify.symbolic import Codec, forest_domain, forest_vars, read_forest

    terms = Terms()
    f = forest_vars(terms, 5)
    solver = Solver(terms, 30)
    solver.add_all([forest_domain(terms, f), enc.valid_forest(terms, f),
                    enc.listed_in_psi_order(terms, f)])
    solver.add_all(terms.eq(o.time, 7) for o in f.occurrences)
    solver.add(terms.any_(o.event.has_parent for o in f.occurrences))
    assert solver.check() == "sat"
    forest = read_forest(solver, Codec(), f)
    assert is_valid_forest(forest) and is_wf(psi(forest))
    assert {r.start for r in forest.records()} == {7}
    assert any(r.parent is not None for r in forest.records())
    u = enc.psi(terms, f, tuple(range(5)))
    assert solver.check_with(terms.not_(enc.wf(terms, u))) == "unsat"


def test_time_limit_gives_unknown_not_an_exception():
    (result,) = prove(["T1"], bound=60, timeout=0.5)
    assert result.result == "unknown"
    assert result.size is not None and result.detail


def test_bad_input_is_an_error():
    with pytest.raises(VerifyError, match="unknown theorem"):
        prove(["T9"])
    with pytest.raises(VerifyError, match="bound"):
        prove(["T3"], bound=-1)


def test_json_has_exactly_the_documented_keys():
    (result,) = prove(["T3"], bound=2)
    assert set(result.as_json()) == {"theorem", "bound", "result", "seconds"}


def test_theorem_ids_cover_bounded_and_steps():
    assert ("T1", "T2", "T3", "T4", "T5", *STEP_THEOREMS) == THEOREM_IDS


def test_cli_prove_json_and_exit_status(capsys):
    assert main(["prove", "--theorem", "T3", "--theorem", "T3-step", "--bound", "5", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [(r["theorem"], r["bound"], r["result"]) for r in out] == [
        ("T3", 5, "proved"), ("T3-step", None, "proved")]


def test_cli_prove_reports_unknown_with_exit_1(capsys):
    assert main(["prove", "--theorem", "T1", "--bound", "60", "--timeout", "0.5"]) == 1
    captured = capsys.readouterr()
    assert "unknown" in captured.out and "raise --timeout" in captured.err


def test_cli_prove_rejects_bad_input(capsys):
    assert main(["prove", "--theorem", "T9"]) == 2
    assert "unknown theorem 'T9'" in capsys.readouterr().err


def test_counterexamples_print_one_line_per_event_or_span():
    from cspotlp.mapping import Begin, End, phi
    trace = (Begin(0, None, "a"), End(0, "OK"))
    assert format_counterexample(trace) == ["1: begin(0, ⊥, 'a')", "2: end(0, 'OK')"]
    assert format_counterexample(phi(trace)) == ["span 0 parent ⊥ name 'a' [1, 2] status 'OK'"]


def test_cli_prove_with_a_mutation_prints_the_counterexample(capsys):
    assert main(["prove", "--theorem", "T1", "--bound", "4", "--mutation", "ends-first"]) == 1
    captured = capsys.readouterr()
    assert "counterexample" in captured.out and "span " in captured.out
    assert "T1 has a counterexample" in captured.err
