"""A minimal protobuf wire-format reader: fields are read lazily, payloads are never copied."""

from __future__ import annotations

from collections.abc import Iterator

from droplint.errors import UnreadableModel
from droplint.read.printable import printable

VARINT, I64, LEN, I32 = 0, 1, 2, 5


def read_varint(buf: memoryview, pos: int) -> tuple[int, int]:
    """Return (value, next position) of the varint at pos."""
    value = shift = 0
    end = len(buf)
    while True:
        if pos >= end or shift > 63:
            raise UnreadableModel("truncated or invalid protobuf varint")
        byte = buf[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, pos
        shift += 7


def fields(buf: memoryview) -> Iterator[tuple[int, int, int | memoryview]]:
    """Yield (field number, wire type, value) for each field of one message.

    LEN values are zero-copy slices; fixed-width values are returned as ints.
    """
    pos, end = 0, len(buf)
    while pos < end:
        number, wire, value, pos = field_at(buf, pos, end)
        yield number, wire, value


def field_at(buf: memoryview, pos: int, end: int) -> tuple[int, int, int | memoryview, int]:
    """(field number, wire type, value, position after it) of the field at pos."""
    key = buf[pos]  # one-byte keys and lengths are the common case: read them inline
    if key < 0x80:
        pos += 1
    else:
        key, pos = read_varint(buf, pos)
    number, wire = key >> 3, key & 7
    if number == 0:  # no message has it: zero bytes, or not protobuf at all
        raise UnreadableModel("protobuf field number 0: not a protobuf message")
    if wire == VARINT:
        value, pos = read_varint(buf, pos)
        return number, wire, value, pos
    if wire == LEN:
        size = buf[pos] if pos < end else 0x80
        if size < 0x80:
            pos += 1
        else:
            size, pos = read_varint(buf, pos)
        if pos + size > end:
            raise UnreadableModel("protobuf field runs past the end of its message")
        return number, wire, buf[pos : pos + size], pos + size
    if wire in (I64, I32):
        width = 8 if wire == I64 else 4
        if pos + width > end:
            raise UnreadableModel("truncated protobuf fixed-width field")
        return number, wire, int.from_bytes(buf[pos : pos + width], "little"), pos + width
    raise UnreadableModel(f"unsupported protobuf wire type {wire}")


def text(value: int | memoryview) -> str:
    if not isinstance(value, memoryview):
        raise UnreadableModel("expected a string field in the protobuf")
    try:
        return printable(str(value, "utf-8"))  # decodes straight from the buffer, no copy
    except UnicodeDecodeError as exc:
        raise UnreadableModel("a protobuf string field is not valid UTF-8") from exc


def packed_varints(value: int | memoryview) -> list[int]:
    """A repeated varint field: packed (LEN) or one element (VARINT)."""
    if isinstance(value, int):
        return [value]
    out, pos = [], 0
    while pos < len(value):
        item, pos = read_varint(value, pos)
        out.append(item)
    return out


def signed64(value: int) -> int:
    """Varints hold int64 as two's complement."""
    return value - (1 << 64) if value >= 1 << 63 else value
