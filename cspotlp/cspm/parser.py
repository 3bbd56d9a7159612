r"""Read CSPm text into a :class:`~cspotlp.cspm.ast.Script`.

:func:`parse_script` parses one text; :func:`parse_file` reads a file and inlines its
``include "file"`` declarations (paths relative to the including file, each file once, inside
the script's directory tree; cycles rejected).
:func:`parse_expr` parses a single expression. Every failure is a :class:`CspmSyntaxError`
(or :class:`CspmUnsupported`) located at ``file:line:col``; nothing from lark escapes.

>>> script = parse_script("channel a\nP = a -> P\n", "p.csp")
>>> [type(d).__name__ for d in script.decls]
['ChannelDecl', 'PatBind']
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from lark import Lark, Token
from lark.exceptions import LarkError, UnexpectedInput, UnexpectedToken, VisitError
from lark.lexer import Lexer as LarkLexer
from lark.lexer import LexerState

from cspotlp import files
from cspotlp.cspm import ast
from cspotlp.cspm._builder import Builder, check_annotations, reject_pattern_only
from cspotlp.cspm.ast import Span
from cspotlp.cspm.lexer import tokenize
from cspotlp.cspm.source import CSPM_SUFFIXES, located, shows_context, with_source
from cspotlp.cspm.traverse import map_decl_lists
from cspotlp.errors import CspmError, CspmSyntaxError, SourceLocation

MAX_INCLUDE_DEPTH = 64
"""Deeper include chains are reported as errors."""


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


def parse_file(path: str | os.PathLike[str],
               allow_include: Sequence[str | os.PathLike[str]] = ()) -> ast.Script:
    """Read and parse a script file, inlining its includes (relative to the including file).

    The result holds the declarations of every file in include order, each with its own file
    in its spans, and the text of every file read (for error messages). Includes may stand in
    module bodies and timed sections too (FDR reads them in place).

    Includes are read as FDR reads them, with rules that make an untrusted script safe to
    check: each file is included once (a second ``include`` of it, as in a diamond, adds
    nothing; an include cycle is an error); an included file must be named as a CSPm script
    (``*.csp``, ``*.fdr``...) and lie inside the directory tree of the script named here, or of
    a directory in ``allow_include`` (symbolic links are followed before the check); and, like
    every input, it must be a regular file of at most :data:`~cspotlp.files.MAX_TEXT_BYTES`
    (not ``/dev/zero``).

    Raises:
        CspmSyntaxError: the script or an included file cannot be read or parsed; a JSON or
            binary file given as a script says so.
    """
    root = Path(path)
    sources: dict[str, str] = {}
    trees = [_tree_root(root), *(Path(d).resolve() for d in allow_include)]
    reader = _IncludeReader(sources, tuple(trees))
    decls = reader.read(root, None, (str(root.resolve()),))
    text = sources[str(root)]
    return ast.Script(decls, tuple(sources.items()), span=_script_span(str(root), text))


def _tree_root(script: Path) -> Path:
    return script.resolve().parent


def _read_script(path: Path, site: ast.IncludeDecl | None, sources: dict[str, str]) -> str:
    """The text of a script file (``site``: the include that names it, for the error)."""
    name = str(path)
    try:
        text = _decode(files.read_bytes(path, files.MAX_TEXT_BYTES))
    except (OSError, ValueError) as e:  # ValueError: a NUL byte in the path
        reason = e.strerror if isinstance(e, OSError) and e.strerror else str(e)
        if site is None:
            raise CspmSyntaxError(f"{name}: cannot read file: {reason}") from e
        err = located(CspmSyntaxError, f"cannot read included file '{site.path}': {reason}",
                      site.span, sources)
        raise err from e
    hint = _not_cspm(text)
    if hint is not None:
        if site is None:
            raise CspmSyntaxError(f"{name}: {hint}")
        raise located(CspmSyntaxError, f"included file '{site.path}' {hint}", site.span, sources)
    sources[name] = text
    return text


def _decode(data: bytes) -> str:
    r"""A script's text: UTF-8, or else one character per byte; ``\r\n`` read as ``\n``.

    libcspm reads bytes, so a Windows-1252 comment does not stop FDR; it does not stop us.
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    return text.replace("\r\n", "\n")


def _not_cspm(text: str) -> str | None:
    """Why ``text`` is evidently not a CSPm script (JSON, binary), or None."""
    head = text.lstrip()
    if "\x00" in text[:4096]:
        return "is binary data (it holds NUL bytes), not a CSPm script"
    if head[:1] == "[" or (head[:1] == "{" and not head.startswith("{-")):
        # No CSPm declaration starts with a brace or a bracket ('{-' opens a comment): this is
        # data, most likely JSON.
        return ("looks like JSON, not CSPm (a capture is checked with 'cspotlp conform', an "
                "abstraction is given with --abstraction)")
    return None


def _parse_quietly(text: str, name: str) -> ast.Script:
    """:func:`parse_script`; for a file not named as a CSPm script, errors that quote nothing.

    A syntax error names the token it met; in a file that is not CSPm text (a script that
    includes ``/etc/shadow``) that token is a piece of the file, so the message says only where.
    """
    try:
        return parse_script(text, name)
    except CspmError as e:
        if shows_context(name) or e.location is None:
            raise
        loc = e.location
        raise type(e)("not CSPm text (a syntax error here; a file not named *.csp is not "
                      "quoted)", SourceLocation(loc.file, loc.line, loc.column)) from None


class _IncludeReader:
    """Inlines includes: each file once, inside the allowed trees, cycles reported.

    Recursion follows the include chain only, which is at most :data:`MAX_INCLUDE_DEPTH` deep.
    """

    def __init__(self, sources: dict[str, str], trees: tuple[Path, ...]) -> None:
        self.sources = sources
        self.trees = trees
        self.included: set[str] = set()

    def read(self, path: Path, site: ast.IncludeDecl | None,
             chain: tuple[str, ...]) -> tuple[ast.Decl, ...]:
        """The declarations of ``path`` with its includes inlined (``chain``: the files open)."""
        self.included.add(chain[-1])
        script = _parse_quietly(_read_script(path, site, self.sources), str(path))

        def inline(decls: tuple[ast.Decl, ...]) -> tuple[ast.Decl, ...]:
            if not any(isinstance(d, ast.IncludeDecl) for d in decls):
                return decls
            out: list[ast.Decl] = []
            for decl in decls:
                if not isinstance(decl, ast.IncludeDecl):
                    out.append(decl)
                    continue
                target = self._target(path, decl, chain)
                if target is not None:  # None: included before (a diamond), already in
                    out.extend(self.read(target, decl, (*chain, str(target.resolve()))))
            # Annotations are checked per list once the list is complete.
            try:
                check_annotations(out, Builder())
            except CspmError as e:
                raise with_source(e, self.sources) from None
            return tuple(out)

        # Includes may stand in module bodies and timed sections too (FDR reads them in place).
        return map_decl_lists(script.decls, inline)

    def _target(self, path: Path, decl: ast.IncludeDecl, chain: tuple[str, ...]) -> Path | None:
        """The file ``decl`` includes, or None when it was included already."""
        name = decl.path
        if not name or any(ord(c) < 32 for c in name):
            raise located(CspmSyntaxError, f"include path {name!r} is empty or holds control "
                          "characters", decl.span, self.sources)
        if not shows_context(name) or name.startswith("<"):
            # Only CSPm text is included: a script cannot pull /proc/self/environ or a key file
            # into its own namespace, where errors about it would name what it holds.
            raise located(CspmSyntaxError, f"include '{name}' does not name a CSPm script (its "
                          f"name must end in {', '.join(sorted(CSPM_SUFFIXES))})", decl.span,
                          self.sources)
        included = path.parent / name
        try:
            resolved = included.resolve()
        except (OSError, RuntimeError) as e:  # a symbolic-link loop
            raise located(CspmSyntaxError, f"cannot read included file '{name}': {e}",
                          decl.span, self.sources) from e
        key = str(resolved)
        if key in chain:
            cycle = " -> ".join((*chain, key))
            raise located(CspmSyntaxError, f"include cycle: {cycle}", decl.span, self.sources)
        if len(chain) >= MAX_INCLUDE_DEPTH:
            raise located(CspmSyntaxError, f"includes nested more than {MAX_INCLUDE_DEPTH} deep",
                          decl.span, self.sources)
        if not any(resolved.is_relative_to(tree) for tree in self.trees):
            raise located(
                CspmSyntaxError,
                f"include '{name}' leaves the script's directory tree ({self.trees[0]}); name "
                "the directory with --allow-include DIR (allow_include=) to read it",
                decl.span, self.sources)
        if key in self.included:
            return None
        self.included.add(key)
        return included
