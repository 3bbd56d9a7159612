"""OTLP under a wrapper: what trace back ends answer when asked for a trace by id.

* Grafana Tempo, ``GET /api/traces/<id>``: ``{"batches": [ResourceSpans...]}``; and
  ``GET /api/v2/traces/<id>``: ``{"trace": {"batches"|"resourceSpans": [...]}, ...}``. Tempo
  writes protobuf's JSON mapping of OTLP: ids in base64 and enums by name (``"kind":
  "SPAN_KIND_SERVER"``) — the OTLP JSON encoding forbids both, but for Tempo's answers they are
  the documented encoding, so they are read without ``--lenient`` (hex ids are read too).
* Jaeger v2, ``GET /api/v3/traces/<id>`` (api_v3 through its gRPC gateway):
  ``{"result": {"resourceSpans": [...]}}``, OTLP JSON inside; a streamed answer has one such
  object per line.
* Either may answer with an error object (``{"error": {"message": ...}}``, Tempo's
  ``{"status": ..., "message": ...}`` without a trace): that is reported, never read as an empty
  capture.
"""

from __future__ import annotations

from typing import Any

TEMPO, JAEGER_V3 = "tempo", "jaeger-api-v3"

PROTO3_JSON_KINDS = frozenset({"base64-id", "enum-name"})
"""Deviations from OTLP JSON that are the documented encoding of Tempo's answers."""


def wrapper_of(doc: object) -> str | None:
    """The wrapper format of a parsed JSON document (:data:`TEMPO`, :data:`JAEGER_V3`) or None."""
    if type(doc) is not dict:
        return None
    if isinstance(doc.get("batches"), list):
        return TEMPO
    inner = doc.get("trace")
    if isinstance(inner, dict) and (not inner or _holds_spans(inner)):
        return TEMPO
    inner = doc.get("result")
    if isinstance(inner, dict) and (not inner or _holds_spans(inner)):
        return JAEGER_V3
    return None


def _holds_spans(d: dict[str, Any]) -> bool:
    return any(k in d for k in ("batches", "resourceSpans", "resource_spans"))


def error_answer(doc: object) -> str | None:
    """The message of a query API's error answer (Jaeger api_v3, Tempo), or None."""
    if type(doc) is not dict:
        return None
    err = doc.get("error")
    if isinstance(err, dict) and ("message" in err or "httpCode" in err or "code" in err):
        code = err.get("httpCode", err.get("code"))
        return f"{err.get('message', '')}" + (f" (HTTP {code})" if code is not None else "")
    if "trace" not in doc and "batches" not in doc and isinstance(doc.get("message"), str) \
            and "status" in doc:
        return f"{doc['message']} (status {doc['status']})"
    return None


def unwrap(doc: dict[str, Any]) -> dict[str, Any]:
    """The ``TracesData`` object inside a wrapped document (see :func:`wrapper_of`)."""
    if "batches" in doc and isinstance(doc["batches"], list):
        return {"resourceSpans": doc["batches"]}
    inner = doc.get("trace")
    if not isinstance(inner, dict):
        inner = doc.get("result")
    assert isinstance(inner, dict)
    if "batches" in inner and "resourceSpans" not in inner:
        return {"resourceSpans": inner["batches"]}
    return inner


__all__ = ["JAEGER_V3", "PROTO3_JSON_KINDS", "TEMPO", "error_answer", "unwrap", "wrapper_of"]
