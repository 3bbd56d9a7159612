"""Time the CSPm evaluator where it limits the engine: big replicated operators, recursion over Int.

Run: python benchmarks/cspm_evaluator.py [--baseline CHECKOUT | --general] [--quick]

Each case runs in a fresh interpreter (best CPU time of three runs inside it). With
``--baseline CHECKOUT`` (another checkout of cspotlp, e.g. the main branch), every case also runs
against that checkout's code and the table gives the ratio baseline / this tree. With
``--general``, the baseline is this tree with the compiled fast path off (``load_text(...,
compiled=False)``: the general evaluator alone). The cases:

- ``||| i : {0..N} @ a.i -> STOP``: evaluating the body of the definition (what happens before
  the engine starts), N = 10^5 and 10^6 (the issue's example: ~80 s before);
- ``COUNT(n) = up -> COUNT(n+1) [] (n > 0 & down -> COUNT(n-1))``: microseconds per unfolding
  (the issue: ~300 µs), and a deadlock check stopped at 20,000 states, end to end;
- a bounded buffer with inputs and sequence arguments: its whole state space, end to end.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent

CASES: dict[str, str] = {
    "replicated |||, N = 10^5 (s)": """
from cspotlp.cspm.evaluate import load_text
text = "channel a : {0..100000}\\nP = ||| i : {0..100000} @ a.i -> STOP\\n"
def run():
    loaded = load_text(text)
    loaded.env.unfold(loaded.process("P"))
""",
    "replicated |||, N = 10^6 (s)": """
from cspotlp.cspm.evaluate import load_text
text = "channel a : {0..1000000}\\nP = ||| i : {0..1000000} @ a.i -> STOP\\n"
REPEAT = 1
def run():
    loaded = load_text(text)
    loaded.env.unfold(loaded.process("P"))
""",
    "COUNT unfolding (µs each)": """
from cspotlp.cspm.evaluate import load_text
from cspotlp.csp.terms import call
text = "channel up, down\\nCOUNT(n) = up -> COUNT(n+1) [] (n > 0 & down -> COUNT(n-1))\\n"
SCALE = 1e6 / 20000
def run():
    loaded = load_text(text)
    for i in range(20000):
        loaded.env.unfold(call("COUNT", i))
""",
    "COUNT deadlock check, 20,000 states (s)": """
from cspotlp.cspm.evaluate import load_text
from cspotlp.cspm.assertions import check_assertions
text = ("channel up, down\\nCOUNT(n) = up -> COUNT(n+1) [] (n > 0 & down -> COUNT(n-1))\\n"
        "assert COUNT(0) :[deadlock free]\\n")
def run():
    [r] = check_assertions(load_text(text), state_limit=20000)
    assert r.result == "inconclusive"
""",
    "buffer of 6 over {0..3}, all states (s)": """
from cspotlp.cspm.evaluate import load_text
from cspotlp.cspm.assertions import check_assertions
text = '''channel left, right : {0..3}
BUFF(s) = #s < 6 & left?x -> BUFF(s ^ <x>) [] #s > 0 & right!head(s) -> BUFF(tail(s))
assert BUFF(<>) :[deadlock free]
'''
def run():
    [r] = check_assertions(load_text(text))
    assert r.result == "passed", r
""",
}

RUNNER = """
import functools, json, sys, time
import cspotlp
import cspotlp.cspm.evaluate
assert cspotlp.__file__.startswith({checkout!r}), cspotlp.__file__  # the tree asked for
if {general!r}:  # the cases' load_text, without the compiled fast path
    cspotlp.cspm.evaluate.load_text = functools.partial(cspotlp.cspm.evaluate.load_text,
                                                        compiled=False)
{body}
best = float("inf")
for _ in range(globals().get("REPEAT", 3)):
    start = time.process_time()
    run()
    best = min(best, time.process_time() - start)
print(json.dumps(best * globals().get("SCALE", 1.0)))
"""


def measure(checkout: Path, body: str, timeout: float, general: bool = False) -> float | None:
    """The case's number in a fresh interpreter on ``checkout``'s code (None: timed out)."""
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    code = RUNNER.format(body=body, checkout=str(checkout.resolve()), general=general)
    try:  # run in the checkout: "-c" puts the working directory first on the path
        out = subprocess.run([sys.executable, "-c", code], env=env, cwd=checkout,
                             capture_output=True, text=True, timeout=timeout, check=True)
    except subprocess.TimeoutExpired:
        return None
    return float(json.loads(out.stdout.strip().splitlines()[-1]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--baseline", type=Path, help="another checkout of cspotlp to compare")
    which.add_argument("--general", action="store_true",
                       help="compare with this tree's general evaluator (compiled=False)")
    parser.add_argument("--quick", action="store_true", help="skip the N = 10^6 case")
    parser.add_argument("--timeout", type=float, default=600, help="seconds per case and tree")
    args = parser.parse_args()
    print(f"load average: {os.getloadavg()[0]:.2f}\n")
    if args.baseline or args.general:
        print("| case | baseline | this tree | ratio |\n|---|---:|---:|---:|")
    else:
        print("| case | this tree |\n|---|---:|")
    for name, body in CASES.items():
        if args.quick and "10^6" in name:
            continue
        now = measure(HERE, body, args.timeout)
        shown = f"{now:.3g}" if now is not None else f"> {args.timeout:.0f} s"
        if not (args.baseline or args.general):
            print(f"| {name} | {shown} |")
            continue
        base = measure(args.baseline or HERE, body, args.timeout, general=args.general)
        before = f"{base:.3g}" if base is not None else f"> {args.timeout:.0f} s"
        ratio = f"{base / now:.1f}×" if base is not None and now else "—"
        print(f"| {name} | {before} | {shown} | {ratio} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
