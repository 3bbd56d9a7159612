"""The trace ↔ span-forest correspondence: vocabulary, WF, forests, Φ, Ψ, norm, cut, shapes.

Also the abstraction of captured traces for model checking (:mod:`.abstraction`, read from
files by :mod:`.abstraction_file`), the CSPm names of labels (:mod:`.cspm_names`) and how
abstract events become events of a specification's alphabet (:mod:`.alphabet`); the partial
order of a captured trace's events (:mod:`.event_order`, docs/theory.md §4), captured traces
abstracted with it (:mod:`.observed`) and the searches of its linearisations against an
automaton (:mod:`.linearisations`).
"""

from cspotlp.mapping.abstraction import (
    DEFAULT_ABSTRACTION,
    AbstractEvent,
    Abstraction,
    AbstractTrace,
    abstract_trace,
)
from cspotlp.mapping.abstraction_file import load_abstraction, loads_abstraction
from cspotlp.mapping.alphabet import EventBinding
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
from cspotlp.mapping.event_order import (
    DEFAULT_TOLERANCE,
    EventOrder,
    SpanTree,
    forest_order,
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
from cspotlp.mapping.observed import abstract_observed
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
    "DEFAULT_ABSTRACTION", "AbstractEvent", "AbstractTrace", "Abstraction", "EventBinding",
    "abstract_observed", "abstract_trace", "load_abstraction", "loads_abstraction",
    "DEFAULT_TOLERANCE", "EventOrder", "SpanTree", "forest_order",
    "BEGIN", "END", "LINK", "MARK", "Begin", "CausalOrder", "End", "Forest", "Link", "Mark",
    "Occurrence", "OccurrenceKey", "Shape", "SpanEvent", "SpanId", "SpanRecord", "SpanShape",
    "TimedLink", "TimedMark", "Trace", "causal_order", "cut", "depths", "forest_violations",
    "id_key", "is_complete", "is_linear_extension", "is_normalised", "is_strictly_nested",
    "is_valid_forest", "is_wf", "linear_extensions", "norm", "occurrence_key", "occurrences",
    "phi", "prefix", "project", "psi", "restrict", "restrict_trace", "shape", "spans_of",
    "wf_violation",
]
