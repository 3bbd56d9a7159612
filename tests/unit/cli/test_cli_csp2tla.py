from cspotlp.cli import main
from tests import tla_eval
from tests.flow_fixtures import CHECKOUT_SPEC
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
    assert "give MODEL.csp PROCESS, or --builtin MODEL" in capsys.readouterr().err
    assert main(["csp2tla", str(CHECKOUT_SPEC), "SPEC", "--builtin", "buffer_pipeline",
                 "-o", str(tmp_path)]) == 2
    assert main(["csp2tla", str(CHECKOUT_SPEC), "-o", str(tmp_path)]) == 2


def test_csp2tla_from_a_cspm_script_is_the_lts_tlc_would_explore(tmp_path, capsys):
    from cspotlp.conformance import load_spec
    from cspotlp.csp import build_lts

    assert main(["csp2tla", str(CHECKOUT_SPEC), "SPEC", "-o", str(tmp_path)]) == 0
    assert capsys.readouterr().out.split() == [str(tmp_path / "SPEC.tla"),
                                               str(tmp_path / "SPEC.cfg")]
    text = (tmp_path / "SPEC.tla").read_text(encoding="ascii")
    assert_parses(text)
    process, env = load_spec(CHECKOUT_SPEC, "SPEC")
    lts = build_lts(process, env)
    assert defined_value(text, "NumStates") == lts.num_states
    # SPEC terminates (SKIP), which TLC sees as a deadlock: the module says so truthfully
    assert tla_eval.check(tmp_path, "SPEC").outcome == ("deadlock" if lts.deadlocks() else "ok")


def test_csp2tla_unknown_process_names_the_script(tmp_path, capsys):
    assert main(["csp2tla", str(CHECKOUT_SPEC), "NOPE", "-o", str(tmp_path)]) == 2
    assert "NOPE" in capsys.readouterr().err


def test_csp2tla_state_limit_is_an_input_error(tmp_path, capsys):
    assert main(["csp2tla", "--builtin", "dining_philosophers", "--n", "4", "--state-limit",
                 "10", "-o", str(tmp_path)]) == 2
    assert "state limit 10" in capsys.readouterr().err


def test_csp2tla_unwritable_output_is_an_input_error_naming_the_path(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    assert main(["csp2tla", "--builtin", "dining_philosophers", "--n", "2", "-o",
                 str(blocker / "out")]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"cspotlp: cannot write {blocker / 'out'}") and "Traceback" not in err
