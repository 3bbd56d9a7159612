r"""Reading inputs and writing outputs the same careful way everywhere.

Inputs are read only from regular files (or ``-``, standard input): a device such as
``/dev/zero``, a FIFO or a directory is refused before a byte is read, and a whole read is
preceded by a size check, so no input can make cspotlp read without end or fill the memory.
Problems are raised as :class:`OSError` (``errno`` ``EINVAL`` for a file that is not regular,
``EFBIG`` for one past the limit), so that every caller reports them where it already reports a
missing file, in its own words and with its own location.

Outputs are written as one set (:func:`write_outputs`): every file goes to a temporary file beside
its target and is renamed into place only when all of the run's files are complete. A crash, a
full disk or Ctrl-C midway leaves the previous files untouched.

Text is written as UTF-8; a lone surrogate (which UTF-8 cannot hold, but a JSON ``"\\ud800"`` in
a span name can carry) is written as the escape ``\\ud800`` — the same escape in every writer
(:data:`TEXT_ERRORS`), and inside a JSON string it reads back as the same character.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import IO, BinaryIO

TEXT_ERRORS = "backslashreplace"
"""How every writer encodes what UTF-8 cannot hold (lone surrogates): as ``\\udXXX``."""

MAX_DOCUMENT_BYTES = 2 << 30
"""Largest input read whole (a JSON document, a protobuf message): 2 GiB."""

MAX_TEXT_BYTES = 64 << 20
"""Largest hand-written input (a CSPm script, an abstraction file, a trace text): 64 MiB."""

STDIN = "-"


def describe_kind(mode: int) -> str:
    """What a non-regular file is, in words (for messages)."""
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISFIFO(mode):
        return "a pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def not_regular(name: str, mode: int) -> OSError:
    """The error for an input that is not a regular file."""
    return OSError(errno.EINVAL, f"{describe_kind(mode)}, not a regular file "
                   "(inputs are read from regular files or '-' for standard input)", name)


def open_input(path: str | os.PathLike[str]) -> BinaryIO:
    """Open a regular file (or ``-``: standard input) for reading bytes.

    Raises:
        OSError: the file cannot be opened, or is not a regular file (a device, a FIFO, a
            directory): nothing is read from such a file.
    """
    name = os.fspath(path)
    if name == STDIN:
        return sys.stdin.buffer
    # O_NONBLOCK: opening a FIFO must not wait for a writer before the check below refuses it
    fd = os.open(name, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise not_regular(name, mode)
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_limited(stream: IO[bytes], name: str, limit: int) -> bytes:
    """The rest of ``stream``, refusing (with :class:`OSError` ``EFBIG``) more than ``limit`` bytes.

    A regular file's size is checked before reading; a pipe is read up to ``limit`` + 1 bytes.
    """
    try:
        size: int | None = os.fstat(stream.fileno()).st_size - stream.tell()
    except (OSError, ValueError, AttributeError):  # not a file descriptor (BytesIO, a pipe)
        size = None
    if size is not None and size > limit:
        raise too_large(name, size, limit)
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise too_large(name, None, limit)
    return data


def too_large(name: str, size: int | None, limit: int) -> OSError:
    """The error for an input past the whole-read limit."""
    what = f"{size:,} bytes" if size is not None else "more"
    return OSError(errno.EFBIG, f"{what}, more than the {limit:,} bytes cspotlp reads whole",
                   name)


def read_bytes(path: str | os.PathLike[str], limit: int = MAX_DOCUMENT_BYTES) -> bytes:
    """The bytes of a regular file (or ``-``), at most ``limit`` of them (else :class:`OSError`)."""
    name = os.fspath(path)
    stream = open_input(name)
    try:
        return read_limited(stream, name, limit)
    finally:
        if stream is not sys.stdin.buffer:
            stream.close()


def read_text(path: str | os.PathLike[str], limit: int = MAX_TEXT_BYTES) -> str:
    r"""The UTF-8 text of a regular file (or ``-``), with ``\\r\\n`` read as ``\\n``.

    Raises:
        OSError: as :func:`read_bytes`.
        UnicodeDecodeError: the file is not UTF-8.
    """
    data = read_bytes(path, limit)
    return data.decode("utf-8").replace("\r\n", "\n")


MAX_NESTING = 64
"""Deepest nesting of brackets read in a hand-written JSON or TOML file (an abstraction, a
sidecar): far beyond any real one, and far below where the standard library's recursive
parsers fail."""


def nesting_depth(text: str, *, toml: bool = False) -> int:
    """How deeply ``[`` and ``{`` nest in JSON (or TOML) text, found in one pass, no recursion.

    Brackets inside strings (and, for TOML, comments) do not count. The text need not be valid:
    this is a check made before a recursive parser sees it.

    >>> nesting_depth('{"a": [1, {"b": "[[["}]}'), nesting_depth("a = [[1]] # [[[[", toml=True)
    (3, 2)
    """
    depth = deepest = 0
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth = max(depth - 1, 0)
        elif ch == '"' or (toml and ch == "'"):
            i = _string_end(text, i, toml)
            continue
        elif toml and ch == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end
            continue
        i += 1
    return deepest


def _string_end(text: str, start: int, toml: bool) -> int:
    """The index after the string (JSON, or any TOML string kind) opening at ``start``."""
    quote = text[start]
    if toml and text.startswith(quote * 3, start):
        end = text.find(quote * 3, start + 3)
        if quote == '"':
            while end > 0 and _escaped(text, end):
                end = text.find(quote * 3, end + 1)
        return len(text) if end < 0 else end + 3
    i = start + 1
    while i < len(text):
        ch = text[i]
        if ch == "\\" and quote == '"':
            i += 2
            continue
        if ch == quote or ch == "\n":
            return i + 1
        i += 1
    return len(text)


def _escaped(text: str, at: int) -> bool:
    """Whether the character at ``at`` follows an odd number of backslashes."""
    count = 0
    while at - 1 - count >= 0 and text[at - 1 - count] == "\\":
        count += 1
    return count % 2 == 1


def encode_text(text: str) -> bytes:
    """``text`` as UTF-8, lone surrogates escaped (see :data:`TEXT_ERRORS`)."""
    return text.encode("utf-8", TEXT_ERRORS)


def write_outputs(outputs: Mapping[str | os.PathLike[str], str | bytes]) -> list[Path]:
    r"""Write every output of a run, all or nothing.

    Each file is written in full to a temporary file in its target's directory (created if
    absent) and flushed to disk; only when every one is complete are they renamed over their
    targets, in the given order. If anything fails before that — an exception, a full disk,
    Ctrl-C — the temporary files are removed and every target keeps its previous content.

    Text is encoded as UTF-8 with lone surrogates escaped (see :data:`TEXT_ERRORS`) and written
    with ``\\n`` line endings.

    Returns:
        The target paths, in the given order.

    Raises:
        OSError: a directory cannot be created or a file cannot be written (the message names
            the target).
    """
    staged: list[tuple[str | bytes, Path]] = []  # a temporary file's name, or the bytes of a device
    try:
        for target, content in outputs.items():
            path = Path(target)
            data = content if isinstance(content, bytes) else encode_text(content)
            staged.append((data if written_in_place(path) else _stage(path, data), path))
        for temp, path in staged:
            if isinstance(temp, bytes):
                _write_in_place(path, temp)
            else:
                os.replace(temp, path)
    except BaseException:
        for temp, _path in staged:
            if isinstance(temp, str):
                with contextlib.suppress(FileNotFoundError):  # already renamed into place
                    os.unlink(temp)
        raise
    return [path for _temp, path in staged]


def written_in_place(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` is written directly rather than replaced (a device, a pipe, a link).

    That is when it exists and is not a regular file (``/dev/null``, a FIFO) or is a symbolic
    link (``/dev/stdout``, a user's link to the real file). Renaming a temporary file over it
    would put a regular file in its place: as root, ``--out /dev/null`` would replace the
    machine's /dev/null, and a link would stop being one.
    """
    try:
        mode = os.lstat(path).st_mode
    except OSError:
        return False
    return stat.S_ISLNK(mode) or not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


def _write_in_place(path: Path, data: bytes) -> None:
    try:
        with open(path, "wb") as f:
            f.write(data)
    except OSError as e:
        raise OSError(e.errno, e.strerror or str(e), str(path)) from e


def _stage(path: Path, data: bytes) -> str:
    """Write ``data`` to a new temporary file beside ``path``; its name."""
    parent = path.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=parent)
    except OSError as e:
        raise OSError(e.errno, e.strerror or str(e), str(path)) from e
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(temp, _mode_for(path))
    except BaseException as e:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        if isinstance(e, OSError):
            raise OSError(e.errno, e.strerror or str(e), str(path)) from e
        raise
    return temp


def _mode_for(path: Path) -> int:
    """The permissions the output gets: the previous file's, or what ``open`` would give."""
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


__all__ = ["MAX_DOCUMENT_BYTES", "MAX_NESTING", "MAX_TEXT_BYTES", "STDIN", "TEXT_ERRORS",
           "encode_text", "nesting_depth", "open_input", "read_bytes", "read_limited", "read_text",
           "write_outputs"]
