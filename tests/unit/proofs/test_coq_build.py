"""The Coq development builds, admits nothing, and its main theorems rest on no assumption."""

import re

import pytest

from tests.coq_support import PROOFS, build_proofs, run_coq, strip_comments

MAIN_THEOREMS = [
    "T1", "T2", "T3", "T4", "T5",
    "phi_valid_normalised", "norm_normalised", "phi_injective", "is_wf_decides_WF",
]

# Anything that would let a proof skip work or add an assumption. Section variables are fine:
# they are discharged when the section closes, and Print Assumptions below would see them if not.
FORBIDDEN = re.compile(
    r"\b(Admitted|admit|give_up|Axiom|Axioms|Conjecture|Parameter|Parameters|Abort)\b"
)


def _project_files() -> list[str]:
    lines = (PROOFS / "_CoqProject").read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip().endswith(".v")]


def test_every_source_file_is_in_the_project():
    assert sorted(_project_files()) == sorted(p.name for p in PROOFS.glob("*.v"))


def test_make_builds_every_file():
    build_proofs()
    for name in _project_files():
        assert (PROOFS / name).with_suffix(".vo").is_file(), name


@pytest.mark.parametrize("name", sorted(p.name for p in PROOFS.glob("*.v")))
def test_no_admitted_axiom_or_parameter(name):
    code = strip_comments((PROOFS / name).read_text(encoding="utf-8"))
    found = sorted({m.group(0) for m in FORBIDDEN.finditer(code)})
    assert found == [], f"{name} uses {found}"


def test_forbidden_pattern_catches_admitted():
    code = strip_comments("Lemma x : False. (* Admitted. *) Proof. admit. Admitted.")
    assert [m.group(0) for m in FORBIDDEN.finditer(code)] == ["admit", "Admitted"]


def test_main_theorems_are_closed_under_the_global_context(tmp_path):
    build_proofs()
    lines = ["From Cspotlp Require Import Theorems."]
    for name in MAIN_THEOREMS:
        lines.append(f'Goal True. idtac "@@ {name}". exact I. Qed.')
        lines.append(f"Print Assumptions Cspotlp.Theorems.{name}.")
    output = run_coq(tmp_path, "\n".join(lines) + "\n", name="Assumptions")
    blocks = re.split(r"^@@ (\S+)\n", output, flags=re.MULTILINE)
    answers = dict(zip(blocks[1::2], (b.strip() for b in blocks[2::2]), strict=True))
    assert list(answers) == MAIN_THEOREMS
    for name, answer in answers.items():
        assert answer == "Closed under the global context", f"{name}: {answer}"
