"""The exported assertions fail exactly when ``conform`` fails (issue 12's wrong verdict).

Small specifications — including ones written over ``Events``, which in an exported script
also holds the exporter's own channels — and small captured traces (skew, absent parents,
asynchronous children, N-shaped siblings, events outside the alphabet, dropped spans) are
exported with and without ``--sequential`` and the script's assertions are checked by
cspotlp's own CSPm checker:

* ``Obs_SPEC [T= OBSERVED`` (the ``|||`` export) holds iff ``conform --all-orders`` passes
  every trace, and (the sequential export) iff ``conform --sequential`` does;
* ``not STOP [T= Obs_SomeOrder(Trace_k)`` holds iff ``conform`` (some order) passes the
  traces of Trace_k.
"""

from __future__ import annotations

import itertools
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cspotlp.conformance import ConformanceChecker, load_spec
from cspotlp.cspm.assertions import check_assertions
from cspotlp.cspm.evaluate import load_script
from cspotlp.export.cspm import SpecRef, export_cspm
from cspotlp.export.cspm_spec import read_spec_interface
from cspotlp.mapping.observed import abstract_observed
from cspotlp.otlp import CapturedTrace, Span
from tests.strategies_conformance import (
    ABSTRACTION,
    RESOURCES,
    captured_traces,
    n_shaped_traces,
    specifications,
)

MS = 1_000_000


@st.composite
def captures(draw: st.DrawFn) -> list:
    count = draw(st.integers(1, 2))
    return [draw(captured_traces(k, max_spans=4)) if draw(st.integers(0, 3))
            else draw(n_shaped_traces(k)) for k in range(1, count + 1)]


def verdicts(spec_file: Path, traces: list, tolerance: int) -> dict[str, list[str]]:
    process, env = load_spec(spec_file, "SPEC")
    out = {}
    for orders in ("some", "all", "sequential"):
        checker = ConformanceChecker.for_process(process, env, ABSTRACTION, orders=orders,
                                                 tolerance=tolerance)
        out[orders] = [r.verdict for r in checker.check_all(traces)]
    return out


def exported_results(folder: Path, spec_file: Path, traces: list, tolerance: int,
                     sequential: bool) -> tuple[dict[str, str], list[str]]:
    interface = read_spec_interface(spec_file)
    ref = SpecRef(spec_file.name, "SPEC", interface.channels, interface.names)
    abstract = [abstract_observed(t, ABSTRACTION, tolerance=tolerance) for t in traces]
    export = export_cspm(abstract, ABSTRACTION, spec=ref, sequential=sequential)
    script = folder / ("sequential.csp" if sequential else "ordered.csp")
    script.write_text(export.text, encoding="utf-8")
    results = {r.assertion: r.result for r in check_assertions(load_script(script))}
    processes = [t.get("process", "") for t in export.sidecar["traces"]]
    return results, processes


@st.composite
def cases(draw: st.DrawFn) -> tuple[str, list, int]:
    """Traces, a tolerance, and a specification: a random one, or one made of some orders of
    the traces' own events (some linearisations, some arbitrary permutations), so that the
    verdicts hang on exactly which orders each trace allows."""
    traces = draw(captures())
    tolerance = draw(st.sampled_from([0, MS, 3 * MS]))
    if draw(st.booleans()):
        return draw(specifications()), traces, tolerance
    chains = []
    for trace in traces:
        observed = abstract_observed(trace, ABSTRACTION, tolerance=tolerance)
        names = [e.name for e in observed.events]
        lins = list(itertools.islice(observed.order().linearisations(), 64))
        for lin in draw(st.lists(st.sampled_from(lins), min_size=1, max_size=2)):
            chains.append([names[i] for i in lin])
        if draw(st.booleans()):
            chains.append(draw(st.permutations(names)))
    bodies = [" -> ".join([*(n for n in chain if n.split(".")[1] in "AB"), "STOP"])
              for chain in chains]
    spec = ("datatype Label = A | B\nchannel call, ret, error : Label\n"
            f"SPEC = {' [] '.join(f'({b})' for b in bodies)}\n")
    return spec, traces, tolerance


@settings(max_examples=40, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_exported_assertions_fail_exactly_when_conform_fails(case) -> None:
    spec, traces, tolerance = case
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        spec_file = folder / "spec.csp"
        spec_file.write_text(spec, encoding="utf-8")
        native = verdicts(spec_file, traces, tolerance)
        assert "error" not in native["some"]  # absent parents hang from a synthetic root

        ordered, processes = exported_results(folder, spec_file, traces, tolerance, False)
        every = all(v == "pass" for v in native["all"])
        assert ordered["assert Obs_SPEC [T= OBSERVED"] == ("passed" if every else "failed")
        for process, verdict in zip(processes, native["some"], strict=True):
            some = ordered[f"assert not STOP [T= Obs_SomeOrder({process})"]
            assert some == ("passed" if verdict == "pass" else "failed")

        sequential, _ = exported_results(folder, spec_file, traces, tolerance, True)
        observed = next(v for k, v in sequential.items() if k.endswith("[T= OBSERVED"))
        in_time = all(v == "pass" for v in native["sequential"])
        assert observed == ("passed" if in_time else "failed")


def test_a_spec_over_events_no_longer_accepts_the_unexpected_channel(tmp_path) -> None:
    """The probe of issue 12: a specification accepting any member of Events."""
    spec_file = tmp_path / "spec.csp"
    spec_file.write_text("datatype Label = A | B\nchannel call, ret, error : Label\n"
                         "SPEC = [] e : Events @ e -> SPEC\n", encoding="utf-8")
    tid, root = "ab" * 16, "01" * 8
    traces = [CapturedTrace(tid, (  # C is not a Label: its events go on 'unexpected'
        Span(tid, root, "", "A", 2, 0, 10 * MS, resource=RESOURCES[0]),
        Span(tid, "02" * 8, root, "C", 1, 1 * MS, 2 * MS, resource=RESOURCES[1]),
        Span(tid, "03" * 8, root, "B", 1, 1 * MS, 3 * MS, resource=RESOURCES[2])))]
    native = verdicts(spec_file, traces, MS)
    assert native == {"some": ["fail"], "all": ["fail"], "sequential": ["fail"]}
    for sequential in (False, True):
        results, _ = exported_results(tmp_path, spec_file, traces, MS, sequential)
        assert "failed" in results.values()
        assert all(v == "failed" for k, v in results.items() if "SPEC" in k or "Some" in k)
