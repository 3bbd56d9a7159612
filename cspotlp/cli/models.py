"""``explore``, ``check``, ``csp2tla``: CSP models and CSPm scripts."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from cspotlp.cli.common import (
    COMMANDS,
    EXIT_FAILED,
    EXIT_INPUT,
    EXIT_OK,
    STATE_LIMIT,
    Subparsers,
    add_include_option,
    tla_module_name,
)
from cspotlp.errors import CspotlpError

if TYPE_CHECKING:
    from cspotlp.csp.explore import Exploration

# -- explore: state-space exploration and checks of the built-in textbook models ------------------

_BUILTINS = ("dining_philosophers", "cyclic_scheduler", "buffer_pipeline")
_MAX_BUILTIN_N = 256


def _add_explore(sub: Subparsers) -> None:
    p = sub.add_parser(
        "explore",
        help="explore a process's state space (of a CSPm script, or a built-in model)",
        description="FILE PROCESS: explore every state of a process of a CSPm script (PROCESS is "
        "a top-level name or an expression) and report the size of its LTS (exit 1 if a limit "
        "stopped the exploration). --builtin MODEL: explore a built-in model with the "
        "supercombinator engine and check deadlock freedom (exit 1 if it deadlocks).",
    )
    p.add_argument("file", nargs="?", help="a CSPm script (.csp)")
    p.add_argument("process", nargs="?", help="the process to explore: a name or an expression")
    p.add_argument("--builtin", choices=_BUILTINS, help="a built-in model instead of a script")
    p.add_argument("--n", type=int, default=5, help="size (philosophers, cells, buffers); default 5")
    p.add_argument("--butler", action="store_true", help="dining philosophers with a butler")
    add_budget_options(p)
    p.add_argument("--progress", action="store_true",
                   help="report progress on stderr even when it is not a terminal")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    add_include_option(p)


def _memory_size(text: str) -> int:
    from cspotlp.csp.budget import parse_size
    from cspotlp.errors import CspError

    try:
        return parse_size(text)
    except CspError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"the time limit must be a positive number of seconds: {text!r}")
    return value


def _cores(what: str) -> Callable[[str], int]:
    """A parser of ``--workers`` or ``--threads``: a number 1..MAX_WORKERS, or auto (one per core)."""
    from cspotlp.csp.budget import MAX_WORKERS

    def parse(text: str) -> int:
        if text == "auto":
            return max(1, min(MAX_WORKERS, os.cpu_count() or 1))
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number of {what}: {text!r} (a number, or auto)") from None
        if not 1 <= value <= MAX_WORKERS:
            raise argparse.ArgumentTypeError(f"the number of {what} must be 1..{MAX_WORKERS}: {text!r}")
        return value

    return parse


def _spill_folder(text: str) -> str:
    from cspotlp.csp.budget import spill_folder
    from cspotlp.errors import CspError

    try:
        return spill_folder(text)
    except CspError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def add_budget_options(p: argparse.ArgumentParser) -> None:
    """``--state-limit``, ``--memory-limit``, ``--time-limit``, ``--workers``, ``--threads``, ``--spill``: each check's budget."""
    p.add_argument("--state-limit", type=STATE_LIMIT, default=None, metavar="N",
                   help="stop a check (inconclusive) past this many stored states (default: what "
                   "fits in the memory limit)")
    p.add_argument("--memory-limit", type=_memory_size, default=None, metavar="SIZE",
                   help="stop a check (inconclusive) when the process would use more memory, "
                   "e.g. 2G, 512M (default: half of the memory available at the start)")
    p.add_argument("--time-limit", type=_seconds, default=None, metavar="SECONDS",
                   help="stop a check (inconclusive) after this many seconds (default: none)")
    p.add_argument("--workers", type=_cores("workers"), default=1, metavar="N",
                   help="run each search over N processes, its states partitioned by hash (auto: "
                   "one per core; default 1); the results are the same")
    p.add_argument("--threads", type=_cores("threads"), default=None, metavar="N",
                   help="expand each level of a search on N threads sharing one state table (default "
                   "auto: one per core, or 1 with --workers; faster than --workers on one machine, "
                   "not with it); the results are the same")
    p.add_argument("--spill", type=_spill_folder, default=None, metavar="DIR",
                   help="keep each search's state table and levels in files of DIR, so that the "
                   "levels go to disk when memory runs short (the memory limit then counts the "
                   "table and the rest); when the table cannot grow within the limit, the "
                   "visited set moves to DIR as sorted files (slower, bounded by the disk)")


def threads_of(args: argparse.Namespace) -> int:
    """``--threads``, or by default one per core (one with ``--workers``: a search uses either)."""
    if args.threads is not None:
        return int(args.threads)
    return 1 if args.workers > 1 else _cores("threads")("auto")


def budget_for(args: argparse.Namespace, progress: Any) -> Any:
    """A fresh :class:`~cspotlp.csp.budget.Budget` (its clock starts now) from the budget options."""
    from cspotlp.csp.budget import Budget

    return Budget(state_limit=args.state_limit, memory_limit=args.memory_limit,
                  time_limit=args.time_limit, progress=progress, workers=args.workers, spill=args.spill,
                  threads=threads_of(args))


class ProgressLine:
    """One progress line on stderr, rewritten in place, shown once the work takes 2 s.

    Enabled on a terminal (never with ``--json``); ``--progress`` forces it, one report a line
    when stderr is not a terminal.
    """

    AFTER = 2.0

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.tty = sys.stderr.isatty()
        self.shown = False

    def __call__(self, report: Any) -> None:
        """Show one :class:`~cspotlp.csp.verdict.ProgressReport` (from 2 s of work on)."""
        if report.seconds < self.AFTER:
            return
        if self.tty:
            print(f"\r\033[K  {report}", end="", file=sys.stderr, flush=True)
            self.shown = True
        else:
            print(f"  {report}", file=sys.stderr, flush=True)

    def clear(self) -> None:
        """Erase the line (before a result is printed)."""
        if self.shown:
            print("\r\033[K", end="", file=sys.stderr, flush=True)
            self.shown = False

    @classmethod
    def for_args(cls, args: argparse.Namespace) -> ProgressLine:
        """The progress line a command's options ask for."""
        forced = getattr(args, "progress", False)
        return cls(not args.json and (forced or sys.stderr.isatty()))

    @property
    def callback(self) -> Any:
        """What to give the checks: this line, or None when it is off."""
        return self if self.enabled else None


def _builtin_model(args: argparse.Namespace) -> Any:
    """The built-in model ``--builtin`` names at size ``--n``; ``None`` after a message if bad."""
    from cspotlp.csp.models import buffer_pipeline, cyclic_scheduler, dining_philosophers

    if not 2 <= args.n <= _MAX_BUILTIN_N:
        print(f"cspotlp: --n must be between 2 and {_MAX_BUILTIN_N} (the built-in models "
              "have exponentially many states in N)", file=sys.stderr)
        return None
    if args.builtin == "dining_philosophers":
        return dining_philosophers(args.n, butler=args.butler)
    if args.builtin == "cyclic_scheduler":
        return cyclic_scheduler(args.n)
    return buffer_pipeline(args.n)


def _script_process(args: argparse.Namespace) -> tuple[Any, Any]:
    """The environment and process named by FILE PROCESS."""
    from cspotlp.csp.terms import Proc
    from cspotlp.cspm.assertions import locate_definitions
    from cspotlp.cspm.evaluate import load_script

    loaded = load_script(args.file, args.allow_include)
    loaded.force_declarations()
    locate_definitions(loaded)
    try:
        value = loaded.value(args.process)
    except KeyError:
        if args.process.isidentifier():
            raise CspotlpError(f"{args.file}: no top-level definition named "
                               f"'{args.process}'") from None
        value = loaded.evaluate(args.process)
        loaded = loaded.last_evaluation or loaded
        locate_definitions(loaded)
    if not isinstance(value, Proc):
        raise CspotlpError(f"{args.file}: {args.process} is not a process")
    return loaded.env, value


def _explore_script(args: argparse.Namespace) -> int:
    from cspotlp.csp import deadlock_free, explore

    env, process = _script_process(args)
    line = ProgressLine.for_args(args)
    try:
        e = explore(process, env, budget=budget_for(args, line.callback))
        # the deadlock check of --builtin, for a script's process too
        v = deadlock_free(process, env, "F", budget=budget_for(args, line.callback), name=args.process)
    finally:
        line.clear()
    if args.json:
        print(json.dumps({"states": e.states, "transitions": e.transitions,
                          "seconds": round(e.seconds, 6), "complete": e.complete,
                          "result": "complete" if e.complete else "inconclusive",
                          "reason": e.reason or None, "deadlock_free": v.holds,
                          "counterexample": None if v.counterexample is None
                          else [ev.name for ev in v.counterexample.trace]}))
    else:
        status = "complete" if e.complete else f"incomplete: {e.reason}"
        print(f"{args.process}: {e.states:,} states, {e.transitions:,} transitions, "
              f"{e.seconds:.3f} s ({e.states_per_second:,.0f} states/s), {status}")
        _print_partition(e)
        print(v, end="")
    return EXIT_OK if e.complete and v.holds else EXIT_FAILED


def _print_partition(e: Exploration) -> None:
    """Over worker processes: how the exploration split its states between them."""
    if e.partition is not None:
        names = [c.name for c in e.network.components] if e.network is not None else []
        print(f"  on {e.partition.parts} workers: {e.partition.describe(names)}")


def _run_explore(args: argparse.Namespace) -> int:
    from cspotlp.csp import deadlock_free, explore

    if args.builtin is None:
        if args.file is None or args.process is None:
            print("cspotlp explore: give FILE PROCESS, or --builtin MODEL", file=sys.stderr)
            return EXIT_INPUT
        return _explore_script(args)
    if args.file is not None:
        print("cspotlp explore: give FILE PROCESS or --builtin MODEL, not both", file=sys.stderr)
        return EXIT_INPUT
    model = _builtin_model(args)
    if model is None:
        return EXIT_INPUT

    line = ProgressLine.for_args(args)
    try:
        e = explore(model.process, model.env, budget=budget_for(args, line.callback))
        line.clear()
        v = deadlock_free(model.process, model.env, "F", name=model.name,
                          budget=budget_for(args, line.callback))
    finally:
        line.clear()
    if args.json:
        out = {
            "model": model.name, "states": e.states, "transitions": e.transitions, "complete": e.complete,
            "seconds": round(e.seconds, 6), "deadlock_free": v.holds,
            "result": {True: "passed", False: "failed", None: "inconclusive"}[v.holds],
            "reason": v.reason or e.reason or None,
            "counterexample": None if v.counterexample is None else [ev.name for ev in v.counterexample.trace],
        }
        print(json.dumps(out, sort_keys=True))
    else:
        status = "complete" if e.complete else f"incomplete: {e.reason}"
        print(f"{model.name}: {e.states:,} states, {e.transitions:,} transitions, {e.seconds:.3f} s "
              f"({e.states_per_second:,.0f} states/s), {status}")
        _print_partition(e)
        print(v, end="")
    if v.holds is None or not e.complete:
        return EXIT_FAILED
    return EXIT_OK if v.holds else EXIT_FAILED


COMMANDS["explore"] = (_add_explore, _run_explore)

# -- check -------------------------------------------------------------------------------------


def _add_check(sub: Subparsers) -> None:
    p = sub.add_parser(
        "check",
        help="read a CSPm script (FDR4's language) and run its assertions",
        description="Parse, resolve names, type-check and evaluate a CSPm script (includes "
        "are read relative to it), then run every assertion in order, as FDR's batch mode "
        "does. Exit status: 0 if every assertion passes, 1 if any fails (or cannot be "
        "decided), 2 if the script cannot be loaded.",
    )
    p.add_argument("file", help="the CSPm script (.csp)")
    p.add_argument(
        "--typecheck",
        action="store_true",
        help="only parse, resolve and type-check (exit 0 if well-typed, 2 otherwise)",
    )
    p.add_argument("--json", action="store_true",
                   help="print a JSON list of {assertion, result, counterexample, states, "
                   "seconds, ...}, in the script's order; result is passed, failed, "
                   "inconclusive (a limit stopped the check) or error (bad input)")
    add_budget_options(p)
    add_include_option(p)


def _run_check(args: argparse.Namespace) -> int:
    from cspotlp.cspm import ast as cspm_ast
    from cspotlp.cspm import check_script, parse_file

    if args.typecheck:
        script = parse_file(args.file, args.allow_include)
        check_script(script)
        asserts = sum(isinstance(d, cspm_ast.AssertDecl) for d in script.decls)
        print(f"{args.file}: well-typed ({len(script.decls)} declarations, "
              f"{asserts} assertions)")
        return EXIT_OK

    from cspotlp.cspm.assertions import AssertionResult, check_assertions
    from cspotlp.cspm.evaluate import load_script

    loaded = load_script(args.file, args.allow_include)
    loaded.force_declarations()
    line = ProgressLine.for_args(args)

    def show(result: AssertionResult) -> None:
        line.clear()
        if not args.json:
            print("\n".join(result.lines()), flush=True)

    try:
        results = check_assertions(loaded, state_limit=args.state_limit,
                                   memory_limit=args.memory_limit, time_limit=args.time_limit,
                                   workers=args.workers, spill=args.spill, threads=threads_of(args),
                                   progress=line.callback,
                                   on_result=show)
    finally:
        line.clear()
    if args.json:
        print(json.dumps([r.to_json() for r in results], indent=2, ensure_ascii=False))
    elif not results:
        print(f"{args.file}: no assertions")
    return EXIT_OK if all(r.result == "passed" for r in results) else EXIT_FAILED


COMMANDS["check"] = (_add_check, _run_check)

# -- csp2tla -----------------------------------------------------------------------------------


def _add_csp2tla(sub: Subparsers) -> None:
    p = sub.add_parser(
        "csp2tla",
        help="export a finite CSP process as a TLA+ module and its TLC config",
        description="Build the process's LTS and write NAME.tla (explicit state variable and the "
        "last event; Init/Next over the transition table) and NAME.cfg (TLC checks the type "
        "invariant and deadlock freedom). A deadlocking process makes TLC report the deadlock.",
    )
    p.add_argument("file", nargs="?", metavar="MODEL.csp", help="a CSPm script")
    p.add_argument("process", nargs="?", help="the process to export: a name or an expression")
    _add_builtin_options(p)
    p.add_argument("--module", help="TLA+ module name (default: from the process name)")
    p.add_argument("--state-limit", type=STATE_LIMIT, default=1_000_000,
                   help="refuse processes with more states than this (default 1,000,000)")
    p.add_argument("-o", "--output", required=True, metavar="DIR",
                   help="directory for NAME.tla and NAME.cfg (created if absent)")
    add_include_option(p)


def _add_builtin_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--builtin", choices=sorted(_BUILTINS), help="a bundled textbook model")
    p.add_argument("--n", type=int, default=5, help="size parameter of the builtin model")
    p.add_argument("--butler", action="store_true", help="dining philosophers with a butler")


def _process_to_export(args: argparse.Namespace) -> tuple[str, str, Any, Any] | None:
    """The process a TLA+ export starts from: (title, default module name, process, environment).

    The single place where export commands find their process: ``MODEL.csp PROCESS`` (a CSPm
    script) or ``--builtin MODEL``; ``None`` (after a message) when neither or both were given.
    """
    if (args.builtin is None) == (args.file is None) or (args.file is None) != (args.process is None):
        print(f"cspotlp {args.command}: give MODEL.csp PROCESS, or --builtin MODEL",
              file=sys.stderr)
        return None
    if args.file is not None:
        env, process = _script_process(args)
        return f"{args.process} of {args.file}", tla_module_name(args.process), process, env
    model = _builtin_model(args)
    if model is None:
        return None
    butler = "Butler" if args.butler and args.builtin == "dining_philosophers" else ""
    module = tla_module_name(args.builtin) + butler + str(args.n)
    return model.name, module, model.process, model.env


def _run_csp2tla(args: argparse.Namespace) -> int:
    from cspotlp.csp import build_lts
    from cspotlp.export import lts_to_tla, write_files

    found = _process_to_export(args)
    if found is None:
        return EXIT_INPUT
    title, default_module, process, env = found
    lts = build_lts(process, env, state_limit=args.state_limit)
    module = lts_to_tla(lts, module=args.module or default_module, title=title)
    for path in write_files(module.files(), args.output):
        print(path)
    print(f"{title}: {lts.summary()}; TLC: java -cp tla2tools.jar tlc2.TLC -config "
          f"{module.name}.cfg {module.name}.tla", file=sys.stderr)
    return EXIT_OK


COMMANDS["csp2tla"] = (_add_csp2tla, _run_csp2tla)
