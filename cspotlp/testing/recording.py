"""Recording the spans finished inside a ``with`` block, for tests without the fixture.

The ``otel_spans`` fixture records a whole test. A Hypothesis test runs its body many times in
one test, so it records each example on its own::

    @given(st.lists(st.sampled_from(["book", "pen"]), min_size=1))
    def test_every_order_conforms(items):
        with record_spans() as spans:
            place_order(items, card="visa")
        assert_conforms(spans, "orders_spec.csp", "SPEC", "orders_abstraction.json")
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


@contextmanager
def record_spans() -> Iterator[Any]:
    """The spans finished (through the global tracer provider) while the block runs.

    Yields a :class:`cspotlp.otel.CapturedSpans`; it keeps its spans after the block.

    Raises:
        OtelError: the global tracer provider is not the SDK's.
    """
    from cspotlp.otel.capture import global_capture  # the SDK, only when recording

    with global_capture().recording() as spans:
        yield spans


__all__ = ["record_spans"]
