"""Standard textbook models, built with the Python API (used by the demo, tests and benchmarks).

* Hoare's vending machines ``VMS`` and ``VMC``;
* the classic dining philosophers (sit, pick left, pick right, eat, put down right, put down left,
  get up; forks as processes), with or without a butler who seats at most N - 1.
"""

from __future__ import annotations

from dataclasses import dataclass

from cspotlp.csp.environment import Environment
from cspotlp.csp.events import Channel, Event
from cspotlp.csp.terms import (
    Proc,
    apar,
    apar_all,
    call,
    ext_choice,
    guard,
    input_prefix,
    prefix,
    prefixes,
)
from cspotlp.errors import CspError


@dataclass(frozen=True)
class Model:
    """A bundled model: its environment and the process to explore."""

    name: str
    env: Environment
    process: Proc


def vending_machines() -> tuple[Environment, dict[str, Proc]]:
    """Hoare's vending machines: ``VMS = coin -> choc -> VMS`` and the choice machine ``VMC``.

    ``VMC = in2p -> (large -> VMC [] small -> out1p -> VMC) [] in1p -> (small -> VMC [] in1p ->
    (large -> VMC [] in1p -> STOP))`` (Hoare, *CSP*, 1.1.3 X4).
    """
    env = Environment()
    coin, choc = env.channel("coin").event(), env.channel("choc").event()
    in1p, in2p = env.channel("in1p").event(), env.channel("in2p").event()
    large, small = env.channel("large").event(), env.channel("small").event()
    out1p = env.channel("out1p").event()
    from cspotlp.csp.terms import STOP

    env.define("VMS", lambda: prefixes([coin, choc], call("VMS")))
    env.define("VMC", lambda: ext_choice(
        prefix(in2p, ext_choice(prefix(large, call("VMC")), prefixes([small, out1p], call("VMC")))),
        prefix(in1p, ext_choice(
            prefix(small, call("VMC")),
            prefix(in1p, ext_choice(prefix(large, call("VMC")), prefix(in1p, STOP))),
        )),
    ))
    return env, {"VMS": call("VMS"), "VMC": call("VMC")}


def _phil_channels(env: Environment, n: int) -> tuple[Channel, Channel, Channel, Channel, Channel]:
    ids = range(n)
    return (
        env.channel("sits", ids), env.channel("getsup", ids), env.channel("eats", ids),
        env.channel("picks", ids, ids), env.channel("putsdown", ids, ids),
    )


def dining_philosophers(n: int, butler: bool = False) -> Model:
    """The dining philosophers for ``n`` >= 2 (deadlocks unless ``butler``).

    Philosopher ``i`` uses fork ``i`` on the left and fork ``(i + 1) % n`` on the right.
    """
    if n < 2:
        raise CspError("dining philosophers need at least 2 philosophers")
    env = Environment()
    sits, getsup, eats, picks, putsdown = _phil_channels(env, n)

    def phil(i: int) -> Proc:
        left, right = i, (i + 1) % n
        return prefixes(
            [sits.event(i), picks.event(i, left), picks.event(i, right), eats.event(i),
             putsdown.event(i, right), putsdown.event(i, left), getsup.event(i)],
            call("PHIL", i),
        )

    def fork(j: int) -> Proc:
        users = (j, (j - 1) % n)
        return ext_choice(*(
            prefixes([picks.event(u, j), putsdown.event(u, j)], call("FORK", j)) for u in users
        ))

    env.define("PHIL", phil)
    env.define("FORK", fork)

    def alpha_phil(i: int) -> frozenset[Event]:
        left, right = i, (i + 1) % n
        return frozenset({sits.event(i), getsup.event(i), eats.event(i), picks.event(i, left),
                          picks.event(i, right), putsdown.event(i, left), putsdown.event(i, right)})

    def alpha_fork(j: int) -> frozenset[Event]:
        users = (j, (j - 1) % n)
        return frozenset(e for u in users for e in (picks.event(u, j), putsdown.event(u, j)))

    phils = apar_all([(alpha_phil(i), call("PHIL", i)) for i in range(n)])
    forks = apar_all([(alpha_fork(j), call("FORK", j)) for j in range(n)])
    a_phils = frozenset().union(*(alpha_phil(i) for i in range(n)))
    a_forks = frozenset().union(*(alpha_fork(j) for j in range(n)))
    college = apar(phils, a_phils, a_forks, forks)
    if not butler:
        return Model(f"dining_philosophers({n})", env, college)

    def butler_proc(seated: int) -> Proc:
        return ext_choice(
            guard(seated < n - 1, input_prefix(sits, [None], lambda _i: call("BUTLER", seated + 1))),
            guard(seated > 0, input_prefix(getsup, [None], lambda _i: call("BUTLER", seated - 1))),
        )

    env.define("BUTLER", butler_proc)
    a_butler = sits.events() | getsup.events()
    system = apar(college, a_phils | a_forks, a_butler, call("BUTLER", 0))
    return Model(f"dining_philosophers_butler({n})", env, system)
