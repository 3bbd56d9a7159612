r"""CSPm names for abstract labels and event data: readable where possible, always injective.

An abstraction (:mod:`cspotlp.mapping.abstraction`) turns spans into labels such as
``payment.oteldemo.PaymentService/Charge`` or ``Charge``. Model checkers need them as CSPm
identifiers (datatype constructors), and a specification written by hand names them the same
way, so the mapping must be predictable and must never merge two labels:

* a *plain* label — ASCII letters and digits, starting with a letter, not a CSPm keyword,
  built-in or reserved name — is its own name: ``Charge`` → ``Charge``;
* any other label ``s`` becomes ``L_`` followed by :func:`escape` of ``s``:
  ``payment.Charge`` → ``L_payment_dCharge``, ``GET /users/{id}`` →
  ``L_GET_w_susers_s_lid_r``.

:func:`escape` keeps ASCII letters and digits and writes every other character as ``_`` and a
code: ``__`` for ``_``, ``_d`` for ``.``, ``_s`` for ``/``, ``_w`` for a space, ``_h`` for ``-``,
``_c`` for ``:``, ``_l`` / ``_r`` for ``{`` / ``}``, and ``_u<hex>_`` for any other character
(quotes, newlines, ``--``, ``{-``, any Unicode). The codes are prefix-free, so :func:`unescape`
inverts it; plain names contain no ``_`` and escaped ones start with ``L_``, so
:func:`label_ident` is injective.

Event data (attribute values picked by the abstraction) become constructors
``A<k>_<tag><text>`` for the k-th picked attribute (1-based): tag ``S`` and :func:`escape` of a
string, ``I`` / ``M`` and the digits of a non-negative / negative int, ``T`` / ``F`` for a
bool, ``D`` and the escaped ``repr`` of a double, ``N`` for an absent attribute. They contain
``_`` after ``A<digits>``, so they never meet a label's name.

>>> label_ident("Charge"), label_ident("payment.Charge"), label_ident("STOP")
('Charge', 'L_payment_dCharge', 'L_STOP')
>>> unescape(escape("a-{b}\n"))
'a-{b}\n'
>>> data_ident(1, "order-1"), data_ident(2, 42), data_ident(2, None)
('A1_Sorder_h1', 'A2_I42', 'A2_N')
"""

from __future__ import annotations

import re
from collections.abc import Collection

DataValue = str | int | bool | float | None
"""An attribute value as event data (None: the span has no such attribute)."""

_CODES = {"_": "_", ".": "d", "/": "s", " ": "w", "-": "h", ":": "c", "{": "l", "}": "r"}
_DECODE = {v: k for k, v in _CODES.items()}
_KEEP = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9]*\Z")
_IDENT = re.compile(r"[A-Za-z][A-Za-z0-9_']*\Z")

def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


EXPORT_NAMES = frozenset({"OBSERVED", "Label", "unexpected", "Unexpected", "call", "ret", "error"})
"""Plain names the exporters declare themselves (their other names all contain ``_``)."""

CSPM_WORDS = _words("""
    BUFFER Bool CHAOS Char DIV Events False Int Inter Map Proc RUN SKIP STOP Seq Set Timed True
    Union WEAK_BUFFER and assert card channel chase chase_nocache concat datatype dbisim deter
    diamond diff elem else empty emptyMap endmodule error explicate exports extensions external
    failure_watchdog false head if include instance inter lazyenumerate lazynorm length let loop
    mapDelete mapFromList mapLookup mapMember mapToList mapUpdate mapUpdateMultiple member module
    model_compress mtransclose nametype normal not null or print prioritise prioritise_nocache
    prioritisepo productions relational_image relational_inverse_image sbisim seq set show
    subtype tail tau_loop_factor then trace_watchdog transparent transpose true union wbisim
    within Event
""")
"""CSPm keywords and FDR4 built-in names (a test keeps this in step with :mod:`cspotlp.cspm`;
spelt out here so that the mapping layer does not depend on the CSPm front end)."""

CSPM_KEYWORDS = _words("""
    if then else let within channel datatype subtype nametype assert not and or true false
    transparent external include module exports endmodule instance Timed
""")
"""The reserved words of CSPm (built-ins, unlike these, may be redefined by a script)."""

CSPM_RESERVED = CSPM_WORDS | EXPORT_NAMES
"""Names a plain label may not take: CSPm keywords, FDR4 built-ins, the exporters' own names."""


def escape(text: str) -> str:
    """An injective spelling of ``text`` with ASCII letters, digits and ``_`` only.

    >>> escape("a.b_c"), escape("é")
    ('a_db__c', '_ue9_')
    """
    out: list[str] = []
    for ch in text:
        if ch in _KEEP:
            out.append(ch)
        else:
            code = _CODES.get(ch)
            out.append("_" + code if code is not None else f"_u{ord(ch):x}_")
    return "".join(out)


def unescape(name: str) -> str:
    """The text :func:`escape` spelt as ``name`` (raises ValueError if it is no such spelling)."""
    out: list[str] = []
    i, n = 0, len(name)
    while i < n:
        ch = name[i]
        if ch != "_":
            if ch not in _KEEP:
                raise ValueError(f"not an escaped name: {name!r}")
            out.append(ch)
            i += 1
            continue
        if i + 1 >= n:
            raise ValueError(f"not an escaped name: {name!r}")
        code = name[i + 1]
        if code == "u":
            end = name.find("_", i + 2)
            if end < 0:
                raise ValueError(f"not an escaped name: {name!r}")
            out.append(chr(int(name[i + 2:end], 16)))
            i = end + 1
        elif code in _DECODE:
            out.append(_DECODE[code])
            i += 2
        else:
            raise ValueError(f"not an escaped name: {name!r}")
    return "".join(out)


def is_plain(label: str, reserved: Collection[str] = ()) -> bool:
    """True when ``label`` is its own CSPm name (letters and digits, not reserved)."""
    return (_PLAIN.match(label) is not None and label not in CSPM_RESERVED
            and label not in reserved)


def label_ident(label: str, reserved: Collection[str] = ()) -> str:
    """The CSPm constructor name of a label (see the module docstring).

    ``reserved`` adds names that plain labels may not take (the abstraction's event channel
    names when they are not the default ``call`` / ``ret`` / ``error``).
    """
    return label if is_plain(label, reserved) else "L_" + escape(label)


def label_of_ident(name: str) -> str:
    """The label whose CSPm name is ``name`` (inverse of :func:`label_ident`)."""
    return unescape(name[2:]) if name.startswith("L_") else name


def data_ident(index: int, value: DataValue) -> str:
    """The constructor name of the value of the ``index``-th picked attribute (1-based)."""
    prefix = f"A{index}_"
    if value is None:
        return prefix + "N"
    if isinstance(value, bool):
        return prefix + ("T" if value else "F")
    if isinstance(value, int):
        return prefix + (f"I{value}" if value >= 0 else f"M{-value}")
    if isinstance(value, float):
        return prefix + "D" + escape(repr(value))
    return prefix + "S" + escape(value)


_DATA = re.compile(r"A([1-9][0-9]*)_([SIMTFDN])(.*)\Z", re.DOTALL)


def value_of_data_ident(name: str) -> tuple[int, DataValue] | None:
    """(index, value) of a name :func:`data_ident` made, or None if it is no such name.

    >>> value_of_data_ident("A1_Sorder_h1"), value_of_data_ident("A2_M5"), value_of_data_ident("x")
    ((1, 'order-1'), (2, -5), None)
    """
    m = _DATA.match(name)
    if m is None:
        return None
    index, tag, text = int(m.group(1)), m.group(2), m.group(3)
    value: DataValue
    try:
        if tag == "S":
            value = unescape(text)
        elif tag in "IM" and text.isdigit() and text.isascii():
            value = int(text) if tag == "I" else -int(text)
        elif tag in "TFN" and not text:
            value = True if tag == "T" else False if tag == "F" else None
        elif tag == "D":
            value = float(unescape(text))
        else:
            return None
    except ValueError:
        return None
    return (index, value) if data_ident(index, value) == name else None


def is_identifier(name: str) -> bool:
    """True when ``name`` can be declared in CSPm: an identifier that is not a keyword."""
    return _IDENT.match(name) is not None and name not in CSPM_KEYWORDS


__all__ = [
    "CSPM_KEYWORDS", "CSPM_RESERVED", "CSPM_WORDS", "EXPORT_NAMES", "DataValue", "data_ident", "escape", "is_identifier",
    "is_plain", "label_ident", "label_of_ident", "unescape", "value_of_data_ident",
]
