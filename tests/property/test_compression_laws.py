"""Each compression is equivalent to the original process in the models it claims to preserve:
``explicate`` and ``sbisim`` up to strong bisimulation; ``wbisim``, ``diamond``, ``normal`` (and
``sbdia``) in T, F and FD, checked as refinement both ways by the engine and by the independent
reference over the term semantics (which reaches compressed processes through COMPRESSIONS)."""

import pytest
from hypothesis import given, settings

from cspotlp import csp
from cspotlp.csp import (
    COMPRESSIONS,
    bisimilar,
    compress_lts,
    deadlock_free,
    divergence_free,
    explicate,
    refines,
)
from cspotlp.csp.semantics import Semantics
from tests.strategies import ENV, processes
from tests.strategies_refinement import reference_refines

MODELS = ("T", "F", "FD")


def test_every_compression_is_registered():
    assert {"explicate", "sbisim", "wbisim", "diamond", "normal", "sbdia"} <= set(COMPRESSIONS)


@given(processes)
def test_explicate_and_sbisim_are_strongly_bisimilar(p):
    lts = explicate(p, Semantics(ENV))
    assert bisimilar(lts, compress_lts("explicate", lts))
    reduced = compress_lts("sbisim", lts)
    assert bisimilar(lts, reduced) and reduced.num_states <= lts.num_states


@pytest.mark.parametrize("name", ["wbisim", "diamond", "normal", "sbdia"])
@settings(max_examples=80)
@given(p=processes)
def test_compression_preserves_t_f_fd(name, p):
    q = csp.compress(name, p)
    for model in MODELS:
        assert refines(p, q, ENV, model).holds is True, (name, model)
        assert refines(q, p, ENV, model).holds is True, (name, model)


@pytest.mark.parametrize("name", ["wbisim", "diamond", "normal"])
@settings(max_examples=40)
@given(p=processes)
def test_compression_equivalence_confirmed_by_the_reference(name, p):
    q = csp.compress(name, p)
    for model in MODELS:
        assert reference_refines(p, q, ENV, model) and reference_refines(q, p, ENV, model), (name, model)


@given(processes)
def test_normal_form_is_deterministic_on_visible_events(p):
    lts = compress_lts("normal", explicate(p, Semantics(ENV)))
    # every node (and acceptance state) has at most one transition per visible event
    for s in range(lts.num_states):
        labels = [e for e, _ in lts.successors(s) if e is not csp.TAU]
        assert len(labels) == len(set(labels))


@given(processes)
def test_compressions_never_grow_beyond_the_original_much(p):
    lts = explicate(p, Semantics(ENV))
    assert compress_lts("wbisim", lts).num_states <= compress_lts("sbisim", lts).num_states


@pytest.mark.parametrize("name", ["sbisim", "diamond", "normal"])
@settings(max_examples=40)
@given(p=processes, q=processes)
def test_compressing_each_leaf_keeps_every_verdict(name, p, q):
    # hierarchical compression: the leaves of a network are compressed before composing it
    from tests.strategies import A, B

    net = csp.hide(csp.par(csp.interleave(p, csp.SKIP), {A}, q), {B})
    for model in MODELS:
        assert refines(p, net, ENV, model, leaf_compression=name).holds is refines(p, net, ENV, model).holds
    assert deadlock_free(net, ENV, "FD", leaf_compression=name).holds is deadlock_free(net, ENV, "FD").holds
    assert divergence_free(net, ENV, leaf_compression=name).holds is divergence_free(net, ENV).holds
