"""Checking TLA+ text from tests: tree-sitter-tlaplus always, SANY and TLC when the jar is there.

Every emitted module must parse with tree-sitter-tlaplus with no ERROR or MISSING node. When the
environment variable ``TLA2TOOLS_JAR`` names a ``tla2tools.jar``, tests marked
:data:`needs_tla2tools` also run SANY (``tla2sany.SANY -error-codes``) and TLC and assert the
expected verdicts; those are the only tests allowed to skip. The ndjson trace modules need the
CommunityModules jar too (``TLA_COMMUNITY_MODULES_JAR``, e.g. ``CommunityModules-deps.jar``).
"""

from __future__ import annotations

import os
import random
import re
import subprocess
import warnings
from array import array
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import tree_sitter_tlaplus
from tree_sitter import Language, Parser

from cspotlp.csp import STOP, TAU, TICK, Lts, event

REPO = Path(__file__).resolve().parent.parent
SPECS = REPO / "specs"

TLA2TOOLS_JAR = os.environ.get("TLA2TOOLS_JAR", "")
COMMUNITY_MODULES_JAR = os.environ.get("TLA_COMMUNITY_MODULES_JAR", "")

needs_tla2tools = pytest.mark.skipif(
    not TLA2TOOLS_JAR, reason="TLA2TOOLS_JAR is not set (SANY/TLC are user-installed)"
)
needs_community_modules = pytest.mark.skipif(
    not (TLA2TOOLS_JAR and COMMUNITY_MODULES_JAR),
    reason="TLA2TOOLS_JAR and TLA_COMMUNITY_MODULES_JAR (ndJsonDeserialize) are not both set",
)


@cache
def _parser() -> Parser:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # int language handles (older API)
        return Parser(Language(tree_sitter_tlaplus.language()))


def parse_tree(text: str) -> Any:
    """The tree-sitter parse tree of ``text``."""
    return _parser().parse(text.encode("utf-8"))


def syntax_problems(text: str) -> list[str]:
    """Every ERROR or MISSING node of the parse, as ``line:col: kind`` (1-based); empty if none."""
    problems: list[str] = []
    stack = [parse_tree(text).root_node]
    while stack:
        node = stack.pop()
        if node.type == "ERROR" or node.is_missing:
            row, col = node.start_point
            kind = "missing " + node.type if node.is_missing else "error"
            problems.append(f"{row + 1}:{col + 1}: {kind}")
        stack.extend(node.children)
    return sorted(problems)


def assert_parses(text: str, what: str = "module") -> None:
    """Fail with the first problems (and their lines) when ``text`` does not parse cleanly."""
    problems = syntax_problems(text)
    if problems:
        lines = text.splitlines()
        shown = []
        for p in problems[:5]:
            line = int(p.split(":")[0])
            shown.append(f"{p}\n    {lines[line - 1] if line <= len(lines) else ''}")
        pytest.fail(f"{what} does not parse with tree-sitter-tlaplus:\n" + "\n".join(shown))


def module_name(text: str) -> str:
    """The name in the ``---- MODULE name ----`` line."""
    for line in text.splitlines():
        if " MODULE " in line and line.startswith("-"):
            return line.split(" MODULE ")[1].split()[0]
    raise AssertionError("no MODULE header")


@dataclass(frozen=True)
class ToolRun:
    """Exit code and output of one SANY or TLC run."""

    returncode: int
    output: str


def _java(args: list[str], cwd: Path, env: dict[str, str] | None = None,
          timeout: int = 900) -> ToolRun:
    cp = TLA2TOOLS_JAR + (os.pathsep + COMMUNITY_MODULES_JAR if COMMUNITY_MODULES_JAR else "")
    full_env = dict(os.environ)
    full_env.update(env or {})
    result = subprocess.run(
        ["java", "-XX:+UseParallelGC", "-cp", cp, *args], cwd=cwd, capture_output=True,
        text=True, timeout=timeout, env=full_env, check=False,
    )
    return ToolRun(result.returncode, result.stdout + result.stderr)


def run_sany(directory: Path, module: str) -> ToolRun:
    """``tla2sany.SANY -error-codes MODULE.tla`` in ``directory``."""
    return _java(["tla2sany.SANY", "-error-codes", f"{module}.tla"], directory, timeout=300)


def run_tlc(directory: Path, module: str, config: str | None = None,
            env: dict[str, str] | None = None) -> ToolRun:
    """TLC on ``MODULE.tla`` with ``CONFIG.cfg`` (default: the module's), one worker, no trace
    files, metadata in a fresh directory under ``directory``."""
    cfg = f"{config or module}.cfg"
    return _java(["tlc2.TLC", "-config", cfg, "-workers", "1", "-noGenerateSpecTE",
                  "-metadir", str(directory / "_tlc_states"), "-cleanup", f"{module}.tla"],
                 directory, env=env)


# TLC's exit codes (tlc2.output.EC.ExitStatus).
TLC_SUCCESS = 0
TLC_VIOLATION_ASSUMPTION = 10  # also how TLC 1.8 reports a false POSTCONDITION
TLC_VIOLATION_DEADLOCK = 11
TLC_VIOLATION_SAFETY = 12
TLC_ERRORS = (75, 76, 77, 150, 151, 152, 153, 255)
"""Evaluation failures, parse and config errors, system errors: never an expected verdict."""


# -- reading literal definitions back ----------------------------------------------------------

_ESCAPES = {'"': '"', "\\": "\\", "n": "\n", "t": "\t", "r": "\r", "f": "\f"}


def _string_value(raw: str) -> str:
    body = raw[1:-1]
    out: list[str] = []
    i = 0
    while i < len(body):
        if body[i] == "\\":
            out.append(_ESCAPES[body[i + 1]])
            i += 2
        else:
            out.append(body[i])
            i += 1
    return "".join(out)


def literal_value(node: Any) -> Any:
    """The Python value of a literal TLA+ expression: numbers, strings, tuples (as tuples),
    finite sets (frozensets) and records (dicts). Nesting is shallow in everything we emit."""
    kind = node.type
    named = [c for c in node.children if c.is_named and c.type not in ("comment", "block_comment")]
    if kind == "nat_number":
        return int(node.text)
    if kind == "string":
        return _string_value(node.text.decode("ascii"))
    if kind == "tuple_literal":
        return tuple(literal_value(c) for c in named
                      if c.type not in ("langle_bracket", "rangle_bracket"))
    if kind == "finite_set_literal":
        return frozenset(literal_value(c) for c in named)
    if kind == "record_literal":
        fields = [c for c in named if c.type != "all_map_to"]
        return {fields[i].text.decode(): literal_value(fields[i + 1])
                for i in range(0, len(fields), 2)}
    if kind == "parentheses":
        return literal_value(named[0])
    raise AssertionError(f"not a literal: {kind} {node.text[:60]!r}")


def definition(text: str, name: str) -> Any:
    """The body node of the top-level definition ``name == ...`` in the module ``text``."""
    module = parse_tree(text).root_node.children[0]
    for child in module.children:
        if child.type == "operator_definition":
            ident = child.child_by_field_name("name") or child.children[0]
            if ident.text.decode() == name:
                return child.children[-1]
    raise AssertionError(f"no definition of {name}")


def defined_value(text: str, name: str) -> Any:
    """The value of a literal top-level definition (``Succ``, ``Events``, ``TraceLog``...)."""
    return literal_value(definition(text, name))


def distinct_states(tlc_output: str) -> int:
    """The final "N distinct states found" count of a TLC run (TLC may group digits)."""
    found = re.findall(r"([\d,]+) distinct states found", tlc_output)
    assert found, f"no state count in TLC output:\n{tlc_output}"
    return int(found[-1].replace(",", ""))


_CFG_KEYWORDS = {
    "SPECIFICATION", "INIT", "NEXT", "CONSTANT", "CONSTANTS", "INVARIANT", "INVARIANTS",
    "PROPERTY", "PROPERTIES", "CONSTRAINT", "CONSTRAINTS", "ACTION_CONSTRAINT",
    "ACTION_CONSTRAINTS", "SYMMETRY", "VIEW", "POSTCONDITION", "CHECK_DEADLOCK", "ALIAS",
}


def read_config(text: str) -> dict[str, list[str]]:
    """A TLC config as keyword -> its entries (one per line; ``\\*`` comments dropped).

    Fails on an unknown keyword or an entry before any keyword: a cheap syntax check.
    """
    sections: dict[str, list[str]] = {}
    current: str | None = None
    for raw in text.splitlines():
        line = raw.split("\\*", 1)[0].strip()
        if not line:
            continue
        head, _, rest = line.partition(" ")
        if head in _CFG_KEYWORDS:
            current = {"CONSTANTS": "CONSTANT", "INVARIANTS": "INVARIANT"}.get(head, head)
            sections.setdefault(current, [])
            if rest.strip():
                sections[current].append(rest.strip())
        else:
            assert current is not None, f"config entry before any keyword: {raw!r}"
            sections[current].append(line)
    return sections


def top_level_names(text: str) -> set[str]:
    """Names a module defines or declares at top level (operators, constants, variables)."""
    names: set[str] = set()
    module = parse_tree(text).root_node.children[0]
    for child in module.children:
        if child.type in ("operator_definition", "function_definition"):
            names.add(child.children[0].text.decode())
        elif child.type in ("constant_declaration", "variable_declaration"):
            for c in child.children:
                if c.type == "identifier":
                    names.add(c.text.decode())
                elif c.type == "operator_declaration":
                    names.add(c.children[0].text.decode())
    return names


def declared(text: str, kind: str) -> set[str]:
    """Constants (``kind="constant"``) or variables (``"variable"``) declared in a module."""
    names: set[str] = set()
    module = parse_tree(text).root_node.children[0]
    for child in module.children:
        if child.type == f"{kind}_declaration":
            names |= {c.text.decode() for c in child.children if c.type == "identifier"}
    return names


def synthetic_lts(states: int, out_degree: int, events: int, seed: int = 7) -> Lts:
    """A random LTS (state 0 initial) with ``states * out_degree`` transitions."""
    rng = random.Random(seed)
    evs = [TAU, TICK, *(event("e", i) for i in range(events))]
    offsets, labels, targets = array("q", [0]), array("i"), array("q")
    for _ in range(states):
        for _ in range(out_degree):
            labels.append(rng.randrange(2, len(evs)))
            targets.append(rng.randrange(states))
        offsets.append(len(targets))
    return Lts(evs, [STOP] * states, offsets, labels, targets, 0.0)
