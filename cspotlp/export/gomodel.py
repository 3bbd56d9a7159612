"""A compiled Go-style model (:class:`~cspotlp.gomodel.GoModel`) as CSPm for FDR4 and as TLA+.

**CSPm.** Every process of the network (goroutine, channel, WaitGroup, clock, ...) is written as
its explicit state machine, one equation per state (``G2_worker_s3 = c.2.1.0 -> G2_worker_s4 []
...``), and the program is their alphabetised parallel composition, exactly the network the
checks explore; the script asserts what the native checks check (deadlock freedom of
``SYSTEM``, and of ``SYSTEM_LEAKS`` for goroutine leaks). Names (of channels, contexts, span
names) become constructors of one datatype ``Name``; a name that is a CSPm keyword or a
channel's name gets the prefix ``n_``.

**TLA+.** The whole program's LTS as a module (:func:`~cspotlp.export.tla_lts.lts_to_tla`).

Both are deterministic: same model, same text.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from cspotlp.csp import TAU, TICK, Datum, Event, Lts, build_lts, sort_events
from cspotlp.errors import ExportError
from cspotlp.export.tla_lts import TlaModule, lts_to_tla
from cspotlp.gomodel import GoModel

KEYWORDS = frozenset({
    "if", "then", "else", "let", "within", "channel", "datatype", "subtype", "nametype", "assert",
    "pragma", "transparent", "external", "include", "print", "module", "exports", "endmodule",
    "instance", "of", "timed", "Events", "true", "false", "STOP", "SKIP", "CHAOS", "RUN", "DIV",
    "Int", "Bool", "Proc", "Set", "Seq", "union", "inter", "diff", "member", "card", "empty",
    "head", "tail", "length", "null", "elem", "concat", "set", "seq", "Name", "SYSTEM",
    "SYSTEM_LEAKS", "Char", "Eq", "Ord", "Complete", "Yield",
})
MAX_STATES = 200_000
"""A component with more states than this is not written out (the script would be unreadable)."""


class _Names:
    """CSPm text of values: names become constructors of ``Name``."""

    def __init__(self, channels: Iterable[str]) -> None:
        self.channels = set(channels)
        self.constructors: set[str] = set()

    def value(self, v: object) -> str:
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, int):
            return str(v)
        if isinstance(v, Datum) and not v.fields:
            return self.constructor(v.ctor)
        if isinstance(v, str):
            return self.constructor(v)
        raise ExportError(f"value {v!r} has no CSPm form here")

    def constructor(self, name: str) -> str:
        ident = "".join(ch if ch.isalnum() or ch == "_" else "_" for ch in name) or "n_"
        if ident in KEYWORDS or ident in self.channels or not ident[0].isalpha():
            ident = "n_" + ident
        self.constructors.add(ident)
        return ident

    def event(self, e: Event) -> str:
        return ".".join([e.channel, *(self.value(f) for f in e.fields)])


def gomodel_to_cspm(model: GoModel) -> str:
    """The program's network as a CSPm script with its assertions (for FDR4)."""
    runtime, leaks = model.components("runtime"), model.components("leaks")
    events = model.all_events("runtime") | model.all_events("leaks")
    channels = sorted({e.channel for e in events})
    names = _Names(channels)
    body: list[str] = []
    written: dict[str, str] = {}
    for comp in [*runtime, *leaks]:
        if comp.name in written:
            continue
        lts = build_lts(comp.term, model.env, state_limit=MAX_STATES)
        prefix = comp.name
        written[comp.name] = f"{prefix}_s0"
        body.append(f"-- {comp.kind} {comp.name}: {lts.num_states} states")
        body.extend(_equations(prefix, lts, names))
        body.append("")
    alphabets: list[str] = []
    alpha_name: dict[frozenset[Event], str] = {}
    for comp in [*runtime, *leaks]:
        if comp.alphabet not in alpha_name:
            alpha_name[comp.alphabet] = f"A{len(alpha_name) + 1}"
            alphabets.append(f"{alpha_name[comp.alphabet]} = {_event_set(comp.alphabet, names)}")
    out = [f"-- Go-style program {model.program.name} compiled by cspotlp (cspotlp.gomodel).",
           "-- Each process is its explicit state machine; SYSTEM is the program as Go's runtime",
           "-- runs it, SYSTEM_LEAKS lets goroutines go on after main returns (leak check).", ""]
    out.append("datatype Name = " + " | ".join(sorted(names.constructors)) if names.constructors
               else "datatype Name = n_none")
    out.extend(_channel_declarations(events, names))
    out.append("")
    out.extend(alphabets)
    out.append("")
    out.extend(body)
    for label, comps in (("SYSTEM", runtime), ("SYSTEM_LEAKS", leaks)):
        out.append(f"{label} = {_network([(alpha_name[c.alphabet], written[c.name]) for c in comps])}")
    out += ["", "assert SYSTEM :[deadlock free [F]]", "assert SYSTEM_LEAKS :[deadlock free [F]]", ""]
    return "\n".join(out)


def _channel_declarations(events: Iterable[Event], names: _Names) -> list[str]:
    fields: dict[str, list[set[str]]] = {}
    for e in sort_events(events):
        doms = fields.setdefault(e.channel, [set() for _ in e.fields])
        for i, f in enumerate(e.fields):
            doms[i].add(names.value(f))
    out = []
    for ch in sorted(fields):
        doms = fields[ch]
        if not doms:
            out.append(f"channel {ch}")
        else:
            out.append(f"channel {ch} : " + ".".join("{" + ", ".join(sorted(d, key=_text_key)) + "}"
                                                     for d in doms))
    return out


def _text_key(text: str) -> tuple[int, int, str]:
    return (0, int(text), "") if text.lstrip("-").isdigit() else (1, 0, text)


def _event_set(events: Iterable[Event], names: _Names) -> str:
    return "{" + ", ".join(names.event(e) for e in sort_events(events)) + "}"


def _equations(prefix: str, lts: Lts, names: _Names) -> list[str]:
    out = []
    for s in range(lts.num_states):
        visible: list[str] = []
        internal: list[str] = []
        for e, t in lts.successors(s):
            if e is TAU:
                internal.append(f"{prefix}_s{t}")
            elif e is TICK:
                visible.append("SKIP")
            else:
                visible.append(f"{names.event(e)} -> {prefix}_s{t}")
        if not visible and not internal:
            text = "STOP"
        else:
            text = " [] ".join(visible) if visible else ""
            if internal:
                choice = " |~| ".join(internal)
                text = f"({text}) [> ({choice})" if visible else choice
        out.append(f"{prefix}_s{s} = {text}")
    return out


def _network(parts: Sequence[tuple[str, str]]) -> str:
    """``P1 [A1 || union(A2, ...)] (P2 [A2 || ...] ...)`` (alphabetised parallel, to the right)."""
    if len(parts) == 1:
        return parts[0][1]
    text = parts[-1][1]
    rest = parts[-1][0]
    for alpha, proc in reversed(parts[:-1]):
        text = f"{proc} [{alpha} || {rest}] ({text})"
        rest = f"union({alpha}, {rest})"
    return text


def gomodel_to_tla(model: GoModel, variant: str = "runtime", *, state_limit: int | None = 500_000) -> TlaModule:
    """The whole program's LTS (``variant`` runtime or leaks) as a TLA+ module with a TLC config."""
    lts = build_lts(model.system(variant), model.env, state_limit=state_limit)
    module = model.program.name if variant == "runtime" else f"{model.program.name}_leaks"
    return lts_to_tla(lts, module=module, title=f"Go-style program {model.program.name} ({variant})")
