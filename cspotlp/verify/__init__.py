"""Verification: conformance of captured traces to a CSP specification.

:class:`ConformanceChecker` checks each captured trace against a specification normalised on
the fly (:class:`NormalisedSpec`) and reports, per trace, pass or fail with the offending event,
its span and the events the specification accepted there.
"""

from cspotlp.verify.conformance import (
    ConformanceChecker,
    ConformanceResult,
    Failure,
    SpanRef,
    Summary,
    channel_domains,
    check_traces,
)
from cspotlp.verify.normalise import NormalisedSpec
from cspotlp.verify.spec import load_spec

__all__ = ["ConformanceChecker", "ConformanceResult", "Failure", "NormalisedSpec", "SpanRef",
           "Summary", "channel_domains", "check_traces", "load_spec"]
