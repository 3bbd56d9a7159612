"""Laws of FDR4's synchronising operators and partial-order priority (strong bisimilarity).

- ``P [+ {} +] Q`` is ``P [] Q`` and ``P /+ {} +\\ Q`` is ``P /\\ Q``: synchronising on no
  event is the classical operator;
- ``P [+ A +] Q`` is symmetric;
- ``prioritisepo`` by the empty order is the identity, and of two events on offer the
  preferred one pre-empts the other.
"""

from hypothesis import given, settings

from cspotlp.csp import ExplicitLts, bisimilar, build_lts, ext_choice, interrupt, prefix
from cspotlp.csp.terms import prioritise_po, sync_ext_choice, sync_interrupt
from tests.strategies import ENV, A, B, processes


def same(p, q) -> bool:
    return bisimilar(ExplicitLts.from_lts(build_lts(p, ENV)), ExplicitLts.from_lts(build_lts(q, ENV)))


@settings(max_examples=40)
@given(processes, processes)
def test_synchronising_on_no_event_is_the_classical_operator(p, q):
    assert same(sync_ext_choice(p, (), q), ext_choice(p, q))
    assert same(sync_interrupt(p, (), q), interrupt(p, q))


@settings(max_examples=40)
@given(processes, processes)
def test_synchronising_external_choice_is_symmetric(p, q):
    assert same(sync_ext_choice(p, (A, B), q), sync_ext_choice(q, (A, B), p))


@settings(max_examples=40)
@given(processes)
def test_prioritising_by_the_empty_order_changes_nothing(p):
    assert same(prioritise_po(p, ()), p)


@settings(max_examples=40)
@given(processes, processes)
def test_a_preferred_event_pre_empts_the_other(p, q):
    # (a, b): b pre-empts a, so of a choice between them only the b branch remains
    order = {(A, B)}
    assert same(prioritise_po(ext_choice(prefix(A, p), prefix(B, q)), order),
                prefix(B, prioritise_po(q, order)))
