"""Time stamps from text, checked: the one range every reader applies.

OTLP stores times as unsigned 64-bit nanoseconds since the Unix epoch, so a time is valid when
it lies in ``0 .. 2**64 - 1`` ns (1970-01-01 to 2554-07-21). OTLP JSON's readers reject other
values; Jaeger's and Zipkin's (microseconds, RFC 3339 text) are held to the same range, and a
date is read only when it exists: month 13, 30 February or 25:00 are errors, not normalised.
"""

from __future__ import annotations

import re

UINT64_MAX = (1 << 64) - 1
"""The largest OTLP time (ns)."""

_RFC3339 = re.compile(
    r"(\d{4})-(\d\d)-(\d\d)[Tt ](\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?(?:[Zz]|([+-])(\d\d):(\d\d))")
_DAYS_IN_MONTH = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def is_leap(year: int) -> bool:
    """Whether ``year`` (proleptic Gregorian) has 29 February."""
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def days_from_civil(year: int, month: int, day: int) -> int:
    """Days since 1970-01-01 of a valid proleptic Gregorian date (any year, even 0 or negative).

    >>> days_from_civil(1970, 1, 1), days_from_civil(2000, 3, 1), days_from_civil(1969, 12, 31)
    (0, 11017, -1)
    """
    y = year - (month <= 2)
    era = y // 400
    yoe = y - era * 400
    mp = (month + 9) % 12
    doy = (153 * mp + 2) // 5 + day - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def rfc3339_ns(text: str) -> tuple[int | None, str]:
    """The time ``text`` (RFC 3339, up to nanoseconds) names, in ns since the epoch.

    Returns ``(ns, "")`` or ``(None, why)`` when the text is not such a time, names a date or
    hour that does not exist, or lies outside the OTLP range.

    >>> rfc3339_ns("2017-01-26T16:46:31.639875139-05:00")
    (1485467191639875139, '')
    >>> rfc3339_ns("2020-02-30T10:00:00Z")[1]
    'day 30 does not exist in month 2 of 2020'
    """
    m = _RFC3339.fullmatch(text)
    if m is None:
        return None, "not an RFC 3339 time"
    year, month, day, hh, mm, ss = (int(m.group(i)) for i in range(1, 7))
    if not 1 <= month <= 12:
        return None, f"month {month} does not exist"
    last = 29 if month == 2 and is_leap(year) else _DAYS_IN_MONTH[month - 1]
    if not 1 <= day <= last:
        return None, f"day {day} does not exist in month {month} of {year}"
    if hh > 23 or mm > 59 or ss > 59:
        return None, f"{hh:02d}:{mm:02d}:{ss:02d} is not a time of day"
    seconds = days_from_civil(year, month, day) * 86400 + hh * 3600 + mm * 60 + ss
    if m.group(8):
        oh, om = int(m.group(9)), int(m.group(10))
        if oh > 23 or om > 59:
            return None, f"offset {m.group(8)}{oh:02d}:{om:02d} is not a time zone offset"
        offset = (oh * 60 + om) * 60
        seconds -= offset if m.group(8) == "+" else -offset
    ns = seconds * 1_000_000_000 + int((m.group(7) or "").ljust(9, "0"))
    return checked_ns(ns)


def checked_ns(ns: int) -> tuple[int | None, str]:
    """``(ns, "")`` when ``ns`` is an OTLP time, else ``(None, why)``."""
    if ns < 0:
        return None, "is before 1970-01-01, which OTLP cannot represent"
    if ns > UINT64_MAX:
        return None, "is after 2554-07-21, past OTLP's 64-bit nanoseconds"
    return ns, ""


__all__ = ["UINT64_MAX", "checked_ns", "days_from_civil", "is_leap", "rfc3339_ns"]
