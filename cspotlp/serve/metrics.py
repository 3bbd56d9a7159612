"""The receiver's Prometheus metrics (``GET /metrics``, text exposition format).

One :class:`Metrics` per receiver, on its own ``prometheus_client`` registry (never the global
one, so two receivers in one process, as in the tests, do not mix their counts):

=========================================  =====================================================
``cspotlp_spans_received_total``           spans accepted, by ``transport`` (http, grpc)
``cspotlp_spans_rejected_total``           spans refused for invalid ids (partial success)
``cspotlp_requests_total``                 export requests by ``transport`` and ``outcome``
``cspotlp_traces_checked_total``           verdicts by ``verdict`` (pass, fail, error, incomplete)
``cspotlp_traces_late_total``              re-checks of traces that got spans after their check
``cspotlp_spans_checked_total``            spans in complete checks
``cspotlp_spans_incomplete_total``         spans in incomplete checks
``cspotlp_buffered_spans``                 spans held (waiting plus kept for late re-checks)
``cspotlp_waiting_traces``                 traces not yet checked
``cspotlp_check_latency_seconds``          from a trace being ready to its verdict written
``cspotlp_forward_requests_total``         requests passed on (``--forward``) by ``outcome``
=========================================  =====================================================

Every span received is, in the end, in exactly one first check: ``spans_checked`` plus
``spans_incomplete`` minus the earlier spans re-checked with late ones equals
``spans_received`` once the buffer is empty (the load benchmark checks this).
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

CONTENT_TYPE = CONTENT_TYPE_LATEST
"""The Content-Type of the exposition text."""

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Metrics:
    """The counters, gauges and histogram of one receiver."""

    def __init__(self) -> None:
        self.registry = r = CollectorRegistry(auto_describe=True)
        self.spans_received = Counter("cspotlp_spans_received", "Spans accepted",
                                      ["transport"], registry=r)
        self.spans_rejected = Counter("cspotlp_spans_rejected",
                                      "Spans refused for invalid ids (partial success)",
                                      ["transport"], registry=r)
        self.requests = Counter("cspotlp_requests", "Export requests",
                                ["transport", "outcome"], registry=r)
        self.traces_checked = Counter("cspotlp_traces_checked", "Traces checked, by verdict",
                                      ["verdict"], registry=r)
        self.traces_late = Counter("cspotlp_traces_late",
                                   "Re-checks of traces that got spans after their check",
                                   registry=r)
        self.spans_late = Counter("cspotlp_spans_late", "Spans that arrived after their "
                                  "trace was checked", registry=r)
        self.spans_checked = Counter("cspotlp_spans_checked", "Spans in complete checks",
                                     registry=r)
        self.spans_incomplete = Counter("cspotlp_spans_incomplete",
                                        "Spans in incomplete checks", registry=r)
        self.buffered_spans = Gauge("cspotlp_buffered_spans", "Spans held", registry=r)
        self.waiting_traces = Gauge("cspotlp_waiting_traces", "Traces not yet checked",
                                    registry=r)
        self.check_latency = Histogram("cspotlp_check_latency_seconds",
                                       "From a trace being ready to its verdict written",
                                       buckets=LATENCY_BUCKETS, registry=r)
        self.forwarded = Counter("cspotlp_forward_requests", "Requests passed on (--forward)",
                                 ["outcome"], registry=r)
        for verdict in ("pass", "fail", "error", "incomplete"):
            self.traces_checked.labels(verdict=verdict)
        for transport in ("http", "grpc"):
            self.spans_received.labels(transport=transport)
            self.spans_rejected.labels(transport=transport)

    def exposition(self) -> bytes:
        """The metrics in the Prometheus text format."""
        return bytes(generate_latest(self.registry))

    def value(self, name: str, **labels: str) -> float:
        """The current value of one sample (``name`` as exposed, e.g. ``..._total``); 0 if absent."""
        got = self.registry.get_sample_value(name, labels or None)
        return 0.0 if got is None else float(got)


__all__ = ["CONTENT_TYPE", "LATENCY_BUCKETS", "Metrics"]
