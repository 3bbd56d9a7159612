"""Score cspotlp's OTTL against the Collector's own OTTL test cases that concern spans.

Run: ``PYTHONPATH=. python benchmarks/ottl_collector_cases.py CASES.yaml [-v]``.

The cases are not part of this repository: CASES.yaml is derived, outside it, from
opentelemetry-collector-contrib's tests (the transform processor's trace processor_test.go and
testdata, pkg/ottl's e2e tests translated from the log to the span context). It holds
*fixtures* (the spans, resource and scope a test builds) and *cases*: statement groups as the
transform processor takes them (context, statements, conditions, error_mode) and what the
test expects — the attributes and fields each span, event, resource and scope ends with, or an
error. Every case goes through cspotlp's YAML reader (a ``trace_statements`` document), as a
user's Collector configuration would.

Prints the share reproduced per source and overall, and the share among the cases that use
only the functions issue 18 lists; ``-v`` lists each miss with its reason.
"""

from __future__ import annotations

import re
import sys
from typing import Any

import yaml

from cspotlp.errors import OttlError, OttlRuntimeError
from cspotlp.otlp import Event, KeyValue, Link, Resource, Scope, Span, Status
from cspotlp.ottl import loads_program
from cspotlp.ottl.values import to_any

ISSUE_FUNCTIONS = {
    "set", "delete_key", "delete_matching_keys", "keep_keys", "keep_matching_keys", "limit",
    "truncate_all", "replace_pattern", "replace_all_patterns", "replace_match",
    "replace_all_matches", "merge_maps", "flatten", "Concat", "Split", "IsMatch", "IsString",
    "IsInt", "IsDouble", "IsBool", "IsMap", "IsList", "Int", "Double", "String", "Substring",
    "ConvertCase", "SHA256", "FNV", "Len", "TraceID", "SpanID", "Duration", "ParseJSON",
}


def attrs_of(values: dict[str, Any]) -> tuple[KeyValue, ...]:
    return tuple(KeyValue(k, to_any(v)) for k, v in values.items())


def build(fixture: dict[str, Any]) -> list[Span]:
    r = fixture["resource"]
    resource = Resource(attrs_of(r.get("attributes", {})), schema_url=r.get("schema_url", ""))
    s = fixture["scope"]
    scope = Scope(s.get("name", ""), schema_url=s.get("schema_url", ""))
    out = []
    for sp in fixture["spans"]:
        dropped = sp.get("dropped", [0, 0, 0])
        status = sp.get("status", [0, ""])
        out.append(Span(
            sp["trace_id"], sp["span_id"], sp["parent_span_id"], sp["name"], sp["kind"],
            sp["start"], sp["end"], attrs_of(sp["attributes"]),
            tuple(Event(0, name) for name in sp.get("events", [])),
            tuple(Link("", "", dropped_attributes_count=4) for _ in range(sp.get("links", 0))),
            Status(*status), sp.get("trace_state", ""), 0, dropped[0], dropped[1], dropped[2],
            resource, scope))
    return out


def apply_changes(attrs: tuple[KeyValue, ...], change: dict[str, Any]) -> tuple[Any, bool]:
    """The attributes a Go test's ``want`` leaves: Put keeps a key's place, Remove drops it."""
    if "attributes" in change:
        return attrs_of(change["attributes"]), bool(change.get("unordered"))
    values = {kv.key: kv.value for kv in attrs}
    for k in change.get("remove", []):
        values.pop(k, None)
    for k, v in change.get("set", {}).items():
        values[k] = to_any(v)
    return tuple(KeyValue(k, v) for k, v in values.items()), bool(change.get("unordered"))


def same(got: tuple[KeyValue, ...], want: tuple[KeyValue, ...], unordered: bool) -> bool:
    if unordered:
        return sorted(got) == sorted(want)
    return got == want


def check(case: dict[str, Any], spans: list[Span], out: list[Span]) -> str | None:
    expect = case.get("expect") or {}
    changes = expect.get("spans", [{}] * len(spans))
    if len(out) != len(spans):
        return f"{len(out)} spans out of {len(spans)}"
    for k, (before, after) in enumerate(zip(spans, out, strict=True)):
        change = changes[k] if k < len(changes) else {}
        want, unordered = apply_changes(before.attributes, change)
        if not same(after.attributes, want, unordered):
            return f"span {k} attributes {after.attributes} != {want}"
        fields = {"name": before.name, "kind": before.kind, "status_code": before.status.code,
                  "span_id": before.span_id, "trace_id": before.trace_id,
                  **change.get("fields", {})}
        got = {"name": after.name, "kind": after.kind, "status_code": after.status.code,
               "span_id": after.span_id, "trace_id": after.trace_id}
        if got != fields:
            return f"span {k} fields {got} != {fields}"
        ev_changes = change.get("events", {})
        for i, (eb, ea) in enumerate(zip(before.events, after.events, strict=True)):
            want_ev, _ = apply_changes(eb.attributes, ev_changes.get(i, {}))
            if ea.attributes != want_ev:
                return f"span {k} event {i} attributes {ea.attributes} != {want_ev}"
    for what in ("resource", "scope"):
        b, a = getattr(spans[0], what), getattr(out[0], what)
        want, unordered = apply_changes(b.attributes, expect.get(what, {}))
        if not same(a.attributes, want, unordered):
            return f"{what} attributes {a.attributes} != {want}"
        if a.schema_url != b.schema_url and what not in expect:
            pass  # schema_url cases set the value the fixture already has
    return None


def run_case(case: dict[str, Any], fixtures: dict[str, Any]) -> str | None:
    """None when cspotlp reproduces the case, else why not."""
    spans = build(fixtures[case["fixture"]])
    error = case.get("error")
    groups = []
    for g in case["groups"]:
        entry: dict[str, Any] = {}
        if g.get("context"):
            entry["context"] = g["context"]
        for key in ("conditions", "error_mode"):
            if key in g:
                entry[key] = g[key]
        entry["statements"] = g["statements"]
        groups.append(entry)
    text = yaml.safe_dump({"error_mode": "propagate" if error else "ignore",
                           "trace_statements": groups}, sort_keys=False, width=10_000)
    try:
        program = loads_program(text, "case.yaml")
    except OttlError as e:
        if error and error != "runtime" and (error == "syntax" or error in str(e)):
            return None
        return f"refused: {e}"
    try:
        out = program.apply_spans(spans)
    except OttlRuntimeError as e:
        if error and (error == "runtime" or error in str(e)):
            return None
        return f"failed: {e}"
    if error:
        return f"expected an error ({error}), got none"
    return check(case, spans, out)


def functions_of(case: dict[str, Any]) -> set[str]:
    text = " ".join(s for g in case["groups"] for s in g["statements"] + g.get("conditions", []))
    text = re.sub(r'"(\\.|[^\\"])*"', '""', text)
    return set(re.findall(r"\b([A-Za-z_][A-Za-z0-9_]*)\(", text))


def main() -> None:
    if len(sys.argv) < 2:
        print(__doc__)
        raise SystemExit(2)
    with open(sys.argv[1], encoding="utf-8") as f:
        doc = yaml.safe_load(f)
    verbose = "-v" in sys.argv
    by_source: dict[str, list[int]] = {}
    in_issue = [0, 0]
    misses: list[str] = []
    for case in doc["cases"]:
        why = run_case(case, doc["fixtures"])
        source = case["source"]
        tally = by_source.setdefault(source, [0, 0])
        tally[1] += 1
        if functions_of(case) <= ISSUE_FUNCTIONS:
            in_issue[1] += 1
            in_issue[0] += why is None
        if why is None:
            tally[0] += 1
        else:
            stmts = " | ".join(s for g in case["groups"] for s in g["statements"])
            misses.append(f"{source}: {stmts}\n    {why[:300]}")
    total = [sum(t[0] for t in by_source.values()), sum(t[1] for t in by_source.values())]
    print(f"{'source':<62} {'reproduced':>10} {'cases':>6} {'share':>7}")
    for source, (ok, n) in by_source.items():
        print(f"{source:<62} {ok:>10} {n:>6} {ok / n:>7.1%}")
    print(f"{'all span-relevant cases':<62} {total[0]:>10} {total[1]:>6} "
          f"{total[0] / total[1]:>7.1%}")
    print(f"{'  of which use only the functions issue 18 lists':<62} {in_issue[0]:>10} "
          f"{in_issue[1]:>6} {in_issue[0] / max(in_issue[1], 1):>7.1%}")
    excluded = sum(len(v) for v in doc.get("not_span_relevant", {}).values())
    print(f"not span-relevant (body, log time, severity), not counted: {excluded}")
    if verbose:
        print("\nmisses:")
        for m in misses:
            print(" ", m)


if __name__ == "__main__":
    main()
