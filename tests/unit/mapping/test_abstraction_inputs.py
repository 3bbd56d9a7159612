"""Abstraction files and their regexes against hostile input: bounded, or refused with a reason."""

import json

import pytest

from cspotlp.errors import AbstractionError
from cspotlp.mapping.abstraction import SpanMatch, Template
from cspotlp.mapping.abstraction_file import load_abstraction, loads_abstraction
from cspotlp.mapping.linear_regex import LinearRegex


def test_a_catastrophic_pattern_meets_a_hostile_name_in_linear_time():
    # With a backtracking engine this match takes 2^n steps; RE2 answers at once.
    rule = SpanMatch(name="(x+x+)+y")
    assert rule.match("svc", "x" * 100_000, 2) is None
    assert rule.match("svc", "x" * 1000 + "y", 2) == {}


def test_groups_come_from_the_name_itself_even_with_lone_surrogates():
    rule = SpanMatch(name=r"GET /(?P<what>[^/]+)/(?P<id>\d+)")
    assert rule.match("s", "GET /caf\u00e9\ud800/42", 2) == {"what": "caf\u00e9\ud800", "id": "42"}
    assert Template("GET /users/{id}").apply("GET /users/\udfff") == (
        "GET /users/{id}", {"id": "\udfff"})
    assert LinearRegex(r"\pL+").fullmatch("\u03b1\u03b2\u03b3") == {}  # letters of any script


@pytest.mark.parametrize("pattern, why", [
    (r"(a)\1", "invalid escape"),
    ("(?=a)a", "invalid perl operator"),
    ("(?<!a)b", "invalid perl operator"),
    ("(a", r"missing \)"),
    ("\ud800", "lone surrogate"),
])
def test_patterns_outside_re2_are_load_errors(pattern, why):
    with pytest.raises(AbstractionError, match=f"bad regex .*{why}"):
        SpanMatch(name=pattern)
    with pytest.raises(AbstractionError, match="RE2|surrogate"):
        loads_abstraction(json.dumps({"drop": [{"name": pattern}]}))


@pytest.mark.parametrize("toml", [False, True])
def test_deep_nesting_is_refused_before_the_parser_recurses(toml):
    text = ("x = " + "[" * 50_000 + "]" * 50_000 + "\n") if toml else \
        ('{"data": ' + "[" * 50_000 + "]" * 50_000 + "}")
    with pytest.raises(AbstractionError, match="nested 50001 deep|nested 50000 deep"):
        loads_abstraction(text, "deep", toml=toml)


def test_strict_json_in_abstraction_files():
    with pytest.raises(AbstractionError, match="appears twice"):
        loads_abstraction('{"label": "{name}", "label": "{service}"}')
    with pytest.raises(AbstractionError, match="NaN is not a JSON value"):
        loads_abstraction('{"drop_client_spans": NaN}')


def test_abstraction_files_are_regular_files(tmp_path):
    with pytest.raises(AbstractionError, match="a device, not a regular file"):
        load_abstraction("/dev/zero")
    with pytest.raises(AbstractionError, match="a directory, not a regular file"):
        load_abstraction(tmp_path)
