"""``pip install cspotlp`` brings what the library and the CLI need, and no notebook server.

A plain ``pip install`` of a copy of the sources into an empty virtual environment (the pip
cache may serve the wheels) must give a working ``cspotlp --help``, ``check`` and ``conform``;
the notebook stack (jupyter, ipykernel, nbclient, nbformat) comes only with the ``notebooks``
extra (``dev`` includes it).
"""

from __future__ import annotations

import shutil
import subprocess
import tomllib
import venv

import pytest

from tests.paths import REPO

NOTEBOOK_STACK = ("jupyter", "ipykernel", "nbclient", "nbformat", "notebook", "jupyterlab")


def test_the_notebook_stack_is_an_extra_that_dev_includes():
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    runtime = " ".join(project["dependencies"]).lower()
    assert not any(name in runtime for name in NOTEBOOK_STACK)
    extras = project["optional-dependencies"]
    assert {"jupyter", "ipykernel", "nbclient", "nbformat"} <= {
        d.split(">")[0].split("=")[0].strip() for d in extras["notebooks"]}
    assert any(d.startswith("cspotlp[") and "notebooks" in d for d in extras["dev"])


@pytest.mark.slow
def test_a_plain_install_runs_the_cli(tmp_path):
    source = tmp_path / "src"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, source / name)
    shutil.copytree(REPO / "cspotlp", source / "cspotlp",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    install = subprocess.run([str(python), "-m", "pip", "install", "-q", str(source)],
                             capture_output=True, text=True, timeout=600, check=False)
    assert install.returncode == 0, install.stderr[-3000:]

    installed = subprocess.run([str(python), "-m", "pip", "list", "--format", "json"],
                               capture_output=True, text=True, timeout=120, check=True)
    names = {p["name"].lower() for p in __import__("json").loads(installed.stdout)}
    assert "cspotlp" in names and not names & set(NOTEBOOK_STACK)

    cli = str(env_dir / "bin" / "cspotlp")

    def run(*argv: str) -> subprocess.CompletedProcess[str]:
        # outside the sources: the installed package, not the checkout, must answer
        return subprocess.run([cli, *argv], capture_output=True, text=True, timeout=300,
                              cwd=tmp_path, check=False)

    helped = run("--help")
    assert helped.returncode == 0 and "conform" in helped.stdout
    checked = run("check", str(REPO / "examples" / "cspm" / "vending_machine.csp"))
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout.count(": passed") == 8
    conformed = run("conform", "--spec", str(REPO / "examples" / "checkout_spec.csp"),
                    "--abstraction", str(REPO / "examples" / "checkout_abstraction.json"),
                    str(REPO / "examples" / "captures" / "checkout.pb"))
    assert conformed.returncode == 1, conformed.stderr  # order 4 ships before paying
    assert conformed.stdout.splitlines()[-1].endswith("3 pass, 1 fail, 0 error")
