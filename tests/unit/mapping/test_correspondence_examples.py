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
    is_wf,
    norm,
    phi,
    psi,
)


def test_phi_assigns_indices():
    t = (Begin(1, None, "root"), Begin(2, 1, "child"), Mark(2, "m"), End(1, "OK"), End(2, "OK"))
    f = phi(t)
    assert (f[1].start, f[1].end, f[2].start, f[2].end) == (1, 4, 2, 5)
    assert f[2].marks == (TimedMark(3, "m"),)
    assert psi(f) == t


def test_phi_rejects_non_wf_with_position():
    with pytest.raises(MappingError, match="event 2: W3"):
        phi((Begin(1, None, "a"), Begin(2, 3, "b")))


def test_psi_tie_break_is_wf_when_everything_is_simultaneous():
    recs = [
        SpanRecord(2, 1, "child", None, 5, 5, (TimedMark(5, "x"),)),
        SpanRecord(1, None, "root", None, 5, 5, (), (), "OK"),
    ]
    f = Forest(recs)
    t = psi(f)
    assert is_wf(t)
    assert t[0] == Begin(1, None, "root") and t[1] == Begin(2, 1, "child")
    assert phi(t) == norm(f)


def test_open_span_and_link():
    t = (Begin("a", None, "r"), Link("a", ("trace", "span"), None))
    f = phi(t)
    assert f["a"].end is None and f["a"].links[0].time == 2
