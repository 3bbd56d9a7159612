"""Source texts and located errors: turn a :class:`Span` into ``file:line:col`` with a caret.

The caret context quotes a line of the file. It is shown only from files that are CSPm text —
named ``*.csp`` (or FDR's ``*.fdr``, ``*.fdr2``..., ``*.cspm``), or text given directly
(``<string>``) — so that a script that includes ``/proc/self/environ`` or ``../../etc/shadow``
cannot make an error message print a line of it into a public CI log.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import PurePath

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


CSPM_SUFFIXES = frozenset({".csp", ".cspm", ".fdr", ".fdr2", ".fdr3", ".fdr4"})
"""File name endings of CSPm scripts, whose lines an error message may quote."""


def shows_context(file: str) -> bool:
    """Whether an error in ``file`` may quote its line: a CSPm script, or text not from a file.

    Standard input (``-``) counts as a script: it is what the user piped in.
    """
    return file == "-" or file.startswith("<") or PurePath(file).suffix.lower() in CSPM_SUFFIXES


def location(span: Span, sources: Mapping[str, str]) -> SourceLocation:
    """The user-facing location of ``span``, with its source line when the text may be shown."""
    text = sources.get(span.file) if shows_context(span.file) else None
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
    if loc is None or loc.source_line is not None or loc.file not in sources \
            or not shows_context(loc.file):
        return err
    line = source_line(sources[loc.file], loc.line)
    return type(err)(err.message, SourceLocation(loc.file, loc.line, loc.column, line))
