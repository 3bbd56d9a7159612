"""FDR4's synchronising external choice and interrupt, and ``prioritisepo``, in scripts.

The laws tying them to the classical operators are in tests/property/test_synchronising_laws.py.
"""

from __future__ import annotations

import pytest

from cspotlp.csp import STOP
from cspotlp.cspm.assertions import check_assertions
from cspotlp.cspm.evaluate import load_text
from cspotlp.errors import CspmEvalError

SCRIPT = """\
channel a, b, c
external prioritisepo
P = a -> b -> STOP [+{a}+] a -> c -> STOP
Q = (a -> STOP) /+ {a} +\\ (a -> c -> STOP)
R = prioritisepo(a -> STOP [] b -> STOP [] c -> STOP, {a, b, c}, {(a, b), (b, c)}, {a})
S = [+ {a} +] x : {b, c} @ a -> x -> STOP
assert P :[has trace]: <a, b>
assert P :[has trace]: <a, c>
assert not P :[has trace]: <b>
assert not Q :[deadlock free]
assert R [T= c -> STOP
assert c -> STOP [T= R
assert S [T= a -> (b -> STOP [] c -> STOP)
"""


def test_the_operators_behave_as_fdr_defines_them():
    loaded = load_text(SCRIPT, "sync.csp")
    results = check_assertions(loaded)
    assert [r.result for r in results] == ["passed"] * 7


@pytest.mark.parametrize(("order", "maximal", "words"), [
    ("{(a, b), (b, a)}", "{}", "cyclic"),
    ("{(a, b)}", "{b}", "maximal"),
    ("{(a, c)}", "{}", "not prioritised"),
])
def test_prioritisepo_refuses_what_fdr_refuses(order, maximal, words):
    loaded = load_text(f"channel a, b, c\nexternal prioritisepo\n"
                       f"P = prioritisepo(STOP, {{a, b}}, {order}, {maximal})\n", "po.csp")
    with pytest.raises(CspmEvalError, match=words):
        loaded.env.unfold(loaded.process("P"))


def test_a_replicated_synchronising_choice_over_nothing_is_stop():
    loaded = load_text("channel a\nP = [+ {a} +] x : {} @ a -> STOP\n", "r.csp")
    assert loaded.env.unfold(loaded.process("P")) is STOP
