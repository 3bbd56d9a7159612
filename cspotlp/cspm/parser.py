r"""Read CSPm text into a :class:`~cspotlp.cspm.ast.Script`.

:func:`parse_script` parses one text; :func:`parse_file` reads a file and inlines its
``include "file"`` declarations (paths relative to the including file, cycles rejected).
:func:`parse_expr` parses a single expression. Every failure is a :class:`CspmSyntaxError`
(or :class:`CspmUnsupported`) located at ``file:line:col``; nothing from lark escapes.

>>> script = parse_script("channel a\nP = a -> P\n", "p.csp")
>>> [type(d).__name__ for d in script.decls]
['ChannelDecl', 'PatBind']
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from lark import Lark, Token
from lark.exceptions import LarkError, UnexpectedInput, UnexpectedToken, VisitError
from lark.lexer import Lexer as LarkLexer
from lark.lexer import LexerState

from cspotlp.cspm import ast
from cspotlp.cspm._builder import Builder, check_annotations, reject_pattern_only
from cspotlp.cspm.ast import Span
from cspotlp.cspm.lexer import tokenize
from cspotlp.cspm.source import located, with_source
from cspotlp.cspm.traverse import map_decl_lists
from cspotlp.errors import CspmError, CspmSyntaxError

MAX_INCLUDE_DEPTH = 64
"""Deeper include chains are reported as errors (they are cycles in all but name)."""


class _TokenFeed(LarkLexer):
    """Hands lark the token list our own lexer made (lark's lexer is not used)."""

    __future_interface__ = 2

    def __init__(self, lexer_conf: Any) -> None:
        pass

    def lex(self, lexer_state: LexerState, parser_state: Any) -> Iterator[Token]:
        tokens: list[Token] = lexer_state.text  # type: ignore[assignment]
        return iter(tokens)


def grammar_text() -> str:
    """The text of ``grammar.lark``."""
    return (Path(__file__).parent / "grammar.lark").read_text(encoding="utf-8")


@functools.cache
def _lark(start: str) -> Lark:
    # lark caches the LALR tables on disk (keyed by a hash of the grammar): building them takes
    # seconds, loading them a fraction of one.
    return Lark(grammar_text(), parser="lalr", lexer=_TokenFeed, start=start, cache=True,
                transformer=Builder())


def grammar_parser(start: str = "start") -> Lark:
    """The lark LALR parser of the grammar (its terminals are the lexer's token types)."""
    return _lark(start)


def grammar_definition() -> Lark:
    """The grammar as a lark object that still holds its rules (for grammar-based fuzzing)."""
    return Lark(grammar_text(), parser="earley", lexer=_TokenFeed)


def _describe(token: Token) -> str:
    kind, value = token.type, str(token.value)
    if kind == "_NL":
        return "end of line"
    if kind == "NAME":
        return f"name '{value}'"
    if kind == "INT":
        return f"number {value}"
    if kind == "CHAR":
        return f"character literal {value!r}"
    if kind == "STRING":
        return f"string literal {value!r}"
    if kind == "INCLUDE":
        return "'include'"
    return f"'{value}'"


def _syntax_error(
    e: UnexpectedInput, tokens: list[Token], filename: str, sources: Mapping[str, str]
) -> CspmSyntaxError:
    token = e.token if isinstance(e, UnexpectedToken) else None
    if token is None or token.type == "$END" or token.line is None:
        last = tokens[-1] if tokens else None
        line = last.end_line if last is not None and last.end_line else 1
        col = last.end_column if last is not None and last.end_column else 1
        message = "unexpected end of file"
    else:
        line, col = token.line, token.column or 1
        message = f"unexpected {_describe(token)}"
    err = located(CspmSyntaxError, message, Span(filename, line, col, line, col + 1), sources)
    assert isinstance(err, CspmSyntaxError)
    return err


def _parse_tokens(text: str, filename: str, sources: Mapping[str, str], start: str) -> Any:
    tokens = tokenize(text, filename, sources)
    try:
        # The builder runs inside the LALR parser: no parse tree is built.
        return _lark(start).parse(tokens)
    except UnexpectedInput as e:
        raise _syntax_error(e, tokens, filename, sources) from e
    except CspmError as e:
        raise with_source(e, sources) from None
    except VisitError as e:
        if isinstance(e.orig_exc, CspmError):
            raise with_source(e.orig_exc, sources) from e
        raise CspmSyntaxError(f"{filename}: internal parser error: {e.orig_exc}") from e
    except LarkError as e:
        raise CspmSyntaxError(f"{filename}: cannot parse: {e}") from e


def _check_patterns_only_in_patterns(root: ast.Node, sources: Mapping[str, str]) -> None:
    try:
        reject_pattern_only(root, Builder())
    except CspmError as e:
        raise with_source(e, sources) from None


def parse_script(text: str, filename: str = "<string>") -> ast.Script:
    """Parse a whole script; ``include`` declarations stay as :class:`ast.IncludeDecl` nodes."""
    sources = {filename: text}
    decls: tuple[ast.Decl, ...] = _parse_tokens(text, filename, sources, "start")
    script = ast.Script(decls, ((filename, text),), span=_script_span(filename, text))
    _check_patterns_only_in_patterns(script, sources)
    return script


def parse_expr(text: str, filename: str = "<expr>") -> ast.Exp:
    """Parse one expression (as it may appear on the right of ``=``)."""
    sources = {filename: text}
    exp: ast.Exp = _parse_tokens(text, filename, sources, "exp")
    _check_patterns_only_in_patterns(exp, sources)
    return exp


def _script_span(filename: str, text: str) -> Span:
    lines = text.split("\n")
    return Span(filename, 1, 1, len(lines), len(lines[-1]) + 1)


def parse_file(path: str | os.PathLike[str]) -> ast.Script:
    """Read and parse a script file, inlining its includes (relative to the including file).

    The result holds the declarations of every file in include order, each with its own file
    in its spans, and the text of every file read (for error messages).
    """
    root = Path(path)
    sources: dict[str, str] = {}
    decls = _read_with_includes(root, sources, (), None)
    text = sources[str(root)]
    return ast.Script(decls, tuple(sources.items()), span=_script_span(str(root), text))


def _read_with_includes(
    path: Path, sources: dict[str, str], chain: tuple[str, ...], site: ast.IncludeDecl | None
) -> tuple[ast.Decl, ...]:
    name = str(path)
    try:
        text = _read_text(path)
    except OSError as e:
        if site is None:
            raise CspmSyntaxError(f"{name}: cannot read file: {e}") from e
        err = located(CspmSyntaxError, f"cannot read included file '{site.path}': {e}", site.span,
                      sources)
        raise err from e
    sources[name] = text
    script = parse_script(text, name)

    def inline(decls: tuple[ast.Decl, ...]) -> tuple[ast.Decl, ...]:
        if not any(isinstance(d, ast.IncludeDecl) for d in decls):
            return decls
        out: list[ast.Decl] = []
        for decl in decls:
            if not isinstance(decl, ast.IncludeDecl):
                out.append(decl)
                continue
            target = (path.parent / decl.path).resolve()
            key = str(target)
            if key in chain or str(path.resolve()) == key or len(chain) >= MAX_INCLUDE_DEPTH:
                cycle = " -> ".join((*chain, str(path.resolve()), key))
                raise located(CspmSyntaxError, f"include cycle: {cycle}", decl.span, sources)
            included = path.parent / decl.path
            out.extend(
                _read_with_includes(included, sources, (*chain, str(path.resolve())), decl)
            )
        # Annotations are checked per list once the list is complete.
        try:
            check_annotations(out, Builder())
        except CspmError as e:
            raise with_source(e, sources) from None
        return tuple(out)

    # Includes may stand in module bodies and timed sections too (FDR reads them in place).
    return map_decl_lists(script.decls, inline)


def _read_text(path: Path) -> str:
    """A script's text: UTF-8, or else one character per byte.

    libcspm reads bytes, so a Windows-1252 comment does not stop FDR; it does not stop us.
    """
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")
