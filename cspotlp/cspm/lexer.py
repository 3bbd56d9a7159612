r"""The CSPm lexer: tokens for the LALR parser, with CSPm's layout rule and bracket tracking.

CSPm is layout-sensitive in one way only: a declaration ends at a newline, unless the expression
cannot end there. libcspm implements this by letting most tokens swallow the newlines around
them; we state the same rule directly. A newline between two tokens becomes a ``_NL`` token iff

- we are at the top level or directly inside a ``let ... within`` (never inside brackets), and
- the previous token can end a declaration (a name, a literal, a closing bracket...), and
- the next token can start one (a name, ``(``, ``<``, ``{``, ``-``, ``#`` or a declaration
  keyword).

So operators at the end of a line or at the start of the next one continue the definition, as
in every real script. The lexer also resolves the lexical ambiguities of CSPm with the bracket
stack: ``<`` opens a sequence where an operand is expected and compares otherwise, ``>`` closes
the innermost open sequence, and ``]]``, ``|)``, ``+]``, ``+\`` and ``=>`` close only what they
can close (so ``[c.i <-> c.i+1]`` is not a synchronising choice).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from lark import Token

from cspotlp.cspm.ast import Span
from cspotlp.cspm.source import located
from cspotlp.errors import CspmSyntaxError

KEYWORDS: dict[str, str] = {
    "if": "IF",
    "then": "THEN",
    "else": "ELSE",
    "let": "LET",
    "within": "WITHIN",
    "channel": "CHANNEL",
    "datatype": "DATATYPE",
    "subtype": "SUBTYPE",
    "nametype": "NAMETYPE",
    "assert": "ASSERT",
    "not": "NOT",
    "and": "AND",
    "or": "OR",
    "true": "TRUE",
    "false": "FALSE",
    "transparent": "TRANSPARENT",
    "external": "EXTERNAL",
    "module": "MODULE",
    "exports": "EXPORTS",
    "endmodule": "ENDMODULE",
    "instance": "INSTANCE",
    "Timed": "TIMED",
}
"""Reserved words and their token types (``include`` and ``print`` are handled separately)."""

REFINES_MODELS = {"T": "T", "F": "F", "FD": "FD", "R": "R", "RD": "RD", "V": "V", "VD": "VD"}

# Fixed operators, longest first. Context-dependent ones are adjusted in ``_operator``.
OPERATORS: dict[str, str] = {
    "<->": "TIE",
    "|~|": "INTCHOICE",
    "|||": "INTERLEAVE",
    "<-": "DRAWN",
    "->": "ARROW",
    "<=": "LE",
    ">=": "GE",
    "==": "EQEQ",
    "!=": "NEQ",
    "[]": "EXTCHOICE",
    "[>": "SLIDING",
    "[|": "LPARSYNC",
    "[[": "LRENAME",
    "[+": "LSYNCEXT",
    "]]": "RRENAME",
    "||": "PARALLEL",
    "|]": "RPARSYNC",
    "|}": "RENUM",
    "|>": "EXCEPT",
    "|)": "RMAP",
    "|\\": "PROJECT",
    "{|": "LENUM",
    "(|": "LMAP",
    "/\\": "INTERRUPT",
    "/+": "LSYNCINT",
    "+\\": "RSYNCINT",
    "+]": "RSYNCEXT",
    "@@": "ATAT",
    "..": "DOTDOT",
    "=>*": "YIELDSTAR",
    "=>": "MAPSTO",
    "<": "LT",
    ">": "GT",
    "[": "LBRACK",
    "]": "RBRACK",
    "|": "PIPE",
    "{": "LBRACE",
    "}": "RBRACE",
    "(": "LPAR",
    ")": "RPAR",
    "/": "DIV",
    "\\": "BACKSLASH",
    "@": "AT",
    ":": "COLON",
    ".": "DOT",
    "=": "EQ",
    ",": "COMMA",
    ";": "SEMI",
    "?": "QMARK",
    "!": "BANG",
    "$": "DOLLAR",
    "&": "AMP",
    "^": "CONCAT",
    "#": "HASH",
    "%": "MOD",
    "*": "TIMES",
    "+": "PLUS",
    "-": "MINUS",
}
_OPERATOR_RE = re.compile("|".join(re.escape(o) for o in sorted(OPERATORS, key=len, reverse=True)))

TERMINALS: tuple[str, ...] = tuple(
    sorted(
        set(KEYWORDS.values())
        | set(OPERATORS.values())
        | {
            "NAME", "INT", "CHAR", "STRING", "UNDERSCORE", "SEQ_OPEN", "SEQ_CLOSE", "EMPTY_SEQ",
            "ASSERT_NOT", "INCLUDE", "REFINES", "PROPERTY", "HAS_TRACE", "TAU_PRIORITY", "_NL",
            "PRINT", "OFTYPE", "YIELD", "PARTIAL_ORDER",
        }
    )
)
"""Every token type the lexer emits (the grammar declares exactly these)."""

ENDS_OPERAND = frozenset(
    {
        "NAME", "INT", "CHAR", "STRING", "TRUE", "FALSE", "UNDERSCORE", "RPAR", "RBRACE",
        "RENUM", "RRENAME", "SEQ_CLOSE", "EMPTY_SEQ", "RMAP",
    }
)
"""Token types after which an operator (not an operand) is expected."""

ENDS_DECL = ENDS_OPERAND | {"PROPERTY", "INCLUDE", "PARTIAL_ORDER", "PRINT", "EXPORTS",
                            "ENDMODULE"}
"""Token types that can end a declaration."""

STARTS_DECL = frozenset(
    {
        "NAME", "INT", "CHAR", "STRING", "TRUE", "FALSE", "UNDERSCORE", "LPAR", "LMAP", "LT",
        "LBRACE", "LENUM", "MINUS", "HASH", "CHANNEL", "DATATYPE", "SUBTYPE", "NAMETYPE",
        "ASSERT", "TRANSPARENT", "EXTERNAL", "INCLUDE", "MODULE", "EXPORTS", "ENDMODULE",
        "INSTANCE", "TIMED", "PRINT",
    }
)
"""Raw token types that can start a declaration: a newline before them ends the previous one."""

_CLOSERS: dict[str, tuple[str, ...]] = {
    "RPAR": ("(",),
    "RMAP": ("(|",),
    "RBRACE": ("{", "timed"),
    "RENUM": ("{|",),
    "RRENAME": ("[[",),
    "RPARSYNC": ("[|",),
    "EXCEPT": ("[|",),
    "RSYNCEXT": ("[+",),
    "RSYNCINT": ("/+",),
    "RBRACK": ("[",),
    "SEQ_CLOSE": ("<",),
    "WITHIN": ("let",),
}
_OPENERS: dict[str, str] = {
    "LPAR": "(",
    "LMAP": "(|",
    "LBRACE": "{",
    "LENUM": "{|",
    "LRENAME": "[[",
    "LPARSYNC": "[|",
    "LSYNCEXT": "[+",
    "LSYNCINT": "/+",
    "LBRACK": "[",
    "SEQ_OPEN": "<",
    "LET": "let",
}

_LAYOUT_BRACKETS = frozenset({"let", "timed"})
"""Open brackets inside which newlines separate declarations (``let``, ``Timed {``)."""

_REFINES = re.compile(r"\[(FD|RD|VD|T|F|R|V)=")
_IDENT = re.compile(r"[A-Za-z][A-Za-z0-9_]*'*(?:::[A-Za-z][A-Za-z0-9_]*'*)*")
"""A name, possibly qualified by modules (``M::N::x``, no blanks around ``::``)."""
_NUMBER = re.compile(r"[0-9]+")
_PROPERTY = re.compile(
    r"(deadlock[ -]free|livelock[ -]free|divergence[ -]free|deterministic|has trace)"
    r"\s*(?:\[\s*(T|F|FD|R|RD|V|VD)\s*\])?"
)
_TAU = re.compile(r"tau priority(?: over)?")
_PARTIAL_ORDER = re.compile(r"partial order reduce(?: ?\[ ?([A-Za-z]+) ?\])?")
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", "'": "'", '"': '"', "0": "\0"}


class SourceToken(Token):
    """A lark token that also knows the file it was read from."""

    __slots__ = ("file",)
    file: str


def _token(file: str, kind: str, value: str, start: int, line: int, col: int, end_line: int,
           end_col: int, end: int) -> SourceToken:
    tok = SourceToken(kind, value, start, line, col, end_line, end_col, end)
    tok.file = file
    return tok


class Lexer:
    """Turns one file's text into parser tokens (see the module docstring for the rules)."""

    def __init__(self, text: str, filename: str, sources: Mapping[str, str]) -> None:
        self.text = text
        self.filename = filename
        self.sources = sources
        self.pos = 0
        self.line = 1
        self.col = 1
        self.out: list[Token] = []
        self.stack: list[str] = []
        self.pending_nl = False
        # A type annotation ``name :: type`` runs to the end of its declaration; inside it
        # ``=>`` is the dotable arrow rather than a map's.
        self.in_type = False
        # The bracket depth at which ``Timed`` was read: its ``{`` opens a block of declarations.
        self.timed_depth: int | None = None

    # --- errors ------------------------------------------------------------------------------

    def _span(self, line: int, col: int) -> Span:
        return Span(self.filename, line, col, line, col + 1)

    def error(self, message: str, line: int | None = None, col: int | None = None) -> CspmSyntaxError:
        """A syntax error at the given position (default: the current one)."""
        span = self._span(self.line if line is None else line, self.col if col is None else col)
        err = located(CspmSyntaxError, message, span, self.sources)
        assert isinstance(err, CspmSyntaxError)
        return err

    # --- scanning ----------------------------------------------------------------------------

    def _advance(self, n: int) -> None:
        text, pos = self.text, self.pos
        newlines = text.count("\n", pos, pos + n)
        if newlines:
            self.line += newlines
            self.col = pos + n - text.rfind("\n", pos, pos + n)
        else:
            self.col += n
        self.pos = pos + n

    def _prev_type(self) -> str | None:
        return self.out[-1].type if self.out else None

    def tokens(self) -> list[Token]:
        """All tokens of the text."""
        text = self.text
        n = len(text)
        while True:
            self._skip_blanks()
            if self.pos >= n:
                break
            line, col, start = self.line, self.col, self.pos
            ch = text[start]
            if ch.isascii() and ch.isalpha():
                self._word(line, col)
            elif "0" <= ch <= "9":
                m = _NUMBER.match(text, start)
                assert m is not None
                self._advance(m.end() - start)
                self._emit("INT", m.group(), line, col, start)
            elif ch == "'":
                self._emit("CHAR", self._quoted("'", line, col), line, col, start)
            elif ch == '"':
                self._emit("STRING", self._quoted('"', line, col), line, col, start)
            elif ch == "_" and not (start + 1 < n and (text[start + 1].isalnum() or text[start + 1] == "_")):
                self._advance(1)
                self._emit("UNDERSCORE", "_", line, col, start)
            else:
                self._operator(line, col, start)
        return self.out

    def _skip_blanks(self) -> None:
        """Skip white space and comments, remembering whether a newline was crossed."""
        text = self.text
        n = len(text)
        while self.pos < n:
            ch = text[self.pos]
            if ch == "\n":
                self.pending_nl = True
                self._advance(1)
            elif ch in " \t\r\f\v":
                self.pos += 1
                self.col += 1
            elif text.startswith("--", self.pos):
                end = text.find("\n", self.pos)
                self._advance((n if end < 0 else end) - self.pos)
            elif text.startswith("{-", self.pos):
                self._block_comment()
            else:
                return

    def _block_comment(self) -> None:
        line, col = self.line, self.col
        depth = 0
        text = self.text
        while self.pos < len(text):
            if text.startswith("{-", self.pos):
                depth += 1
                self._advance(2)
            elif text.startswith("-}", self.pos):
                depth -= 1
                self._advance(2)
                if depth == 0:
                    return
            else:
                if text[self.pos] == "\n":
                    self.pending_nl = True
                self._advance(1)
        raise self.error("unterminated comment '{-'", line, col)

    def _quoted(self, quote: str, line: int, col: int) -> str:
        """Read a character or string literal and return its (unescaped) value."""
        text = self.text
        i = self.pos + 1
        chars: list[str] = []
        kind = "character" if quote == "'" else "string"
        while True:
            if i >= len(text) or text[i] == "\n":
                raise self.error(f"unterminated {kind} literal", line, col)
            ch = text[i]
            if ch == quote:
                break
            if ch == "\\":
                if i + 1 >= len(text) or text[i + 1] not in _ESCAPES:
                    raise self.error(f"invalid escape in {kind} literal", line, col)
                chars.append(_ESCAPES[text[i + 1]])
                i += 2
            else:
                chars.append(ch)
                i += 1
        if quote == "'" and len(chars) != 1:
            raise self.error("a character literal holds exactly one character", line, col)
        self._advance(i + 1 - self.pos)
        return "".join(chars)

    def _word(self, line: int, col: int) -> None:
        start = self.pos
        m = _IDENT.match(self.text, start)
        assert m is not None
        word = m.group()
        self._advance(len(word))
        if word == "include":
            self._include(line, col, start)
            return
        if word == "print" and self.text[self.pos : self.pos + 1] in (" ", "\t") \
                and self._at_decl_start():
            self._print(line, col, start)
            return
        kind = KEYWORDS.get(word, "NAME")
        if kind == "NOT" and self._prev_type() == "ASSERT":
            kind = "ASSERT_NOT"
        if kind == "TIMED":
            self.timed_depth = len(self.stack)
        self._emit(kind, word, line, col, start)

    def _at_decl_start(self) -> bool:
        prev = self._prev_type()
        if prev is None:
            return True
        if prev in ("LET", "EXPORTS") or prev == "LBRACE" and self.stack[-1:] == ["timed"]:
            return True
        return self.pending_nl and prev in ENDS_DECL and self._layout_active()

    def _print(self, line: int, col: int, start: int) -> None:
        """``print expression``: the rest of the line is kept as text (as libcspm does)."""
        end = self.text.find("\n", self.pos)
        end = len(self.text) if end < 0 else end
        body = self.text[self.pos : end].strip()
        self._advance(end - self.pos)
        if not body:
            raise self.error("'print' must be followed by an expression", line, col)
        self._emit("PRINT", body, line, col, start)

    def _include(self, line: int, col: int, start: int) -> None:
        while self.pos < len(self.text) and self.text[self.pos] in " \t":
            self._advance(1)
        if self.pos >= len(self.text) or self.text[self.pos] != '"':
            raise self.error('include must be followed by a file name in double quotes', line, col)
        path = self._quoted('"', self.line, self.col)
        self._emit("INCLUDE", path, line, col, start)

    def _operator(self, line: int, col: int, start: int) -> None:
        text = self.text
        ch = text[start]
        if text.startswith("::", start):
            spaced = text[start - 1 : start] in (" ", "\t", "\n") or \
                text[start + 2 : start + 3] in (" ", "\t", "\n", "\r")
            if not spaced:
                raise self.error("'::' must follow a name (M::x) or stand between blanks in "
                                 "a type annotation (f :: T)", line, col)
            self._advance(2)
            self._emit("OFTYPE", "::", line, col, start)
            self.in_type = True
            return
        if text.startswith(":[", start):
            self._assertion_option(line, col, start)
            return
        if ch == "[":
            m = _REFINES.match(text, start)
            if m is not None:
                self._advance(m.end() - start)
                self._emit("REFINES", REFINES_MODELS[m.group(1)], line, col, start)
                return
        m = _OPERATOR_RE.match(text, start)
        if m is None:
            shown = ch if ch.isprintable() else repr(ch)
            raise self.error(f"unexpected character '{shown}'", line, col)
        op = m.group()
        kind = OPERATORS[op]
        top = self.stack[-1] if self.stack else None
        if kind == "YIELDSTAR" and not self.in_type:
            op, kind = "=>", "MAPSTO"  # '=>*' only means something in a type
        # Two-character tokens that only close what is open, or only make sense in one position.
        if kind == "RRENAME" and top != "[[":
            op, kind = "]", "RBRACK"
        elif kind == "RMAP" and top != "(|":
            op, kind = "|", "PIPE"
        elif kind == "RSYNCINT" and top != "/+" or kind == "RSYNCEXT" and top != "[+":
            op, kind = "+", "PLUS"
        elif kind == "MAPSTO" and self.in_type:
            kind = "YIELD"
        elif kind == "MAPSTO" and top != "(|":
            op, kind = "=", "EQ"
        elif kind == "LSYNCINT" and self._prev_type() not in ENDS_OPERAND:
            op, kind = "/", "DIV"
        elif kind == "LMAP" and (
            self._prev_type() in ENDS_OPERAND or text[start + 2 : start + 3] in ("|", "~", "]")
        ):
            op, kind = "(", "LPAR"
        self._advance(len(op))
        self._emit(kind, op, line, col, start)

    def _assertion_option(self, line: int, col: int, start: int) -> None:
        """Read ``:[ ... ]`` (and an optional following ``:``) as one token."""
        text = self.text
        depth = 0
        i = start + 1
        while i < len(text):
            if text[i] == "[":
                depth += 1
            elif text[i] == "]":
                depth -= 1
                if depth == 0:
                    break
            i += 1
        else:
            raise self.error("unterminated ':[' assertion property", line, col)
        inner = " ".join(text[start + 2 : i].split())
        end = i + 1
        if text.startswith(":", end) and not text.startswith("::", end):
            end += 1
        self._advance(end - start)
        prop = _PROPERTY.fullmatch(inner)
        if prop is not None:
            name = prop.group(1).replace("-", " ")
            model = prop.group(2) or ""
            if name == "has trace":
                self._emit("HAS_TRACE", model, line, col, start)
            else:
                self._emit("PROPERTY", f"{name}|{model}", line, col, start)
            return
        if _TAU.fullmatch(inner):
            self._emit("TAU_PRIORITY", inner, line, col, start)
            return
        por = _PARTIAL_ORDER.fullmatch(inner)
        if por is not None:
            self._emit("PARTIAL_ORDER", por.group(1) or "", line, col, start)
            return
        raise self.error(f"unknown assertion property ':[{inner}]'", line, col)

    # --- emission ----------------------------------------------------------------------------

    def _layout_active(self) -> bool:
        return not self.stack or self.stack[-1] in _LAYOUT_BRACKETS

    def _emit(self, kind: str, value: str, line: int, col: int, start: int) -> None:
        if self.pending_nl:
            self.pending_nl = False
            prev = self._prev_type()
            if prev in ENDS_DECL and kind in STARTS_DECL and self._layout_active():
                self.in_type = False
                last = self.out[-1]
                self.out.append(
                    _token(self.filename, "_NL", "\n", last.end_pos or 0, last.end_line or 0,
                           last.end_column or 0, last.end_line or 0, last.end_column or 0,
                           last.end_pos or 0)
                )
        prev = self._prev_type()
        if kind == "LT" and prev not in ENDS_OPERAND:
            rest = self.text[self.pos :]
            blank = len(rest) - len(rest.lstrip(" \t\r\n"))
            if rest[blank : blank + 1] == ">":
                self._advance(blank + 1)
                kind, value = "EMPTY_SEQ", "<>"
            else:
                kind = "SEQ_OPEN"
        elif kind == "GT" and self.stack and self.stack[-1] == "<":
            kind = "SEQ_CLOSE"
        if kind == "WITHIN":
            self.in_type = False
        closes = _CLOSERS.get(kind)
        if closes is not None:
            self._close(closes)
        opener = _OPENERS.get(kind)
        if opener == "{" and self.timed_depth == len(self.stack):
            opener = "timed"
            self.timed_depth = None
        if opener is not None:
            self.stack.append(opener)
        self.out.append(
            _token(self.filename, kind, value, start, line, col, self.line, self.col, self.pos)
        )


    def _close(self, closes: tuple[str, ...]) -> None:
        """Pop the stack down to the innermost bracket among ``closes`` (if one is open)."""
        for depth in range(len(self.stack) - 1, -1, -1):
            if self.stack[depth] in closes:
                if self.stack[depth] == "timed":
                    self.in_type = False
                del self.stack[depth:]
                return


def tokenize(text: str, filename: str, sources: Mapping[str, str] | None = None) -> list[Token]:
    r"""The parser tokens of ``text`` (``filename`` is used in error messages).

    >>> [t.type for t in tokenize("P = a -> STOP\nQ = <>", "x.csp")]
    ['NAME', 'EQ', 'NAME', 'ARROW', 'NAME', '_NL', 'NAME', 'EQ', 'EMPTY_SEQ']
    """
    return Lexer(text, filename, sources if sources is not None else {filename: text}).tokens()
