"""Budgets in the library: sizes, defaults, memory checked before it is allocated, and the
searches that follow the question (has trace, [T= on the fly) on infinite-state processes."""

import pytest

from cspotlp import csp
from cspotlp.csp import Environment, compile_network, deadlock_free, explore, has_trace, refines
from cspotlp.csp.budget import Budget, format_bytes, parse_size, resident_memory
from cspotlp.csp.search import SpecAutomaton, search
from cspotlp.csp.semantics import Semantics
from cspotlp.csp.terms import Op
from cspotlp.errors import CspError

env = Environment()
a, b = env.channel("a").event(), env.channel("b").event()
up, down = env.channel("up").event(), env.channel("down").event()
SEQ = csp.call("SEQ")
env.define("SEQ", lambda: csp.prefix(a, csp.seq(SEQ, csp.prefix(b, csp.SKIP))))
env.define("COUNT", lambda n: csp.ext_choice(csp.prefix(up, csp.call("COUNT", n + 1)),
                                             csp.guard(n > 0, csp.prefix(down, csp.call("COUNT", n - 1)))))
env.define("DIVERGE_AFTER_B", lambda: csp.prefix(b, csp.DIV))


def test_sizes():
    assert parse_size("1.5GiB") == 3 << 29 and parse_size("64k") == 65536
    for bad in ("", "12Q", "-1G", "0"):
        with pytest.raises(CspError):
            parse_size(bad)
    assert format_bytes(1536) == "1.5 KiB" and format_bytes(3 << 30) == "3.0 GiB"


def test_default_budget_follows_the_memory_bound():
    budget = Budget()
    assert budget.memory > resident_memory()
    assert budget.states == budget.memory // 40
    assert budget.component_states == 200_000
    assert Budget(state_limit=7).component_states == 7
    with pytest.raises(CspError):
        Budget(time_limit=float("nan"))


def test_has_trace_of_an_infinite_process_visits_a_handful_of_states():
    assert has_trace(SEQ, (a, a, a), env, "T").holds is True
    v = has_trace(SEQ, (a, b), env, "T")
    assert v.holds is False and v.states <= 3
    assert v.counterexample is not None and v.counterexample.trace == (a,)
    assert v.counterexample.error_event == b


def test_has_trace_in_fd_after_a_divergence():
    p = csp.call("DIVERGE_AFTER_B")
    assert has_trace(p, (b, a, a), env, "FD").holds is True
    assert has_trace(p, (b, a), env, "T").holds is False


def test_trace_refinement_on_the_fly_against_a_finite_specification():
    spec = csp.prefixes([up, up], csp.STOP)
    v = refines(spec, csp.call("COUNT", 0), env, "T", state_limit=500)
    assert v.holds is False and v.counterexample is not None
    assert v.counterexample.trace == (up,) and v.counterexample.error_event == down
    assert any("checked on the fly" in n for n in v.notes)
    ok = refines(csp.run({a}), SEQ, env, "T", state_limit=500)  # SEQ only ever does a
    assert ok.holds is None and "state limit 500" in ok.reason  # but it never ends


def test_growing_terms_are_inconclusive_with_the_definition_named():
    v = deadlock_free(SEQ, env, "F")
    assert v.holds is None
    assert v.reason.startswith("the terms of SEQ grow without bound: recursion through ;")


def test_a_wide_network_stops_before_its_tables_are_built():
    wide_env = Environment()
    c = wide_env.channel("c", range(2000))
    wide = csp.interleave(*(csp.prefix(c.event(i), csp.STOP) for i in range(2000)))
    net = compile_network(wide, Semantics(wide_env))
    # no room beyond what the process holds now: the first reservation (1.6 MiB) fails even if
    # the process gives back some memory before it is made (with 1 MiB of room, a fresh clone's
    # run once gave back enough for it to fit, and failed later, at the rule tables)
    budget = Budget(memory_limit=resident_memory())
    res = search(net, SpecAutomaton.anything(net.events, any_event=True), budget=budget)
    assert res.status == "limit" and res.states == 0 and res.expander is None
    assert "expanding the initial state needs 1.6 MiB more" in res.reason


def test_a_written_out_choice_is_one_flat_choice():
    many = env.channel("many", range(10_000))
    nested = csp.prefix(many.event(0), csp.STOP)
    for i in range(1, 10_000):
        nested = csp.ext_choice(nested, csp.prefix(many.event(i), csp.STOP))
    sem = Semantics(env)
    assert len(sem.transitions(nested)) == 10_000
    # the nested choices are never computed on their own: no quadratic pile of transitions
    assert sum(1 for q in sem._cache if q.op is Op.EXT) == 1


def test_explore_reports_why_it_stopped():
    e = explore(csp.call("COUNT", 0), env, state_limit=100)
    assert not e.complete and e.reason.startswith("a component could not be compiled: state limit 100")
    assert "the arguments of COUNT grow without bound?" in e.reason


def cgroup_tree(tmp_path, membership, files):
    """A fake /sys/fs/cgroup (``files``: path below it -> content) and /proc/self/cgroup."""
    for name, text in files.items():
        path = tmp_path / "cg" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text + "\n")
    (tmp_path / "membership").write_text(membership)
    return str(tmp_path / "cg"), str(tmp_path / "membership")


@pytest.mark.parametrize(("membership", "files", "left"), [
    # v2: the group's own limit, and a tighter ancestor's
    ("0::/a/b\n", {"a/b/memory.max": "1000", "a/b/memory.current": "400", "a/memory.max": "max"}, 600),
    ("0::/a/b\n", {"a/b/memory.max": "1000", "a/b/memory.current": "400",
                   "a/memory.max": "500", "a/memory.current": "450"}, 50),
    # v1's memory controller, nested as this kind of sandbox nests it
    ("4:memory:/x/y\n1:cpu:/\n", {"memory/x/y/memory.limit_in_bytes": "2000",
                                 "memory/x/y/memory.usage_in_bytes": "500"}, 1500),
    # v1 in a container: only its own group is mounted, at the controller's root
    ("4:memory:/docker/abc\n", {"memory/memory.limit_in_bytes": "3000",
                               "memory/memory.usage_in_bytes": "1000"}, 2000),
    # no limit anywhere
    ("4:memory:/x\n", {"memory/x/memory.limit_in_bytes": str(9223372036854771712),
                       "memory/x/memory.usage_in_bytes": "5"}, None),
    ("0::/\n", {"memory.max": "max", "memory.current": "5"}, None),
    ("", {}, None),
])
def test_a_control_groups_memory_limit_bounds_the_available_memory(tmp_path, membership, files, left):
    # a search in a container or a limited group stops at its budget, instead of being killed by
    # the kernel's out-of-memory killer with no verdict
    from cspotlp.csp.budget import _cgroup_available

    root, proc = cgroup_tree(tmp_path, membership, files)
    assert _cgroup_available(root, proc) == left


@pytest.mark.parametrize(("free", "share"), [(100 << 20, 75 << 20), (8 << 30, 4 << 30)])
def test_the_default_memory_bound_stays_within_what_is_available(monkeypatch, free, share):
    from cspotlp.csp import budget

    monkeypatch.setattr(budget, "available_memory", lambda: free)
    monkeypatch.setattr(budget, "_default_cache", (float("-inf"), 0))
    bound = budget.default_memory_limit()  # what is in use, and a share of what is free
    assert bound - share == pytest.approx(resident_memory(), abs=16 << 20)
