"""Drawings of Go-style models (:mod:`cspotlp.gomodel`): goroutines and their counterexamples.

* :func:`goroutine_to_dot` — one goroutine's state machine (Graphviz): each state labelled with
  the operation it performs (Go's wait reason, what exactly, the model's source line); the
  goroutine's own part of a run drawn in bold blue, and the state it is stuck in — blocked,
  or panicking — filled red.
* :func:`sequence_svg` — a run as a sequence diagram (SVG): one lifeline per goroutine, time
  going down, a rendezvous as an arrow from sender to receiver, a ``go`` statement as an arrow
  to the new goroutine, time and program-wide events as dashed rules across, spans as
  activation bars on their goroutine's lifeline, and at the bottom, in red, what each blocked
  goroutine waits for. The row of a highlighted event (a counterexample's offending event) is
  shaded.
* :func:`go_event_text` — an event in Go's words (``queue <- 1``, ``close(stopped)``).

Every function returns text, deterministic for its input (no set order, no ids, no times).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence
from html import escape
from pathlib import Path

from cspotlp.csp import TAU, TICK, Datum, Event
from cspotlp.errors import ExportError
from cspotlp.gomodel import GoModel, GoroutineReport, goroutine_of_span

PATH = "#1a56db"
"""The colour of the path a run takes (the same blue as the normal-form drawings)."""
STUCK = "#d93025"
HIGHLIGHT = "#fff1d6"


def _q(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "")
    return f'"{escaped}"'


def _name(value: object) -> str:
    return value.ctor if isinstance(value, Datum) else str(value)


def go_event_text(model: GoModel, e: Event) -> str:
    """The event in Go's words: ``queue <- 1``, ``v, ok := <-c (0, false)``, ``wg.Add(2)``, ...

    Events without a Go spelling (``tick``, ``exit.returned``, ``limit.2.spans``) keep their
    CSP name.
    """
    ch, f = e.channel, e.fields
    chans = model.program.chans
    if ch in chans:
        return f"{ch} <- {_name(f[2])}"
    base, _, op = ch.rpartition("_")
    if base in chans:
        if op == "send":
            return f"{base} <- {_name(f[1])}"
        if op == "recv":
            return f"<-{base}" + (f" = {_name(f[1])}" if f[2] is True else " (closed)")
        if op == "close":
            return f"close({base})"
    texts: dict[str, Callable[[], str]] = {
        "add": lambda: f"{_name(f[0])}.Add({f[2]})", "wait": lambda: f"{_name(f[0])}.Wait()",
        "lock": lambda: f"{_name(f[0])}.Lock()", "unlock": lambda: f"{_name(f[0])}.Unlock()",
        "cancel": lambda: f"cancel {_name(f[0])}", "done": lambda: f"<-{_name(f[0])}.Done()",
        "start": lambda: f"{_name(f[0])} deadline starts", "err": lambda: f"{_name(f[0])}.Err() = {_name(f[2])}",
        "arm": lambda: f"time.After({f[1]})", "rearm": lambda: f"time.After({f[1]})",
        "fire": lambda: f"<-{_name(f[0])} fires", "expire": lambda: f"{_name(f[0])} expires",
        "choose": lambda: f"choose {_name(f[1])}", "default": lambda: "select default",
        "panic": lambda: f"panic: {_name(f[1]).replace('_', ' ')} {_name(f[2])}",
        "span_begin": lambda: f"{_name(f[2])}()", "span_end": lambda: f"return ({_name(f[1])})",
        "span_mark": lambda: f"event {_name(f[1])}",
    }
    make = texts.get(ch)
    return make() if make is not None else str(e)


# -- one goroutine's state machine ----------------------------------------------------------------


def _walk(model: GoModel, gid: int, run: Sequence[Event]) -> tuple[list[int], set[tuple[int, int, int]]]:
    """The states and edges of goroutine ``gid`` along its own events of ``run`` (first match)."""
    graph = model.goroutines[gid - 1].graph
    number = {ev: k for k, ev in enumerate(graph.events)}
    alphabet = next(c.alphabet for c in model.components() if c.gid == gid)
    state = graph.initial
    states = [state]
    edges: set[tuple[int, int, int]] = set()
    for e in run:
        if e is TAU or e is TICK or e not in alphabet or e not in number:
            continue
        lab = number[e]
        nxt = next((t for ev, t in graph.successor_numbers(state) if ev == lab), None)
        if nxt is None:
            continue
        edges.add((state, lab, nxt))
        state = nxt
        states.append(state)
    return states, edges


def goroutine_to_dot(model: GoModel, gid: int, run: Sequence[Event] = (), *,
                     report: GoroutineReport | None = None, around_run: bool = True,
                     max_states: int = 60) -> str:
    """Goroutine ``gid``'s state machine, with its part of ``run`` and where it got stuck.

    A goroutine is compiled alone, so its machine holds every way its partners might behave
    (each possible partner of a rendezvous, every restart); drawn whole it is rarely readable.
    With ``around_run`` (the default, when a run is given) the drawing shows the states the
    goroutine went through and every step one move off that path — the choices it did not
    take; otherwise the states breadth first from the initial one, up to ``max_states``.
    Steps to states not drawn end in a "…" node. Parallel steps with the same Go text (the
    same ``go`` from different caller spans) are drawn once.

    Args:
        model: the compiled model.
        gid: the goroutine (1 is main).
        run: a run of the whole program (e.g. a verdict's ``path``); the goroutine's own events
            of it are drawn in bold blue.
        report: the goroutine's state at the end of ``run`` (from the verdict's ``goroutines``);
            a blocked or panicking goroutine's last state is filled red.
        around_run: draw only the run's states and their neighbours (see above).
        max_states: how many states to draw at most breadth first (the run's are always drawn).

    Raises:
        ExportError: ``gid`` is not a goroutine of the model.
    """
    if not 1 <= gid <= len(model.goroutines):
        raise ExportError(f"goroutine {gid} is not in program {model.program.name} "
                          f"(it has {len(model.goroutines)})")
    g = model.goroutines[gid - 1]
    graph = g.graph
    visited, path_edges = _walk(model, gid, run)
    on_path = set(visited)
    last = visited[-1]
    stuck = report is not None and report.status in ("blocked", "panicking")
    mine = frozenset(ev for ev in graph.events[2:] if gid in model.participants(ev))

    def steps(s: int) -> list[tuple[int, str, int]]:
        out: dict[tuple[str, int], int] = {}
        for lab, t in graph.successor_numbers(s):
            ev = graph.events[lab]
            if ev is not TAU and ev is not TICK and ev not in mine:
                continue  # a probe of another goroutine's select: not this goroutine's step
            text = "τ" if ev is TAU else "✓ (finished)" if ev is TICK else go_event_text(model, ev)
            key = (text, t)
            if key not in out or (s, lab, t) in path_edges:
                out[key] = lab
        return sorted(((lab, text, t) for (text, t), lab in out.items()), key=lambda x: (x[2], x[1]))

    drawn = _states_to_draw(graph.initial, visited, steps, around_run and len(visited) > 1, max_states)
    terminated = {s for s in drawn if bool(graph.terminated[s])}
    lines = ["digraph goroutine {", "  rankdir=TB;",
             f"  label={_q(f'goroutine {gid}: {g.instance.title}')}; labelloc=t; fontname=\"Helvetica\";",
             '  node [shape=box, style=rounded, fontname="Helvetica", fontsize=10];',
             '  edge [fontname="Helvetica", fontsize=9];']
    for s in drawn:
        op = model.op_at(gid, s)
        label = [f"s{s}"]
        if op is not None and op.wait != "not started":
            label += [op.detail, f"line {op.site.line}"]
        elif s in terminated or not graph.successor_numbers(s):
            label.append("finished")
        elif op is not None:
            label.append(op.detail)
        attrs = []
        if s == graph.initial:
            attrs.append("penwidth=2.5")
        if stuck and s == last:
            assert report is not None
            label.append(report.status.upper())
            attrs.append(f'style="rounded,filled,bold", fillcolor="#fdecea", color="{STUCK}", '
                         'penwidth=3, class="stuck"')
        elif s in on_path:
            attrs.append(f'style="rounded,filled", fillcolor="#dbe7ff", color="{PATH}"')
        lines.append(f"  s{s} [{', '.join([f'label={_q(chr(10).join(label))}', *attrs])}];")
    cut = False
    for s in drawn:
        for lab, text, t in steps(s):
            target = f"s{t}" if t in drawn else "more"
            cut = cut or target == "more"
            style = (f', color="{PATH}", fontcolor="{PATH}", penwidth=2.5'
                     if (s, lab, t) in path_edges else "")
            style += ", style=dashed" if text == "τ" else ""
            lines.append(f"  s{s} -> {target} [label={_q(text)}{style}];")
    if cut:
        lines.append('  more [label="…", shape=plaintext];')
    lines.append("}")
    return "\n".join(lines) + "\n"


def _states_to_draw(initial: int, visited: Sequence[int],
                    steps: Callable[[int], list[tuple[int, str, int]]], around_run: bool,
                    max_states: int) -> list[int]:
    """The states drawn: the run's and their successors, or breadth first from ``initial``."""
    if around_run:
        keep = set(visited)
        for s in visited:
            keep.update(t for _lab, _text, t in steps(s))
        return sorted(keep)
    order: list[int] = []
    seen = {initial}
    queue = deque([initial])
    while queue and len(order) < max_states:
        s = queue.popleft()
        order.append(s)
        for _lab, _text, t in steps(s):
            if t not in seen:
                seen.add(t)
                queue.append(t)
    return sorted(set(order) | set(visited))


# -- a run as a sequence diagram --------------------------------------------------------------------

_LANE = 170
_ROW = 20
_TOP = 46
_LEFT = 20
_BAR = 7


def sequence_svg(model: GoModel, run: Sequence[Event], *,
                 goroutines: Sequence[GoroutineReport] = (), highlight: int | None = None,
                 title: str | None = None) -> str:
    """The run as a sequence diagram of the program's goroutines (see the module docstring).

    Args:
        model: the compiled model.
        run: the events, in order (a verdict's ``path``, or a complete run).
        goroutines: each goroutine's state at the end (a verdict's ``goroutines``): blocked and
            panicking ones get a red note at the bottom of their lifeline.
        highlight: the index in ``run`` of the event to shade (e.g. the offending one).
        title: a line over the drawing.
    """
    gids = [g.gid for g in model.goroutines]
    x_of = {gid: _LEFT + _LANE // 2 + i * _LANE for i, gid in enumerate(gids)}
    rows = [e for e in run if e is not TAU and e is not TICK]
    stuck = [r for r in goroutines if r.status in ("blocked", "panicking")]
    width = _LEFT * 2 + _LANE * len(gids)
    body_end = _TOP + _ROW * (len(rows) + 1)
    height = body_end + (64 if stuck else 12)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="go-sequence" width="{width}" '
           f'height="{height}" viewBox="0 0 {width} {height}" font-family="Helvetica, Arial, '
           f'sans-serif" font-size="11">']
    if title:
        out.append(f"<title>{escape(title)}</title>")
    out.append('<style>.life{stroke:#999;stroke-dasharray:3,3}.msg{stroke:#333;fill:none}'
               f'.bar{{fill:#dbe7ff;stroke:{PATH}}}.bar.error{{fill:#fdecea;stroke:{STUCK}}}'
               '.rule{stroke:#bbb;stroke-dasharray:6,4}.global{fill:#777;font-style:italic}'
               f'.panic{{fill:{STUCK};font-weight:bold}}.stuck{{fill:#fdecea;stroke:{STUCK}}}'
               f'.stuck-text{{fill:{STUCK}}}.head{{font-weight:bold}}</style>')
    out.append('<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
               'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
               'fill="#333"/></marker></defs>')
    if highlight is not None and 0 <= highlight < len(run):
        k = sum(1 for e in run[:highlight] if e is not TAU and e is not TICK)
        y = _TOP + _ROW * (k + 1) - 12  # the row's line is at _TOP + _ROW * (k + 1)
        out.append(f'<rect class="offending" x="0" y="{y}" width="{width}" height="{_ROW}" '
                   f'fill="{HIGHLIGHT}"/>')
    for gid in gids:
        inst = model.goroutines[gid - 1].instance
        x = x_of[gid]
        out.append(f'<text class="head" x="{x}" y="18" text-anchor="middle">goroutine {gid}</text>')
        out.append(f'<text x="{x}" y="32" text-anchor="middle">{escape(_short(inst.title, 26))}</text>')
        out.append(f'<line class="life" x1="{x}" y1="{_TOP - 6}" x2="{x}" y2="{body_end}"/>')
    out.extend(_activation_bars(model, rows, x_of, body_end))
    for i, e in enumerate(rows):
        out.append(_row(model, e, _TOP + _ROW * (i + 1), x_of, width))
    for r in stuck:
        if r.gid not in x_of:
            continue
        x = x_of[r.gid]
        what = r.op.detail if r.op is not None else r.status
        site = f"{Path(r.op.site.file).name}:{r.op.site.line}" if r.op is not None else ""
        status = "panicking" if r.status == "panicking" else f"blocked: {r.op.wait if r.op else ''}"
        out.append(f'<g class="stuck-note" data-goroutine="{r.gid}">'
                   f'<rect class="stuck" x="{x - _LANE // 2 + 6}" y="{body_end + 4}" '
                   f'width="{_LANE - 12}" height="52" rx="4"/>'
                   f'<text class="stuck-text" x="{x}" y="{body_end + 19}" text-anchor="middle">'
                   f'{escape(_short(status, 28))}</text>'
                   f'<text class="stuck-text" x="{x}" y="{body_end + 33}" text-anchor="middle">'
                   f'{escape(_short(what, 28))}</text>'
                   f'<text class="stuck-text" x="{x}" y="{body_end + 47}" text-anchor="middle">'
                   f'{escape(_short(site, 28))}</text></g>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _short(text: str, n: int) -> str:
    return text if len(text) <= n else text[:n - 1] + "…"


def _row(model: GoModel, e: Event, y: int, x_of: dict[int, int], width: int) -> str:
    text = escape(go_event_text(model, e))
    who = sorted(g for g in model.participants(e) if g in x_of)
    if e.channel == "span_begin":
        s, p = int(e.fields[0]), int(e.fields[1])  # type: ignore[call-overload]
        child, parent = goroutine_of_span(model, s), goroutine_of_span(model, p) if p else None
        if parent is not None and parent != child and parent in x_of and child in x_of:
            title = model.goroutines[child - 1].instance.title.removeprefix("main.")
            return _arrow(x_of[parent], x_of[child], y, escape(f"go {title}"))
        who = [child] if child in x_of else []
    if e.channel in model.program.chans and len(who) == 2:
        sender, receiver = int(e.fields[0]), int(e.fields[1])  # type: ignore[call-overload]
        return _arrow(x_of[sender], x_of[receiver], y, text)
    if not who:
        return (f'<g class="global-event"><line class="rule" x1="{_LEFT}" y1="{y}" x2="{width - _LEFT}" '
                f'y2="{y}"/><text class="global" x="{_LEFT + 2}" y="{y - 3}">{text}</text></g>')
    klass = "panic" if e.channel == "panic" else "local"
    parts = []
    for g in who:
        x = x_of[g]
        parts.append(f'<circle cx="{x}" cy="{y}" r="3" fill="#333"/>'
                     f'<text class="{klass}" x="{x + 9}" y="{y + 4}">{text}</text>')
    return f'<g class="event">{"".join(parts)}</g>'


def _arrow(x1: int, x2: int, y: int, text: str) -> str:
    mid = (x1 + x2) // 2
    return (f'<g class="message"><line class="msg" x1="{x1}" y1="{y}" x2="{x2}" y2="{y}" '
            f'marker-end="url(#arrow)"/><text x="{mid}" y="{y - 4}" text-anchor="middle">{text}</text></g>')


def _activation_bars(model: GoModel, rows: Sequence[Event], x_of: dict[int, int], body_end: int) -> list[str]:
    """One bar per span, on its goroutine's lifeline from its begin to its end (or the bottom)."""
    out: list[str] = []
    open_at: dict[int, tuple[int, int]] = {}  # span -> (row, nesting depth on its lifeline)
    depth: dict[int, int] = {}
    bars: list[tuple[int, int, int, int, bool]] = []  # (gid, depth, y1, y2, error)
    for i, e in enumerate(rows):
        if e.channel not in ("span_begin", "span_end"):
            continue
        s = int(e.fields[0])  # type: ignore[call-overload]
        gid = goroutine_of_span(model, s)
        if e.channel == "span_begin":
            open_at[s] = (i, depth.get(gid, 0))
            depth[gid] = depth.get(gid, 0) + 1
        elif s in open_at:
            row, d = open_at.pop(s)
            depth[gid] = max(depth.get(gid, 1) - 1, 0)
            bars.append((gid, d, row, i, _name(e.fields[1]) == "error"))
    for s, (row, d) in sorted(open_at.items()):
        bars.append((goroutine_of_span(model, s), d, row, -1, False))
    for gid, d, row, end, error in sorted(bars, key=lambda b: (b[0], b[1], b[2])):
        if gid not in x_of:
            continue
        x = x_of[gid] - _BAR // 2 + d * 4
        y1 = _TOP + _ROW * (row + 1)
        y2 = _TOP + _ROW * (end + 1) if end >= 0 else body_end
        klass = "bar error" if error else "bar"
        out.append(f'<rect class="{klass}" x="{x}" y="{y1}" width="{_BAR}" height="{max(y2 - y1, 2)}"/>')
    return out


__all__ = ["go_event_text", "goroutine_to_dot", "sequence_svg"]
