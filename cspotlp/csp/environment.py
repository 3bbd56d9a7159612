"""The explicit environment that gives meaning to names: channels, datatypes, definitions.

Nothing global holds meaning: a :class:`~cspotlp.csp.terms.call` is resolved by the
environment passed to the semantics. A definition is a Python function from argument values to a
process term; its body is computed once per argument tuple and cached.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Sequence

from cspotlp.csp.events import Channel, Event
from cspotlp.csp.terms import Op, Proc, call_parts
from cspotlp.csp.values import Datum, Value
from cspotlp.errors import CspEvalError

Definition = Callable[..., Proc]


class Datatype:
    """``datatype T = A | B.{0..1}``: constructors with finite field domains."""

    def __init__(self, name: str, constructors: dict[str, Sequence[Iterable[Value]]]) -> None:
        self.name = name
        self.constructors: dict[str, tuple[tuple[Value, ...], ...]] = {
            c: tuple(tuple(d) for d in doms) for c, doms in constructors.items()
        }

    def values(self) -> list[Datum]:
        """Every value of the type, constructors in declaration order."""
        out: list[Datum] = []
        for ctor, doms in self.constructors.items():
            out.extend(Datum(ctor, fields) for fields in itertools.product(*doms))
        return out

    def __getattr__(self, ctor: str) -> Datum:
        cons = self.__dict__.get("constructors", {})
        if ctor in cons and not cons[ctor]:
            return Datum(ctor)
        raise AttributeError(ctor)


class Environment:
    """Channels, datatypes and named process definitions of one model.

    >>> from cspotlp.csp.terms import call, prefix
    >>> env = Environment()
    >>> tick = env.channel("tock")
    >>> env.define("CLOCK", lambda: prefix(tick.event(), call("CLOCK")))
    >>> env.unfold(call("CLOCK")).op.name
    'PREFIX'
    """

    def __init__(self) -> None:
        self.channels: dict[str, Channel] = {}
        self.datatypes: dict[str, Datatype] = {}
        self.definitions: dict[str, Definition] = {}
        self._bodies: dict[Proc, Proc] = {}
        self._body_list: list[Proc] = []
        self.locator: Callable[[str], str | None] | None = None
        """Where a definition is written (``FILE:LINE:COL``), when a front end knows."""

    def channel(self, name: str, *domains: Iterable[Value]) -> Channel:
        """Declare ``channel name : D1.D2...`` and return it."""
        if name in self.channels:
            raise CspEvalError(f"channel {name} is declared twice")
        ch = Channel(name, domains)
        self.channels[name] = ch
        return ch

    def datatype(self, name: str, constructors: dict[str, Sequence[Iterable[Value]]]) -> Datatype:
        """Declare ``datatype name = ...`` and return it."""
        dt = Datatype(name, constructors)
        self.datatypes[name] = dt
        return dt

    def define(self, name: str, body: Definition) -> None:
        """Define ``name(args) = body(args)``; redefining a name is an error."""
        if name in self.definitions:
            raise CspEvalError(f"process {name} is defined twice")
        self.definitions[name] = body

    def events(self) -> frozenset[Event]:
        """``Events``: every event of every declared channel."""
        out: set[Event] = set()
        for ch in self.channels.values():
            out |= ch.events()
        return frozenset(out)

    def unfold(self, term: Proc) -> Proc:
        """The body of a :func:`~cspotlp.csp.terms.call` term (computed once, then cached)."""
        body = self._bodies.get(term)
        if body is not None:
            return body
        if term.op is not Op.CALL:
            raise CspEvalError(f"not a call: {term}")
        name, args = call_parts(term)
        fn = self.definitions.get(name)
        if fn is None:
            raise CspEvalError(f"unknown process {name}")
        body = fn(*args)
        if not isinstance(body, Proc):
            raise CspEvalError(f"definition {name} did not produce a process")
        self._bodies[term] = body
        self._body_list.append(body)
        return body

    def unfolded_bodies(self) -> list[Proc]:
        """The bodies unfolded so far, in the order they were first needed (do not modify)."""
        return self._body_list

    def locate(self, name: str) -> str | None:
        """``FILE:LINE:COL`` of the definition ``name``, or None when it is not known."""
        return None if self.locator is None else self.locator(name)
