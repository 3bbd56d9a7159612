"""Standard textbook models, built with the Python API (used by the demo, tests and benchmarks).

* Hoare's vending machines ``VMS`` and ``VMC``;
* the classic dining philosophers (sit, pick left, pick right, eat, put down right, put down left,
  get up; forks as processes), with or without a butler who seats at most N - 1;
* a cyclic scheduler (Milner's scheduler, as a ring of cells passing a token);
* a pipeline of one-place buffers with hidden internal channels.

Each model may carry a trace-refinement question (specification, implementation) used by the
benchmarks and tests.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cspotlp.csp.environment import Environment
from cspotlp.csp.events import Channel, Event
from cspotlp.csp.terms import (
    STOP,
    Proc,
    apar,
    apar_all,
    call,
    ext_choice,
    guard,
    hide,
    input_prefix,
    interleave,
    prefix,
    prefixes,
    run,
)
from cspotlp.errors import CspError


@dataclass(frozen=True)
class Model:
    """A bundled model: its environment, the process to explore, and named refinement questions.

    ``refinements`` maps a name to (specification, implementation), both meant to hold in the
    traces model.
    """

    name: str
    env: Environment
    process: Proc
    refinements: dict[str, tuple[Proc, Proc]] = field(default_factory=dict)


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

    def fork_spec(j: int) -> Proc:
        return ext_choice(*(
            prefixes([picks.event(u, j), putsdown.event(u, j)], call("FORKSPEC", j)) for u in (j, (j - 1) % n)
        ))

    env.define("FORKSPEC", fork_spec)
    free = sits.events() | getsup.events() | eats.events()
    # each fork is put down by the philosopher who picked it up; other events are unconstrained
    discipline = interleave(run(free), *(call("FORKSPEC", j) for j in range(n)))
    if not butler:
        return Model(f"dining_philosophers({n})", env, college, {"fork discipline": (discipline, college)})

    def butler_proc(seated: int) -> Proc:
        return ext_choice(
            guard(seated < n - 1, input_prefix(sits, [None], lambda _i: call("BUTLER", seated + 1))),
            guard(seated > 0, input_prefix(getsup, [None], lambda _i: call("BUTLER", seated - 1))),
        )

    env.define("BUTLER", butler_proc)
    a_butler = sits.events() | getsup.events()
    system = apar(college, a_phils | a_forks, a_butler, call("BUTLER", 0))
    return Model(f"dining_philosophers_butler({n})", env, system, {"fork discipline": (discipline, system)})


def cyclic_scheduler(n: int) -> Model:
    """A ring of ``n`` >= 2 cells passing a token (Milner's scheduler).

    Cell i starts job i (``a.i``) when it holds the token (``c.i``), then finishes it (``b.i``)
    and passes the token on (``c.(i+1)``) in either order. Refinement question: with ``b`` and
    ``c`` hidden, the jobs start in cyclic order.
    """
    if n < 2:
        raise ValueError("a cyclic scheduler needs at least 2 cells")
    env = Environment()
    ids = range(n)
    a, b, c = env.channel("a", ids), env.channel("b", ids), env.channel("c", ids)

    def nxt(i: int) -> int:
        return (i + 1) % n

    env.define("START", lambda i: prefixes([c.event(i), a.event(i)], call("WAIT", i)))
    env.define("WAIT", lambda i: ext_choice(
        prefixes([b.event(i), c.event(nxt(i))], call("START", i)),
        prefixes([c.event(nxt(i)), b.event(i)], call("START", i)),
    ))
    cells = [prefix(a.event(0), call("WAIT", 0))] + [call("START", i) for i in range(1, n)]
    alphas = [frozenset({a.event(i), b.event(i), c.event(i), c.event(nxt(i))}) for i in ids]
    system = apar_all(list(zip(alphas, cells, strict=True)))
    env.define("CYCLE", lambda: prefixes([a.event(i) for i in ids], call("CYCLE")))
    hidden = hide(system, b.events() | c.events())
    return Model(f"cyclic_scheduler({n})", env, system, {"jobs in cyclic order": (call("CYCLE"), hidden)})


def buffer_pipeline(n: int, values: int = 2) -> Model:
    """A chain of ``n`` one-place buffers with the inner channels hidden.

    ``COPY(i) = left.i?x -> left.(i+1)!x -> COPY(i)``. Refinement question: outputs never
    overtake inputs and at most ``n`` values are in flight (a counter specification).
    """
    if n < 1:
        raise ValueError("a pipeline needs at least one buffer")
    env = Environment()
    data = range(values)
    left = env.channel("left", range(n + 1), data)
    env.define("COPY", lambda i: input_prefix(left, [i, None], lambda x: prefix(left.event(i + 1, x), call("COPY", i))))
    cells = [(left.production(i) | left.production(i + 1), call("COPY", i)) for i in range(n)]
    inner = frozenset().union(*(left.production(i) for i in range(1, n))) if n > 1 else frozenset()
    pipe = hide(apar_all(cells), inner)

    def counter(k: int) -> Proc:
        return ext_choice(
            guard(k < n, input_prefix(left, [0, None], lambda _x: call("COUNT", k + 1))),
            guard(k > 0, input_prefix(left, [n, None], lambda _x: call("COUNT", k - 1))),
        )

    env.define("COUNT", counter)
    return Model(f"buffer_pipeline({n})", env, pipe, {"at most n in flight": (call("COUNT", 0), pipe)})

