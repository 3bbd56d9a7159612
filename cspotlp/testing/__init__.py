"""cspotlp in your test suite: span conformance, the pytest plugin, model-based testing, laws.

* :func:`assert_conforms` — the traces a test produced are traces of a CSP specification;
  :func:`record_spans` records the spans of a block (the fixture records a whole test);
* the pytest plugin (:mod:`cspotlp.testing.plugin`): fixture ``otel_spans``, marker
  ``csp_spec``;
* :func:`state_machine` — a Hypothesis ``RuleBasedStateMachine`` from a CSP specification,
  driving an implementation and checking it step by step;
* the correspondence laws T1–T5 as checks (:func:`check_phi_psi`, ...);
* Hypothesis strategies in :mod:`cspotlp.testing.strategies` (imported on its own).

Names are imported on first use, so the plugin, which pytest loads in every run, stays light.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cspotlp.testing.conform import SpansDoNotConform, assert_conforms, captured_traces
    from cspotlp.testing.laws import (
        LAWS,
        check_correspondence,
        check_phi_normalised,
        check_phi_psi,
        check_prefixes,
        check_psi_phi,
        check_psi_wf,
    )
    from cspotlp.testing.recording import record_spans
    from cspotlp.testing.span_tree import span_tree
    from cspotlp.testing.stateful import SpecMachine, Violation, state_machine

_WHERE = {
    "SpansDoNotConform": "conform", "assert_conforms": "conform", "captured_traces": "conform",
    "LAWS": "laws", "check_correspondence": "laws", "check_phi_normalised": "laws",
    "check_phi_psi": "laws", "check_prefixes": "laws", "check_psi_phi": "laws",
    "check_psi_wf": "laws",
    "record_spans": "recording", "span_tree": "span_tree",
    "SpecMachine": "stateful", "Violation": "stateful", "state_machine": "stateful",
}

__all__ = [
    "LAWS", "SpansDoNotConform", "SpecMachine", "Violation", "assert_conforms",
    "captured_traces", "check_correspondence", "check_phi_normalised", "check_phi_psi",
    "check_prefixes", "check_psi_phi", "check_psi_wf", "record_spans", "span_tree",
    "state_machine",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'cspotlp.testing' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"cspotlp.testing.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_WHERE})
