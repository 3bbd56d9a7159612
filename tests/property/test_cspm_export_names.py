"""Laws of the CSPm exporter's naming: injective, and no input can break the script."""

from hypothesis import given
from hypothesis import strategies as st

from cspotlp.cspm import check_script, parse_script
from cspotlp.export.cspm import export_cspm
from cspotlp.mapping.abstraction import Abstraction, abstract_trace
from cspotlp.mapping.cspm_names import (
    data_ident,
    escape,
    is_identifier,
    label_ident,
    label_of_ident,
    unescape,
)
from tests.flow_fixtures import TraceBuilder

# Text that tries hard to break CSPm: comment openers and closers, quotes, newlines, keywords,
# built-in names, the exporter's own names, and any Unicode.
HOSTILE = st.one_of(
    st.text(max_size=12),
    st.lists(st.sampled_from(["--", "{-", "-}", '"', "'", "\n", "\r", "\u2028", "_", ".", "/",
                              "{", "}", "STOP", "call", "OBSERVED", "L_", "Obs_1", "U_", "A1_",
                              "_Z", "é", "\x00", " ", "0"]), max_size=6).map("".join),
)
DATA = st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.floats(allow_nan=False),
                 HOSTILE)


@given(HOSTILE)
def test_escape_round_trips_to_an_identifier_tail(s):
    e = escape(s)
    assert unescape(e) == s
    assert all(c.isascii() and (c.isalnum() or c == "_") for c in e)


@given(HOSTILE, HOSTILE)
def test_label_idents_are_injective_identifiers(a, b):
    ia, ib = label_ident(a), label_ident(b)
    assert is_identifier(ia)
    assert label_of_ident(ia) == a
    assert (ia == ib) == (a == b)


@given(st.integers(1, 12), DATA, st.integers(1, 12), DATA)
def test_data_idents_are_injective(i, x, j, y):
    same = i == j and type(x) is type(y) and (x == y or repr(x) == repr(y))
    assert (data_ident(i, x) == data_ident(j, y)) == same
    assert is_identifier(data_ident(i, x))


@given(st.lists(st.tuples(HOSTILE, HOSTILE, DATA), min_size=1, max_size=5), st.booleans())
def test_every_export_parses_and_type_checks(spans, per_trace):
    b = TraceBuilder(1, file="".join(s for s, _, _ in spans))
    root = b.begin("root", "root", 2, "")
    for service, name, value in spans:
        b.end(b.begin(service, name, 1, root["id"], **({} if value is None else {"k": value})),
              error=name.startswith("-"))
    b.end(root)
    a = Abstraction(data=("k",))
    # an empty service.name counts as absent: OpenTelemetry's unknown_service
    labels = {f"{service or 'unknown_service'}.{name}" for service, name, _ in spans}
    labels.add("root.root")
    result = export_cspm([abstract_trace(b.trace(), a)], a, per_trace=per_trace,
                         sources=[spans[0][0]], notes=[spans[0][1]])
    script = parse_script(result.text, "hostile.csp")
    check_script(script)
    label_decl = next(d for d in script.decls if getattr(d, "name", None) == "Label")
    assert {c.name for c in label_decl.clauses} == {label_ident(x) for x in labels}
