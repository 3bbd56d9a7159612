"""Hypothesis strategies from CSP models, for the correspondence, and for OTLP tooling.

* :func:`traces`, :func:`failures` — traces and stable failures of a CSP model;
* :func:`wf_traces`, :func:`span_forests` — well-formed span-event traces and valid span
  forests, the inputs of the laws in :mod:`cspotlp.testing.laws`;
* :func:`otlp_documents` — valid OTLP JSON, JSON Lines and protobuf files with their traces.

Importing this module imports Hypothesis; ``import cspotlp`` and ``import cspotlp.testing`` do
not.
"""

from cspotlp.testing.strategies.correspondence import (
    span_forests,
    span_ids,
    wf_traces,
    wf_traces_over,
)
from cspotlp.testing.strategies.csp import ModelFailure, ModelTrace, failures, traces
from cspotlp.testing.strategies.otlp import (
    DOCUMENT_FORMATS,
    OtlpDocument,
    any_values,
    attribute_lists,
    otlp_documents,
)

__all__ = [
    "DOCUMENT_FORMATS", "ModelFailure", "ModelTrace", "OtlpDocument", "any_values",
    "attribute_lists", "failures", "otlp_documents", "span_forests", "span_ids", "traces",
    "wf_traces", "wf_traces_over",
]
