r"""The regexes of an abstraction, matched in time linear in the text (RE2).

An abstraction's rules are written by users, and the span names they are matched against come
from captured telemetry — so a pattern such as ``(x+x+)+y`` must not let a hostile span name
stall a run, as it would with a backtracking engine (Python's ``re``). The patterns are compiled
by RE2 (``google-re2``), which has no backtracking: every match takes time linear in the name.

RE2's syntax is Python's for everything an abstraction needs — literals, classes, ``.``,
``* + ? {m,n}``, alternation, groups and named groups ``(?P<name>...)``, ``(?i)`` — with these
differences, which make a pattern an error at load time rather than a different match:

* no backreferences (``\1``) and no look-around (``(?=...)``, ``(?<!...)``);
* ``\d``, ``\w``, ``\s`` and ``\b`` are ASCII (Python's are Unicode); write ``\pL`` (a letter
  of any script), ``\pN`` (a digit or number) or ``\p{Greek}`` for others.

A span name holding a lone surrogate (which UTF-8, and so RE2, cannot hold) is matched with each
surrogate read as U+FFFD; the groups are cut from the name itself, so they keep it.
"""

from __future__ import annotations

from typing import Any

import re2

_OPTIONS = re2.Options()
_OPTIONS.log_errors = False  # errors are raised (and reported by cspotlp), not logged to stderr


class LinearRegex:
    """A compiled pattern: :meth:`fullmatch` gives the named groups of a whole-text match.

    Raises:
        ValueError: the pattern is not valid RE2 syntax (the message says why).
    """

    __slots__ = ("pattern", "groupindex", "_regexp")

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        try:
            self._regexp: Any = re2.compile(pattern, options=_OPTIONS)
        except re2.error as e:
            reason = e.args[0].decode("utf-8", "replace") if e.args and isinstance(
                e.args[0], bytes) else str(e)
            raise ValueError(f"{reason} (abstractions use RE2 syntax: no backreferences "
                             "or look-around)") from None
        except UnicodeEncodeError:
            raise ValueError("the pattern holds a lone surrogate") from None
        self.groupindex: dict[str, int] = dict(self._regexp.groupindex)

    def fullmatch(self, text: str) -> dict[str, str] | None:
        """The named groups (those that took part) when the whole ``text`` matches, else None."""
        m = self._regexp.fullmatch(_utf8_safe(text))
        if m is None:
            return None
        found: dict[str, str] = {}
        for name, index in self.groupindex.items():
            start, end = m.span(index)
            if start >= 0:
                found[name] = text[start:end]
        return found

    def __repr__(self) -> str:
        return f"LinearRegex({self.pattern!r})"


def _utf8_safe(text: str) -> str:
    """``text`` with lone surrogates read as U+FFFD (one character for one: offsets hold)."""
    if text.isascii():
        return text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "".join("\ufffd" if 0xD800 <= ord(c) <= 0xDFFF else c for c in text)
    return text


__all__ = ["LinearRegex"]
