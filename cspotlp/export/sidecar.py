"""Reading back the sidecar ``otlp2cspm`` writes (``OUT.csp.json``), checked for its shape.

The sidecar maps every event of an exported script to the span that made it (see
:mod:`cspotlp.export.cspm`). ``cspotlp locate`` reads it to point a counterexample at real spans;
a file of another shape is refused as "not a sidecar" — naming what is wrong — rather than
answering that no captured trace matches.
"""

from __future__ import annotations

import json
import os
from typing import Any

from cspotlp.errors import ExportError
from cspotlp.export.cspm import SIDECAR_FORMAT, SIDECAR_FORMATS, order_problem
from cspotlp.files import MAX_DOCUMENT_BYTES, MAX_NESTING, nesting_depth, read_bytes


def load_sidecar(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The sidecar in ``path``, its shape checked.

    Raises:
        ExportError: the file cannot be read, is not JSON, is nested too deeply, or is not a
            sidecar (the message says which field is wrong).
    """
    name = os.fspath(path)
    try:
        text = read_bytes(name, MAX_DOCUMENT_BYTES).decode("utf-8")
    except (OSError, UnicodeDecodeError, ValueError) as e:
        reason = e.strerror if isinstance(e, OSError) and e.strerror else e
        raise ExportError(f"{name}: cannot read: {reason}") from e
    if nesting_depth(text) > MAX_NESTING:
        raise ExportError(f"{name}: not a sidecar: JSON nested more than {MAX_NESTING} deep")
    try:
        doc = json.loads(text)
    except (ValueError, RecursionError) as e:
        raise ExportError(f"{name}: not a sidecar: not JSON ({e})") from e
    problem = sidecar_problem(doc)
    if problem is not None:
        raise ExportError(f"{name}: not a sidecar of cspotlp otlp2cspm: {problem}")
    assert isinstance(doc, dict)
    return doc


def sidecar_problem(doc: object) -> str | None:
    """What makes ``doc`` not a sidecar (as ``otlp2cspm`` writes it), or None."""
    if not isinstance(doc, dict):
        return f"the document is a JSON {_kind(doc)}, not an object"
    if doc.get("format") not in SIDECAR_FORMATS:
        return f"'format' is {doc.get('format')!r}, not {SIDECAR_FORMAT!r}"
    traces = doc.get("traces")
    if not isinstance(traces, list):
        return f"'traces' is {_kind(traces)}, not a list"
    for k, t in enumerate(traces):
        where = f"traces[{k}]"
        if not isinstance(t, dict):
            return f"{where} is a JSON {_kind(t)}, not an object"
        if not isinstance(t.get("trace_id"), str):
            return f"{where}.trace_id is {_kind(t.get('trace_id'))}, not a string"
        if not isinstance(t.get("file", ""), str):
            return f"{where}.file is {_kind(t.get('file'))}, not a string"
        events = t.get("events")
        if not isinstance(events, list):
            return f"{where}.events is {_kind(events)}, not a list"
        for j, row in enumerate(events):
            if not (isinstance(row, list) and len(row) == 4
                    and all(isinstance(x, str) for x in row)):
                return (f"{where}.events[{j}] is not [event, span id, span name, service] "
                        "(four strings)")
        if "order" in t:
            problem = order_problem(t["order"], len(events))
            if problem is not None:
                return f"{where}.order: {problem}"
    return None


def _kind(value: object) -> str:
    if value is None:
        return "null"
    return {dict: "object", list: "array", str: "string", bool: "boolean", int: "number",
            float: "number"}.get(type(value), type(value).__name__)


__all__ = ["load_sidecar", "sidecar_problem"]
