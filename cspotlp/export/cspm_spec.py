"""What an exporter needs to know about a specification script, read without evaluating it.

:func:`read_spec_interface` parses and type-checks a CSPm script (includes inlined) and returns
a :class:`SpecInterface`: every top-level name it declares (so exported names cannot clash
with them) and, per channel, the values each field carries as far as they can be read from
declarations — a datatype's nullary constructors, ``Bool``, literal sets and ranges of ints,
``nametype`` aliases of these. That is enough to tell which abstract events the
specification's alphabet holds (see :mod:`cspotlp.mapping.alphabet`); a field whose type is
anything else is reported as unknown (None). An evaluated script gives exact domains instead.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from cspotlp.csp.values import Datum, Value
from cspotlp.cspm import ast, check_script, parse_file
from cspotlp.mapping.alphabet import FieldDomains


@dataclass(frozen=True)
class SpecInterface:
    """Top-level names of a specification script and the field domains of its channels."""

    path: str
    names: frozenset[str]
    channels: Mapping[str, FieldDomains]
    processes: frozenset[str]
    """Names bound by ``P = ...`` / ``P(x) = ...`` declarations (candidates for ``--process``)."""


def read_spec_interface(path: str | os.PathLike[str],
                        allow_include: Sequence[str | os.PathLike[str]] = ()) -> SpecInterface:
    """Parse and type-check ``path`` and read its interface.

    ``allow_include``: directories outside the script's tree its includes may read.

    Raises:
        CspmError: the script does not parse or is ill-typed (located at file:line:col).
    """
    script = parse_file(path, allow_include)
    check_script(script)
    return spec_interface(script, os.fspath(path))


def spec_interface(script: ast.Script, path: str = "<spec>") -> SpecInterface:
    """The interface of a parsed script (see the module docstring)."""
    datatypes: dict[str, tuple[ast.DataClause, ...]] = {}
    nametypes: dict[str, ast.Exp] = {}
    names: set[str] = set()
    processes: set[str] = set()
    for d in script.decls:
        if isinstance(d, ast.DataTypeDecl | ast.SubTypeDecl):
            datatypes[d.name] = d.clauses
            names.add(d.name)
            names.update(c.name for c in d.clauses)
        elif isinstance(d, ast.NameTypeDecl):
            nametypes[d.name] = d.type_expr
            names.add(d.name)
        elif isinstance(d, ast.ChannelDecl | ast.TransparentDecl | ast.ExternalDecl):
            names.update(i.name for i in d.names)
        elif isinstance(d, ast.FunBind):
            names.add(d.name)
            processes.add(d.name)
        elif isinstance(d, ast.PatBind):
            bound = _pattern_names(d.pattern)
            names.update(bound)
            if isinstance(d.pattern, ast.PVar):
                processes.add(d.pattern.name)
    channels: dict[str, FieldDomains] = {}
    for d in script.decls:
        if isinstance(d, ast.ChannelDecl):
            fields = _dot_items(d.type_expr) if d.type_expr is not None else []
            domains = tuple(_domain(f, datatypes, nametypes) for f in fields)
            for ident in d.names:
                channels[ident.name] = domains
    return SpecInterface(path, frozenset(names), channels, frozenset(processes))


def _pattern_names(p: ast.Pat) -> list[str]:
    out: list[str] = []
    stack = [p]
    while stack:
        q = stack.pop()
        if isinstance(q, ast.PVar):
            out.append(q.name)
        elif isinstance(q, ast.PTuple | ast.PDot | ast.PSeq | ast.PSet):
            stack.extend(q.items)
        elif isinstance(q, ast.PConcat | ast.PDouble):
            stack.extend((q.left, q.right))
    return out


def _dot_items(e: ast.Exp) -> list[ast.Exp]:
    """The fields of a channel type ``T1.T2...`` (nested dots flattened, left to right)."""
    out: list[ast.Exp] = []
    stack = [e]
    while stack:
        q = stack.pop()
        if isinstance(q, ast.DotExp):
            stack.extend(reversed(q.items))
        else:
            out.append(q)
    return out


def _domain(e: ast.Exp, datatypes: Mapping[str, tuple[ast.DataClause, ...]],
            nametypes: Mapping[str, ast.Exp]) -> frozenset[Value] | None:
    """The values of one field type, when declarations alone say what they are."""
    seen: set[str] = set()
    while isinstance(e, ast.Var) and e.name in nametypes and e.name not in seen:
        seen.add(e.name)
        e = nametypes[e.name]
    if isinstance(e, ast.Var):
        if e.name in datatypes:
            return frozenset(Datum(c.name) for c in datatypes[e.name] if c.type_expr is None)
        if e.name == "Bool":
            return frozenset({True, False})
        return None
    if isinstance(e, ast.SetRange) and isinstance(e.low, ast.IntLit) \
            and isinstance(e.high, ast.IntLit):
        return frozenset(range(e.low.value, e.high.value + 1))
    if isinstance(e, ast.SetExp):
        constructors = {c.name for cs in datatypes.values() for c in cs if c.type_expr is None}
        values: set[Value] = set()
        for item in e.items:
            if isinstance(item, ast.IntLit | ast.BoolLit):
                values.add(item.value)
            elif isinstance(item, ast.Var) and item.name in constructors:
                values.add(Datum(item.name))
            else:
                return None
        return frozenset(values)
    return None


__all__ = ["SpecInterface", "read_spec_interface", "spec_interface"]
