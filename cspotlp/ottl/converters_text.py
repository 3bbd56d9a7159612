"""More of pkg/ottl's converters: key-value text, slices to maps, Murmur3 hashes.

``ParseKeyValue("k1=v1 k2=v2")`` and its inverse ``ToKeyValueString``; ``SliceToMap`` (a list
of maps keyed by one of their fields); ``Murmur3Hash`` (32 bits) and ``Murmur3Hash128``
(x64, 128 bits), hex in pkg/ottl's byte order. All pure Python, iterative, deterministic.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cspotlp.ottl.functions import (
    BuildError,
    Getter,
    Param,
    register,
    string_like,
    want_map,
    want_string,
)
from cspotlp.ottl.paths import EvalError
from cspotlp.ottl.values import deep_copy, type_name


def split_quoted(text: str, delimiter: str) -> list[str]:
    """``text`` split at ``delimiter`` outside double or single quotes (blank parts dropped).

    Raises:
        EvalError: a quote is never closed.
    """
    parts: list[str] = []
    current: list[str] = []
    quote: str | None = None
    i, n, d = 0, len(text), len(delimiter)
    while i < n:
        ch = text[i]
        if quote is not None:
            current.append(ch)
            if ch == quote:
                quote = None
            i += 1
        elif ch in "\"'":
            quote = ch
            current.append(ch)
            i += 1
        elif text.startswith(delimiter, i):
            parts.append("".join(current))
            current = []
            i += d
        else:
            current.append(ch)
            i += 1
    if quote is not None:
        raise EvalError(f"never reached the end of a quoted value in {text!r}")
    parts.append("".join(current))
    return [p for p in parts if p.strip()]


@register("ParseKeyValue", Param("target", "string"), Param("delimiter", "lit_string", True),
          Param("pairDelimiter", "lit_string", True))
def _parse_key_value(target: Getter, delimiter: str | None, pair_delimiter: str | None
                     ) -> Getter:
    delim = "=" if delimiter is None else delimiter
    pair = " " if pair_delimiter is None else pair_delimiter
    if not delim or not pair:
        raise BuildError("delimiters cannot be empty")
    if delim == pair:
        raise BuildError(f"pair delimiter {pair!r} cannot be equal to delimiter {delim!r}")

    def get(c: Any) -> dict[str, Any]:
        text = want_string(target(c))
        if not text:
            raise EvalError("cannot parse from empty string")
        out: dict[str, Any] = {}
        for piece in split_quoted(text, pair):
            key, sep, value = piece.strip().partition(delim)
            if not sep:
                raise EvalError(f"cannot split {piece.strip()!r} into 2 items, got 1 item(s)")
            out[key.strip().strip("\"'")] = value.strip().strip("\"'")
        return out
    return get


@register("ToKeyValueString", Param("target", "map"), Param("delimiter", "lit_string", True),
          Param("pairDelimiter", "lit_string", True), Param("sortOutput", "lit_bool", True))
def _to_key_value_string(target: Getter, delimiter: str | None, pair_delimiter: str | None,
                         sort_output: bool | None) -> Getter:
    delim = "=" if delimiter is None else delimiter
    pair = " " if pair_delimiter is None else pair_delimiter
    if delim == pair:
        raise BuildError(f"pair delimiter {pair!r} cannot be equal to delimiter {delim!r}")

    def quoted(text: str) -> str:
        if delim in text or pair in text:
            return '"' + text.replace('"', '\\"') + '"'
        return text

    def get(c: Any) -> str:
        m = want_map(target(c))
        items = sorted(m.items()) if sort_output else list(m.items())
        return pair.join(f"{quoted(k)}{delim}{quoted(string_like(v) or '')}" for k, v in items)
    return get


def _at(value: Any, path: Sequence[str]) -> Any:
    for key in path:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


@register("SliceToMap", Param("target", "getter"), Param("keyPath", "lit_strings"),
          Param("valuePath", "lit_strings", True))
def _slice_to_map(target: Getter, key_path: list[str], value_path: list[str] | None
                  ) -> Getter:
    if not key_path:
        raise BuildError("key path must contain at least one element", 1)

    def get(c: Any) -> dict[str, Any]:
        items = target(c)
        if not isinstance(items, list):
            raise EvalError(f"unsupported type provided to SliceToMap function: "
                            f"{type_name(items)}")
        out: dict[str, Any] = {}
        for item in items:
            if not isinstance(item, dict):
                raise EvalError(f"could not cast element {item!r} to map[string]any")
            key = _at(item, key_path)
            if not isinstance(key, str):
                raise EvalError(f"provided object does not contain the path {key_path}")
            value = item if value_path is None else _at(item, value_path)
            out[key] = deep_copy(value)
        return out
    return get


_M32, _M64 = 0xFFFFFFFF, (1 << 64) - 1


def murmur3_32(data: bytes, seed: int = 0) -> int:
    """MurmurHash3 x86, 32 bits.

    >>> murmur3_32(b"Hello World").to_bytes(4, "little").hex()
    'ce837619'
    """
    c1, c2 = 0xCC9E2D51, 0x1B873593
    h = seed & _M32
    n = len(data) // 4 * 4
    for i in range(0, n, 4):
        k = (int.from_bytes(data[i:i + 4], "little") * c1) & _M32
        k = ((((k << 15) | (k >> 17)) & _M32) * c2) & _M32
        h ^= k
        h = ((((h << 13) | (h >> 19)) & _M32) * 5 + 0xE6546B64) & _M32
    k = sum(b << (8 * i) for i, b in enumerate(data[n:]))
    if n < len(data):
        k = (k * c1) & _M32
        h ^= ((((k << 15) | (k >> 17)) & _M32) * c2) & _M32
    h ^= len(data)
    h ^= h >> 16
    h = (h * 0x85EBCA6B) & _M32
    h ^= h >> 13
    h = (h * 0xC2B2AE35) & _M32
    return h ^ (h >> 16)


def _rotl64(x: int, r: int) -> int:
    return ((x << r) | (x >> (64 - r))) & _M64


def _fmix64(k: int) -> int:
    k ^= k >> 33
    k = (k * 0xFF51AFD7ED558CCD) & _M64
    k ^= k >> 33
    k = (k * 0xC4CEB9FE1A85EC53) & _M64
    return k ^ (k >> 33)


def murmur3_128(data: bytes, seed: int = 0) -> tuple[int, int]:
    """MurmurHash3 x64, 128 bits, as its two 64-bit halves."""
    c1, c2 = 0x87C37B91114253D5, 0x4CF5AD432745937F
    h1 = h2 = seed
    n = len(data) // 16 * 16
    for i in range(0, n, 16):
        k1 = int.from_bytes(data[i:i + 8], "little")
        k2 = int.from_bytes(data[i + 8:i + 16], "little")
        h1 ^= (_rotl64((k1 * c1) & _M64, 31) * c2) & _M64
        h1 = ((_rotl64(h1, 27) + h2) * 5 + 0x52DCE729) & _M64
        h2 ^= (_rotl64((k2 * c2) & _M64, 33) * c1) & _M64
        h2 = ((_rotl64(h2, 31) + h1) * 5 + 0x38495AB5) & _M64
    tail = data[n:]
    k1 = sum(b << (8 * i) for i, b in enumerate(tail[:8]))
    k2 = sum(b << (8 * i) for i, b in enumerate(tail[8:]))
    if len(tail) > 8:
        h2 ^= (_rotl64((k2 * c2) & _M64, 33) * c1) & _M64
    if tail:
        h1 ^= (_rotl64((k1 * c1) & _M64, 31) * c2) & _M64
    h1 ^= len(data)
    h2 ^= len(data)
    h1 = (h1 + h2) & _M64
    h2 = (h2 + h1) & _M64
    h1, h2 = _fmix64(h1), _fmix64(h2)
    h1 = (h1 + h2) & _M64
    return h1, (h2 + h1) & _M64


@register("Murmur3Hash", Param("target", "string"))
def _murmur3(target: Getter) -> Getter:
    def get(c: Any) -> str:
        return murmur3_32(want_string(target(c)).encode()).to_bytes(4, "little").hex()
    return get


@register("Murmur3Hash128", Param("target", "string"))
def _murmur3_128(target: Getter) -> Getter:
    def get(c: Any) -> str:
        h1, h2 = murmur3_128(want_string(target(c)).encode())
        return h1.to_bytes(8, "little").hex() + h2.to_bytes(8, "little").hex()
    return get


__all__ = ["murmur3_128", "murmur3_32", "split_quoted"]
