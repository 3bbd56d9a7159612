"""Conformance: captured traces checked against a CSP specification.

:class:`ConformanceChecker` checks each captured trace — the partial order of its events —
against a specification normalised on the fly (:class:`NormalisedSpec`): in some order (the
default), in every order or in time order (``orders``), and reports, per trace, pass, fail or
inconclusive, with the order used, the offending event, its span and the events the
specification accepted there. :func:`load_spec` reads the specification process from a CSPm
script.
"""

from cspotlp.conformance.checker import (
    ORDERS,
    ConformanceChecker,
    ConformanceResult,
    Failure,
    Orders,
    SpanRef,
    Summary,
    channel_domains,
    check_traces,
)
from cspotlp.conformance.normalise import NormalisedSpec
from cspotlp.conformance.spec import load_spec

__all__ = [
    "ORDERS", "ConformanceChecker", "ConformanceResult", "Failure", "NormalisedSpec", "Orders",
    "SpanRef", "Summary", "channel_domains", "check_traces", "load_spec",
]
