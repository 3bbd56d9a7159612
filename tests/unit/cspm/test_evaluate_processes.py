"""Every process operator evaluates to the term its constructor builds, named processes to calls."""

import pytest

from cspotlp import csp
from cspotlp.csp import DIV, SKIP, STOP, call, event
from cspotlp.errors import CspmEvalError, CspmUnsupported
from tests.unit.cspm.evalhelp import body, fails, load, value

DECLS = "channel a, b, e\nchannel c : {0..2}\ndatatype T = A | B.{0, 1}\nchannel d : T\n" \
        "transparent normal, sbisim, diamond, explicate, wbisim, chase\nexternal prioritise\n"
a, b, ev_e = event("a"), event("b"), event("e")


def c(i):
    return event("c", i)


def pre(*evs_then):
    *evs, then = evs_then
    return csp.prefixes(list(evs), then)


AB = frozenset({a, b})
CASES = [
    ("STOP", STOP),
    ("SKIP", SKIP),
    ("DIV", DIV),
    ("a -> b -> STOP", pre(a, b, STOP)),
    ("c!1 -> STOP", pre(c(1), STOP)),
    ("c.2 -> SKIP", pre(c(2), SKIP)),
    ("true & a -> STOP", pre(a, STOP)),
    ("1 > 2 & a -> STOP", STOP),
    ("a -> STOP [] b -> STOP", csp.ext_choice(pre(a, STOP), pre(b, STOP))),
    ("a -> STOP [] b -> STOP [] SKIP",
     csp.ext_choice(csp.ext_choice(pre(a, STOP), pre(b, STOP)), SKIP)),
    ("a -> STOP |~| SKIP", csp.int_choice(pre(a, STOP), SKIP)),
    ("a -> SKIP ; b -> SKIP", csp.seq(pre(a, SKIP), pre(b, SKIP))),
    ("a -> STOP ||| b -> STOP", csp.interleave(pre(a, STOP), pre(b, STOP))),
    ("a -> STOP /\\ b -> STOP", csp.interrupt(pre(a, STOP), pre(b, STOP))),
    ("a -> STOP [> b -> STOP", csp.timeout(pre(a, STOP), pre(b, STOP))),
    ("a -> STOP [| {a} |] a -> b -> STOP", csp.par(pre(a, STOP), {a}, pre(a, b, STOP))),
    ("a -> STOP [{a} || {a, b}] b -> STOP",
     csp.apar(pre(a, STOP), {a}, AB, pre(b, STOP))),
    ("a -> STOP [| {a} |> b -> STOP", csp.exception(pre(a, STOP), {a}, pre(b, STOP))),
    ("(a -> b -> STOP) \\ {a}", csp.hide(pre(a, b, STOP), {a})),
    ("(a -> b -> STOP) |\\ {a}", csp.hide(pre(a, b, STOP), {b, ev_e} | {c(i) for i in range(3)}
                                          | {event("d", x) for x in
                                             (csp.Datum("A"), csp.Datum("B", (0,)),
                                              csp.Datum("B", (1,)))})),
    ("(a -> STOP) [[a <- b, a <- e]]", csp.rename(pre(a, STOP), [(a, b), (a, ev_e)])),
    ("(c.0 -> STOP) [[c <- c]]", csp.rename(pre(c(0), STOP), [(c(i), c(i)) for i in range(3)])),
    ("(c.0 -> STOP) [[c.i <- c.((i + 1) % 3) | i <- {0..2}]]",
     csp.rename(pre(c(0), STOP), [(c(i), c((i + 1) % 3)) for i in range(3)])),
    ("a -> STOP [a <-> b] b -> STOP", csp.link(pre(a, STOP), [(a, b)], pre(b, STOP))),
    ("c?x -> STOP", csp.ext_choice(*(pre(c(i), STOP) for i in range(3)))),
    # libcspm's orders: ?x:S from the largest value down, ?x from the smallest up
    ("c?x:{0, 2} -> STOP", csp.ext_choice(pre(c(2), STOP), pre(c(0), STOP))),
    ("c$x -> STOP", csp.int_choice(*(pre(c(i), STOP) for i in range(3)))),
    ("c?x:{1} -> STOP", pre(c(1), STOP)),
    ("c?x:{} -> STOP", STOP),
    ("d?B.x -> STOP", csp.ext_choice(*(pre(event("d", csp.Datum("B", (i,))), STOP)
                                       for i in range(2)))),
    ("[] x : {0..2} @ c.x -> STOP", csp.ext_choice(*(pre(c(i), STOP) for i in range(3)))),
    ("|~| x : {0, 1} @ c.x -> STOP", csp.int_choice(pre(c(0), STOP), pre(c(1), STOP))),
    ("||| x : {0..2} @ c.x -> STOP", csp.interleave(*(pre(c(i), STOP) for i in range(3)))),
    ("; x : <2, 1> @ c.x -> SKIP", csp.seq_all([pre(c(2), SKIP), pre(c(1), SKIP)])),
    ("[| {a} |] x : {0, 1} @ c.x -> a -> STOP",
     csp.par_all({a}, [pre(c(0), a, STOP), pre(c(1), a, STOP)])),
    ("|| x : {0, 1} @ [{c.x, a}] c.x -> a -> STOP",
     csp.apar_all([({c(0), a}, pre(c(0), a, STOP)), ({c(1), a}, pre(c(1), a, STOP))])),
    ("[c.x <-> c.x | x <- {0}] i : <0, 1, 2> @ c.i -> STOP",
     csp.link(pre(c(0), STOP), [(c(0), c(0))],
              csp.link(pre(c(1), STOP), [(c(0), c(0))], pre(c(2), STOP)))),
    ("[] x : {} @ c.x -> STOP", STOP),
    ("||| x : {} @ c.x -> STOP", SKIP),
    ("RUN({a, b})", csp.run(AB)),
    ("CHAOS({a})", csp.chaos({a})),
    ("normal(a -> STOP)", csp.compress("normal", pre(a, STOP))),
    ("sbisim(a -> STOP)", csp.compress("sbisim", pre(a, STOP))),
    ("chase(a -> STOP)", csp.compress("chase", pre(a, STOP))),
    ("prioritise(a -> STOP, <{a}, {b}>)", csp.prioritise(pre(a, STOP), [{a}, {b}])),
    ("if card({| c |}) == 3 then a -> STOP else STOP", pre(a, STOP)),
    ("let Q = b -> STOP within a -> Q", pre(a, call("P::Q"))),
]


@pytest.mark.parametrize(("text", "term"), CASES, ids=[t for t, _ in CASES])
def test_operator_evaluates_to_its_term(text, term):
    assert body(DECLS + "P = " + text + "\n") is term


def test_named_processes_are_calls_expanded_by_the_environment():
    loaded = load(DECLS + "P = a -> P\nQ(n) = c.n -> Q((n + 1) % 3)\nR = Q(0)\n")
    assert loaded.value("P") is call("P")
    assert loaded.env.unfold(call("P")) is pre(a, call("P"))
    assert loaded.env.unfold(call("R")) is call("Q", 0)
    assert loaded.env.unfold(call("Q", 2)) is pre(c(2), call("Q", 0))
    lts = csp.build_lts(call("R"), loaded.env)
    assert lts.num_states == 4  # R, then Q(1), Q(2), Q(0)


def test_local_processes_get_libcspm_scope_names():
    loaded = load(DECLS + "P(n) = [] x : {n, 2} @ let Q = c.x -> STOP within Q\n")
    term = loaded.env.unfold(call("P", 0))
    assert term is csp.ext_choice(call("P(0)::ANNON(0)::Q"), call("P(0)::ANNON(2)::Q"))
    assert loaded.env.unfold(call("P(0)::ANNON(2)::Q")) is pre(c(2), STOP)


def test_recursion_through_lambdas_and_curried_functions_is_lazy():
    loaded = load(DECLS + "f = \\ n @ c.n -> f((n + 1) % 3)\nP = f(0)\n"
                  "G(x)(y) = c.x -> G(y)(x)\nQ = G(0)(1)\n")
    assert csp.build_lts(call("P"), loaded.env).num_states == 4
    assert csp.build_lts(call("Q"), loaded.env).num_states == 3


def test_process_errors_are_located():
    err = fails(DECLS + "P = |~| x : {} @ c.x -> STOP\n", "P")
    assert isinstance(err, CspmEvalError) and "internal choice over an empty set" in str(err)
    err = fails(DECLS + "P = c$x:{} -> STOP\n", "P")
    assert "internal choice over an empty set" in str(err)
    err = fails(DECLS + "P = c.3 -> STOP\n", "P")
    assert "3 is not a value of field 1 of channel c" in str(err)
    err = fails(DECLS + "P = STOP [+ {c.3} +] STOP\n", "P")
    assert str(err).startswith("t.csp:7:") and "3 is not a value of field 1" in str(err)


def test_builtin_buffers_evaluate_but_cannot_be_explored():
    loaded = load(DECLS + "P = BUFFER(2, {(a, b)})\n")
    assert loaded.env.unfold(call("P")) is call("BUFFER", 2, frozenset({(a, b)}))
    with pytest.raises(CspmUnsupported, match="exploring BUFFER"):
        csp.build_lts(call("P"), loaded.env)


def test_events_includes_the_channels_declared_in_timed_sections():
    text = ("channel tock, a\nOneStep(_) = 1\nTimed(OneStep) {\n  channel b\n  Q = b -> STOP\n}\n"
            "x = card(Events)\n")
    assert value(text) == 3


def test_a_replicated_operator_over_a_lazy_sequence_is_a_located_error():
    err = fails("channel a : {0..9}\nP = ; i : <0..> @ a.i -> SKIP\n", "P")
    assert str(err) == ("t.csp:2:11: cannot range over a sequence that may be infinite here "
                        "(only a sequence comprehension may)")
