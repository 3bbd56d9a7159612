"""The trace ↔ span-forest correspondence: vocabulary, WF, forests, Φ, Ψ, norm, cut, shapes."""

from cspotlp.mapping.correspondence import (
    BEGIN,
    END,
    LINK,
    MARK,
    Occurrence,
    OccurrenceKey,
    cut,
    norm,
    occurrence_key,
    occurrences,
    phi,
    prefix,
    project,
    psi,
)
from cspotlp.mapping.forest import (
    Forest,
    SpanRecord,
    TimedLink,
    TimedMark,
    depths,
    forest_violations,
    is_normalised,
    is_valid_forest,
    restrict,
)
from cspotlp.mapping.shape import (
    CausalOrder,
    Shape,
    SpanShape,
    causal_order,
    is_linear_extension,
    linear_extensions,
    shape,
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
    restrict_trace,
    spans_of,
    wf_violation,
)

__all__ = [
    "BEGIN", "END", "LINK", "MARK", "Begin", "CausalOrder", "End", "Forest", "Link", "Mark",
    "Occurrence", "OccurrenceKey", "Shape", "SpanEvent", "SpanId", "SpanRecord", "SpanShape",
    "TimedLink", "TimedMark", "Trace", "causal_order", "cut", "depths", "forest_violations",
    "id_key", "is_complete", "is_linear_extension", "is_normalised", "is_strictly_nested",
    "is_valid_forest", "is_wf", "linear_extensions", "norm", "occurrence_key", "occurrences",
    "phi", "prefix", "project", "psi", "restrict", "restrict_trace", "shape", "spans_of",
    "wf_violation",
]
