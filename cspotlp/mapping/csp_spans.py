"""Spans inside CSP models: a ``span(name, body)`` combinator with unique ids per trace.

A model declares the span channels once (:func:`declare_span_channels`)::

    begin : SpanIds.Parents.Names     -- begin.s.p.n   (p = 0 for a root span)
    end   : SpanIds.Statuses          -- end.s.st
    mark  : SpanIds.MarkNames         -- mark.s.n

and writes ``span(alpha, "checkout", parent, lambda s: BODY(s))``, which is the CSP process
``begin?s!parent!name -> (BODY(s) ; end.s.status -> SKIP)``. The id ``s`` is an *input*: the model
is run under :func:`with_span_ids`, which puts it in parallel with an allocator
``ALLOC(k) = begin.k?p?n -> ALLOC(k+1) [] done -> SKIP`` that offers only the next fresh id. So in
every trace the k-th span to begin has id k — unique even under recursion and replication — and
the body learns its id by binding ``s``, which it passes as the parent of nested spans.

Every trace of such a model, restricted to the span events, is WF (W1 by the allocator, W2 and
W3 because a body runs between its span's begin and end, W4 because marks are written inside the
body), so :func:`~cspotlp.mapping.correspondence.phi` turns it into a forest. A model that begins
more than ``max_spans`` spans blocks at the next ``begin`` (the id budget is part of the finite
model; raise it if that matters).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from cspotlp.csp import (  # mapping builds on the process algebra
    SKIP,
    TICK,
    Channel,
    Environment,
    Event,
    Proc,
    call,
    ext_choice,
    hide,
    input_prefix,
    par,
    prefix,
    seq,
)
from cspotlp.errors import CspError
from cspotlp.mapping.correspondence import phi
from cspotlp.mapping.forest import Forest
from cspotlp.mapping.vocabulary import Begin, End, Mark, SpanEvent, Trace

ROOT = 0
"""The parent field of a root span's ``begin``."""


@dataclass(frozen=True)
class SpanAlphabet:
    """The span channels of one model and the id budget."""

    begin: Channel
    end: Channel
    mark: Channel
    done: Channel
    max_spans: int
    allocator: str

    def span_events(self) -> frozenset[Event]:
        """``{| begin, end, mark |}``."""
        return self.begin.events() | self.end.events() | self.mark.events()


def declare_span_channels(
    env: Environment,
    names: Iterable[str],
    *,
    max_spans: int,
    statuses: Sequence[str] = ("ok", "error"),
    mark_names: Iterable[str] = ("event",),
    prefix_name: str = "span",
) -> SpanAlphabet:
    """Declare the span channels and the id allocator in ``env``; span ids are 1..max_spans.

    The channels are ``<prefix>_begin``, ``<prefix>_end``, ``<prefix>_mark`` and ``<prefix>_done``.
    """
    if max_spans < 1:
        raise CspError("max_spans must be at least 1")
    ids = range(1, max_spans + 1)
    parents = range(0, max_spans + 1)
    alpha = SpanAlphabet(
        begin=env.channel(f"{prefix_name}_begin", ids, parents, sorted(set(names))),
        end=env.channel(f"{prefix_name}_end", ids, list(statuses)),
        mark=env.channel(f"{prefix_name}_mark", ids, sorted(set(mark_names))),
        done=env.channel(f"{prefix_name}_done"),
        max_spans=max_spans,
        allocator=f"{prefix_name.upper()}_ALLOC",
    )
    done = alpha.done.event()

    def alloc(k: int) -> Proc:
        finish = prefix(done, SKIP)
        if k > alpha.max_spans:
            return finish
        fresh = input_prefix(alpha.begin, [k, None, None], lambda _p, _n: call(alpha.allocator, k + 1))
        return ext_choice(fresh, finish)

    env.define(alpha.allocator, alloc)
    return alpha


def span(
    alpha: SpanAlphabet,
    name: str,
    parent: int,
    body: Callable[[int], Proc],
    status: str = "ok",
) -> Proc:
    """``begin?s!parent!name -> (body(s) ; end.s.status -> SKIP)``: a span around ``body``."""
    return input_prefix(
        alpha.begin,
        [None, parent, name],
        lambda s: seq(body(s), prefix(alpha.end.event(s, status), SKIP)),
    )


def mark(alpha: SpanAlphabet, s: int, name: str, then: Proc) -> Proc:
    """``mark.s.name -> then``: an OTLP span event on span ``s``."""
    return prefix(alpha.mark.event(s, name), then)


def with_span_ids(alpha: SpanAlphabet, model: Proc) -> Proc:
    """Run ``model`` with the allocator that hands out fresh span ids in order."""
    done = alpha.done.event()
    sync = alpha.begin.events() | {done}
    return hide(par(seq(model, prefix(done, SKIP)), sync, call(alpha.allocator, 1)), {done})


def to_span_trace(alpha: SpanAlphabet, trace: Iterable[Event]) -> Trace:
    """The span-vocabulary trace of a CSP trace: other events (and ✓) are dropped."""
    out: list[SpanEvent] = []
    for ev in trace:
        if ev.channel == alpha.begin.name:
            s, p, n = ev.fields
            out.append(Begin(int(s), None if p == ROOT else int(p), str(n)))  # type: ignore[call-overload]
        elif ev.channel == alpha.end.name:
            s, st = ev.fields
            out.append(End(int(s), st))  # type: ignore[call-overload]
        elif ev.channel == alpha.mark.name:
            s, n = ev.fields
            out.append(Mark(int(s), str(n)))  # type: ignore[call-overload]
    return tuple(out)


def forests(
    alpha: SpanAlphabet,
    traces: Iterable[Sequence[Event]],
    *,
    complete_only: bool = True,
) -> list[tuple[tuple[Event, ...], Forest]]:
    """Φ of each trace's span events; with ``complete_only``, only traces that end in ✓.

    The result is in the order of the sorted traces (deterministic).
    """
    out: list[tuple[tuple[Event, ...], Forest]] = []
    ordered = sorted((tuple(t) for t in traces), key=lambda t: (len(t), [e.sort_key() for e in t]))
    for t in ordered:
        if complete_only and (not t or t[-1] is not TICK):
            continue
        out.append((t, phi(to_span_trace(alpha, t))))
    return out
