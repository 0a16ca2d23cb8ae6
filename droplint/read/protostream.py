"""Protobuf fields read from a file by seeking: a field's payload is read only when asked for,
so a message with gigabytes of other fields costs a few small reads (the first step towards
the one field a reader needs)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from droplint.errors import UnreadableModel
from droplint.read.protowire import I32, I64, LEN, VARINT


@dataclass(frozen=True)
class Span:
    """Where a length-delimited field's payload lies in the file."""

    start: int
    size: int

    def read(self, f: BinaryIO, limit: int, what: str) -> bytes:
        if self.size > limit:
            raise UnreadableModel(f"{what} is larger than the {limit >> 20} MiB limit")
        f.seek(self.start)
        data = f.read(self.size)
        if len(data) != self.size:
            raise UnreadableModel(f"{what} is cut short: the file is truncated")
        return data


def scan(f: BinaryIO, span: Span) -> Iterator[tuple[int, int, int | Span]]:
    """(field number, wire type, value) of the message in span; LEN values as Spans."""
    pos, end = span.start, span.start + span.size
    while pos < end:
        key, pos = _varint(f, pos, end)
        number, wire = key >> 3, key & 7
        if number == 0:
            raise UnreadableModel("protobuf field number 0: not a protobuf message")
        if wire == VARINT:
            value, pos = _varint(f, pos, end)
            yield number, wire, value
        elif wire == LEN:
            size, pos = _varint(f, pos, end)
            if pos + size > end:
                raise UnreadableModel("protobuf field runs past the end of its message")
            yield number, wire, Span(pos, size)
            pos += size
        elif wire in (I64, I32):
            pos += 8 if wire == I64 else 4
            if pos > end:
                raise UnreadableModel("truncated protobuf fixed-width field")
        else:
            raise UnreadableModel(f"unsupported protobuf wire type {wire}")


def _varint(f: BinaryIO, pos: int, end: int) -> tuple[int, int]:
    f.seek(pos)
    head = f.read(min(10, end - pos))
    value = shift = 0
    for i, byte in enumerate(head):
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, pos + i + 1
        shift += 7
    raise UnreadableModel("truncated or invalid protobuf varint")
