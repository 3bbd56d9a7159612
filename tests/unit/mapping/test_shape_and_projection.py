import pytest

from cspotlp.errors import MappingError
from cspotlp.mapping import (
    Begin,
    End,
    Forest,
    Link,
    Mark,
    SpanRecord,
    TimedMark,
    causal_order,
    is_linear_extension,
    is_normalised,
    is_valid_forest,
    linear_extensions,
    norm,
    phi,
    prefix,
    project,
    psi,
    restrict,
    restrict_trace,
    shape,
    spans_of,
)


def test_forest_with_marks_out_of_order_is_not_normalised() -> None:
    f = Forest([SpanRecord(1, None, "r", None, 1, 4, (TimedMark(3, "x"), TimedMark(2, "y")))])
    assert is_valid_forest(f)
    assert not is_normalised(f)
    assert norm(f).records()[0].marks == (TimedMark(2, "y"), TimedMark(3, "x"))
    assert is_normalised(norm(f))


def test_duplicate_ids_raise_the_mapping_error() -> None:
    with pytest.raises(MappingError, match="duplicate span id 1"):
        Forest([SpanRecord(1, None, "a", None, 1, None), SpanRecord(1, None, "b", None, 2, None)])


def test_prefix_clamps() -> None:
    t = (Begin(1, None, "a"), End(1))
    assert prefix(t, -3) == () and prefix(t, 9) == t


def test_shape_keeps_mark_and_link_order_and_forgets_times() -> None:
    f = Forest([SpanRecord(1, None, "r", "p", 10, 90,
                           (TimedMark(50, "late"), TimedMark(20, "early"), TimedMark(20, "tie")),
                           (), "OK")])
    (s,) = shape(f)
    assert [m.name for m in s.marks] == ["early", "tie", "late"]
    assert s.begin == Begin(1, None, "r", "p") and s.end == End(1, "OK")
    assert shape(norm(f)) == shape(f)


def test_causal_order_of_parent_child_with_mark_and_link() -> None:
    t = (Begin(1, None, "p"), Mark(1, "m"), Begin(2, 1, "c"), Link(2, "ctx"), End(1), End(2))
    order = causal_order(shape(phi(t)))
    named = {(order.events[a], order.events[b]) for a, b in order.edges}
    assert (Begin(1, None, "p"), Begin(2, 1, "c")) in named          # C2
    assert (Begin(2, 1, "c"), End(1)) in named                       # C3
    assert (Mark(1, "m"), End(1)) in named                           # C4
    assert (Link(2, "ctx"), End(2)) in named                         # C5
    assert (End(1), End(2)) not in named and (End(2), End(1)) not in named
    extensions = list(linear_extensions(order))
    ends = {tuple(e for e in ext if isinstance(e, End)) for ext in extensions}
    assert ends == {(End(1), End(2)), (End(2), End(1))}   # the child may end either side
    assert t in extensions and all(is_linear_extension(order, e) for e in extensions)
    assert not is_linear_extension(order, (Begin(1, None, "p"), End(1), Begin(2, 1, "c")))


def test_identical_marks_are_distinct_nodes() -> None:
    t = (Begin(1, None, "a"), Mark(1, "m"), Mark(1, "m"), End(1))
    assert list(linear_extensions(causal_order(shape(phi(t))))) == [t]


def test_restrict_and_project() -> None:
    u = (Begin("a", None, "x"), Begin("b", None, "y"), Mark("b", "m"), End("a"), Begin("c", "b", "z"))
    f = phi(u)
    assert set(restrict(f, {"b", "c"})) == {"b", "c"}
    assert project(f, {"b", "c"}) == phi(restrict_trace(u, {"b", "c"}))
    assert project(f, {"b", "c"})["c"].start == 3
    assert not is_valid_forest(restrict(f, {"c"}))   # the parent was dropped
    assert spans_of(u) == frozenset({"a", "b", "c"})
    assert psi(project(f, {"a"})) == (Begin("a", None, "x"), End("a"))
