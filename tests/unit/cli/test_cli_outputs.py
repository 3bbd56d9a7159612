"""What the commands write: any Unicode a span name can carry, and all-or-nothing files."""

import errno
import json
import os
import stat

import pytest

from cspotlp import files
from cspotlp.cli import main
from cspotlp.conformance.verdicts import VerdictWriter
from cspotlp.files import write_outputs
from cspotlp.otlp import load
from tests.project_data import CAPTURE_JSONL, CHECKOUT_ABSTRACTION, CHECKOUT_SPEC

ODD = "\udfff.\ud800\u2028\x85"  # two lone surrogates (UTF-8 cannot hold them), line separators


@pytest.fixture(scope="module")
def odd_capture(tmp_path_factory):
    """The project capture with every span name and service name carrying :data:`ODD`."""
    lines = []
    for line in CAPTURE_JSONL.read_text().splitlines():
        doc = json.loads(line)
        for rs in doc["resourceSpans"]:
            for kv in rs["resource"]["attributes"]:
                if kv["key"] == "service.name":
                    kv["value"]["stringValue"] += ODD
            for ss in rs["scopeSpans"]:
                for span in ss["spans"]:
                    span["name"] += ODD
        lines.append(json.dumps(doc))  # ensure_ascii: the surrogates as \ud800 escapes
    path = tmp_path_factory.mktemp("odd") / "odd.jsonl"
    path.write_text("\n".join(lines) + "\n")
    return path


def run(argv, capfd):
    status = main(argv)
    out, err = capfd.readouterr()
    assert "Traceback" not in err and "UnicodeEncodeError" not in err
    return status, out, err


def test_every_writer_escapes_lone_surrogates_the_same_way(odd_capture, tmp_path, capfd):
    spec = ["--spec", str(CHECKOUT_SPEC)]
    for argv, status in [
        (["psi", str(odd_capture)], 0),
        (["abstract", str(odd_capture)], 0),
        (["abstract", "--json", str(odd_capture)], 0),
        (["conform", *spec, str(odd_capture)], 1),
        (["conform", "--json", *spec, str(odd_capture)], 1),
        (["inspect", "--json", str(odd_capture)], 0),
        (["otlp2cspm", str(odd_capture), "-o", "-"], 0),
    ]:
        got, out, _err = run(argv, capfd)
        assert got == status, argv
        assert "\\ud800" in out, argv  # the escape, where the character was
        if "--json" in argv:  # still JSON, and the escapes read back as the same text
            docs = [json.loads(line) for line in out.split("\n") if line]
            assert ODD in json.dumps(docs, ensure_ascii=False)


def test_psi_then_phi_keeps_every_name(odd_capture, tmp_path, capfd):
    status, text, _ = run(["psi", str(odd_capture)], capfd)
    assert status == 0 and all(len(line) < 400 for line in text.split("\n"))
    trace_file = tmp_path / "t.txt"
    trace_file.write_text(text, encoding="utf-8", errors="surrogateescape")
    status, otlp, _ = run(["phi", str(trace_file)], capfd)
    assert status == 0
    back = load(otlp.encode("utf-8", "backslashreplace"))
    assert sorted(s.name for s in back.spans()) == sorted(s.name for s in load(odd_capture).spans())


def test_otlp2cspm_files_hold_the_escaped_names(odd_capture, tmp_path, capfd):
    out = tmp_path / "new" / "dir" / "odd.csp"  # -o creates the directory
    status, _, _ = run(["otlp2cspm", str(odd_capture), "-o", str(out)], capfd)
    assert status == 0
    sidecar = json.loads((tmp_path / "new" / "dir" / "odd.csp.json").read_text())
    names = {row[2] for t in sidecar["traces"] for row in t["events"]}
    assert all(name.endswith(ODD) for name in names)  # JSON escapes read back as the text
    out.read_text(encoding="utf-8")  # valid UTF-8


# -- all or nothing -------------------------------------------------------------------------


def previous_files(tmp_path):
    old = {tmp_path / "out.csp": "-- the previous good script\n",
           tmp_path / "out.csp.json": '{"format": "previous"}\n'}
    for path, text in old.items():
        path.write_text(text)
    return old


def assert_untouched(tmp_path, old):
    for path, text in old.items():
        assert path.read_text() == text
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in old)  # no temps


@pytest.mark.parametrize("failure", [
    OSError(errno.ENOSPC, "No space left on device"),
    KeyboardInterrupt(),
])
def test_a_failure_while_writing_the_second_file_leaves_both_previous_files(
        tmp_path, monkeypatch, capfd, failure):
    old = previous_files(tmp_path)
    real_fsync, calls = os.fsync, []

    def fsync(fd):
        calls.append(fd)
        if len(calls) == 2:  # the script is complete; the sidecar is not
            raise failure
        real_fsync(fd)

    monkeypatch.setattr(files.os, "fsync", fsync)
    argv = ["otlp2cspm", str(CAPTURE_JSONL), "-o", str(tmp_path / "out.csp"), "--spec",
            str(CHECKOUT_SPEC), "--abstraction", str(CHECKOUT_ABSTRACTION),
            "--allow-include", str(CHECKOUT_SPEC.parent)]
    status = main(argv)
    err = capfd.readouterr().err
    if isinstance(failure, KeyboardInterrupt):
        assert status == 130
    else:
        assert status == 2 and "No space left on device" in err and "nothing written" in err
    assert_untouched(tmp_path, old)


def test_a_crash_before_the_renames_leaves_every_target(tmp_path, monkeypatch):
    old = previous_files(tmp_path)
    real_replace = os.replace

    def replace(src, dst):
        if str(dst).endswith(".json"):
            raise OSError(errno.EIO, "Input/output error")
        real_replace(src, dst)

    monkeypatch.setattr(files.os, "replace", replace)
    with pytest.raises(OSError):
        write_outputs({tmp_path / "out.csp.json": "{}\n", tmp_path / "out.csp": "new\n"})
    assert_untouched(tmp_path, old)


def test_otlp2tla_writes_all_of_its_modules_or_none(tmp_path, monkeypatch, capfd):
    out = tmp_path / "tla"
    argv = ["otlp2tla", str(CAPTURE_JSONL), "--model", str(CHECKOUT_SPEC), "--abstraction",
            str(CHECKOUT_ABSTRACTION), "-o", str(out)]
    assert main(argv) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    assert len(before) == 2 + 2 * 4  # SPEC.tla/.cfg and a module + config per trace
    real_fsync, calls = os.fsync, []

    def fsync(fd):
        calls.append(fd)
        if len(calls) == len(before) - 1:
            raise OSError(errno.ENOSPC, "No space left on device")
        real_fsync(fd)

    monkeypatch.setattr(files.os, "fsync", fsync)
    (tmp_path / "changed.csp").write_text(CHECKOUT_SPEC.read_text().replace("MaxItems = 3",
                                                                           "MaxItems = 2"))
    argv[argv.index(str(CHECKOUT_SPEC))] = str(tmp_path / "changed.csp")
    assert main(argv) == 2
    assert "No space left on device" in capfd.readouterr().err
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_new_files_get_the_usual_permissions_and_replaced_ones_keep_theirs(tmp_path):
    umask = os.umask(0o022)
    try:
        (new,) = write_outputs({tmp_path / "new.txt": "x\n"})
        assert new.stat().st_mode & 0o777 == 0o644
        os.chmod(new, 0o600)
        write_outputs({new: "y\n"})
        assert new.stat().st_mode & 0o777 == 0o600 and new.read_text() == "y\n"
    finally:
        os.umask(umask)


def read_fifo(path):
    """A named pipe at ``path`` and a thread reading everything written to it (joined by ``.join``)."""
    import threading

    os.mkfifo(path)
    got = []

    def drain():
        with open(path, "rb") as f:
            got.append(f.read())

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()

    def join():
        reader.join(30)
        assert not reader.is_alive(), f"nothing closed {path}"
        return got[0]

    return join


@pytest.mark.parametrize("how", ["write_outputs", "conform --out", "render -o"])
def test_a_device_or_pipe_given_as_the_output_is_written_not_replaced(tmp_path, how, capfd):
    # renaming a temporary file over /dev/null (as root) would replace the device with a file;
    # a named pipe is the same kind of target and safe to test with
    target = tmp_path / "out.svg"
    join = read_fifo(target)
    if how == "write_outputs":
        write_outputs({target: "hello\n"})
        expected = b"hello\n"
    elif how == "conform --out":
        status, _out, _err = run(["conform", "--spec", str(CHECKOUT_SPEC), "--abstraction",
                                  str(CHECKOUT_ABSTRACTION), str(CAPTURE_JSONL), "--out", str(target)], capfd)
        assert status in (0, 1)
        expected = b'"trace_id"'
    else:
        status, _out, _err = run(["render", "spans", str(CAPTURE_JSONL), "--timeline", "-o", str(target)], capfd)
        assert status == 0
        expected = b"<svg"
    data = join()
    assert expected in data
    assert stat.S_ISFIFO(os.stat(target).st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.svg"]  # no temporary file left


def test_a_symbolic_link_given_as_the_output_stays_a_link(tmp_path):
    real = tmp_path / "real.txt"
    real.write_text("old\n")
    link = tmp_path / "link.txt"
    link.symlink_to(real)
    write_outputs({link: "new\n"})
    assert link.is_symlink() and real.read_text() == "new\n"
    real.write_text("a much longer previous content\n" * 100)
    with VerdictWriter(str(link)) as out:
        out.write({"json": '{"trace_id": "t"}'})
    assert link.is_symlink() and real.read_text() == '{"trace_id": "t"}\n'
