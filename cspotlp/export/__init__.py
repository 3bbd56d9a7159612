"""Exporters: pure functions from cspotlp values to text for other tools.

* :func:`export_cspm` — captured traces (abstracted) as a CSPm script for FDR4, with the
  assertion ``SPEC [T= OBSERVED`` against an included specification and a sidecar mapping
  every event back to its spans; :func:`read_spec_interface` reads what it needs of a
  specification script.
* :func:`gomodel_to_cspm`, :func:`gomodel_to_tla` — a Go-style model (:mod:`cspotlp.gomodel`)
  for FDR4 and TLC;
* :func:`lts_to_tla` — a finite CSP process (its LTS) as a TLA+ module with a TLC config;
* :func:`trace_validation` — trace-validation modules checking event logs against such a model;
  :func:`event_logs` makes those logs from captured (abstracted) traces;
* :mod:`cspotlp.export.tla_syntax` — the sanitising of labels, names and comments they share.

Every exporter is deterministic (same value, same bytes) and writes output that parses in its
target tool whatever the labels contain.
"""

from cspotlp.export.cspm import CspmExport, SpecRef, export_cspm, spans_of_counterexample
from cspotlp.export.cspm_spec import SpecInterface, read_spec_interface, spec_interface
from cspotlp.export.gomodel import gomodel_to_cspm, gomodel_to_tla
from cspotlp.export.tla_capture import event_log, event_logs
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
    "CspmExport", "SpecInterface", "SpecRef", "export_cspm", "read_spec_interface",
    "spans_of_counterexample", "spec_interface", "gomodel_to_cspm", "gomodel_to_tla", "event_log", "event_logs",
    "LOG_FIELDS", "NO_EVENT", "TAU_LABEL", "TICK_LABEL", "EventLog", "LogEntry", "TlaModule",
    "TraceValidation", "encode_label", "event_labels", "log_labels", "lts_config", "lts_to_tla",
    "ndjson_text", "tla_comment", "tla_identifier", "tla_label", "tla_string", "trace_validation",
    "validation_config", "write_files",
]
