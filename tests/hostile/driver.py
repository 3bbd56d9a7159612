"""Runs many ``cspotlp`` command lines in one process, as the command would run each.

Started by tests/hostile with resource limits; reads a JSON list of cases ``{"id", "argv",
"cwd"}`` from the file named by its argument and prints one JSON object a case: the exit
status, what went to stdout and stderr (decoded with replacement, as a terminal would show it),
and the traceback of any exception that escaped ``main``. Before each case it writes the case
id to stderr, so that a case that hangs or exhausts memory is named by the last line there.

Standard output is a real UTF-8 text stream over a byte buffer, strict like a terminal's, so
encoding errors show as they would in a real run.
"""

from __future__ import annotations

import io
import json
import os
import sys
import traceback


def run_case(case: dict[str, object]) -> dict[str, object]:
    from cspotlp.cli import main

    out_bytes, err_bytes = io.BytesIO(), io.BytesIO()
    out = io.TextIOWrapper(out_bytes, encoding="utf-8", errors="strict", newline="\n",
                           write_through=True)
    err = io.TextIOWrapper(err_bytes, encoding="utf-8", errors="backslashreplace", newline="\n",
                           write_through=True)
    saved = sys.stdout, sys.stderr, os.getcwd()
    sys.stdout, sys.stderr = out, err
    escaped = None
    try:
        os.chdir(str(case.get("cwd") or saved[2]))
        status = main([str(a) for a in case["argv"]])  # type: ignore[union-attr]
    except SystemExit as e:
        status = e.code if isinstance(e.code, int) else 2
    except BaseException:  # anything else is what the suite looks for
        status = -1
        escaped = traceback.format_exc()
    finally:
        sys.stdout, sys.stderr = saved[0], saved[1]
        os.chdir(saved[2])
    return {"id": case["id"], "status": status,
            "stdout": out_bytes.getvalue().decode("utf-8", "replace")[-20000:],
            "stderr": err_bytes.getvalue().decode("utf-8", "replace")[-20000:],
            "escaped": escaped}


def main() -> None:
    with open(sys.argv[1], encoding="utf-8") as f:
        cases = json.load(f)
    results = []
    for case in cases:
        print(f"case {case['id']}", file=sys.stderr, flush=True)
        results.append(run_case(case))
    sys.stdout.write(json.dumps(results))


if __name__ == "__main__":
    main()
