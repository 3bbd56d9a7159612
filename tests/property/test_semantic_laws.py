r"""The laws the semantics rewrites successor terms with hold up to strong bisimulation.

For random finite processes, the LTS explored with the laws is strongly bisimilar to the one the
plain firing rules give; and every law on its own maps a term to one whose (plain) LTS is
strongly bisimilar to the original's, including when the inner operator sits behind a
definition. Strong bisimilarity implies equality in the traces, stable-failures and
failures-divergences models.
"""

from hypothesis import given, settings
from hypothesis import strategies as st

from cspotlp import csp
from cspotlp.csp import Environment, ExplicitLts, bisimilar, build_lts
from cspotlp.csp.laws import LAWS, Laws, compose
from cspotlp.csp.semantics import Semantics
from tests.strategies import ALPHABET, ENV, event_sets, processes

relations = st.frozensets(st.tuples(st.sampled_from(ALPHABET), st.sampled_from(ALPHABET)), max_size=4)


def plain_lts(p, env=ENV):
    return ExplicitLts.from_lts(build_lts(p, env, semantics=Semantics(env, laws=False)))


def lawful_lts(p, env=ENV):
    return ExplicitLts.from_lts(build_lts(p, env, semantics=Semantics(env)))


@given(processes)
def test_the_semantics_with_laws_is_bisimilar_to_the_plain_rules(p):
    assert bisimilar(lawful_lts(p), plain_lts(p))


def check_law(name, term, env=ENV):
    """The law, when it applies, gives a term bisimilar to ``term`` under the plain rules."""
    rewritten = LAWS[name](Laws(env), term)
    if rewritten is not None:
        assert bisimilar(plain_lts(rewritten, env), plain_lts(term, env)), (name, str(term), str(rewritten))
    return rewritten


def behind_a_definition(inner):
    """``inner`` as the body of a definition X, in a fresh environment (the laws look through it)."""
    env = Environment()
    env.define("X", lambda: inner)
    return csp.call("X"), env


@given(processes, event_sets, event_sets, st.booleans())
def test_hide_combine(p, a, b, named):
    inner = csp.hide(p, a)
    operand, env = behind_a_definition(inner) if named else (inner, ENV)
    out = check_law("hide-combine", csp.hide(operand, b), env)
    assert out is csp.hide(p, a | b)


@given(processes, event_sets)
def test_hide_unused(p, a):
    out = check_law("hide-unused", csp.hide(p, a))
    if not a:
        assert out is p


@given(processes, relations, relations, st.booleans())
def test_rename_compose(p, r, s, named):
    inner = csp.rename(p, r)
    operand, env = behind_a_definition(inner) if named else (inner, ENV)
    out = check_law("rename-compose", csp.rename(operand, s), env)
    assert out is csp.rename(p, compose(r, s))


@given(processes, relations)
def test_rename_unused(p, r):
    check_law("rename-unused", csp.rename(p, r))


@given(processes, relations, st.sets(st.sampled_from(ALPHABET)))
def test_rename_identity(p, r, identities):
    out = check_law("rename-identity", csp.rename(p, r | {(x, x) for x in identities}))
    if not r and identities:
        assert out is p


@settings(max_examples=60)
@given(processes, processes, processes)
def test_choice_flatten(p, q, r):
    nested = csp.ext_choice(csp.ext_choice(p, q), r)
    flat = csp.mk(csp.Op.EXT, Laws(ENV).flat_choice(nested))
    assert bisimilar(plain_lts(flat), plain_lts(nested))
