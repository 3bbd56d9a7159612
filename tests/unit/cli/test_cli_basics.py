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


def test_a_reader_that_goes_away_gets_no_traceback(tmp_path):
    import subprocess
    import sys

    from tests.paths import REPO

    big = tmp_path / "many.csp"
    big.write_text("channel a\n" + "".join(f"assert STOP [T= a -> STOP -- {i}\n"
                                           for i in range(3000)))
    proc = subprocess.Popen([sys.executable, "-m", "cspotlp", "check", str(big), "--json"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=REPO)
    assert proc.stdout is not None and proc.stderr is not None
    assert proc.stdout.readline() == b"[\n"
    proc.stdout.close()  # like `| head -1`
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 141
    assert "Traceback" not in err
