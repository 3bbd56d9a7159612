"""Results of checks: a :class:`Verdict` (passed, failed or inconclusive) and its counterexample.

Results are values, not exceptions. A verdict prints in the style of FDR's command line
(``str(verdict)``)::

    dining_philosophers(3) :[deadlock free [F]]: Failed
        Counterexample (deadlock)
            Trace: <sits.0, picks.0.0, sits.1, picks.1.1, sits.2, picks.2.2>
            Acceptance: {} (refuses every event)
            Components:
                PHIL(0) ...

``holds`` is ``True`` (passed), ``False`` (failed, with a counterexample) or ``None``
(inconclusive: a state or time limit stopped the search; never reported as passed).
"""

from __future__ import annotations

import resource
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from cspotlp.csp.events import Event, show_event_set


@dataclass(frozen=True)
class Step:
    """One transition of the implementation: its event (τ and ✓ included) and who moved.

    ``moves`` pairs a component index with the component's own event, before any renaming or
    hiding of the network above it (so a hidden synchronisation shows as τ here but as the real
    event in each component).
    """

    event: Event
    moves: tuple[tuple[int, Event], ...]


@dataclass(frozen=True)
class ComponentView:
    """What one component (a sequential leaf of the network) did and where it stopped.

    Attributes:
        name: the component's process text (``PHIL(0)``).
        trace: its own events along the counterexample (τ and ✓ included).
        state: text of the state it ended in.
        offers: the events it could do next (its own alphabet, τ and ✓ included).
    """

    name: str
    trace: tuple[Event, ...]
    state: str
    offers: tuple[Event, ...]


@dataclass(frozen=True)
class Counterexample:
    """Evidence that a check failed, in the model's terms.

    Attributes:
        kind: ``trace`` (an event the specification forbids), ``refusal`` (a stable state refuses
            what the specification requires), ``deadlock``, ``divergence``, ``nondeterminism``
            or ``missing trace`` (``has trace``).
        trace: the visible trace (τ removed) leading to the failure.
        error_event: for ``trace``/``missing trace``, the event that may not (or cannot) follow.
        acceptance: for refusals and deadlocks, the events the implementation accepts in its
            stable state (it refuses all others); ``None`` otherwise.
        required: for refusals, the specification's minimal acceptances after ``trace`` (the
            implementation must accept all events of at least one of them).
        refused_event: for nondeterminism, an event that can both happen and be refused.
        divergence_loop: for divergences, a τ loop the implementation can repeat forever.
        steps: the implementation's whole path, τ steps included, with component moves.
        components: per-component view of the path (FDR debugger style).
    """

    kind: str
    trace: tuple[Event, ...]
    error_event: Event | None = None
    acceptance: frozenset[Event] | None = None
    required: tuple[frozenset[Event], ...] | None = None
    refused_event: Event | None = None
    divergence_loop: tuple[Step, ...] = ()
    steps: tuple[Step, ...] = ()
    components: tuple[ComponentView, ...] = ()

    @property
    def divergent(self) -> bool:
        """True for divergence counterexamples."""
        return self.kind == "divergence"

    def lines(self) -> list[str]:
        """The counterexample as indented text lines."""
        out = [f"Counterexample ({self.kind})", f"    Trace: {show_trace(self.trace)}"]
        if self.error_event is not None:
            label = "Error event" if self.kind == "trace" else "Cannot perform"
            out.append(f"    {label}: {self.error_event}")
        if self.acceptance is not None:
            note = " (refuses every event)" if not self.acceptance else ""
            out.append(f"    Acceptance: {show_event_set(self.acceptance)}{note}")
        if self.refused_event is not None:
            out.append(f"    Can both perform and refuse: {self.refused_event}")
        if self.required is not None:
            if self.required:
                alts = " or ".join(show_event_set(a) for a in self.required)
                out.append(f"    Specification requires one of: {alts}")
            else:
                out.append("    Specification has no stable state after this trace")
        if self.divergence_loop:
            loop = ", ".join(str(s.event) for s in self.divergence_loop)
            out.append(f"    Divergence: repeats <{loop}> forever")
        if self.components:
            out.append("    Components:")
            for c in self.components:
                out.append(f"        {c.name}: {show_trace(c.trace)} -> {c.state}"
                           f"  offers {show_event_set(c.offers)}")
        return out


@dataclass(frozen=True)
class Verdict:
    """The outcome of one check.

    Attributes:
        holds: True (passed), False (failed) or None (inconclusive: stopped by a limit).
        kind: what was checked, in FDR's words (``P [T= Q``, ``P :[deadlock free [F]]``).
        counterexample: why it failed (only when ``holds`` is False).
        states: states explored (product states for refinement).
        transitions: transitions explored.
        seconds: wall-clock time of the search.
        reason: for inconclusive verdicts, what stopped the search.
    """

    holds: bool | None
    kind: str
    counterexample: Counterexample | None = None
    states: int = 0
    transitions: int = 0
    seconds: float = 0.0
    reason: str = ""
    notes: tuple[str, ...] = field(default=())

    @property
    def passed(self) -> bool:
        """True only for a conclusive pass."""
        return self.holds is True

    @property
    def inconclusive(self) -> bool:
        """True when a limit stopped the search before an answer."""
        return self.holds is None

    def __bool__(self) -> bool:
        raise TypeError("a Verdict is not a bool: use .holds (it may be None = inconclusive)")

    def __str__(self) -> str:
        status = {True: "Passed", False: "Failed", None: "Inconclusive"}[self.holds]
        lines = [f"{self.kind}: {status}"]
        if self.holds is None and self.reason:
            lines.append(f"    Reason: {self.reason}")
        if self.counterexample is not None:
            lines.extend("    " + line for line in self.counterexample.lines())
        lines.extend(f"    Note: {n}" for n in self.notes)
        rate = self.states / self.seconds if self.seconds > 0 else 0.0
        lines.append(f"    States: {self.states:,}  Transitions: {self.transitions:,}  "
                     f"Time: {self.seconds:.3f} s ({rate:,.0f} states/s)")
        return "\n".join(lines) + "\n"


def show_trace(trace: Sequence[Event]) -> str:
    """``<a, b, c>``."""
    return "<" + ", ".join(e.name for e in trace) + ">"


@dataclass(frozen=True)
class ProgressReport:
    """A snapshot of long work: states, transitions, seconds, resident memory, breadth-first depth.

    ``phase`` says what is being done when it is not the search itself (``compiling P``), and
    ``unit`` what ``states`` counts then (``of 1,000 components``).
    """

    states: int
    transitions: int
    seconds: float
    memory_bytes: int
    depth: int = 0
    phase: str = ""
    unit: str = "states"

    @property
    def states_per_second(self) -> float:
        """Exploration rate so far."""
        return self.states / self.seconds if self.seconds > 0 else 0.0

    def __str__(self) -> str:
        head = f"{self.phase}: " if self.phase else ""
        depth = f", depth {self.depth:,}" if self.depth else ""
        rate = f", {self.states_per_second:,.0f} states/s" if self.unit == "states" else ""
        return (f"{head}{self.states:,} {self.unit}{depth}{rate}, {self.seconds:.1f} s, "
                f"{self.memory_bytes / 2**20:,.0f} MiB")


ProgressCallback = Callable[[ProgressReport], None]
"""Receives a :class:`ProgressReport` about twice a second during long work."""


def peak_memory_bytes() -> int:
    """Peak resident memory of this process (ru_maxrss: KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(peak if sys.platform == "darwin" else peak * 1024)
