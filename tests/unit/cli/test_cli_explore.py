import json

from cspotlp.cli import main


def test_explore_reports_the_philosophers_deadlock(capsys):
    assert main(["explore", "--builtin", "dining_philosophers", "--n", "3"]) == 1
    out = capsys.readouterr().out
    assert "dining_philosophers(3): 214 states, 564 transitions" in out
    assert ":[deadlock free [F]]: Failed" in out and "Counterexample (deadlock)" in out


def test_explore_json_for_the_butler(capsys):
    assert main(["explore", "--builtin", "dining_philosophers", "--n", "4", "--butler", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["states"] == 753 and data["transitions"] == 2236
    assert data["deadlock_free"] is True and data["counterexample"] is None


def test_explore_other_models_and_limits(capsys):
    assert main(["explore", "--builtin", "cyclic_scheduler", "--n", "4", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["states"] == 96
    # a state limit makes the result inconclusive: exit 1, never a pass
    assert main(["explore", "--builtin", "buffer_pipeline", "--n", "6", "--state-limit", "10", "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["complete"] is False and data["deadlock_free"] is None


def test_explore_rejects_bad_sizes(capsys):
    assert main(["explore", "--builtin", "cyclic_scheduler", "--n", "1"]) == 2
    assert "--n" in capsys.readouterr().err
    # a huge N is refused up front instead of exhausting memory while the network is built
    assert main(["explore", "--builtin", "dining_philosophers", "--n", "100000"]) == 2
    assert "between 2 and 256" in capsys.readouterr().err
