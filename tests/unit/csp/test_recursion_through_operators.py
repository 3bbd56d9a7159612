r"""Recursion through hiding and renaming gets FDR's verdicts (the laws keep the terms finite).

``D = (a -> D) \ {a}`` is Roscoe's divergent process, ``H = (a -> b -> H) \ {a}`` behaves as
``B = b -> B`` (after a hidden a), and ``R = (a -> R) [[a <- b]]`` is ``B``. Without the laws
each unfolding nests one more operator and the exploration never ends.
"""

import pytest

from cspotlp import csp
from cspotlp.csp import Environment, build_lts, divergence_free
from cspotlp.cspm.assertions import check_assertions
from cspotlp.cspm.evaluate import load_text

SCRIPT = r"""channel a, b, c
D = (a -> D) \ {a}
H = (a -> b -> H) \ {a}
R = (a -> R) [[a <- b]]
R2 = (a -> R2) [[a <- b, b <- c]]
B = b -> B
C = c -> C
N = ((a -> N) \ {c}) [[a <- b]]
assert D :[divergence free]
assert D :[deadlock free [F]]
assert not D :[deadlock free [FD]]
assert STOP [T= D
assert not STOP [FD= D
assert H :[divergence free]
assert H :[deadlock free [FD]]
assert H :[deterministic [FD]]
assert B [FD= H
assert H [FD= B
assert B [FD= R
assert R [FD= B
assert R :[has trace]: <b, b, b>
assert not R :[has trace]: <a>
assert b -> C [FD= R2
assert R2 [FD= b -> C
assert B [FD= N
"""

EXPECTED = ["failed", "passed", "passed", "passed", "passed", "passed", "passed", "passed",
            "passed", "passed", "passed", "passed", "passed", "passed", "passed", "passed", "passed"]


def test_textbook_recursion_through_operators_gets_fdr_verdicts():
    results = check_assertions(load_text(SCRIPT, "laws.csp"))
    assert [r.result for r in results] == EXPECTED
    assert results[0].kind == "divergence" and results[0].counterexample == ()


def test_the_divergent_process_has_finitely_many_terms():
    env = Environment()
    a = env.channel("a").event()
    env.define("D", lambda: csp.hide(csp.prefix(a, csp.call("D")), {a}))
    lts = build_lts(csp.call("D"), env)
    assert lts.num_states == 2  # D, and (a -> D) \ {a} that D's τ leads to (again and again)
    v = divergence_free(csp.call("D"), env)
    assert v.holds is False and v.counterexample is not None and v.counterexample.divergent


@pytest.mark.parametrize("laws", [True, False])
def test_laws_keep_verdicts_of_finite_processes(laws):
    env = Environment()
    a, b = env.channel("a").event(), env.channel("b").event()
    p = csp.hide(csp.hide(csp.prefixes([a, b], csp.STOP), {a}), {b})
    lts = build_lts(p, env, semantics=csp.Semantics(env, laws=laws))
    assert lts.traces(3) == {()}
