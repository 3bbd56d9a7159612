"""The contract between abstract events and a specification's alphabet.

An abstract event ``call.<label>`` with data ``d1 ... dn`` (see
:mod:`cspotlp.mapping.abstraction`) is the CSP event ``call.L.V1...Vn`` where ``L`` is the
datatype constructor named :func:`~cspotlp.mapping.cspm_names.label_ident` of the label and
each ``Vk`` is the constructor :func:`~cspotlp.mapping.cspm_names.data_ident` of the k-th data
value — or the value itself when it is an int or a bool and the specification's field type
holds it. So a specification for the checkout example declares::

    datatype Label = Checkout | PlaceOrder | GetCart | Charge | ...
    channel call, ret, error : Label

and an abstraction whose rename rules give spans exactly those labels.

:class:`EventBinding` applies the contract. Without a specification alphabet every abstract
event has its CSP event (the exporter then declares the datatypes itself). With one (channel
name -> field domains, as an evaluated CSPm script gives them), an abstract event whose
channel, label or data the specification cannot carry has no CSP event: the conformance
checker reports it as an event the specification refuses, and the CSPm exporter writes it on
a channel of its own, ``unexpected``, which no specification synchronises on.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from cspotlp.csp.events import Event, event
from cspotlp.csp.values import Datum, Value, value_key
from cspotlp.mapping.abstraction import AbstractEvent, Abstraction
from cspotlp.mapping.cspm_names import (
    DataValue,
    data_ident,
    label_ident,
    label_of_ident,
    value_of_data_ident,
)

FieldDomains = Sequence[Collection[Value] | None]
"""The values each field of a channel carries (None: not known, e.g. not evaluated)."""


class EventBinding:
    """Abstract events -> CSP events of a specification's alphabet (memoised).

    >>> from cspotlp.mapping.abstraction import AbstractEvent, Abstraction
    >>> b = EventBinding(Abstraction(), {"call": [{Datum("Charge")}]})
    >>> ev = AbstractEvent("call", "Charge", (), "t", "s", "Charge", "payment")
    >>> b.event(ev).name, b.event(ev._replace(label="Ship"))
    ('call.Charge', None)
    """

    def __init__(self, abstraction: Abstraction,
                 channels: Mapping[str, FieldDomains] | None = None) -> None:
        self.abstraction = abstraction
        self.channels = channels
        self._reserved = abstraction.reserved_names()
        self._memo: dict[tuple[str, str, tuple[DataValue, ...]], Event | None] = {}
        self._keys: dict[tuple[str, int], frozenset[object] | None] = {}

    def label_value(self, label: str) -> Datum:
        """The datatype value standing for ``label``."""
        return Datum(label_ident(label, self._reserved))

    def event(self, ev: AbstractEvent) -> Event | None:
        """The CSP event of ``ev``, or None when the specification's alphabet lacks it."""
        key = (ev.channel, ev.label, ev.data)
        if key in self._memo:
            return self._memo[key]
        result = self._bind(*key)
        self._memo[key] = result
        return result

    def _bind(self, channel: str, label: str, data: tuple[DataValue, ...]) -> Event | None:
        label_value = self.label_value(label)
        if self.channels is None:
            return event(channel, label_value,
                         *(Datum(data_ident(k, v)) for k, v in enumerate(data, 1)))
        domains = self.channels.get(channel)
        if domains is None or len(domains) != 1 + len(data):
            return None
        if not self._holds(channel, 0, label_value):
            return None
        fields: list[Value] = [label_value]
        for k, v in enumerate(data, 1):
            candidates: list[Value] = [Datum(data_ident(k, v))]
            if isinstance(v, bool | int):
                candidates.insert(0, v)
            chosen = next((c for c in candidates if self._holds(channel, k, c)), None)
            if chosen is None:
                return None
            fields.append(chosen)
        return event(channel, *fields)

    def display_name(self, ev: Event) -> str:
        """The name of a specification event as the abstraction writes it.

        An event ``call.L.A1_S...`` whose label and data are names this binding gives
        (:func:`label_ident`, :func:`data_ident`) is written as its abstract event is
        (``call.payment.Charge."order-1"``); any other event keeps its CSPm name.

        >>> from cspotlp.csp.events import event
        >>> b = EventBinding(Abstraction())
        >>> b.display_name(event("call", Datum("L_payment_dCharge"))), b.display_name(event("x"))
        ('call.payment.Charge', 'x')
        """
        fields = ev.fields
        if ev.channel not in self.abstraction.channels or not fields:
            return ev.name
        first = fields[0]
        if not isinstance(first, Datum) or first.fields:
            return ev.name
        try:
            label = label_of_ident(first.ctor)
        except ValueError:
            return ev.name
        if label_ident(label, self._reserved) != first.ctor:
            return ev.name
        data: list[DataValue] = []
        for k, v in enumerate(fields[1:], 1):
            if isinstance(v, bool | int):
                data.append(v)
                continue
            decoded = value_of_data_ident(v.ctor) if isinstance(v, Datum) and not v.fields \
                else None
            if decoded is None or decoded[0] != k:
                return ev.name
            data.append(decoded[1])
        return AbstractEvent(ev.channel, label, tuple(data), "", "", "", "").name

    def _holds(self, channel: str, index: int, value: Value) -> bool:
        key = (channel, index)
        if key not in self._keys:
            assert self.channels is not None
            dom = self.channels[channel][index]
            # value keys keep True apart from 1 (Python's == conflates them)
            self._keys[key] = None if dom is None else frozenset(value_key(v) for v in dom)
        allowed = self._keys[key]
        return allowed is not None and value_key(value) in allowed


__all__ = ["EventBinding", "FieldDomains"]
