r"""Watchdog transformations: a specification as a process that *barks* when it is violated.

A refinement check ``Spec [M= Impl`` normalises the specification and explores the product. A
watchdog turns the specification into an ordinary process ``W`` that runs beside the
implementation, synchronised on the implementation's events ``A``, and performs ``bark`` when
the implementation has done something the specification does not allow (Goldsmith, Moffat,
Roscoe, Whitworth and Zakiuddin, *Watchdog transformations for property-oriented
model-checking*, FME 2003; FDR4's ``trace_watchdog`` and ``failure_watchdog``). The check then
needs no normalisation and can be composed, compressed or reduced like any other process:

* ``trace_watchdog(Spec, A, bark)`` follows the trace normal form of ``Spec``; an event of
  ``A`` that ``Spec`` cannot perform next leads to ``bark -> STOP``. For an implementation
  whose events are in ``A``: ``Spec [T= Impl`` iff
  ``STOP [T= (Impl [| A |] trace_watchdog(Spec, A, bark)) \ A`` (it never barks).
* ``failure_watchdog(Spec, A, bark)`` does the same and, after each trace, may also (by a τ)
  *probe* the implementation's refusals: it then offers only a set ``H`` of events that meets
  every minimal acceptance of ``Spec`` there. Were the implementation stable and refusing all
  of ``H``, it would refuse a set ``Spec`` cannot refuse: the composition, hiding ``A``, is
  then stable — and it is stable nowhere else (where ``Spec`` may refuse all of ``A``, the
  watchdog idles with a τ loop instead). So ``Spec [F= Impl`` iff
  ``DIV [F= (Impl [| A |] failure_watchdog(Spec, A, bark)) \ A`` (it never barks and has no
  stable state).

The implementation's events must be in ``A`` (others are not seen), and it must not
terminate: the watchdog never does, so termination cannot be watched (a specification's
acceptance of ✓ counts as one the implementation cannot match).
"""

from __future__ import annotations

from collections.abc import Iterable

from cspotlp.csp.events import TAU, TICK, Event, sort_events
from cspotlp.csp.explicit import ExplicitLts
from cspotlp.csp.normalise import NormalForm, normalise
from cspotlp.errors import CspError

__all__ = ["MAX_PROBES", "failure_watchdog_lts", "trace_watchdog_lts"]

MAX_PROBES = 4096
"""Probe sets one normal-form node may need before the watchdog is refused as too large."""


def trace_watchdog_lts(spec: ExplicitLts, watched: Iterable[Event], bark: Event) -> ExplicitLts:
    """The trace watchdog of ``spec`` over the events ``watched`` (see the module docstring)."""
    return _watchdog(normalise(spec, "T"), watched, bark, probes=False)


def failure_watchdog_lts(spec: ExplicitLts, watched: Iterable[Event], bark: Event) -> ExplicitLts:
    """The failures watchdog of ``spec`` over the events ``watched`` (see the module docstring)."""
    return _watchdog(normalise(spec, "F"), watched, bark, probes=True)


def _watchdog(nf: NormalForm, watched: Iterable[Event], bark: Event, *,
              probes: bool) -> ExplicitLts:
    a = sort_events(set(watched))
    if bark in a:
        raise CspError(f"the bark event {bark} must not be one of the watched events")
    events = (TAU, TICK, *a, bark)
    number = {e: i for i, e in enumerate(events)}
    to_spec = {i: nf.events.index(e) for e, i in number.items()
               if e in nf.events and e not in (TAU, TICK)}
    n = nf.num_nodes
    barking, barked = n, n + 1  # bark -> STOP
    edges: list[tuple[int, int, int]] = [(barking, number[bark], barked)]
    extra = n + 2
    for node in range(n):
        step = nf.step[node]
        for e in a:
            spec_e = to_spec.get(number[e])
            edges.append((node, number[e], barking if spec_e is None else step.get(spec_e, barking)))
        if not probes:
            continue
        sets = _probe_sets(nf, node, to_spec)
        if sets is None:  # the specification may refuse every watched event here
            edges.append((node, 0, node))
            continue
        for probe in sets:
            edges.append((node, 0, extra))
            edges.extend((extra, e, step[to_spec[e]]) for e in sorted(probe))
            extra += 1
    kind = "failure_watchdog" if probes else "trace_watchdog"
    return ExplicitLts.from_edges(events, extra, edges, [], name=kind)


def _probe_sets(nf: NormalForm, node: int, to_spec: dict[int, int]) -> list[frozenset[int]] | None:
    """The minimal sets of watched events meeting every minimal acceptance of ``node``.

    An acceptance with an event that is not watched (or ✓) cannot be matched by an
    implementation whose events are watched and that does not terminate: it is left out.
    None when an acceptance is empty (``Spec`` may refuse everything there). A node with no
    acceptance left gets the empty probe: any stable implementation state is a violation.
    """
    from_spec = {s: w for w, s in to_spec.items()}
    family = [frozenset(from_spec[e] for e in acc) for acc in nf.acceptances[node]
              if all(e in from_spec for e in acc)]
    if any(not acc for acc in family):
        return None
    hitting: set[frozenset[int]] = {frozenset()}
    for acc in sorted(family, key=lambda x: (len(x), sorted(x))):
        grown: set[frozenset[int]] = set()
        for h in hitting:
            if h & acc:
                grown.add(h)
            else:
                grown.update(h | {e} for e in acc)
        hitting = {h for h in grown if not any(g < h for g in grown)}
        if len(hitting) > MAX_PROBES:
            raise CspError(f"the failures watchdog needs more than {MAX_PROBES} probe sets at "
                           "one node of the specification's normal form")
    return sorted(hitting, key=lambda h: (len(h), sorted(h)))
