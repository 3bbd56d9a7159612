"""Time the CSPm front end (parse, scope + type check, print) on real and generated scripts.

Run: PYTHONPATH=. python benchmarks/cspm_front_end.py
Prints a table; timings are best of three runs, in milliseconds.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cspotlp.cspm import check_script, parse_file, parse_script, print_script  # noqa: E402
from cspotlp.cspm.parser import grammar_parser  # noqa: E402
from tests.paths import CSPM_DATA  # noqa: E402


def best_ms(run: Callable[[], object], repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return 1000 * min(times)


def row(name: str, size: int, parse: Callable[[], object]) -> str:
    script = parse()
    t_parse = best_ms(parse)
    t_check = best_ms(lambda: check_script(script))  # type: ignore[arg-type]
    t_print = best_ms(lambda: print_script(script))  # type: ignore[arg-type]
    return f"| {name:32} | {size:>9,} | {t_parse:>9.1f} | {t_check:>9.1f} | {t_print:>9.1f} |"


def main() -> None:
    start = time.perf_counter()
    grammar_parser()
    print(f"grammar load (LALR tables, lark cache): {1000 * (time.perf_counter() - start):.0f} ms\n")
    print("| input                            |     bytes |  parse ms |  check ms |  print ms |")
    print("|---|---:|---:|---:|---:|")
    for rel in ("libcspm/prettyprinter/should_pass/phone.csp",
                "libcspm/prettyprinter/should_pass/compression09.csp",
                "cspmf/abp.csp"):
        path = CSPM_DATA / rel
        print(row(Path(rel).name, path.stat().st_size, lambda p=path: parse_file(p)))
    generated = {
        "prefix chain, depth 50,000": "channel a\nP = " + "a -> " * 50_000 + "STOP\n",
        "nested choices, depth 10,000": "P = " + "(STOP [] " * 10_000 + "SKIP" + ")" * 10_000,
        "sequence of 10,000 numbers": "s = <" + ", ".join(map(str, range(10_000))) + ">\n",
    }
    for name, text in generated.items():
        print(row(name, len(text), lambda t=text: parse_script(t, "gen.csp")))


if __name__ == "__main__":
    main()
