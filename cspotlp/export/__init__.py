"""Exporters: pure functions from cspotlp values to text for other tools (TLA+ for TLC/SANY).

* :func:`lts_to_tla` — a finite CSP process (its LTS) as a TLA+ module with a TLC config;
* :func:`trace_validation` — trace-validation modules checking event logs against such a model;
* :mod:`cspotlp.export.tla_syntax` — the sanitising of labels, names and comments they share.

Every exporter is deterministic (same value, same bytes) and writes only ASCII TLA+ that parses
whatever the labels contain.
"""

from cspotlp.export.tla_lts import (
    NO_EVENT,
    TAU_LABEL,
    TICK_LABEL,
    TlaModule,
    event_labels,
    lts_config,
    lts_to_tla,
    write_files,
)
from cspotlp.export.tla_syntax import (
    encode_label,
    tla_comment,
    tla_identifier,
    tla_label,
    tla_string,
)
from cspotlp.export.tla_trace import (
    LOG_FIELDS,
    EventLog,
    LogEntry,
    TraceValidation,
    log_labels,
    ndjson_text,
    trace_validation,
    validation_config,
)

__all__ = [
    "LOG_FIELDS", "NO_EVENT", "TAU_LABEL", "TICK_LABEL", "EventLog", "LogEntry", "TlaModule",
    "TraceValidation", "encode_label", "event_labels", "log_labels", "lts_config", "lts_to_tla",
    "ndjson_text", "tla_comment", "tla_identifier", "tla_label", "tla_string", "trace_validation",
    "validation_config", "write_files",
]
