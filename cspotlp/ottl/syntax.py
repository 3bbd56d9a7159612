"""OTTL text to syntax trees: statements, conditions and values, with their source positions.

The grammar (``grammar.lark``) follows pkg/ottl's: a statement is ``editor(args) [where
condition]``; a condition is built from comparisons, converters, ``true``/``false``, ``and``,
``or``, ``not`` and parentheses; values are literals (strings with Go escapes, ints, floats,
``0x..`` bytes, ``true``/``false``, ``nil``), paths (``attributes["k"]``,
``resource.attributes["k"]``, ``status.code``), enums (``SPAN_KIND_SERVER``), converter calls
(``Concat([a, b], "-")``, optionally indexed: ``Split(s, "|")[0]``), lists, maps and arithmetic.

Trees are plain immutable records; every node carries its line and column, so that the
compiler can point at the argument it rejects. Expressions nest at most :data:`MAX_DEPTH`
levels (the compiled closures call one another, so depth costs stack).

>>> s = parse_statement('set(attributes["k"], "v") where name == "GET /"')
>>> s.editor.name, [type(a.value).__name__ for a in s.editor.args], type(s.where).__name__
('set', ['Path', 'Literal'], 'Compare')
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

from lark import Lark, Token, Tree
from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedEOF, UnexpectedToken
from lark.visitors import Transformer_NonRecursive, v_args

from cspotlp.errors import OttlSyntaxError, SourceLocation

MAX_DEPTH = 64
"""How deeply expressions may nest (parentheses, calls, lists, maps, keys, operators)."""


@dataclass(frozen=True)
class Pos:
    """A 1-based line and column within the statement text."""

    line: int
    column: int


@dataclass(frozen=True)
class Literal:
    """A constant: ``str``, ``int``, ``float``, ``bytes``, ``bool`` or ``None`` (``nil``)."""

    value: str | int | float | bytes | bool | None
    pos: Pos


@dataclass(frozen=True)
class Enum:
    """An all-uppercase symbol such as ``SPAN_KIND_SERVER`` (or a function name as argument)."""

    name: str
    pos: Pos


@dataclass(frozen=True)
class Field:
    """One segment of a path and the keys that index it: ``attributes["a"][0]``."""

    name: str
    keys: tuple[Expr, ...]
    pos: Pos


@dataclass(frozen=True)
class Path:
    """A path into the telemetry: ``name``, ``attributes["k"]``, ``resource.attributes["k"]``."""

    fields: tuple[Field, ...]
    pos: Pos

    def text(self) -> str:
        """The path as written, with keys shown as ``[...]``."""
        return ".".join(f.name + "[...]" * len(f.keys) for f in self.fields)


@dataclass(frozen=True)
class Arg:
    """A call argument, named (``depth=1``) or positional (``name`` None)."""

    name: str | None
    value: Expr
    pos: Pos


@dataclass(frozen=True)
class Call:
    """An editor (lowercase) or converter (uppercase) call; converters may be indexed."""

    name: str
    args: tuple[Arg, ...]
    keys: tuple[Expr, ...]
    pos: Pos


@dataclass(frozen=True)
class ListExpr:
    """A list literal ``[a, b]`` (its items may be any values)."""

    items: tuple[Expr, ...]
    pos: Pos


@dataclass(frozen=True)
class MapExpr:
    """A map literal ``{"k": v}``."""

    items: tuple[tuple[str, Expr], ...]
    pos: Pos


@dataclass(frozen=True)
class Arith:
    """``left op right`` with op one of ``+ - * /``."""

    op: str
    left: Expr
    right: Expr
    pos: Pos


@dataclass(frozen=True)
class Compare:
    """``left op right`` with op one of ``== != < <= > >=``."""

    op: str
    left: Expr
    right: Expr
    pos: Pos


@dataclass(frozen=True)
class BoolOp:
    """``and`` / ``or`` of two or more operands, or ``not`` of one."""

    op: str
    operands: tuple[Expr, ...]
    pos: Pos


Expr: TypeAlias = Literal | Enum | Path | Call | ListExpr | MapExpr | Arith | Compare | BoolOp


@dataclass(frozen=True)
class Statement:
    """``editor(args) where condition``, with the text it was parsed from."""

    editor: Call
    where: Expr | None
    text: str


@functools.cache
def _parser() -> Lark:
    return Lark.open("grammar.lark", rel_to=__file__, parser="lalr",
                     start=["start_statement", "start_condition", "start_value"],
                     propagate_positions=True, maybe_placeholders=False)


_ESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v",
            "\\": "\\", '"': '"'}


def go_unquote(token: str) -> str:
    r"""The value of a double-quoted Go string literal (``strconv.Unquote``'s rules).

    >>> go_unquote(r'"a\"b\\c\u00e9\x41"')
    'a"b\\céA'

    Raises:
        ValueError: an unknown escape or a bad hexadecimal or octal one.
    """
    body = token[1:-1]
    if "\\" not in body:
        return body
    out: list[str] = []
    i, n = 0, len(body)
    while i < n:
        ch = body[i]
        if ch != "\\":
            out.append(ch)
            i += 1
            continue
        if i + 1 >= n:
            raise ValueError("a backslash ends the string")
        esc = body[i + 1]
        if esc in _ESCAPES:
            out.append(_ESCAPES[esc])
            i += 2
        elif esc in "xuU":
            width = {"x": 2, "u": 4, "U": 8}[esc]
            digits = body[i + 2:i + 2 + width]
            if len(digits) != width or any(c not in "0123456789abcdefABCDEF" for c in digits):
                raise ValueError(f"bad \\{esc} escape")
            code = int(digits, 16)
            if esc != "x" and (code > 0x10FFFF or 0xD800 <= code < 0xE000):
                raise ValueError(f"\\{esc}{digits} is not a Unicode code point")
            out.append(chr(code))
            i += 2 + width
        elif esc in "01234567":
            digits = body[i + 1:i + 4]
            if len(digits) != 3 or any(c not in "01234567" for c in digits) or int(digits, 8) > 255:
                raise ValueError("bad octal escape")
            out.append(chr(int(digits, 8)))
            i += 4
        else:
            raise ValueError(f"unknown escape \\{esc}")
    return "".join(out)


def _pos(meta_or_token: Any) -> Pos:
    return Pos(getattr(meta_or_token, "line", 1) or 1, getattr(meta_or_token, "column", 1) or 1)


class _ToAst(Transformer_NonRecursive[Token, Any]):
    """Lark tree -> syntax records (iterative: deep input cannot overflow the stack)."""

    def __init__(self) -> None:
        super().__init__()
        self.deepest = 0
        self.deepest_pos = Pos(1, 1)

    def _deeper(self, node: Any, children: Sequence[Any]) -> Any:
        depth = 1 + max((getattr(c, "_depth", 0) for c in children), default=0)
        object.__setattr__(node, "_depth", depth)
        if depth > self.deepest:
            self.deepest, self.deepest_pos = depth, node.pos
        return node

    # -- literals -------------------------------------------------------------------------
    def string_lit(self, items: list[Token]) -> Literal:
        tok = items[0]
        try:
            value = go_unquote(str(tok))
        except ValueError as e:
            raise _Located(f"invalid quoted string {str(tok)}: {e}", _pos(tok)) from e
        return Literal(value, _pos(tok))

    def int_lit(self, items: list[Token]) -> Literal:
        value = int(str(items[0]))
        if not -(1 << 63) <= value < (1 << 63):
            raise _Located(f"integer {items[0]} does not fit in 64 bits", _pos(items[0]))
        return Literal(value, _pos(items[0]))

    def float_lit(self, items: list[Token]) -> Literal:
        return Literal(float(str(items[0])), _pos(items[0]))

    def bytes_lit(self, items: list[Token]) -> Literal:
        digits = str(items[0])[2:]
        if len(digits) % 2:
            raise _Located(f"bytes literal {items[0]} has an odd number of hex digits",
                           _pos(items[0]))
        return Literal(bytes.fromhex(digits), _pos(items[0]))

    @v_args(meta=True)
    def true_lit(self, meta: Any, items: list[Any]) -> Literal:
        return Literal(True, _pos(meta))

    @v_args(meta=True)
    def false_lit(self, meta: Any, items: list[Any]) -> Literal:
        return Literal(False, _pos(meta))

    @v_args(meta=True)
    def nil_lit(self, meta: Any, items: list[Any]) -> Literal:
        return Literal(None, _pos(meta))

    def enum(self, items: list[Token]) -> Enum:
        return Enum(str(items[0]), _pos(items[0]))

    # -- structure ------------------------------------------------------------------------
    def field(self, items: list[Any]) -> Field:
        name, *keys = items
        return self._deeper(Field(str(name), tuple(keys), _pos(name)), keys)  # type: ignore[no-any-return]

    def key(self, items: list[Any]) -> Expr:
        return items[0]  # type: ignore[no-any-return]

    def path(self, items: list[Field]) -> Path:
        return self._deeper(Path(tuple(items), items[0].pos), items)  # type: ignore[no-any-return]

    def named_arg(self, items: list[Any]) -> Arg:
        return Arg(str(items[0]), items[1], _pos(items[0]))

    def positional_arg(self, items: list[Any]) -> Arg:
        return Arg(None, items[0], items[0].pos)

    def args(self, items: list[Arg]) -> tuple[Arg, ...]:
        return tuple(items)

    def _call(self, items: list[Any]) -> Call:
        name, rest = items[0], items[1:]
        args: tuple[Arg, ...] = ()
        if rest and isinstance(rest[0], tuple):
            args, rest = rest[0], rest[1:]
        node = Call(str(name), args, tuple(rest), _pos(name))
        return self._deeper(node, [a.value for a in args] + list(rest))  # type: ignore[no-any-return]

    editor = _call
    converter = _call

    def list_lit(self, items: list[Any]) -> ListExpr:
        node = ListExpr(tuple(items), items[0].pos if items else Pos(1, 1))
        return self._deeper(node, items)  # type: ignore[no-any-return]

    def pair(self, items: list[Any]) -> tuple[str, Expr, Pos]:
        tok = items[0]
        try:
            key = go_unquote(str(tok))
        except ValueError as e:
            raise _Located(f"invalid quoted string {str(tok)}: {e}", _pos(tok)) from e
        return key, items[1], _pos(tok)

    def map_lit(self, items: list[tuple[str, Expr, Pos]]) -> MapExpr:
        node = MapExpr(tuple((k, v) for k, v, _p in items), items[0][2] if items else Pos(1, 1))
        return self._deeper(node, [v for _k, v, _p in items])  # type: ignore[no-any-return]

    def paren(self, items: list[Any]) -> Expr:
        return items[0]  # type: ignore[no-any-return]

    def arith(self, items: list[Any]) -> Arith:
        left, op, right = items
        return self._deeper(Arith(str(op), left, right, _pos(op)), [left, right])  # type: ignore[no-any-return]

    def compare(self, items: list[Any]) -> Compare:
        left, op, right = items
        return self._deeper(Compare(str(op), left, right, _pos(op)), [left, right])  # type: ignore[no-any-return]

    def or_expr(self, items: list[Any]) -> BoolOp:
        return self._bool("or", items)

    def and_expr(self, items: list[Any]) -> BoolOp:
        return self._bool("and", items)

    def not_expr(self, items: list[Any]) -> BoolOp:
        return self._deeper(BoolOp("not", (items[0],), items[0].pos), items)  # type: ignore[no-any-return]

    def _bool(self, op: str, items: list[Any]) -> BoolOp:
        operands: list[Any] = []
        for x in items:  # flatten a or b or c into one node
            if isinstance(x, BoolOp) and x.op == op:
                operands.extend(x.operands)
            else:
                operands.append(x)
        return self._deeper(BoolOp(op, tuple(operands), items[0].pos), items)  # type: ignore[no-any-return]

    def start_statement(self, items: list[Any]) -> tuple[Call, Expr | None]:
        return items[0], (items[1] if len(items) > 1 else None)

    def start_condition(self, items: list[Any]) -> Expr:
        return items[0]  # type: ignore[no-any-return]

    start_value = start_condition


class _Located(Exception):
    def __init__(self, message: str, pos: Pos) -> None:
        super().__init__(message)
        self.message, self.pos = message, pos


@dataclass(frozen=True)
class Source:
    """Where a statement's text lies: its file, and the line and column of its first character.

    Positions inside the statement are mapped to positions in the file with :meth:`at`.
    """

    file: str = "<ottl>"
    line: int = 1
    column: int = 1
    line_text: str | None = None
    """The statement's first line as it appears in the file (for the caret)."""

    def at(self, pos: Pos, text: str) -> SourceLocation:
        """The file location of ``pos`` (a position in ``text``, the statement)."""
        lines = text.split("\n")
        if pos.line == 1:
            first = self.line_text if self.line_text is not None else lines[0]
            return SourceLocation(self.file, self.line, self.column + pos.column - 1, first)
        later = lines[pos.line - 1] if pos.line - 1 < len(lines) else None
        return SourceLocation(self.file, self.line + pos.line - 1, pos.column, later)


def _parse(text: str, start: str, source: Source) -> Any:
    try:
        tree: Tree[Token] = _parser().parse(text, start=start)
    except UnexpectedCharacters as e:
        where = e.pos_in_stream or 0
        raise OttlSyntaxError(f"unexpected character {text[where:where + 1]!r}",
                              source.at(Pos(e.line, e.column), text)) from e
    except UnexpectedEOF as e:
        raise OttlSyntaxError(f"unexpected end of {_WHAT[start]}; expected "
                              f"{_expected(e.expected)}",
                              source.at(_end_pos(text), text)) from e
    except UnexpectedToken as e:
        tok = e.token
        if tok.type == "$END":
            raise OttlSyntaxError(f"unexpected end of {_WHAT[start]}; expected "
                                  f"{_expected(e.expected)}", source.at(_end_pos(text), text)) from e
        hint = ""
        if start == "start_statement" and tok.start_pos == len(text) - len(text.lstrip()):
            hint = " (a statement starts with an editor, whose name is lowercase: set, " \
                   "delete_key, ...; uppercase names are converters)"
        raise OttlSyntaxError(f"unexpected {str(tok)!r}; expected {_expected(e.expected)}{hint}",
                              source.at(Pos(tok.line or 1, tok.column or 1), text)) from e
    except LarkError as e:  # any other parser complaint, still located at the statement
        raise OttlSyntaxError(f"cannot parse: {e}", source.at(Pos(1, 1), text)) from e
    builder = _ToAst()
    try:
        result = builder.transform(tree)
    except _Located as e:
        raise OttlSyntaxError(e.message, source.at(e.pos, text)) from e
    except LarkError as e:  # lark wraps errors raised inside transformer callbacks
        inner = e.__context__
        if isinstance(inner, _Located):
            raise OttlSyntaxError(inner.message, source.at(inner.pos, text)) from e
        raise
    if builder.deepest > MAX_DEPTH:
        raise OttlSyntaxError(f"expression nested {builder.deepest} levels deep; at most "
                              f"{MAX_DEPTH} are allowed", source.at(builder.deepest_pos, text))
    return result


_WHAT = {"start_statement": "statement", "start_condition": "condition",
         "start_value": "value"}

_TOKEN_NAMES = {"LPAR": "'('", "RPAR": "')'", "LSQB": "'['", "RSQB": "']'", "LBRACE": "'{'",
                "RBRACE": "'}'", "COMMA": "','", "DOT": "'.'", "EQUAL": "'='", "COLON": "':'",
                "COMP_OP": "a comparison", "ADD_OP": "'+' or '-'", "MUL_OP": "'*' or '/'",
                "LOWER": "a lowercase name", "UPPER": "an uppercase name", "STRING": "a string",
                "INT": "an int", "FLOAT": "a float", "BYTES": "bytes", "_WHERE": "'where'",
                "_AND": "'and'", "_OR": "'or'", "_NOT": "'not'", "_TRUE": "true",
                "_FALSE": "false", "_NIL": "nil", "$END": "end of text"}


def _expected(names: Any) -> str:
    shown = sorted({_TOKEN_NAMES.get(str(n), str(n)) for n in names})
    if len(shown) > 6:
        shown = [*shown[:6], "..."]
    return ", ".join(shown) if shown else "something else"


def _end_pos(text: str) -> Pos:
    lines = text.rstrip().split("\n")
    return Pos(len(lines), len(lines[-1]) + 1)


def parse_statement(text: str, source: Source | None = None) -> Statement:
    """Parse one OTTL statement (``editor(args) [where condition]``).

    Raises:
        OttlSyntaxError: with the file, line and column of the first problem.
    """
    editor, where = _parse(text, "start_statement", source or Source())
    return Statement(editor, where, text)


def parse_condition(text: str, source: Source | None = None) -> Expr:
    """Parse one OTTL condition (what follows ``where``, or a filter processor condition)."""
    result: Expr = _parse(text, "start_condition", source or Source())
    return result


def parse_value(text: str, source: Source | None = None) -> Expr:
    """Parse one OTTL value expression (``attributes["k"]``, ``Concat(...)``, ``1 + 2``)."""
    result: Expr = _parse(text, "start_value", source or Source())
    return result


__all__ = [
    "MAX_DEPTH", "Arg", "Arith", "BoolOp", "Call", "Compare", "Enum", "Expr", "Field", "ListExpr",
    "Literal", "MapExpr", "Path", "Pos", "Source", "Statement", "go_unquote", "parse_condition",
    "parse_statement", "parse_value",
]
