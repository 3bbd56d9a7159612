"""``:[partial order reduce]`` is read, printed back, and used by the checks that it keeps."""

from cspotlp.cspm import ast, parse_script
from cspotlp.cspm.assertions import check_assertions
from cspotlp.cspm.evaluate import load_text
from cspotlp.cspm.printer import print_script

SCRIPT = """channel a : {0..30}
channel b
P = ||| i : {0..30} @ a.i -> STOP
B = b -> B
Q = B ||| (||| i : {0..3} @ a.i -> STOP)
assert P :[deadlock free [F]] :[partial order reduce]
assert P :[deadlock free] :[partial order reduce [diamond]]
assert Q :[deadlock free [F]] :[tau priority over]: {b} :[partial order reduce]
assert b -> STOP [T= Q :[partial order reduce]
assert Q :[divergence free] :[partial order reduce]
"""


def test_the_option_is_parsed_and_printed():
    script = parse_script(SCRIPT, "por.csp")
    options = [(d.assertion.partial_order, d.assertion.tau_priority is not None)
               for d in script.decls if isinstance(d, ast.AssertDecl)]
    # "" is the option without a mode, else the mode's name
    assert options == [("", False), ("diamond", False), ("", True), ("", False), ("", False)]
    printed = print_script(script)
    assert "assert P :[deadlock free [F]] :[partial order reduce]\n" in printed
    assert ":[tau priority]: {b} :[partial order reduce]\n" in printed
    again = parse_script(printed, "again.csp")
    assert [d.assertion.partial_order for d in again.decls
            if isinstance(d, ast.AssertDecl)] == ["", "diamond", "", "", ""]


def test_checks_use_the_reduction_where_it_keeps_the_verdict():
    results = check_assertions(load_text(SCRIPT, "por.csp"))
    assert [r.result for r in results] == ["failed", "failed", "passed", "failed", "passed"]
    # 2^31 states unreduced: the reduced search follows one order of the independent events
    assert results[0].states == 32 and len(results[0].counterexample) == 31
    assert results[1].states == 32  # no τ: deadlock freedom in FD is the same as in F
    assert any("does not apply to divergence freedom" in d for d in results[4].details)
