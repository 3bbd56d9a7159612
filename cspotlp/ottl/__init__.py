"""OTTL, the OpenTelemetry Transformation Language, on captured spans.

Users shape traces before checking them — redact personal data, drop health checks, keep the
attributes that matter — with the statements they already have in their Collector's transform
and filter processors. This package parses those statements (a lark grammar following
pkg/ottl's), compiles each once into Python closures, and runs them on
:class:`~cspotlp.otlp.Span` records:

>>> from cspotlp.ottl import program_from_statements
>>> from cspotlp.otlp import Span, attributes
>>> span = Span("ab" * 16, "cd" * 8, "", "login", 2, 0, 10,
...             attributes({"user.email": "ann@example.com"}))
>>> program = program_from_statements(
...     ['replace_pattern(attributes["user.email"], "^[^@]+", "***")'])
>>> program.apply_spans([span])[0].attributes[0].value.value
'***@example.com'

Files (:func:`load_program`) are plain statement lists or the Collector's YAML (see
:mod:`cspotlp.ottl.config`). Errors name ``file:line:col``. The CLI option ``--ottl FILE``
(and ``--ottl-drop CONDITION``) of ``inspect``, ``abstract``, ``conform``, ``otlp2cspm``,
``otlp2tla``, ``render`` and ``report`` applies a program to every captured trace before
anything else looks at it; ``serve`` applies it to every export request
(:meth:`Program.apply_spans`).
"""

from cspotlp.ottl.compiler import (
    CompiledCondition,
    CompiledStatement,
    compile_condition,
    compile_statement,
    compile_value,
)
from cspotlp.ottl.config import (
    compile_conditions,
    compile_statements,
    drop_program,
    load_program,
    loads_program,
    program_from_statements,
)
from cspotlp.ottl.functions import FUNCTIONS, UNAVAILABLE
from cspotlp.ottl.paths import CONTEXTS, ENUMS, FIELDS
from cspotlp.ottl.program import ERROR_MODES, Program, RunNotes, StatementGroup
from cspotlp.ottl.syntax import Source, parse_condition, parse_statement, parse_value

__all__ = [
    "CONTEXTS", "ENUMS", "ERROR_MODES", "FIELDS", "FUNCTIONS", "UNAVAILABLE",
    "CompiledCondition", "CompiledStatement", "Program", "RunNotes", "Source", "StatementGroup",
    "compile_condition", "compile_conditions", "compile_statement", "compile_statements",
    "compile_value", "drop_program", "load_program", "loads_program", "parse_condition",
    "parse_statement", "parse_value", "program_from_statements",
]
