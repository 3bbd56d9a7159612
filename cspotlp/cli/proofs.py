"""``prove``: the correspondence checked by Z3."""

from __future__ import annotations

import argparse
import json
import sys

from cspotlp.cli.common import (
    COMMANDS,
    EXIT_FAILED,
    EXIT_OK,
    Subparsers,
    int_in,
    seconds_up_to,
)

# -- prove ---------------------------------------------------------------------------------------

def _add_prove(sub: Subparsers) -> None:
    from cspotlp.verify import MAX_BOUND, MAX_TIMEOUT, MUTATIONS, THEOREM_IDS

    p = sub.add_parser(
        "prove",
        help="prove the trace/span-forest correspondence with Z3",
        description="Check T1–T5 of docs/theory.md for every trace or forest of up to BOUND events, "
        "and the inductive steps (*-step) for every length. Exit status: 0 when every requested "
        "theorem is proved; 1 when one has a counterexample or is unknown (not proved within "
        "the time limit); 2 on bad input.",
    )
    p.add_argument("--theorem", action="append", metavar="ID",
                   help=f"theorem to check (repeatable; default all): {', '.join(THEOREM_IDS)}")
    p.add_argument("--bound", type=int_in(0, MAX_BOUND), default=8, metavar="K",
                   help="number of events (trace length, forest occurrences) up to which the "
                   f"bounded theorems are checked (default 8, at most {MAX_BOUND})")
    p.add_argument("--timeout", type=seconds_up_to(MAX_TIMEOUT), default=60.0, metavar="S",
                   help="seconds per theorem before it is reported unknown (default 60; "
                   f"finite, at most {MAX_TIMEOUT:,g})")
    p.add_argument("--json", action="store_true",
                   help='print a JSON list of {"theorem", "bound", "result", "seconds"}')
    p.add_argument("--encoding", choices=("optimised", "baseline"), default="optimised",
                   help="how the bounded theorems are given to Z3 (default optimised)")
    p.add_argument("--mutation", choices=sorted(MUTATIONS), default=None,
                   help="check deliberately broken definitions instead (to see a counterexample)")


def _run_prove(args: argparse.Namespace) -> int:
    from cspotlp.verify import DEFAULT, MUTATIONS, format_counterexample, prove

    defs = DEFAULT if args.mutation is None else MUTATIONS[args.mutation]
    results = prove(args.theorem, args.bound, timeout=args.timeout, defs=defs,
                    encoding=args.encoding)
    if args.json:
        print(json.dumps([r.as_json() for r in results], indent=2))
    else:
        for r in results:
            scope = "unbounded" if r.bound is None else f"bound {r.bound}"
            print(f"{r.theorem:<16} {scope:<10} {r.result:<15} {r.seconds:8.2f} s")
            if r.result == "counterexample":
                print(f"  {r.detail}")
                for line in format_counterexample(r.counterexample) if r.counterexample else []:
                    print(f"    {line}")
    failed = False
    for r in results:
        if r.result == "unknown":
            print(f"cspotlp: {r.theorem} is unknown, not proved: {r.detail}; "
                  "raise --timeout or lower --bound", file=sys.stderr)
            failed = True
        elif r.result == "counterexample":
            print(f"cspotlp: {r.theorem} has a counterexample: {r.detail}", file=sys.stderr)
            failed = True
    return EXIT_FAILED if failed else EXIT_OK


COMMANDS["prove"] = (_add_prove, _run_prove)
