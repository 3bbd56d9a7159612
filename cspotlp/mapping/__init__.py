"""The trace ↔ span-forest correspondence: vocabulary, WF, forests, Φ, Ψ, norm, cut."""

from cspotlp.mapping.correspondence import cut, norm, occurrence_key, occurrences, phi, prefix, psi
from cspotlp.mapping.forest import (
    Forest,
    SpanRecord,
    TimedLink,
    TimedMark,
    depths,
    forest_violations,
    is_normalised,
    is_valid_forest,
)
from cspotlp.mapping.vocabulary import (
    Begin,
    End,
    Link,
    Mark,
    SpanEvent,
    SpanId,
    Trace,
    id_key,
    is_complete,
    is_strictly_nested,
    is_wf,
    wf_violation,
)

__all__ = [
    "Begin", "End", "Forest", "Link", "Mark", "SpanEvent", "SpanId", "SpanRecord", "TimedLink",
    "TimedMark", "Trace", "cut", "depths", "forest_violations", "id_key", "is_complete",
    "is_normalised", "is_strictly_nested", "is_valid_forest", "is_wf", "norm", "occurrence_key",
    "occurrences", "phi", "prefix", "psi", "wf_violation",
]
