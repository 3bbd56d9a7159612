"""Load on ``cspotlp serve``: sustained spans/s received and checked over OTLP/HTTP protobuf.

The receiver (checkout specification and abstraction, ``--trace-timeout`` 0.2 s) runs in this
process; a load generator in a second process (spawned, so the two use both cores) sends
pre-encoded ``ExportTraceServiceRequest`` bodies to ``127.0.0.1`` only, over two keep-alive
connections, for a bounded time (``--seconds``, default 10). Bodies are built as an SDK's batch
processors would send them: spans of many traces, grouped by service (resource), about 512 per
request; each round of 64 checkout orders (1-3 concurrent lookups, some declined, some shipping
before charging) gets fresh trace ids by rewriting the 16-byte id fields in place.

Reported:

* ``received``: spans accepted per second while sending;
* ``received and checked``: spans per second from the first request to the moment every trace
  was checked (less the 0.2 s quiet period each trace waits on purpose);
* that nothing was lost: spans received = spans in complete checks + spans in incomplete
  checks (the metrics of the receiver), with no request refused;
* p50 / p99 verdict latency: from a trace being ready (its last span + the quiet period) to
  its verdict being written.

The last column is the rate divided by the target of issue 14, 50,000 spans/s on a 2-core
machine. Run: ``PYTHONPATH=. python benchmarks/bench_serve.py [--seconds 10]``.
"""

from __future__ import annotations

import argparse
import http.client
import io
import multiprocessing as mp
import threading
import time
from typing import Any

TARGET = 50_000
TRACE_TIMEOUT = 0.2
ROUND = 64          # orders per round of fresh trace ids
BATCH = 512         # spans per request (the SDK's default max_export_batch_size)
_SPAN_TRACE_ID = b"\x0a\x10"  # Span field 1 (trace_id), 16 bytes


def template_bodies() -> list[tuple[bytes, int]]:
    """Request bodies of one round (64 orders), with trace ids 0...0k (k = 1..64)."""
    from cspotlp.otlp.model import service_name
    from cspotlp.otlp.otlp_proto import encode_request
    from tests.flow_fixtures import order

    traces = [order(k, 1 + k % 3, decline=k % 13 == 0, ship_first=k % 17 == 0)
              for k in range(1, ROUND + 1)]
    spans = sorted((s for t in traces for s in t.spans),
                   key=lambda s: service_name(s.resource) or "")
    return [(encode_request(spans[i:i + BATCH]).SerializeToString(), len(spans[i:i + BATCH]))
            for i in range(0, len(spans), BATCH)]


def fresh_ids(body: bytes, round_no: int) -> bytes:
    """The body with every trace id 0...0k replaced by <round_no as 15 bytes>k."""
    return body.replace(_SPAN_TRACE_ID + b"\0" * 15, _SPAN_TRACE_ID + round_no.to_bytes(15, "big"))


def generator(port: int, seconds: float, results: Any) -> None:
    """Send rounds of orders for ``seconds`` over two connections; report what was sent."""
    bodies = template_bodies()
    lock = threading.Lock()
    state = {"round": 0, "spans": 0, "requests": 0, "refused": 0}
    start = time.monotonic()
    stop_at = start + seconds

    def next_round() -> int | None:
        with lock:
            if time.monotonic() >= stop_at:
                return None
            state["round"] += 1
            return state["round"]

    def sender() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        headers = {"Content-Type": "application/x-protobuf"}
        while (r := next_round()) is not None:
            for body, count in bodies:
                conn.request("POST", "/v1/traces", fresh_ids(body, r), headers)
                resp = conn.getresponse()
                resp.read()
                with lock:
                    state["requests"] += 1
                    if resp.status == 200:
                        state["spans"] += count
                    else:
                        state["refused"] += 1
        conn.close()

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    results.put({**state, "first": start, "last": time.monotonic()})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()

    import numpy as np

    from cspotlp.conformance import ConformanceChecker
    from cspotlp.conformance.spec import load_spec
    from cspotlp.serve import Receiver, ServeConfig, ServerThread
    from cspotlp.serve.decode import parse_protobuf, spans_of_message
    from tests.flow_fixtures import CHECKOUT_SPEC, checkout_abstraction

    # sanity: fresh ids really are fresh (a wrong rewrite would merge traces)
    body, _count = template_bodies()[0]
    ids = {s.trace_id for s in spans_of_message(parse_protobuf(fresh_ids(body, 7)), "x").spans}
    assert all(t.startswith(f"{7:030x}") for t in ids), ids

    process, env = load_spec(CHECKOUT_SPEC, "SPEC")
    checker = ConformanceChecker.for_process(process, env, checkout_abstraction())
    latencies: list[float] = []
    last_verdict = [0.0]

    def on_verdict(record: dict[str, Any], latency: float) -> None:
        latencies.append(latency)
        last_verdict[0] = time.monotonic()

    config = ServeConfig(http="127.0.0.1:0", grpc=None, trace_timeout=TRACE_TIMEOUT,
                         keep_checked_traces=1_000)
    receiver = Receiver(checker, config, out=io.StringIO(), on_verdict=on_verdict)
    with ServerThread(receiver) as server:
        port = server.endpoints.http[1] if server.endpoints.http else 0
        ctx = mp.get_context("spawn")
        results = ctx.Queue()
        client = ctx.Process(target=generator, args=(port, args.seconds, results))
        client.start()
        sent = results.get(timeout=args.seconds + 120)
        client.join(30)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if server.call(lambda: receiver.buffer.waiting_traces) == 0:
                break
            time.sleep(0.05)
    m = receiver.metrics
    received = m.value("cspotlp_spans_received_total", transport="http")
    checked = m.value("cspotlp_spans_checked_total")
    incomplete = m.value("cspotlp_spans_incomplete_total")
    traces = sum(m.value("cspotlp_traces_checked_total", verdict=v)
                 for v in ("pass", "fail", "error", "incomplete"))
    send_seconds = sent["last"] - sent["first"]
    whole = max(last_verdict[0] - TRACE_TIMEOUT - sent["first"], 1e-9)
    p50, p99 = (float(x) for x in np.percentile(latencies, [50, 99]))
    print(f"{sent['requests']} requests, {int(received):,} spans, {int(traces):,} traces in "
          f"{send_seconds:.1f} s; refused requests: {sent['refused']}")
    print(f"spans received {int(received):,} = checked {int(checked):,} + incomplete "
          f"{int(incomplete):,}: {'yes' if received == checked + incomplete == sent['spans'] else 'NO'}")
    print(f"verdict latency after a trace is ready: p50 {p50 * 1000:.1f} ms, "
          f"p99 {p99 * 1000:.1f} ms (quiet period {TRACE_TIMEOUT} s not included)")
    print(f"{'measure':<24} {'spans/s':>10} {'x target':>9}")
    for name, rate in (("received", received / send_seconds),
                       ("received and checked", received / whole)):
        print(f"{name:<24} {rate:>10,.0f} {rate / TARGET:>9.2f}")


if __name__ == "__main__":
    main()
