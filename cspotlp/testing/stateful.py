"""Model-based testing: a Hypothesis state machine from a CSP specification.

:func:`state_machine` turns a specification into a ``hypothesis.stateful.RuleBasedStateMachine``
that drives an implementation and checks it after every step:

* its **rules** are the specification's *input* channels — the channels you bind to Python
  callables that drive the implementation. A rule runs only when the specification accepts an
  event of its channel, and draws the event among those it accepts (data values come from the
  channel's type);
* after each input, the implementation's **observable events** must be allowed by the
  specification, one by one (trace refinement, checked incrementally: one lookup per event in
  the lazily normalised specification). They are what the binding returns — an event name
  ``"export.2"``, a tuple ``("export", 2)``, an :class:`~cspotlp.csp.Event`, a list of those, or
  None — followed, with ``abstraction=...``, by the spans the step finished, through the
  abstraction (as :func:`cspotlp.testing.assert_conforms` abstracts them);
* with ``stable=...``, whenever the implementation is quiescent (it will do nothing more until
  the next input) it refuses every output, and the specification must be able to refuse them
  too (stable failures): an implementation that silently stops short — never reports the
  dropped span, never finishes a flush — fails, which trace refinement alone cannot see.

A failing run is shrunk by Hypothesis to a shortest one, and the failure (:class:`Violation`, an
``AssertionError``) prints it as a CSP trace, with the events the specification accepted and
the spans the run emitted.

Example (from ``examples/test_bounded_batch_processor.py``)::

    Machine = state_machine("bounded_batch_processor.csp", "SPEC", {
        "end_span": Harness.end_span, "tick": Harness.tick,
        "flush": Harness.flush, "shutdown": Harness.shutdown,
    }, make=Harness, stable=True)
    TestBatchProcessor = Machine.TestCase
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, ClassVar

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, precondition, rule

from cspotlp.conformance import NormalisedSpec, channel_domains
from cspotlp.csp.environment import Environment
from cspotlp.csp.events import TAU, TICK, Event
from cspotlp.errors import CspEvalError
from cspotlp.mapping.abstraction import Abstraction, abstract_trace
from cspotlp.mapping.alphabet import EventBinding
from cspotlp.otlp.reader import CapturedTrace
from cspotlp.testing.sources import AbstractionSource, SpecSource, abstraction_of, spec_terms
from cspotlp.testing.span_tree import span_tree

Stable = bool | Callable[..., bool]
"""When the implementation is quiescent: always (True), never checked (False), or a predicate
called after each step with the implementation."""

_SHOWN_TRACE = 40  # events of the CSP trace a message shows (shrunk runs are shorter)


class Violation(AssertionError):
    """The implementation did (or refused) what the specification does not allow.

    Attributes:
        trace: the CSP trace of the run up to the violation (inputs and observations).
        event: the event the specification refused (None when the violation is a refusal).
        accepted: the events the specification accepted there.
    """

    def __init__(self, message: str, trace: Sequence[Event], event: Event | None,
                 accepted: Sequence[Event]) -> None:
        super().__init__(message)
        self.trace = tuple(trace)
        self.event = event
        self.accepted = tuple(accepted)


def _show_trace(trace: Sequence[Event]) -> str:
    shown = [e.name for e in trace[-_SHOWN_TRACE:]]
    if len(trace) > _SHOWN_TRACE:
        shown.insert(0, f"... {len(trace) - _SHOWN_TRACE} earlier events")
    return "<" + ", ".join(shown) + ">"


class _Model:
    """What every run of one machine class shares: the normalised spec, bindings, caches."""

    def __init__(self, name: str, spec: NormalisedSpec, bindings: Mapping[str, Callable[..., Any]],
                 make: Callable[[], Any] | None, abstraction: Abstraction | None,
                 stable: Stable, teardown: Callable[[Any], None] | None) -> None:
        env = spec.env
        unknown = sorted(set(bindings) - set(env.channels))
        if unknown:
            raise CspEvalError(f"bindings name {', '.join(unknown)}, which {name} does not "
                               f"declare; its channels: {', '.join(sorted(env.channels))}")
        self.name = name
        self.spec = spec
        self.env: Environment = env
        self.bindings = dict(bindings)
        self.make = make
        self.abstraction = abstraction
        self.binding = (EventBinding(abstraction, channel_domains(env))
                        if abstraction is not None else None)
        self.stable = stable
        self.teardown = teardown
        self.inputs = frozenset(bindings)
        self._enabled: dict[int, dict[str, list[Event]]] = {}
        self._by_name: dict[str, dict[str, Event]] = {}
        self._quiescent: dict[int, list[frozenset[Event]] | None] = {}

    def enabled(self, node: int) -> dict[str, list[Event]]:
        """The input events the specification accepts at ``node``, by channel, sorted."""
        hit = self._enabled.get(node)
        if hit is None:
            spec = self.spec
            hit = {}
            for code in spec.expand(node):
                ev = spec.events[code]
                if ev.channel in self.inputs:
                    hit.setdefault(ev.channel, []).append(ev)
            for events in hit.values():
                events.sort(key=Event.sort_key)
            self._enabled[node] = hit
        return hit

    def event_named(self, text: str) -> Event:
        """The event of the specification's alphabet written ``text`` (``export.2``)."""
        channel = text.split(".", 1)[0]
        table = self._by_name.get(channel)
        if table is None:
            ch = self.env.channels.get(channel)
            if ch is None:
                raise KeyError(text)
            table = self._by_name[channel] = {e.name: e for e in ch.events()}
        return table[text]

    def required_outputs(self, node: int) -> list[frozenset[Event]] | None:
        """What the specification requires of a quiescent implementation at ``node``.

        None when it can be quiescent too (a stable state accepting no output); otherwise the
        outputs each of its stable states accepts (an empty list: it can only diverge).
        """
        if node in self._quiescent:
            return self._quiescent[node]
        sem = self.spec.sem
        offers: list[frozenset[Event]] = []
        result: list[frozenset[Event]] | None = offers
        for p in self.spec.terms(node):
            moves = {e for e, _ in sem.transitions(p)}
            if TAU in moves:
                continue
            if TICK in moves:  # ✓ is a signal: a state that can terminate refuses the rest
                result = None
                break
            outputs = frozenset(e for e in moves if e.channel not in self.inputs)
            if not outputs:
                result = None
                break
            offers.append(outputs)
        if result is not None:  # one entry per distinct offer, in a fixed order for messages
            result = sorted(set(offers), key=lambda o: sorted(e.sort_key() for e in o))
        self._quiescent[node] = result
        return result


class SpecMachine(RuleBasedStateMachine):
    """The state machine :func:`state_machine` builds (one subclass per specification).

    Attributes:
        implementation: what ``make`` returned for this run (None without ``make``).
        trace: the CSP trace so far: each input followed by what was observed.
    """

    _model: ClassVar[_Model]

    def __init__(self) -> None:
        super().__init__()
        model = self._model
        self.node = 0
        self.trace: list[Event] = []
        self.spans: list[CapturedTrace] = []
        self._capture: Any = None
        if model.abstraction is not None:
            from cspotlp.otel.capture import global_capture  # the SDK, only for span runs

            self._capture = global_capture()
        self.implementation = model.make() if model.make is not None else None

    # -- one step ------------------------------------------------------------------------

    def _drive(self, ev: Event) -> None:
        model = self._model
        spec = model.spec
        self.node = spec.expand(self.node)[spec.code(ev)]  # enabled: the rule's precondition
        self.trace.append(ev)
        binding = model.bindings[ev.channel]
        args = (self.implementation, *ev.fields) if model.make is not None else ev.fields
        recording = self._capture.start() if self._capture is not None else None
        try:
            result = binding(*args)
        except Exception as e:
            e.add_note(f"while the implementation did {ev.name} after the CSP trace "
                       f"{_show_trace(self.trace[:-1])}")
            raise
        finally:
            if recording is not None:
                self._capture.stop(recording)
        for observed in self._returned(result):
            self._observe(observed)
        if recording is not None:
            for observed in self._span_events(recording.to_traces()):
                self._observe(observed)
        self._check_quiescence()

    def _returned(self, result: object) -> list[Event]:
        if result is None:
            return []
        items: Iterable[object] = (
            [result] if isinstance(result, Event | str | tuple) or not isinstance(result, Iterable)
            else result)
        return [self._as_event(x) for x in items]

    def _as_event(self, x: object) -> Event:
        model = self._model
        try:
            if isinstance(x, Event):
                return x
            if isinstance(x, str):
                return model.event_named(x)
            if isinstance(x, tuple) and x and isinstance(x[0], str):
                channel = model.env.channels.get(x[0])
                if channel is not None:
                    return channel.event(*x[1:])
        except (KeyError, CspEvalError):
            pass
        raise Violation(
            f"after {_show_trace(self.trace)} the implementation reported {x!r}, which is no "
            f"event of {model.name}'s alphabet (expected an event name such as 'c.1', a tuple "
            "('c', 1), an Event, a list of these, or None)", self.trace, None, [])

    def _span_events(self, traces: Sequence[CapturedTrace]) -> list[Event]:
        model = self._model
        assert model.abstraction is not None and model.binding is not None
        out: list[Event] = []
        ordered = sorted(traces, key=lambda t: min(s.start_time_unix_nano for s in t.spans))
        self.spans.extend(ordered)
        for trace in ordered:
            abstract = abstract_trace(trace, model.abstraction, repairs=("synthetic-root",))
            for ae in abstract.events:
                ev = model.binding.event(ae)
                if ev is None:
                    raise Violation(
                        f"after {_show_trace(self.trace)} the implementation emitted span "
                        f"{ae.span_id} {ae.span_name!r} (trace {ae.trace_id}), whose event "
                        f"{ae.name} is outside {model.name}'s alphabet{self._spans_text()}",
                        self.trace, None, [])
                out.append(ev)
        return out

    def _observe(self, ev: Event) -> None:
        model = self._model
        spec = model.spec
        nxt = spec.expand(self.node).get(spec.code(ev))
        if nxt is None:
            accepted = spec.accepted(self.node)
            raise Violation(
                f"after {_show_trace(self.trace)} the implementation did {ev.name}, which "
                f"{model.name} refuses; it accepted: "
                f"{', '.join(e.name for e in accepted) or 'nothing (it has stopped)'}"
                f"{self._spans_text()}", [*self.trace, ev], ev, accepted)
        self.trace.append(ev)
        self.node = nxt

    def _check_quiescence(self) -> None:
        model = self._model
        stable = model.stable
        if stable is False:
            return
        if stable is not True:
            quiet = (stable(self.implementation) if model.make is not None else stable())
            if not quiet:
                return
        offers = model.required_outputs(self.node)
        if offers is None:
            return
        if offers:
            must = "; ".join("{" + ", ".join(sorted(e.name for e in o)) + "}" for o in offers)
            why = f"{model.name} must still do one of {must}"
        else:
            why = f"{model.name} cannot be stable there (it can only diverge)"
        raise Violation(
            f"after {_show_trace(self.trace)} the implementation is quiescent, refusing every "
            f"output, but {why}{self._spans_text()}", self.trace, None,
            sorted({e for o in offers for e in o}, key=Event.sort_key))

    def _spans_text(self) -> str:
        if not self.spans:
            return ""
        return "\nspans emitted:\n" + "\n".join(span_tree(t) for t in self.spans)

    # -- Hypothesis ------------------------------------------------------------------------

    def _enabled_events(self, channel: str) -> list[Event]:
        return self._model.enabled(self.node).get(channel, [])

    def teardown(self) -> None:
        """Hand the implementation to the ``teardown`` callable, if one was given."""
        model = self._model
        if model.teardown is not None and model.make is not None:
            model.teardown(self.implementation)


def _input_rule(channel: str, arity: int, name: str) -> Callable[..., None]:
    def enabled(machine: SpecMachine) -> bool:
        return bool(machine._enabled_events(channel))

    if arity == 0:
        def step(self: SpecMachine) -> None:
            self._drive(self._enabled_events(channel)[0])
        step.__name__ = name
        return precondition(enabled)(rule()(step))

    def draw_enabled(machine: SpecMachine) -> st.SearchStrategy[Event]:
        return st.sampled_from(machine._enabled_events(channel))

    def step_with(self: SpecMachine, event: Event) -> None:
        self._drive(event)
    step_with.__name__ = name
    return precondition(enabled)(rule(event=st.runner().flatmap(draw_enabled))(step_with))


def _idle_rule(inputs: Sequence[str]) -> Callable[..., None]:
    def nothing_enabled(machine: SpecMachine) -> bool:
        enabled = machine._model.enabled(machine.node)
        return not any(enabled.get(ch) for ch in inputs)

    def idle(self: SpecMachine) -> None:
        """The specification accepts no input here: nothing to drive."""

    return precondition(nothing_enabled)(rule()(idle))


def state_machine(spec: SpecSource, process: str, bindings: Mapping[str, Callable[..., Any]], *,
                  make: Callable[[], Any] | None = None, abstraction: AbstractionSource = None,
                  stable: Stable = False, teardown: Callable[[Any], None] | None = None
                  ) -> type[SpecMachine]:
    """A ``RuleBasedStateMachine`` testing an implementation against a CSP specification.

    Args:
        spec: a CSPm file (relative paths are also looked up beside the test file), or a
            ``(process, environment)`` pair.
        process: the specification process in the file.
        bindings: input channel name -> callable driving the implementation for that event,
            called with the implementation (see ``make``) and the event's field values. What it
            returns is observed (see the module docstring).
        make: builds a fresh implementation for each run; without it, bindings get only the
            field values and must start each run fresh themselves.
        abstraction: also observe the spans each step finishes, through this abstraction.
        stable: when the implementation is quiescent (see :data:`Stable`); then it must not
            refuse what the specification's stable failures require.
        teardown: called with the implementation at the end of each run.

    Returns:
        The machine class; ``Machine.TestCase`` is a ``unittest.TestCase`` that pytest runs.

    Raises:
        CspEvalError: a binding names a channel the specification does not declare.
        CspmError, VerifyError, FileNotFoundError: the specification cannot be loaded.
    """
    _, proc, env = spec_terms(spec, process)
    abstraction_value = abstraction_of(abstraction)[1] if abstraction is not None else None
    name = process if not isinstance(spec, tuple) else str(proc)
    model = _Model(name, NormalisedSpec(proc, env), bindings, make, abstraction_value, stable,
                   teardown)
    namespace: dict[str, Any] = {"_model": model, "__doc__": f"Model-based test of {name}."}
    taken = set(dir(RuleBasedStateMachine)) | set(dir(SpecMachine)) | {"idle"}
    for channel in sorted(bindings):
        rule_name = channel if channel.isidentifier() and channel not in taken else f"do_{channel}"
        namespace[rule_name] = _input_rule(channel, env.channels[channel].arity, rule_name)
    namespace["idle"] = _idle_rule(sorted(bindings))
    class_name = "".join(ch for ch in f"{name.title()}Machine" if ch.isalnum()) or "SpecMachine"
    machine: type[SpecMachine] = type(class_name, (SpecMachine,), namespace)
    return machine


__all__ = ["SpecMachine", "Stable", "Violation", "state_machine"]
