r"""Abstraction: from captured spans to the small alphabet a model checker can handle.

Model checking needs few, meaningful event names; captured traces have thousands of spans with
high-cardinality names (``GET /users/123``). An :class:`Abstraction` decides, for each span:

1. whether it is **dropped** (``drop`` rules, or ``drop_client_spans``: an RPC then appears once,
   as its server span); a rule with ``subtree`` drops the span's descendants too;
2. its **templated name**: the first ``templates`` entry that matches the whole span name
   replaces it by the template, so ``GET /users/123`` matched by ``GET /users/{id}`` becomes
   ``GET /users/{id}`` (a placeholder matches ``[^/]+``, or its own regex: ``{id:[0-9]+}``);
3. its **label**: the first ``rename`` rule that matches gives it (a format with ``{service}``,
   ``{name}`` — the templated name —, ``{kind}`` and the regex groups of the rule), else the
   default format ``{service}.{name}``;
4. its **data**: the values of the ``data`` attributes (``{id}`` names a template placeholder),
   which become fields of its events.

With ``label_attribute``, a kept span that carries that string attribute takes its value as
label instead (for instance one set by an OTTL statement, ``cspotlp abstract --ottl``).

A span that is kept gives two abstract events, ordered as Ψ orders span events (a parent begins
before its children; ties broken deterministically, see :func:`cspotlp.mapping.psi`):
``call.<label>`` at its begin and, at its end, ``ret.<label>`` — or ``error.<label>`` when its
status is error (instead of ``ret``). The channel names are configurable. Each
:class:`AbstractEvent` keeps the trace id, span id, span name and service of its span, so a
verdict about an abstract event points at the real span.

Rules match with regexes on the service name, the span name and the span kind (``server``,
``client``, ``internal``, ``producer``, ``consumer``, ``unspecified``); every given regex must
match the whole text. Regexes are RE2's (linear time whatever the span name; no backreferences
or look-around, ASCII ``\d \w \s``): see :mod:`cspotlp.mapping.linear_regex`. An abstraction is read from JSON or TOML (:func:`load_abstraction`) and
written back canonically (:meth:`Abstraction.to_json`; read with
:func:`cspotlp.mapping.abstraction_file.load_abstraction`), so every export stores the
abstraction it used::

    {
      "label": "{service}.{name}",
      "channels": {"call": "call", "ret": "ret", "error": "error"},
      "drop_client_spans": true,
      "drop": [{"service": "flagd", "subtree": true}],
      "templates": [{"template": "GET /api/products/{id}"}],
      "rename": [{"service": "checkout", "name": "oteldemo\\.\\w+/(?P<method>\\w+)",
                  "label": "{method}"}],
      "data": ["app.order.id"]
    }
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from cspotlp.errors import AbstractionError
from cspotlp.mapping.cspm_names import DataValue, is_identifier
from cspotlp.mapping.event_order import EventOrder, SpanTree
from cspotlp.mapping.linear_regex import LinearRegex
from cspotlp.otlp.model import AnyValue, Attributes, attribute, service_name
from cspotlp.otlp.reader import CapturedTrace
from cspotlp.otlp.repair import TreeNode, ValidTrace, validate

KIND_NAMES: tuple[str, ...] = ("unspecified", "internal", "server", "client", "producer",
                               "consumer")
"""Span kind names in rules, indexed by the OTLP kind number."""

UNKNOWN_SERVICE = "unknown_service"
"""The service of a span whose resource has no ``service.name`` (OpenTelemetry's default)."""

_STATUS_ERROR = 2
_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_]*)\}|[{}]")


class AbstractEvent(NamedTuple):
    """One abstract event and the span it came from.

    ``channel`` is the event kind (``call`` / ``ret`` / ``error`` by default), ``label`` the
    span's label, ``data`` the picked attribute values; ``name`` is their text.
    """

    channel: str
    label: str
    data: tuple[DataValue, ...]
    trace_id: str
    span_id: str
    span_name: str
    service: str

    @property
    def name(self) -> str:
        """``channel.label`` followed by the data values (display text, not CSPm)."""
        parts = [self.channel, self.label, *(json.dumps(v) for v in self.data)]
        return ".".join(parts)


@dataclass(frozen=True)
class AbstractTrace:
    """The abstract events of one captured trace, in Ψ's order, and how it was obtained."""

    trace_id: str
    events: tuple[AbstractEvent, ...]
    file: str = ""
    repairs: tuple[str, ...] = ()
    """One line per repair applied while validating the trace (and per clock skew tolerated)."""
    tree: SpanTree | None = field(default=None, compare=False, repr=False)
    """The spans with their times, whose partial order (:meth:`SpanTree.order`) the events
    follow; None when the events are simply in the order listed (:func:`abstract_trace`)."""

    def order(self) -> EventOrder | None:
        """The partial order of the events (None: they are totally ordered as listed)."""
        return None if self.tree is None else self.tree.order()


# -- rules ----------------------------------------------------------------------------------


def _compile(pattern: str | None, where: str) -> LinearRegex | None:
    # RE2, not re: a span name from a capture must not be able to stall a match (see
    # cspotlp.mapping.linear_regex for the syntax and its differences from Python's)
    if pattern is None:
        return None
    try:
        return LinearRegex(pattern)
    except ValueError as e:
        raise AbstractionError(f"{where}: bad regex {pattern!r}: {e}") from e


@dataclass(frozen=True)
class SpanMatch:
    """Which spans a rule applies to: regexes on service and name, and a set of kinds."""

    service: str | None = None
    name: str | None = None
    kinds: tuple[str, ...] = ()
    _service_re: LinearRegex | None = field(default=None, compare=False, repr=False)
    _name_re: LinearRegex | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        for k in self.kinds:
            if k not in KIND_NAMES:
                raise AbstractionError(f"unknown span kind {k!r}; expected one of "
                                       f"{', '.join(KIND_NAMES)}")
        object.__setattr__(self, "_service_re", _compile(self.service, "service"))
        object.__setattr__(self, "_name_re", _compile(self.name, "name"))

    def groups(self) -> frozenset[str]:
        """Names of the regex groups a match provides."""
        names: set[str] = set()
        for r in (self._service_re, self._name_re):
            if r is not None:
                names |= set(r.groupindex)
        return frozenset(names)

    def match(self, service: str, name: str, kind: int) -> dict[str, str] | None:
        """The named groups when the span matches (empty dict if none), else None."""
        if self.kinds and _kind_name(kind) not in self.kinds:
            return None
        found: dict[str, str] = {}
        for r, text in ((self._service_re, service), (self._name_re, name)):
            if r is None:
                continue
            groups = r.fullmatch(text)
            if groups is None:
                return None
            found.update(groups)
        return found

    def to_json(self) -> dict[str, Any]:
        """The JSON object of this match (only the fields that are set)."""
        out: dict[str, Any] = {}
        if self.service is not None:
            out["service"] = self.service
        if self.name is not None:
            out["name"] = self.name
        if self.kinds:
            out["kind"] = list(self.kinds)
        return out


def _kind_name(kind: int) -> str:
    return KIND_NAMES[kind] if 0 <= kind < len(KIND_NAMES) else "unspecified"


@dataclass(frozen=True)
class Drop:
    """Drop the matching spans (and, with ``subtree``, everything below them)."""

    match: SpanMatch
    subtree: bool = False


@dataclass(frozen=True)
class Template:
    """Replace a span name that matches ``template`` entirely by the template itself.

    ``{id}`` matches ``[^/]+``; ``{id:REGEX}`` matches REGEX; ``{{`` and ``}}`` are braces.
    The templated name writes each placeholder as ``{id}``.
    """

    template: str
    match: SpanMatch = SpanMatch()
    _regex: LinearRegex = field(default=LinearRegex(""), compare=False, repr=False)
    _text: str = field(default="", compare=False, repr=False)

    def __post_init__(self) -> None:
        regex, text = _parse_template(self.template)
        compiled = _compile(regex, f"template {self.template!r}")
        assert compiled is not None
        object.__setattr__(self, "_regex", compiled)
        object.__setattr__(self, "_text", text)

    @property
    def placeholders(self) -> tuple[str, ...]:
        """Placeholder names in template order."""
        return tuple(self._regex.groupindex)

    def apply(self, name: str) -> tuple[str, dict[str, str]] | None:
        """(templated name, placeholder values) when ``name`` matches, else None."""
        groups = self._regex.fullmatch(name)
        if groups is None:
            return None
        return self._text, groups


def _parse_template(template: str) -> tuple[str, str]:
    """The regex and the display text of a template (see :class:`Template`)."""
    regex: list[str] = []
    text: list[str] = []
    seen: set[str] = set()
    i, n = 0, len(template)
    while i < n:
        ch = template[i]
        if template.startswith(("{{", "}}"), i):
            regex.append(re.escape(ch))
            text.append(ch)
            i += 2
            continue
        if ch == "}":
            raise AbstractionError(f"template {template!r}: unmatched '}}' at {i}")
        if ch != "{":
            regex.append(re.escape(ch))
            text.append(ch)
            i += 1
            continue
        depth, j = 1, i + 1
        while j < n and depth:
            depth += {"{": 1, "}": -1}.get(template[j], 0)
            j += 1
        if depth:
            raise AbstractionError(f"template {template!r}: unclosed '{{' at {i}")
        inner = template[i + 1:j - 1]
        name, _, sub = inner.partition(":")
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name) or name in seen:
            raise AbstractionError(f"template {template!r}: bad or repeated placeholder "
                                   f"{{{inner}}}")
        seen.add(name)
        regex.append(f"(?P<{name}>{sub or '[^/]+'})")
        text.append("{" + name + "}")
        i = j
    return "".join(regex), "".join(text)


@dataclass(frozen=True)
class Rename:
    """Give matching spans the label ``label`` (a format, see the module docstring)."""

    match: SpanMatch
    label: str


def _format(fmt: str, values: Mapping[str, str]) -> str:
    """``fmt`` with ``{key}`` replaced from ``values`` and ``{{`` / ``}}`` as braces."""
    def sub(m: re.Match[str]) -> str:
        whole = m.group(0)
        if whole in ("{{", "}}"):
            return whole[0]
        return values[m.group(1)]

    return _PLACEHOLDER.sub(sub, fmt)


def _check_format(fmt: str, allowed: Iterable[str], where: str) -> None:
    allowed = set(allowed)
    for m in _PLACEHOLDER.finditer(fmt):
        whole = m.group(0)
        if whole in ("{{", "}}"):
            continue
        if m.group(1) is None:
            raise AbstractionError(f"{where}: stray {whole!r} in {fmt!r} (write {whole * 2})")
        if m.group(1) not in allowed:
            raise AbstractionError(f"{where}: unknown placeholder {{{m.group(1)}}} in {fmt!r}; "
                                   f"available: {', '.join(sorted(allowed))}")


class SpanLabel(NamedTuple):
    """What the abstraction makes of one span: its label and data, or that it is dropped."""

    label: str | None
    """None when the span is dropped."""
    drop_subtree: bool
    placeholders: tuple[tuple[str, str], ...]


# -- the abstraction ------------------------------------------------------------------------


@dataclass(frozen=True)
class Abstraction:
    """A span -> label function with its rules (see the module docstring)."""

    label: str = "{service}.{name}"
    templates: tuple[Template, ...] = ()
    renames: tuple[Rename, ...] = ()
    drops: tuple[Drop, ...] = ()
    drop_client_spans: bool = False
    data: tuple[str, ...] = ()
    call: str = "call"
    ret: str = "ret"
    error: str = "error"
    label_attribute: str | None = None
    """A span attribute whose (string) value, when present, is the span's label."""
    _cache: dict[tuple[str, str, int], SpanLabel] = field(
        default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        channels = (self.call, self.ret, self.error)
        for ch in channels:
            if not is_identifier(ch):
                raise AbstractionError(f"channels: {ch!r} is not a CSPm identifier")
        if len(set(channels)) != 3:
            raise AbstractionError("channels: call, ret and error need three different names")
        base = {"service", "name", "kind"}
        _check_format(self.label, base, "label")
        for k, r in enumerate(self.renames):
            _check_format(r.label, base | r.match.groups(), f"rename[{k}].label")
        for key in self.data:
            if key.startswith("{") and key.endswith("}"):
                name = key[1:-1]
                if not any(name in t.placeholders for t in self.templates):
                    raise AbstractionError(f"data: no template has the placeholder {key}")

    @property
    def reads_attributes(self) -> bool:
        """Whether spans must be read with their attributes (a reader may drop them otherwise).

        They must when a ``data`` key names an attribute, or ``label_attribute`` takes labels from one.
        """
        return self.label_attribute is not None or any(not key.startswith("{") for key in self.data)

    @property
    def channels(self) -> tuple[str, str, str]:
        """The names of the call, ret and error events."""
        return self.call, self.ret, self.error

    def reserved_names(self) -> frozenset[str]:
        """Names a plain label may not take beyond the CSPm ones: the channel names."""
        return frozenset(self.channels)

    # -- per span ----------------------------------------------------------------------------

    def classify(self, service: str, name: str, kind: int) -> SpanLabel:
        """The label (None: dropped) of a span with this service, name and kind (memoised)."""
        key = (service, name, kind)
        hit = self._cache.get(key)
        if hit is not None:
            return hit
        result = self._classify(service, name, kind)
        self._cache[key] = result
        return result

    def _classify(self, service: str, name: str, kind: int) -> SpanLabel:
        for d in self.drops:
            if d.match.match(service, name, kind) is not None:
                return SpanLabel(None, d.subtree, ())
        if self.drop_client_spans and kind == KIND_NAMES.index("client"):
            return SpanLabel(None, False, ())
        templated, values = name, dict[str, str]()
        for t in self.templates:
            if t.match.match(service, name, kind) is None:
                continue
            applied = t.apply(name)
            if applied is not None:
                templated, values = applied
                break
        base = {"service": service, "name": templated, "kind": _kind_name(kind)}
        for r in self.renames:
            groups = r.match.match(service, templated, kind)
            if groups is not None:
                return SpanLabel(_format(r.label, {**base, **groups}), False,
                                 tuple(sorted(values.items())))
        return SpanLabel(_format(self.label, base), False, tuple(sorted(values.items())))

    def data_of(self, attributes: Attributes, placeholders: Iterable[tuple[str, str]]
                ) -> tuple[DataValue, ...]:
        """The event data of a span: its values of the ``data`` attributes, in order."""
        if not self.data:
            return ()
        holes = dict(placeholders)
        out: list[DataValue] = []
        for key in self.data:
            if key.startswith("{") and key.endswith("}"):
                out.append(holes.get(key[1:-1]))
                continue
            out.append(next((_data_value(kv.value) for kv in attributes if kv.key == key), None))
        return tuple(out)

    # -- serialisation -----------------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        """The canonical JSON object of this abstraction (every field, fixed key order)."""
        return {
            "label": self.label,
            "channels": {"call": self.call, "ret": self.ret, "error": self.error},
            "drop_client_spans": self.drop_client_spans,
            "drop": [{**d.match.to_json(), **({"subtree": True} if d.subtree else {})}
                     for d in self.drops],
            "templates": [{"template": t.template, **t.match.to_json()} for t in self.templates],
            "rename": [{**r.match.to_json(), "label": r.label} for r in self.renames],
            "data": list(self.data),
            **({"label_attribute": self.label_attribute}
               if self.label_attribute is not None else {}),
        }

    def dumps(self) -> str:
        """:meth:`to_json` as indented JSON text (ASCII only, trailing newline)."""
        return json.dumps(self.to_json(), indent=2, ensure_ascii=True) + "\n"


DEFAULT_ABSTRACTION = Abstraction()
"""``{service}.{name}`` labels, nothing dropped, no data."""


def _data_value(value: AnyValue) -> DataValue:
    kind, v = value.kind, value.value
    if kind in ("string", "bool", "int", "double"):
        assert isinstance(v, str | bool | int | float)
        return v
    if kind == "empty":
        return None
    try:
        return json.dumps(value.to_python(bytes_hex=True), sort_keys=True, ensure_ascii=True)
    except RecursionError:  # json's encoder recurses; such nesting is no useful event data
        return f"<deeply nested {kind}>"


# -- abstracting traces ---------------------------------------------------------------------


def abstract_trace(trace: CapturedTrace | ValidTrace, abstraction: Abstraction = DEFAULT_ABSTRACTION,
                   *, repairs: Iterable[str] = ()) -> AbstractTrace:
    """The abstract events of one captured trace, in Ψ's order (see the module docstring).

    Events are in Ψ's order: exactly the order of the ``begin`` and ``end`` events in
    ``psi(to_forest(validate(trace, repairs)))`` (a property test checks this), computed without
    building the forest, since marks and links never reach abstract events. This is one
    linearisation of the trace's partial order; :func:`cspotlp.mapping.observed.abstract_observed`
    keeps the order itself (and tolerates clock skew).

    Raises:
        OtlpError: the trace is not a span forest and no named repair makes it one.
    """
    valid = trace if isinstance(trace, ValidTrace) else validate(trace, tuple(repairs))
    nodes = valid.nodes
    labeller = SpanLabeller(valid, abstraction)
    call, ret, error = abstraction.channels
    events: list[AbstractEvent] = []
    for _time, cls, _depth, _id, k in psi_order(nodes):
        if cls == _END:
            info = labeller.kept[k]
            if info is not None:
                events.append(info.event(ret if info.status != _STATUS_ERROR else error))
            continue
        info = labeller.label(k)
        if info is not None:
            events.append(info.event(call))
    return AbstractTrace(valid.trace.trace_id, tuple(events), valid.trace.file,
                         repair_notes(valid))


def repair_notes(valid: ValidTrace) -> tuple[str, ...]:
    """One line per repair applied while validating ``valid``."""
    return tuple(f"{d.repair}: span {d.span_id}: {d.message}" for d in valid.repairs)


class KeptSpan(NamedTuple):
    """A span the abstraction keeps: its label, data, span fields and service."""

    label: str
    data: tuple[DataValue, ...]
    trace_id: str
    span_id: str
    name: str
    service: str
    status: int

    def event(self, channel: str) -> AbstractEvent:
        """Its abstract event on ``channel``."""
        return AbstractEvent(channel, self.label, self.data, self.trace_id, self.span_id,
                             self.name, self.service)


class SpanLabeller:
    """Labels the nodes of a validated trace; a node must be labelled after its parent.

    ``kept[k]`` is the :class:`KeptSpan` of node ``k`` once labelled, None when dropped (or not
    yet labelled). Synthetic roots made up by repairs are never kept.
    """

    def __init__(self, valid: ValidTrace, abstraction: Abstraction) -> None:
        self.valid = valid
        self.abstraction = abstraction
        self.kept: list[KeptSpan | None] = [None] * len(valid.nodes)
        self._pruned: set[str] = set()
        self._services: dict[int, str] = {}  # resource objects are shared by a batch's spans

    def label(self, k: int) -> KeptSpan | None:
        """Label node ``k`` (its parent first) and return it when kept."""
        node = self.valid.nodes[k]
        if node.parent is not None and node.parent in self._pruned:
            self._pruned.add(node.id)  # below a span dropped with its subtree
            return None
        if node.span_index < 0:
            return None
        sp = self.valid.trace.spans[node.span_index]
        service = self._services.get(id(sp.resource))
        if service is None:
            service = self._services[id(sp.resource)] = \
                service_name(sp.resource) or UNKNOWN_SERVICE
        sl = self.abstraction.classify(service, sp.name, sp.kind)
        if sl.label is None:
            if sl.drop_subtree:
                self._pruned.add(node.id)
            return None
        label = sl.label
        if self.abstraction.label_attribute is not None:
            chosen = attribute(sp.attributes, self.abstraction.label_attribute)
            if chosen is not None and chosen.kind == "string" and chosen.value:
                label = str(chosen.value)
        info = KeptSpan(label, self.abstraction.data_of(sp.attributes, sl.placeholders),
                        sp.trace_id, sp.span_id, sp.name, service, sp.status.code)
        self.kept[k] = info
        return info


_BEGIN, _END = 0, 3  # Ψ's occurrence classes (cspotlp.mapping.correspondence.BEGIN / END)


def psi_order(nodes: Sequence[TreeNode]) -> list[tuple[int, int, int, str, int]]:
    """(time, class, depth, id, node index) of every begin and end, sorted as Ψ sorts them.

    Ψ's key is (time, class, depth for begins, span id, position); the ids of a validated trace
    are distinct strings, so the node index never decides.
    """
    index = {n.id: k for k, n in enumerate(nodes)}
    depth = [-1] * len(nodes)
    for k in range(len(nodes)):
        chain: list[int] = []
        cur: int | None = k
        while cur is not None and depth[cur] < 0:
            chain.append(cur)
            parent = nodes[cur].parent
            cur = index.get(parent) if parent is not None else None
        base = depth[cur] + 1 if cur is not None else 0
        for offset, node in enumerate(reversed(chain)):
            depth[node] = base + offset
    order = [(n.start, _BEGIN, depth[k], n.id, k) for k, n in enumerate(nodes)]
    order.extend((n.end, _END, 0, n.id, k) for k, n in enumerate(nodes) if n.end is not None)
    order.sort()
    return order


__all__ = [
    "DEFAULT_ABSTRACTION", "KIND_NAMES", "UNKNOWN_SERVICE", "AbstractEvent", "AbstractTrace",
    "Abstraction", "Drop", "KeptSpan", "Rename", "SpanLabel", "SpanLabeller", "SpanMatch",
    "Template", "abstract_trace", "psi_order", "repair_notes",
]
