"""Type stub of the C kernel (cspotlp/csp/_native.c); see cspotlp.csp.native."""

from typing import Any

from numpy.typing import NDArray

Buffer = NDArray[Any]

ABI_VERSION: int
MAX_LOAD_PERCENT: int

class Table:
    size: int
    bits: int
    grow_at: int
    nbytes: int
    def __init__(self, words: int, bits: int, folder: str | None = None) -> None: ...
    def reset(self, bits: int) -> None: ...
    def add(self, keys: Buffer, out: Buffer | None, out_pos: int, limit: int) -> tuple[int, int]: ...
    def contains(self, keys: Buffer, mask: Buffer) -> None: ...

class Program:
    def __init__(self, tables: dict[str, object]) -> None: ...

def expand(
    program: Program, table: Table, states: Buffer, start: int, stop: int, diverges: Buffer | None,
    next: Buffer, next_pos: int, limit: int, inserting: bool, parts: int, me: int,
    out: Buffer | None, to: Buffer | None, out_pos: int,
) -> tuple[int, int, int, int, int, int, int, int, int, int]: ...
def owners(keys: Buffer, words: int, parts: int, to: Buffer) -> None: ...
def unseen(part: Buffer, near: Buffer, words: int, keep: Buffer) -> None: ...
def predecessors(program: Program, states: Buffer, target: Buffer) -> list[tuple[int, int]]: ...
