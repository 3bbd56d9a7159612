"""An OpAMP-style canary rollout: a new configuration goes to 5 % -> 25 % -> 100 % of the agents.

The controller upgrades the agents of each stage (``apply_a <- "new"``), each agent reports its
health (the environment chooses), and one unhealthy report rolls everything back
(``apply_a <- "old"``). Stage sizes are ceil(pct * N / 100) of N = 3 agents: 1, 1, 3. Properties
(one abstract spec, trace refinement): never more agents on the new configuration than the stage
allows; a rollback leaves every agent on the previous configuration; at the end no agent is
between configurations (all new, or all old). The bug variant's rollback forgets the agent
upgraded last.
"""

import math

from cspotlp.csp import SKIP, ext_choice, prefix
from cspotlp.csp import call as call_process
from cspotlp.gomodel import Program, call, choose, go, loop, on_recv, recv, return_, select, send

AGENTS = 3
STAGES = tuple(math.ceil(pct * AGENTS / 100) for pct in (5, 25, 100))
REFINEMENT_MODEL = "T"
OBSERVE = ["stage_send", "rollback_send", *(f"apply{a}" for a in range(1, AGENTS + 1))]


def program(bug: bool = False) -> Program:
    p = Program("canary_bug" if bug else "canary")
    apply = {a: p.chan(f"apply{a}", values=["new", "old"]) for a in range(1, AGENTS + 1)}
    health = p.chan("health", values=["healthy", "unhealthy"])
    stage = p.chan("stage", values=sorted(set(STAGES)), cap=len(STAGES))
    rollback = p.chan("rollback", values=[1], cap=1)
    ctx = p.context("ctx")

    @p.func
    def agent(a):
        def on(cfg, ok):
            if cfg == "new":
                return [choose(["healthy", "unhealthy"], lambda h: [send(health, h)])]
            return []

        return [loop(lambda: [select(on_recv(apply[a], on), on_recv(ctx.done(), lambda: [return_()]))])]

    @p.func
    def controller():
        def stage_step(state):
            i, upgraded = state
            if i == len(STAGES):
                return []

            def upgrade(todo, upgraded_now):
                if not todo:
                    return stage_loop(i + 1, upgraded_now)
                a = todo[0]
                return [send(apply[a], "new"), recv(health, after_health2(a, todo[1:], upgraded_now))]

            def after_health2(a, rest, done):
                def check(h, ok):
                    if h == "unhealthy":
                        undo = done + (a,)
                        if bug:
                            undo = undo[:-1]
                        return [send(rollback, 1), [send(apply[x], "old") for x in undo]]
                    return upgrade(rest, done + (a,))
                return check

            todo = tuple(range(len(upgraded) + 1, STAGES[i] + 1))
            return [send(stage, STAGES[i]), upgrade(todo, upgraded)]

        def stage_loop(i, upgraded):
            return stage_step((i, upgraded))

        return [stage_loop(0, ())]

    @p.main
    def main():
        return [[go(agent, a) for a in range(1, AGENTS + 1)], call(controller), ctx.cancel()]

    return p


def spec(model):
    """The rollout's safety: stage limits, rollback to old, nobody half-way at the end."""
    events = model.all_events()
    stage_ev = {e.fields[1]: e for e in events if e.channel == "stage_send"}
    rollback_ev = [e for e in events if e.channel == "rollback_send"]
    applies = {(int(e.channel[len("apply"):]), str(e.fields[2])): e for e in events
               if e.channel.startswith("apply") and e.channel[len("apply"):].isdigit()}

    def state(limit, on, rolled):
        out = [prefix(e, call_process("CANARY_SPEC", k, on, rolled)) for k, e in sorted(stage_ev.items())]
        out += [prefix(e, call_process("CANARY_SPEC", limit, on, True)) for e in rollback_ev]
        for (a, cfg), e in sorted(applies.items()):
            if cfg == "new" and not rolled and len(on | {a}) <= limit:
                out.append(prefix(e, call_process("CANARY_SPEC", limit, on | {a}, rolled)))
            if cfg == "old":
                out.append(prefix(e, call_process("CANARY_SPEC", limit, on - {a}, rolled)))
        if (not on) or (not rolled and len(on) == AGENTS):
            out.append(SKIP)
        return ext_choice(*out)

    if "CANARY_SPEC" not in model.env.definitions:
        model.env.define("CANARY_SPEC", state)
    return call_process("CANARY_SPEC", 0, frozenset(), False)


def programs():
    """The programs ``cspotlp go`` checks: the example and its bug variant."""
    return [program(), program(bug=True)]
