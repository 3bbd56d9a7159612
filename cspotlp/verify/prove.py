"""``prove``: check the correspondence theorems, bounded (T1–T5) and by induction (``*-step``)."""

from __future__ import annotations

from collections.abc import Sequence

from cspotlp.errors import VerifyError
from cspotlp.mapping import Begin, End, Forest, Link, Mark, SpanEvent
from cspotlp.verify.encoding import DEFAULT, Definitions
from cspotlp.verify.steps import STEP_THEOREMS, prove_step
from cspotlp.verify.theorems import THEOREMS, Counterexample, Encoding, ProofResult, prove_bounded

THEOREM_IDS: tuple[str, ...] = (*THEOREMS, *STEP_THEOREMS)
"""Every theorem id, bounded first, in the order ``prove`` reports them."""

MAX_BOUND = 64
"""The largest bound: far past what Z3 decides within any timeout (size 12 takes minutes), and
small enough that the encodings of every size up to it fit in memory."""

MAX_TIMEOUT = 4_000_000.0
"""The longest timeout in seconds: Z3 takes its timeout as 32-bit milliseconds (about 49 days)."""


def prove(theorems: Sequence[str] | None = None, bound: int = 8, *, timeout: float = 60.0,
          defs: Definitions = DEFAULT, encoding: Encoding = "optimised") -> list[ProofResult]:
    """Check ``theorems`` (default: all of :data:`THEOREM_IDS`), one verdict each.

    Bounded theorems are checked for every size up to ``bound`` events; inductive steps hold
    for every size and ignore ``bound``. Each theorem gets ``timeout`` seconds, after which it
    is ``unknown``. Raises :class:`VerifyError` for an unknown theorem id, a bound outside
    ``0..MAX_BOUND`` or a timeout that is not a finite number of seconds up to
    :data:`MAX_TIMEOUT`.

    >>> [r.result for r in prove(["T3"], bound=3)]
    ['proved']
    """
    ids = list(THEOREM_IDS if theorems is None else theorems)
    unknown = [t for t in ids if t not in THEOREMS and t not in STEP_THEOREMS]
    if unknown:
        raise VerifyError(f"unknown theorem {unknown[0]!r}; known: {', '.join(THEOREM_IDS)}")
    if not 0 <= bound <= MAX_BOUND:
        raise VerifyError(f"bound must be between 0 and {MAX_BOUND}, not {bound}")
    if not 0 < timeout <= MAX_TIMEOUT:  # false for NaN too
        raise VerifyError(f"timeout must be a number of seconds above 0 and at most "
                          f"{MAX_TIMEOUT:g}, not {timeout:g}")
    results: list[ProofResult] = []
    for tid in ids:
        if tid in THEOREMS:
            results.append(prove_bounded(THEOREMS[tid], bound, timeout=timeout, defs=defs,
                                         encoding=encoding))
        else:
            results.append(prove_step(STEP_THEOREMS[tid], timeout))
    return results


def describe(theorem_id: str) -> str:
    """The statement of a theorem, in words."""
    if theorem_id in THEOREMS:
        return THEOREMS[theorem_id].statement
    if theorem_id in STEP_THEOREMS:
        return STEP_THEOREMS[theorem_id].statement
    raise VerifyError(f"unknown theorem {theorem_id!r}")


def format_counterexample(cex: Counterexample) -> list[str]:
    """A counterexample as lines of text: one event, or one span record, per line."""
    if isinstance(cex, Forest):
        lines = []
        for rec in cex.records():
            end = "open" if rec.end is None else str(rec.end)
            parent = "⊥" if rec.parent is None else repr(rec.parent)
            line = f"span {rec.id!r} parent {parent} name {rec.name!r} [{rec.start}, {end}]"
            if rec.status is not None:
                line += f" status {rec.status!r}"
            line += "".join(f" mark@{m.time} {m.name!r}" for m in rec.marks)
            line += "".join(f" link@{k.time} {k.target!r}" for k in rec.links)
            lines.append(line)
        return lines
    return [f"{i}: {_event(ev)}" for i, ev in enumerate(cex, start=1)]


def _event(ev: SpanEvent) -> str:
    if isinstance(ev, Begin):
        parent = "⊥" if ev.parent is None else repr(ev.parent)
        return f"begin({ev.span!r}, {parent}, {ev.name!r})"
    if isinstance(ev, End):
        return f"end({ev.span!r}, {ev.status!r})"
    if isinstance(ev, Mark):
        return f"mark({ev.span!r}, {ev.name!r})"
    assert isinstance(ev, Link)
    return f"link({ev.span!r}, {ev.target!r})"
