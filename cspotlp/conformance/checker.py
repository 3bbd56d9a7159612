"""Native conformance: is a captured trace — in some order, or in every order — a trace of the spec?

Each captured trace goes through the abstraction, keeping its concurrency
(:func:`~cspotlp.mapping.observed.abstract_observed`: spans -> ``call`` / ``ret`` / ``error``
events, *partially* ordered: a parent's call before its children's events, its return after
those it waited for, siblings ordered only when one ended before the other started by more than
the skew tolerance). Each abstract event becomes an event of the specification's alphabet
(:mod:`cspotlp.mapping.alphabet`), and the trace is checked against the normalised
specification (:class:`~cspotlp.conformance.normalise.NormalisedSpec`):

* ``orders="some"`` (the default): the trace *passes* when some linearisation of its order is a
  trace of the specification — the capture could have been that run;
* ``orders="all"``: every linearisation must be — what a concurrent implementation must
  guarantee, and what ``SPEC [T= OBSERVED`` checks in FDR on the ``|||`` export;
* ``orders="sequential"``: only the time order (the linearisation the clocks recorded).

With ``complete=True`` the linearisation(s) must moreover end where the specification can
terminate (``✓``). The time order is walked first (one dictionary lookup per event): it decides
``some`` when it passes and ``all`` when it fails; otherwise the memoised search of
:mod:`cspotlp.conformance.search` decides, within a budget of states — beyond it the verdict is
``inconclusive``, never ``pass``.

A failing trace reports the linearisation it used (the events in the order the specification
saw them, and whether that is the time order), the offending event, the span that produced it
and the events the specification would have accepted there, written as the abstraction writes
events. A trace that is not a span tree under the chosen rules is an *error*, reported with the
reason, never checked silently.

Checking is streaming (:meth:`ConformanceChecker.check_all` takes any iterable of traces and
yields one result per trace) and cheap: events are numbered once per distinct abstract event,
and a sequence of numbers already walked is not walked again.
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
from cspotlp.errors import OtlpError, StateLimitExceeded
from cspotlp.mapping.abstraction import (
    DEFAULT_ABSTRACTION,
    AbstractEvent,
    Abstraction,
    AbstractTrace,
)
from cspotlp.mapping.alphabet import EventBinding, FieldDomains
from cspotlp.mapping.event_order import DEFAULT_TOLERANCE
from cspotlp.mapping.linearisations import DEFAULT_SEARCH_LIMIT, OUTSIDE, SearchOutcome, search
from cspotlp.mapping.observed import ORPHAN_NOTE, SKEW_NOTE, abstract_observed
from cspotlp.otlp.reader import CapturedTrace

Verdict = Literal["pass", "fail", "error", "inconclusive"]
Orders = Literal["some", "all", "sequential"]
ORDERS: tuple[Orders, ...] = ("some", "all", "sequential")

Progress = Callable[[int, int, float], None]
"""Called with (traces checked, abstract events checked, seconds) during long runs."""


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
    """Where a trace left the specification, and in which order of its events.

    ``index`` is the 0-based position of the offending event in the trace's time order (the
    number of events when the trace ended where the specification could not terminate).
    ``event`` is its text (None at the end), ``span`` the span that produced it, ``accepted``
    the events the specification accepted there, ``reason`` one of ``refused`` (the
    specification cannot do the event now), ``outside-alphabet`` (the specification never does
    it: its channel, label or data are not declared) and ``not-terminated``. ``order`` lists
    the events (time-order positions) the specification performed before, in the order it
    performed them — the linearisation used; ``in_time_order`` says whether that is the
    clocks' order.
    """

    index: int
    event: str | None
    span: SpanRef | None
    accepted: tuple[str, ...]
    reason: str
    before: tuple[str, ...] = ()
    """Up to three events just before the offending one (context for the reader)."""
    order: tuple[int, ...] | None = None
    """The events performed before the offending one, in the order used (None: time order)."""
    shown: tuple[str, ...] = ()
    """The last events of that order (up to eight), for display."""

    @property
    def in_time_order(self) -> bool:
        """True when the events before the offending one are the first ones by time, in order."""
        return self.order is None or (self.order == tuple(range(len(self.order)))
                                      and (self.reason == "not-terminated"
                                           or self.index == len(self.order)))

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict of this failure."""
        out: dict[str, Any] = {
            "index": self.index, "event": self.event, "reason": self.reason,
            "span": self.span.to_json() if self.span is not None else None,
            "accepted": list(self.accepted), "before": list(self.before),
            "in_time_order": self.in_time_order}
        if self.order is not None:
            out["order"] = list(self.order)
        return out


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
    orders: Orders = "some"
    """Which linearisations were checked: ``some``, ``all`` or the ``sequential`` time order."""
    states: int = 0
    """Search states visited (0 when the time order decided)."""
    linearisation: tuple[int, ...] | None = None
    """For a pass of ``some`` found by search: the accepted order of the events."""

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
        if self.linearisation is not None:
            out["order"] = list(self.linearisation)
        if self.states:
            out["states"] = self.states
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
        lines = [head]
        if self.orders != "sequential" and not f.in_time_order:
            lines.append("      " + _which_order(self.orders))
            if f.order is not None:
                more = ["..."] if len(f.order) > len(f.shown) else []
                last = [f"[{f.event}]"] if f.event is not None else []
                lines.append(f"        {', '.join([*more, *f.shown, *last])}")
        elif self.orders == "some":
            lines.append("      no order of its events is a trace of the specification "
                         "(the time order got furthest)")
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
        accepted = ", ".join(f.accepted) if f.accepted else "nothing (it has stopped)"
        lines.append(f"      the specification accepted here: {accepted}")
        return "\n".join(lines)


def _which_order(orders: Orders) -> str:
    if orders == "all":
        return ("in an order its partial order allows (concurrent events reordered against "
                "the clocks):")
    return ("in no order of its events; the order that got furthest reorders concurrent "
            "events:")


@dataclass
class Summary:
    """Counts over a run."""

    traces: int = 0
    passed: int = 0
    failed: int = 0
    errors: int = 0
    inconclusive: int = 0
    events: int = 0
    seconds: float = 0.0
    orphan_spans: int = 0
    """Spans whose parent was outside the capture (hung from a synthetic root)."""
    skewed_spans: int = 0
    """Spans whose times disagree with their parent's (clock skew), kept as children."""

    def add(self, result: ConformanceResult) -> None:
        """Count one result."""
        self.add_verdict(result.verdict, result.events, result.repairs)

    def add_verdict(self, verdict: str, events: int, repairs: Iterable[str] = ()) -> None:
        """Count one verdict of a trace of ``events`` abstract events (and its repair notes)."""
        self.traces += 1
        self.events += events
        if verdict == "pass":
            self.passed += 1
        elif verdict == "fail":
            self.failed += 1
        elif verdict == "inconclusive":
            self.inconclusive += 1
        else:
            self.errors += 1
        for note in repairs:
            if note.startswith(ORPHAN_NOTE + ":"):
                self.orphan_spans += 1
            elif note.startswith(SKEW_NOTE + ":"):
                self.skewed_spans += 1

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict of the counts (without the time, which varies between runs)."""
        return {"traces": self.traces, "pass": self.passed, "fail": self.failed,
                "error": self.errors, "inconclusive": self.inconclusive, "events": self.events,
                "orphan_spans": self.orphan_spans, "skewed_spans": self.skewed_spans}

    def notes(self) -> list[str]:
        """What was tolerated in the captured data, one line each (empty when nothing was)."""
        out: list[str] = []
        if self.orphan_spans:
            out.append(f"{self.orphan_spans} span(s) had a parent outside the capture (each "
                       "hangs from a synthetic root; --strict refuses them)")
        if self.skewed_spans:
            out.append(f"{self.skewed_spans} span(s) started outside their parent's interval "
                       "(clock skew; each stays its parent's child)")
        return out

    def __str__(self) -> str:
        line = (f"{self.traces} trace(s), {self.events} abstract event(s): {self.passed} pass, "
                f"{self.failed} fail, {self.errors} error")
        return line + (f", {self.inconclusive} inconclusive" if self.inconclusive else "")


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
            :func:`cspotlp.otlp.validate`); duplicates and cycles are errors unless named.
        complete: also require that the specification can terminate at the end of each trace.
        channels: the specification's alphabet (default: the channels of its environment).
        orders: ``some`` (default), ``all`` or ``sequential`` (see the module docstring).
        tolerance: the skew tolerance in nanoseconds (default 1 ms).
        strict: refuse clock skew and parents outside the capture, as before partial orders
            (unless ``repairs`` name the repair).
        search_limit: the states a search may visit before the trace is ``inconclusive``.
    """

    def __init__(self, spec: NormalisedSpec, abstraction: Abstraction = DEFAULT_ABSTRACTION, *,
                 repairs: Sequence[str] = (), complete: bool = False,
                 channels: Mapping[str, FieldDomains] | None = None, orders: Orders = "some",
                 tolerance: int = DEFAULT_TOLERANCE, strict: bool = False,
                 search_limit: int = DEFAULT_SEARCH_LIMIT) -> None:
        if orders not in ORDERS:
            raise ValueError(f"orders must be one of {', '.join(ORDERS)}, not {orders!r}")
        if tolerance < 0 or search_limit < 1:
            raise ValueError("the skew tolerance must be >= 0 and the search limit >= 1")
        self.spec = spec
        self.abstraction = abstraction
        self.repairs = tuple(repairs)
        self.complete = complete
        self.orders: Orders = orders
        self.tolerance = tolerance
        self.strict = strict
        self.search_limit = search_limit
        self.binding = EventBinding(abstraction, channels if channels is not None
                                    else channel_domains(spec.env))
        self._codes: dict[tuple[str, str, tuple[object, ...]], int] = {}
        self._walked: dict[tuple[int, ...], tuple[int, int]] = {}
        self._names: dict[int, str] = {}

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
                c = memo[key] = OUTSIDE if bound is None else self.spec.code(bound)
            out.append(c)
        return out

    def abstract(self, trace: CapturedTrace) -> AbstractTrace:
        """The abstract trace of a captured trace, with its order (as this checker reads it).

        Raises:
            OtlpError: the trace is not a span tree under this checker's rules.
        """
        return abstract_observed(trace, self.abstraction, repairs=self.repairs,
                                 tolerance=self.tolerance, strict=self.strict)

    def check(self, trace: CapturedTrace) -> ConformanceResult:
        """The verdict on a captured trace (``error`` if it is not a span tree)."""
        try:
            abstract = self.abstract(trace)
        except OtlpError as e:
            return ConformanceResult(trace.trace_id, "error", 0, trace.file, None, str(e),
                                     orders=self.orders)
        return self.check_abstract(abstract)

    def check_abstract(self, trace: AbstractTrace) -> ConformanceResult:
        """The verdict on an abstract trace (its order, if it has one, and this checker's)."""
        codes = self.codes(trace.events)
        key = tuple(codes)
        walked = self._walked.get(key)
        try:
            if walked is None:
                walked = self._walked[key] = self.spec.run(codes)
            index, node = walked
            in_time = index < 0 and not (self.complete and not self._terminates(node))
            # the time order decides "some" when it passes and "all" when it fails
            if self.orders == "sequential" or trace.tree is None or \
                    in_time == (self.orders == "some"):
                failure = None if in_time else self._time_failure(trace.events, codes, index, node)
                return self._result(trace, failure)
            outcome = search(trace.tree.order(), codes, self.spec,
                             "all" if self.orders == "all" else "some",
                             final=self._terminates if self.complete else None,
                             limit=self.search_limit)
        except StateLimitExceeded as e:
            return self._result(trace, None, verdict="inconclusive",
                                note=f"the specification's normalisation stopped: {e}")
        return self._from_search(trace, codes, outcome)

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

    def _terminates(self, node: int) -> bool:
        return self.spec.code(TICK) in self.spec.expand(node)

    def _result(self, trace: AbstractTrace, failure: Failure | None, *,
                verdict: Verdict | None = None, note: str | None = None, states: int = 0,
                linearisation: tuple[int, ...] | None = None) -> ConformanceResult:
        verdict = verdict or ("pass" if failure is None else "fail")
        return ConformanceResult(trace.trace_id, verdict, len(trace.events), trace.file, failure,
                                 note, trace.repairs, self.orders, states, linearisation)

    def _from_search(self, trace: AbstractTrace, codes: Sequence[int], outcome: SearchOutcome
                     ) -> ConformanceResult:
        if outcome.verdict == "inconclusive":
            return self._result(trace, None, verdict="inconclusive", states=outcome.states,
                                note=f"the search of the trace's orders stopped after "
                                f"{outcome.states:,} states (raise the search limit)")
        if outcome.verdict == "pass":
            return self._result(trace, None, states=outcome.states,
                                linearisation=outcome.path or None)
        events = trace.events
        path = outcome.path
        if outcome.refused is None:
            failure = Failure(len(events), None, None, self._accepted(outcome.node),
                              "not-terminated", self._texts(events, codes, path[-3:]), path,
                              self._texts(events, codes, path[-8:]))
        else:
            failure = self._failure(events, codes, outcome.refused, outcome.node, path)
        return self._result(trace, failure, states=outcome.states)

    # -- reporting -------------------------------------------------------------------------

    def _accepted(self, node: int) -> tuple[str, ...]:
        return tuple(self._display(self.spec.code(e)) for e in self.spec.accepted(node))

    def _display(self, code: int) -> str:
        name = self._names.get(code)
        if name is None:
            name = self._names[code] = self.binding.display_name(self.spec.events[code])
        return name

    def _texts(self, events: Sequence[AbstractEvent], codes: Sequence[int],
               which: Sequence[int]) -> tuple[str, ...]:
        return tuple(events[i].name if codes[i] == OUTSIDE else self._display(codes[i])
                     for i in which)

    def _time_failure(self, events: Sequence[AbstractEvent], codes: Sequence[int], index: int,
                      node: int) -> Failure:
        if index < 0:  # every event accepted, but the specification cannot finish there
            return Failure(len(codes), None, None, self._accepted(node), "not-terminated",
                           self._texts(events, codes, range(max(0, len(codes) - 3), len(codes))))
        return self._failure(events, codes, index, node, None)

    def _failure(self, events: Sequence[AbstractEvent], codes: Sequence[int], index: int,
                 node: int, order: tuple[int, ...] | None) -> Failure:
        ev = events[index]
        before = order if order is not None else tuple(range(index))
        return Failure(index, self._texts(events, codes, [index])[0],
                       SpanRef(ev.trace_id, ev.span_id, ev.span_name, ev.service),
                       self._accepted(node),
                       "outside-alphabet" if codes[index] == OUTSIDE else "refused",
                       self._texts(events, codes, before[-3:]), order,
                       self._texts(events, codes, order[-8:]) if order is not None else ())


def check_traces(process: Proc, env: Environment, traces: Iterable[CapturedTrace],
                 abstraction: Abstraction = DEFAULT_ABSTRACTION, *,
                 repairs: Sequence[str] = (), complete: bool = False,
                 progress: Progress | None = None, **options: Any) -> Iterator[ConformanceResult]:
    """Check every trace against ``process`` (a shortcut for :class:`ConformanceChecker`).

    ``options`` are the checker's (``orders``, ``tolerance``, ``strict``, ``search_limit``).

    >>> from cspotlp.csp import Environment, prefix, STOP
    >>> from cspotlp.csp.values import Datum
    >>> env = Environment()
    >>> call = env.channel("call", [Datum("Ping")])
    >>> spec = prefix(call.event(Datum("Ping")), STOP)
    >>> list(check_traces(spec, env, []))
    []
    """
    checker = ConformanceChecker.for_process(process, env, abstraction, repairs=repairs,
                                             complete=complete, **options)
    return checker.check_all(traces, progress)


__all__ = ["ORDERS", "ConformanceChecker", "ConformanceResult", "Failure", "Orders", "Progress",
           "SpanRef", "Summary", "Verdict", "channel_domains", "check_traces"]
