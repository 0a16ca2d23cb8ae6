"""The NodeProtos of a large main graph read as columns with numpy: no Python object per node.

The fields of every node are found together, one field of each node per round (a node has a
handful), then the strings that matter (op types, domains, tensor and node names) are told
apart by a 64-bit hash of their bytes, checked byte for byte against one string of each hash:
equal ids are equal strings, exactly. Edges follow from tensor names, the consumers of every
node from the edges. A node is decoded only when the analysis asks for it.

Anything unusual (a subgraph, a name that is not printable ASCII, names given twice, a node
read before the one that writes it, a field written in an unusual way) raises NotColumnar and
the general builder reads the model, which knows every case and says what is wrong.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import pairwise

import numpy as np
import numpy.typing as npt

Ints = npt.NDArray[np.integer]  # int32 positions and counts where they fit
Words = npt.NDArray[np.uint64]

MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)  # odd: multiplying by it mod 2^64 loses nothing
MIX = np.uint64(0xBF58476D1CE4E5B9)
MASK = (1 << 64) - 1
MAX_ROUNDS = 4096  # fields of one message read in rounds; a node with more goes the long way
MAX_STRING = 4096  # bytes of a name compared in rounds of 8
LARGEST = (1 << 31) - (1 << 20)  # positions are 32-bit


class NotColumnar(Exception):
    """The graph needs the general builder."""


@contextmanager
def small_pages() -> Iterator[None]:
    """numpy asks the kernel for huge pages for arrays of 4 MiB and more; where the kernel
    compacts memory to find them (transparent huge pages on madvise), a large array's first
    touch can stall for a tenth of a second. The columns' arrays live for a moment: plain pages
    while they are built, numpy's setting restored after."""
    core = getattr(np, "_core", None) or np.core
    switch = getattr(core.multiarray, "_set_madvise_hugepage", None)
    before = switch(False) if switch else None
    try:
        yield
    finally:
        if switch:
            switch(before)


@dataclass
class Field:
    """One field number's LEN values in a set of messages, message by message, in the order
    written."""

    message: Ints  # which message (index into the starts given)
    start: Ints  # where the value's bytes start
    length: Ints


def walk_fields(
    data: np.ndarray,
    starts: Ints,
    ends: Ints,
    wanted: tuple[int, ...],
    present: tuple[int, ...] = (),
) -> dict[int, Field]:
    """The LEN fields numbered `wanted` of the messages data[starts[i]:ends[i]], read for all
    messages at once, one field of each per round; for the numbers `present`, the fields of
    any wire type that hold something (their start and length say nothing)."""
    last = len(data) - 1
    if last >= LARGEST:
        raise NotColumnar("a graph of gigabytes")
    pos, ends = starts.astype(np.int32), ends.astype(np.int32)  # half the memory of int64
    active = np.nonzero(pos < ends)[0].astype(np.int32)
    found: dict[int, list[tuple[Ints, Ints, Ints]]] = {n: [] for n in (*wanted, *present)}
    rounds = 0
    while len(active):
        rounds += 1
        if rounds > MAX_ROUNDS:
            raise NotColumnar("a message with very many fields")
        p = pos[active]
        key = data[p]
        size = data[np.minimum(p + 1, last)]
        number, start, after = key >> 3, p + 2, p + 2 + size
        plain = (key < 0x80) & ((key & 7) == 2) & (size < 0x80)  # most fields
        if not plain.all():
            number, start, after = _general(data, p, ~plain, number, start, after, last)
        if (after > ends[active]).any():
            raise NotColumnar("a field runs past the end of its message")
        for n in (*wanted, *present):
            holds = (after - start >= 0) if n in wanted else (after != start)  # not an empty LEN
            hit = (number == n) & holds
            if hit.any():
                found[n].append((active[hit], start[hit], (after - start)[hit]))
        pos[active] = after
        active = active[after < ends[active]]
    return {n: _by_message(parts, len(starts)) for n, parts in found.items()}


def _general(
    data: np.ndarray, p: Ints, odd: npt.NDArray[np.bool_], number: Ints, start: Ints,
    after: Ints, last: int,
) -> tuple[Ints, Ints, Ints]:  # fmt: skip
    """Number, value start and end of the fields at p[odd]: longer keys or lengths, other wire
    types (their start is after their end: not a LEN value)."""
    number, start, after = number.astype(np.int64), start.astype(np.int64), after.astype(np.int64)
    q = p[odd].astype(np.int64)
    key, q = _varint(data, q, 2, last)
    wire = key & 7
    value_start, value_end = q.copy(), q.copy()
    is_len = wire == 2
    if is_len.any():
        size, first = _varint(data, q[is_len], 4, last)
        value_start[is_len], value_end[is_len] = first, first + size
    is_varint = wire == 0
    if is_varint.any():
        value_end[is_varint] = _varint(data, q[is_varint], 10, last)[1]
    value_end[wire == 1] += 8
    value_end[wire == 5] += 4
    if ((wire == 3) | (wire == 4) | (wire > 5)).any() or not (key >> 3).all():
        raise NotColumnar("an unusual protobuf field")
    value_start[~is_len] = value_end[~is_len] + 1  # no LEN value
    number[odd], start[odd], after[odd] = key >> 3, value_start, value_end
    return number, start, after


def _varint(data: np.ndarray, p: Ints, most: int, last: int) -> tuple[Ints, Ints]:
    """The varints at p (at most `most` bytes each) and the positions after them."""
    value = np.zeros(len(p), dtype=np.int64)
    after = p.copy()
    going = np.ones(len(p), dtype=bool)
    for k in range(most):
        byte = data[np.minimum(p + k, last)].astype(np.int64)
        value[going] |= (byte[going] & 0x7F) << (7 * k)
        after[going] = p[going] + k + 1
        going &= byte >= 0x80
        if not going.any():
            return value, after
    raise NotColumnar("a varint longer than droplint reads in columns")


def _by_message(parts: list[tuple[Ints, Ints, Ints]], count: int) -> Field:
    """Fields found round by round, put message by message in the order written: a counting
    sort (a message has at most one field per round, so its rounds rank its fields)."""
    if not parts:
        empty = np.zeros(0, dtype=np.int32)
        return Field(empty, empty, empty)
    seen = np.zeros(count, dtype=np.int32)
    ranks = []
    for message, _, _ in parts:
        ranks.append(seen[message])
        seen[message] += 1
    first = np.cumsum(seen, dtype=np.int64) - seen
    message = np.concatenate([p[0] for p in parts])
    where = first[message] + np.concatenate(ranks)
    out = [np.empty(len(message), dtype=np.int32) for _ in range(3)]
    out[0][where] = message
    for i in (1, 2):
        out[i][where] = np.concatenate([p[i] for p in parts])
    return Field(*out)


class Strings:
    """Ids for byte strings of a buffer: equal ids are equal strings, checked byte for byte."""

    def __init__(
        self, data: np.ndarray, starts: Ints, lengths: Ints, distinct: bool = False
    ) -> None:
        """distinct: strings that must all differ (node names): each is its own id, and two
        of one hash refuse the columns (no sort for ids: the index for find() is made when
        first needed)."""
        self.data, self.words = data, _words(data)
        self.starts, self.lengths = starts.astype(np.int32), lengths.astype(np.int32)
        count = len(self.starts)
        hashes = _hashes(self.words, self.starts, self.lengths)
        self.distinct, self._order = distinct, None  # distinct: sorted place -> string
        if distinct:
            self._hashes, self.unique = hashes, np.sort(hashes)
            if count > 1 and (self.unique[1:] == self.unique[:-1]).any():
                raise NotColumnar("two names of one hash: maybe one name twice")
            self.ids = self.first = np.arange(count, dtype=np.int32)
            return
        order = np.argsort(hashes, kind="stable")  # measured: half the time of quicksort here
        ordered = hashes[order]
        del hashes
        new = np.ones(count, dtype=bool)
        new[1:] = ordered[1:] != ordered[:-1]
        self.unique = ordered[new]  # sorted: find() searches it
        self.first: Ints = order[new].astype(np.int32)  # id -> one string with that id
        self.ids: Ints = np.empty(count, dtype=np.int32)  # string -> its id
        self.ids[order] = np.cumsum(new, dtype=np.int32) - 1
        del order, ordered, new
        first = self.first[self.ids]
        _same(self.words, self.starts, self.lengths, self.starts[first], self.lengths[first])

    def find(self, text: bytes) -> int | None:
        """The id of text, or None when no string here equals it."""
        h = np.uint64(hash_bytes(text))
        k = int(np.searchsorted(self.unique, h))
        if k == len(self.unique) or self.unique[k] != h:
            return None
        if self.distinct:  # strings that are their own ids
            if self._order is None:
                self._order = np.argsort(self._hashes)
            k = int(self._order[k])
        return k if self.bytes_of(k) == text else None

    def texts(self, string_ids: Ints) -> list[str]:
        """The strings of many ids, decoded in one piece (they are printable ASCII)."""
        first = self.first[string_ids]
        starts, lengths = self.starts[first].astype(np.int64), self.lengths[first]
        ends = np.cumsum(lengths, dtype=np.int64)
        where = np.repeat(starts - (ends - lengths), lengths) + np.arange(
            int(ends[-1]) if len(ends) else 0
        )
        joined = self.data[where].tobytes().decode("ascii")
        bounds = [0, *ends.tolist()]
        return [joined[a:b] for a, b in pairwise(bounds)]

    def bytes_of(self, string_id: int) -> bytes:
        i = self.first[string_id]
        start = int(self.starts[i])
        return self.data[start : start + int(self.lengths[i])].tobytes()


def _hashes(words: Words, starts: Ints, lengths: Ints) -> npt.NDArray[np.uint64]:
    """hash_bytes() of every string, a chunk at a time (temporaries of a chunk's size); a
    byte that is not printable ASCII refuses the columns."""
    if len(lengths) and int(lengths.max()) > MAX_STRING:
        raise NotColumnar("a very long name")
    hashes = np.empty(len(starts), dtype=np.uint64)
    for chunk in _chunks(len(starts)):
        s, n = starts[chunk], lengths[chunk]
        h = n.astype(np.uint64) * MULTIPLIER
        for j in _rounds(n):
            sub = np.nonzero(n > 8 * j)[0]
            word, count = _word(words, s[sub], n[sub], j)
            _check_printable(word, count)
            h[sub] = (h[sub] ^ word) * MULTIPLIER
        hashes[chunk] = _mix(h)
    return hashes


def _same(words: Words, starts: Ints, lengths: Ints, starts2: Ints, lengths2: Ints) -> None:
    """The strings at (starts, lengths) equal those at (starts2, lengths2), pair by pair, or
    their equal hashes were a collision: refused. Strings of one length up to 8 bytes cannot
    collide (each step of the hash is one to one): only longer ones are compared."""
    if (lengths != lengths2).any():
        raise NotColumnar("two names with one hash")
    check = np.nonzero((lengths > 8) & (starts != starts2))[0]
    for chunk in _chunks(len(check)):
        index = check[chunk]
        s, s2, n = starts[index], starts2[index], lengths[index]
        for j in _rounds(n):
            going = n > 8 * j
            mine = _word(words, s[going], n[going], j)[0]
            if (mine != _word(words, s2[going], n[going], j)[0]).any():
                raise NotColumnar("two names with one hash")


def _rounds(lengths: Ints) -> range:
    return range(int((lengths.max() + 7) // 8) if len(lengths) else 0)


def _word(
    words: Words, starts: Ints, lengths: Ints, j: int
) -> tuple[npt.NDArray[np.uint64], Ints | None]:
    """The j-th 8 bytes of the strings, zero-extended, and how many are theirs (None: 8
    each). A last, shorter piece is read as the 8 bytes that end with the string and shifted
    (for a string in the first 8 bytes: the 8 that start with it, masked)."""
    rest = lengths - 8 * j
    short = np.nonzero(rest < 8)[0]
    word = words[np.minimum(starts + 8 * j, len(words) - 1)]  # the short ones: below
    if not len(short):
        return word, None
    s, n = starts[short], rest[short]
    back = s + lengths[short] >= 8
    tail = words[np.where(back, s + lengths[short] - 8, s + 8 * j)]
    bits = (n * 8).astype(np.uint64)
    word[short] = np.where(
        back, tail >> (np.uint64(64) - bits), tail & ((np.uint64(1) << bits) - np.uint64(1))
    )
    count = np.full(len(starts), 8, dtype=np.int64)
    count[short] = n
    return word, count


LOW, HIGH = np.uint64(0x2020202020202020), np.uint64(0x8080808080808080)
DEL, FILL = np.uint64(0x7F7F7F7F7F7F7F7F), np.uint64(0x4141414141414141)
ONES = np.uint64(0x0101010101010101)


def _check_printable(word: npt.NDArray[np.uint64], count: Ints | None) -> None:
    """Every byte of the strings is printable ASCII (0x20-0x7E), 8 at a time: bytes past a
    string's end are filled with 'A' first."""
    if count is not None:
        short = count < 8
        fill = ~((np.uint64(1) << (count[short] * 8).astype(np.uint64)) - np.uint64(1))
        word = word.copy()
        word[short] |= fill & FILL
    below = (word - LOW) & ~word & HIGH  # a byte under 0x20 (or 0x80 and up: caught next)
    delete = word ^ DEL
    if (below | (word & HIGH) | ((delete - ONES) & ~delete & HIGH)).any():
        raise NotColumnar("a name that is not printable ASCII")


def _chunks(count: int, size: int = 1 << 16) -> Iterator[Ints]:
    for first in range(0, count, size):
        yield np.arange(first, min(count, first + size), dtype=np.int32)


def _words(data: np.ndarray) -> npt.NDArray[np.uint64]:
    """The 8 bytes starting at every position of data, as little-endian integers (a view)."""
    if len(data) < 16:
        raise NotColumnar("a tiny buffer")
    return np.ndarray((len(data) - 7,), dtype="<u8", buffer=data, strides=(1,))


def _mix(h: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    h = h ^ (h >> np.uint64(31))
    h = h * MIX
    return h ^ (h >> np.uint64(29))


def hash_bytes(text: bytes) -> int:
    """What _hashes() gives one string, in Python (a name asked for by a caller)."""
    h = len(text) * int(MULTIPLIER) & MASK
    for j in range(0, len(text), 8):
        h = ((h ^ int.from_bytes(text[j : j + 8], "little")) * int(MULTIPLIER)) & MASK
    h ^= h >> 31
    h = h * int(MIX) & MASK
    return h ^ (h >> 29)
