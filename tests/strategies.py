"""Shared Hypothesis strategies for CSP terms over a small alphabet."""

from __future__ import annotations

from hypothesis import strategies as st

from cspotlp import csp
from cspotlp.csp import Environment, Event, Proc

ENV = Environment()
CH = {name: ENV.channel(name) for name in ("a", "b", "c")}
A, B, C = (CH[n].event() for n in ("a", "b", "c"))
ALPHABET: tuple[Event, ...] = (A, B, C)

event_sets = st.frozensets(st.sampled_from(ALPHABET), max_size=3)
leaves = st.sampled_from([csp.STOP, csp.SKIP, csp.run(frozenset({A})), csp.chaos(frozenset({B}))])


def _extend(children: st.SearchStrategy[Proc]) -> st.SearchStrategy[Proc]:
    two = st.tuples(children, children)
    return st.one_of(
        st.builds(csp.prefix, st.sampled_from(ALPHABET), children),
        two.map(lambda pq: csp.ext_choice(*pq)),
        two.map(lambda pq: csp.int_choice(*pq)),
        two.map(lambda pq: csp.seq(*pq)),
        st.builds(lambda p, s, q: csp.par(p, s, q), children, event_sets, children),
        st.builds(lambda p, s, t, q: csp.apar(p, s, t, q), children, event_sets, event_sets, children),
        two.map(lambda pq: csp.interleave(*pq)),
        st.builds(csp.hide, children, event_sets),
        st.builds(lambda p, x, y: csp.rename(p, [(x, y)]), children, st.sampled_from(ALPHABET), st.sampled_from(ALPHABET)),
        two.map(lambda pq: csp.interrupt(*pq)),
        two.map(lambda pq: csp.timeout(*pq)),
        st.builds(lambda p, s, q: csp.exception(p, s, q), children, event_sets, children),
        st.builds(lambda p, q: csp.link(p, [(A, B)], q), children, children),
    )


processes: st.SearchStrategy[Proc] = st.recursive(leaves, _extend, max_leaves=8)
"""Finite (non-recursive) processes over {a, b, c} using every operator of the core."""
