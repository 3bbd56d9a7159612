r"""TLA+ lexical helpers: injective names, escaped strings, safe comments, module framing.

Everything the exporters write that comes from user data (event names, process names, trace and
span ids, file names) goes through this module, so no label — whatever Unicode, quotes,
backslashes or newlines it holds — can break a module.

* **Labels** become TLA+ *strings*. :func:`encode_label` first maps the text injectively to
  printable ASCII by percent-encoding: every character outside ``' '..'~'``, and ``%`` itself,
  becomes the ``%XX`` bytes of its UTF-8 encoding (``"τ"`` -> ``"%CF%84"``). The emitted modules
  are therefore pure ASCII (SANY and TLC need not agree on a file encoding), and decoding is
  ``urllib.parse.unquote``. :func:`tla_string` then quotes the result, escaping ``"`` and ``\``.
  Because ``%`` is always followed by two upper-case hex digits in an encoded label, strings such
  as ``"%tau"`` can never be the encoding of any label; the exporters use them for τ, ✓ and "no
  event yet".
* **Identifiers** (module names) come from :func:`tla_identifier`, an injective map onto valid
  TLA+ identifiers that are neither reserved words nor the names of standard modules.
* **Comments** from :func:`tla_comment` (text: :func:`comment_text`) are one ``\*`` line comment
  each, ASCII, with no ``*`` (so no ``(*`` or ``*)`` can open or close a block comment).
"""

from __future__ import annotations

import string
from collections.abc import Iterable, Sequence

_SAFE = frozenset(chr(c) for c in range(0x20, 0x7F)) - {"%"}
_ALNUM = frozenset(string.ascii_letters + string.digits)

RESERVED_WORDS = frozenset({
    "ACTION", "ASSUME", "ASSUMPTION", "AXIOM", "BOOLEAN", "BY", "CASE", "CHOOSE", "CONSTANT",
    "CONSTANTS", "COROLLARY", "DEF", "DEFINE", "DEFS", "DOMAIN", "ELSE", "ENABLED", "EXCEPT",
    "EXTENDS", "FALSE", "HAVE", "HIDE", "IF", "IN", "INSTANCE", "LAMBDA", "LEMMA", "LET",
    "LOCAL", "MODULE", "NEW", "OBVIOUS", "OMITTED", "ONLY", "OTHER", "PICK", "PROOF",
    "PROPOSITION", "PROVE", "QED", "RECURSIVE", "SF_", "STATE", "STRING", "SUBSET", "SUFFICES",
    "TAKE", "TEMPORAL", "THEN", "THEOREM", "TRUE", "UNCHANGED", "UNION", "USE", "VARIABLE",
    "VARIABLES", "WF_", "WITH", "WITNESS",
})
"""TLA+ keywords and built-in constants, which cannot be defined or used as module names."""

STANDARD_MODULES = frozenset({
    "Apalache", "Bags", "BagsExt", "Bitwise", "CSV", "Combinatorics", "DifferentialEquations",
    "DyadicRationals", "Folds", "FiniteSets", "FiniteSetsExt", "Functions", "Graphs",
    "IOUtils", "Integers", "Json", "Naturals", "Randomization", "Reals", "RealTime",
    "Relation", "SequencesExt", "Sequences", "Statistics", "TLC", "TLCExt", "Toolbox",
    "VectorClocks",
})
"""Standard and community module names: a generated module with one of these names (compared
without case, for case-insensitive file systems) would shadow the real module."""

_BLOCKED = frozenset(w.lower() for w in RESERVED_WORDS | STANDARD_MODULES)


def encode_label(text: str) -> str:
    r"""Injective map of any text onto printable ASCII without bare ``%`` (see module docstring).

    >>> encode_label('span_begin.1.0."a"')
    'span_begin.1.0."a"'
    >>> encode_label("τ 100%\n")
    '%CF%84 100%25%0A'
    """
    if all(ch in _SAFE for ch in text):
        return text
    out: list[str] = []
    for ch in text:
        if ch in _SAFE:
            out.append(ch)
        else:
            out.extend(f"%{b:02X}" for b in ch.encode("utf-8", "surrogatepass"))
    return "".join(out)


def tla_string(ascii_text: str) -> str:
    r"""A TLA+ string literal whose value is ``ascii_text`` (printable ASCII, e.g. a label's code).

    >>> print(tla_string('say "hi" \\ bye'))
    "say \"hi\" \\ bye"
    """
    if not all(" " <= ch <= "~" for ch in ascii_text):
        raise ValueError(f"not printable ASCII (encode it first): {ascii_text!r}")
    return '"' + ascii_text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def tla_label(text: str) -> str:
    """The TLA+ string literal standing for the label ``text``: ``tla_string(encode_label(text))``."""
    return tla_string(encode_label(text))


def comment_text(text: str) -> str:
    r"""``text`` made safe inside a line comment: encoded, one line, and ``*`` written as ``%2A``.

    >>> comment_text("a *) b\nc")
    'a %2A) b%0Ac'
    """
    return encode_label(text).replace("*", "%2A")


def tla_comment(text: str) -> str:
    r"""One line comment ``\* ...`` saying ``text`` (see :func:`comment_text`)."""
    body = comment_text(text)
    return f"\\* {body}" if body else "\\*"


def tla_identifier(name: str, avoid: frozenset[str] = frozenset()) -> str:
    """An injective map from any text onto valid, unreserved TLA+ identifiers.

    ASCII letters and digits stay; ``_`` becomes ``__``; any other character becomes
    ``_x<hex code point>_``. The encoded text never has a single ``_`` followed by anything but
    ``_`` or ``x``; so when the result would be unusable (no letter, a reserved word, a standard
    module's name, one of the names in ``avoid``, or a ``WF_``/``SF_`` prefix) the prefix ``I_``
    keeps it injective.

    >>> tla_identifier("DiningPhilosophers3"), tla_identifier("PHIL(0)"), tla_identifier("TLC")
    ('DiningPhilosophers3', 'PHIL_x28_0_x29_', 'I_TLC')
    """
    parts: list[str] = []
    for ch in name:
        if ch in _ALNUM:
            parts.append(ch)
        elif ch == "_":
            parts.append("__")
        else:
            parts.append(f"_x{ord(ch):x}_")
    ident = "".join(parts)
    usable = (
        any(ch in string.ascii_letters for ch in ident)
        and ident.lower() not in _BLOCKED
        and ident not in avoid
        and not ident.upper().startswith(("WF_", "SF_"))
    )
    return ident if usable else "I_" + ident


def module_text(name: str, header: Sequence[str], body: Iterable[str]) -> str:
    """A complete module: the ``---- MODULE name ----`` line, a comment header, body, footer.

    ``header`` lines are written as line comments; they are the exporter's own text, with any
    user data already passed through :func:`comment_text`, and must be printable ASCII without
    ``(*`` or ``*)``. ``body`` lines are written verbatim.
    """
    dashes = "-" * max(4, (72 - len(name) - 8) // 2)
    lines = [f"{dashes} MODULE {name} {dashes}"]
    for h in header:
        if not all(" " <= ch <= "~" for ch in h) or "(*" in h or "*)" in h:
            raise ValueError(f"unsafe header comment {h!r}")
        lines.append(f"\\* {h}")
    lines.extend(body)
    lines.append("=" * 77)
    return "\n".join(lines) + "\n"


def wrap_items(items: Sequence[str], indent: str, width: int = 100) -> list[str]:
    """Comma-separated ``items`` in lines of at most ``width`` characters (where items allow).

    Each line starts with ``indent``; the last line has no trailing comma.
    """
    lines: list[str] = []
    current = indent
    for i, item in enumerate(items):
        piece = item + ("," if i < len(items) - 1 else "")
        if current != indent and len(current) + 1 + len(piece) > width:
            lines.append(current.rstrip())
            current = indent
        current += piece if current == indent else " " + piece
    if current != indent:
        lines.append(current)
    return lines
