"""The text and JSON that ``cspotlp inspect`` prints for a file (pure functions; no printing)."""

from __future__ import annotations

from typing import Any

from cspotlp.otlp.diagnostics import DIAGNOSTIC_KINDS, Summary
from cspotlp.otlp.reader import Capture


def inspect_json(capture: Capture, summary: Summary) -> dict[str, Any]:
    """The JSON object of one file: file, format, the summary's fields, and the reader's notes."""
    return {"file": capture.file, "format": capture.format, **summary.to_json(),
            "notes": [{"kind": n.kind, "message": n.message, "count": n.times,
                       "file": n.where.file, "line": n.where.line} for n in capture.notes]}


def inspect_text(capture: Capture, summary: Summary, max_diagnostics: int = 20) -> str:
    """A human-readable report of one file; at most ``max_diagnostics`` diagnostics listed."""
    s = summary
    lines = [
        f"{capture.file}: {capture.format}",
        f"  traces {s.traces}, spans {s.spans}, services {len(s.services)}, depth {s.depth}",
        f"  roots {s.roots}, links {s.links}, events {s.events}, errors {s.errors}",
    ]
    if s.services:
        lines.append(f"  services: {', '.join(s.services)}")
    counts = [(kind, s.count(kind)) for kind in DIAGNOSTIC_KINDS]
    present = [f"{kind} {n}" for kind, n in counts if n]
    blocking = sum(d.blocking for d in s.diagnostics)
    if present:
        lines.append(f"  diagnostics: {', '.join(present)} ({blocking} blocking a span forest)")
    else:
        lines.append("  diagnostics: none")
    for d in s.diagnostics[:max_diagnostics]:
        fix = f" [repair: {d.repair}]" if d.blocking and d.repair else ""
        lines.append(f"    {d}{fix}")
    if len(s.diagnostics) > max_diagnostics:
        lines.append(f"    ... {len(s.diagnostics) - max_diagnostics} more (--json lists all)")
    for note in capture.notes:
        lines.append(f"  note: {note}")
    return "\n".join(lines) + "\n"
