"""Trace validation in TLA+: does some behaviour of a CSP model produce a logged event sequence?

The modules follow the pattern of Cirstea, Kuppe, Merz et al., *Validating Traces of Distributed
Programs Against TLA+ Specifications*: the trace module ``EXTENDS`` the model module
(:func:`~cspotlp.export.tla_lts.lts_to_tla`), holds the log as ``TraceLog`` and a cursor ``l``
(the next log line), and each step matches log line ``l`` to a step of the model. TLC explores
breadth first; the postcondition ``TraceAccepted`` holds when some behaviour matched every line,
that is when the search reached depth ``Len(TraceLog) + 1``. A rejected log makes TLC report the
violated postcondition and print the first line no behaviour matched, with its provenance (trace
id, span id, file and line), so the counterexample points at the real span.

A logged event ``e`` is matched by ``τ* e``: the model may take internal steps before it, folded
into the step (``TauClosure``) so that one TLC step always consumes one log line — which is what
makes the depth test of ``TraceAccepted`` exact.

The log is either inlined (one module and config per log) or read at run time from newline
delimited JSON with ``ndJsonDeserialize`` of the ``Json`` community module (one module for all
logs; the file comes from the ``JSON`` environment variable). The ndjson variant needs the
CommunityModules jar on TLC's classpath (its ``Json`` and ``IOUtils`` modules).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from cspotlp.csp import TAU, Lts
from cspotlp.export.tla_lts import event_labels, lts_to_tla
from cspotlp.export.tla_syntax import comment_text, encode_label, module_text, tla_string

LOG_FIELDS = ("label", "traceId", "spanId", "where")
"""Fields of a log line record in ``TraceLog`` (and keys of an ndjson line)."""


@dataclass(frozen=True)
class LogEntry:
    """One logged event: the abstract event name, and where it came from.

    ``event`` is the name of a model event (``call.checkout``, ``c.1.true``); ``trace_id``,
    ``span_id`` and ``where`` (e.g. ``file.json:12``) are carried into the TLA+ log so that TLC's
    report of a rejected line names the real span.
    """

    event: str
    trace_id: str = ""
    span_id: str = ""
    where: str = ""


@dataclass(frozen=True)
class EventLog:
    """A sequence of logged events and a description of its source (for the header comment)."""

    entries: tuple[LogEntry, ...]
    source: str = ""

    @staticmethod
    def of(events: Sequence[str | LogEntry], source: str = "") -> EventLog:
        """A log from event names and/or entries."""
        return EventLog(tuple(e if isinstance(e, LogEntry) else LogEntry(e) for e in events),
                        source)


@dataclass(frozen=True)
class TraceValidation:
    """Everything ``otlp2tla`` writes: file name -> text, in a fixed order.

    ``model`` is the model module's name; ``modules`` the trace modules to give TLC (with a config
    of the same name each); ``ndjson`` the log files of the ndjson variant (empty when inlined).
    """

    model: str
    modules: tuple[str, ...]
    ndjson: tuple[str, ...]
    files: dict[str, str]


def log_labels(lts: Lts, log: EventLog) -> list[str]:
    """The model label (unquoted) of each logged event.

    A name that is a visible event of the model gets that event's label (``✓`` -> ``%tick``); any
    other name is encoded as it is and matches no transition, so the log is rejected there. τ is
    never observable: a logged ``τ`` is not matched to internal steps.
    """
    labels = event_labels(lts)
    by_name = {ev.name: labels[k] for k, ev in enumerate(lts.events) if ev is not TAU}
    return [by_name.get(e.event, encode_label(e.event)) for e in log.entries]


def _log_values(label: str, entry: LogEntry) -> dict[str, str]:
    """The fields of one log line (all ASCII: the provenance is encoded like labels)."""
    values = (label, encode_label(entry.trace_id), encode_label(entry.span_id),
              encode_label(entry.where))
    return dict(zip(LOG_FIELDS, values, strict=True))


def _record(label: str, entry: LogEntry) -> str:
    fields = ", ".join(f"{f} |-> {tla_string(v)}" for f, v in _log_values(label, entry).items())
    return f"[{fields}]"


def ndjson_text(lts: Lts, log: EventLog) -> str:
    """The log as newline-delimited JSON objects with the fields of :data:`LOG_FIELDS`.

    Values are the same (encoded) strings as in the inlined ``TraceLog``.
    """
    return "".join(json.dumps(_log_values(label, entry), ensure_ascii=True) + "\n"
                   for label, entry in zip(log_labels(lts, log), log.entries, strict=True))


def _validation_body(model: str, log_lines: list[str], community: bool) -> list[str]:
    extends = f"EXTENDS {model}, Naturals, Sequences, TLC"
    body = [extends + (", Json, IOUtils" if community else ""), "",
            "\\* Trace validation relies on TLC's breadth-first search (TraceAccepted below).",
            'ASSUME TLCGet("config").mode = "bfs"', ""]
    body += log_lines
    body += [
        "",
        "\\* The cursor: the next log line to match.",
        "VARIABLE l",
        "TraceVars == <<state, event, l>>",
        "",
        "TraceInit == /\\ Init",
        "             /\\ l = 1",
        "",
        "\\* Match the event e: tau steps, then a transition labelled e.",
        "MatchEvent(e) ==",
        "    \\E s \\in TauClosure({state}) :",
        "        \\E k \\in DOMAIN Succ[s + 1] :",
        "            /\\ Succ[s + 1][k][1] # 0",
        "            /\\ Label(Succ[s + 1][k][1]) = e",
        "            /\\ Fire(s, k)",
        "",
        "TraceNext == /\\ l <= Len(TraceLog)",
        "             /\\ MatchEvent(TraceLog[l].label)",
        "             /\\ l' = l + 1",
        "",
        "TraceSpec == TraceInit /\\ [][TraceNext]_TraceVars",
        "",
        "\\* Some behaviour matched every line iff breadth-first search reached depth Len + 1.",
        "TraceAccepted ==",
        '    LET d == TLCGet("stats").diameter IN',
        "    IF d - 1 = Len(TraceLog) THEN TRUE",
        '    ELSE Print(<<"Failed matching the trace to (a prefix of) a behavior:",',
        '                 TraceLog[d], "log line", d>>, FALSE)',
    ]
    return body


def validation_config() -> str:
    """TLC config of a trace module: its spec and the ``TraceAccepted`` postcondition."""
    return "SPECIFICATION TraceSpec\nPOSTCONDITION TraceAccepted\nCHECK_DEADLOCK FALSE\n"


def _header(model_title: str, how: list[str], run: str) -> list[str]:
    return [
        f"Trace validation against the CSP model {comment_text(model_title)} (cspotlp otlp2tla),",
        "after Cirstea, Kuppe, Merz et al., Validating Traces of Distributed Programs Against",
        "TLA+ Specifications: the cursor l walks TraceLog; each step matches one log line to",
        "tau* e (internal steps, then the logged event).",
        "TLC checks the postcondition TraceAccepted (some behaviour matches the whole log).",
        *how,
        f"Run: {run}",
    ]


def trace_validation(
    lts: Lts,
    logs: Sequence[EventLog | Sequence[str | LogEntry]],
    *,
    model: str,
    title: str | None = None,
    ndjson: bool = False,
) -> TraceValidation:
    """The model module and trace-validation module(s) for ``logs`` against ``lts``.

    ``model`` is sanitised into the model module's name ``M``. Inlined (default): modules
    ``MTrace1``, ``MTrace2``... each with its log and a config. With ``ndjson``: one module
    ``MTrace`` and logs ``MTrace1.ndjson``...; run TLC once per log with ``JSON=<file>``.

    >>> from cspotlp.csp import Environment, build_lts, prefix, STOP
    >>> env = Environment(); a = env.channel("a").event()
    >>> out = trace_validation(build_lts(prefix(a, STOP), env), [["a"]], model="P")
    >>> sorted(out.files)
    ['P.cfg', 'P.tla', 'PTrace1.cfg', 'PTrace1.tla']
    """
    event_logs = [lg if isinstance(lg, EventLog) else EventLog.of(lg) for lg in logs]
    base = lts_to_tla(lts, module=model, title=title, show_terms=False)
    name = base.name
    model_title = title if title is not None else model
    files = dict(base.files())
    modules: list[str] = []
    ndjson_files: list[str] = []
    if ndjson:
        trace = f"{name}Trace"
        default = f"{trace}1.ndjson"
        log_lines = [
            "\\* The log: one JSON object per line with fields " + ", ".join(LOG_FIELDS) + ".",
            f'TraceFile == IF "JSON" \\in DOMAIN IOEnv THEN IOEnv.JSON ELSE {tla_string(default)}',
            "TraceLog == TLCEval(ndJsonDeserialize(TraceFile))",
        ]
        header = _header(model_title, [
            "The log is read from the file named by the environment variable JSON.",
            "Needs the CommunityModules jar on the classpath (modules Json, IOUtils)."],
                         f"JSON={default} java -cp tla2tools.jar:CommunityModules-deps.jar "
                         f"tlc2.TLC -config {trace}.cfg {trace}.tla")
        files[f"{trace}.tla"] = module_text(trace, header, _validation_body(name, log_lines, True))
        files[f"{trace}.cfg"] = validation_config()
        modules.append(trace)
        for i, log in enumerate(event_logs, start=1):
            files[f"{trace}{i}.ndjson"] = ndjson_text(lts, log)
            ndjson_files.append(f"{trace}{i}.ndjson")
    else:
        for i, log in enumerate(event_logs, start=1):
            trace = f"{name}Trace{i}"
            header = _header(model_title, [f"Log {i}: {comment_text(log.source) or 'inlined'}, "
                                           f"{len(log.entries)} events."],
                             f"java -cp tla2tools.jar tlc2.TLC -config {trace}.cfg {trace}.tla")
            files[f"{trace}.tla"] = module_text(
                trace, header, _validation_body(name, _inline_log(lts, log), False))
            files[f"{trace}.cfg"] = validation_config()
            modules.append(trace)
    return TraceValidation(name, tuple(modules), tuple(ndjson_files), files)


def _inline_log(lts: Lts, log: EventLog) -> list[str]:
    labels = log_labels(lts, log)
    if not labels:
        return ["TraceLog == << >>"]
    lines = ["\\* The log, one record per logged event (fields " + ", ".join(LOG_FIELDS) + ").",
             "TraceLog == <<"]
    last = len(labels) - 1
    for i, (label, entry) in enumerate(zip(labels, log.entries, strict=True)):
        comma = "," if i < last else ""
        lines.append(f"    {_record(label, entry)}{comma}  \\* {i + 1}")
    lines.append(">>")
    return lines

