"""The one exception tree of cspotlp.

Every error says where it happened: a CSPm error carries ``file:line:col`` and prints the source
line with a caret; an OTLP error names the file (and line, for JSON Lines), the trace id and the
span id. Library exceptions (lark, protobuf, json) are caught at the boundary and re-raised as one
of these with ``from e``. Results are not exceptions: a failed refinement is a ``Verdict``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SourceLocation:
    """A place in a text file: 1-based line and column, with the line's text for the caret."""

    file: str
    line: int
    column: int
    source_line: str | None = None

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"

    def caret(self) -> str:
        """The source line and a caret under the column, or '' when the line is unknown.

        A long line is cut to about :data:`CONTEXT_WIDTH` characters around the column, the cuts
        marked with ``...``; control characters are shown escaped.
        """
        if self.source_line is None:
            return ""
        text = self.source_line.rstrip("\n")
        col = max(self.column - 1, 0)
        start = 0
        if len(text) > CONTEXT_WIDTH:
            start = max(0, min(col - CONTEXT_WIDTH // 2, len(text) - CONTEXT_WIDTH))
            end = start + CONTEXT_WIDTH
            text = ("..." if start else "") + text[start:end] + ("..." if end < len(text) else "")
            col = col - start + (3 if start else 0)
        shown = "".join(_visible(ch) for ch in text)
        pad = "".join("\t" if ch == "\t" else " " * len(_visible(ch)) for ch in text[:col])
        return f"{shown}\n{pad}^"


CONTEXT_WIDTH = 120
"""Characters of a source line an error message quotes around the column."""


def _visible(ch: str) -> str:
    """``ch`` as an error message shows it: control characters and lone surrogates escaped."""
    if ch == "\t" or (ch.isprintable() and not 0xD800 <= ord(ch) <= 0xDFFF):
        return ch
    return ch.encode("unicode_escape", "backslashreplace").decode("ascii")


class CspotlpError(Exception):
    """Base of every error cspotlp raises on purpose."""


class CspError(CspotlpError):
    """An error in the process algebra itself (ill-formed term, unguarded recursion, limits)."""


class CspEvalError(CspError):
    """A process or value could not be evaluated (value outside a channel's type, unknown name)."""


class LimitReached(CspError):
    """A budget (states, memory, time, growing terms) stopped the work: the result is inconclusive.

    ``reason`` says which bound, in words a user can act on; ``explored`` is how far the work got.
    """

    def __init__(self, reason: str, explored: int = 0) -> None:
        super().__init__(reason)
        self.reason = reason
        self.explored = explored


class StateLimitExceeded(LimitReached):
    """An exploration hit its state limit; callers turn this into an *inconclusive* result."""

    def __init__(self, limit: int, explored: int) -> None:
        super().__init__(f"state limit {limit:,} reached after {explored:,} states", explored)
        self.limit = limit


class LocatedError(CspotlpError):
    """An error at a place in a source file; ``str()`` is ``file:line:col: message``."""

    def __init__(self, message: str, location: SourceLocation | None = None) -> None:
        self.message = message
        self.location = location
        super().__init__(self._render())

    def _render(self) -> str:
        if self.location is None:
            return self.message
        return f"{self.location}: {self.message}"

    def report(self) -> str:
        """The message followed by the source line and a caret (what the CLI prints)."""
        caret = self.location.caret() if self.location is not None else ""
        return f"{self}\n{caret}" if caret else str(self)


class CspmError(LocatedError):
    """Base of errors reading, checking or evaluating a CSPm script."""


class CspmSyntaxError(CspmError):
    """The script does not parse."""


class CspmScopeError(CspmError):
    """A name is unknown, defined twice, or used where it cannot be."""


class CspmTypeError(CspmError):
    """The script is ill-typed (libcspm's type system)."""


class CspmEvalError(CspmError):
    """Evaluation failed: division by zero, value outside a channel's type, ``error(...)``."""


class CspmUnsupported(CspmError):
    """A construct cspotlp does not support yet; never answered wrongly instead."""


@dataclass(frozen=True)
class SpanWhere:
    """Where in captured telemetry something happened."""

    file: str | None = None
    line: int | None = None
    trace_id: str | None = None
    span_id: str | None = None
    column: int | None = None

    def __str__(self) -> str:
        parts: list[str] = []
        if self.file is not None:
            place = self.file
            if self.line is not None:
                place += f":{self.line}"
                if self.column is not None:
                    place += f":{self.column}"
            parts.append(place)
        if self.trace_id is not None:
            parts.append(f"trace {self.trace_id}")
        if self.span_id is not None:
            parts.append(f"span {self.span_id}")
        return ", ".join(parts)


class OtlpError(CspotlpError):
    """Base of errors reading or validating captured telemetry."""

    def __init__(self, message: str, where: SpanWhere | None = None) -> None:
        self.message = message
        self.where = where or SpanWhere()
        text = f"{self.where}: {message}" if str(self.where) else message
        super().__init__(text)


class MalformedInput(OtlpError):
    """The file is not valid in any supported encoding, or breaks it at a named place."""


class NonConformingInput(MalformedInput):
    """Input that breaks the OTLP JSON spec in a common way, read only when asked to be lenient.

    The common ways: base64 ids, enum names, snake_case keys, pre-1.0 key names.
    """


class OrphanSpan(OtlpError):
    """A span's parent is not in the trace."""


class SpanCycle(OtlpError):
    """Parent links form a cycle (including a span that is its own parent)."""


class DuplicateSpanId(OtlpError):
    """Two spans of one trace share a span id."""


class ClockSkew(OtlpError):
    """Times break the span-forest conditions.

    A child starts outside its parent's interval, an event lies outside its span, or a span ends
    before it starts.
    """


class OttlError(LocatedError):
    """An OTTL statement or condition is wrong: syntax, unknown function, bad argument or path.

    ``str()`` is ``file:line:col: message``, where the place is the statement's own file (the
    ``--ottl`` file, or ``<--ottl-drop>`` for a condition given on the command line).
    """


class OttlSyntaxError(OttlError):
    """The text is not OTTL."""


class OttlBindError(OttlError):
    """The statement parses but cannot be built: unknown function, path or enum, wrong argument."""


class OttlRuntimeError(OttlError):
    """A statement failed on one span (error_mode ``propagate``): names the statement and span."""


class MappingError(CspotlpError):
    """A trace is not well formed, or a forest is not valid, where Φ/Ψ require it."""


class AbstractionError(LocatedError):
    """An abstraction file (span -> label rules) is malformed: bad JSON/TOML, unknown key, bad regex."""


class ExportError(CspotlpError):
    """An exporter cannot render its input faithfully for the target tool."""


class VerifyError(CspotlpError):
    """A proof or conformance run could not be set up (not a failed proof: that is a verdict)."""


class GoModelError(LocatedError):
    """A Go-style model (:mod:`cspotlp.gomodel`) is ill-formed; the location is the model's line."""


class ServeError(CspotlpError):
    """The OTLP receiver cannot start as configured (address, TLS files, missing token)."""


class OtelError(CspotlpError):
    """The OpenTelemetry SDK side cannot be set up (no SDK, a foreign global provider, a bad file)."""
