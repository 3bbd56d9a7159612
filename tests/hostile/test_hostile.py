"""Every command on every class of hostile input: exit 2 with a message, or a correct answer —
never a traceback, never a hang, never a blown memory budget.

Each group of cases runs in one subprocess (``driver.py``) under ``setrlimit`` limits on memory,
CPU time and (for the full-disk group) file size, with a wall-clock timeout; a case that hangs
or blows the budget fails its group, naming the case. The classes are those a probe of about
1,300 tries over every command found (issue 12, "Hostile input"): lone surrogates, impossible
dates, NUL bytes in include paths, malformed sidecars, deep nesting, non-finite numbers, devices
and pipes as input, include chains, catastrophic regexes, empty and zero-byte input, spliced
expressions, includes outside the tree and the file contents they could leak, and writes that
fail midway.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.paths import REPO
from tests.project_data import CAPTURE_JSONL, CAPTURE_PB, CHECKOUT_ABSTRACTION, CHECKOUT_SPEC

DRIVER = Path(__file__).with_name("driver.py")
MEMORY = 3 << 30  # address space: z3 and numpy map a lot; a runaway read or set goes far past
CPU_SECONDS = 60
WALL_SECONDS = 120
SECRET = "hostile-probe-secret-7f3a9"

SPEC = str(CHECKOUT_SPEC)
ABS = str(CHECKOUT_ABSTRACTION)
TRACE_READERS: list[Callable[[str], list[str]]] = [
    lambda f: ["inspect", f],
    lambda f: ["psi", f],
    lambda f: ["abstract", f],
    lambda f: ["conform", "--spec", SPEC, f],
    lambda f: ["otlp2cspm", f, "-o", "-"],
]


@dataclass
class Case:
    """One command line and what it must do."""

    id: str
    argv: list[str]
    status: tuple[int, ...] = (2,)
    needs: tuple[str, ...] = ()  # text the output (stdout + stderr) must hold
    never: tuple[str, ...] = ()  # text it must not hold
    cwd: str = ""
    after: Callable[[], None] | None = field(default=None, repr=False)


def write(path: Path, data: str | bytes) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data, encoding="utf-8", errors="surrogatepass")
    return str(path)


def capture_lines() -> list[dict]:
    return [json.loads(line) for line in CAPTURE_JSONL.read_text().splitlines()]


def with_names(suffix: str) -> str:
    """The project capture (JSON Lines) with ``suffix`` on every span and service name."""
    out = []
    for doc in capture_lines():
        for rs in doc["resourceSpans"]:
            for kv in rs["resource"]["attributes"]:
                if kv["key"] == "service.name":
                    kv["value"]["stringValue"] += suffix
            for ss in rs["scopeSpans"]:
                for span in ss["spans"]:
                    span["name"] += suffix
        out.append(json.dumps(doc))
    return "\n".join(out) + "\n"


# -- the classes ---------------------------------------------------------------------------


def surrogate_cases(d: Path) -> list[Case]:
    odd = write(d / "surrogates.jsonl", with_names("\udfff.\ud800\u2028"))
    out = d / "sur-out"
    # escaped in JSON (\ud800) or, in CSPm names, as otlp2cspm escapes labels (_ud800_)
    cases = [Case(f"surrogates-{argv[0]}-{k}", argv, (0, 1), needs=("\\ud800", "_ud800_"))
             for k, argv in enumerate([f(odd) for f in TRACE_READERS]
                                      + [["conform", "--json", "--spec", SPEC, odd],
                                         ["abstract", "--json", odd]])]
    cases.append(Case("surrogates-otlp2cspm-file", ["otlp2cspm", odd, "-o", str(out / "o.csp")],
                      (0,)))
    cases.append(Case("surrogates-otlp2tla", ["otlp2tla", odd, "--model", SPEC, "-o",
                                              str(out / "tla")], (0,)))
    psi_text = write(d / "surrogates.psi", 'begin.s_01.root."a\\udfff\\u2028"\nend.s_01.ok\n')
    cases.append(Case("surrogates-phi", ["phi", psi_text], (0,), needs=("\\udfff",)))
    sidecar = write(d / "sur.json", json.dumps({
        "format": "cspotlp-cspm-map/1", "traces": [{"trace_id": "t\ud800", "file": "",
                                                   "events": [["call.A", "01", "n\udfff", "s"]]}]}))
    cases.append(Case("surrogates-locate", ["locate", sidecar, "<call.A>"], (0,),
                      needs=("\\udfff",)))
    return cases


def calendar_cases(d: Path) -> list[Case]:
    def jaeger_model(start: str) -> str:
        return json.dumps({"spans": [{"traceId": "AAAAAAAAAAAAAAAAAAAAAQ==", "spanId": "AAAAAAAAAAI=",
                                      "operationName": "x", "startTime": start,
                                      "duration": "1s"}]})

    def jaeger_ui(start: int, duration: int = 1) -> str:
        return json.dumps({"data": [{"traceID": "01", "processes": {}, "spans": [
            {"traceID": "01", "spanID": "02", "operationName": "x", "startTime": start,
             "duration": duration}]}]})

    def zipkin(ts: int, duration: int = 1) -> str:
        return json.dumps([{"traceId": "01", "id": "02", "name": "x", "timestamp": ts,
                            "duration": duration}])

    files = {
        "month13": jaeger_model("2020-13-01T00:00:00Z"),
        "year0": jaeger_model("0000-01-01T00:00:00Z"),
        "year1900": jaeger_model("1900-01-01T00:00:00Z"),
        "year9999": jaeger_model("9999-12-31T00:00:00Z"),
        "feb30": jaeger_model("2020-02-30T99:99:99Z"),
        "ui-1e30": jaeger_ui(10**30),
        "ui-duration": jaeger_ui(10**15, 10**30),
        "zipkin-1e30": zipkin(10**30),
        "zipkin-duration": zipkin(10**15, 2**64),
    }
    cases = []
    for name, text in files.items():
        path = write(d / f"{name}.json", text)
        cases += [Case(f"calendar-{name}-{argv[0]}", argv, needs=("1970", "2554", "exist",
                                                                  "time of day"))
                  for argv in (f(path) for f in TRACE_READERS)]
    return cases


def include_cases(d: Path) -> list[Case]:
    nul = write(d / "inc" / "nul.csp", 'include "a\\0b.csp"\nP = STOP\n')
    zero = write(d / "inc" / "zero.csp", 'include "dev.csp"\nP = STOP\n')
    os.symlink("/dev/zero", d / "inc" / "dev.csp")
    urandom = write(d / "inc" / "urandom.csp", 'include "/dev/urandom"\nP = STOP\n')
    up = write(d / "inc" / "sub" / "up.csp", 'include "../../outside.csp"\nP = STOP\n')
    write(d / "outside.csp", f"{SECRET} = 1\n")
    environ = write(d / "inc" / "environ.csp", 'include "/proc/self/environ"\nP = STOP\n')
    shadow = write(d / "inc" / "shadow.csp", 'include "../../../../../../etc/shadow"\nP = STOP\n')
    # a diamond chain: 2^30 include paths over 91 files, each file read once
    for k in range(30):
        write(d / "inc" / f"d{k}.csp", f'include "a{k}.csp"\ninclude "b{k}.csp"\n')
        for side in "ab":
            write(d / "inc" / f"{side}{k}.csp", f'include "d{k + 1}.csp"\n')
    write(d / "inc" / "d30.csp", "channel c\nP = c -> P\nassert P :[deadlock free]\n")
    cycle = write(d / "inc" / "cycle.csp", 'include "cycle.csp"\n')
    cases = [Case("include-dev-zero-allowed", ["check", zero, "--allow-include", "/dev"],
                  needs=("not a regular file",))]
    for name, script, status, needs in [
        ("nul", nul, (2,), ("control characters",)),
        ("dev-zero", zero, (2,), ("leaves the script's directory tree",)),
        ("dev-urandom", urandom, (2,), ("does not name a CSPm script", "leaves")),
        ("outside-tree", up, (2,), ("leaves the script's directory tree",)),
        ("proc-environ", environ, (2,), ("does not name a CSPm script",)),
        ("etc-shadow", shadow, (2,), ("does not name a CSPm script",)),
        ("diamond", str(d / "inc" / "d0.csp"), (0,), ("passed",)),
        ("cycle", cycle, (2,), ("include cycle",)),
    ]:
        process = "P"
        for argv in (["check", script], ["explore", script, process],
                     ["csp2tla", script, process, "-o", str(d / "inc-tla" / name)],
                     ["conform", "--spec", script, "--process", process, str(CAPTURE_PB)],
                     ["otlp2cspm", str(CAPTURE_PB), "-o", "-", "--spec", script, "--process",
                      process],
                     ["otlp2tla", str(CAPTURE_PB), "--model", script, "--process", process, "-o",
                      str(d / "inc-tla2" / name)]):
            ok = status
            if name == "diamond" and argv[0] in ("conform",):
                ok = (1,)  # the capture is not a run of P: a verdict, not an input error
            if name == "diamond" and argv[0] in ("explore", "csp2tla", "otlp2cspm", "otlp2tla"):
                ok = (0,)
            need = needs if ok == (2,) or argv[0] == "check" else ()
            cases.append(Case(f"include-{name}-{argv[0]}", argv, ok, needs=need,
                              never=(SECRET, "root:")))
    return cases


def sidecar_cases(d: Path) -> list[Case]:
    shapes = {"list": [], "number": 3, "null-events": {"format": "cspotlp-cspm-map/1",
                                                       "traces": [{"trace_id": "a",
                                                                   "events": None}]},
              "no-traces": {"format": "cspotlp-cspm-map/1"},
              "no-trace-id": {"format": "cspotlp-cspm-map/1", "traces": [{"events": []}]},
              "short-row": {"format": "cspotlp-cspm-map/1",
                            "traces": [{"trace_id": "a", "events": [["call.A"]]}]}}
    cases = [Case(f"sidecar-{name}", ["locate", write(d / f"side-{name}.json", json.dumps(doc)),
                                      "<call.A>"], needs=("not a sidecar",))
             for name, doc in shapes.items()]
    cases.append(Case("sidecar-deep", ["locate", write(d / "side-deep.json", "[" * 200_000),
                                       "<call.A>"], needs=("not a sidecar",)))
    return cases


def nesting_cases(d: Path) -> list[Case]:
    deep_json = write(d / "deep.json", '{"data": ' + "[" * 200_000 + "]" * 200_000 + "}")
    deep_toml = write(d / "deep.toml", "data = " + "[" * 200_000 + "]" * 200_000 + "\n")
    deep_trace = write(d / "deep-trace.json", '{"resourceSpans": ' + "[" * 200_000)
    cases = []
    for name, path in (("json", deep_json), ("toml", deep_toml)):
        for argv in (["abstract", str(CAPTURE_PB), "--abstraction", path],
                     ["conform", "--spec", SPEC, "--abstraction", path, str(CAPTURE_PB)],
                     ["otlp2cspm", str(CAPTURE_PB), "-o", "-", "--abstraction", path],
                     ["otlp2tla", str(CAPTURE_PB), "--model", SPEC, "--abstraction", path, "-o",
                      str(d / "deep-tla")]):
            cases.append(Case(f"nesting-{name}-{argv[0]}", argv, needs=("nested",)))
    cases += [Case(f"nesting-trace-{argv[0]}", argv, needs=("JSON",))
              for argv in (f(deep_trace) for f in TRACE_READERS)]
    return cases


def number_cases(d: Path) -> list[Case]:
    psi_text = write(d / "numbers.psi", 'begin.s_01.root."a"\nend.s_01.ok\n')
    return [
        Case("prove-timeout-nan", ["prove", "--timeout", "nan"], needs=("--timeout",)),
        Case("prove-timeout-inf", ["prove", "--timeout", "inf"], needs=("--timeout",)),
        Case("prove-bound-huge", ["prove", "--bound", str(10**9)], needs=("--bound",)),
        Case("phi-tick-0", ["phi", "--tick", "0", psi_text], needs=("--tick",)),
        Case("phi-epoch-negative", ["phi", "--epoch", "-1", psi_text], needs=("--epoch",)),
        Case("phi-epoch-2^64", ["phi", "--epoch", str(2**64), psi_text], needs=("--epoch",)),
        Case("phi-tick-overflow", ["phi", "--tick", str(2**63), psi_text], needs=("64-bit",)),
        Case("explore-state-limit", ["explore", SPEC, "SPEC", "--state-limit", "-1"],
             needs=("--state-limit",)),
        Case("explore-n-huge", ["explore", "--builtin", "dining_philosophers", "--n", "10000"],
             needs=("--n",)),
    ]


def device_cases(d: Path) -> list[Case]:
    fifo = d / "fifo"
    os.mkfifo(fifo)
    cases = []
    for dev in ("/dev/zero", "/dev/urandom", str(fifo), str(d)):
        name = Path(dev).name
        for argv in [*(f(dev) for f in TRACE_READERS),
                     ["otlp2tla", dev, "--model", SPEC, "-o", str(d / "dev-tla")],
                     ["check", dev], ["explore", dev, "P"],
                     ["csp2tla", dev, "P", "-o", str(d / "dev-tla")],
                     ["conform", "--spec", dev, str(CAPTURE_PB)],
                     ["abstract", str(CAPTURE_PB), "--abstraction", dev],
                     ["locate", dev, "<a>"], ["phi", dev],
                     ["render", "spans", dev, "-o", str(d / "dev.svg")],
                     ["report", dev, "--spec", SPEC, "-o", str(d / "dev.html")],
                     ["serve", "--spec", SPEC, "--auth-token-file", dev, "--no-grpc"],
                     ["inspect", str(CAPTURE_PB), "--ottl", dev]]:
            cases.append(Case(f"device-{name}-{'-'.join(argv[:3])}", argv,
                              needs=("not a regular file", "a directory")))
    cases.append(Case("device-null-phi", ["phi", "/dev/null"], needs=("not a regular file",)))
    empty = write(d / "empty.txt", "")
    cases.append(Case("empty-phi", ["phi", empty], needs=("no events",)))
    return cases


def regex_cases(d: Path) -> list[Case]:
    slow = write(d / "slow.json", json.dumps({"rename": [{"name": "(x+x+)+y", "label": "Y"},
                                                        {"name": "(a|a)*b", "label": "B"}]}))
    docs = capture_lines()
    docs[0]["resourceSpans"][0]["scopeSpans"][0]["spans"][0]["name"] = "x" * 50_000
    docs[1]["resourceSpans"][0]["scopeSpans"][0]["spans"][0]["name"] = "a" * 50_000
    names = write(d / "hostile-names.jsonl", "".join(json.dumps(doc) + "\n" for doc in docs))
    return [Case(f"regex-{argv[0]}", argv, (0, 1))
            for argv in (["abstract", names, "--abstraction", slow],
                         ["conform", "--spec", SPEC, "--abstraction", slow, names],
                         ["otlp2cspm", names, "-o", "-", "--abstraction", slow])]


def json_cases(d: Path) -> list[Case]:
    line = CAPTURE_JSONL.read_text().splitlines()[0]
    files = {
        "nan": line.replace('"kind": 2', '"kind": NaN', 1),
        "infinity": line.replace('"kind": 2', '"kind": Infinity', 1),
        "dup-key": line.replace('"spanId": ', '"spanId": "0000000000000001", "spanId": ', 1),
        "zeros": b"\x00" * 65536,
        "empty-object": "{}",
        "empty": "",
        "cspm": (REPO / "examples" / "cspm" / "vending_machine.csp").read_text(),
    }
    cases = []
    for name, data in files.items():
        path = write(d / f"{name}.json", data)
        status = (0, 1) if name == "empty-object" else (2,)
        for argv in (f(path) for f in TRACE_READERS):
            cases.append(Case(f"json-{name}-{argv[0]}", argv,
                              (0, 1, 2) if name == "empty-object" else status,
                              needs=("no traces",) if name == "empty-object" and argv[0] ==
                              "inspect" else ()))
    return cases


def splice_cases(d: Path) -> list[Case]:
    return [Case(f"splice-{cmd}", [cmd, SPEC, "SPEC\nSPEC2 = STOP", *extra],
                 needs=("<expression>:1:5",))
            for cmd, extra in (("explore", []), ("csp2tla", ["-o", str(d / "splice-tla")]))]


GROUPS: dict[str, Callable[[Path], list[Case]]] = {
    "surrogates": surrogate_cases, "calendar": calendar_cases, "includes": include_cases,
    "sidecars": sidecar_cases, "nesting": nesting_cases, "numbers": number_cases,
    "devices": device_cases, "regex": regex_cases, "json": json_cases, "splice": splice_cases,
}


def run_group(cases: list[Case], tmp: Path, file_size: int | None = None) -> dict[str, dict]:
    spec = tmp / "cases.json"
    spec.write_text(json.dumps([{"id": c.id, "argv": c.argv, "cwd": c.cwd} for c in cases]))

    def limits() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))
        resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS))
        if file_size is not None:
            import signal

            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit: EFBIG
            resource.setrlimit(resource.RLIMIT_FSIZE, (file_size, file_size))

    env = {**os.environ, "PYTHONPATH": str(REPO), SECRET.upper().replace("-", "_"): SECRET}
    try:
        run = subprocess.run([sys.executable, str(DRIVER), str(spec)], capture_output=True,
                             text=True, timeout=WALL_SECONDS, env=env, preexec_fn=limits,
                             cwd=tmp, check=False)
    except subprocess.TimeoutExpired as e:
        last = (e.stderr or b"").decode(errors="replace").strip().splitlines()[-1:]
        pytest.fail(f"hung past {WALL_SECONDS} s in {last}")
    assert run.returncode == 0, f"the driver died ({run.returncode}) in " \
        f"{run.stderr.strip().splitlines()[-1:]}"
    return {r["id"]: r for r in json.loads(run.stdout)}


@pytest.mark.slow
@pytest.mark.parametrize("group", sorted(GROUPS))
def test_hostile_class(group, tmp_path):
    cases = GROUPS[group](tmp_path)
    results = run_group(cases, tmp_path)
    problems = []
    for case in cases:
        r = results[case.id]
        shown = r["stdout"] + r["stderr"]
        if r["escaped"] or "Traceback" in shown:
            problems.append(f"{case.id}: traceback\n{r['escaped'] or shown[-1500:]}")
        elif r["status"] not in case.status:
            problems.append(f"{case.id}: exit {r['status']}, expected {case.status}\n"
                            f"{shown[-800:]}")
        elif r["status"] == 2 and not r["stderr"].strip():
            problems.append(f"{case.id}: exit 2 without a message")
        elif case.needs and not any(n in shown for n in case.needs):
            problems.append(f"{case.id}: none of {case.needs} in\n{shown[-800:]}")
        elif any(n in shown for n in case.never):
            problems.append(f"{case.id}: leaked {case.never}")
    assert not problems, "\n\n".join(problems)


@pytest.mark.slow
def test_a_full_disk_midway_leaves_the_previous_outputs(tmp_path):
    """RLIMIT_FSIZE makes every write past 4 KiB fail (EFBIG), as a full disk does."""
    out = tmp_path / "out"
    big = write(tmp_path / "big.jsonl", "".join(CAPTURE_JSONL.read_text() for _ in range(1)))
    old = {out / "obs.csp": "-- previous script\n", out / "obs.csp.json": '{"previous": 1}\n',
           out / "tla" / "SPEC.tla": "---- MODULE SPEC ----\n====\n"}
    for path, text in old.items():
        write(path, text)
    cases = [
        Case("fsize-otlp2cspm", ["otlp2cspm", big, "-o", str(out / "obs.csp"), "--spec", SPEC,
                                 "--abstraction", ABS, "--per-trace", "--allow-include",
                                 str(CHECKOUT_SPEC.parent)], needs=("nothing written",)),
        Case("fsize-otlp2tla", ["otlp2tla", big, "--model", SPEC, "--abstraction", ABS, "-o",
                                str(out / "tla")], needs=("cannot write",)),
        Case("fsize-csp2tla", ["csp2tla", SPEC, "SPEC", "-o", str(out / "tla")],
             needs=("cannot write",)),
    ]
    results = run_group(cases, tmp_path, file_size=4 << 10)
    for case in cases:
        r = results[case.id]
        assert not r["escaped"] and r["status"] == 2, r
        assert any(n in r["stderr"] for n in case.needs), r["stderr"]
    for path, text in old.items():
        assert path.read_text() == text
    leftovers = [p.name for p in out.rglob("*.tmp")]
    assert leftovers == []
