"""Span forests (docs/theory.md): span records with integer times, validity, norm-free helpers.

A forest maps span ids to records ``{id, parent, name, payload, start, end | open, marks, links,
status}``. It is *valid* when ids are unique, parents exist, there are no cycles,
``start(parent) <= start(child) <= end(parent)``, ``start <= end``, each span's marks and links lie
in its own interval, and an open span has no status. It is *normalised* when its time stamps are
exactly 1..m, each used by one occurrence, and each span lists its marks (and its links) in time
order — exactly the valid forests that ``norm`` leaves unchanged.

A span's marks may be listed out of time order in a general forest (captured data need not be
sorted); the list position only breaks ties between marks of one span at one time.
"""

from __future__ import annotations

from collections.abc import Container, Hashable, Iterable, Iterator, Mapping
from dataclasses import dataclass

from cspotlp.errors import MappingError
from cspotlp.mapping.vocabulary import SpanId, id_key


@dataclass(frozen=True, slots=True)
class TimedMark:
    """An OTLP span event at ``time``."""

    time: int
    name: str
    payload: Hashable = None


@dataclass(frozen=True, slots=True)
class TimedLink:
    """A link to span context ``target``, recorded at ``time``."""

    time: int
    target: Hashable
    payload: Hashable = None


@dataclass(frozen=True, slots=True)
class SpanRecord:
    """One span of a forest. ``end is None`` means the span is open (and ``status`` is None)."""

    id: SpanId
    parent: SpanId | None
    name: str
    payload: Hashable
    start: int
    end: int | None
    marks: tuple[TimedMark, ...] = ()
    links: tuple[TimedLink, ...] = ()
    status: Hashable = None


class Forest(Mapping[SpanId, SpanRecord]):
    """An immutable mapping from span id to record; iteration is in span-id order.

    Equality is equality of the mappings, so two forests built in different orders are equal.
    Two records with one id raise :class:`~cspotlp.errors.MappingError` (captured data with
    duplicated ids is reported by the OTLP reader before a forest is built).
    """

    __slots__ = ("_spans",)

    def __init__(self, records: Iterable[SpanRecord]) -> None:
        spans: dict[SpanId, SpanRecord] = {}
        for rec in records:
            if rec.id in spans:
                raise MappingError(f"duplicate span id {rec.id!r} in forest")
            spans[rec.id] = rec
        self._spans = {k: spans[k] for k in sorted(spans, key=id_key)}

    def __getitem__(self, key: SpanId) -> SpanRecord:
        return self._spans[key]

    def __iter__(self) -> Iterator[SpanId]:
        return iter(self._spans)

    def __len__(self) -> int:
        return len(self._spans)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Forest):
            return NotImplemented
        return self._spans == other._spans

    def __hash__(self) -> int:
        return hash(tuple(self._spans.values()))

    def __repr__(self) -> str:
        return f"Forest({list(self._spans.values())!r})"

    def records(self) -> tuple[SpanRecord, ...]:
        """The span records in span-id order."""
        return tuple(self._spans.values())


def depths(forest: Forest) -> dict[SpanId, int]:
    """Depth of each span (roots 0), computed iteratively.

    Spans on a cycle or under an absent parent get the depth of the walk up to where it stops.
    """
    parent = {rec.id: rec.parent for rec in forest.records()}
    depth: dict[SpanId, int] = {}
    for sid in parent:
        chain: list[SpanId] = []
        seen: set[SpanId] = set()
        cur: SpanId | None = sid
        while cur is not None and cur not in depth and cur in parent and cur not in seen:
            seen.add(cur)
            chain.append(cur)
            cur = parent[cur]
        base = depth[cur] + 1 if cur is not None and cur in depth else 0
        for offset, node in enumerate(reversed(chain)):
            depth[node] = base + offset
    return depth


def forest_violations(forest: Forest) -> list[str]:
    """Every way in which ``forest`` is not a valid forest (empty when valid)."""
    problems: list[str] = []
    for rec in forest.records():
        if rec.end is not None and rec.end < rec.start:
            problems.append(f"span {rec.id!r} ends at {rec.end} before it starts at {rec.start}")
        if rec.end is None and rec.status is not None:
            problems.append(f"open span {rec.id!r} has status {rec.status!r}")
        hi = rec.end
        for what, times in (("mark", [m.time for m in rec.marks]), ("link", [k.time for k in rec.links])):
            for t in times:
                if t < rec.start or (hi is not None and t > hi):
                    problems.append(f"{what} of span {rec.id!r} at {t} outside [{rec.start}, {hi}]")
        if rec.parent is None:
            continue
        if rec.parent not in forest:
            problems.append(f"span {rec.id!r} has absent parent {rec.parent!r}")
            continue
        par = forest[rec.parent]
        if rec.start < par.start or (par.end is not None and rec.start > par.end):
            problems.append(
                f"span {rec.id!r} starts at {rec.start} outside its parent {par.id!r} "
                f"[{par.start}, {par.end}]"
            )
    problems.extend(_cycles(forest))
    return problems


def _cycles(forest: Forest) -> list[str]:
    state: dict[SpanId, int] = {}  # 1 = on the current walk, 2 = known acyclic
    found: list[str] = []
    for sid in forest:
        walk: list[SpanId] = []
        cur: SpanId | None = sid
        while cur is not None and cur in forest and state.get(cur) is None:
            state[cur] = 1
            walk.append(cur)
            cur = forest[cur].parent
        if cur is not None and state.get(cur) == 1:
            found.append(f"span {cur!r} is its own ancestor")
        for node in walk:
            state[node] = 2
    return found


def is_valid_forest(forest: Forest) -> bool:
    """True when ``forest`` satisfies every forest condition."""
    return not forest_violations(forest)


def is_normalised(forest: Forest) -> bool:
    """True when the times are exactly 1..m, each used once, and marks and links in time order.

    For a valid forest this holds exactly when ``norm(forest) == forest``.
    """
    times: list[int] = []
    for rec in forest.records():
        times.append(rec.start)
        if rec.end is not None:
            times.append(rec.end)
        for seq in ([m.time for m in rec.marks], [k.time for k in rec.links]):
            if any(a >= b for a, b in zip(seq, seq[1:], strict=False)):
                return False
            times.extend(seq)
    return sorted(times) == list(range(1, len(times) + 1))


def restrict(forest: Forest, spans: Container[SpanId]) -> Forest:
    """F|A: the records of ``forest`` whose id is in ``spans``, times unchanged.

    The result is valid when ``forest`` is and ``spans`` holds the parent of each of its members;
    otherwise the dropped parents show up as absent in :func:`forest_violations`.
    """
    return Forest(rec for rec in forest.records() if rec.id in spans)
