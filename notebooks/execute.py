"""Run the notebooks as Jupyter does and save them with their outputs: ``python notebooks/execute.py``.

Each notebook runs with its own folder as the working directory (as Jupyter runs it), in the
``python3`` kernel of the environment (``bin/setup`` installs it). Outputs are saved without
timings, so re-running a notebook whose code did not change gives the same file. Name notebooks
to run only those; the test suite runs them all (``tests/unit/notebooks``) and checks that the
committed outputs are the ones a fresh run gives.
"""

import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

HERE = Path(__file__).resolve().parent


def execute(path: Path) -> nbformat.NotebookNode:
    """The notebook at ``path`` run top to bottom from its own folder (raises on an error)."""
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=600, kernel_name="python3", record_timing=False,
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:  # one stream output per run of printing, however the kernel split it
        merged: list[nbformat.NotebookNode] = []
        for out in cell.get("outputs", []):
            if out.output_type == "stream" and merged and merged[-1].output_type == "stream" \
                    and merged[-1].name == out.name:
                merged[-1].text += out.text
            else:
                merged.append(out)
        if cell.cell_type == "code":
            cell.outputs = merged
    return nb


def main(names: list[str]) -> int:
    """Run the notebooks named (default: all of them) and save them in place."""
    paths = [Path(n).resolve() for n in names] or sorted(HERE.glob("*.ipynb"))
    for path in paths:
        nbformat.write(execute(path), path)
        print(f"executed {path.relative_to(HERE.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
