"""The batch span processor's liveness in TLA+: "every enqueued span is eventually exported or
counted as dropped", with Go's fairness; TLC checks it when TLA2TOOLS_JAR is set.

Always: the module parses with tree-sitter-tlaplus, each property is a leads-to over the right
event labels, the fairness is weak per goroutine and strong per select case, and the config
names the properties under the fair specification. With TLC: the example satisfies the
properties; the bug variant (shutdown forgets the queue) violates one by ending; without the
strong fairness of select cases TLC finds the worker's timer firing forever while a span waits.
"""

import importlib
import sys

import pytest

from cspotlp.errors import ExportError
from cspotlp.export import write_files
from cspotlp.export.gomodel import LeadsTo, gomodel_to_tla
from tests.paths import REPO
from tests.tla_support import TLC_SUCCESS, assert_parses, needs_tla2tools, parse_tree, run_tlc

sys.path.insert(0, str(REPO / "examples" / "gomodel"))
bp = importlib.import_module("batch_processor")

TLC_VIOLATION_LIVENESS = 13  # tlc2.output.EC.ExitStatus.VIOLATION_LIVENESS


def _definitions(text):
    """Definition name -> its tree-sitter node."""
    source = text.encode("utf-8")
    out, stack = {}, [parse_tree(text).root_node]
    while stack:
        node = stack.pop()
        if node.type == "operator_definition":
            name = node.child_by_field_name("name")
            if name is not None:
                out[source[name.start_byte:name.end_byte].decode()] = node
        stack.extend(node.children)
    return out


def _nodes(node, kind):
    found, stack = [], [node]
    while stack:
        n = stack.pop()
        if n.type == kind:
            found.append(n)
        stack.extend(n.children)
    return found


@pytest.fixture(scope="module")
def exported():
    model = bp.program().compile()
    return model, gomodel_to_tla(model, liveness=bp.liveness(model))


def test_module_parses_with_properties_and_fairness(exported):
    model, module = exported
    assert_parses(module.text)
    defs = _definitions(module.text)
    for s in (1, 2):
        prop = defs[f"Span{s}ExportedOrDropped"]
        assert len(_nodes(prop, "leads_to")) == 1
        text = prop.text.decode()
        assert f'"queue_send.1.{s}"' in text.split("~>")[0]
        assert f'"exported_send.2.{s}"' in text.split("~>")[1]
    fairness = defs["Fairness"]
    kinds = sorted(n.children[0].type for n in _nodes(fairness, "fairness"))
    # WF: Next, time and exit, main, worker; SF: the cases of the worker's select that can
    # happen (queue, timer, shutdown: nobody calls force_flush); main's only select has one
    # case and a default, which Go never chooses at random
    assert kinds == ["SF_"] * 3 + ["WF_"] * 4
    assert "Case4" not in defs
    cases = " ".join(defs[f"Case{i}"].text.decode() for i in range(1, 4))
    assert '"queue_recv.2.1.true"' in cases and '"fire.after2_1"' in cases and '"shutdown.1.2.1"' in cases
    spec = defs["FairSpec"].text.decode()
    assert "Spec" in spec and "Fairness" in spec
    assert module.config.splitlines() == [
        "SPECIFICATION FairSpec", "INVARIANT TypeOK", "PROPERTY Span1ExportedOrDropped",
        "PROPERTY Span2ExportedOrDropped", "CHECK_DEADLOCK TRUE"]


def test_without_liveness_the_module_is_the_plain_lts(exported):
    model, module = exported
    plain = gomodel_to_tla(model)
    assert "Fairness" not in plain.text and plain.config.startswith("SPECIFICATION Spec\n")
    assert module.text.startswith(plain.text.rsplit("=" * 77, 1)[0])


def test_weak_fairness_only_has_no_sf(exported):
    model, _module = exported
    weak = gomodel_to_tla(model, liveness=bp.liveness(model), strong_fairness=False)
    kinds = {n.children[0].type for n in _nodes(_definitions(weak.text)["Fairness"], "fairness")}
    assert kinds == {"WF_"}


def test_liveness_export_is_deterministic(exported):
    _model, module = exported
    again = bp.program().compile()
    assert gomodel_to_tla(again, liveness=bp.liveness(again)).text == module.text


def test_a_vacuous_property_is_refused(exported):
    model, _module = exported
    never = frozenset(e for e in model.all_events() if e.channel == "flushed_send")  # nobody flushes
    with pytest.raises(ExportError, match="none of its trigger events can happen"):
        gomodel_to_tla(model, liveness=[LeadsTo("Never", never, never)])


@needs_tla2tools
@pytest.mark.slow
@pytest.mark.parametrize(("bug", "strong", "status"), [
    (False, True, TLC_SUCCESS),
    (True, True, TLC_VIOLATION_LIVENESS),    # a span is left in the queue at shutdown
    (False, False, TLC_VIOLATION_LIVENESS),  # weak fairness alone: the timer starves the queue
], ids=["example", "bug", "weak-fairness"])
def test_tlc_checks_the_liveness(tmp_path, bug, strong, status):
    model = bp.program(bug).compile()
    module = gomodel_to_tla(model, liveness=bp.liveness(model), strong_fairness=strong)
    write_files(module.files(), tmp_path)
    run = run_tlc(tmp_path, module.name)
    assert run.returncode == status, run.output[-3000:]
    if status == TLC_VIOLATION_LIVENESS:
        assert "Temporal property Span1ExportedOrDropped was violated" in run.output
