"""Run every check of an example (and its bug variant): ``python examples/gomodel/verify.py``.

Each example module defines ``program(bug)``, ``spec(model)``, ``OBSERVE`` and
``REFINEMENT_MODEL``; this prints the verdicts in Go's words, the counterexample's span forest
and writes the CSPm and TLA+ exports under ``out/`` (given as the first argument).
"""

import importlib
import sys
from pathlib import Path

from cspotlp.export import gomodel_to_cspm, gomodel_to_tla, write_files
from cspotlp.render import timeline

EXAMPLES = ("pipeline", "batch_processor", "canary", "client")


def checks(module, bug=False):
    """Every verdict of the example (name -> GoVerdict)."""
    model = module.program(bug).compile()
    return model, {
        "deadlock": model.check_deadlock(),
        "leaks": model.check_leaks(),
        "panics": model.check_panics(),
        "divergence": model.check_divergence(module.OBSERVE),
        "refinement": model.check_refines(module.spec(model), module.OBSERVE,
                                          semantic_model=module.REFINEMENT_MODEL),
    }


def main(out: Path) -> int:
    sys.path.insert(0, str(Path(__file__).parent))
    failures = 0
    for name in EXAMPLES:
        module = importlib.import_module(name)
        for bug in (False, True):
            model, verdicts = checks(module, bug)
            print(f"== {model.program.name}")
            for check, verdict in verdicts.items():
                print(f"   {check:11} {verdict.holds}")
                if verdict.holds is False and verdict.forest is not None:
                    print("\n".join("      " + line for line in str(verdict).splitlines()[:12]))
                    print("      span forest of the counterexample:")
                    print("".join("      " + line + "\n" for line in timeline(verdict.forest, 40).splitlines()))
            failures += sum(1 for v in verdicts.values() if v.holds is not True) if not bug else 0
            write_files({f"{model.program.name}.csp": gomodel_to_cspm(model)}, out)
            write_files(gomodel_to_tla(model).files(), out)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "out")))
