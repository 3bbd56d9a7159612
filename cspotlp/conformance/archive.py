"""Conformance over trace archives on Dask: many files, traces spread over them, many machines.

The same check as :class:`~cspotlp.conformance.checker.ConformanceChecker`, run as a Dask
computation (``dask.distributed``: a laptop's ``LocalCluster`` or a real cluster, same code):

1. **Pieces.** Every input file is a piece; a JSON Lines file larger than ``chunk_bytes`` is cut
   into byte ranges at line starts (a piece owns the lines that start inside its range), so one
   huge collector export is read by many workers at once.
2. **Scan.** Each piece's trace ids are listed without decoding it (a pattern over the raw
   JSON Lines bytes, or Parquet's ``TraceId`` column), as 64-bit hashes; the client finds the
   ids that occur in more than one piece: the *split* traces. Most traces are written whole into
   one file, so most traces are checked where they are read, and only split traces travel.
3. **Read and check.** Each piece is read on a worker and its spans grouped per trace id. A
   trace that is not split is checked there (the specification is normalised once, on the
   client, and shipped to every worker, which unpickles it once); the parts of split traces
   become rows ``(trace_id, bucket, order, file, spans)`` (``spans`` pickled; ``order`` keeps
   the input order of a trace's parts). The scan must have seen every trace id the reader
   decodes (an id written with JSON escapes would escape it): when it has not, the run starts
   over with every trace shuffled, as when some input is in a format with no scan (protobuf).
   A piece that cannot be read becomes a row with an empty trace id and the error: the run goes
   on, and the exit status says some input was bad.
4. **Shuffle.** The parts of split traces move by trace id, range-partitioned on the id's
   leading hex digits (``bucket``), so that every trace is checked whole, whatever files its
   spans came from, by the same code as the single-process command; each verdict row carries
   the very JSON line that command writes.

:func:`check_archive` returns the verdicts as a Dask DataFrame, one row per trace (columns
:data:`VERDICT_COLUMNS`), for users who join them with their own data; :func:`run_archive` is
what ``cspotlp conform --dask`` runs: it streams the verdicts back partition by partition, in
an order that is the same on every run, with the summary and exit status of the single-process
command.

This is the only module that imports Dask (DESIGN.md §1), and only when called.
"""

from __future__ import annotations

import importlib
import json
import os
import pickle
import re
import threading
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from cspotlp.conformance.checker import ConformanceChecker, Summary
from cspotlp.conformance.verdicts import VERDICT_COLUMNS, find_inputs, verdict_row
from cspotlp.errors import CspotlpError, MalformedInput, SpanWhere
from cspotlp.otlp.context import DecodeContext
from cspotlp.otlp.reader import CapturedTrace, SpanReader, detect_format, gc_paused

CHUNK_BYTES = 64 << 20
"""Default largest byte range of a JSON Lines file that one task reads."""

_BUCKETS = 1 << 16  # trace ids are ranged on their first four hex digits


@dataclass(frozen=True)
class Piece:
    """A part of the input that one task reads: a whole file, or a byte range of JSON Lines.

    ``index`` is the file's position among the inputs (it orders a trace's parts as the
    single-process command reads them); ``first_line`` is the line number at ``start``.
    """

    file: str
    index: int
    start: int = 0
    end: int | None = None
    first_line: int = 1


# -- inputs ---------------------------------------------------------------------------------


def plan_pieces(files: Sequence[str], chunk_bytes: int = CHUNK_BYTES) -> list[Piece]:
    """The pieces of ``files``: JSON Lines files larger than ``chunk_bytes`` are cut at lines.

    A file that cannot be opened or recognised stays one piece; reading it reports the error.
    """
    pieces: list[Piece] = []
    for index, path in enumerate(files):
        try:
            size = os.path.getsize(path)
            if size <= chunk_bytes or _format(path) != "otlp-jsonl":
                pieces.append(Piece(path, index))
                continue
        except (OSError, CspotlpError):
            pieces.append(Piece(path, index))
            continue
        pieces.extend(_line_ranges(path, index, size, chunk_bytes))
    return pieces


def _format(path: str) -> str:
    with open(path, "rb") as stream:
        return detect_format(stream, DecodeContext(path))


def _line_ranges(path: str, index: int, size: int, chunk_bytes: int) -> Iterator[Piece]:
    """Byte ranges of about ``chunk_bytes``, each starting at a line start, with line numbers."""
    start, line = 0, 1
    with open(path, "rb") as stream:
        while start < size:
            cut = min(start + chunk_bytes, size)
            stream.seek(cut)
            stream.readline()  # on to the start of the next line
            end = min(stream.tell(), size) if cut < size else size
            stream.seek(start)
            lines = _count_newlines(stream, end - start)
            yield Piece(path, index, start, end, line)
            start, line = end, line + lines


def _count_newlines(stream: Any, length: int) -> int:
    count = 0
    while length > 0:
        block = stream.read(min(length, 1 << 22))
        if not block:
            break
        count += block.count(b"\n")
        length -= len(block)
    return count


# -- reading a piece --------------------------------------------------------------------------


def _bucket(trace_id: str) -> int:
    try:
        return int(trace_id[:4], 16) if len(trace_id) >= 4 else 0
    except ValueError:
        return 0


def scan_piece(piece: Piece) -> Any:
    """The 64-bit hashes of the trace ids in ``piece`` (a sorted numpy array), or None.

    None means the piece has no exact scan: its format has none (protobuf) or an id is written
    in a form the pattern cannot vouch for (escapes, not 32 hex digits). A piece that cannot
    be read scans as empty: reading it reports the error, and none of its spans is checked.
    """
    import numpy as np

    try:
        fmt = _format(piece.file)
        if fmt == "parquet":
            ids = _parquet_trace_ids(piece.file)
        elif fmt in ("otlp-proto", "otlp-proto-stream"):
            return None
        else:
            ids = _json_trace_ids(_piece_bytes(piece))
    except (OSError, CspotlpError):
        return np.zeros(0, dtype=np.uint64)
    if ids is None:
        return None
    return np.unique(np.fromiter((_id_hash(t) for t in ids), dtype=np.uint64, count=len(ids)))


# A JSON key naming a trace id (OTLP, snake_case, Jaeger) and its string value.
_TRACE_ID_KEY = re.compile(rb'"trace(?:Id|_id|ID)"\s*:\s*"([^"\\]*)(["\\])')
# A key written with an escape could spell traceId where the pattern does not see it.
_ESCAPED_KEY = re.compile(rb'"[^"\\]*\\[^"]*"\s*:')
_HEX32 = re.compile(rb"[0-9a-fA-F]{32}")


def _json_trace_ids(data: bytes) -> set[bytes] | None:
    """The trace ids written in JSON text ``data`` (lowercase), or None if it cannot say."""
    if b"\\" in data and _ESCAPED_KEY.search(data):
        return None
    ids: set[bytes] = set()
    for m in _TRACE_ID_KEY.finditer(data):
        value = m.group(1)
        if m.group(2) != b'"' or not _HEX32.fullmatch(value):
            if value == b"" and m.group(2) == b'"':
                continue  # an empty link trace id; a span without one is an input error
            return None
        ids.add(value)
    return {v.lower() for v in ids}


def _parquet_trace_ids(path: str) -> set[bytes] | None:
    import pyarrow.parquet as pq

    try:
        column = pq.read_table(path, columns=["TraceId"]).column(0).to_pylist()
    except Exception:  # noqa: BLE001 - no TraceId column, a damaged file: no scan; reading says why
        return None
    ids = set(column)
    if not all(type(v) is str and _HEX32.fullmatch(v.encode()) for v in ids):
        return None
    return {v.lower().encode() for v in ids}


def _piece_bytes(piece: Piece) -> bytes:
    with open(piece.file, "rb") as stream:
        stream.seek(piece.start)
        return stream.read() if piece.end is None else stream.read(piece.end - piece.start)


def _id_hash(trace_id: bytes | str) -> int:
    """A 64-bit hash of a trace id (the same in every process; ids are random: fold them)."""
    if len(trace_id) == 32:
        try:
            value = int(trace_id, 16)
            return (value >> 64) ^ (value & 0xFFFF_FFFF_FFFF_FFFF)
        except ValueError:
            pass
    import hashlib

    raw = trace_id.encode("utf-8", "surrogatepass") if isinstance(trace_id, str) else trace_id
    return int.from_bytes(hashlib.blake2b(raw, digest_size=8).digest(), "big")


def split_traces(scans: Sequence[Any]) -> Any:
    """The hashes (sorted numpy array) in more than one of ``scans``, or None if one is None."""
    import numpy as np

    if any(scan is None for scan in scans):
        return None
    if not scans:
        return np.zeros(0, dtype=np.uint64)
    values, counts = np.unique(np.concatenate(scans), return_counts=True)
    return values[counts > 1]


def _read_groups(piece: Piece, lenient: bool, keep_attributes: bool
                 ) -> dict[str, tuple[list[Any], list[int]]]:
    """The spans of ``piece`` per trace id (and their JSON Lines lines), in reading order."""
    groups: dict[str, tuple[list[Any], list[int]]] = {}
    for batch, line in _piece_reader(piece, lenient=lenient, keep_attributes=keep_attributes):
        for span in batch:
            group = groups.get(span.trace_id)
            if group is None:
                group = groups[span.trace_id] = ([], [])
            group[0].append(span)
            if line is not None:
                group[1].append(line)
    return groups


def _rows_of_parts(piece: Piece, rows: list[tuple[str, tuple[list[Any], list[int]]]]) -> Any:
    base = (piece.index << 40) + piece.start
    return _parts_frame(
        [tid for tid, _ in rows], [_bucket(tid) for tid, _ in rows],
        [base + k for k in range(len(rows))], [piece.file] * len(rows),
        [pickle.dumps(spans, protocol=pickle.HIGHEST_PROTOCOL) for _, (spans, _l) in rows],
        [pickle.dumps(lines) if len(lines) == len(spans) else b"" for _, (spans, lines) in rows],
        [""] * len(rows))


def read_piece(piece: Piece, *, lenient: bool = False, keep_attributes: bool = True) -> Any:
    """The rows of one piece (a pandas DataFrame): its spans grouped per trace id.

    Columns ``trace_id``, ``bucket``, ``order`` (file index, then first span's place), ``file``,
    ``spans`` (pickled list of spans), ``lines`` (pickled JSON Lines line of each span, or
    None), ``error``. A piece that cannot be read gives one row with an empty trace id and the
    error message.
    """
    try:
        groups = _read_groups(piece, lenient, keep_attributes)
    except CspotlpError as e:
        return _parts_frame([""], [0], [piece.index << 40], [piece.file], [b""], [b""], [str(e)])
    return _rows_of_parts(piece, list(groups.items()))


class ScanMissed(CspotlpError):
    """A piece holds a trace id its scan did not see (a bug of the scan: never a silent verdict)."""


# the collector paused: a worker holds many long-lived objects (Dask's, pandas', the
# specification's) that each full collection would rescan; a piece makes no reference cycles to
# speak of (measured on a 2-worker LocalCluster: 2.03 s a piece with it, 1.71 s without)
@gc_paused()
def check_piece(piece: Piece, scan: Any, split: Any, payload: bytes, *, lenient: bool,
                keep_attributes: bool, describe: bool) -> tuple[Any, Any]:
    """Read ``piece``; check the traces it holds whole; the parts of the others as rows.

    ``scan`` is the piece's :func:`scan_piece`, ``split`` the hashes of the traces spread over
    several pieces (:func:`split_traces`); with ``split`` None every trace is a part. Returns
    (verdicts of the traces checked here, a frame as :func:`read_piece`'s of the parts).
    """
    import numpy as np

    columns = [*VERDICT_COLUMNS, "text"] if describe else list(VERDICT_COLUMNS)
    try:
        groups = _read_groups(piece, lenient, keep_attributes)
    except CspotlpError as e:
        row = {**_EMPTY_ROW, "verdict": "error", "file": piece.file, "error": str(e)}
        return _verdict_frame([row], columns), _rows_of_parts(piece, [])
    if split is None:
        return _verdict_frame([], columns), _rows_of_parts(piece, list(groups.items()))
    ids = sorted(groups)
    hashes = np.fromiter((_id_hash(t) for t in ids), dtype=np.uint64, count=len(ids))
    if len(ids) and not np.isin(hashes, scan, assume_unique=False).all():
        missed = ids[int(np.flatnonzero(~np.isin(hashes, scan))[0])]
        raise ScanMissed(f"{piece.file}: trace {missed} was not seen by the archive's scan of "
                         "this file; run without --dask, and report this as a bug")
    spread = np.isin(hashes, split)
    checker = _checker(payload)
    out: list[dict[str, Any]] = []
    parts: list[tuple[str, tuple[list[Any], list[int]]]] = []
    for trace_id, is_split in zip(ids, spread.tolist(), strict=True):
        spans, lines = groups[trace_id]
        if is_split:
            parts.append((trace_id, (spans, lines)))
            continue
        trace = CapturedTrace(trace_id, tuple(spans), piece.file,
                              array("q", lines) if len(lines) == len(spans) else None)
        result = checker.check(trace)
        row = verdict_row(result)
        if describe:
            row["text"] = result.describe()
        out.append(row)
    return _verdict_frame(out, columns), _rows_of_parts(piece, parts)


def _verdict_frame(rows: list[dict[str, Any]], columns: list[str]) -> Any:
    import pandas as pd

    return pd.DataFrame(rows, columns=columns).astype(
        {"events": "int64", "failing_index": "int64"})


def _parts_frame(trace_ids: list[str], buckets: list[int], order: list[int], files: list[str],
                 spans: list[bytes], lines: list[bytes], errors: list[str]) -> Any:
    """The frame of trace parts, with Arrow types (binary blobs stay binary in the shuffle)."""
    import pandas as pd
    import pyarrow as pa

    text, blob = pd.ArrowDtype(pa.string()), pd.ArrowDtype(pa.binary())
    return pd.DataFrame({
        "trace_id": pd.Series(trace_ids, dtype=text), "bucket": pd.Series(buckets, dtype="int64"),
        "order": pd.Series(order, dtype="int64"), "file": pd.Series(files, dtype=text),
        "spans": pd.Series(spans, dtype=blob), "lines": pd.Series(lines, dtype=blob),
        "error": pd.Series(errors, dtype=text)})


def _piece_reader(piece: Piece, *, lenient: bool, keep_attributes: bool
                  ) -> Iterator[tuple[list[Any], int | None]]:
    """(spans, JSON Lines line) batch by batch, for a whole file or a range of JSON Lines."""
    reader = SpanReader(piece.file, lenient=lenient, keep_attributes=keep_attributes)
    if piece.end is None:
        for batch in reader.batches():
            yield batch, reader.line
        return
    yield from _jsonl_range(reader, piece)


def _jsonl_range(reader: SpanReader, piece: Piece) -> Iterator[tuple[list[Any], int | None]]:
    import json

    from cspotlp.otlp.otlp_json import OtlpJsonDecoder

    ctx = reader.ctx
    decoder = OtlpJsonDecoder(ctx)
    assert piece.end is not None
    try:
        stream = open(piece.file, "rb")  # noqa: SIM115 - closed below
    except OSError as e:
        raise MalformedInput(f"cannot read: {e.strerror or e}", SpanWhere(piece.file)) from e
    with stream:
        stream.seek(piece.start)
        number, offset = piece.first_line, piece.start
        while offset < piece.end:
            raw = stream.readline()
            if not raw:
                break
            offset += len(raw)
            ctx.line = number
            if not raw.isspace():
                try:
                    doc = json.loads(raw)
                except (ValueError, RecursionError) as e:
                    raise MalformedInput(f"invalid JSON: {e}", SpanWhere(piece.file, number)) from e
                if isinstance(doc, dict) and ("resourceSpans" in doc or "resource_spans" in doc):
                    yield decoder.traces_data(doc), number
                elif not isinstance(doc, dict):
                    ctx.fail("a JSON Lines record is not a JSON object")
            number += 1


# -- checking ---------------------------------------------------------------------------------


def _trace_of(trace_id: str, parts: list[tuple[int, str, bytes, bytes]]) -> CapturedTrace:
    """The trace whose parts (order, file, spans, lines) are ``parts``, in reading order."""
    from array import array

    parts.sort()
    spans: list[Any] = []
    lines = array("q")
    whole_lines = True
    for _order, _file, blob, line_blob in parts:
        spans.extend(pickle.loads(blob))
        if line_blob:
            lines.extend(pickle.loads(line_blob))
        else:
            whole_lines = False
    first = parts[0][1]
    one_file = all(file == first for _o, file, _s, _l in parts)
    return CapturedTrace(trace_id, tuple(spans), first,
                         lines if whole_lines and one_file else None)


_CHECKERS: dict[bytes, ConformanceChecker] = {}
_CHECKERS_LOCK = threading.Lock()


def _checker(payload: bytes) -> ConformanceChecker:
    """The checker shipped as ``payload``, unpickled once per worker process."""
    import hashlib

    key = hashlib.sha256(payload).digest()
    with _CHECKERS_LOCK:
        got = _CHECKERS.get(key)
        if got is None:
            got = _CHECKERS[key] = pickle.loads(payload)
        return got


@gc_paused()  # as check_piece
def check_rows(rows: Any, payload: bytes, describe: bool = False) -> Any:
    """The verdicts (a pandas DataFrame) of the trace parts in ``rows`` (one shuffled partition).

    With ``describe``, a column ``text`` holds what a person reads of each verdict.
    """
    import pandas as pd

    checker = _checker(payload)
    columns = [*VERDICT_COLUMNS, "text"] if describe else list(VERDICT_COLUMNS)
    # plain lists: pandas' per-group and per-cell access costs more than the checks
    groups: dict[str, list[tuple[int, str, bytes, bytes]]] = {}
    unreadable: list[tuple[int, str, str]] = []
    for trace_id, order, file, blob, line_blob, error in zip(
            rows["trace_id"].tolist(), rows["order"].tolist(), rows["file"].tolist(),
            rows["spans"].tolist(), rows["lines"].tolist(), rows["error"].tolist(), strict=True):
        if trace_id:
            groups.setdefault(trace_id, []).append((order, file, blob, line_blob))
        else:  # a piece that could not be read
            unreadable.append((order, file, error))
    out: list[dict[str, Any]] = [{**_EMPTY_ROW, "verdict": "error", "file": file, "error": error}
                                 for _order, file, error in sorted(unreadable)]
    for trace_id in sorted(groups):
        result = checker.check(_trace_of(trace_id, groups[trace_id]))
        row = verdict_row(result)
        if describe:
            row["text"] = result.describe()
        out.append(row)
    return pd.DataFrame(out, columns=columns)


_EMPTY_ROW: dict[str, Any] = {"trace_id": "", "verdict": "", "events": 0, "failing_index": -1,
                              "failing_event": "", "reason": "", "span_id": "",
                              "span_name": "", "service": "", "file": "", "error": "",
                              "json": "", "text": ""}


def ship(checker: ConformanceChecker) -> bytes:
    """The checker, its specification normalised whole, as the bytes sent to every worker."""
    checker.spec.normalise_all()
    return pickle.dumps(checker, protocol=pickle.HIGHEST_PROTOCOL)


def check_archive(inputs: Sequence[str], checker: ConformanceChecker, *,
                  lenient: bool = False, chunk_bytes: int = CHUNK_BYTES,
                  partitions: int | None = None, describe: bool = False) -> Any:
    """The verdicts on every trace of ``inputs`` as a Dask DataFrame (one row per trace).

    Args:
        inputs: files, directories or glob patterns, in any format cspotlp reads.
        checker: the check to run (its specification is normalised here, once).
        lenient: read with ``--lenient``'s acceptances.
        chunk_bytes: the largest byte range of a JSON Lines file one task reads.
        partitions: how many partitions the split traces are shuffled into (default: about
            one per 20,000 split traces, at most one per piece).
        describe: add a column ``text``, what a person reads of each verdict.

    The inputs are scanned for trace ids here (step 2 of the module's plan, on the current
    Dask scheduler); the checks run when the frame is computed. The partitions come in input
    order (the traces each piece holds whole, sorted by trace id), then the split traces in
    trace-id order, so the order is the same on every run; rows with an empty trace id are
    inputs that could not be read (verdict ``error``). Compute it with a ``dask.distributed``
    client of your choice, e.g. ``frame.compute()`` or ``client.compute(frame)``.
    """
    dask: Any = importlib.import_module("dask")  # untyped at its edges
    dd: Any = importlib.import_module("dask.dataframe")
    pieces = plan_pieces(find_inputs(inputs), chunk_bytes)
    payload = ship(checker)
    needs_attributes = checker.abstraction.reads_attributes
    scans = list(dask.compute(*[dask.delayed(scan_piece, pure=True)(p) for p in pieces]))
    split = split_traces(scans)
    columns = [*VERDICT_COLUMNS, "text"] if describe else list(VERDICT_COLUMNS)
    verdict_meta = _verdict_frame([], columns)
    shared_split = dask.delayed(split, pure=True)
    checked = [dask.delayed(check_piece, nout=2, pure=True)(
        piece, scan, shared_split, payload, lenient=lenient, keep_attributes=needs_attributes,
        describe=describe) for piece, scan in zip(pieces, scans, strict=True)]
    local = dd.from_delayed([c[0] for c in checked], meta=verdict_meta, verify_meta=False)
    spread = len(pieces) * 1000 if split is None else len(split)
    if spread == 0:
        return local
    parts = dd.from_delayed([c[1] for c in checked], meta=_parts_frame([], [], [], [], [], [], []),
                            verify_meta=False)
    count = max(1, partitions or min(len(pieces), 1 + spread // 20_000))
    divisions = [k * _BUCKETS // count for k in range(count)] + [_BUCKETS]
    ranged = parts.set_index("bucket", divisions=divisions, sorted=False)
    whole = ranged.map_partitions(check_rows, payload, describe, meta=verdict_meta,
                                  enforce_metadata=False)
    return dd.concat([local, whole])


# -- the command's run -------------------------------------------------------------------------


@dataclass
class ArchiveRun:
    """What :func:`run_archive` reports besides the verdicts."""

    summary: Summary
    unreadable: list[tuple[str, str]]
    """(file, error) of every input that could not be read."""
    dashboard: str | None = None


def connect(address: str, *, workers: int | None = None) -> Any:
    """A ``distributed.Client`` for ``local[:N]`` (a loopback LocalCluster) or ``tcp://HOST:PORT``."""
    dist: Any = importlib.import_module("distributed")  # untyped at its edges
    if address == "local" or address.startswith("local:"):
        n = workers
        if address.startswith("local:"):
            try:
                n = int(address.split(":", 1)[1])
            except ValueError:
                raise CspotlpError(f"--dask {address}: expected local or local:N") from None
            if not 1 <= n <= 1024:
                raise CspotlpError(f"--dask {address}: the number of workers must be 1..1024")
        cluster = dist.LocalCluster(n_workers=n or os.cpu_count() or 1, threads_per_worker=1,
                               processes=True, host="127.0.0.1", dashboard_address="127.0.0.1:0",
                               silence_logs=40)
        return dist.Client(cluster)
    if not address.startswith(("tcp://", "tls://")):
        raise CspotlpError(f"--dask {address}: expected local, local:N or tcp://HOST:PORT")
    try:
        return dist.Client(address, timeout="20s")
    except OSError as e:
        raise CspotlpError(f"--dask {address}: cannot reach the scheduler: {e}") from e


def run_archive(client: Any, inputs: Sequence[str], checker: ConformanceChecker, *,
                on_verdict: Callable[[Any], None], lenient: bool = False,
                chunk_bytes: int = CHUNK_BYTES, progress: bool = False,
                describe: bool = False) -> ArchiveRun:
    """Check an archive on ``client``'s cluster, handing each verdict row to ``on_verdict``.

    Rows arrive in :func:`check_archive`'s order; unreadable inputs are collected in the result (not passed to
    ``on_verdict``). With ``progress``, Dask's progress bar is drawn on stderr; with
    ``describe``, each row has a ``text`` column as well (see :func:`check_archive`).
    """
    frame = check_archive(inputs, checker, lenient=lenient, chunk_bytes=chunk_bytes,
                          describe=describe)
    futures = client.compute(frame.to_delayed())
    if progress:
        _progress_bar(futures)
    summary = Summary()
    unreadable: list[tuple[str, str]] = []
    for future in futures:
        part = future.result()
        future.release()
        for row in part.itertuples(index=False):
            if row.trace_id == "":
                unreadable.append((row.file, row.error))
                continue
            summary.add_verdict(row.verdict, row.events,
                                json.loads(row.json).get("repairs", ()) if row.json else ())
            on_verdict(row)
    return ArchiveRun(summary, unreadable, getattr(client, "dashboard_link", None))


def _progress_bar(futures: Iterable[Any]) -> None:
    """Dask's text progress bar, drawn on stderr from a thread of its own."""
    import sys

    from distributed.diagnostics.progressbar import TextProgressBar

    class StderrBar(TextProgressBar):
        def _draw_bar(self, remaining: int, all: int, **kwargs: Any) -> None:  # noqa: A002
            frac = (1 - remaining / all) if all else 1.0
            bar = "#" * int(self.width * frac)
            print(f"\r[{bar:<{self.width}}] | {int(100 * frac)}% completed",
                  end="", file=sys.stderr, flush=True)

        def _draw_stop(self, **kwargs: Any) -> None:
            print("\r\033[K", end="", file=sys.stderr, flush=True)

    keys = [f.key for f in futures]
    threading.Thread(target=StderrBar, args=(keys,), daemon=True).start()


__all__ = ["CHUNK_BYTES", "ArchiveRun", "Piece", "ScanMissed", "check_archive", "check_piece",
           "check_rows", "connect", "plan_pieces", "read_piece", "run_archive", "scan_piece",
           "ship", "split_traces"]
