"""The Coq Φ, Ψ, norm, cut and WF check, evaluated by coqc, agree exactly with the Python ones.

One coqc run evaluates every case (``Compute`` over the nat instance of ``proofs/CrossCheck.v``);
the answers are decoded and compared with :mod:`cspotlp.mapping` on the same inputs.
"""

import random
from dataclasses import dataclass

import pytest

from cspotlp.mapping import Forest, cut, is_wf, norm, phi, psi
from tests.coq_cases import (
    Interner,
    coq_forest,
    coq_trace,
    decode_forest,
    decode_trace,
    mutated_trace,
    valid_forest,
    wf_trace,
)
from tests.coq_support import build_proofs, nat_lists, run_coq

SEED = 20261129
TRACES = 20
FORESTS = 20
KINDS = ("phi", "psi_phi", "cut", "is_wf", "is_wf_mutated", "psi", "norm")


@dataclass(frozen=True)
class Answer:
    kind: str
    case: int
    coq: object
    python: object


@pytest.fixture(scope="module")
def inputs():
    rng = random.Random(SEED)
    traces = [wf_trace(rng, rng.randint(1, 16)) for _ in range(TRACES)]
    mutated = [mutated_trace(rng, t) for t in traces]
    cuts = [rng.randint(0, len(t) + 1) for t in traces]
    forests = [valid_forest(rng, rng.randint(1, 6)) for _ in range(FORESTS)]
    return traces, mutated, cuts, forests


@pytest.fixture(scope="module")
def answers(inputs, tmp_path_factory):
    traces, mutated, cuts, forests = inputs
    names, payloads = Interner(), Interner()
    lines = [
        "From Coq Require Import List.",
        "From Cspotlp Require Import Vocabulary Forest Correspondence CrossCheck.",
        "Import ListNotations.",
    ]
    # (kind, case, decoder, python value), in the order of the Compute commands
    expected = []
    for k, (t, m, i) in enumerate(zip(traces, mutated, cuts, strict=True)):
        lines.append(f"Definition t{k} : trace := {coq_trace(t, names, payloads)}.")
        lines.append(f"Definition m{k} : trace := {coq_trace(m, names, payloads)}.")
        lines.append(f"Compute enc_forest (phi t{k}).")
        expected.append(("phi", k, decode_forest, phi(t)))
        lines.append(f"Compute enc_trace (psi (phi t{k})).")
        expected.append(("psi_phi", k, decode_trace, psi(phi(t))))
        lines.append(f"Compute enc_forest (cut (phi t{k}) {i}).")
        expected.append(("cut", k, decode_forest, cut(phi(t), i)))
        lines.append(f"Compute enc_bool (is_wf t{k}).")
        expected.append(("is_wf", k, None, is_wf(t)))
        lines.append(f"Compute enc_bool (is_wf m{k}).")
        expected.append(("is_wf_mutated", k, None, is_wf(m)))
    for k, f in enumerate(forests):
        lines.append(f"Definition f{k} : list sp := {coq_forest(f, names, payloads)}.")
        lines.append(f"Compute enc_trace (psi f{k}).")
        expected.append(("psi", k, decode_trace, psi(f)))
        lines.append(f"Compute enc_forest (norm f{k}).")
        expected.append(("norm", k, decode_forest, norm(f)))
    build_proofs()
    output = run_coq(tmp_path_factory.mktemp("coq"), "\n".join(lines) + "\n", name="CrossCheckRun")
    results = nat_lists(output)
    assert len(results) == len(expected), output
    decoded = []
    for (kind, k, decode, python), nums in zip(expected, results, strict=True):
        coq = nums == [1] if decode is None else decode(nums, names, payloads)
        decoded.append(Answer(kind, k, coq, python))
    return decoded


@pytest.mark.parametrize("kind", KINDS)
def test_coq_agrees_with_python(answers, kind):
    mine = [a for a in answers if a.kind == kind]
    assert len(mine) == (FORESTS if kind in ("psi", "norm") else TRACES)
    for a in mine:
        assert a.coq == a.python, f"{kind} case {a.case}: coq {a.coq!r} != python {a.python!r}"


def test_psi_of_phi_is_the_trace(answers, inputs):
    traces = inputs[0]
    assert [a.coq for a in answers if a.kind == "psi_phi"] == traces


def test_mutations_include_non_wf_traces(answers):
    verdicts = [a.coq for a in answers if a.kind == "is_wf_mutated"]
    assert False in verdicts and True in verdicts


def _ties(forest: Forest) -> set[str]:
    found = set()
    for rec in forest.records():
        if rec.parent is not None and forest[rec.parent].start == rec.start:
            found.add("parent and child begin together")
        if rec.end is not None and any(m.time == rec.end for m in rec.marks):
            found.add("mark at the span's end")
        times = [m.time for m in rec.marks]
        if len(set(times)) < len(times):
            found.add("marks at one time")
        if times != sorted(times):
            found.add("marks listed out of time order")
    starts = [rec.start for rec in forest.records()]
    if len(set(starts)) < len(starts):
        found.add("spans begin together")
    return found


def test_forests_exercise_every_tie_break(inputs):
    forests = inputs[3]
    found = set().union(*(_ties(f) for f in forests))
    assert found == {
        "parent and child begin together", "mark at the span's end", "marks at one time",
        "marks listed out of time order", "spans begin together",
    }
