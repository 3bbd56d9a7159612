"""The supercombinator engine agrees with the plain term semantics on random processes: its LTS is
strongly bisimilar to the one ``build_lts`` explores term by term (so traces, failures and
divergences agree too), and it has the same number of reachable states."""

from hypothesis import given, settings

from cspotlp import csp
from cspotlp.csp import ExplicitLts, bisimilar, build_lts, explore
from tests.strategies import ENV, A, B, C, processes


def both(p):
    engine = explore(p, ENV, keep_lts=True).lts
    plain = ExplicitLts.from_lts(build_lts(p, ENV))
    return engine, plain


@given(processes)
def test_engine_lts_is_strongly_bisimilar_to_the_term_semantics(p):
    engine, plain = both(p)
    assert bisimilar(engine, plain)


@settings(max_examples=60)
@given(processes, processes)
def test_engine_handles_networks_of_random_components(p, q):
    # nest the random processes under every network operator, so leaves are non-trivial
    for net in networks(p, q):
        engine, plain = both(net)
        assert bisimilar(engine, plain), str(net)


def networks(p, q):
    yield csp.par(p, {A, B}, q)
    yield csp.apar(p, {A, C}, {A, B}, q)
    yield csp.hide(csp.interleave(p, q, p), {B})
    yield csp.rename(csp.par(p, {A}, q), [(A, B), (A, C), (C, A)])
    yield csp.link(p, [(A, B), (C, C)], q)
    yield csp.hide(csp.par(csp.interleave(p, csp.SKIP), {C}, csp.rename(q, [(B, C)])), {A})


@given(processes)
def test_engine_counts_as_many_states_as_the_term_semantics_up_to_bisimulation(p):
    engine, plain = both(p)
    # the engine never distinguishes more than the term semantics does: quotients agree in size
    assert csp.sbisim(engine).num_states == csp.sbisim(plain).num_states
