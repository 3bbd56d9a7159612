"""The cspotlp pytest plugin (registered through the ``pytest11`` entry point).

It is off unless used: loading it imports nothing beyond pytest and this module, and a test
that uses none of it pays one attribute assignment. It provides

* the fixture ``otel_spans``: the spans finished during the test (SDK ``ReadableSpan``
  objects, see :class:`cspotlp.otel.CapturedSpans`), captured from the global tracer provider
  — application code uses ``trace.get_tracer(...)`` — although the SDK lets that provider be
  set only once per process: one capture processor is attached to it on first use, and each
  test gets a recording of its own;
* the marker ``@pytest.mark.csp_spec("model.csp", "SPEC", abstraction=..., ...)``: every trace
  finished during the test must conform (checked after the test body passes, with the keyword
  arguments of :func:`cspotlp.testing.assert_conforms`);
* report sections: :func:`cspotlp.testing.assert_conforms` attaches the failing traces' span
  trees to the test's report.

Disable it with ``-p no:cspotlp``.
"""

from __future__ import annotations

from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest

from cspotlp.testing import context

MARKER = "csp_spec"
_RECORDING = pytest.StashKey[Any]()


def pytest_configure(config: pytest.Config) -> None:
    """Register the marker."""
    config.addinivalue_line(
        "markers",
        f"{MARKER}(spec, process='SPEC', abstraction=None, **options): every trace finished "
        "during the test must be a trace of the CSP specification (cspotlp)")


def _recording(item: pytest.Item) -> Any:
    """The item's recording of finished spans, opened on first use."""
    rec = item.stash.get(_RECORDING, None)
    if rec is None:
        from cspotlp.otel.capture import global_capture  # the SDK, only once a test asks

        rec = item.stash[_RECORDING] = global_capture().start()
    return rec


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Open the recording before any fixture runs, for a test with the marker."""
    if item.get_closest_marker(MARKER) is not None:
        _recording(item)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, None, None]:
    """Make the test known to the checks while it runs; check the marker after it passed."""
    path = getattr(item, "path", None)
    context.current = context.RunningTest(
        lambda title, text: item.add_report_section("call", title, text),
        Path(path).parent if path is not None else item.config.rootpath,
        item.config.rootpath)
    try:
        yield  # an exception from the test body propagates: it is the test's own failure
        marker = item.get_closest_marker(MARKER)
        if marker is not None:
            _check_marker(item, marker)
    finally:
        context.current = None


def _check_marker(item: pytest.Item, marker: pytest.Mark) -> None:
    from cspotlp.testing.conform import SpansDoNotConform, assert_conforms

    if not marker.args:
        pytest.fail(f"@pytest.mark.{MARKER} needs the specification file as its first "
                    "argument", pytrace=False)
    try:
        assert_conforms(_recording(item), *marker.args, **marker.kwargs)
        return
    except SpansDoNotConform as e:
        message = f"@pytest.mark.{MARKER}: {e}"
    # the counterexample is the whole story: no traceback into this plugin, no chained error
    pytest.fail(message, pytrace=False)


def pytest_runtest_teardown(item: pytest.Item) -> None:
    """Close the test's recording (if it opened one)."""
    rec = item.stash.get(_RECORDING, None)
    if rec is not None:
        rec.span_processor.stop(rec)


@pytest.fixture
def otel_spans(request: pytest.FixtureRequest) -> Any:
    """The spans finished during this test (SDK ``ReadableSpan``), in finishing order.

    A :class:`cspotlp.otel.CapturedSpans`: a sequence of the SDK's spans, with ``to_spans()``
    and ``to_traces()`` for cspotlp's span model and ``span_processor`` to add to a tracer
    provider of the code's own. Spans sent through the global provider are captured.
    """
    return _recording(request.node)
