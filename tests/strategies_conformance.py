"""Hypothesis strategies for concurrency as captured: span trees with times and clocks, small
captured traces (skew, absent parents, asynchronous children, N-shaped siblings), small
deterministic automata and small CSPm specifications."""

from __future__ import annotations

from hypothesis import strategies as st

from cspotlp.mapping.abstraction import Abstraction, Drop, SpanMatch
from cspotlp.mapping.event_order import SpanTree
from cspotlp.otlp import CapturedTrace, Resource, Span, Status, attributes

MS = 1_000_000
RESOURCES = tuple(Resource(attributes({"service.name": s})) for s in ("s1", "s2", "s3"))
LABELS = ("A", "B")
"""Labels the generated specifications declare; spans named C are outside their alphabet and
spans named X are dropped by :data:`ABSTRACTION`."""
ABSTRACTION = Abstraction(label="{name}", drops=(Drop(SpanMatch(name="X")),))


def span_trees(max_spans: int = 5, max_codes: int = 3
               ) -> st.SearchStrategy[tuple[SpanTree, list[int]]]:
    """A span tree (times, clocks, open and hidden spans) and a code per visible event.

    Codes repeat often, so concurrent siblings are often interchangeable (symmetry); half the
    trees are *fans*: a root over siblings with times on a small grid and two codes, where
    siblings that look alike but are not interchangeable (one ends before a third starts, the
    other after) are frequent.
    """
    return st.one_of(_span_trees(max_spans, max_codes, 12, 0),
                     _span_trees(max_spans + 1, 2, 3, 1))


@st.composite
def _span_trees(draw: st.DrawFn, max_spans: int, max_codes: int, horizon: int, fan: int
                ) -> tuple[SpanTree, list[int]]:
    n = draw(st.integers(1, max_spans))
    parent = [-1]
    for k in range(1, n):
        parent.append(0 if fan else draw(st.sampled_from([-1, 0, 0, k - 1])))
    start = [draw(st.integers(0, horizon)) for _ in range(n)]
    end = [s + draw(st.integers(-2 * (1 - fan), horizon)) if draw(st.integers(0, 9)) else None
           for s in start]
    visible = [draw(st.integers(0, 6)) > 0 for _ in range(n)]
    begin_event, end_event, m = [], [], 0
    for k in range(n):
        begin_event.append(m if visible[k] else -1)
        m += visible[k]
    for k in range(n):
        closed = visible[k] and end[k] is not None
        end_event.append(m if closed else -1)
        m += closed
    clock = [draw(st.integers(0, 2)) for _ in range(n)] if draw(st.booleans()) else None
    tree = SpanTree(parent, start, end, begin_event, end_event, draw(st.sampled_from([0, 1, 3])),
                    clock)
    codes = [draw(st.integers(0, max_codes - 1)) for _ in range(m)]
    return tree, codes


class TableAutomaton:
    """A deterministic automaton given as a table (node -> code -> node)."""

    def __init__(self, table: list[dict[int, int]], final: frozenset[int]) -> None:
        self.table = table
        self.final = final

    def expand(self, node: int) -> dict[int, int]:
        return self.table[node]

    def run(self, codes: list[int]) -> int | None:
        node: int | None = 0
        for c in codes:
            node = self.table[node].get(c)
            if node is None:
                return None
        return node

    def __repr__(self) -> str:
        return f"TableAutomaton({self.table!r}, {set(self.final)!r})"


@st.composite
def automata(draw: st.DrawFn, codes: int = 3) -> TableAutomaton:
    """A small deterministic automaton that accepts most events (so that searches go deep)."""
    n = draw(st.integers(1, 4))
    table = [{c: draw(st.integers(0, n - 1)) for c in range(codes) if draw(st.integers(0, 4))}
             for _ in range(n)]
    final = frozenset(v for v in range(n) if draw(st.booleans()))
    return TableAutomaton(table, final)


@st.composite
def captured_traces(draw: st.DrawFn, number: int = 1, max_spans: int = 4) -> CapturedTrace:
    """A captured trace: labels A, B (declared), C (not declared) and X (dropped); times in
    milliseconds with overlaps, gaps, skew (children before or after their parent), async
    children, open spans, errors, absent parents, three services (clocks)."""
    tid = f"{number:032x}"
    n = draw(st.integers(1, max_spans))
    spans = []
    for k in range(n):
        choice = draw(st.integers(0, 9)) if k else 9
        parent = ("" if choice >= 8 else f"{number * 64 + draw(st.integers(0, k - 1)) + 1:016x}"
                  if choice >= 1 else "ee" * 8)  # absent parent now and then
        start = draw(st.integers(0, 12)) * MS // 2
        end = 0 if not draw(st.integers(0, 9)) else start + draw(st.integers(0, 8)) * MS // 2
        spans.append(Span(tid, f"{number * 64 + k + 1:016x}", parent,
                          draw(st.sampled_from("AAABBBCX")), 1, start, end,
                          status=Status(2 if not draw(st.integers(0, 4)) else 0),
                          resource=draw(st.sampled_from(RESOURCES))))
    return CapturedTrace(tid, tuple(spans))


@st.composite
def n_shaped_traces(draw: st.DrawFn, number: int = 1) -> CapturedTrace:
    """A parent whose four children form an N (a, b before c; b before d; a and d overlap),
    with random labels, services and statuses; sometimes one more, asynchronous, child."""
    tid = f"{number:032x}"
    root = f"{number * 64 + 1:016x}"
    times = [(0, 5), (0, 1), (7, 8), (3, 10)]  # a, b, c, d in ms
    spans = [Span(tid, root, "", draw(st.sampled_from("AB")), 2, 0, 12 * MS,
                  resource=RESOURCES[0])]
    # sometimes one more child, ordered after the N (even at the largest tolerance drawn)
    # that outlives the parent
    extra = [(14, 20)] if not draw(st.integers(0, 3)) else []
    for k, (s, e) in enumerate(times + extra):
        spans.append(Span(tid, f"{number * 64 + k + 2:016x}", root,
                          draw(st.sampled_from("AABBC")), 1, s * MS, e * MS,
                          status=Status(2 if not draw(st.integers(0, 4)) else 0),
                          resource=draw(st.sampled_from(RESOURCES))))
    return CapturedTrace(tid, tuple(draw(st.permutations(spans))))


EVENTS = tuple(f"{c}.{lab}" for c in ("call", "ret", "error") for lab in LABELS)


@st.composite
def _process(draw: st.DrawFn, depth: int) -> str:
    if depth == 0 or not draw(st.integers(0, 5)):
        return draw(st.sampled_from(["STOP", "SKIP", "RUNALL", "CHAOS(Events)", "ANYOF"]))
    if draw(st.integers(0, 2)) == 0:
        return f"{draw(st.sampled_from(EVENTS))} -> {draw(_process(depth - 1))}"
    op = draw(st.sampled_from(["[]", "|~|", "|||", ";", "[]"]))
    return f"({draw(_process(depth - 1))} {op} {draw(_process(depth - 1))})"


def specifications(depth: int = 3) -> st.SearchStrategy[str]:
    """CSPm text of a small specification SPEC over call/ret/error.{A, B}: prefixes, choices,
    interleaving, sequencing, and processes over ``Events`` (which, in an exported script, also
    holds the exporter's channels)."""
    return _process(depth).map(lambda body: (
        "datatype Label = A | B\n"
        "channel call, ret, error : Label\n"
        "RUNALL = [] e : Events @ e -> RUNALL\n"
        "ANYOF = [] e : diff(Events, {call.B}) @ e -> SKIP\n"
        f"SPEC = {body}\n"))
