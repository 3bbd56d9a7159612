"""FDR's ``deter``, watchdogs and compressions in CSPm scripts: checked, and printed as FDR does."""

from __future__ import annotations

import pytest

from cspotlp.cspm import print_process_graph
from cspotlp.cspm.assertions import check_assertions
from cspotlp.cspm.evaluate import load_text
from cspotlp.errors import CspmEvalError

WATCHDOGS = """\
channel a, b, c, bark
external deter, trace_watchdog, failure_watchdog
SPEC = a -> b -> SPEC
GOOD = a -> b -> GOOD
SLOPPY = a -> (b -> SLOPPY |~| c -> SLOPPY)
CHOOSY = a -> (b -> CHOOSY [] c -> STOP)
LAZY = a -> (b -> LAZY |~| STOP)
Watched(Impl) = (Impl [| {a, b, c} |] trace_watchdog(SPEC, {a, b, c}, bark)) \\ {a, b, c}
Guarded(Impl) = (Impl [| {a, b, c} |] failure_watchdog(SPEC, {a, b, c}, bark)) \\ {a, b, c}
-- the trace watchdog barks exactly when trace refinement fails
assert STOP [T= Watched(GOOD)
assert STOP [T= Watched(SLOPPY)
assert STOP [T= Watched(CHOOSY)
-- the failures watchdog barks or stops when failures refinement fails: LAZY deadlocks
assert DIV [F= Guarded(GOOD)
assert DIV [F= Guarded(LAZY)
assert SPEC [F= LAZY
-- determinism as a refinement
assert deter(SLOPPY) [F= SLOPPY
assert deter(CHOOSY) [F= CHOOSY
"""


def test_watchdogs_and_deter_give_the_verdicts_of_the_checks_they_replace():
    results = check_assertions(load_text(WATCHDOGS, "w.csp"))
    assert [(r.result, r.counterexample) for r in results] == [
        ("passed", None),
        ("failed", ("bark",)),
        ("failed", ("bark",)),
        ("passed", None),
        ("failed", ()),
        ("failed", ("a",)),
        ("failed", ("a",)),
        ("passed", None),
    ]
    assert results[4].kind == "refusal"


@pytest.mark.parametrize(("text", "shown"), [
    ("external deter\nP = deter(STOP)", "P = deter(STOP)"),
    ("external trace_watchdog\nchannel a, x\nP = trace_watchdog(STOP, {a}, x)",
     "P = trace_watchdog(STOP, {a}, x)"),
    ("external failure_watchdog\nchannel a, x\nP = failure_watchdog(Q, {a}, x)\nQ = a -> Q",
     "Q = a -> Q\n\nP = failure_watchdog(Q, {a}, x)"),
    ("external prioritise_nocache\nP = prioritise_nocache(STOP, <{}, {}>)",
     "P = prioritise_nocache(STOP, <{}, {}>)"),
    ("external chase_nocache\nP = chase_nocache(STOP)", "P = chase_no_cache(STOP)"),
    ("transparent lazynorm, lazyenumerate\nP = lazynorm(STOP) [] lazyenumerate(STOP)",
     "P = lazynorm(STOP) [] lazyenumerate(STOP)"),
])
def test_transformations_print_under_fdr_s_names(text, shown):
    loaded = load_text(text + "\n", "t.csp")
    assert print_process_graph(loaded.process("P"), loaded.env) == shown + "\n\nP\n"


def test_prioritise_nocache_is_prioritise():
    text = ("channel a, b\nexternal prioritise, prioritise_nocache\n"
            "P = a -> STOP [] b -> STOP\n"
            "assert prioritise(P, <{a}, {b}>) [FD= prioritise_nocache(P, <{a}, {b}>)\n"
            "assert prioritise_nocache(P, <{a}, {b}>) [FD= prioritise(P, <{a}, {b}>)\n"
            "assert prioritise_nocache(P, <{a}, {b}>) [T= b -> STOP\n")
    results = check_assertions(load_text(text, "p.csp"))
    assert [r.result for r in results] == ["passed", "passed", "failed"]


def test_a_bark_event_that_is_watched_is_an_error():
    loaded = load_text("external trace_watchdog\nchannel a\nP = trace_watchdog(STOP, {a}, a)\n",
                       "t.csp")
    with pytest.raises(CspmEvalError, match="t.csp:3:5: trace_watchdog: the bark event a must "
                                            "not be one of the watched events"):
        loaded.env.unfold(loaded.process("P"))
