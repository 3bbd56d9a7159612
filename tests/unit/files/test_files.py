"""cspotlp.files: what may be read, how much, and nesting measured without recursion."""

import errno
import io
import os

import pytest

from cspotlp.files import nesting_depth, read_bytes, read_limited, write_outputs


def test_a_whole_read_is_refused_past_its_limit_before_reading(tmp_path):
    path = tmp_path / "big.json"
    path.write_bytes(b"x" * 1000)
    assert read_bytes(path, 1000) == b"x" * 1000
    with pytest.raises(OSError) as info:
        read_bytes(path, 999)
    assert info.value.errno == errno.EFBIG and "1,000 bytes, more than the 999" in str(info.value)


def test_a_stream_of_unknown_size_is_read_up_to_the_limit_only():
    class Endless(io.RawIOBase):
        def readable(self):
            return True

        def readinto(self, b):
            b[:] = b"\0" * len(b)
            return len(b)

    with pytest.raises(OSError, match="more, more than the 4,096 bytes"):
        read_limited(io.BufferedReader(Endless()), "<endless>", 4096)


@pytest.mark.parametrize("target", ["/dev/zero", "/dev/urandom", "/dev/null"])
def test_devices_are_refused_unread(target):
    with pytest.raises(OSError) as info:
        read_bytes(target)
    assert info.value.errno == errno.EINVAL and "a device" in str(info.value)


def test_nesting_is_measured_outside_strings_and_comments():
    assert nesting_depth('{"a": "[[[{{{", "b": [[1]]}') == 3
    assert nesting_depth('{"a": "\\"[[[["}') == 1
    assert nesting_depth("a = '[[[[' # [[[[\nb = [[2]]\nc = '''[[[[\n[[['''", toml=True) == 2
    assert nesting_depth("[" * 1_000_000) == 1_000_000  # no recursion, whatever the depth


def test_outputs_replace_their_targets_only_when_all_are_written(tmp_path):
    first, second = tmp_path / "a.txt", tmp_path / "sub" / "b.txt"
    write_outputs({first: "1\n", second: "2\n"})
    assert (first.read_text(), second.read_text()) == ("1\n", "2\n")
    with pytest.raises(OSError):
        write_outputs({first: "new\n", tmp_path / "a.txt" / "not-a-dir" / "c": "x\n"})
    assert first.read_text() == "1\n"
    assert sorted(os.listdir(tmp_path)) == ["a.txt", "sub"]
