"""Reading OTTL programs: plain statement files and the Collector's YAML configurations.

A **plain file** holds one statement per line; blank lines and lines starting with ``#`` are
skipped. Its statements run in the ``span`` context (paths without a context name are the
span's; ``resource.``, ``instrumentation_scope.``/``scope.`` reach the enclosing ones), or in
the ``spanevent`` context when they name ``spanevent.`` paths::

    replace_pattern(attributes["user.email"], "[^@]+@", "***@")
    set(attributes["status_class"], "5xx") where attributes["http.status_code"] >= 500

A **YAML file** is recognised by its extension (``.yaml``/``.yml``) or by its first key. It
may be the transform processor's configuration, under ``transform``/``transform/<name>`` or
alone::

    error_mode: ignore
    trace_statements:
      - context: span                    # resource, scope, span or spanevent
        conditions: ['kind == SPAN_KIND_SERVER']
        statements:
          - keep_keys(attributes, ["service", "method", "status_class"])
      - 'set(span.attributes["x"], "y")' # context inferred from the paths' context names

the filter processor's (``traces: {span: [...], spanevent: [...]}``: what matches is dropped),
or a whole Collector configuration, whose ``transform`` and ``filter`` processors run in the
order of the traces pipeline (``service.pipelines.traces.processors``), else in file order.

Every statement keeps its place in the file, so errors read ``file:line:col: ...``.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from cspotlp.errors import OttlBindError, OttlError, OttlSyntaxError, SourceLocation
from cspotlp.ottl.compiler import (
    CompiledCondition,
    CompiledStatement,
    compile_condition,
    compile_statement,
    paths_of,
)
from cspotlp.ottl.paths import CONTEXT_ALIASES, CONTEXTS, statement_context
from cspotlp.ottl.program import ERROR_MODES, Program, StatementGroup
from cspotlp.ottl.syntax import Source, parse_condition, parse_statement

MAX_FILE_BYTES = 16 << 20
"""The largest OTTL file read (statements are short; a bigger file is a mistake)."""

_CONTEXT_NAMES = {"resource": "resource", "scope": "scope", "span": "span",
                  "spanevent": "spanevent", "trace": "span"}


@dataclass(frozen=True)
class _Text:
    """A string from the file and where its first character is."""

    value: str
    source: Source


# -- plain statement lists -------------------------------------------------------------------


def compile_statements(statements: Iterable[str | tuple[str, Source]], *,
                       context: str | None = None) -> tuple[CompiledStatement, ...]:
    """Compile statements; without ``context``, each runs in span (or spanevent) context.

    Raises:
        OttlSyntaxError, OttlBindError: located at the statement's source.
    """
    out = []
    for item in statements:
        text, source = item if isinstance(item, tuple) else (item, Source())
        parsed = parse_statement(text, source)
        ctx = context or _plain_context(parsed)
        out.append(compile_statement(parsed, ctx, source))
    return tuple(out)


def _plain_context(parsed: Any) -> str:
    named = {CONTEXT_ALIASES[f[0].name] for f in paths_of(parsed)
             if len(f) > 1 and f[0].name in CONTEXT_ALIASES}
    return "spanevent" if "spanevent" in named else "span"


def compile_conditions(conditions: Iterable[str | tuple[str, Source]], context: str = "span"
                       ) -> tuple[CompiledCondition, ...]:
    """Compile filter conditions (each a boolean expression) for ``context``."""
    out = []
    for item in conditions:
        text, source = item if isinstance(item, tuple) else (item, Source())
        out.append(compile_condition(parse_condition(text, source), text, context, source))
    return tuple(out)


def program_from_statements(statements: Sequence[str] = (), *, drop: Sequence[str] = (),
                            context: str | None = None, error_mode: str = "propagate"
                            ) -> Program:
    """A program from statement texts (and filter conditions that drop spans).

    >>> p = program_from_statements(['set(attributes["x"], "y")'], drop=['name == "GET /health"'])
    >>> p.statement_count()
    2
    """
    group = StatementGroup(context or "span", compile_statements(statements, context=context))
    return Program((group,) if group.statements else (),
                   compile_conditions((c, Source("<--ottl-drop>", 1, 1, c)) for c in drop),
                   error_mode=error_mode)


def drop_program(conditions: Sequence[str], error_mode: str = "propagate") -> Program:
    """The filter program of ``--ottl-drop`` conditions (any match drops the span)."""
    return Program((), compile_conditions(
        (c, Source("<--ottl-drop>", 1, 1, c)) for c in conditions), error_mode=error_mode)


def loads_plain(text: str, file: str = "<ottl>") -> Program:
    """The program of a plain statement file (one statement per line, ``#`` comments)."""
    items: list[tuple[str, Source]] = []
    for number, line in enumerate(text.split("\n"), 1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        column = len(line) - len(line.lstrip()) + 1
        items.append((stripped, Source(file, number, column, line)))
    statements = compile_statements(items)
    groups: list[StatementGroup] = []
    for st in statements:  # consecutive statements of one context share a group
        if groups and groups[-1].context == st.context:
            last = groups[-1]
            groups[-1] = StatementGroup(last.context, (*last.statements, st))
        else:
            groups.append(StatementGroup(st.context, (st,)))
    if not groups:
        raise OttlSyntaxError("no OTTL statements (every line is blank or a # comment)",
                              SourceLocation(file, 1, 1))
    return Program(tuple(groups))


# -- YAML ------------------------------------------------------------------------------------


def looks_like_yaml(text: str, file: str) -> bool:
    """Whether an OTTL file is YAML: by extension, else by a first line ``key:``."""
    if file.endswith((".yaml", ".yml")):
        return True
    for line in text.split("\n"):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        head = stripped.split(":", 1)[0].strip()
        return stripped != head and head.replace("/", "").replace("_", "").replace(
            "-", "").isalnum() and "(" not in head
    return False


def loads_yaml(text: str, file: str = "<ottl>") -> Program:
    """The program of a transform/filter processor or Collector configuration (YAML)."""
    import yaml

    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        lines = text.split("\n")
        loc = None
        if mark is not None:
            loc = SourceLocation(file, mark.line + 1, mark.column + 1,
                                 lines[mark.line] if mark.line < len(lines) else None)
        raise OttlSyntaxError(f"not valid YAML: {e.problem or e}", loc) from e
    except yaml.YAMLError as e:
        raise OttlSyntaxError(f"{file}: not valid YAML: {e}") from e
    reader = _YamlReader(file, text)
    if root is None:
        raise OttlSyntaxError("the YAML file is empty", SourceLocation(file, 1, 1))
    return reader.program(root)


class _YamlReader:
    def __init__(self, file: str, text: str) -> None:
        self.file = file
        self.lines = text.split("\n")

    def loc(self, node: Any) -> SourceLocation:
        mark = node.start_mark
        line = self.lines[mark.line] if mark.line < len(self.lines) else None
        return SourceLocation(self.file, mark.line + 1, mark.column + 1, line)

    def fail(self, message: str, node: Any) -> OttlBindError:
        return OttlBindError(message, self.loc(node))

    # -- node helpers -----------------------------------------------------------------------
    def mapping(self, node: Any, what: str) -> list[tuple[str, Any, Any]]:
        import yaml

        if not isinstance(node, yaml.MappingNode):
            raise self.fail(f"{what} must be a mapping", node)
        out = []
        for key, value in node.value:
            if not isinstance(key, yaml.ScalarNode):
                raise self.fail(f"{what}: keys must be strings", key)
            out.append((str(key.value), key, value))
        return out

    def sequence(self, node: Any, what: str) -> list[Any]:
        import yaml

        if isinstance(node, yaml.ScalarNode) and node.value in ("", "~", "null") \
                and node.style is None:
            return []
        if not isinstance(node, yaml.SequenceNode):
            raise self.fail(f"{what} must be a list", node)
        return list(node.value)

    def text(self, node: Any, what: str) -> _Text:
        import yaml

        if not isinstance(node, yaml.ScalarNode):
            raise self.fail(f"{what} must be a string", node)
        mark = node.start_mark
        line, column = mark.line, mark.column
        if node.style in ("'", '"'):
            column += 1  # the statement starts after the quote
        elif node.style in ("|", ">"):
            line += 1
            while line < len(self.lines) and not self.lines[line].strip():
                line += 1
            column = len(self.lines[line]) - len(self.lines[line].lstrip()) \
                if line < len(self.lines) else 0
        line_text = self.lines[line] if line < len(self.lines) else None
        return _Text(str(node.value).strip(), Source(self.file, line + 1, column + 1,
                                                     line_text))

    def scalar(self, node: Any, what: str) -> str:
        import yaml

        if not isinstance(node, yaml.ScalarNode):
            raise self.fail(f"{what} must be a string", node)
        return str(node.value)

    # -- structure --------------------------------------------------------------------------
    def program(self, root: Any) -> Program:
        top = self.mapping(root, "the OTTL configuration")
        keys = {k for k, _kn, _v in top}
        if "processors" in keys:
            return self.collector_config(root)
        if keys & {"trace_statements", "traces"} or \
                keys & {"error_mode", "log_statements", "metric_statements"}:
            return self.processor("", root)
        programs = [(k, kn, v) for k, kn, v in top
                    if k.split("/")[0] in ("transform", "filter")]
        if programs:
            return self.chain(programs)
        raise self.fail("no OTTL for traces here: expected trace_statements (the transform "
                        "processor), traces.span (the filter processor), transform/filter "
                        "processors, or a Collector configuration with processors", root)

    def collector_config(self, root: Any) -> Program:
        top = {k: v for k, _kn, v in self.mapping(root, "the Collector configuration")}
        procs = self.mapping(top["processors"], "processors")
        wanted = [(k, kn, v) for k, kn, v in procs if k.split("/")[0] in ("transform", "filter")]
        order = self.pipeline_order(top.get("service"))
        if order is not None:
            by_name = {k: (k, kn, v) for k, kn, v in wanted}
            wanted = [by_name[name] for name in order if name in by_name]
        if not wanted:
            raise self.fail("the Collector configuration has no transform or filter processor"
                            " for traces", root)
        return self.chain(wanted)

    def pipeline_order(self, service: Any) -> list[str] | None:
        if service is None:
            return None
        pipelines = {k: v for k, _kn, v in self.mapping(service, "service")}.get(
            "pipelines")
        if pipelines is None:
            return None
        order: list[str] = []
        for name, _kn, pipe in self.mapping(pipelines, "service.pipelines"):
            if name.split("/")[0] != "traces":
                continue
            for key, _k, value in self.mapping(pipe, f"service.pipelines.{name}"):
                if key == "processors":
                    order.extend(self.scalar(p, "a processor name")
                                 for p in self.sequence(value, "processors"))
        return order

    def chain(self, processors: Sequence[tuple[str, Any, Any]]) -> Program:
        program: Program | None = None
        for name, _key_node, node in processors:
            part = self.processor(name, node)
            program = part if program is None else program.then(part)
        assert program is not None
        return program

    def processor(self, name: str, node: Any) -> Program:
        kind = name.split("/")[0]
        entries = self.mapping(node, name or "the processor")
        error_mode = "propagate"
        groups: list[StatementGroup] = []
        span_drops: list[CompiledCondition] = []
        event_drops: list[CompiledCondition] = []
        for key, key_node, value in entries:
            if key == "error_mode":
                error_mode = self.scalar(value, "error_mode")
                if error_mode not in ERROR_MODES:
                    raise self.fail(f"unknown error_mode {error_mode!r}; expected one of "
                                    f"{', '.join(ERROR_MODES)}", value)
            elif key == "trace_statements" and kind != "filter":
                groups.extend(self.trace_statements(value))
            elif key == "traces" and kind != "transform":
                span_drops_part, event_drops_part = self.filter_traces(value)
                span_drops.extend(span_drops_part)
                event_drops.extend(event_drops_part)
            elif key in ("log_statements", "metric_statements", "logs", "metrics",
                         "profile_statements", "profiles", "flatten_data"):
                continue  # other signals: nothing to do with spans
            elif key == "statements":
                raise self.fail("top-level statements need a context: write them under "
                                "trace_statements", key_node)
            else:
                raise self.fail(f"unknown key {key!r} in {name or 'the processor'}",
                                key_node)
        if not groups and not span_drops and not event_drops:
            raise self.fail(f"{name or 'the configuration'} has no trace_statements and no "
                            f"traces filter", node)
        return Program(tuple(groups), tuple(span_drops), tuple(event_drops), error_mode)

    def trace_statements(self, node: Any) -> list[StatementGroup]:
        import yaml

        groups: list[StatementGroup] = []
        flat: list[_Text] = []
        for item in self.sequence(node, "trace_statements"):
            if isinstance(item, yaml.ScalarNode):
                flat.append(self.text(item, "a statement"))
                continue
            if flat:
                groups.extend(self.inferred_groups(flat))
                flat = []
            groups.append(self.group(item))
        if flat:
            groups.extend(self.inferred_groups(flat))
        return groups

    def group(self, node: Any) -> StatementGroup:
        context: str | None = None
        statements: list[_Text] = []
        conditions: list[_Text] = []
        error_mode: str | None = None
        for key, key_node, value in self.mapping(node, "a trace_statements entry"):
            if key == "context":
                name = self.scalar(value, "context")
                if name not in _CONTEXT_NAMES:
                    raise self.fail(f"unknown context {name!r} for traces; expected one of "
                                    f"{', '.join(CONTEXTS)}", value)
                context = _CONTEXT_NAMES[name]
            elif key == "statements":
                statements = [self.text(s, "a statement")
                              for s in self.sequence(value, "statements")]
            elif key == "conditions":
                conditions = [self.text(s, "a condition")
                              for s in self.sequence(value, "conditions")]
            elif key == "error_mode":
                error_mode = self.scalar(value, "error_mode")
                if error_mode not in ERROR_MODES:
                    raise self.fail(f"unknown error_mode {error_mode!r}", value)
            else:
                raise self.fail(f"unknown key {key!r} in a trace_statements entry; expected "
                                f"context, statements, conditions, error_mode", key_node)
        parsed = [parse_statement(t.value, t.source) for t in statements]
        parsed_conds = [parse_condition(t.value, t.source) for t in conditions]
        if context is None:
            context = self.infer(parsed, parsed_conds, statements + conditions, node)
        compiled = tuple(compile_statement(p, context, t.source)
                         for p, t in zip(parsed, statements, strict=True))
        conds = tuple(compile_condition(p, t.value, context, t.source)
                      for p, t in zip(parsed_conds, conditions, strict=True))
        return StatementGroup(context, compiled, conds, error_mode)

    def inferred_groups(self, texts: Sequence[_Text]) -> list[StatementGroup]:
        groups: list[StatementGroup] = []
        for t in texts:
            parsed = parse_statement(t.value, t.source)
            context = self.infer([parsed], [], [t], None)
            st = compile_statement(parsed, context, t.source)
            if groups and groups[-1].context == context:
                groups[-1] = StatementGroup(context, (*groups[-1].statements, st))
            else:
                groups.append(StatementGroup(context, (st,)))
        return groups

    def infer(self, statements: Sequence[Any], conditions: Sequence[Any],
              texts: Sequence[_Text], node: Any) -> str:
        """pkg/ottl's context inference: every path must name its context."""
        all_paths = [fs for s in [*statements, *conditions] for fs in paths_of(s)]
        for fs, t in ((fs, t) for s, t in zip([*statements, *conditions], texts, strict=True)
                      for fs in paths_of(s)):
            if not (len(fs) > 1 and fs[0].name in CONTEXT_ALIASES):
                raise OttlBindError(
                    f"missing context name for path \"{'.'.join(f.name for f in fs)}\": "
                    f"statements without a context must write span.name, "
                    f"resource.attributes[...]; or give the group a context",
                    t.source.at(fs[0].pos, t.value))
        context = statement_context(all_paths)
        return context or "span"

    def filter_traces(self, node: Any) -> tuple[list[CompiledCondition],
                                                list[CompiledCondition]]:
        spans: list[CompiledCondition] = []
        events: list[CompiledCondition] = []
        for key, key_node, value in self.mapping(node, "traces"):
            if key not in ("span", "spanevent"):
                raise self.fail(f"unknown key {key!r} in traces; expected span, spanevent",
                                key_node)
            texts = [self.text(s, "a condition") for s in self.sequence(value, key)]
            compiled = compile_conditions(((t.value, t.source) for t in texts), key)
            (spans if key == "span" else events).extend(compiled)
        return spans, events


# -- files -----------------------------------------------------------------------------------


def loads_program(text: str, file: str = "<ottl>") -> Program:
    """The program in ``text``: YAML (see :func:`looks_like_yaml`) or plain statements."""
    if looks_like_yaml(text, file):
        return loads_yaml(text, file)
    return loads_plain(text, file)


def load_program(path: str | os.PathLike[str]) -> Program:
    """Read an OTTL file (plain statements or Collector YAML) and compile it.

    Raises:
        OttlError: the file cannot be read, or a statement is wrong (with file:line:col).
    """
    name = os.fspath(path)
    try:
        st = os.stat(name)
        if not os.path.isfile(name):
            raise OttlError(f"{name}: not a regular file")
        if st.st_size > MAX_FILE_BYTES:
            raise OttlError(f"{name}: {st.st_size} bytes; OTTL files are at most "
                            f"{MAX_FILE_BYTES} bytes")
        with open(name, encoding="utf-8") as f:
            text = f.read()
    except (OSError, UnicodeDecodeError) as e:
        raise OttlError(f"{name}: cannot read: {e}") from e
    return loads_program(text, name)


__all__ = [
    "MAX_FILE_BYTES", "compile_conditions", "compile_statements", "drop_program",
    "load_program", "loads_plain", "loads_program", "loads_yaml", "looks_like_yaml",
    "program_from_statements",
]
