"""Source texts and located errors: turn a :class:`Span` into ``file:line:col`` with a caret."""

from __future__ import annotations

from collections.abc import Mapping

from cspotlp.cspm.ast import Script, Span
from cspotlp.errors import CspmError, SourceLocation


def source_line(text: str, line: int) -> str | None:
    """The text of 1-based ``line`` in ``text`` (without its end of line), or None."""
    if line < 1:
        return None
    lines = text.split("\n")
    if line > len(lines):
        return None
    return lines[line - 1].rstrip("\r")


def location(span: Span, sources: Mapping[str, str]) -> SourceLocation:
    """The user-facing location of ``span``, with its source line when the text is known."""
    text = sources.get(span.file)
    return SourceLocation(
        span.file, span.line, span.column, source_line(text, span.line) if text else None
    )


def script_sources(script: Script) -> dict[str, str]:
    """File name to text for every file the script was read from."""
    return dict(script.sources)


def located(
    cls: type[CspmError], message: str, span: Span, sources: Mapping[str, str]
) -> CspmError:
    """An error of class ``cls`` at ``span`` (the caller raises it)."""
    return cls(message, location(span, sources))


def with_source(err: CspmError, sources: Mapping[str, str]) -> CspmError:
    """``err`` again, with the text of its line filled in when the source is known."""
    loc = err.location
    if loc is None or loc.source_line is not None or loc.file not in sources:
        return err
    line = source_line(sources[loc.file], loc.line)
    return type(err)(err.message, SourceLocation(loc.file, loc.line, loc.column, line))
