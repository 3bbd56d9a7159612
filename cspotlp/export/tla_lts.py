"""A finite CSP process as a TLA+ module: its explicit LTS, an Init/Next over it, a TLC config.

The module has two variables: ``state``, the LTS state number (as in :class:`~cspotlp.csp.Lts`,
so a TLC counterexample names ``lts.terms[state]``), and ``event``, the label of the last step
(``"%none"`` initially). Every transition is one TLC step, τ (``"%tau"``) included; a state after
✓ (the terminated process Ω) stutters forever, so TLC's deadlock check reports exactly the
states :meth:`~cspotlp.csp.Lts.deadlocks` returns.

**Encoding, and why.** Transitions are data, not code: ``Succ[s + 1]`` is the tuple of
``<<event number, target>>`` pairs of state ``s`` (the compressed rows of the LTS, one line per
state), and ``Next`` is one existential over ``DOMAIN Succ[state + 1]``. TLC evaluates a
zero-argument constant definition such as ``Succ`` once, and indexing a tuple is constant time,
so a step costs O(out-degree) whatever the size of the LTS. One disjunct per transition would
instead make TLC try all 10^5 disjuncts in every state (O(T) per state, O(N·T) overall) and SANY
parse a 10^5-way disjunction; a set of ``<<source, event, target>>`` triples would make every
step a scan of the set. The text is about 20 bytes per transition (2 MB for 10^5).

Event labels are strings (see :mod:`cspotlp.export.tla_syntax`): ``Events[k + 1]`` is the label
of event number ``k``, so a transition stores a small integer and the label table is written once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from cspotlp.csp import OMEGA, TAU, TICK, Lts, show
from cspotlp.errors import ExportError
from cspotlp.export.tla_syntax import (
    comment_text,
    encode_label,
    module_text,
    tla_comment,
    tla_identifier,
    tla_string,
    wrap_items,
)

TAU_LABEL = "%tau"
"""The label of τ steps (no encoded event name has ``%`` followed by a non-hex digit)."""
TICK_LABEL = "%tick"
"""The label of ✓, successful termination."""
NO_EVENT = "%none"
"""The value of ``event`` in the initial state, before any step."""

DEFINED_NAMES = frozenset({
    "state", "event", "vars", "NoEvent", "Events", "Label", "EventLabels", "NumStates",
    "StateNumbers", "Succ", "TerminatedStates", "Fire", "Init", "Terminated", "Next", "Spec",
    "TypeOK", "TauStep", "TauClosure", "TraceLog", "TraceFile", "l", "TraceVars", "TraceInit",
    "MatchEvent", "TraceNext", "TraceSpec", "TraceAccepted",
})
"""Names the generated modules define; a module is never named like one of them."""

TERM_COMMENT_LIMIT = 2_000
"""Up to this many states, each state's line is annotated with (the start of) its process term."""
_TERM_CHARS = 100


@dataclass(frozen=True)
class TlaModule:
    """One TLA+ module (``name.tla``) and, when it can be model-checked alone, its TLC config."""

    name: str
    text: str
    config: str | None = None

    def files(self) -> dict[str, str]:
        """File name -> content: ``name.tla`` and, if there is a config, ``name.cfg``."""
        out = {f"{self.name}.tla": self.text}
        if self.config is not None:
            out[f"{self.name}.cfg"] = self.config
        return out


def write_files(files: dict[str, str], directory: str | Path) -> list[Path]:
    """Write exporter output (file name -> text) into ``directory`` (created if absent).

    All or nothing (:func:`cspotlp.files.write_outputs`): each file goes to a temporary file
    beside its target and every one is renamed into place only when all are complete, so a
    failure midway — a full disk, Ctrl-C — leaves the previous files as they were. Text is UTF-8
    with newline line endings; returns the paths in the given order.

    Raises:
        ExportError: the directory cannot be created or a file cannot be written (names which).
    """
    from cspotlp.files import write_outputs

    out = Path(directory)
    try:
        return write_outputs({out / name: text for name, text in files.items()})
    except OSError as e:
        raise ExportError(f"cannot write {e.filename or out}: {e.strerror or e}") from e


def event_labels(lts: Lts) -> list[str]:
    """The TLA+ label (unquoted) of each event number of ``lts``; τ and ✓ get reserved labels.

    Raises :class:`ExportError` if two different events share a name (the labels would merge).
    """
    labels: list[str] = []
    seen: dict[str, int] = {}
    for k, ev in enumerate(lts.events):
        if ev is TAU:
            label = TAU_LABEL
        elif ev is TICK:
            label = TICK_LABEL
        else:
            label = encode_label(ev.name)
        if label in seen:
            raise ExportError(
                f"events {seen[label]} and {k} of the LTS are both named {ev.name!r}; "
                "their TLA+ labels would be the same"
            )
        seen[label] = k
        labels.append(label)
    return labels


def lts_to_tla(
    lts: Lts,
    *,
    module: str,
    title: str | None = None,
    show_terms: bool | None = None,
) -> TlaModule:
    """The TLA+ module (and TLC config) of ``lts``; ``module`` is sanitised into the module name.

    ``title`` (e.g. the CSP process name) goes into the header comment; ``show_terms`` annotates
    each state with its process term (default: when there are at most
    :data:`TERM_COMMENT_LIMIT` states). The config checks ``TypeOK`` and deadlock freedom.

    >>> from cspotlp.csp import Environment, build_lts, prefix, STOP
    >>> env = Environment(); a = env.channel("a").event()
    >>> m = lts_to_tla(build_lts(prefix(a, STOP), env), module="P")
    >>> m.name, "Succ ==" in m.text, m.config.splitlines()[0]
    ('P', True, 'SPECIFICATION Spec')
    """
    name = tla_identifier(module, avoid=DEFINED_NAMES)
    labels = event_labels(lts)
    if show_terms is None:
        show_terms = lts.num_states <= TERM_COMMENT_LIMIT
    header = [
        f"CSP process {comment_text(title if title is not None else module)} as an explicit labelled "
        "transition system (cspotlp csp2tla).",
        f"{lts.num_states} states, {lts.num_transitions} transitions, "
        f"{len(labels)} events (tau and tick included).",
        "Event labels: the CSP event name, percent-encoded to ASCII (%XX = a UTF-8 byte);",
        f"{TAU_LABEL} is the internal event, {TICK_LABEL} termination, {NO_EVENT} no event yet.",
    ]
    return TlaModule(name, module_text(name, header, lts_body(lts, labels, show_terms)),
                     lts_config())


def lts_body(lts: Lts, labels: Sequence[str], show_terms: bool) -> list[str]:
    """The definitions of an LTS module (everything between header and footer)."""
    body = [
        "EXTENDS Naturals",
        "",
        "VARIABLES state, event",
        "vars == <<state, event>>",
        "",
        f"NoEvent == {tla_string(NO_EVENT)}",
        "",
        "\\* Events[k + 1] is the label of LTS event number k (0 is tau, 1 is tick).",
        "Events == <<",
    ]
    for k, label in enumerate(labels):
        comma = "," if k < len(labels) - 1 else ""
        body.append(f"    {tla_string(label)}{comma}  \\* {k}")
    body += [
        ">>",
        "Label(k) == Events[k + 1]",
        "EventLabels == {Events[i] : i \\in DOMAIN Events} \\cup {NoEvent}",
        "",
        f"NumStates == {lts.num_states}",
        "StateNumbers == 0..(NumStates - 1)",
        "",
        "\\* Succ[s + 1] lists the transitions of LTS state s as <<event number, target state>>.",
        "Succ == <<",
    ]
    last = lts.num_states - 1
    for s in range(lts.num_states):
        pairs = [f"<<{lab}, {t}>>" for lab, t in lts.successor_numbers(s)]
        note = f"{s}: {show(lts.terms[s], max_chars=_TERM_CHARS)}" if show_terms else str(s)
        comma = "," if s < last else ""
        if len(pairs) <= 6:
            inner = ", ".join(pairs)
            body.append(f"    << {inner} >>{comma}  {tla_comment(note)}" if pairs
                        else f"    << >>{comma}  {tla_comment(note)}")
        else:
            body.append(f"    {tla_comment(note)}")
            body.append("    <<")
            body.extend(wrap_items(pairs, "        "))
            body.append(f"    >>{comma}")
    terminated = sorted(s for s in range(lts.num_states) if lts.terms[s] is OMEGA)
    body += [
        ">>",
        "",
        "\\* States of the terminated process (after tick): they stutter, so they are no deadlock.",
        "TerminatedStates == {" + ", ".join(str(s) for s in terminated) + "}",
        "",
        "\\* Step along the k-th transition of state s.",
        "Fire(s, k) == /\\ state' = Succ[s + 1][k][2]",
        "              /\\ event' = Label(Succ[s + 1][k][1])",
        "",
        "Init == /\\ state = 0",
        "        /\\ event = NoEvent",
        "",
        "Terminated == /\\ state \\in TerminatedStates",
        "              /\\ UNCHANGED vars",
        "",
        "Next == \\/ \\E k \\in DOMAIN Succ[state + 1] : Fire(state, k)",
        "        \\/ Terminated",
        "",
        "Spec == Init /\\ [][Next]_vars",
        "",
        "TypeOK == /\\ state \\in StateNumbers",
        "          /\\ event \\in EventLabels",
        "",
        "\\* The states reachable from the states S by tau steps alone (S included).",
        "TauStep(S) == UNION {{Succ[s + 1][k][2] : k \\in {j \\in DOMAIN Succ[s + 1] :",
        "                                                   Succ[s + 1][j][1] = 0}} : s \\in S}",
        "RECURSIVE TauClosure(_)",
        "TauClosure(S) == LET T == S \\cup TauStep(S) IN IF T = S THEN S ELSE TauClosure(T)",
    ]
    return body


def lts_config() -> str:
    """TLC config of an LTS module: the spec, its type invariant, deadlock checking on."""
    return "SPECIFICATION Spec\nINVARIANT TypeOK\nCHECK_DEADLOCK TRUE\n"
