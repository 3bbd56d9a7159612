"""Conformance: captured traces checked against a CSP specification.

:class:`ConformanceChecker` checks each captured trace against a specification normalised on the
fly (:class:`NormalisedSpec`) and reports, per trace, pass or fail with the offending event, its
span and the events the specification accepted there. :func:`load_spec` reads the specification
process from a CSPm script.
"""

from cspotlp.conformance.checker import (
    ConformanceChecker,
    ConformanceResult,
    Failure,
    SpanRef,
    Summary,
    channel_domains,
    check_traces,
)
from cspotlp.conformance.normalise import NormalisedSpec
from cspotlp.conformance.spec import load_spec

__all__ = [
    "ConformanceChecker", "ConformanceResult", "Failure", "NormalisedSpec", "SpanRef", "Summary",
    "channel_domains", "check_traces", "load_spec",
]
