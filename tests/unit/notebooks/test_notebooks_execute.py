"""Every notebook runs as Jupyter runs it — from its own folder, needing nothing outside the
repository — and its committed outputs are the ones a fresh run gives (so the notebooks read
well on a code host without running). To refresh them: ``python notebooks/execute.py``."""

import re
import subprocess
import sys

import nbformat
import pytest

from tests.paths import REPO

NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))
sys.path.insert(0, str(REPO / "notebooks"))
import execute  # noqa: E402  (notebooks/execute.py: the one way notebooks are run)

REFRESH = "re-run `python notebooks/execute.py {name}` and commit the notebook"


def _texts(cell):
    """A code cell's outputs as comparable values: text exactly, drawings by their kind."""
    out = []
    for o in cell.get("outputs", []):
        if o.output_type == "stream":  # the kernel splits a cell's printing as timing falls
            if out and out[-1][0] == o.name:
                out[-1] = (o.name, out[-1][1] + o.text)
            else:
                out.append((o.name, o.text))
        elif o.output_type == "error":
            out.append(("error", o.ename, o.evalue))
        else:
            data = o.get("data", {})
            for mime in sorted(data):
                value = data[mime]
                out.append((mime, value if mime in ("text/markdown",) else mime))
    return out


def test_there_are_notebooks_for_every_family():
    names = [p.stem for p in NOTEBOOKS]
    assert names == ["01_csp_and_spans", "02_conformance", "03_cspm_refinement_proofs",
                     "04_go_models", "05_otel_pipeline"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_needs_nothing_outside_the_repository(path):
    source = "\n".join(c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code")
    assert not re.search(r"^\s*(from|import) tests\b", source, re.M), "imports the test suite"
    for outside in ("shared/data", "OTLP_DATA", "CSPOTLP_SHARED_DATA", "/work/", "/tmp/"):
        assert outside not in source


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs_from_its_folder_and_matches_its_committed_outputs(path):
    committed = nbformat.read(path, as_version=4)
    fresh = execute.execute(path)  # working directory: the notebook's folder
    errors = [o for c in fresh.cells if c.cell_type == "code" for o in c.get("outputs", [])
              if o.output_type == "error"]
    assert not errors, f"{errors[0].ename}: {errors[0].evalue}"
    assert [c.source for c in committed.cells] == [c.source for c in fresh.cells]
    drawings = 0
    for i, (old, new) in enumerate(zip(committed.cells, fresh.cells, strict=True)):
        if new.cell_type != "code":
            continue
        assert _texts(old) == _texts(new), f"cell {i} of {path.name}: outputs changed; " + REFRESH.format(name=path.relative_to(REPO))
        drawings += sum("image/svg+xml" in o.get("data", {}) for o in new.get("outputs", []))
    assert drawings >= 3, "a notebook with pictures, not only text"


def test_the_bundled_capture_is_the_checkout_apps(tmp_path):
    """notebooks/data/checkout.pb is what examples/checkout_app.py writes with --seed 7 (same
    traces, spans, names and parents; only the times of that run are its own)."""
    from cspotlp.otlp import load

    fresh = tmp_path / "checkout.pb"
    subprocess.run([sys.executable, str(REPO / "examples" / "checkout_app.py"), str(fresh), "--seed", "7"],
                   check=True, capture_output=True)

    def shape(capture):
        return sorted((s.trace_id, s.span_id, s.parent_span_id, s.name, s.status.code)
                      for t in capture.traces for s in t.spans)

    assert shape(load(REPO / "notebooks" / "data" / "checkout.pb")) == shape(load(fresh))
