"""Channels whose fields have infinite types (``channel c : Int``).

FDR accepts such a channel as long as only finitely many of its events are used: ``c!3``,
``c?x:{0..2}``, ``{c.1, c.2}``. What would enumerate the type — ``c?x``, ``{| c |}``,
``Events`` — is an error that names the channel and the field. :class:`InfiniteChannel` is
the :class:`~cspotlp.csp.events.Channel` the evaluator declares for them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any, cast

from cspotlp.csp.events import Channel, Event, event
from cspotlp.csp.values import Value, show_value, sorted_values
from cspotlp.cspm.values import InfiniteSet
from cspotlp.errors import CspEvalError


class InfiniteChannel(Channel):
    """A channel with at least one field of infinite type (membership is still checked).

    >>> from cspotlp.cspm.values import InfiniteSet
    >>> c = InfiniteChannel("c", [InfiniteSet("Int", lambda v: isinstance(v, int))])
    >>> str(c.event(7))
    'c.7'
    >>> c.events()
    Traceback (most recent call last):
    ...
    cspotlp.errors.CspEvalError: the events of channel c cannot be listed: field 1 has the infinite type Int
    """

    __slots__ = ("_fields",)

    def __init__(self, name: str, fields: Sequence[Iterable[Value] | InfiniteSet]) -> None:
        # Channel.__init__ sorts each domain: only the finite ones can be.
        self.name = name
        self._fields = tuple(f if isinstance(f, InfiniteSet) else frozenset(f) for f in fields)
        self.domains = tuple(() if isinstance(f, InfiniteSet) else tuple(sorted_values(f))
                             for f in self._fields)
        self._domain_sets = tuple(frozenset() if isinstance(f, InfiniteSet) else f
                                  for f in self._fields)
        self._events = None

    def _infinite(self, start: int = 0) -> str | None:
        for i, f in enumerate(self._fields[start:], start=start):
            if isinstance(f, InfiniteSet):
                return f"field {i + 1} has the infinite type {f}"
        return None

    def _check_field(self, i: int, v: Value) -> None:
        allowed: Any = self._fields[i]
        inside = allowed.contains(v) if isinstance(allowed, InfiniteSet) else v in allowed
        if not inside:
            raise CspEvalError(f"value {show_value(v)} is outside the type of field {i + 1} "
                               f"of channel {self.name}")

    def events(self) -> frozenset[Event]:
        """Every event: an error, there are infinitely many."""
        return self.production()

    def production(self, *prefix: Value) -> frozenset[Event]:
        """``{| c.prefix |}``, if the remaining fields are all finite."""
        for i, f in enumerate(prefix):
            self._check_field(i, f)
        why = self._infinite(len(prefix))
        if why is not None:
            raise CspEvalError(f"the events of channel {self.name} cannot be listed: {why}")
        return super().production(*prefix)

    def matching(self, pattern: Sequence[Value | None | Iterable[Value]]) -> Iterator[Event]:
        """Events matching a field pattern; an unrestricted infinite field is an error."""
        choices: list[Sequence[Value]] = []
        for i, p in enumerate(pattern):
            if p is None:
                f = self._fields[i]
                if isinstance(f, InfiniteSet):
                    raise CspEvalError(f"an input on channel {self.name} would range over "
                                       f"the infinite type {f} (field {i + 1})")
                choices.append(self.domains[i])
            elif isinstance(p, set | frozenset | list | range):
                values = sorted_values(set(p))
                for v in values:
                    self._check_field(i, v)
                choices.append(values)
            else:
                value = cast(Value, p)
                self._check_field(i, value)
                choices.append((value,))
        stack: list[tuple[Value, ...]] = [()]
        for options in choices:
            stack = [(*done, v) for done in stack for v in options]
        for fields in stack:
            yield event(self.name, *fields)
