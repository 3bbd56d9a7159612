"""Native conformance: is every captured trace a trace of the specification?

Each captured trace goes through the abstraction (:mod:`cspotlp.mapping.abstraction`: spans
-> ``call`` / ``ret`` / ``error`` events in Ψ's order), each abstract event becomes an event of
the specification's alphabet (:mod:`cspotlp.mapping.alphabet`), and the resulting sequence is
walked through the normalised specification (:class:`~cspotlp.conformance.normalise.NormalisedSpec`),
one dictionary lookup per event. A trace *passes* when the specification can perform all of it
(trace refinement, trace by trace: ``SPEC [T= trace``); with ``complete=True`` the
specification must moreover be able to terminate (``✓``) at its end, which rejects captured
traces that stop half-way through the specified protocol.

A failing trace reports where it went wrong: the first offending event, the span that produced
it (trace id, span id, span name, service) and the events the specification would have
accepted there. A trace that is not a span forest (and is not repaired by a named repair) is an
*error*, reported with the reason, never checked silently.

Checking is streaming (:meth:`ConformanceChecker.check_all` takes any iterable of traces and
yields one result per trace) and cheap: events are numbered once per distinct abstract event,
and a sequence of numbers already seen is not walked again.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from cspotlp.conformance.normalise import NormalisedSpec
from cspotlp.csp.environment import Environment
from cspotlp.csp.events import TICK
from cspotlp.csp.terms import Proc
from cspotlp.errors import OtlpError
from cspotlp.mapping.abstraction import (
    DEFAULT_ABSTRACTION,
    AbstractEvent,
    Abstraction,
    AbstractTrace,
    abstract_trace,
)
from cspotlp.mapping.alphabet import EventBinding, FieldDomains
from cspotlp.otlp.reader import CapturedTrace

Verdict = Literal["pass", "fail", "error"]

Progress = Callable[[int, int, float], None]
"""Called with (traces checked, abstract events checked, seconds) during long runs."""

_OUTSIDE = -1  # the number of an abstract event the specification's alphabet does not hold


@dataclass(frozen=True)
class SpanRef:
    """The real span behind an abstract event."""

    trace_id: str
    span_id: str
    name: str
    service: str

    def to_json(self) -> dict[str, str]:
        """``{"trace_id", "span_id", "name", "service"}``."""
        return {"trace_id": self.trace_id, "span_id": self.span_id, "name": self.name,
                "service": self.service}


@dataclass(frozen=True)
class Failure:
    """Where a trace left the specification.

    ``index`` is the 0-based position of the offending event in the abstract trace (its length
    when the trace ended where the specification could not terminate). ``event`` is its text
    (None at the end), ``span`` the span that produced it, ``accepted`` the events the
    specification accepted there, ``reason`` one of ``refused`` (the specification cannot do
    the event now), ``outside-alphabet`` (the specification never does it: its channel, label
    or data are not declared) and ``not-terminated``.
    """

    index: int
    event: str | None
    span: SpanRef | None
    accepted: tuple[str, ...]
    reason: str
    before: tuple[str, ...] = ()
    """Up to three events just before the offending one (context for the reader)."""

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict of this failure."""
        return {"index": self.index, "event": self.event, "reason": self.reason,
                "span": self.span.to_json() if self.span is not None else None,
                "accepted": list(self.accepted), "before": list(self.before)}


@dataclass(frozen=True)
class ConformanceResult:
    """The verdict on one captured trace."""

    trace_id: str
    verdict: Verdict
    events: int
    file: str = ""
    failure: Failure | None = None
    error: str | None = None
    repairs: tuple[str, ...] = field(default=())

    @property
    def passed(self) -> bool:
        """True for a passing trace."""
        return self.verdict == "pass"

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict: trace id, file, verdict, event count, failure or error, repairs."""
        out: dict[str, Any] = {"trace_id": self.trace_id, "file": self.file,
                               "verdict": self.verdict, "events": self.events}
        if self.failure is not None:
            out["failure"] = self.failure.to_json()
        if self.error is not None:
            out["error"] = self.error
        if self.repairs:
            out["repairs"] = list(self.repairs)
        return out

    def describe(self) -> str:
        """What a person reads: the verdict line and, for a failure, where and why (indented).

        >>> print(ConformanceResult("ab", "error", 0, error="orphan span").describe())
        ERROR trace ab (0 events): orphan span
        """
        head = f"{self.verdict.upper():5} trace {self.trace_id} ({self.events} events)"
        if self.error is not None:
            return f"{head}: {self.error}"
        f = self.failure
        if f is None:
            return head
        accepted = ", ".join(f.accepted) if f.accepted else "nothing (it has stopped)"
        lines = [head]
        if f.reason == "not-terminated":
            lines.append("      the trace ends where the specification cannot finish")
        else:
            what = ("is outside the specification's alphabet" if f.reason == "outside-alphabet"
                    else "is refused")
            lines.append(f"      event {f.index + 1}, {f.event}, {what}")
            if f.span is not None:
                where = f", file {self.file}" if self.file else ""
                lines.append(f"      span {f.span.span_id} {f.span.name!r} "
                             f"(service {f.span.service}{where})")
        if f.before:
            lines.append(f"      after: {', '.join(f.before)}")
        lines.append(f"      the specification accepted here: {accepted}")
        return "\n".join(lines)


@dataclass
class Summary:
    """Counts over a run."""

    traces: int = 0
    passed: int = 0
    failed: int = 0
    errors: int = 0
    events: int = 0
    seconds: float = 0.0

    def add(self, result: ConformanceResult) -> None:
        """Count one result."""
        self.add_verdict(result.verdict, result.events)

    def add_verdict(self, verdict: str, events: int) -> None:
        """Count one verdict of a trace of ``events`` abstract events."""
        self.traces += 1
        self.events += events
        if verdict == "pass":
            self.passed += 1
        elif verdict == "fail":
            self.failed += 1
        else:
            self.errors += 1

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict of the counts (without the time, which varies between runs)."""
        return {"traces": self.traces, "pass": self.passed, "fail": self.failed,
                "error": self.errors, "events": self.events}

    def __str__(self) -> str:
        return (f"{self.traces} trace(s), {self.events} abstract event(s): {self.passed} pass, "
                f"{self.failed} fail, {self.errors} error")


def channel_domains(env: Environment) -> dict[str, FieldDomains]:
    """The field domains of every channel of an environment (the specification's alphabet)."""
    return {name: ch.domains for name, ch in env.channels.items()}


class ConformanceChecker:
    """Checks captured traces against one specification process.

    Args:
        spec: the specification, normalised lazily (built from ``process`` and ``env`` with
            :class:`NormalisedSpec`).
        abstraction: how spans become abstract events.
        repairs: repair policies for traces that are not span forests (see
            :func:`cspotlp.otlp.validate`); by default such traces are errors.
        complete: also require that the specification can terminate at the end of each trace.
        channels: the specification's alphabet (default: the channels of its environment).
    """

    def __init__(self, spec: NormalisedSpec, abstraction: Abstraction = DEFAULT_ABSTRACTION, *,
                 repairs: Sequence[str] = (), complete: bool = False,
                 channels: Mapping[str, FieldDomains] | None = None) -> None:
        self.spec = spec
        self.abstraction = abstraction
        self.repairs = tuple(repairs)
        self.complete = complete
        self.binding = EventBinding(abstraction, channels if channels is not None
                                    else channel_domains(spec.env))
        self._codes: dict[tuple[str, str, tuple[object, ...]], int] = {}
        self._walked: dict[tuple[int, ...], tuple[int, int]] = {}

    @classmethod
    def for_process(cls, process: Proc, env: Environment,
                    abstraction: Abstraction = DEFAULT_ABSTRACTION, **options: Any
                    ) -> ConformanceChecker:
        """A checker for ``process`` in ``env`` (options as for the constructor)."""
        return cls(NormalisedSpec(process, env), abstraction, **options)

    # -- one trace -------------------------------------------------------------------------

    def codes(self, events: Sequence[AbstractEvent]) -> list[int]:
        """The event numbers of abstract events (``-1`` for events outside the alphabet)."""
        memo = self._codes
        out: list[int] = []
        for ev in events:
            key = (ev.channel, ev.label, ev.data)
            c = memo.get(key)
            if c is None:
                bound = self.binding.event(ev)
                c = memo[key] = _OUTSIDE if bound is None else self.spec.code(bound)
            out.append(c)
        return out

    def check_abstract(self, trace: AbstractTrace) -> ConformanceResult:
        """The verdict on an abstract trace."""
        codes = self.codes(trace.events)
        key = tuple(codes)
        walked = self._walked.get(key)
        if walked is None:
            walked = self._walked[key] = self.spec.run(codes)
        index, node = walked
        failure: Failure | None = None
        if index >= 0:
            failure = self._failure(trace.events, codes, index, node)
        elif self.complete and self.spec.code(TICK) not in self.spec.expand(node):
            failure = Failure(len(codes), None, None, self._accepted(node), "not-terminated",
                              self._before(trace.events, len(codes)))
        return ConformanceResult(trace.trace_id, "pass" if failure is None else "fail",
                                 len(codes), trace.file, failure, None, trace.repairs)

    def check(self, trace: CapturedTrace) -> ConformanceResult:
        """The verdict on a captured trace (``error`` if it is not a span forest)."""
        try:
            abstract = abstract_trace(trace, self.abstraction, repairs=self.repairs)
        except OtlpError as e:
            return ConformanceResult(trace.trace_id, "error", 0, trace.file, None, str(e))
        return self.check_abstract(abstract)

    def check_all(self, traces: Iterable[CapturedTrace], progress: Progress | None = None,
                  progress_every: float = 0.5) -> Iterator[ConformanceResult]:
        """One result per trace, in order; ``progress`` is called every ``progress_every`` s."""
        started = last = time.perf_counter()
        done = events = 0
        for trace in traces:
            result = self.check(trace)
            done += 1
            events += result.events
            if progress is not None and done % 256 == 0:
                now = time.perf_counter()
                if now - last >= progress_every:
                    progress(done, events, now - started)
                    last = now
            yield result
        if progress is not None:
            progress(done, events, time.perf_counter() - started)

    # -- reporting -------------------------------------------------------------------------

    def _accepted(self, node: int) -> tuple[str, ...]:
        return tuple(e.name for e in self.spec.accepted(node))

    @staticmethod
    def _before(events: Sequence[AbstractEvent], index: int) -> tuple[str, ...]:
        return tuple(ev.name for ev in events[max(0, index - 3):index])

    def _failure(self, events: Sequence[AbstractEvent], codes: Sequence[int], index: int,
                 node: int) -> Failure:
        ev = events[index]
        c = codes[index]
        text = self.spec.events[c].name if c != _OUTSIDE else ev.name
        return Failure(index, text, SpanRef(ev.trace_id, ev.span_id, ev.span_name, ev.service),
                       self._accepted(node), "outside-alphabet" if c == _OUTSIDE else "refused",
                       tuple(self._event_text(e, k) for e, k in
                             zip(events[max(0, index - 3):index],
                                 codes[max(0, index - 3):index], strict=True)))

    def _event_text(self, ev: AbstractEvent, code: int) -> str:
        return self.spec.events[code].name if code != _OUTSIDE else ev.name


def check_traces(process: Proc, env: Environment, traces: Iterable[CapturedTrace],
                 abstraction: Abstraction = DEFAULT_ABSTRACTION, *,
                 repairs: Sequence[str] = (), complete: bool = False,
                 progress: Progress | None = None) -> Iterator[ConformanceResult]:
    """Check every trace against ``process`` (a shortcut for :class:`ConformanceChecker`).

    >>> from cspotlp.csp import Environment, prefix, STOP
    >>> from cspotlp.csp.values import Datum
    >>> env = Environment()
    >>> call = env.channel("call", [Datum("Ping")])
    >>> spec = prefix(call.event(Datum("Ping")), STOP)
    >>> list(check_traces(spec, env, []))
    []
    """
    checker = ConformanceChecker.for_process(process, env, abstraction, repairs=repairs,
                                             complete=complete)
    return checker.check_all(traces, progress)


__all__ = ["ConformanceChecker", "ConformanceResult", "Failure", "Progress", "SpanRef",
           "Summary", "Verdict", "channel_domains", "check_traces"]
