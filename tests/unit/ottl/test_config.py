"""Reading OTTL files: plain statements, the Collector's YAML, and located errors."""

import pytest

from cspotlp.errors import OttlBindError, OttlError, OttlRuntimeError, OttlSyntaxError
from cspotlp.ottl import load_program, loads_program
from tests.unit.ottl.spans import attrs, two_spans


def test_plain_file_skips_blank_and_comment_lines():
    p = loads_program('# c\n\n  set(attributes["a"], 1)\nset(attributes["b"], 2) where name == "operationB"\n',
                      "x.ottl")
    out = p.apply_spans(two_spans())
    assert attrs(out[0])["a"] == 1 and "b" not in attrs(out[0]) and attrs(out[1])["b"] == 2


def test_plain_errors_point_into_the_file():
    with pytest.raises(OttlBindError) as e:
        loads_program('\n   set(attributes["a"], Nope(1))\n', "x.ottl")
    assert str(e.value) == 'x.ottl:2:25: undefined function "Nope"'
    assert e.value.report().splitlines()[1:] == ['   set(attributes["a"], Nope(1))',
                                                 "                        ^"]


@pytest.mark.parametrize(("statement", "message"), [
    ('set("x", 1)', "invalid argument at position 0: set's target must be a path"),
    ('set(nmae, 1)', 'segment "nmae" from path "nmae" is not a valid path'),
    ('set(events, 1)', 'the path "events" cannot be set'),
    ('set(name, SPAN_KIND_SERVR)', "enum symbol, SPAN_KIND_SERVR, not found"),
    ('keep_keys(attributes, "a")', "invalid argument at position 1: must be a list of strings"),
    ('delete_key(attributes, 1)', "invalid argument at position 1: must be a string literal"),
    ('limit(attributes, -1, [])', "invalid limit for limit function, -1 cannot be negative"),
    ('replace_pattern(name, "(", "x")', "the regex pattern supplied is not a valid pattern"),
    ('set(attributes["a"], ConvertCase(name, "kebab"))', "invalid case: kebab"),
    ('set(attributes["a"], Now())', 'function "Now" is not available in cspotlp'),
    ('Concat(["a"], "")', "a statement starts with an editor"),
    ('set(attributes["a"], set(name, "x"))', "unexpected '('"),
    ('set(name)', "incorrect number of arguments. Expected: 2 Received: 1"),
    ('set(name, "a", "b")', 'too many arguments to "set"'),
    ('flatten(attributes, depth=0)', "invalid depth '0' for flatten function"),
    ('flatten(attributes, deep=1)', 'no such parameter "deep" of "flatten"'),
    ('set(name, "x") where name', "a condition must be a comparison"),
    ('set(name, "x") where a == b == c', "unexpected"),
    ('set(attributes["a"], name == "x")', "not a value here"),
    ('replace_pattern(name, "a", "b", Nope)', '"Nope" is not a converter of one string'),
    ('set(attributes["a"], SHA256)', "enum symbol, SHA256, not found"),
    ('set(attributes["a"], IsRootSpan()) where spanevent.name == "x"',
     "only available in the span context"),
])
def test_bind_errors_are_the_collectors(statement, message):
    with pytest.raises(OttlError) as e:
        loads_program(statement + "\n", "s.ottl")
    assert message in str(e.value)
    assert str(e.value).startswith("s.ottl:1:")


YAML_GROUPS = """\
transform/x:
  error_mode: ignore
  trace_statements:
    - context: resource
      statements:
        - set(attributes["r"], "1")
    - context: span
      conditions:
        - name == "operationA"
      statements:
        - set(attributes["t"], resource.attributes["r"])
    - 'set(span.attributes["flat"], span.name)'
    - 'set(spanevent.attributes["ev"], spanevent.name)'
"""


def test_transform_processor_yaml_with_contexts_conditions_and_flat_statements():
    out = loads_program(YAML_GROUPS, "t.yaml").apply_spans(two_spans())
    assert attrs(out[0])["t"] == "1" and "t" not in attrs(out[1])
    assert [attrs(s)["flat"] for s in out] == ["operationA", "operationB"]
    assert out[1].events[1].attributes[0].value.value == "eventB2"


def test_collector_config_runs_processors_in_pipeline_order():
    text = """\
processors:
  transform/b:
    trace_statements:
      - context: span
        statements: ['set(attributes["order"], Concat([attributes["order"], "b"], ""))']
  transform/a:
    trace_statements:
      - context: span
        statements: ['set(attributes["order"], "a")']
  filter/drop:
    traces:
      span: ['name == "operationB"']
  batch: {}
service:
  pipelines:
    traces:
      processors: [batch, transform/a, transform/b, filter/drop]
    logs:
      processors: [transform/b]
"""
    out = loads_program(text, "c.yaml").apply_spans(two_spans())
    assert [s.name for s in out] == ["operationA"] and attrs(out[0])["order"] == "ab"


def test_yaml_statement_errors_point_into_the_yaml_file():
    text = 'trace_statements:\n  - context: span\n    statements:\n      - "set(name, Nope())"\n'
    with pytest.raises(OttlBindError) as e:
        loads_program(text, "t.yaml")
    assert str(e.value).startswith('t.yaml:4:20: undefined function "Nope"')


def test_yaml_flat_statements_need_context_names():
    with pytest.raises(OttlBindError, match="missing context name for path \"name\""):
        loads_program('trace_statements:\n  - set(span.attributes["a"], name)\n', "t.yaml")


@pytest.mark.parametrize(("text", "message"), [
    ("trace_statements:\n  - context: log\n    statements: []\n", "unknown context 'log'"),
    ("trace_statements: [\n", "not valid YAML"),
    ("transform:\n  traces:\n    queries: []\n", "unknown key 'traces'"),
    ("other: 1\n", "no OTTL for traces here"),
    ("error_mode: loud\ntrace_statements: []\n", "unknown error_mode 'loud'"),
    ("log_statements: []\n", "has no trace_statements"),
])
def test_yaml_structure_errors(text, message):
    with pytest.raises((OttlBindError, OttlSyntaxError), match=message):
        loads_program(text, "t.yaml")


def test_error_mode_propagate_names_statement_trace_and_span(tmp_path):
    path = tmp_path / "p.ottl"
    path.write_text('set(attributes["s"], Substring(attributes["flags"], 0, 4))\n')
    with pytest.raises(OttlRuntimeError) as e:
        load_program(path).apply_spans(two_spans())
    msg = str(e.value)
    assert msg.startswith(f"{path}:1:1: trace 0102030405060708090a0b0c0d0e0f10, span "
                          "1112131415161718: failed to execute statement")
    assert "invalid range for substring function, 4 cannot be greater" in msg


def test_unreadable_files_are_errors(tmp_path):
    with pytest.raises(OttlError, match="cannot read"):
        load_program(tmp_path / "missing.ottl")
    with pytest.raises(OttlError, match="not a regular file"):
        load_program(tmp_path)
    (tmp_path / "empty.ottl").write_text("# nothing\n")
    with pytest.raises(OttlSyntaxError, match="no OTTL statements"):
        load_program(tmp_path / "empty.ottl")
    (tmp_path / "bin.ottl").write_bytes(b"\xff\xfe\x00")
    with pytest.raises(OttlError, match="cannot read"):
        load_program(tmp_path / "bin.ottl")


@pytest.mark.parametrize(("order", "names"), [
    ("[filter/a, transform/rename]", ["operationB"]),
    ("[transform/rename, filter/a]", ["renamed", "operationB"]),
])
def test_a_filter_between_transforms_sees_what_came_before_it(order, names):
    text = f"""\
processors:
  transform/rename:
    trace_statements:
      - context: span
        statements: ['set(name, "renamed") where name == "operationA"']
  filter/a:
    traces:
      span: ['name == "operationA"']
service:
  pipelines:
    traces:
      processors: {order}
"""
    out = loads_program(text, "c.yaml").apply_spans(two_spans())
    assert [s.name for s in out] == names
