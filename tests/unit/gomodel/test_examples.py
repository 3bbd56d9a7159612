"""The verified examples (examples/gomodel): each passes every check; each bug variant is caught."""

import importlib
import sys

import pytest

from tests.paths import REPO

sys.path.insert(0, str(REPO / "examples" / "gomodel"))
verify = importlib.import_module("verify")

# (example, the checks its bug variant fails)
EXPECTED = {
    "pipeline": {"leaks"},
    "batch_processor": {"refinement"},
    "canary": {"refinement"},
    "client": {"deadlock", "leaks"},
}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example_passes_and_its_bug_is_caught(name):
    module = importlib.import_module(name)
    _model, verdicts = verify.checks(module)
    assert {k: v.holds for k, v in verdicts.items()} == dict.fromkeys(verdicts, True)
    bug_model, bug_verdicts = verify.checks(module, bug=True)
    failed = {k for k, v in bug_verdicts.items() if v.holds is False}
    assert failed == EXPECTED[name]
    for check in failed:  # every counterexample comes with its span forest
        assert bug_verdicts[check].forest is not None and bug_verdicts[check].trace
