"""csp2tla: the exported module is the LTS (read back from the text), and TLC agrees on deadlock."""

import pytest

from cspotlp.csp import (
    SKIP,
    STOP,
    Environment,
    build_lts,
    event,
    ext_choice,
    hide,
    int_choice,
    prefix,
)
from cspotlp.csp.models import dining_philosophers, vending_machines
from cspotlp.errors import ExportError
from cspotlp.export import NO_EVENT, TAU_LABEL, TICK_LABEL, lts_to_tla, write_files
from tests.tla_support import (
    TLC_VIOLATION_DEADLOCK,
    assert_parses,
    defined_value,
    distinct_states,
    module_name,
    needs_tla2tools,
    run_sany,
    run_tlc,
)


def _small_processes():
    env, procs = vending_machines()
    a, b, c = (env.channel(x).event() for x in ("a", "b", "c"))
    yield "VMS", build_lts(procs["VMS"], env)
    yield "VMC", build_lts(procs["VMC"], env)
    yield "Terminating", build_lts(prefix(a, SKIP), env)
    yield "Hidden", build_lts(hide(ext_choice(prefix(a, prefix(b, STOP)), prefix(c, SKIP)),
                                   frozenset({a})), env)
    yield "Internal", build_lts(int_choice(prefix(a, STOP), prefix(b, SKIP)), env)
    model = dining_philosophers(3)
    yield "DiningPhilosophers3", build_lts(model.process, model.env)
    model = dining_philosophers(3, butler=True)
    yield "DiningPhilosophersButler3", build_lts(model.process, model.env)


SMALL = list(_small_processes())


@pytest.mark.parametrize("name, lts", SMALL, ids=[n for n, _ in SMALL])
def test_module_parses_and_reads_back_as_the_lts(name, lts):
    module = lts_to_tla(lts, module=name)
    assert module.name == name == module_name(module.text)
    assert_parses(module.text, name)
    assert module.text.isascii() and module.text.endswith("\n") and "\r" not in module.text
    events = defined_value(module.text, "Events")
    assert events[0] == TAU_LABEL and events[1] == TICK_LABEL
    assert list(events[2:]) == [e.name for e in lts.events[2:]]  # all plain ASCII names here
    succ = defined_value(module.text, "Succ")
    assert len(succ) == lts.num_states == defined_value(module.text, "NumStates")
    for s in range(lts.num_states):
        assert list(succ[s]) == list(lts.successor_numbers(s))
    terminated = defined_value(module.text, "TerminatedStates")
    assert terminated == {s for s in range(lts.num_states) if str(lts.terms[s]) == "Ω"}
    # TLC reports a deadlock exactly in the states without successors that have not terminated.
    dead = [s for s in range(lts.num_states) if not succ[s] and s not in terminated]
    assert dead == lts.deadlocks()
    assert defined_value(module.text, "NoEvent") == NO_EVENT


def test_expected_deadlocks_of_the_examples():
    by_name = dict(SMALL)
    assert by_name["DiningPhilosophers3"].deadlocks()
    assert not by_name["DiningPhilosophersButler3"].deadlocks()
    assert not by_name["Terminating"].deadlocks()
    assert by_name["VMC"].deadlocks()


def test_config_checks_types_and_deadlock():
    module = lts_to_tla(SMALL[0][1], module="VMS")
    assert module.config == "SPECIFICATION Spec\nINVARIANT TypeOK\nCHECK_DEADLOCK TRUE\n"
    assert set(module.files()) == {"VMS.tla", "VMS.cfg"}


def test_terms_are_shown_in_comments_only_when_asked():
    lts = SMALL[1][1]
    shown = lts_to_tla(lts, module="VMC").text
    hidden = lts_to_tla(lts, module="VMC", show_terms=False).text
    assert "\\* 1: large -> VMC [] small -> out1p -> VMC" in shown
    assert "large -> VMC" not in hidden
    assert defined_value(shown, "Succ") == defined_value(hidden, "Succ")


def test_awkward_event_names_and_module_names_are_sanitised():
    env = Environment()
    weird = [event("c", 1, True), event('span_begin', 1, 0, "a\"b\\c\nd"), event("é✓"),
             event("x", "100%")]
    proc = STOP
    for ev in reversed(weird):
        proc = prefix(ev, proc)
    lts = build_lts(proc, env)
    module = lts_to_tla(lts, module='My "process"\n(1)', title="P(\"x\")\n*)")
    assert_parses(module.text)
    assert module.text.isascii()
    events = defined_value(module.text, "Events")
    from urllib.parse import unquote
    assert [unquote(e) for e in events[2:]] == [e.name for e in weird]


def test_two_events_with_one_name_cannot_be_exported():
    env = Environment()
    lts = build_lts(prefix(event("c.1"), prefix(event("c", 1), STOP)), env)
    assert lts.events[2].name == lts.events[3].name
    with pytest.raises(ExportError, match="both named"):
        lts_to_tla(lts, module="Clash")


def test_big_states_wrap_their_transitions():
    model = dining_philosophers(4, butler=True)
    lts = build_lts(model.process, model.env)
    module = lts_to_tla(lts, module="DP4")
    assert_parses(module.text)
    succ = defined_value(module.text, "Succ")
    assert [list(x) for x in succ] == [list(lts.successor_numbers(s))
                                       for s in range(lts.num_states)]


def test_write_files(tmp_path):
    module = lts_to_tla(SMALL[0][1], module="VMS")
    paths = write_files(module.files(), tmp_path / "out")
    assert [p.name for p in paths] == ["VMS.tla", "VMS.cfg"]
    assert paths[0].read_bytes() == module.text.encode("ascii")


# -- SANY and TLC (only where TLA2TOOLS_JAR is set) ----------------------------------------------


@needs_tla2tools
@pytest.mark.external
@pytest.mark.parametrize("name, lts", SMALL, ids=[n for n, _ in SMALL])
def test_sany_accepts_and_tlc_agrees_on_deadlock(tmp_path, name, lts):
    module = lts_to_tla(lts, module=name)
    write_files(module.files(), tmp_path)
    sany = run_sany(tmp_path, name)
    assert sany.returncode == 0, sany.output
    tlc = run_tlc(tmp_path, name)
    if lts.deadlocks():
        assert tlc.returncode == TLC_VIOLATION_DEADLOCK, tlc.output
        assert "Deadlock reached" in tlc.output
    else:
        assert tlc.returncode == 0, tlc.output
        assert "No error has been found" in tlc.output
        # A TLC state is (LTS state, last event): count the pairs the LTS reaches.
        pairs = {(0, -1)} | {(t, lab) for s in range(lts.num_states)
                             for lab, t in lts.successor_numbers(s)}
        assert distinct_states(tlc.output) == len(pairs)
