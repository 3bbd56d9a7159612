"""What every reader shares: the file being read, the place in it, lenient notes, interning.

A :class:`DecodeContext` lives for one file. It knows the current line (JSON Lines), raises
:class:`MalformedInput` naming file, line, trace id and span id, decides what to do with input that
breaks the OTLP JSON spec in a common way (refuse it, or accept it under ``lenient`` and note what
was off), and interns the strings and attribute records that repeat across spans so that a large
capture is stored once per distinct value.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal, NamedTuple, NoReturn

from cspotlp.errors import MalformedInput, NonConformingInput, SpanWhere
from cspotlp.otlp.model import AnyValue, KeyValue, Resource, Scope

# Interning tables stop growing at this size: repeated values are the common case, and a bound
# keeps memory proportional to the spans themselves on captures full of unique values.
TABLE_LIMIT = 1 << 17


class ReadNote(NamedTuple):
    """Something a reader noticed that is not an error: lenient acceptance, skipped lines.

    ``where`` is the first place it happened; ``times`` how many times.
    """

    kind: str
    where: SpanWhere
    message: str
    times: int

    def __str__(self) -> str:
        times = "" if self.times == 1 else f" ({self.times} occurrences; the first is shown)"
        place = f"{self.where}: " if str(self.where) else ""
        return f"{place}{self.message}{times}"


class DecodeContext:
    """State for decoding one file (see the module docstring)."""

    __slots__ = ("file", "line", "lenient", "keep_attributes", "accepted", "strings", "_kvs",
                 "_shared", "_notes", "_counts")

    def __init__(self, file: str, *, lenient: bool = False, keep_attributes: bool = True) -> None:
        self.file = file
        self.line: int | None = None
        self.lenient = lenient
        self.keep_attributes = keep_attributes
        self.accepted: set[str] = set()
        """Kinds of deviation that are the documented encoding of the format being read (such
        as Tempo's base64 ids): read without ``lenient`` and without a note."""
        self.strings: dict[str, str] = {}
        """The interning table: readers may look strings up in it directly (hot paths)."""
        self._kvs: dict[tuple[str, str, object], KeyValue] = {}
        self._shared: dict[Resource | Scope, Resource | Scope] = {}
        self._notes: dict[str, tuple[SpanWhere, str]] = {}
        self._counts: dict[str, int] = {}

    def where(self, trace_id: str | None = None, span_id: str | None = None,
              column: int | None = None) -> SpanWhere:
        """The current place, optionally narrowed to a trace and span."""
        return SpanWhere(self.file, self.line, trace_id or None, span_id or None, column)

    def fail(self, message: str, trace_id: str | None = None, span_id: str | None = None) -> NoReturn:
        """Raise :class:`MalformedInput` at the current place."""
        raise MalformedInput(message, self.where(trace_id, span_id))

    def nonconforming(self, kind: str, message: str, trace_id: str | None = None,
                      span_id: str | None = None, lenient_reading: str = "") -> None:
        """Input breaks its format's spec in a common way: refuse it, or under ``lenient`` note it.

        ``lenient_reading`` says how the input is read when accepted (e.g. "read as 0").
        """
        if kind in self.accepted:
            return
        where = self.where(trace_id, span_id)
        if not self.lenient:
            raise NonConformingInput(
                f"{message} (read the file with lenient=True, or --lenient on the command line, "
                f"to accept this with a warning)", where)
        self.note(kind, f"{message}; {lenient_reading}" if lenient_reading else message, where)

    def note(self, kind: str, message: str, where: SpanWhere | None = None) -> None:
        """Record a note; repeated kinds are counted, the first place and message kept."""
        if kind not in self._notes:
            self._notes[kind] = (where or self.where(), message)
        self._counts[kind] = self._counts.get(kind, 0) + 1

    def notes(self) -> tuple[ReadNote, ...]:
        """The notes, in the order their kinds first occurred."""
        return tuple(ReadNote(kind, where, message, self._counts[kind])
                     for kind, (where, message) in self._notes.items())

    def intern(self, text: str) -> str:
        """One shared object per distinct string (up to a bound)."""
        got = self.strings.get(text)
        if got is not None:
            return got
        if len(self.strings) < TABLE_LIMIT:
            self.strings[text] = text
        return text

    def key_value(self, key: str, value: AnyValue) -> KeyValue:
        """One shared KeyValue per distinct scalar attribute (up to a bound).

        Doubles are not shared: ``0.0 == -0.0`` would merge two values that encode differently.
        """
        if value.kind in ("array", "kvlist", "double"):
            return KeyValue(self.intern(key), value)
        memo = (key, value.kind, value.value)
        got = self._kvs.get(memo)
        if got is not None:
            return got
        kv = KeyValue(self.intern(key), value)
        if len(self._kvs) < TABLE_LIMIT:
            self._kvs[memo] = kv
        return kv

    def resource(self, resource: Resource) -> Resource:
        """The shared copy of an equal resource seen before (every JSON line repeats it)."""
        got = self._shared.setdefault(resource, resource)
        assert isinstance(got, Resource)
        return got

    def scope(self, scope: Scope) -> Scope:
        """The shared copy of an equal scope seen before."""
        got = self._shared.setdefault(scope, scope)
        assert isinstance(got, Scope)
        return got


class ValueFrame:
    """One open array or kvlist while a reader decodes a nested value without recursion.

    ``items`` are the encoded members, ``pos`` the next one to decode, ``built`` the decoded
    ones; for a kvlist, ``key`` is the key of the member being decoded.
    """

    __slots__ = ("kind", "items", "pos", "built", "key")

    def __init__(self, kind: Literal["array", "kvlist"], items: list[Any]) -> None:
        self.kind: Literal["array", "kvlist"] = kind
        self.items = items
        self.pos = 0
        self.built: list[Any] = []
        self.key = ""

    def add(self, value: AnyValue) -> None:
        """Append a decoded member (paired with the current key in a kvlist)."""
        self.built.append(KeyValue(self.key, value) if self.kind == "kvlist" else value)

    def done(self) -> AnyValue:
        """The finished value."""
        return AnyValue(self.kind, tuple(self.built))


def decode_nested(root: ValueFrame,
                  member: Callable[[ValueFrame, Any], ValueFrame | AnyValue]) -> AnyValue:
    """A nested array/kvlist value, decoded on an explicit stack (no recursion on its depth).

    ``member(frame, item)`` decodes one encoded member of ``frame`` (for a kvlist it also sets
    ``frame.key``): a scalar gives its :class:`AnyValue`, a nested array or kvlist its new
    :class:`ValueFrame`, which is then decoded before the next member of ``frame``.
    """
    stack = [root]
    while True:
        top = stack[-1]
        if top.pos == len(top.items):
            stack.pop()
            done = top.done()
            if not stack:
                return done
            stack[-1].add(done)
            continue
        item = top.items[top.pos]
        top.pos += 1
        got = member(top, item)
        if isinstance(got, ValueFrame):
            stack.append(got)
        else:
            top.add(got)


def padded_hex_id(ctx: DecodeContext, raw: object, hex_len: int, what: str,
                  trace_id: str = "", span_id: str = "") -> str:
    """A Jaeger or Zipkin hex id, lowercase, left-padded with zeros to ``hex_len`` digits.

    Both systems write 64-bit trace ids as 16 hex digits and drop leading zeros of short ids
    (Zipkin's ``"id": "2"``); their own decoders pad, and so does this one. ``""`` when absent.
    """
    if raw is None or raw == "":
        return ""
    if type(raw) is not str or not raw.isascii() or not all(c in _HEX_DIGITS for c in raw):
        ctx.fail(f"{what} {raw!r} is not a hex string", trace_id, span_id)
    if len(raw) > hex_len:
        ctx.fail(f"{what} {raw!r} has {len(raw)} hex digits, more than {hex_len}", trace_id, span_id)
    return raw.lower().rjust(hex_len, "0")


_HEX_DIGITS = frozenset("0123456789abcdefABCDEF")
