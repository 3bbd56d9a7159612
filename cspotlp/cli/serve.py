"""``serve``: the live OTLP receiver that checks traces as they arrive."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any, TextIO

from cspotlp.cli.common import (
    COMMANDS,
    EXIT_INPUT,
    EXIT_OK,
    Subparsers,
    abstraction_from,
    add_trace_input_options,
    repairs_named,
)
from cspotlp.cli.ottl_options import ottl_span_transform

_EXTRA = "cspotlp serve needs the serve extra: pip install 'cspotlp[serve]'"


def _add_serve(sub: Subparsers) -> None:
    p = sub.add_parser(
        "serve", help="receive OTLP traces (HTTP and gRPC) and check each as it completes",
        description="An OTLP receiver any OpenTelemetry SDK or Collector can export to "
        "(OTLP/HTTP protobuf or JSON on POST /v1/traces, OTLP/gRPC TraceService/Export). Spans "
        "are assembled into traces; a trace is checked against the specification when its root "
        "span has ended and no span of it arrived for --trace-timeout seconds. One JSON line "
        "per verdict goes to --out (default standard output). The HTTP port also serves a web "
        "view (/), Prometheus metrics (/metrics) and /healthz. SIGTERM or Ctrl-C checks what is "
        "buffered, writes it and exits 0. Addresses beyond loopback need --tls-cert/--tls-key "
        "and --auth-token, or --insecure.")
    p.add_argument("--spec", required=True, metavar="MODEL.csp", help="the CSPm specification")
    p.add_argument("--process", default="SPEC", help="the specification process (default SPEC)")
    p.add_argument("--complete", action="store_true",
                   help="also require the specification to be able to finish at the end of "
                   "each trace")
    add_trace_input_options(p)
    p.add_argument("--http", default="127.0.0.1:4318", metavar="HOST:PORT",
                   help="OTLP/HTTP and web view address (default 127.0.0.1:4318; port 0 picks "
                   "a free one)")
    p.add_argument("--grpc", default="127.0.0.1:4317", metavar="HOST:PORT",
                   help="OTLP/gRPC address (default 127.0.0.1:4317)")
    p.add_argument("--no-http", action="store_true", help="no HTTP endpoint")
    p.add_argument("--no-grpc", action="store_true", help="no gRPC endpoint")
    p.add_argument("--tls-cert", metavar="PEM", help="TLS certificate (chain) for both endpoints")
    p.add_argument("--tls-key", metavar="PEM", help="the certificate's private key")
    p.add_argument("--auth-token", metavar="TOKEN",
                   help="bearer token every request must carry (also CSPOTLP_AUTH_TOKEN, "
                   "or --auth-token-file)")
    p.add_argument("--auth-token-file", metavar="FILE",
                   help="read the bearer token from FILE (keeps it out of the process list)")
    p.add_argument("--insecure", action="store_true",
                   help="allow an address beyond loopback without TLS and token")
    p.add_argument("--trace-timeout", type=float, default=5.0, metavar="SECONDS",
                   help="quiet time after the root span ended before a trace is checked "
                   "(default 5)")
    p.add_argument("--max-trace-wait", type=float, default=60.0, metavar="SECONDS",
                   help="check a trace this long after its first span whatever its state "
                   "(then incomplete unless it is done; default 60)")
    p.add_argument("--max-buffered-spans", type=int, default=1_000_000, metavar="N",
                   help="spans held at most; past it the oldest waiting traces are checked as "
                   "they are and reported incomplete (default 1000000)")
    p.add_argument("--keep-checked-traces", type=int, default=1_000, metavar="N",
                   help="checked traces kept for late re-checks and trace pages (default 1000)")
    p.add_argument("--max-request-bytes", type=int, default=16 << 20, metavar="N",
                   help="largest request body, as sent (default 16 MiB)")
    p.add_argument("--max-decompressed-bytes", type=int, default=64 << 20, metavar="N",
                   help="largest size a compressed body may inflate to (default 64 MiB)")
    p.add_argument("--forward", metavar="URL",
                   help="pass every accepted request on, unchanged, to this OTLP endpoint "
                   "(http(s)://host:port/v1/traces or grpc://host:port)")
    p.add_argument("--out", metavar="FILE",
                   help="append verdict lines to FILE (default standard output)")


def _token(args: argparse.Namespace) -> str | None:
    if args.auth_token_file:
        from cspotlp.files import read_text

        try:  # a regular file of at most 64 KiB (not /dev/zero)
            return read_text(args.auth_token_file, 64 << 10).strip()
        except (OSError, UnicodeDecodeError, ValueError) as e:
            from cspotlp.errors import ServeError

            reason = e.strerror if isinstance(e, OSError) and e.strerror else e
            raise ServeError(f"--auth-token-file {args.auth_token_file}: {reason}") from e
    return args.auth_token or os.environ.get("CSPOTLP_AUTH_TOKEN") or None


def _note(text: str) -> None:
    print(f"cspotlp serve: {text}", file=sys.stderr, flush=True)


def _run_serve(args: argparse.Namespace) -> int:
    try:
        from cspotlp.serve import Receiver, ServeConfig
    except ImportError as e:
        print(f"{_EXTRA} ({e})", file=sys.stderr)
        return EXIT_INPUT
    from cspotlp.conformance import ConformanceChecker, load_spec

    config = ServeConfig(
        http=None if args.no_http else args.http, grpc=None if args.no_grpc else args.grpc,
        tls_cert=args.tls_cert, tls_key=args.tls_key, auth_token=_token(args),
        insecure=args.insecure, trace_timeout=args.trace_timeout,
        max_trace_wait=args.max_trace_wait, max_buffered_spans=args.max_buffered_spans,
        keep_checked_traces=args.keep_checked_traces, max_request_bytes=args.max_request_bytes,
        max_decompressed_bytes=args.max_decompressed_bytes, forward=args.forward,
        lenient=args.lenient, transform=ottl_span_transform(args, "serve"))
    config.validate()
    abstraction = abstraction_from(args.abstraction)
    process, env = load_spec(args.spec, args.process)
    checker = ConformanceChecker.for_process(process, env, abstraction,
                                             repairs=repairs_named(args.repair),
                                             complete=args.complete)
    out: TextIO = sys.stdout
    if args.out:
        try:
            out = open(args.out, "a", encoding="utf-8", newline="\n")  # noqa: SIM115
        except OSError as e:
            print(f"cspotlp serve: cannot write {args.out}: {e.strerror}", file=sys.stderr)
            return EXIT_INPUT
    receiver = Receiver(checker, config, out=out, spec_name=f"{args.process} of {args.spec}")
    try:
        _serve_until_signal(receiver)
    finally:
        if out is not sys.stdout:
            out.close()
    m = receiver.metrics
    counts = {v: int(m.value("cspotlp_traces_checked_total", verdict=v))
              for v in ("pass", "fail", "error", "incomplete")}
    _note(f"stopped; {sum(counts.values())} trace(s) checked: "
          + ", ".join(f"{n} {v}" for v, n in counts.items()))
    return EXIT_OK


def _serve_until_signal(receiver: Any) -> None:
    """Serve until SIGTERM or SIGINT, then drain (the receiver writes every verdict)."""
    import asyncio
    import signal

    from cspotlp.serve import Endpoints, serve

    def ready(ends: Endpoints) -> None:
        parts = []
        if ends.http is not None:
            parts.append(f"OTLP/HTTP on {ends.http_url}/v1/traces (web view {ends.http_url}/)")
        if ends.grpc is not None:
            parts.append(f"OTLP/gRPC on {ends.grpc_target}")
        _note("; ".join(parts) + f"; checking against {receiver.spec_name}")

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await serve(receiver, stop, ready=ready, on_note=_note)

    asyncio.run(main())


COMMANDS["serve"] = (_add_serve, _run_serve)
