"""``go``: check a Go-style model (:mod:`cspotlp.gomodel`) written in a Python file.

The file is run as a Python module (with its own folder first on ``sys.path``, so it can import
its neighbours) and must define its programs in one of these ways, looked up in this order:

1. ``programs()`` — a function returning the :class:`~cspotlp.gomodel.Program` objects;
2. ``program()`` — a function returning one (called without arguments);
3. module-level variables bound to :class:`~cspotlp.gomodel.Program` objects.

Optional, for the checks that look at the program from outside: ``OBSERVE`` (the CSP channel
names an observer sees, e.g. ``["result_send"]``) enables ``divergence``; with it, ``spec(model)``
(a CSP process over the observed events) and ``REFINEMENT_MODEL`` (``"T"``, ``"F"`` or
``"FD"``; default ``"F"``) enable ``refinement``; ``liveness(model)`` (a list of
:class:`~cspotlp.export.gomodel.LeadsTo`) adds liveness properties and Go's fairness to the
``--tla`` export. The examples in ``examples/gomodel/`` follow this convention.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import sys
import threading
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

from cspotlp.cli.common import COMMANDS, EXIT_FAILED, EXIT_INPUT, EXIT_OK, Subparsers
from cspotlp.errors import CspotlpError, LocatedError, SourceLocation

CHECKS = ("deadlock", "leaks", "panics", "divergence", "refinement")
DEFAULT_CHECKS = ("deadlock", "leaks", "panics")
MAX_MODEL_BYTES = 16 << 20
"""A model file larger than this is refused before it is read (it is Python source)."""


class ModelFileError(LocatedError):
    """The model file cannot be loaded: missing, not Python, raises, or defines no program."""


def _add_go(sub: Subparsers) -> None:
    p = sub.add_parser(
        "go",
        help="check a Go-style model (a Python file defining a cspotlp.gomodel.Program)",
        description="Load FILE.py (it is run as Python: it defines programs() or program() or "
        "Program variables; see docs/gomodel.md), compile each program to CSP and run the "
        "checks; failures are reported as Go reports them (fatal error: all goroutines are "
        "asleep - deadlock!, goroutine leaks, panics) with the shortest path. Exit status: 0 "
        "if every check passed, 1 if one failed or was inconclusive (a limit or a model bound "
        "stopped it), 2 if the file cannot be loaded.",
    )
    p.add_argument("file", metavar="FILE.py", help="the model: a Python file")
    p.add_argument("--program", metavar="NAME", help="check only the program with this name")
    p.add_argument("--check", default=",".join(DEFAULT_CHECKS), metavar="LIST",
                   help=f"comma-separated checks among {', '.join(CHECKS)} (default: "
                   f"{','.join(DEFAULT_CHECKS)}; divergence needs OBSERVE, refinement also "
                   "spec(model) in the file); 'all' is every check the file allows")
    p.add_argument("--json", action="store_true",
                   help="print one JSON object: each program's verdicts, traces and goroutines")
    p.add_argument("--cspm", metavar="OUT.csp", help="write the program as CSPm for FDR4")
    p.add_argument("--tla", metavar="DIR",
                   help="write the program as a TLA+ module and TLC config into DIR (with the "
                   "file's liveness properties and Go's fairness, if it defines liveness(model))")
    p.add_argument("--trace-json", metavar="OUT.json",
                   help="write, as OTLP JSON, the span forest of the first failed check's "
                   "counterexample (or of a shortest complete run when every check passed)")
    p.add_argument("--state-limit", type=int, default=2_000_000,
                   help="states a check may store before it stops, inconclusive (default 2,000,000)")
    p.add_argument("--time-limit", type=float, default=600.0,
                   help="seconds a check may run before it stops, inconclusive (default 600)")


# -- loading the model file -----------------------------------------------------------------------


class _OutOfTime(Exception):
    """Raised by the alarm when the model's own code runs past its budget."""


@contextlib.contextmanager
def model_code_budget(seconds: float, what: str, path: str) -> Iterator[None]:
    """Run the model's own Python (loading, building, compiling) for at most ``seconds``.

    A model file that loops forever is an error, not a hang.

    Uses ``SIGALRM`` in the main thread (elsewhere, or where there is no ``setitimer``, no
    budget applies: the checks' own budgets still do).
    """
    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable:
        yield
        return

    def expire(_signum: int, _frame: object) -> None:
        raise _OutOfTime

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    except _OutOfTime:
        raise ModelFileError(f"{path}: {what} ran for more than {seconds:g} s (--time-limit)") from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)



def load_model_file(path: str) -> ModuleType:
    """Run the Python file ``path`` as a fresh module (its folder first on ``sys.path``).

    Raises:
        ModelFileError: the file is missing, not a regular file, too large, not valid Python,
            or raises while it runs (the message names the file and line).
    """
    from cspotlp.files import read_bytes

    name = os.fspath(path)
    if name == "-":
        raise ModelFileError("the model is read from a file, not standard input")
    try:  # a regular file only (not a device or a pipe), and not past the size limit
        source = read_bytes(name, MAX_MODEL_BYTES)
    except OSError as e:
        raise ModelFileError(f"cannot read {name}: {e.strerror or e}") from e
    try:
        code = compile(source, name, "exec")
    except SyntaxError as e:
        where = SourceLocation(name, e.lineno or 1, e.offset or 1)
        raise ModelFileError(f"invalid Python: {e.msg}", where) from None
    except ValueError as e:  # null bytes
        raise ModelFileError(f"{name}: not Python source ({e})") from None
    except (MemoryError, RecursionError):  # the parser's own stack: absurdly deep expressions
        raise ModelFileError(f"{name}: too deeply nested for Python's compiler") from None
    module = ModuleType(f"cspotlp_model_{Path(name).stem}")
    module.__file__ = str(Path(name).resolve())
    folder = str(Path(name).resolve().parent)
    sys.path.insert(0, folder)
    try:
        exec(code, module.__dict__)
    except (CspotlpError, KeyboardInterrupt, _OutOfTime):
        raise
    except BaseException as e:  # the model's own code failed: say where, without a traceback
        raise ModelFileError(_user_error(e, name), _user_location(e, name)) from None
    finally:
        if sys.path and sys.path[0] == folder:
            sys.path.pop(0)
    return module


def _user_location(e: BaseException, name: str) -> SourceLocation | None:
    """The deepest frame of the traceback that is in the model file."""
    tb = e.__traceback__
    line = None
    target = str(Path(name).resolve())
    while tb is not None:
        if str(Path(tb.tb_frame.f_code.co_filename).resolve()) == target:
            line = tb.tb_lineno
        tb = tb.tb_next
    return SourceLocation(name, line, 1) if line is not None else None


def _user_error(e: BaseException, name: str) -> str:
    if isinstance(e, SystemExit):
        return f"the model called exit({e.code})"
    return f"{type(e).__name__}: {e}"


def programs_of(module: ModuleType, path: str) -> list[Any]:
    """The programs a loaded model file defines (see the module docstring), in their order."""
    from cspotlp.gomodel import Program

    made: list[Any]
    try:
        if callable(getattr(module, "programs", None)):
            made = list(module.programs())
        elif callable(getattr(module, "program", None)):
            made = [module.program()]
        else:
            made = [v for k, v in vars(module).items() if isinstance(v, Program) and not k.startswith("_")]
    except (CspotlpError, _OutOfTime):
        raise
    except Exception as e:  # noqa: BLE001  (the model's own code: reported where it failed)
        raise ModelFileError(_user_error(e, path), _user_location(e, path)) from None
    bad = [p for p in made if not isinstance(p, Program)]
    if bad:
        raise ModelFileError(f"{path}: programs() returned {type(bad[0]).__name__}, not a Program")
    if not made:
        raise ModelFileError(f"{path} defines no program: define programs(), program() or a "
                             "variable holding a cspotlp.gomodel.Program")
    names = [p.name for p in made]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise ModelFileError(f"{path}: two programs are named {twice[0]!r}")
    return made


def checks_named(text: str, module: ModuleType, path: str) -> list[str]:
    """The checks ``--check`` names, in the order of :data:`CHECKS` (``all``: those the file allows)."""
    wanted = [w.strip() for w in text.split(",") if w.strip()]
    unknown = [w for w in wanted if w not in (*CHECKS, "all")]
    if unknown or not wanted:
        raise CspotlpError(f"--check: unknown check {unknown[0]!r} (known: {', '.join(CHECKS)}, all)"
                           if unknown else "--check: no check named")
    has_observe = hasattr(module, "OBSERVE")
    has_spec = has_observe and callable(getattr(module, "spec", None))
    if "all" in wanted:
        return [c for c in CHECKS if (c != "divergence" or has_observe) and (c != "refinement" or has_spec)]
    if "divergence" in wanted and not has_observe:
        raise CspotlpError(f"--check divergence: {path} defines no OBSERVE (the channels an observer sees)")
    if "refinement" in wanted and not has_spec:
        raise CspotlpError(f"--check refinement: {path} defines no OBSERVE and spec(model)")
    return [c for c in CHECKS if c in wanted]


# -- running ------------------------------------------------------------------------------------


def run_checks(model: Any, module: ModuleType, checks: Sequence[str], limits: dict[str, Any]) -> list[Any]:
    """The verdicts of ``checks`` on the compiled ``model``, in order."""
    out = []
    for check in checks:
        if check == "deadlock":
            out.append(model.check_deadlock(**limits))
        elif check == "leaks":
            out.append(model.check_leaks(**limits))
        elif check == "panics":
            out.append(model.check_panics(**limits))
        elif check == "divergence":
            out.append(model.check_divergence(list(module.OBSERVE), **limits))
        else:
            semantic = getattr(module, "REFINEMENT_MODEL", "F")
            out.append(model.check_refines(module.spec(model), list(module.OBSERVE),
                                           semantic_model=semantic, **limits))
    return out


def verdict_json(model: Any, verdict: Any) -> dict[str, Any]:
    """One verdict as JSON (deterministic: no times)."""
    from cspotlp.gomodel import offending_span

    result = {True: "passed", False: "failed", None: "inconclusive"}[verdict.holds]
    out: dict[str, Any] = {
        "check": verdict.check, "result": result, "message": verdict.message,
        "states": verdict.verdict.states, "transitions": verdict.verdict.transitions,
        "trace": [str(e) for e in verdict.trace], "notes": list(verdict.notes),
    }
    if verdict.holds is False:
        out["run"] = [str(e) for e in verdict.path]
        out["goroutines"] = [_goroutine_json(r) for r in verdict.goroutines]
        span = offending_span(model, verdict)
        out["offending_span"] = span
    return out


def _goroutine_json(r: Any) -> dict[str, Any]:
    """A goroutine at the end of a counterexample; what it waits for only if it is stuck."""
    stuck = r.status in ("blocked", "panicking") and r.op is not None
    return {"goroutine": r.gid, "function": r.title, "status": r.status,
            "wait": r.op.wait if stuck else None, "operation": r.op.detail if stuck else None,
            "line": str(r.op.site) if stuck else None,
            "created_by": r.created_by, "go_site": r.go_site}


def _run_go(args: argparse.Namespace) -> int:
    from cspotlp.export import gomodel_to_cspm, gomodel_to_tla
    from cspotlp.gomodel import otlp_json, terminating_trace, trace_forest

    if args.state_limit < 1 or not 0 < args.time_limit <= 86_400 * 30:
        print("cspotlp go: --state-limit must be positive and --time-limit between 0 and 30 days",
              file=sys.stderr)
        return EXIT_INPUT
    with model_code_budget(args.time_limit, "loading the model", args.file):
        module = load_model_file(args.file)
        programs = programs_of(module, args.file)
    if args.program is not None:
        programs = [p for p in programs if p.name == args.program]
        if not programs:
            names = ", ".join(p.name for p in programs_of(module, args.file))
            print(f"cspotlp go: {args.file} has no program named {args.program!r} (it has: {names})",
                  file=sys.stderr)
            return EXIT_INPUT
    exports = [o for o in (args.cspm, args.tla, args.trace_json) if o is not None]
    if exports and len(programs) > 1:
        names = ", ".join(p.name for p in programs)
        print(f"cspotlp go: {args.file} defines several programs ({names}); name one with "
              "--program to export it", file=sys.stderr)
        return EXIT_INPUT
    checks = checks_named(args.check, module, args.file)
    limits = {"state_limit": args.state_limit, "time_limit": args.time_limit}
    report: list[dict[str, Any]] = []
    outputs: dict[str | os.PathLike[str], str | bytes] = {}
    status = EXIT_OK
    for program in programs:
        with model_code_budget(args.time_limit, f"compiling program {program.name}", args.file):
            model = program.compile()
        if not args.json:
            print(f"== {program.name}: {len(model.goroutines)} goroutines", flush=True)
        verdicts = []
        for verdict in run_checks(model, module, checks, limits):
            verdicts.append(verdict)
            if not args.json:
                print(str(verdict), flush=True)
        if any(v.holds is not True for v in verdicts):
            status = EXIT_FAILED
        report.append({"program": program.name, "checks": [verdict_json(model, v) for v in verdicts]})
        if args.cspm is not None:
            outputs[Path(args.cspm)] = gomodel_to_cspm(model)
        if args.tla is not None:
            liveness = module.liveness(model) if callable(getattr(module, "liveness", None)) else ()
            for name, text in gomodel_to_tla(model, liveness=liveness).files().items():
                outputs[Path(args.tla) / name] = text
        if args.trace_json is not None:
            failed = next((v for v in verdicts if v.holds is False and v.forest is not None), None)
            if failed is not None:
                forest = failed.forest
            else:
                run = terminating_trace(model)
                forest = trace_forest(model, run) if run is not None else None
            if forest is None:
                print("cspotlp go: --trace-json: the program has no complete run and no check "
                      "failed; nothing to write", file=sys.stderr)
                return EXIT_INPUT
            outputs[Path(args.trace_json)] = otlp_json(forest)
    if args.json:
        print(json.dumps({"file": args.file, "programs": report}, indent=2, ensure_ascii=False))
    for path in write_all(outputs):
        print(f"wrote {path}", file=sys.stderr)
    return status


def write_all(outputs: Mapping[str | os.PathLike[str], str | bytes]) -> list[Path]:
    """Write every output all or nothing (:func:`cspotlp.files.write_outputs`); errors name the file."""
    from cspotlp.files import write_outputs

    try:
        return write_outputs(outputs)
    except OSError as e:
        raise CspotlpError(f"cannot write {e.filename or 'an output'}: {e.strerror or e}") from e


COMMANDS["go"] = (_add_go, _run_go)
