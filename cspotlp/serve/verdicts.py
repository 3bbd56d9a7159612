"""Checking released traces and the verdict records ``serve`` writes (one JSON object a line).

A record is :meth:`ConformanceResult.to_json` of the check (what ``cspotlp conform --json``
gives for the same spans, without ``file``) plus what only a live receiver knows:

* ``spans``: how many spans the trace had; ``services``: their service names, sorted;
* ``late``: true for the re-check of a trace that got spans after it was checked, with
  ``late_spans`` and ``previous_verdict``;
* for an incomplete trace, ``verdict`` is ``"incomplete"``, ``incomplete`` says why, and
  ``partial_verdict`` is what checking the spans at hand gave (with its ``failure`` or
  ``error``): an incomplete trace is never reported as passed or failed.

>>> from cspotlp.conformance import ConformanceResult
>>> sorted(verdict_record(ConformanceResult("ab", "pass", 4), spans=2, services=("cart",)))
['events', 'services', 'spans', 'trace_id', 'verdict']
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cspotlp.conformance import ConformanceChecker, ConformanceResult
from cspotlp.mapping.abstraction import UNKNOWN_SERVICE
from cspotlp.otlp.model import Span, service_name
from cspotlp.otlp.reader import CapturedTrace
from cspotlp.serve.buffer import Release

VERDICTS = ("pass", "fail", "error", "incomplete")
"""Every verdict a record can carry."""


def verdict_record(result: ConformanceResult, *, spans: int, services: Sequence[str],
                   late_spans: int = 0, previous: str | None = None,
                   incomplete: str | None = None) -> dict[str, Any]:
    """The JSON record of one check (see the module docstring)."""
    record = result.to_json()
    record.pop("file", None)
    record["spans"] = spans
    record["services"] = list(services)
    if incomplete is not None:
        record["partial_verdict"] = record["verdict"]
        record["verdict"] = "incomplete"
        record["incomplete"] = incomplete
    if previous is not None:
        record["late"] = True
        record["late_spans"] = late_spans
        record["previous_verdict"] = previous
    return record


def services_of(spans: Sequence[Span]) -> tuple[str, ...]:
    """The service names of spans, sorted, each once (``unknown_service`` for none)."""
    resources = {id(s.resource): s.resource for s in spans}  # shared by the spans of a batch
    return tuple(sorted({service_name(r) or UNKNOWN_SERVICE for r in resources.values()}))


def check_release(checker: ConformanceChecker, release: Release) -> dict[str, Any]:
    """Check a released trace; its verdict record."""
    trace = CapturedTrace(release.trace_id, release.spans)
    result = checker.check(trace)
    return verdict_record(result, spans=len(release.spans), services=services_of(release.spans),
                          late_spans=release.late_spans, previous=release.previous,
                          incomplete=release.incomplete)


__all__ = ["VERDICTS", "check_release", "services_of", "verdict_record"]
