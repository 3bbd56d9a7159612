import subprocess
import sys

from cspotlp import __version__
from cspotlp.cli import main


def test_version(capsys):
    try:
        main(["--version"])
    except SystemExit as e:
        assert e.code == 0
    assert __version__ in capsys.readouterr().out


def test_help_runs_as_module():
    out = subprocess.run([sys.executable, "-m", "cspotlp.cli", "--help"], capture_output=True, text=True)
    assert out.returncode == 0
    assert "usage: cspotlp" in out.stdout
