"""``assert_conforms``: the traces a test produced must be traces of a CSP specification.

The spans go through the abstraction (spans -> ``call`` / ``ret`` / ``error`` events) and are
checked trace by trace by the conformance checker (:mod:`cspotlp.conformance`). When a trace
does not conform, :class:`SpansDoNotConform` (an ``AssertionError``) is raised with the
counterexample as its message — the trace id, the offending event and its index, the span
behind it (span id, name, service), the events just before it and the events the
specification accepted there — and the failing traces' span trees are attached to the pytest
report (section "cspotlp span trees"), or appended to the message outside pytest.

Specifications and abstractions read from files are cached (keyed by path and modification
time), so a test suite normalises each specification once however many tests check against it.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence

from cspotlp.conformance import ConformanceChecker, ConformanceResult
from cspotlp.otlp.model import Span
from cspotlp.otlp.reader import Capture, CapturedTrace, load
from cspotlp.testing import context
from cspotlp.testing.sources import (
    AbstractionSource,
    Lru,
    SpecSource,
    abstraction_of,
    spec_name,
    spec_terms,
)
from cspotlp.testing.span_tree import span_tree

SHOWN_FAILURES = 3
"""How many failing traces the assertion message describes in full."""
REPORT_SECTION = "cspotlp span trees"

_CHECKERS = Lru()


class SpansDoNotConform(AssertionError):
    """Some traces are not traces of the specification (the message is the counterexample).

    Attributes:
        results: the verdict on every trace checked, in order.
        span_trees: the text trees of the failing traces.
    """

    def __init__(self, message: str, results: Sequence[ConformanceResult], span_trees: str
                 ) -> None:
        super().__init__(message)
        self.results = tuple(results)
        self.span_trees = span_trees


def checker_for(spec: SpecSource, process: str = "SPEC", abstraction: AbstractionSource = None,
                *, repairs: Sequence[str] = (), complete: bool = False) -> ConformanceChecker:
    """The (cached) conformance checker for a specification and an abstraction.

    Raises:
        FileNotFoundError: the specification or abstraction file does not exist.
        CspmError: the specification does not load (located).
        VerifyError: the script defines no process ``process``.
        AbstractionError: the abstraction is malformed.
    """
    spec_key, proc, env = spec_terms(spec, process)
    abs_key, built = abstraction_of(abstraction)
    checker: ConformanceChecker = _CHECKERS.get_or_make(
        (spec_key, abs_key, tuple(repairs), complete),
        lambda: ConformanceChecker.for_process(proc, env, built, repairs=repairs,
                                               complete=complete))
    return checker


def captured_traces(spans: object) -> tuple[CapturedTrace, ...]:
    """The traces in ``spans``, whatever form they come in.

    Accepted: the ``otel_spans`` fixture (or any iterable of SDK ``ReadableSpan``), a
    :class:`~cspotlp.otlp.Capture`, an iterable of :class:`~cspotlp.otlp.CapturedTrace` or of
    :class:`~cspotlp.otlp.Span`, or the path of a capture file (any format ``cspotlp`` reads).
    """
    if isinstance(spans, Capture):
        return spans.traces
    if isinstance(spans, str | os.PathLike):
        return load(context.resolve(spans, "capture")).traces
    to_traces = getattr(spans, "to_traces", None)
    if callable(to_traces):  # the fixture's recording
        traces: tuple[CapturedTrace, ...] = to_traces()
        return traces
    if not isinstance(spans, Iterable):
        raise TypeError(f"cannot check {type(spans).__name__}: expected spans, traces, a "
                        "capture or a capture file")
    items = list(spans)
    if all(isinstance(x, CapturedTrace) for x in items):
        return tuple(items)
    if all(isinstance(x, Span) for x in items):
        groups: dict[str, list[Span]] = {}
        for sp in items:
            groups.setdefault(sp.trace_id, []).append(sp)
        return tuple(CapturedTrace(tid, tuple(g)) for tid, g in groups.items())
    if all(hasattr(x, "get_span_context") for x in items):
        from cspotlp.otel.convert import to_traces as sdk_traces  # no SDK import needed
        return sdk_traces(items)
    kinds = ", ".join(sorted({type(x).__name__ for x in items}))
    raise TypeError(f"cannot check a mixture of {kinds}: expected SDK spans, cspotlp spans or "
                    "captured traces")


def assert_conforms(spans: object, spec: SpecSource, process: str = "SPEC",
                    abstraction: AbstractionSource = None, *, repairs: Sequence[str] = (),
                    complete: bool = False, allow_empty: bool = False
                    ) -> list[ConformanceResult]:
    """Assert that every trace in ``spans`` is a trace of the specification.

    Args:
        spans: what the test captured (see :func:`captured_traces`): usually ``otel_spans``.
        spec: a CSPm file — relative paths are also looked up beside the test file and in
            pytest's rootdir — or a ``(process, environment)`` pair.
        process: the specification process in the CSPm file.
        abstraction: how spans become events (see :mod:`cspotlp.mapping.abstraction`).
        repairs: repair policies for traces that are not clean span trees (else an error).
        complete: each trace must also end where the specification can terminate.
        allow_empty: pass when there are no traces (by default that fails: a test that
            captured nothing has usually lost its instrumentation).

    Returns:
        The verdict on each trace (all passing).

    Raises:
        SpansDoNotConform: some trace fails or is not a span forest; no traces (unless
            ``allow_empty``).

    Example::

        def test_checkout(otel_spans):
            shop.checkout(cart)
            assert_conforms(otel_spans, "checkout_spec.csp", "SPEC", "checkout_abstraction.json")
    """
    __tracebackhide__ = True  # pytest shows the caller's line, not this function's
    checker = checker_for(spec, process, abstraction, repairs=repairs, complete=complete)
    name = spec_name(spec, process)
    traces = captured_traces(spans)
    if not traces:
        if allow_empty:
            return []
        raise SpansDoNotConform(
            f"no spans to check against {name}: no span finished while the test ran "
            "(is the code under test instrumented, and sending to the global tracer "
            "provider? pass allow_empty=True if no spans is right)", (), "")
    results = [checker.check(t) for t in traces]
    bad = [(t, r) for t, r in zip(traces, results, strict=True) if not r.passed]
    if not bad:
        return results
    trees = "\n\n".join(span_tree(t, _notes(r)) for t, r in bad)
    lines = [f"{len(bad)} of {len(results)} trace(s) do not conform to {name}:"]
    lines += [r.describe() for _, r in bad[:SHOWN_FAILURES]]
    if len(bad) > SHOWN_FAILURES:
        lines.append(f"... and {len(bad) - SHOWN_FAILURES} more failing trace(s)")
    if context.attach(REPORT_SECTION, trees):
        lines.append(f"(span trees in the report section {REPORT_SECTION!r})")
    else:
        lines += ["", trees]
    raise SpansDoNotConform("\n".join(lines), results, trees)


def _notes(result: ConformanceResult) -> dict[str, str]:
    f = result.failure
    if f is None or f.span is None:
        return {}
    return {f.span.span_id: f"event {f.index + 1}, {f.event}: {f.reason}"}


__all__ = ["REPORT_SECTION", "SpansDoNotConform",
           "assert_conforms", "captured_traces", "checker_for"]
