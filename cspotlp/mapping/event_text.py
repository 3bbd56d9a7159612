r"""CSPm-style text for traces over the span vocabulary (what ``cspotlp psi`` prints), and back.

One event per line, fields joined by dots as CSPm joins a channel and its data::

    begin.<span>.<parent>.<name>      e.g. begin.s_eee19b7ec3c1b174.root."GET /api"
    end.<span>.<status>               e.g. end.s_eee19b7ec3c1b174.error
    mark.<span>.<name>                e.g. mark.s_eee19b7ec3c1b174."exception"
    link.<span>.<target>              e.g. link.s_eee1...74.t_5b8e...0c.s_0123456789abcdef

Fields:

* ``<span>``, ``<parent>``: ``s_<id>`` when the id is made of letters, digits and ``_`` (every
  OTLP hex id, and split ids such as ``s_<id>_2``); an integer id as a number; any other id as a
  quoted string. ``<parent>`` is ``root`` for a root.
* ``<name>``: a double-quoted string; ``"`` ``\`` and control characters are escaped as in JSON
  (``\"``, ``\\``, ``\n``, ``\u0007``), and so are the line separators U+0085, U+2028 and
  U+2029; other characters, non-ASCII included, are written as they are (a lone surrogate, which
  UTF-8 cannot hold, is written ``\udXXX`` by the writer: the same JSON escape). Quoting keeps
  every field one token and every event one line, whatever the span name.
* ``<status>``: ``unset``, ``ok`` or ``error`` for an OTLP status (its message is not shown),
  ``code_<n>`` for another OTLP code, ``none`` for no status, a quoted string otherwise.
* ``<target>``: ``t_<trace id>.s_<span id>`` for an OTLP span context; otherwise one field as for
  ``<span>``.

Payloads (attributes, resource...) are not shown: the text is for reading and for model checking,
and :func:`parse_trace_text` gives events with ``None`` payloads. A line ``-- trace <id>`` starts
the trace of that OTLP trace id; other lines starting with ``--`` (CSPm comments) and blank lines
are ignored.
"""

from __future__ import annotations

import json
import re
from collections.abc import Hashable, Iterable

from cspotlp.errors import MappingError
from cspotlp.mapping.vocabulary import Begin, End, Link, Mark, SpanEvent, SpanId, Trace
from cspotlp.otlp.model import Status

_WORD = re.compile(r"[A-Za-z0-9_]+")
_STATUS_WORDS = {0: "unset", 1: "ok", 2: "error"}
_STATUS_CODES = {word: code for code, word in _STATUS_WORDS.items()}


_LINE_BREAKS = {"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"}
_LINE_BREAK = re.compile("[\x85\u2028\u2029]")


def _quote(text: str) -> str:
    # JSON escapes control characters; the other characters that end a line for some readers
    # (U+0085, U+2028, U+2029) are escaped too, so that an event is always one line.
    quoted = json.dumps(text, ensure_ascii=False)
    return _LINE_BREAK.sub(lambda m: _LINE_BREAKS[m.group()], quoted)


def _span_field(span: SpanId) -> str:
    if isinstance(span, int):
        return str(span)
    return f"s_{span}" if _WORD.fullmatch(span) else _quote(span)


def _status_field(status: Hashable) -> str:
    if isinstance(status, Status):
        return _STATUS_WORDS.get(status.code, f"code_{status.code}")
    if status is None:
        return "none"
    return _quote(str(status))


def _target_field(target: Hashable) -> str:
    if isinstance(target, tuple) and len(target) == 2 and all(
            isinstance(x, str) and _WORD.fullmatch(x) for x in target):
        return f"t_{target[0]}.s_{target[1]}"
    if isinstance(target, int | str):
        return _span_field(target)
    return _quote(repr(target))


def event_text(ev: SpanEvent) -> str:
    """The CSPm-style text of one event (see the module docstring).

    >>> event_text(Begin("00f067aa0ba902b7", None, "GET /"))
    'begin.s_00f067aa0ba902b7.root."GET /"'
    """
    if isinstance(ev, Begin):
        parent = "root" if ev.parent is None else _span_field(ev.parent)
        return f"begin.{_span_field(ev.span)}.{parent}.{_quote(ev.name)}"
    if isinstance(ev, End):
        return f"end.{_span_field(ev.span)}.{_status_field(ev.status)}"
    if isinstance(ev, Mark):
        return f"mark.{_span_field(ev.span)}.{_quote(ev.name)}"
    return f"link.{_span_field(ev.span)}.{_target_field(ev.target)}"


def trace_text(trace: Iterable[SpanEvent], trace_id: str | None = None) -> str:
    """A trace as text: an optional ``-- trace <id>`` line, then one event per line."""
    head = [f"-- trace {trace_id}"] if trace_id is not None else []
    return "".join(f"{line}\n" for line in [*head, *(event_text(ev) for ev in trace)])


def _fields(line: str, number: int) -> list[str]:
    """Split at dots outside quoted strings."""
    fields: list[str] = []
    current: list[str] = []
    quoted = escaped = False
    for ch in line:
        if quoted:
            current.append(ch)
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                quoted = False
        elif ch == '"':
            quoted = True
            current.append(ch)
        elif ch == ".":
            fields.append("".join(current))
            current = []
        else:
            current.append(ch)
    if quoted:
        raise MappingError(f"line {number}: unterminated string in {line!r}")
    fields.append("".join(current))
    return fields


def _string(field: str, number: int) -> str:
    if not (field.startswith('"') and field.endswith('"') and len(field) >= 2):
        raise MappingError(f"line {number}: expected a quoted name, found {field!r}")
    try:
        value = json.loads(field)
    except ValueError as e:
        raise MappingError(f"line {number}: bad string {field!r}: {e}") from e
    assert isinstance(value, str)
    return value


def _span(field: str, number: int) -> SpanId:
    if field.startswith("s_") and _WORD.fullmatch(field):
        return field[2:]
    if field.isdigit():
        return int(field)
    if field.startswith('"'):
        return _string(field, number)
    raise MappingError(f"line {number}: expected a span (s_<id>, a number or a string), found "
                       f"{field!r}")


def _status(field: str, number: int) -> Hashable:
    if field in _STATUS_CODES:
        return Status(_STATUS_CODES[field], "")
    if field.startswith("code_") and field[5:].isdigit():
        return Status(int(field[5:]), "")
    if field == "none":
        return None
    return _string(field, number)


def parse_event(line: str, number: int = 1) -> SpanEvent:
    """The event written by :func:`event_text` (payloads are None)."""
    fields = _fields(line.strip(), number)
    head, rest = fields[0], fields[1:]
    arity = {"begin": 3, "end": 2, "mark": 2, "link": None}
    if head not in arity:
        raise MappingError(f"line {number}: unknown event {head!r} (expected begin, end, mark, "
                           "link)")
    expected = arity[head]
    if (expected is not None and len(rest) != expected) or (expected is None and len(rest) not in (2, 3)):
        raise MappingError(f"line {number}: wrong number of fields for {head}: {line.strip()!r}")
    span = _span(rest[0], number)
    if head == "begin":
        parent = None if rest[1] == "root" else _span(rest[1], number)
        return Begin(span, parent, _string(rest[2], number))
    if head == "end":
        return End(span, _status(rest[1], number))
    if head == "mark":
        return Mark(span, _string(rest[1], number))
    if len(rest) == 3:
        if not (rest[1].startswith("t_") and rest[2].startswith("s_")):
            raise MappingError(f"line {number}: expected t_<trace>.s_<span> in {line.strip()!r}")
        return Link(span, (rest[1][2:], rest[2][2:]))
    return Link(span, _span(rest[1], number))


def parse_trace_text(text: str) -> list[tuple[str | None, Trace]]:
    """The traces of a text written by :func:`trace_text`, each with its ``-- trace`` id."""
    traces: list[tuple[str | None, list[SpanEvent]]] = []
    for number, raw in enumerate(text.split("\n"), start=1):  # only \n ends a line here
        raw = raw.removesuffix("\r")
        line = raw.strip()
        if line.startswith("--"):
            comment = line[2:].split()
            if len(comment) == 2 and comment[0] == "trace":
                traces.append((comment[1], []))
            continue
        if not line:
            continue
        if not traces:
            traces.append((None, []))
        traces[-1][1].append(parse_event(line, number))
    return [(tid, tuple(events)) for tid, events in traces]
