r"""Regular expressions on span data: RE2 (Go's regexp syntax), never backtracking.

OTTL patterns are Go ``regexp`` patterns, whose syntax and linear-time guarantee are RE2's.
They run on captured span data that may be hostile, so Python's backtracking ``re`` is not
used: :func:`compile_regex` compiles with google-re2, which matches in time linear in the text
whatever the pattern. Replacement templates use Go's ``$1`` / ``${name}`` / ``$$`` syntax
(:func:`replace_all`). Glob patterns (``replace_match``: ``*``, ``?``, ``[a-z]``, ``[!a]``,
``{a,b}``, gobwas/glob without separators) become RE2 patterns anchored at both ends.

>>> r = compile_regex(r"(?P<user>[^@]+)@example\.com")
>>> replace_all(r, "mail bob@example.com now", "${user}@redacted")
'mail bob@redacted now'
"""

from __future__ import annotations

import functools
from typing import Any

import re2

__all__ = ["RegexError", "compile_glob", "compile_regex", "expand", "replace_all"]


class RegexError(ValueError):
    """A pattern RE2 (Go's syntax) does not accept."""


@functools.lru_cache(maxsize=1024)
def compile_regex(pattern: str) -> Any:
    """The compiled RE2 pattern (cached).

    Raises:
        RegexError: the pattern is not valid RE2 syntax (Go would reject it too).
    """
    options = re2.Options()
    options.log_errors = False  # the error is ours to report, not RE2's to log on stderr
    try:
        return re2.compile(pattern, options)
    except (re2.error, TypeError, ValueError) as e:
        detail = e.args[0] if e.args else e
        if isinstance(detail, bytes):
            detail = detail.decode("utf-8", "replace")
        raise RegexError(f"invalid regex {pattern!r}: {detail}") from e


def expand(template: str, match: Any) -> str:
    """``template`` with Go's ``$1``, ``$name``, ``${name}`` and ``$$`` filled from ``match``.

    As in Go's ``Regexp.Expand``, ``$name`` takes the longest run of letters, digits and
    underscores (so ``$1x`` names the group ``1x``), and an unknown group expands to nothing.
    """
    if "$" not in template:
        return template
    out: list[str] = []
    i, n = 0, len(template)
    while i < n:
        ch = template[i]
        if ch != "$" or i + 1 >= n:
            out.append(ch)
            i += 1
            continue
        nxt = template[i + 1]
        if nxt == "$":
            out.append("$")
            i += 2
            continue
        if nxt == "{":
            end = template.find("}", i + 2)
            name = template[i + 2:end] if end > 0 else ""
            if end < 0 or not name or not all(c.isalnum() or c == "_" for c in name):
                out.append(ch)  # not a reference: Go copies the '$' literally
                i += 1
                continue
            out.append(_group(match, name))
            i = end + 1
            continue
        j = i + 1
        while j < n and (template[j].isalnum() or template[j] == "_"):
            j += 1
        if j == i + 1:
            out.append(ch)
            i += 1
            continue
        out.append(_group(match, template[i + 1:j]))
        i = j
    return "".join(out)


def _group(match: Any, name: str) -> str:
    try:
        value = match.group(int(name)) if name.isdigit() else match.group(name)
    except (IndexError, KeyError, ValueError, re2.error):
        return ""
    return value or ""


def replace_all(regex: Any, text: str, template: str, transform: Any = None) -> str:
    """Every match of ``regex`` in ``text`` replaced by ``template`` expanded (Go's rules).

    ``transform``, when given, maps each expanded replacement (pkg/ottl's optional hash
    function argument).
    """
    out: list[str] = []
    last = 0
    for m in regex.finditer(text):
        out.append(text[last:m.start()])
        piece = expand(template, m)
        out.append(transform(piece) if transform is not None else piece)
        last = m.end()
    if last == 0 and not out:
        return text
    out.append(text[last:])
    return "".join(out)


def compile_glob(pattern: str) -> Any:
    r"""An RE2 pattern matching exactly the strings the glob ``pattern`` matches.

    Raises:
        RegexError: an unclosed ``[`` or ``{``, or a dangling ``\``.
    """
    out: list[str] = ["(?s)^(?:"]
    depth = 0
    i, n = 0, len(pattern)
    while i < n:
        ch = pattern[i]
        if ch == "\\":
            if i + 1 >= n:
                raise RegexError(f"invalid glob {pattern!r}: dangling '\\'")
            out.append(_quote(pattern[i + 1]))
            i += 2
        elif ch == "*":
            out.append(".*")
            i += 1
        elif ch == "?":
            out.append(".")
            i += 1
        elif ch == "[":
            end = pattern.find("]", i + 2)
            if end < 0:
                raise RegexError(f"invalid glob {pattern!r}: unclosed '['")
            body = pattern[i + 1:end]
            negate = body.startswith("!")
            if negate:
                body = body[1:]
            cls = "".join(c if c == "-" else _quote(c) for c in body)
            out.append(f"[{'^' if negate else ''}{cls}]")
            i = end + 1
        elif ch == "{":
            depth += 1
            out.append("(?:")
            i += 1
        elif ch == "}" and depth:
            depth -= 1
            out.append(")")
            i += 1
        elif ch == "," and depth:
            out.append("|")
            i += 1
        else:
            out.append(_quote(ch))
            i += 1
    if depth:
        raise RegexError(f"invalid glob {pattern!r}: unclosed '{{'")
    out.append(")$")
    return compile_regex("".join(out))


def _quote(ch: str) -> str:
    return "\\" + ch if not ch.isalnum() and ch != "_" and ord(ch) < 128 else ch
