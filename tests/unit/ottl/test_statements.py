"""Editors, converters, paths and conditions on the two-span batch (Collector-shaped cases)."""

import pytest

from cspotlp.ottl import RunNotes, program_from_statements
from tests.unit.ottl.spans import SPAN_A, START, attrs, two_spans


def run(*statements, context=None):
    notes = RunNotes()
    out = program_from_statements(list(statements), context=context,
                                  error_mode="ignore").apply_spans(two_spans(), notes)
    return out, notes


def changes(*statements, context=None):
    """Per span: attributes added or changed, and attributes removed."""
    out, _ = run(*statements, context=context)
    result = []
    for before, after in zip(two_spans(), out, strict=True):
        b, a = attrs(before), attrs(after)
        result.append(({k: v for k, v in a.items() if b.get(k, object()) != v},
                       sorted(set(b) - set(a))))
    return result


def test_set_with_where_on_name():
    assert changes('set(attributes["test"], "pass") where name == "operationA"') == [
        ({"test": "pass"}, []), ({}, [])]


def test_set_nil_and_missing_values_change_nothing():
    assert changes('set(attributes["test"], nil)', 'set(attributes["t"], attributes["no"])') \
        == [({}, []), ({}, [])]


def test_keep_keys_and_delete_key():
    assert changes('keep_keys(attributes, ["http.method"]) where name == "operationA"')[0][1] \
        == ["flags", "http.path", "http.url", "total.string"]
    assert changes('delete_key(attributes, "http.url")')[1] == ({}, ["http.url"])


def test_delete_and_keep_matching_keys_search_anywhere():
    assert changes('delete_matching_keys(attributes, "http.*t.*")')[0][1] == \
        ["http.method", "http.path"]
    assert changes('keep_matching_keys(attributes, "^http")')[0][1] == ["flags", "total.string"]


def test_replace_pattern_with_groups_and_hash():
    assert changes('replace_pattern(attributes["http.method"], "get", "post")')[0][0] == \
        {"http.method": "post"}
    got = changes(r'replace_pattern(attributes["http.url"], "^(\\w+)://", "$1+s://")')
    assert got[0][0] == {"http.url": "http+s://localhost/health"}
    got = changes('replace_pattern(attributes["http.path"], "/", "@", SHA256)')
    assert got[0][0] == {"http.path": "c3641f8544d7c02f3580b07c0f9887f0c6a27ff5ab1d4a3e29caf197"
                                      "cfc299aehealth"}


def test_replace_all_patterns_keys_keep_their_place():
    out, _ = run('replace_all_patterns(attributes, "key", "http.url", "url")')
    assert list(attrs(out[0])) == ["http.method", "http.path", "url", "flags", "total.string"]


def test_replace_match_and_replace_all_matches_use_globs():
    assert changes('replace_match(attributes["http.path"], "*/*", "test")')[0][0] == \
        {"http.path": "test"}
    assert changes('replace_all_matches(attributes, "*/*", "x")')[0][0] == \
        {"http.path": "x", "http.url": "x"}
    assert changes('replace_match(attributes["http.method"], "{get,put}", "G")')[0][0] == \
        {"http.method": "G"}


def test_limit_keeps_priority_keys_then_map_order():
    out, _ = run('limit(attributes, 2, ["total.string"])')
    assert list(attrs(out[0])) == ["http.method", "total.string"]
    out, _ = run('limit(attributes, 0, [])')
    assert attrs(out[0]) == {}


def test_truncate_all_cuts_bytes_without_splitting_characters():
    out, _ = run('set(attributes["e"], "héllo")', "truncate_all(attributes, 2)")
    a = attrs(out[0])
    assert a["e"] == "h" and a["flags"] == "A|" and a["total.string"] == "12"


def test_merge_maps_strategies():
    base = 'set(attributes["m"], {"http.method": "x", "new": 1})'
    for strategy, want in (("insert", ("get", 1)), ("update", ("x", None)),
                           ("upsert", ("x", 1))):
        out, _ = run(base, f'merge_maps(attributes, attributes["m"], "{strategy}")')
        a = attrs(out[0])
        assert (a["http.method"], a.get("new")) == want


def test_merge_maps_from_parse_json():
    assert changes('merge_maps(attributes, ParseJSON("{\\"json_test\\":\\"pass\\"}"), "insert")'
                   ' where name == "operationA"')[0][0] == {"json_test": "pass"}


def test_flatten_depth_prefix_and_conflicts():
    setup = ('set(attributes["foo"], {"bar": "pass", "slice": ["val"], "nested": {"t": "p"}})',
             'set(attributes["foo.bar"], "clash")')
    out, _ = run(*setup, "flatten(attributes)")
    a = attrs(out[0])
    assert a["foo.slice.0"] == "val" and a["foo.nested.t"] == "p" and a["foo.bar"] == "clash"
    out, _ = run(*setup, 'flatten(attributes, "p", resolveConflicts=true)')
    a = attrs(out[0])
    assert (a["p.foo.bar"], a["p.foo.bar.0"], a["p.foo.slice"]) == ("pass", "clash", "val")
    out, _ = run(*setup, "flatten(attributes, depth=1)")
    assert attrs(out[0])["foo.nested"] == {"t": "p"}


def test_append_to_list_and_scalar():
    out, _ = run('set(attributes["l"], [1])', 'append(attributes["l"], values=[2, 3])',
                 'append(attributes["flags"], "x")')
    a = attrs(out[0])
    assert a["l"] == [1, 2, 3] and a["flags"] == ["A|B|C", "x"]


@pytest.mark.parametrize(("expr", "value"), [
    ('Concat([attributes["http.method"], ": ", attributes["http.url"]], "")',
     "get: http://localhost/health"),
    ('Concat(["kind", kind, 1.5, true, attributes["none"]], "-")', "kind-1-1.5-true-<nil>"),
    ('Split(attributes["flags"], "|")', ["A", "B", "C"]),
    ('Split(attributes["flags"], "|")[1]', "B"),
    ('Substring(attributes["total.string"], 3, 3)', "456"),
    ('ConvertCase(name, "snake")', "operation_a"),
    ('ConvertCase(name, "camel")', "OperationA"),
    ('ToUpperCase(name)', "OPERATIONA"),
    ('SHA256("pass")', "d74ff0ee8da3b9806b18c877dbf29bbde50b5bd8e4dad7a3a725000feb82e8f1"),
    ('FNV("pass")', 266877920130663416),
    ('MD5("pass")', "1a1dc91c907325c69271ddf0c944bc72"),
    ('Len(attributes)', 5), ('Len(name)', 10), ('Len(events)', 1),
    ('Int("12")', 12), ('Int(2.9)', 2), ('Int(true)', 1), ('Double("1.5")', 1.5),
    ('String(12)', "12"), ('String(1.0)', "1"), ('String([1, 2, 3])', "[1,2,3]"),
    ('String(span_id)', "[1,2,3,4,5,6,7,8]"),
    ('Hex(12)', "000000000000000c"), ('Hex(1.0)', "3ff0000000000000"),
    ('Milliseconds(Duration("1s"))', 1000), ('Hours(Duration("90m"))', 1.5),
    ('Milliseconds(end_time - start_time)', 1000),
    ('Nanoseconds(end_time - start_time)', 1_000_000_468),
    ('UnixSeconds(start_time)', START // 10**9),
    ('ParseJSON("{\\"id\\":1}")', {"id": 1.0}),
    ('Sort([Int(11), Double(2.2), Double(-1)])', [-1.0, 2.2, 11]),
    ('Sort([false, Int(11), Double(2.2), "three"])', [11, 2.2, False, "three"]),
    ('trace_id.string', "0102030405060708090a0b0c0d0e0f10"),
    ('span_id.string', SPAN_A), ('kind.string', "Internal"),
    ('kind.deprecated_string', "SPAN_KIND_INTERNAL"), ('status.code', 2),
    ('status.message', "status-cancelled"), ('trace_state["missing"]', None),
    ('resource.attributes["host.name"]', "localhost"), ('instrumentation_scope.name', "scope"),
    ('Len(attributes) + Len(attributes) * 2', 15), ('(1 + 2) * 3 - 10 / 4', 7),
    ('Format("%03d-%s", [7, "test"])', "007-test"),
    ('ExtractPatterns("aa123bb", "(?P<numbers>\\\\d+)")', {"numbers": "123"}),
    ('ParseKeyValue("a=1 b=\\"x y\\"")', {"a": "1", "b": "x y"}),
    ('ToKeyValueString({"b": "x=y", "a": 1}, "=", " ", true)', 'a=1 b="x=y"'),
    ('SliceToMap([{"n": "x", "v": 1}, {"n": "y", "v": 2}], ["n"], ["v"])', {"x": 1, "y": 2}),
    ('Murmur3Hash("Hello World")', "ce837619"),
    ('Murmur3Hash128("Hello World")', "dbc2a0c1ab26631a27b4c09fcf1fe683"),
])
def test_converters_and_paths(expr, value):
    out, notes = run(f'set(attributes["out"], {expr}) where name == "operationA"')
    assert notes.summary() == []
    assert attrs(out[0]).get("out") == value


@pytest.mark.parametrize("cond", [
    'kind == SPAN_KIND_INTERNAL', 'kind == 1',
    'status.code == STATUS_CODE_ERROR and dropped_events_count == 1',
    'span_id == SpanID(0x0102030405060708)', 'parent_span_id == SpanID(0x0807060504030201)',
    'trace_id == TraceID(0x0102030405060708090a0b0c0d0e0f10) and not IsRootSpan()',
    'trace_state == "new"',
    'dropped_attributes_count == 1', 'IsMatch(name, "operation[AC]")',
    'attributes["doesnt exist"] == nil and name != "operationB"',
    'not (name == "operationB")',
    'end_time - start_time > Duration("999ms") and kind != SPAN_KIND_UNSPECIFIED',
    'Len(events) == 1 and IsString(name) and not IsInt(name)', '1 == 1.0 and name < "operationB"',
    'attributes[attributes["flags"]] == nil and IsRootSpan() == false',
])
def test_conditions_select_operation_a_only(cond):
    assert changes(f'set(attributes["hit"], true) where {cond}') == [({"hit": True}, []), ({}, [])]


@pytest.mark.parametrize("cond", [
    'true == 1', 'name == 1', 'name < 1', 'kind == "1"', 'nil == 0', 'status.code > "1"',
])
def test_comparisons_across_types_are_false(cond):
    assert changes(f'set(attributes["hit"], true) where {cond}') == [({}, []), ({}, [])]


def test_set_span_fields():
    out, _ = run('set(name, "renamed")', 'set(kind, SPAN_KIND_SERVER) where kind == 1',
                 'set(status.code, STATUS_CODE_OK)', 'set(status.message, "fine")',
                 'set(start_time_unix_nano, 5)', 'set(trace_state["k"], "v")',
                 'set(span_id.string, "00000000000000ff")', 'set(name, 12)')
    a = out[0]
    assert (a.name, a.kind, a.status.code, a.status.message, a.start_time_unix_nano) == \
        ("renamed", 2, 1, "fine", 5)
    assert a.trace_state == "k=v,new" and a.span_id == "00000000000000ff"
    assert out[1].kind == 0


def test_nested_set_creates_maps_and_indexes_lists():
    out, notes = run('set(attributes["a"]["b"]["c"], 1)', 'set(attributes["l"], [1, 2])',
                     'set(attributes["l"][1], "x")', 'set(attributes["l"][5], "y")',
                     'set(attributes["flags"]["x"], 1)')
    a = attrs(out[0])
    assert a["a"] == {"b": {"c": 1}} and a["l"] == [1, "x"]
    text = "\n".join(notes.summary())
    assert "index 5 out of bounds" in text and "does not support string indexing" in text


def test_set_copies_maps_so_later_edits_do_not_alias():
    out, _ = run('set(attributes["m"], {"k": 1})', 'set(attributes["n"], attributes["m"])',
                 'set(attributes["n"]["k"], 2)')
    a = attrs(out[0])
    assert a["m"] == {"k": 1} and a["n"] == {"k": 2}


def test_resource_and_scope_are_shared_by_their_spans():
    out, _ = run('set(resource.attributes["seen"], name) where name == "operationB"',
                 'set(attributes["res"], resource.attributes["seen"])')
    # operationA ran first, before operationB set the shared resource attribute
    assert out[0].resource is out[1].resource
    assert {kv.key for kv in out[0].resource.attributes} == {"host.name", "seen"}
    assert "res" not in attrs(out[0]) and attrs(out[1])["res"] == "operationB"


def test_contexts_resource_scope_and_spanevent():
    out, _ = run('set(attributes["test"], "pass")', context="resource")
    assert attrs(out[0]) == attrs(two_spans()[0])
    assert {kv.key for kv in out[0].resource.attributes} == {"host.name", "test"}
    out, _ = run('set(attributes["test"], "pass") where name == "scope"', context="scope")
    assert out[0].scope.attributes[0].key == "test" and out[0].scope is out[1].scope
    out, _ = run('set(attributes["test"], "pass") where name == "eventA"',
                 'set(attributes["i"], event_index) where span.name == "operationB"',
                 context="spanevent")
    assert out[0].events[0].attributes[0].key == "test"
    assert [e.attributes[0].value.value for e in out[1].events] == [0, 1]


def test_cache_is_per_span_and_not_exported():
    out, _ = run('set(cache["c"], Concat([name, "cache"], "-"))',
                 'set(attributes["test"], cache["c"])')
    assert [attrs(s)["test"] for s in out] == ["operationA-cache", "operationB-cache"]
    assert all("cache" not in attrs(s) for s in out)


def test_untouched_spans_are_handed_back_unchanged():
    spans = two_spans()
    out = program_from_statements(['set(attributes["x"], 1) where name == "nope"']
                                  ).apply_spans(spans)
    assert out[0] is spans[0] and out[1] is spans[1]


def test_int64_arithmetic_wraps_and_division_by_zero_fails():
    out, notes = run('set(attributes["w"], 9223372036854775807 + 1)',
                     'set(attributes["z"], 1 / 0)', 'set(attributes["m"], 1 + 1.5)')
    assert attrs(out[0])["w"] == -9223372036854775808
    text = "\n".join(notes.summary())
    assert "divide by 0" in text and "does not mix" in text
