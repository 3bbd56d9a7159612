"""A compiled Go-style model (:class:`~cspotlp.gomodel.GoModel`) as CSPm for FDR4 and as TLA+.

**CSPm.** Every process of the network (goroutine, channel, WaitGroup, clock, ...) is written as
its explicit state machine, one equation per state (``G2_worker_s3 = c.2.1.0 -> G2_worker_s4 []
...``), and the program is their alphabetised parallel composition, exactly the network the
checks explore; the script asserts what the native checks check (deadlock freedom of
``SYSTEM``, and of ``SYSTEM_LEAKS`` for goroutine leaks). Names (of channels, contexts, span
names) become constructors of one datatype ``Name``; a name that is a CSPm keyword or a
channel's name gets the prefix ``n_``.

**TLA+.** The whole program's LTS as a module (:func:`~cspotlp.export.tla_lts.lts_to_tla`); with
liveness properties (:class:`LeadsTo`), Go's fairness and the properties, checked by TLC.

Both are deterministic: same model, same text.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from cspotlp.csp import TAU, TICK, Datum, Event, Lts, build_lts, sort_events
from cspotlp.errors import ExportError
from cspotlp.export.tla_lts import DEFINED_NAMES, TlaModule, event_labels, lts_to_tla
from cspotlp.export.tla_syntax import tla_comment, tla_identifier, tla_string
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
        if isinstance(v, int):  # (-1): "{-1" would open a CSPm block comment
            return str(v) if v >= 0 else f"({v})"
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
    events = set(model.all_events("runtime") | model.all_events("leaks"))
    machines = {}
    for comp in [*runtime, *leaks]:
        if comp.name not in machines:
            machines[comp.name] = lts = build_lts(comp.term, model.env, state_limit=MAX_STATES)
            # an object may offer events no goroutine ever does (blocked by the alphabets):
            # their channels' values must still be declared
            events.update(e for e in lts.events if e is not TAU and e is not TICK)
    channels = sorted({e.channel for e in events})
    names = _Names(channels)
    body: list[str] = []
    written: dict[str, str] = {}
    for comp in [*runtime, *leaks]:
        if comp.name in written:
            continue
        lts = machines[comp.name]
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
    number = text.strip("()")
    return (0, int(number), "") if number.lstrip("-").isdigit() else (1, 0, text)


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


@dataclass(frozen=True)
class LeadsTo:
    r"""A liveness property over events: ``trigger ~> response``.

    Whenever an event of ``trigger`` has happened, an event of ``response`` eventually happens
    (TLA+ ``(event \in T) ~> (event \in R)``: ``event`` is the label of the last step).
    ``name`` becomes the TLA+ definition's name (sanitised).
    """

    name: str
    trigger: frozenset[Event]
    response: frozenset[Event]


FAIRNESS_COMMENT = (
    "Fairness, as Go runs a program: the scheduler keeps running every goroutine that can run",
    "(weak fairness of each goroutine's steps), and a select picks among its ready cases at",
    "random, so a case that is ready again and again is eventually taken (strong fairness of",
    "each case of a select with several: the goroutine's steps on that channel, context or",
    "timer). Time and the program's exit are weakly fair: a pending timer eventually expires, a",
    "returned main ends the program. Strong fairness only where a select chooses keeps TLC's",
    "liveness check small (its cost grows with the number of fairness conditions).",
)


def gomodel_to_tla(model: GoModel, variant: str = "runtime", *, state_limit: int | None = 500_000,
                   liveness: Sequence[LeadsTo] = (), strong_fairness: bool = True) -> TlaModule:
    r"""The whole program's LTS (``variant`` runtime or leaks) as a TLA+ module with a TLC config.

    With ``liveness`` properties the module also defines Go's fairness (see
    :data:`FAIRNESS_COMMENT`: ``FairSpec == Spec /\ Fairness``) and each property, and the
    config checks them under ``FairSpec`` (and, as before, the type invariant and deadlock
    freedom). ``strong_fairness=False`` leaves out the strong fairness of select cases (to see
    that a property needs it: TLC then finds a run in which a select keeps taking one ready
    case and never another).

    Raises:
        ExportError: a property's trigger events never occur in the program (it would hold
            vacuously), or a property's name is used twice.
    """
    lts = model.lts(variant, state_limit=state_limit)
    module = model.program.name if variant == "runtime" else f"{model.program.name}_leaks"
    title = f"Go-style program {model.program.name} ({variant})"
    plain = lts_to_tla(lts, module=module, title=title)
    if not liveness:
        return plain
    labels = event_labels(lts)
    number = {e: k for k, e in enumerate(lts.events)}
    body = _fairness(model, lts.events, labels, strong_fairness)
    names: list[str] = []
    for prop in liveness:
        name = tla_identifier(prop.name, avoid=DEFINED_NAMES | _LIVENESS_NAMES)
        if name in names:
            raise ExportError(f"liveness property {prop.name!r}: the name is used twice")
        trigger = sorted(labels[number[e]] for e in prop.trigger if e in number)
        response = sorted(labels[number[e]] for e in prop.response if e in number)
        if not trigger:
            raise ExportError(f"liveness property {prop.name!r}: none of its trigger events can happen "
                              f"in {model.program.name} (it would hold vacuously)")
        names.append(name)
        body += ["", tla_comment(f"{prop.name}: after any of the first events, eventually one of the second."),
                 f"{name} == (event \\in {_label_set(trigger)})",
                 f"    ~> (event \\in {_label_set(response)})"]
    text = plain.text.rstrip("\n").removesuffix("=" * 77).rstrip("\n")
    text += "\n" + "\n".join(body) + "\n" + "=" * 77 + "\n"
    config = ("SPECIFICATION FairSpec\nINVARIANT TypeOK\n"
              + "".join(f"PROPERTY {n}\n" for n in names) + "CHECK_DEADLOCK TRUE\n")
    return TlaModule(plain.name, text, config)


_LIVENESS_NAMES = frozenset({"StepOf", "Fairness", "FairSpec", "Time"})


def _label_set(labels: Sequence[str]) -> str:
    return "{" + ", ".join(tla_string(x) for x in labels) + "}"


def _fairness(model: GoModel, events: Sequence[Event], labels: Sequence[str],
              strong: bool = True) -> list[str]:
    """The definitions of Go's fairness over the module's transitions (see FAIRNESS_COMMENT)."""
    per_goroutine: dict[int, list[str]] = {}
    per_case: dict[tuple[int, str], list[str]] = {}
    cases = _select_cases(model) if strong else set()
    fair_weakly: list[str] = []
    for k, e in enumerate(events):
        if e is TAU or e is TICK:
            continue
        gids = sorted(model.participants(e))
        if not gids:
            fair_weakly.append(labels[k])
        for g in gids:
            per_goroutine.setdefault(g, []).append(labels[k])
            if (g, _object_of(model, e)) in cases:
                per_case.setdefault((g, _object_of(model, e)), []).append(labels[k])
    body = ["", *(tla_comment(line) for line in FAIRNESS_COMMENT),
            "StepOf(L) == \\E k \\in DOMAIN Succ[state + 1] :",
            "                 /\\ Label(Succ[state + 1][k][1]) \\in L",
            "                 /\\ Fire(state, k)"]
    conjuncts = ["WF_vars(Next)"]
    if fair_weakly:
        body += [tla_comment("time and the program's exit"), f"Time == {_label_set(sorted(fair_weakly))}"]
        conjuncts.append("WF_vars(StepOf(Time))")
    for g, group in sorted(per_goroutine.items()):
        title = model.goroutines[g - 1].instance.title
        body += [tla_comment(f"goroutine {g} ({title}): every step"), f"G{g} == {_label_set(sorted(group))}"]
        conjuncts.append(f"WF_vars(StepOf(G{g}))")
    for i, ((g, obj), group) in enumerate(sorted(per_case.items()), start=1):
        body += [tla_comment(f"goroutine {g}: its select's case on {obj}"),
                 f"Case{i} == {_label_set(sorted(group))}"]
        conjuncts.append(f"SF_vars(StepOf(Case{i}))")
    body += ["Fairness == " + conjuncts[0], *(f"            /\\ {c}" for c in conjuncts[1:]),
             "", "FairSpec == Spec /\\ Fairness"]
    return body


def _select_cases(model: GoModel) -> set[tuple[int, str]]:
    """(goroutine, object) of every case of a select with two or more cases (default aside)."""
    out: set[tuple[int, str]] = set()
    for g in model.goroutines:
        graph = g.graph
        for s in range(graph.num_states):
            op = model.op_at(g.gid, s)
            if op is None or op.wait != "select":
                continue
            objects = {_object_of(model, e) for e, _t in graph.successors(s)
                       if e is not TAU and e is not TICK and g.gid in model.participants(e)
                       and e.channel not in _NOT_CASES}
            if len(objects) >= 2:
                out.update((g.gid, obj) for obj in objects)
    return out


_NOT_CASES = frozenset({"default", "span_begin", "span_end", "span_mark", "panic", "limit", "block"})
"""Steps out of a select state that are not its cases: the default, spans, panics, bounds."""

_OBJECT_OPS = frozenset({"add", "wait", "lock", "unlock", "start", "cancel", "done", "err",
                         "arm", "rearm", "fire"})


def _object_of(model: GoModel, e: Event) -> str:
    """What a goroutine's step acts on: a channel, a sync object, a context, a timer, its spans."""
    ch = e.channel
    if ch in model.program.chans:
        return ch
    base, _, op = ch.rpartition("_")
    if base in model.program.chans and op in ("send", "recv", "close"):
        return base
    if ch in _OBJECT_OPS and e.fields:
        first = e.fields[0]
        return first.ctor if isinstance(first, Datum) else str(first)
    if ch.startswith("span_"):
        return "its spans"
    return f"its {ch} steps"
