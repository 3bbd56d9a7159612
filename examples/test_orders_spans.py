"""Check the order service's spans in its own tests (cspotlp's pytest plugin).

The plugin comes with cspotlp (``pip install 'cspotlp[otel]'``): the fixture ``otel_spans`` holds
the spans the test finished, ``assert_conforms`` checks every trace against the specification,
and the marker ``csp_spec`` does both for a whole test. Relative file names are found beside
this file. Run: ``pytest examples/test_orders_spans.py``.
"""

import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from orders_service import CardDeclined, place_order

from cspotlp.testing import assert_conforms, record_spans

SPEC, ABSTRACTION = "orders_spec.csp", "orders_abstraction.json"


def test_an_order_is_a_trace_of_the_specification(otel_spans):
    place_order(["book", "pen"], card="visa")
    assert_conforms(otel_spans, SPEC, "SPEC", ABSTRACTION, complete=True)
    assert otel_spans.names() == ["Reserve", "Reserve", "Charge", "Ship", "PlaceOrder"]


@pytest.mark.csp_spec(SPEC, "SPEC", abstraction=ABSTRACTION, complete=True)
def test_a_declined_card_ends_the_order():
    with pytest.raises(CardDeclined):
        place_order(["lamp"], card="declined")


@settings(max_examples=25, deadline=None)
@given(items=st.lists(st.sampled_from(["book", "pen", "lamp"]), min_size=1, max_size=4),
       card=st.sampled_from(["visa", "declined"]))
def test_every_order_conforms(items, card):
    with record_spans() as spans, contextlib.suppress(CardDeclined):  # one recording per example
        place_order(items, card)
    assert_conforms(spans, SPEC, "SPEC", ABSTRACTION, complete=True)
