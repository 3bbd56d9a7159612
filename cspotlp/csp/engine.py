"""The vectorised engine: packed states, a numpy hash set, and rule expansion over whole frontiers.

A system state is a tuple of small integers (one per component of a
:class:`~cspotlp.csp.supercombinator.Network`, plus extra fields such as a specification's normal
form node). :class:`Layout` packs the tuple into bit fields of a few ``uint64`` words. A frontier is
a list of word arrays, so one numpy operation expands thousands of states at once:

* :class:`Expander` finds every enabled rule of every frontier state. Each concrete rule has a
  *driver* component (its most selective participant); per driver, a table lists the rules each
  local state enables, so candidate (state, rule) pairs come from one ``np.repeat``; the other
  participants are then checked by table look-ups, and the successor words are the source words
  plus precomputed per-move deltas.
* :class:`StateTable` is an open-addressing hash set of packed states that numbers states in
  insertion order (breadth-first order when used by a breadth-first search) and remembers each
  state's parent and the rule that reached it, for counterexamples.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
import numpy.typing as npt

from cspotlp.csp.budget import Budget
from cspotlp.csp.supercombinator import Network, Rule

U64 = npt.NDArray[np.uint64]
I64 = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]
Words = list[U64]

_HASH_A = np.uint64(0x9E3779B97F4A7C15)
_HASH_B = np.uint64(0xC2B2AE3D27D4EB4F)


_Cell = TypeVar("_Cell", int, I64)

WORD_BITS = 63
"""Bits of a state word that fields may use: the top bit stays clear (word 0 all-ones marks a free slot)."""

CELL_BITS = 12
"""The widest cell: several components' local states packed as one mixed-radix number (see :class:`Layout`)."""


@dataclass(frozen=True)
class Field:
    """Where one component's local state lives.

    Bits ``shift .. shift+bits`` of word ``word`` hold a *cell*: a number below ``size``. A plain
    field is a cell of its own (``place`` 1, ``radix`` = ``size``); in a cell shared by several
    fields, this field's digit is ``cell // place % radix``.
    """

    word: int
    shift: int
    bits: int
    place: int
    radix: int
    size: int

    @property
    def mask(self) -> int:
        """The cell's value mask (before shifting)."""
        return (1 << self.bits) - 1

    @property
    def plain(self) -> bool:
        """Whether the field is a cell of its own (its digit is the masked bits)."""
        return self.place == 1 and self.radix == self.size

    def digit(self, cell: _Cell) -> _Cell:
        """This field's digit of a cell value (or of an array of them)."""
        return cell // self.place % self.radix


class Layout:
    """Packing of state tuples into ``uint64`` words (cells never straddle words).

    ``order`` is the packing order of the fields (a permutation of their indices): fields that
    synchronise often should be adjacent, so the engine can read several at once. Each field is a
    bit field of its own, unless that takes more words than packing neighbouring fields of the
    first ``joinable`` indices (by default all) as mixed-radix *cells* of at most
    :data:`CELL_BITS` bits: three fields of 3 local states take 6 bits as bit fields but 5 as
    one cell (27 values). The engine reads a cell as it reads a bit field and moves a digit by
    adding ``(new - old) * place``, so cells cost nothing in a search; they keep a state in one
    word where bit fields would need two.

    >>> lay = Layout([7, 3, 1, 200])
    >>> lay.unpack(lay.pack([6, 2, 0, 199]))
    [6, 2, 0, 199]
    >>> lay = Layout([3] * 35)  # 70 bits as bit fields: two words; five cells of 7 fields: 60 bits
    >>> lay.words, lay.unpack(lay.pack([i % 3 for i in range(35)]))[-4:]
    (1, [1, 2, 0, 1])
    """

    def __init__(self, radices: Sequence[int], order: Sequence[int] | None = None, *,
                 joinable: int | None = None, word_bits: int | None = None) -> None:
        self.radices = tuple(radices)
        order = list(range(len(self.radices))) if order is None else list(order)
        if sorted(order) != list(range(len(self.radices))):
            raise ValueError("order must be a permutation of the fields")
        self.order = tuple(order)
        joinable = len(self.radices) if joinable is None else joinable
        word_bits = WORD_BITS if word_bits is None else word_bits
        fields, words = self._packed([[i] for i in order], word_bits)
        if words > 1:
            joined, more = self._packed(_cells(self.radices, order, joinable), word_bits)
            if more < words:
                fields, words = joined, more
        self.fields = tuple(fields)
        self.words = words

    def _packed(self, cells: list[list[int]], word_bits: int) -> tuple[list[Field], int]:
        fields: list[Field | None] = [None] * len(self.radices)
        word, used = 0, 0
        for cell in cells:
            size = math.prod(self.radices[i] for i in cell)
            bits = max(0, (size - 1).bit_length())
            if used and used + bits > word_bits:
                word, used = word + 1, 0
            place = 1
            for i in cell:
                fields[i] = Field(word, used, bits, place, self.radices[i], size)
                place *= self.radices[i]
            used += bits
        return [f for f in fields if f is not None], word + 1

    def pack(self, digits: Sequence[int]) -> tuple[int, ...]:
        """Python ints of the words holding ``digits``."""
        out = [0] * self.words
        for f, d in zip(self.fields, digits, strict=True):
            out[f.word] += int(d) * f.place << f.shift
        return tuple(out)

    def unpack(self, words: Sequence[int]) -> list[int]:
        """The digits packed in ``words``."""
        return [f.digit((int(words[f.word]) >> f.shift) & f.mask) for f in self.fields]

    def digits(self, words: Words, index: int) -> I64:
        """Field ``index`` of every state in a frontier."""
        f = self.fields[index]
        if f.bits == 0:
            return np.zeros(len(words[0]), dtype=np.int64)
        col = words[f.word]
        cell = ((col >> np.uint64(f.shift)) & np.uint64(f.mask)).astype(np.int64)
        return cell if f.plain else f.digit(cell)

    def with_field(self, words: Words, index: int, values: I64) -> Words:
        """Copies of ``words`` with field ``index`` replaced by ``values``."""
        f = self.fields[index]
        out = list(words)
        if f.bits == 0:
            return out
        if not f.plain:  # add the digit's change at its place (wrapping, as the engine does)
            change = (values.astype(np.int64) - self.digits(words, index)).astype(np.uint64)
            out[f.word] = words[f.word] + ((change * np.uint64(f.place)) << np.uint64(f.shift))
            return out
        keep = np.uint64(~(f.mask << f.shift) & 0xFFFF_FFFF_FFFF_FFFF)
        out[f.word] = (words[f.word] & keep) | (values.astype(np.uint64) << np.uint64(f.shift))
        return out


def _cells(radices: Sequence[int], order: Sequence[int], joinable: int) -> list[list[int]]:
    """Neighbouring fields (in packing order) of the first ``joinable`` indices joined into cells of at most :data:`CELL_BITS` bits."""
    cells: list[list[int]] = []
    size = 0
    for i in order:
        if i >= joinable or radices[i] <= 1:
            cells.append([i])
            size = 0
            continue
        if size and (size * radices[i] - 1).bit_length() <= CELL_BITS:
            cells[-1].append(i)
            size *= radices[i]
        else:
            cells.append([i])
            size = radices[i]
    return cells


def affinity_order(net: Network) -> list[int]:
    """Components ordered so that those sharing rules tend to be adjacent (iterative DFS)."""
    n = len(net.components)
    neighbours: list[set[int]] = [set() for _ in range(n)]
    for r in net.rules:
        comps = [c for c, _ in r.moves]
        for a in comps:
            neighbours[a].update(comps)
    order: list[int] = []
    seen = [False] * n
    for start in range(n):
        if seen[start]:
            continue
        stack = [start]
        while stack:
            c = stack.pop()
            if seen[c]:
                continue
            seen[c] = True
            order.append(c)
            stack.extend(sorted((x for x in neighbours[c] if not seen[x]), reverse=True))
    return order


_TAG = np.uint64(1 << 63)  # set in a used slot's word 0 (packed words use 63 bits): 0 means free


class StateTable:
    """A hash set of packed states numbering them 0, 1, ... in insertion order.

    Each state also records its parent's number and the rule that reached it (-1 for roots), so a
    breadth-first search can rebuild the path to any state.

    Insertion is vectorised: a batch is first deduplicated with a small direct-mapped scratch
    table (equal states have equal hashes, so each distinct state keeps one representative),
    then the representatives probe the main table (linear probing) in lock-step rounds; free
    slots are claimed by writing a per-entry token and reading it back, so exactly one claimant
    wins each slot.

    Which state gets which number (and so which of several shortest counterexamples a search
    reports) depends on the batch order, on the capacity policy of :meth:`_reserve` and on the
    probing rounds: changing any of them changes reported paths, never verdicts or counts.
    """

    SMALL = 4096
    """Below this many states a Python dict is faster than numpy probing (fewer calls)."""

    def __init__(self, words: int, capacity: int = 1 << 8, budget: Budget | None = None) -> None:
        self.k = words
        self.size = 0
        self.budget = budget
        """When set, each growth is checked against its memory bound before it is allocated."""
        self._small: dict[object, int] | None = {}
        self._bits = max(4, (capacity - 1).bit_length())
        self._alloc_table(1 << self._bits)
        self._store: list[U64] = [np.zeros(256, dtype=np.uint64) for _ in range(words)]
        self._parent = np.zeros(256, dtype=np.int64)
        self._rule = np.zeros(256, dtype=np.int32)
        self._scratch = np.empty(0, dtype=np.int64)
        self._everyone = np.arange(0, dtype=np.int64)

    def _alloc_table(self, cap: int) -> None:
        self._cap = cap
        self._mask = cap - 1
        # all zeros: fresh zero pages, no filling pass (a free slot reads 0 in both arrays)
        self._keys = [np.zeros(cap, dtype=np.uint64) for _ in range(self.k)]
        # number + 1 of the state in each slot (0 free, negative: a claim in progress)
        self._vals = np.zeros(cap, dtype=np.int32 if cap <= 1 << 31 else np.int64)

    # -- access ---------------------------------------------------------------------------------

    def words(self, start: int, stop: int) -> Words:
        """Packed words of states ``start .. stop-1`` (views)."""
        return [w[start:stop] for w in self._store]

    def words_at(self, ids: I64) -> Words:
        """Packed words of the given states."""
        return [w[ids] for w in self._store]

    def state(self, i: int) -> tuple[int, ...]:
        """Python ints of one state's words."""
        return tuple(int(w[i]) for w in self._store)

    def parent(self, i: int) -> tuple[int, int]:
        """(parent state, rule) that first reached state ``i`` (-1, -1 for a root)."""
        return int(self._parent[i]), int(self._rule[i])

    @property
    def nbytes(self) -> int:
        """Memory held by the table and the stored states."""
        return (sum(k.nbytes for k in self._keys) + self._vals.nbytes
                + sum(w.nbytes for w in self._store) + self._parent.nbytes + self._rule.nbytes)

    # -- insertion ------------------------------------------------------------------------------

    def _hash(self, words: Words) -> U64:
        # Fibonacci hashing: the top bits of key * A mix every bit of the key (slots use top bits)
        h: U64 = words[0] * _HASH_A
        for w in words[1:]:
            h = (h ^ w) * _HASH_B
        return h

    def _slots(self, h: U64) -> I64:
        return (h >> np.uint64(64 - self._bits)).astype(np.int64)

    def _guard(self, nbytes: int, what: str) -> None:
        if self.budget is not None:
            self.budget.reserve(nbytes, what, self.size)

    def _slot_bytes(self, bits: int) -> int:
        return (1 << bits) * (8 * self.k + (4 if bits <= 31 else 8))

    def _reserve(self, extra: int) -> None:
        need = self.size + extra
        if self._small is not None and need > self.SMALL:
            bits = self._bits
            while need * 2 > (1 << bits):
                bits += 1
            self._guard(self._slot_bytes(bits), "the state table")
            self._small = None  # switch to the numpy table for good
            self._bits = bits
            self._grow_store(need)
            self._rehash()
            return
        if self._small is None and need * 2 > self._cap:
            bits = self._bits
            while need * 2 > (1 << bits):
                bits += 2 if bits >= 16 else 1  # grow fast: rehashing is costly
            self._guard(self._slot_bytes(bits), "growing the state table")
            self._bits = bits
            self._rehash()
        self._grow_store(need)

    def _grow_store(self, need: int) -> None:
        if need > len(self._parent):
            cap = max(need, 2 * len(self._parent))
            self._guard(cap * (8 * self.k + 12), "the stored states")
            self._store = [_grow(w, cap) for w in self._store]
            self._parent = _grow(self._parent, cap)
            self._rule = _grow(self._rule, cap)

    def _rehash(self) -> None:
        self._alloc_table(1 << self._bits)
        if self.size == 0:
            return
        words = self.words(0, self.size)
        pos = self._slots(self._hash(words))
        pending = np.arange(self.size, dtype=np.int64)
        while pending.size:
            p = pos[pending]
            free = self._vals[p] == 0
            cand, cpos = pending[free], p[free]
            self._vals[cpos] = cand + 1
            won = self._vals[cpos] == cand + 1
            wi, wp = cand[won], cpos[won]
            self._keys[0][wp] = words[0][wi] | _TAG
            for k in range(1, self.k):
                self._keys[k][wp] = words[k][wi]
            busy = np.concatenate([pending[~free], cand[~won]])
            pos[busy] = (pos[busy] + 1) & self._mask
            pending = busy

    def insert(
        self, words: Words, parents: I64 | None = None, rules: I64 | None = None, *, need_ids: bool = False,
    ) -> tuple[I64, Bools]:
        """Insert a batch; returns (numbers, which entries were new).

        Duplicates within ``words`` get one number (one of them counts as new). With
        ``need_ids`` False, the numbers of states that were already present are not looked up
        (they are -1), which saves a random memory access per entry.
        """
        n = len(words[0])
        ids = np.full(n, -1, dtype=np.int64)
        fresh = np.zeros(n, dtype=np.bool_)
        if n == 0:
            return ids, fresh
        self._reserve(n)
        if self._small is not None:
            return self._insert_small(words, parents, rules, ids, fresh)
        uniq, rep, kept = self._dedup(words)
        start = self.size
        uid, added = self._probe(words, uniq, parents, rules, need_ids)
        fresh[added] = True
        if need_ids:
            ids[uniq] = uid
            dup = ~kept
            ids[dup] = ids[rep[dup]]
        else:  # the new states were numbered in the order they were added
            ids[added] = np.arange(start, self.size, dtype=np.int64)
        return ids, fresh

    def add(self, words: Words, parents: I64 | None = None, rules: I64 | None = None, parent_offset: int = 0) -> None:
        """Insert a batch like :meth:`insert`, without reporting numbers (the cheapest insertion).

        A new state's parent is recorded as ``parents[i] + parent_offset`` (so a caller whose
        parents are consecutive numbers can pass frontier positions without converting them).
        """
        n = len(words[0])
        if n == 0:
            return
        self._reserve(n)
        if self._small is not None:
            if parents is not None and parent_offset:
                parents = parents + parent_offset
            self._insert_small(words, parents, rules, np.empty(n, dtype=np.int64), np.zeros(n, dtype=np.bool_))
            return
        uniq, _rep, _kept = self._dedup(words)
        self._probe(words, uniq, parents, rules, False, parent_offset)

    def truncate(self, size: int) -> None:
        """Forget every state numbered ``size`` or above (a search stopping at its state limit).

        The states kept keep their numbers, parents and rules, and look-ups stay exact: the hash
        table is rebuilt from them (removing entries in place would break linear-probing chains).
        """
        if size >= self.size:
            return
        self.size = size
        if self._small is not None:
            self._small = {key: v for key, v in self._small.items() if v < size}
        else:
            self._rehash()

    def _dedup(self, words: Words) -> tuple[I64, I64, Bools]:
        """(representatives, each entry's representative, which entries are representatives).

        A direct-mapped scratch table keeps the last entry written to each slot; an entry is a
        duplicate when that entry holds the same state. The last occurrence of every state is
        always kept (it is the last writer of its slot), so the outcome of the main table's
        last-writer-wins claims does not depend on which other duplicates survive.
        """
        n = len(words[0])
        sb = min(max(10, (n - 1).bit_length()), 20)
        if self._scratch.size < (1 << sb):
            self._scratch = np.empty(1 << sb, dtype=np.int64)  # reused: fresh pages are costly
        if self._everyone.size < n:
            self._everyone = np.arange(max(n, 2 * self._everyone.size), dtype=np.int64)
        scratch, everyone = self._scratch, self._everyone[:n]
        low = (self._hash(words) >> np.uint64(64 - sb)).view(np.int64)
        scratch[low] = everyone
        rep: I64 = scratch[low]
        kept = rep == everyone
        for k in range(self.k):
            kept |= words[k][rep] != words[k]
        return np.flatnonzero(kept), rep, kept

    def _probe(
        self, words: Words, uniq: I64, parents: I64 | None, rules: I64 | None, need_ids: bool,
        parent_offset: int = 0,
    ) -> tuple[I64, I64]:
        """Find or add the states ``words[uniq]`` (linear probing in lock-step rounds).

        Returns their numbers (only with ``need_ids``, else an empty array) and the batch
        positions of the states added. New states are numbered by round, then by position.
        """
        keys, vals, mask, k_words = self._keys, self._vals, self._mask, self.k
        ukeys = [w[uniq] for w in words]
        idx = np.arange(uniq.size, dtype=np.int64)  # position within uniq
        p = self._slots(self._hash(ukeys))
        cur = [ukeys[0] | _TAG, *ukeys[1:]]
        uid = np.full(uniq.size if need_ids else 0, -1, dtype=np.int64)
        added: list[I64] = []
        while idx.size:
            slot0 = keys[0][p]
            empty = slot0 == 0
            same = slot0 == cur[0]
            for k in range(1, k_words):
                same &= keys[k][p] == cur[k]
            if need_ids:
                uid[idx[same]] = vals[p[same]] - 1
            stay = same | empty
            moving = np.flatnonzero(~stay)
            nxt_idx, nxt_p, nxt_cur = idx[moving], (p[moving] + 1) & mask, [c[moving] for c in cur]
            if empty.any():
                e = np.flatnonzero(empty)
                cand, cpos = idx[e], p[e]
                token = -1 - cand
                vals[cpos] = token
                won = vals[cpos] == token
                lost = np.flatnonzero(~won)
                wi, wp = cand[won], cpos[won]
                stop = self.size + wi.size
                new_ids = np.arange(self.size, stop, dtype=np.int64)
                vals[wp] = new_ids + 1
                src = uniq[wi]
                for k in range(k_words):
                    keys[k][wp] = cur[k][e[won]]
                    self._store[k][self.size:stop] = words[k][src]
                self._parent[self.size:stop] = -1 if parents is None else parents[src]
                if parent_offset and parents is not None:
                    self._parent[self.size:stop] += parent_offset
                self._rule[self.size:stop] = -1 if rules is None else rules[src]
                self.size = stop
                if need_ids:
                    uid[wi] = new_ids
                added.append(src)
                if lost.size:  # retry the same slot: the winner may hold the same state
                    nxt_idx = np.concatenate([nxt_idx, cand[lost]])
                    nxt_p = np.concatenate([nxt_p, cpos[lost]])
                    nxt_cur = [np.concatenate([nc, c[e[lost]]]) for nc, c in zip(nxt_cur, cur, strict=True)]
            idx, p, cur = nxt_idx, nxt_p, nxt_cur
        return uid, np.concatenate(added) if added else idx

    def _insert_small(
        self, words: Words, parents: I64 | None, rules: I64 | None, ids: I64, fresh: Bools,
    ) -> tuple[I64, Bools]:
        table = self._small
        assert table is not None
        keys: list[object] = words[0].tolist() if self.k == 1 else list(zip(*(w.tolist() for w in words), strict=True))
        start = self.size
        found: list[int] = []
        new: list[int] = []
        size = start
        for key in keys:
            v = table.get(key)
            if v is None:
                v = table[key] = size
                new.append(len(found))
                size += 1
            found.append(v)
        ids[:] = found
        if new:
            picked = np.array(new, dtype=np.int64)
            fresh[picked] = True
            for k in range(self.k):
                self._store[k][start:size] = words[k][picked]
            self._parent[start:size] = -1 if parents is None else parents[picked]
            self._rule[start:size] = -1 if rules is None else rules[picked]
            self.size = size
        return ids, fresh


_A = TypeVar("_A", bound=np.generic)


def _grow(a: npt.NDArray[_A], cap: int) -> npt.NDArray[_A]:
    out: npt.NDArray[_A] = np.zeros(cap, dtype=a.dtype)
    out[: len(a)] = a
    return out


@dataclass(frozen=True)
class Expansion:
    """Enabled (state, rule) pairs of a frontier and their successor words.

    Attributes:
        src: index of the source state within the frontier.
        rule: concrete rule number (see :attr:`Expander.rule_event`, :attr:`Expander.rule_moves`).
        targets: packed successor words.
        rule_event: the system event of every concrete rule (:attr:`Expander.rule_event`).
    """

    src: I64
    rule: I64
    targets: Words
    rule_event: I64

    @functools.cached_property
    def event(self) -> I64:
        """The system event of each pair (-1 for the "terminated" pseudo rule), looked up once."""
        out: I64 = self.rule_event[self.rule]
        return out

    def select(self, keep: Bools | I64) -> Expansion:
        """The pairs picked by a mask or index array."""
        return Expansion(self.src[keep], self.rule[keep], [t[keep] for t in self.targets], self.rule_event)


GROUP_BITS = 12
"""Adjacent fields whose widths add up to at most this many bits are read as one joint field."""


@dataclass(frozen=True)
class _Group:
    word: int
    shift: int
    bits: int
    members: tuple[tuple[int, int, Field], ...]  # (component, shift within the group, its field)


def _groups(layout: Layout, ncomp: int, group_bits: int) -> list[_Group]:
    """Consecutive component fields (in packing order) joined into groups of ``group_bits``."""
    groups: list[_Group] = []
    cur: list[int] = []

    def close() -> None:
        if cur:
            f0 = layout.fields[cur[0]]
            last = layout.fields[cur[-1]]
            members = tuple((c, layout.fields[c].shift - f0.shift, layout.fields[c]) for c in cur)
            groups.append(_Group(f0.word, f0.shift, last.shift + last.bits - f0.shift, members))
            cur.clear()

    for i in layout.order:
        if i >= ncomp:  # not a component (e.g. a specification node): never read by rules
            close()
            continue
        f = layout.fields[i]
        if cur:
            last = layout.fields[cur[-1]]
            width = f.shift + f.bits - layout.fields[cur[0]].shift
            same_cell = (f.word, f.shift) == (last.word, last.shift) and f.bits > 0
            if not same_cell and (f.word != last.word or width > group_bits):  # a cell is never split
                close()
        cur.append(i)
    close()
    return groups


class Expander:
    """Computes all enabled rules of a frontier at once (see the module docstring).

    ``rules`` restricts expansion to some of the network's rules (e.g. τ rules only); the
    network's "terminated" pseudo rule is included (event -1) when ``terminated`` is True.
    """

    def __init__(
        self, net: Network, layout: Layout, *, rules: Sequence[Rule] | None = None,
        terminated: bool = True, group_bits: int = GROUP_BITS,
    ) -> None:
        self.net = net
        self.layout = layout
        chosen = list(net.rules if rules is None else rules)
        if terminated and net.terminated_rule is not None:
            chosen.append(net.terminated_rule)
        layers: dict[tuple[int, int], list[tuple[Bools, I64]]] = {}
        for r in chosen:
            for c, lab in r.moves:
                if (c, lab) not in layers:
                    layers[(c, lab)] = net.components[c].layers(lab)
        # concrete rules: one per choice of layer for every participant
        events: list[int] = []
        moves: list[tuple[tuple[int, int, int], ...]] = []
        for r in chosen:
            counts = [len(layers[m]) for m in r.moves]
            if 0 in counts:
                continue  # some participant can never do its part
            for combo in itertools.product(*(range(k) for k in counts)):
                events.append(r.event)
                moves.append(tuple((c, lab, j) for (c, lab), j in zip(r.moves, combo, strict=True)))
        self.rule_event = np.array(events, dtype=np.int64)
        self.rule_moves: tuple[tuple[tuple[int, int, int], ...], ...] = tuple(moves)
        self._groups = _groups(layout, len(net.components), group_bits)
        self._build_tables(layers)

    @property
    def num_rules(self) -> int:
        """Number of concrete rules."""
        return len(self.rule_moves)

    def _joint_tables(
        self, g: _Group, parts: list[tuple[int, int, int]], layers: dict[tuple[int, int], list[tuple[Bools, I64]]],
    ) -> tuple[Bools, U64]:
        """For every joint value of group ``g``: can the listed moves happen, and the word delta."""
        size = 1 << g.bits
        joint = np.arange(size, dtype=np.int64)
        ok = np.ones(size, dtype=np.bool_)
        delta = np.zeros(size, dtype=np.uint64)
        rel = {c: (shift, f) for c, shift, f in g.members}
        for c, lab, j in parts:
            shift, f = rel[c]
            cell = (joint >> shift) & f.mask
            valid = cell < f.size
            d = f.digit(np.minimum(cell, f.size - 1))
            lok, target = layers[(c, lab)][j]
            ok &= valid & lok[d]
            delta += _deltas(target, f.shift, f.place)[d]
        return ok, delta

    def _build_tables(self, layers: dict[tuple[int, int], list[tuple[Bools, I64]]]) -> None:
        group_of = {c: gi for gi, g in enumerate(self._groups) for c, _s, _f in g.members}
        nr = self.num_rules
        per_rule: list[list[tuple[int, Bools, U64]]] = []
        for mv in self.rule_moves:
            by_group: dict[int, list[tuple[int, int, int]]] = {}
            for c, lab, j in mv:
                by_group.setdefault(group_of[c], []).append((c, lab, j))
            per_rule.append([(gi, *self._joint_tables(self._groups[gi], parts, layers))
                             for gi, parts in sorted(by_group.items())])
        max_slots = max((len(t) for t in per_rule), default=1) - 1
        width = max(max_slots, 1)
        self._max_slots = max_slots
        self._slot_group = np.full((nr, width), -1, dtype=np.int64)
        self._slot_base = np.zeros((nr, width), dtype=np.int64)
        self._slot_word = np.zeros((nr, width), dtype=np.int64)
        self._driver_word = np.zeros(nr, dtype=np.int64)
        flat_ok: list[Bools] = []
        flat_delta: list[U64] = []
        flat_size = 0
        driven: dict[int, list[tuple[int, Bools, U64]]] = {}
        for r, tables in enumerate(per_rule):
            d = min(range(len(tables)), key=lambda i: float(tables[i][1].mean()))  # most selective
            gi, ok, delta = tables[d]
            driven.setdefault(gi, []).append((r, ok, delta))
            self._driver_word[r] = self._groups[gi].word
            for k, (g2, ok2, delta2) in enumerate(t for i, t in enumerate(tables) if i != d):
                self._slot_group[r, k] = g2
                self._slot_base[r, k] = flat_size
                self._slot_word[r, k] = self._groups[g2].word
                flat_ok.append(ok2)
                flat_delta.append(delta2)
                flat_size += len(ok2)
        self._flat_ok = np.concatenate(flat_ok) if flat_ok else np.zeros(0, dtype=np.bool_)
        self._flat_delta = np.concatenate(flat_delta) if flat_delta else np.zeros(0, dtype=np.uint64)
        # per driving group, one table for rules entirely inside it and one for the others
        self._local: list[tuple[int, _DriverTable]] = []
        self._cross: list[tuple[int, _DriverTable]] = []
        for gi in sorted(driven):
            for inside, out in ((True, self._local), (False, self._cross)):
                entries = [e for e in driven[gi] if (self._slot_group[e[0], 0] < 0) == inside]
                if entries:
                    out.append((gi, _driver_table(entries)))
        # (not np.unique: its first call imports numpy.ma, ~80 ms)
        self._used_groups = sorted({gi for gi, _t in self._local + self._cross}
                                   | {g for g in self._slot_group.ravel().tolist() if g >= 0})
        # one table: every local pair of every state, then every cross pair (checked further)
        self._merged = _merge_tables(self._local + self._cross)
        self._num_local = len(self._local)
        self.has_pseudo = bool((self.rule_event < 0).any())
        """Whether some rule is the "terminated" pseudo rule (event -1)."""

    def tables(self) -> dict[str, object]:
        """The rule tables as flat arrays and sizes: what the native kernel reads (:mod:`cspotlp.csp.native`).

        The kernel does for one state what :meth:`expand` does for a frontier: read the joint
        fields, take each merged table's rules for them (the first ``num_local`` tables hold
        rules inside one joint field), and check the other joint fields of spanning rules.
        """
        m = self._merged
        nr = self.num_rules
        groups = self._groups
        z64 = np.zeros(0, dtype=np.int64)
        return {
            "num_groups": len(groups),
            "group_word": np.array([g.word for g in groups], dtype=np.int64),
            "group_shift": np.array([g.shift for g in groups], dtype=np.int64),
            "group_mask": np.array([(1 << g.bits) - 1 for g in groups], dtype=np.uint64),
            "used_groups": np.array([gi for gi in self._used_groups if groups[gi].bits], dtype=np.int64),
            "num_tables": 0 if m is None else len(m.groups),
            "num_local": self._num_local,
            "m_groups": z64 if m is None else m.groups,
            "m_bases": z64 if m is None else m.bases.ravel().copy(),
            "counts": z64 if m is None else m.counts,
            "offsets": z64 if m is None else m.offsets,
            "rules": z64 if m is None else m.rules,
            "deltas": np.zeros(0, dtype=np.uint64) if m is None else m.deltas,
            "driver_word": self._driver_word,
            "width": self._slot_group.shape[1] if nr else 1,
            "max_slots": self._max_slots,
            "slot_group": self._slot_group.ravel(),
            "slot_base": self._slot_base.ravel(),
            "slot_word": self._slot_word.ravel(),
            "flat_ok": self._flat_ok.view(np.uint8),
            "flat_delta": self._flat_delta,
            "rule_event": self.rule_event,
        }

    def _joint(self, words: Words) -> I64:
        joint = np.zeros((len(self._groups), len(words[0])), dtype=np.int64)
        for gi in self._used_groups:
            g = self._groups[gi]
            if g.bits:
                joint[gi] = ((words[g.word] >> np.uint64(g.shift)) & np.uint64((1 << g.bits) - 1)).astype(np.int64)
        return joint

    @functools.cached_property
    def max_candidates(self) -> int:
        """An upper bound of the (state, rule) pairs one state can give."""
        m = self._merged
        if m is None:
            return 0
        bases = m.bases.ravel().tolist() + [len(m.counts)]
        return sum(int(m.counts[lo:hi].max(initial=0)) for lo, hi in itertools.pairwise(bases))

    def candidate_counts(self, words: Words) -> I64:
        """Per state, the (state, rule) pairs :meth:`expand` considers (enabled or not)."""
        n = len(words[0])
        m = self._merged
        if m is None:
            return np.zeros(n, dtype=np.int64)
        at = self._joint(words)[m.groups] + m.bases
        out: I64 = m.counts[at].sum(axis=0)
        return out

    def expand(self, words: Words) -> Expansion:
        """Every enabled (state, concrete rule) pair of the frontier, with successor words."""
        n = len(words[0])
        k_words = self.layout.words
        joint = self._joint(words)
        if self._merged is None:
            empty = np.zeros(0, dtype=np.int64)
            return Expansion(empty, empty, [np.zeros(0, dtype=np.uint64) for _ in words], self.rule_event)
        src, rule, delta, split = _candidates(joint, n, self._merged, self._num_local)
        if k_words == 1:
            word_delta = [delta]
        else:
            dw = self._driver_word[rule]
            word_delta = [np.where(dw == w, delta, np.uint64(0)) for w in range(k_words)]
        if split < src.size:  # pairs from split on are cross rules: check their other groups
            keep = self._check_slots(joint, src[split:], rule[split:], [d[split:] for d in word_delta])
            if keep is not None:
                keep = np.concatenate([np.ones(split, dtype=np.bool_), keep])
                src, rule, word_delta = src[keep], rule[keep], [d[keep] for d in word_delta]
        for w in range(k_words):  # the successor words, in place of the deltas
            word_delta[w] += words[w][src]
        return Expansion(src, rule, word_delta, self.rule_event)

    def _check_slots(self, joint: I64, src: I64, rule: I64, word_delta: list[U64]) -> Bools | None:
        """Add the other participating groups' deltas (in place); which pairs they allow (None: all)."""
        k_words = len(word_delta)
        keep: Bools | None = None
        for k in range(self._max_slots):
            grp = self._slot_group[rule, k]
            has = np.flatnonzero(grp >= 0)
            if has.size == 0:
                break
            flat = self._slot_base[rule[has], k] + joint[grp[has], src[has]]
            ok = self._flat_ok[flat]
            sd = self._flat_delta[flat]
            if k_words == 1:
                word_delta[0][has] += sd
            else:
                sw = self._slot_word[rule[has], k]
                for w in range(k_words):
                    word_delta[w][has] += np.where(sw == w, sd, np.uint64(0))
            if not ok.all():
                if keep is None:
                    keep = np.ones(src.size, dtype=np.bool_)
                keep[has[~ok]] = False
        return keep


def table_bytes(net: Network, layout: Layout, group_bits: int) -> int:
    """About the memory :class:`Expander` needs for its rule tables with ``group_bits``."""
    groups = _groups(layout, len(net.components), group_bits)
    group_of = {c: gi for gi, g in enumerate(groups) for c, _s, _f in g.members}
    sizes = [1 << g.bits for g in groups]
    entries = 0
    rules = list(net.rules) + ([net.terminated_rule] if net.terminated_rule is not None else [])
    for r in rules:
        entries += sum(sizes[g] for g in {group_of[c] for c, _lab in r.moves})
    return 2 * 9 * entries + 600 * len(rules)  # each table and its stacked copy; per-rule objects


def fitting_group_bits(net: Network, layout: Layout, limit: int) -> tuple[int, int]:
    """The widest joint fields (at most :data:`GROUP_BITS`) whose tables fit in ``limit`` bytes.

    Returns (group bits, table bytes); narrower fields mean smaller tables but more look-ups,
    and the last candidate (one component per field) is returned even when it does not fit.
    """
    rules = len(net.rules) + 1
    widest = max((len(r.moves) for r in net.rules), default=1)
    need = 2 * 9 * rules * widest * (1 << GROUP_BITS) + 600 * rules  # a bound, without the groups
    if need <= limit:
        return GROUP_BITS, need
    for bits in (GROUP_BITS, 8, 4, 0):
        need = table_bytes(net, layout, bits)
        if need <= limit:
            return bits, need
    return 0, need


_DriverTable = tuple[I64, I64, I64, U64]  # counts, offsets, rules and deltas per joint value


def _driver_table(entries: list[tuple[int, Bools, U64]]) -> _DriverTable:
    """CSR table: for each joint value, the rules it enables and their word deltas."""
    oks = np.stack([e[1] for e in entries], axis=1)  # (joint value, rule)
    deltas = np.stack([e[2] for e in entries], axis=1)
    rule_ids = np.array([e[0] for e in entries], dtype=np.int64)
    joint, col = np.nonzero(oks)  # sorted by joint value
    counts = np.bincount(joint, minlength=oks.shape[0]).astype(np.int64)
    offsets = np.zeros(len(counts) + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    return counts, offsets, rule_ids[col], deltas[joint, col]


@dataclass(frozen=True)
class _MergedTables:
    """Several driver tables as one CSR table over (table, joint value) pairs.

    Expanding through it gives the pairs of the first table's group for every state, then the
    second's, and so on: the order of expanding each table separately and concatenating.
    """

    groups: I64  # the driving group of each table
    bases: I64  # where each table's joint values start in the merged numbering (column vector)
    counts: I64
    offsets: I64
    rules: I64
    deltas: U64


def _merge_tables(tables: list[tuple[int, _DriverTable]]) -> _MergedTables | None:
    """The tables merged in order (None when there are none)."""
    if not tables:
        return None
    sizes = [len(t[0]) for _g, t in tables]
    bases = np.cumsum([0, *sizes[:-1]]).astype(np.int64)
    flat_base = np.cumsum([0, *(len(t[2]) for _g, t in tables[:-1])]).astype(np.int64)
    return _MergedTables(
        np.array([g for g, _t in tables], dtype=np.int64),
        bases.reshape(-1, 1),
        np.concatenate([t[0] for _g, t in tables]),
        np.concatenate([t[1][:-1] + b for (_g, t), b in zip(tables, flat_base, strict=True)]),
        np.concatenate([t[2] for _g, t in tables]),
        np.concatenate([t[3] for _g, t in tables]),
    )


def _candidates(joint: I64, n: int, m: _MergedTables, head_tables: int) -> tuple[I64, I64, U64, int]:
    """(state, rule, delta) for every rule the tables list for each state's joint values.

    The last result is the number of pairs coming from the first ``head_tables`` tables.
    """
    at = (joint[m.groups] + m.bases).ravel()  # merged joint value of each (table, state)
    cnt = m.counts[at]
    ends = np.cumsum(cnt)
    total = int(ends[-1]) if ends.size else 0
    split = int(ends[head_tables * n - 1]) if head_tables and n else 0
    if total == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0, dtype=np.uint64), 0
    seg = np.repeat(np.arange(at.size, dtype=np.int64), cnt)  # the (table, state) of each pair
    ends -= cnt  # where each (table, state)'s pairs start
    pos = (m.offsets[at] - ends)[seg]
    pos += np.arange(total, dtype=np.int64)
    src = seg if len(m.groups) == 1 else np.tile(np.arange(n, dtype=np.int64), len(m.groups))[seg]
    return src, m.rules[pos], m.deltas[pos], split


def _deltas(target: I64, shift: int, place: int) -> U64:
    """Per local state s: ``(target[s] - s) * place << shift`` as a wrapping uint64 word delta."""
    diff = (target - np.arange(len(target), dtype=np.int64)).astype(np.uint64)
    out: U64 = (diff * np.uint64(place)) << np.uint64(shift)
    return out
