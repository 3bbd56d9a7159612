"""Every notebook in notebooks/ executes top to bottom without error (nbclient)."""

import nbformat
import pytest
from nbclient import NotebookClient

from tests.paths import REPO, needs_shared_data

NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))


def _param(path):
    # a notebook that still reads the shared corpus runs only where the corpus is
    marks = [needs_shared_data] if "OTLP_DATA" in path.read_text(encoding="utf-8") else []
    return pytest.param(path, marks=marks, id=path.name)


def test_there_are_notebooks():
    assert NOTEBOOKS


@pytest.mark.slow
@pytest.mark.parametrize("path", [_param(p) for p in NOTEBOOKS])
def test_notebook_executes(path):
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(REPO)}})
    client.execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []) if o.output_type == "error"]
    assert not errors
    assert any(c.get("outputs") for c in nb.cells if c.cell_type == "code")
