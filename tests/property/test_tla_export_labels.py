"""Whatever the labels, the TLA+ modules parse and the labels read back exactly (Hypothesis)."""

import re
from urllib.parse import unquote

from hypothesis import given
from hypothesis import strategies as st

from cspotlp.csp import STOP, Environment, build_lts, event, prefix
from cspotlp.errors import ExportError
from cspotlp.export import encode_label, lts_to_tla, tla_identifier, trace_validation
from cspotlp.export.tla_lts import DEFINED_NAMES
from cspotlp.export.tla_syntax import module_text
from tests.tla_support import assert_parses, defined_value, module_name, read_config

labels = st.text(max_size=12)


@given(st.lists(labels, min_size=1, max_size=4), labels, labels)
def test_modules_parse_whatever_the_labels(names, process, source):
    proc = STOP
    for n in reversed(names):
        proc = prefix(event(n), proc)
    lts = build_lts(proc, Environment())
    try:
        module = lts_to_tla(lts, module=process, title=process)
    except ExportError:
        # Only when two different events print alike (e.g. "τ" or "✓" as a channel name).
        assert len({e.name for e in lts.events}) < len(lts.events)
        return
    assert_parses(module.text)
    assert module.text.isascii()
    # a module is never named like an operator the generated modules define (TauStep, Next...)
    assert module_name(module.text) == tla_identifier(process, avoid=DEFINED_NAMES)
    events = defined_value(module.text, "Events")
    assert [unquote(e) for e in events[2:]] == [e.name for e in lts.events[2:]]
    out = trace_validation(lts, [[*names, source]], model=process, title=source)
    for name, text in out.files.items():
        assert text.isascii()
        if name.endswith(".tla"):
            assert_parses(text, name)
        else:
            assert read_config(text)["SPECIFICATION"]


@given(labels, labels)
def test_label_encoding_is_injective_and_invertible(a, b):
    assert unquote(encode_label(a)) == a
    assert (encode_label(a) == encode_label(b)) == (a == b)
    # Every % starts an escape, so "%tau", "%tick", "%none" are never encodings of a label.
    assert re.search(r"%(?![0-9A-F]{2})", encode_label(a)) is None


@given(labels, labels)
def test_identifiers_are_injective_and_valid(a, b):
    ia, ib = tla_identifier(a), tla_identifier(b)
    assert (ia == ib) == (a == b)
    assert ia.isascii() and all(c.isalnum() or c == "_" for c in ia)
    assert any(c.isalpha() for c in ia)
    assert_parses(module_text(ia, [], ["X == 1"]))


def test_a_process_named_like_a_defined_operator_gets_a_distinct_module_name():
    lts = build_lts(prefix(event("a"), STOP), Environment())
    for process in sorted(DEFINED_NAMES):
        name = module_name(lts_to_tla(lts, module=process).text)
        assert name == "I_" + process and name not in DEFINED_NAMES
