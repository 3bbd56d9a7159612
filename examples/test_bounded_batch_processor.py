"""Model-based test of a bounded-queue batch span processor against its CSP specification.

The processor is examples/bounded_batch_processor.py, the specification
examples/bounded_batch_processor.csp.

Hypothesis drives the processor — inside a real OpenTelemetry SDK TracerProvider — with the
specification's inputs (spans ending, the worker waking, flush, shutdown), in every order the
specification allows, and checks after each step that what the exporter received, the dropped
count and the return values are what the specification allows, and that the processor never
stops short of what the specification requires (``stable=True``: between inputs the processor
is idle). The two deliberately broken variants are caught, and their runs shrunk to the
shortest counterexample.

Run: ``pytest examples/test_bounded_batch_processor.py``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from bounded_batch_processor import BatchSpanProcessor
from hypothesis import settings
from hypothesis.stateful import run_state_machine_as_test
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult

from cspotlp.testing import Violation, state_machine

SPEC = Path(__file__).with_name("bounded_batch_processor.csp")


class RecordingExporter(SpanExporter):
    """Remembers the size of every batch it receives."""

    def __init__(self):
        self.batches: list[int] = []

    def export(self, spans):
        self.batches.append(len(spans))
        return SpanExportResult.SUCCESS

    def shutdown(self):
        pass


class Harness:
    """The processor in a real TracerProvider; each method is one input, returning what it did
    as the specification's output events."""

    def __init__(self, bug=None):
        self.exporter = RecordingExporter()
        self.processor = BatchSpanProcessor(self.exporter, max_queue_size=3,
                                            max_export_batch_size=2, bug=bug)
        provider = TracerProvider(shutdown_on_exit=False)
        provider.add_span_processor(self.processor)
        self.tracer = provider.get_tracer("harness")
        self.batches_seen = self.drops_seen = 0
        self.stopped = False

    def observed(self):
        events = [("export", n) for n in self.exporter.batches[self.batches_seen:]]
        events += ["dropped"] * (self.processor.dropped_spans - self.drops_seen)
        self.batches_seen = len(self.exporter.batches)
        self.drops_seen = self.processor.dropped_spans
        return events

    def end_span(self):
        self.tracer.start_span("work").end()
        return self.observed()

    def tick(self):
        self.processor.worker_wakes()
        return self.observed()

    def flush(self):
        flushed = self.processor.force_flush()
        return self.observed() + (["flushed"] if flushed else [])

    def shutdown(self):
        first = not self.stopped
        self.stopped = True
        self.processor.shutdown()
        return self.observed() + (["stopped"] if first else [])


BINDINGS = {"end_span": Harness.end_span, "tick": Harness.tick, "flush": Harness.flush,
            "shutdown": Harness.shutdown}

TestBatchProcessor = state_machine(SPEC, "SPEC", BINDINGS, make=Harness, stable=True).TestCase
TestBatchProcessor.settings = settings(max_examples=60, stateful_step_count=30, deadline=None)

FIND_BUG = settings(max_examples=300, stateful_step_count=30, deadline=None, derandomize=True,
                    database=None)


def caught(bug):
    machine = state_machine(SPEC, "SPEC", BINDINGS, make=lambda: Harness(bug), stable=True)
    with pytest.raises(Violation) as failure:
        run_state_machine_as_test(machine, settings=FIND_BUG)
    return failure.value


def test_an_off_by_one_queue_bound_is_caught_and_shrunk():
    v = caught("queue-bound")
    # the fourth span should have been dropped; the broken queue keeps it, silently
    assert [e.name for e in v.trace] == ["end_span"] * 4
    assert [e.name for e in v.accepted] == ["dropped"]
    assert "quiescent" in str(v) and "{dropped}" in str(v)


def test_a_span_lost_on_shutdown_is_caught_and_shrunk():
    v = caught("lost-on-shutdown")
    assert [e.name for e in v.trace] == ["end_span", "shutdown", "stopped"]
    assert v.event.name == "stopped" and [e.name for e in v.accepted] == ["export.1"]
