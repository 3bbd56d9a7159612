"""Verdicts as data: one row per trace, written as JSON Lines or Parquet.

``cspotlp conform --out FILE`` writes its verdicts here, whether it ran in one process or on
Dask, through the same code: :func:`result_line` is the JSON line of one verdict (keys sorted,
so that two runs compare byte for byte), :func:`verdict_row` its row in a table
(:data:`VERDICT_COLUMNS`), and :class:`VerdictWriter` writes either, to a temporary file beside
the target that replaces it only when the run is complete.
"""

from __future__ import annotations

import glob
import json
import os
import tempfile
from collections.abc import Sequence
from types import TracebackType
from typing import Any

from cspotlp.conformance.checker import ConformanceResult
from cspotlp.errors import CspotlpError
from cspotlp.files import written_in_place

VERDICT_COLUMNS = ("trace_id", "verdict", "events", "failing_index", "failing_event", "reason",
                   "span_id", "span_name", "service", "file", "error", "json")
"""One row per trace: the verdict, where it failed (-1 / empty when it did not), and ``json``,
the verdict as :func:`result_line` writes it."""

_INT_COLUMNS = ("events", "failing_index")


def result_line(result: ConformanceResult) -> str:
    """The JSON line of one verdict (``conform --out FILE.jsonl`` writes one per trace)."""
    return json.dumps(result.to_json(), ensure_ascii=False, sort_keys=True)


def verdict_row(result: ConformanceResult) -> dict[str, Any]:
    """The row of one verdict (see :data:`VERDICT_COLUMNS`)."""
    f = result.failure
    span = f.span if f is not None else None
    return {"trace_id": result.trace_id, "verdict": result.verdict, "events": result.events,
            "failing_index": -1 if f is None else f.index,
            "failing_event": "" if f is None or f.event is None else f.event,
            "reason": "" if f is None else f.reason,
            "span_id": "" if span is None else span.span_id,
            "span_name": "" if span is None else span.name,
            "service": "" if span is None else span.service,
            "file": result.file, "error": result.error or "", "json": result_line(result)}


def find_inputs(patterns: Sequence[str]) -> list[str]:
    """The files named by ``patterns``: files, directories (every file below, sorted) or globs.

    A file named twice is read once; ``-`` (standard input) is kept as it is.

    Raises:
        CspotlpError: a pattern names nothing, or a directory holds no file.
    """
    files: list[str] = []
    for pattern in patterns:
        if pattern == "-" or os.path.isfile(pattern):
            found = [pattern]
        elif os.path.isdir(pattern):
            found = sorted(os.path.join(root, name)
                           for root, _dirs, names in os.walk(pattern)
                           for name in names if not name.startswith("."))
        else:
            found = sorted(p for p in glob.glob(pattern, recursive=True) if os.path.isfile(p))
        if not found and os.path.exists(pattern):  # a device, a pipe: never read
            raise CspotlpError(f"{pattern}: not a regular file (inputs are read from regular "
                               "files, directories of them, or '-' for standard input)")
        if not found:
            raise CspotlpError(f"{pattern}: no such file, directory or matching files")
        files.extend(found)
    return list(dict.fromkeys(files))


class VerdictWriter:
    """Writes verdict rows to ``path`` (``.parquet``: Parquet; anything else: JSON Lines).

    Rows go to a temporary file in the target's directory, which replaces the target when the
    writer is closed without an error: an interrupted run leaves the previous file in place. A
    device or a pipe (``/dev/null``) is written directly instead (see :func:`written_in_place`).
    Use as a context manager; :meth:`write` takes rows of :func:`verdict_row`.
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self.parquet = path.endswith(".parquet")
        directory = os.path.dirname(os.path.abspath(path))
        self._tmp: str | None = None
        try:
            if written_in_place(path):
                fd = os.open(path, os.O_WRONLY | os.O_TRUNC)
            else:
                os.makedirs(directory, exist_ok=True)
                fd, self._tmp = tempfile.mkstemp(prefix=".cspotlp-", suffix=".part", dir=directory)
        except OSError as e:
            raise CspotlpError(f"cannot write {path}: {e.strerror or e}") from e
        self._text = None if self.parquet else os.fdopen(fd, "w", encoding="utf-8",
                                                         newline="\n")
        if self.parquet:
            os.close(fd)
        self._rows: list[dict[str, Any]] = []
        self._parquet: Any = None

    def write(self, row: dict[str, Any]) -> None:
        """Add one verdict row."""
        if self._text is not None:
            self._text.write(row["json"] + "\n")
            return
        self._rows.append(row)
        if len(self._rows) >= 1 << 16:
            self._flush()

    def _flush(self) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        schema = pa.schema([(c, pa.int64() if c in _INT_COLUMNS else pa.string())
                            for c in VERDICT_COLUMNS])
        if self._parquet is None:
            self._parquet = pq.ParquetWriter(self._tmp or self.path, schema)
        self._parquet.write_table(pa.Table.from_pylist(self._rows, schema=schema))
        self._rows = []

    def __enter__(self) -> VerdictWriter:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        try:
            if self._text is not None:
                self._text.close()
            else:
                if self._rows or self._parquet is None:
                    self._flush()
                self._parquet.close()
            if kind is None and self._tmp is not None:
                os.replace(self._tmp, self.path)
        except OSError as e:
            raise CspotlpError(f"cannot write {self.path}: {e.strerror or e}") from e
        finally:
            if self._tmp is not None and os.path.exists(self._tmp):
                os.unlink(self._tmp)


__all__ = ["VERDICT_COLUMNS", "VerdictWriter", "find_inputs", "result_line", "verdict_row"]
