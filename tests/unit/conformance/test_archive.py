"""Conformance over archives on Dask: the same verdicts as one process, whatever the files.

A generated archive of checkout orders (tests/flow_fixtures.py) has each trace's spans spread
over several files in three formats (JSON Lines, protobuf stream, Parquet), plus a corrupt file.
The Dask run (a 2-worker LocalCluster on loopback) must give exactly the single-process
command's verdicts, report the corrupt file by name and go on, and keep its verdicts when a
worker process is killed mid-run.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time

import pytest

from cspotlp.cli import main
from cspotlp.conformance import ConformanceChecker, load_spec
from cspotlp.conformance.archive import (
    Piece,
    check_archive,
    plan_pieces,
    read_piece,
    run_archive,
    scan_piece,
    split_traces,
)
from cspotlp.conformance.verdicts import find_inputs
from cspotlp.otlp import Capture, CapturedTrace, dump_proto_stream, dumps_jsonl, load
from cspotlp.otlp.parquet import write_parquet
from tests.flow_fixtures import CHECKOUT_ABSTRACTION, CHECKOUT_SPEC, checkout_abstraction, order

distributed = pytest.importorskip("distributed", reason="the archive extra (dask) is not installed")

SPEC = ["--spec", str(CHECKOUT_SPEC), "--abstraction", str(CHECKOUT_ABSTRACTION)]


def _orders(count: int) -> list[CapturedTrace]:
    return [order(n, 1 + n % 3, decline=n % 7 == 0, ship_first=n % 11 == 0)
            for n in range(1, count + 1)]


def write_archive(root, count: int = 120, files: int = 6, seed: int = 3) -> None:
    """``count`` orders, every span in a random file of ``files`` (formats rotate), + junk."""
    rng = random.Random(seed)
    buckets: list[list] = [[] for _ in range(files)]
    for trace in _orders(count):
        for span in trace.spans:
            buckets[rng.randrange(files)].append(span)
    for k, spans in enumerate(buckets):
        capture = Capture(f"part{k}", "x", (CapturedTrace("mixed", tuple(spans)),))
        if k % 3 == 0:
            (root / f"part{k}.jsonl").write_text(dumps_jsonl(capture))
        elif k % 3 == 1:
            (root / f"part{k}.pb").write_bytes(dump_proto_stream(capture))
        else:
            write_parquet(spans, root / f"part{k}.parquet")
    (root / "corrupt.jsonl").write_text('{"resourceSpans": [\n')


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       host="127.0.0.1", dashboard_address="127.0.0.1:0",
                                       silence_logs=50)
    with distributed.Client(cluster) as c:
        yield c
    cluster.close()


@pytest.fixture(scope="module")
def checker():
    process, env = load_spec(CHECKOUT_SPEC, "SPEC")
    return ConformanceChecker.for_process(process, env, checkout_abstraction())


def _single_process(tmp_path, archive, capsys) -> tuple[int, list[str]]:
    out = tmp_path / "single.jsonl"
    status = main(["conform", *SPEC, str(archive), "--out", str(out)])
    capsys.readouterr()
    return status, _by_trace_id(out.read_text())


def _by_trace_id(jsonl: str) -> list[str]:
    return sorted(jsonl.splitlines(), key=lambda line: json.loads(line)["trace_id"])


def test_pieces_of_a_large_json_lines_file_cover_it_line_by_line(tmp_path):
    path = tmp_path / "big.jsonl"
    path.write_text(dumps_jsonl(Capture("x", "x", tuple(_orders(40)))).replace("\n", "\n\n"))
    whole = load(path)
    for chunk in (1, 97, 1000, 5000, 10 ** 9):
        pieces = plan_pieces([str(path)], chunk_bytes=chunk)
        assert pieces[0].start == 0 and pieces[-1].end in (None, path.stat().st_size)
        assert all(a.end == b.start for a, b in zip(pieces, pieces[1:], strict=False))
        import pickle

        spans, lines = [], []
        for piece in pieces:
            rows = read_piece(piece)
            assert set(rows["error"]) <= {""}
            for blob, line_blob in zip(rows["spans"], rows["lines"], strict=True):
                spans.extend(pickle.loads(blob))
                lines.extend(pickle.loads(line_blob))
        assert sorted(spans) == sorted(whole.spans())
        by_span = {(s.trace_id, s.span_id): ln for t in whole.traces
                   for s, ln in zip(t.spans, t.lines, strict=True)}
        assert [by_span[s.trace_id, s.span_id] for s in spans] == lines


def test_an_unreadable_piece_is_a_row_naming_the_file(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{nope\n")
    rows = read_piece(plan_pieces([str(bad)])[0])
    assert list(rows["trace_id"]) == [""] and str(bad) in rows["error"][0]


def test_inputs_are_files_directories_and_globs(tmp_path):
    (tmp_path / "d").mkdir()
    for name in ("a.jsonl", "d/b.pb", "d/c.jsonl", "d/.hidden"):
        (tmp_path / name).write_text("x")
    got = find_inputs([str(tmp_path / "d"), str(tmp_path / "*.jsonl"), str(tmp_path / "a.jsonl")])
    assert got == [str(tmp_path / "d" / "b.pb"), str(tmp_path / "d" / "c.jsonl"),
                   str(tmp_path / "a.jsonl")]
    with pytest.raises(Exception, match="no such file"):
        find_inputs([str(tmp_path / "none*")])


def write_rotated(root, count: int = 200, files: int = 8, seed: int = 11) -> int:
    """Orders written in arrival order and rotated as a collector does (JSON Lines and
    Parquet): a trace open at a rotation continues in the next file. Returns how many were cut."""
    rng = random.Random(seed)
    spans = [span for trace in _orders(count) for span in trace.spans]
    cuts = sorted(rng.sample(range(1, len(spans)), files - 1))
    cut_traces = {spans[c].trace_id for c in cuts if spans[c - 1].trace_id == spans[c].trace_id}
    for k, (a, b) in enumerate(zip([0, *cuts], [*cuts, len(spans)], strict=True)):
        chunk = tuple(spans[a:b])
        if k % 2:
            write_parquet(chunk, root / f"part{k}.parquet")
        else:
            (root / f"part{k}.jsonl").write_text(
                dumps_jsonl(Capture(f"p{k}", "x", (CapturedTrace("x", chunk),))))
    return len(cut_traces)


def test_the_scan_lists_trace_ids_without_decoding_and_knows_when_it_cannot(tmp_path):
    root = tmp_path / "a"
    root.mkdir()
    cut = write_rotated(root)
    files = find_inputs([str(root)])
    scans = [scan_piece(Piece(f, k)) for k, f in enumerate(files)]
    assert all(scan is not None for scan in scans)
    assert sum(len(s) for s in scans) == 200 + cut  # every id once per file it is in
    split = split_traces(scans)
    assert split is not None and len(split) == cut > 0
    # forms the pattern cannot vouch for: no exact scan (and the run shuffles every trace)
    text = (root / "part0.jsonl").read_text()
    tid = json.loads(text.splitlines()[0])["resourceSpans"][0]["scopeSpans"][0]["spans"][0][
        "traceId"]
    for name, changed in [
        ("escaped-id", text.replace(tid, "\\u00" + format(ord(tid[0]), "x") + tid[1:], 1)),
        ("escaped-key", text.replace('"traceId"', '"trace\\u0049d"', 1)),
        ("short-id", text.replace(tid, tid[:16], 1)),
    ]:
        (tmp_path / name).write_text(changed)
        assert scan_piece(Piece(str(tmp_path / name), 0)) is None, name
    proto = tmp_path / "x.pb"
    proto.write_bytes(dump_proto_stream(Capture("x", "x", tuple(_orders(2)))))
    assert scan_piece(Piece(str(proto), 0)) is None
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table({"SpanId": ["ab" * 8]}), tmp_path / "no-trace-ids.parquet")
    assert scan_piece(Piece(str(tmp_path / "no-trace-ids.parquet"), 0)) is None
    assert split_traces([*scans, None]) is None
    # a link to another trace only adds an id: that trace is then taken as split (safe)
    linked = text.replace('"spanId"', '"links": [{"traceId": "' + "ab" * 16 + '", "spanId": "'
                          + "cd" * 8 + '"}], "spanId"', 1)
    (tmp_path / "linked").write_text(linked)
    got = scan_piece(Piece(str(tmp_path / "linked"), 0))
    assert len(got) == len(scans[0]) + 1


def test_traces_held_whole_by_one_file_are_checked_where_they_are_read(tmp_path, client, checker,
                                                                       capsys):
    archive = tmp_path / "archive"
    archive.mkdir()
    cut = write_rotated(archive)
    _, single = _single_process(tmp_path, archive, capsys)
    frame = check_archive([str(archive)], checker, chunk_bytes=8192)
    futures = client.compute(frame.to_delayed())
    parts = [f.result() for f in futures]
    rows = [r for part in parts for r in part.itertuples(index=False)]
    assert _by_trace_id("\n".join(r.json for r in rows)) == single
    # the pieces' own partitions hold all but the split traces, the shuffled ones the rest
    pieces = len(plan_pieces(find_inputs([str(archive)]), 8192))
    assert sum(len(p) for p in parts[:pieces]) == 200 - cut
    assert sum(len(p) for p in parts[pieces:]) == cut > 0


def test_dask_verdicts_equal_the_single_process_command(tmp_path, client, checker, capsys):
    archive = tmp_path / "archive"
    archive.mkdir()
    write_archive(archive)
    status, single = _single_process(tmp_path, archive, capsys)
    assert status == 2  # the corrupt file
    rows = []
    run = run_archive(client, [str(archive)], checker, on_verdict=rows.append, chunk_bytes=4096)
    assert _by_trace_id("\n".join(r.json for r in rows)) == single  # byte for byte
    assert [f for f, _ in run.unreadable] == [str(archive / "corrupt.jsonl")]
    assert "invalid JSON" in run.unreadable[0][1]
    assert (run.summary.traces, run.summary.failed) == (120, sum(
        1 for line in single if json.loads(line)["verdict"] == "fail"))
    assert run.summary.failed > 0 and run.summary.passed > 0


def test_an_abstraction_that_labels_spans_by_an_attribute_reads_the_attributes_on_dask(
        tmp_path, client, capsys):
    # label_attribute: a span's label comes from an attribute, so the workers must keep the
    # attributes when they read, as the single-process command does
    archive = tmp_path / "archive"
    archive.mkdir()
    write_archive(archive, count=20, files=3)
    (archive / "corrupt.jsonl").unlink()
    labelled = tmp_path / "labelled.json"
    labelled.write_text(json.dumps({**json.loads(CHECKOUT_ABSTRACTION.read_text()),
                                    "label_attribute": "app.product.id"}))
    out = tmp_path / "single.jsonl"
    options = ["--spec", str(CHECKOUT_SPEC), "--abstraction", str(labelled)]
    assert main(["conform", *options, str(archive), "--out", str(out)]) == 1
    capsys.readouterr()
    single = _by_trace_id(out.read_text())
    assert any(json.loads(line)["verdict"] == "fail" for line in single)  # the labels are read
    process, env = load_spec(CHECKOUT_SPEC, "SPEC")
    from cspotlp.cli.common import abstraction_from

    checker = ConformanceChecker.for_process(process, env, abstraction_from(str(labelled)))
    rows = []
    run_archive(client, [str(archive)], checker, on_verdict=rows.append)
    assert _by_trace_id("\n".join(r.json for r in rows)) == single


def test_the_python_api_gives_a_dask_dataframe_of_verdicts(tmp_path, client, checker):
    archive = tmp_path / "archive"
    archive.mkdir()
    write_archive(archive, count=30, files=3)
    frame = check_archive([str(archive)], checker).compute()
    failures = frame[frame.verdict == "fail"]
    ids = [t for t in frame.trace_id if t]
    assert len(ids) == len(set(ids)) == 30
    assert set(failures.reason) == {"refused"} and set(failures.failing_event) == {
        "call.ShipOrder"}
    assert all(len(s) == 16 for s in failures.span_id) and set(failures.service) == {"shipping"}
    assert list(frame[frame.trace_id == ""].file) == [str(archive / "corrupt.jsonl")]


def test_a_worker_killed_mid_run_does_not_change_the_verdicts(tmp_path, client, checker, capsys):
    archive = tmp_path / "archive"
    archive.mkdir()
    write_archive(archive, count=400, files=12, seed=5)
    _, single = _single_process(tmp_path, archive, capsys)
    pids = client.run(os.getpid)
    rows = []
    killed = []

    def on_verdict(row):
        rows.append(row)

    frame = check_archive([str(archive)], checker, chunk_bytes=2048)
    futures = client.compute(frame.to_delayed())
    deadline = time.monotonic() + 60
    while not killed and time.monotonic() < deadline:
        busy = [w for w, keys in client.processing().items() if keys]
        if busy:
            os.kill(pids[busy[0]], signal.SIGKILL)
            killed.append(busy[0])
        else:
            time.sleep(0.01)
    assert killed, "no worker ever started a task"
    for future in futures:
        part = future.result()
        rows.extend(r for r in part.itertuples(index=False) if r.trace_id)
    assert _by_trace_id("\n".join(r.json for r in rows)) == single
    # the nanny restarted the killed worker: the cluster is whole again for later tests
    client.wait_for_workers(2, timeout=60)


def test_conform_dask_command_matches_and_writes_parquet(tmp_path, capsys):
    archive = tmp_path / "archive"
    archive.mkdir()
    write_archive(archive, count=40, files=4)
    (archive / "corrupt.jsonl").unlink()
    single = tmp_path / "single.jsonl"
    assert main(["conform", *SPEC, str(archive), "--out", str(single), "--json"]) == 1
    single_doc = json.loads(capsys.readouterr().out)
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       host="127.0.0.1", dashboard_address="127.0.0.1:0",
                                       silence_logs=50)
    try:
        out = tmp_path / "dask.parquet"
        # a real scheduler address, as on a cluster; the command runs in its own process
        run = subprocess.run([sys.executable, "-m", "cspotlp", "conform", *SPEC, str(archive),
                              "--dask", cluster.scheduler_address, "--out", str(out), "--json"],
                             capture_output=True, text=True, timeout=300)
    finally:
        cluster.close()
    assert run.returncode == 1, run.stderr
    doc = json.loads(run.stdout)
    assert doc["summary"] == single_doc["summary"]
    def by_id(results):
        return sorted(results, key=lambda r: r["trace_id"])

    assert by_id(doc["results"]) == by_id(single_doc["results"])
    import pyarrow.parquet as pq

    table = pq.read_table(out).to_pylist()
    assert _by_trace_id("\n".join(r["json"] for r in table)) == _by_trace_id(single.read_text())


def test_bad_dask_addresses_are_input_errors(capsys, tmp_path):
    archive = tmp_path / "a.jsonl"
    archive.write_text(dumps_jsonl(Capture("x", "x", tuple(_orders(2)))))
    assert main(["conform", *SPEC, str(archive), "--dask", "local:zero"]) == 2
    assert "expected local or local:N" in capsys.readouterr().err
    assert main(["conform", *SPEC, str(archive), "--dask", "http://x"]) == 2
    assert "tcp://HOST:PORT" in capsys.readouterr().err
