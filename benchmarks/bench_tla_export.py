"""Time the TLA+ exporters on LTSs of growing size; print a table.

Run: ``PYTHONPATH=. python benchmarks/bench_tla_export.py``. Times are CPU seconds
(``time.process_time``), best of three; "parse" is tree-sitter-tlaplus on the emitted module.
"""

from __future__ import annotations

import sys
import warnings

import tree_sitter_tlaplus
from timing import best_cpu_seconds
from tree_sitter import Language, Parser

from cspotlp.csp import Lts, build_lts
from cspotlp.csp.models import dining_philosophers
from cspotlp.export import lts_to_tla, trace_validation
from tests.tla_support import synthetic_lts


def main() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        parser = Parser(Language(tree_sitter_tlaplus.language()))
    cases: list[tuple[str, Lts]] = []
    for n in (3, 4, 5):
        model = dining_philosophers(n)
        cases.append((f"dining_philosophers({n})", build_lts(model.process, model.env)))
    for states in (2_500, 25_000, 250_000):
        cases.append((f"random {states}x4", synthetic_lts(states, 4, 200)))
    print(f"{'LTS':28} {'states':>9} {'transitions':>12} {'export s':>9} {'bytes':>11} "
          f"{'B/trans':>8} {'parse s':>8} {'trace s':>8}")
    for name, lts in cases:
        text = lts_to_tla(lts, module="M").text
        export = best_cpu_seconds(lambda lts=lts: lts_to_tla(lts, module="M"))
        data = text.encode()
        parse = best_cpu_seconds(lambda data=data: parser.parse(data), repeat=1)
        log = [[e.name for e in lts.events[2:]] * 10]
        trace = best_cpu_seconds(lambda lts=lts, log=log: trace_validation(lts, log, model="M"))
        print(f"{name:28} {lts.num_states:>9,} {lts.num_transitions:>12,} {export:>9.3f} "
              f"{len(data):>11,} {len(data) / max(lts.num_transitions, 1):>8.1f} {parse:>8.3f} "
              f"{trace:>8.3f}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
