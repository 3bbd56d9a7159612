"""Events, channels with finite field types, event sets and ``{| c |}`` productions.

Events are interned: ``event("c", 1)`` returns the same object every time, so equality is identity
and hashing is cheap. ``TAU`` and ``TICK`` are the two special events of the operational
semantics; they belong to no channel and are never in a user's event set.
"""

from __future__ import annotations

import itertools
import weakref
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, cast, final

from cspotlp.csp.values import Value, _Keyed, show_value, sorted_values, value_key
from cspotlp.errors import CspEvalError


@final
class Event(_Keyed):
    """A communication ``channel.field1.field2...`` (or τ / ✓). Build with :func:`event`."""

    __slots__ = ("__weakref__", "_hash", "_key", "channel", "fields", "name")

    channel: str
    fields: tuple[Value, ...]
    name: str
    _key: tuple[Any, ...]
    _hash: int

    def __hash__(self) -> int:
        return self._hash

    def __repr__(self) -> str:
        return f"Event({self.name})"

    def __str__(self) -> str:
        return self.name

    def __reduce__(self) -> tuple[Any, ...]:
        return (event, (self.channel, *self.fields))

    def sort_key(self) -> tuple[Any, ...]:
        """Deterministic order: τ, then ✓, then by channel name and field values."""
        return self._key

    @property
    def visible(self) -> bool:
        """False for τ only (✓ is visible, as in Roscoe's semantics)."""
        return self is not TAU


_EVENTS: weakref.WeakValueDictionary[tuple[Any, ...], Event] = weakref.WeakValueDictionary()
_TAU_NAME, _TICK_NAME = "τ", "✓"


def _make(channel: str, fields: tuple[Value, ...], key: tuple[Any, ...]) -> Event:
    ev = object.__new__(Event)
    ev.channel = channel
    ev.fields = fields
    ev.name = ".".join([channel, *(show_value(f) for f in fields)])
    ev._key = key
    ev._hash = hash(key)
    _EVENTS[key] = ev
    return ev


def event(channel: str, *fields: Value) -> Event:
    """The interned event ``channel.fields...`` (no type check; see :meth:`Channel.event`).

    >>> event("c", 1) is event("c", 1)
    True
    """
    key = (1, channel, tuple(value_key(f) for f in fields))
    ev = _EVENTS.get(key)
    return ev if ev is not None else _make(channel, tuple(fields), key)


TAU: Event = _make(_TAU_NAME, (), (0, 0))
TICK: Event = _make(_TICK_NAME, (), (0, 1))
_KEEP = (TAU, TICK)  # strong references: the special events live forever


def sort_events(events: Iterable[Event]) -> list[Event]:
    """Events in their deterministic order."""
    return sorted(events, key=Event.sort_key)


def show_event_set(events: Iterable[Event]) -> str:
    """CSPm text of a set of events: ``{a, c.1}``."""
    return "{" + ", ".join(e.name for e in sort_events(events)) + "}"


class Channel:
    """A declared channel: a name and one finite domain per field (``channel c : {0..2}.Bool``).

    >>> c = Channel("c", [range(2), [True, False]])
    >>> [str(e) for e in sort_events(c.events())]
    ['c.0.false', 'c.0.true', 'c.1.false', 'c.1.true']
    """

    __slots__ = ("_domain_sets", "_events", "domains", "name")

    def __init__(self, name: str, domains: Sequence[Iterable[Value]] = ()) -> None:
        self.name = name
        self.domains: tuple[tuple[Value, ...], ...] = tuple(
            tuple(sorted_values(set(d))) for d in domains
        )
        self._domain_sets = tuple(frozenset(d) for d in self.domains)
        self._events: frozenset[Event] | None = None

    def __repr__(self) -> str:
        return f"Channel({self.name!r}, arity={self.arity})"

    @property
    def arity(self) -> int:
        """Number of fields."""
        return len(self.domains)

    def event(self, *fields: Value) -> Event:
        """The event ``name.fields``, checking every field against its type."""
        if len(fields) != self.arity:
            raise CspEvalError(
                f"channel {self.name} has {self.arity} field(s), got {len(fields)}"
            )
        for i, f in enumerate(fields):
            self._check_field(i, f)
        return event(self.name, *fields)

    def _check_field(self, i: int, v: Value) -> None:
        dom = self._domain_sets[i]
        # ``True in {0, 1}`` holds in Python, so the type is compared as well as the value.
        if v not in dom or (dom and type(v) is not type(self.domains[i][0])):
            raise CspEvalError(
                f"value {show_value(v)} is outside the type of field {i + 1} of channel "
                f"{self.name}"
            )

    def events(self) -> frozenset[Event]:
        """Every event of the channel: ``{| c |}``."""
        if self._events is None:
            self._events = frozenset(self.production())
        return self._events

    def production(self, *prefix: Value) -> frozenset[Event]:
        """``{| c.prefix |}``: the events of this channel whose first fields are ``prefix``."""
        if len(prefix) > self.arity:
            raise CspEvalError(f"{self.name} has only {self.arity} field(s)")
        for i, f in enumerate(prefix):
            self._check_field(i, f)
        rest = self.domains[len(prefix):]
        return frozenset(event(self.name, *prefix, *tail) for tail in itertools.product(*rest))

    def matching(self, pattern: Sequence[Value | None | Iterable[Value]]) -> Iterator[Event]:
        """Events in deterministic order matching a field pattern.

        Each pattern entry is ``None`` (any value of the field's type: ``?x``), a set/list of
        allowed values (``?x:S``), or a single value (``!v`` / ``.v``).
        """
        if len(pattern) != self.arity:
            raise CspEvalError(
                f"channel {self.name} has {self.arity} field(s), pattern has {len(pattern)}"
            )
        choices: list[Sequence[Value]] = []
        for i, p in enumerate(pattern):
            dom = self.domains[i]
            if p is None:
                choices.append(dom)
            elif isinstance(p, (set, frozenset, list, range)):
                allowed = set(p)
                for v in sorted_values(allowed):
                    self._check_field(i, v)
                choices.append([v for v in dom if v in allowed])
            else:  # a single value: output or dotted field
                value = cast(Value, p)
                self._check_field(i, value)
                choices.append((value,))
        for fields in itertools.product(*choices):
            yield event(self.name, *fields)
