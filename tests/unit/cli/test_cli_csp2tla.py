from cspotlp.cli import main
from tests.tla_support import assert_parses, defined_value, read_config


def test_csp2tla_builtin_writes_module_and_config(tmp_path, capsys):
    assert main(["csp2tla", "--builtin", "dining_philosophers", "--n", "3", "-o",
                 str(tmp_path / "out")]) == 0
    out = capsys.readouterr()
    tla = tmp_path / "out" / "DiningPhilosophers3.tla"
    cfg = tmp_path / "out" / "DiningPhilosophers3.cfg"
    assert out.out.split() == [str(tla), str(cfg)]
    assert "214 states" in out.err
    text = tla.read_text(encoding="ascii")
    assert_parses(text)
    assert defined_value(text, "NumStates") == 214
    assert read_config(cfg.read_text())["CHECK_DEADLOCK"] == ["TRUE"]


def test_csp2tla_module_name_and_butler(tmp_path, capsys):
    assert main(["csp2tla", "--builtin", "dining_philosophers", "--n", "2", "--butler",
                 "--module", "Dp(2)", "-o", str(tmp_path)]) == 0
    assert (tmp_path / "Dp_x28_2_x29_.tla").is_file()
    capsys.readouterr()
    assert main(["csp2tla", "--builtin", "dining_philosophers", "--n", "2", "--butler",
                 "-o", str(tmp_path)]) == 0
    assert (tmp_path / "DiningPhilosophersButler2.tla").is_file()


def test_csp2tla_needs_a_process(tmp_path, capsys):
    assert main(["csp2tla", "-o", str(tmp_path)]) == 2
    assert "give --builtin" in capsys.readouterr().err


def test_csp2tla_state_limit_is_an_input_error(tmp_path, capsys):
    assert main(["csp2tla", "--builtin", "dining_philosophers", "--n", "4", "--state-limit",
                 "10", "-o", str(tmp_path)]) == 2
    assert "state limit 10" in capsys.readouterr().err
