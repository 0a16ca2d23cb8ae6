"""An ONNX file's structure without its weights, read with plain reads (no memory map).

A memory-mapped file kills the process (SIGBUS) when another process truncates it while it is
read, as a training job rewriting a checkpoint does; plain reads see a short file instead, which
is a sentence (DL001). Small files are read whole. A large one is copied field by field into a
smaller ModelProto that leaves out what droplint never decodes: the payload of every tensor with
more than a few elements (the weights), which is skipped by seeking. What is copied counts
against the config budget (limits.config-mib), so the copy stays bounded whatever the file.
"""

from __future__ import annotations

from typing import BinaryIO

from droplint.errors import UnreadableModel
from droplint.limits import limits, over
from droplint.read.protowire import I32, I64, LEN, VARINT, read_varint

WHOLE_FILE = 64 << 20  # files up to this size are read at once
BLOCK = 1 << 20  # read-ahead of the field scanner
SMALL_PAYLOAD = 512  # bytes of tensor data kept: the values droplint decodes fit (64 elements)
TENSOR_PAYLOADS = {4, 5, 6, 7, 9, 10, 11}  # TensorProto *_data and raw_data
# Fields holding messages that hold tensors, by message: (field number, message kind).
NESTED = {
    "model": {7: "graph", 20: "training"},
    "training": {1: "graph", 2: "graph"},
    "graph": {5: "tensor"},
}


def read_structure(f: BinaryIO, size: int) -> bytes:
    """The bytes to parse: the whole file when small, else its skeleton."""
    if size <= getattr(f, "whole_file", WHOLE_FILE):
        data = f.read(size + 1)
        if len(data) != size:
            raise UnreadableModel("the file changed size while it was read")
        return data
    return _Copier(f, size).message("model", size)


class _Copier:
    def __init__(self, f: BinaryIO, size: int) -> None:
        self.f, self.size = f, size
        self.block, self.start = b"", 0  # the read-ahead and its offset in the file
        self.pos = 0
        self.copied, self.budget = 0, limits().config_bytes
        self.nodes = 0  # NodeProtos of the graphs met so far

    def message(self, kind: str, length: int) -> bytes:
        """One message of `length` bytes at the current position, rewritten."""
        end, out = self.pos + length, bytearray()
        nested = NESTED.get(kind, {})
        while self.pos < end:
            if kind == "graph" and self.node_run(end, out):
                continue
            key_start = self.pos
            key = self.varint()
            number, wire = key >> 3, key & 7
            if number == 0:
                raise UnreadableModel("field number 0: not an ONNX protobuf")
            if wire == LEN:
                size = self.varint()
                if self.pos + size > end:
                    raise UnreadableModel("protobuf field runs past the end of its message")
                if kind == "graph" and number == 1:
                    self.count_node()
                if number in nested:
                    body = self.message(nested[number], size)
                    out += _key(number) + _varint(len(body)) + body
                elif kind == "tensor" and number in TENSOR_PAYLOADS and size > SMALL_PAYLOAD:
                    self.seek(self.pos + size)  # the weights: never read
                else:
                    out += self.take(key_start, size)
            elif wire == VARINT:
                self.varint()
                out += self.bytes_between(key_start)
            elif wire in (I64, I32):
                self.seek(self.pos + (8 if wire == I64 else 4))
                out += self.bytes_between(key_start)
            else:
                raise UnreadableModel(f"unsupported protobuf wire type {wire}")
        if self.pos != end:
            raise UnreadableModel("protobuf field runs past the end of its message")
        return bytes(out)

    def node_run(self, end: int, out: bytearray) -> bool:
        """Copy the NodeProtos and small initializers (too small to hold a payload worth
        skipping) that follow one another from the current position, as far as their keys and
        lengths lie in the read-ahead block: one copy for the run, where the general loop would
        read each key and length byte by byte. False when none is there."""
        block, base = self.block, self.start
        pos, nodes, last, moved = self.pos, 0, len(block), False
        while base <= pos < base + last and block[pos - base] in (0x0A, 0x2A):  # node, tensor
            i, size, shift = pos - base + 1, 0, 0
            while i < last and block[i] >= 0x80 and shift < 63:
                size |= (block[i] & 0x7F) << shift
                i, shift = i + 1, shift + 7
            if i >= last or shift >= 63:
                break  # the length runs past the block (or is no varint): the general loop
            size |= block[i] << shift
            if base + i + 1 + size > end:
                raise UnreadableModel("protobuf field runs past the end of its message")
            node = block[pos - base] == 0x0A
            if not node and size > SMALL_PAYLOAD:  # a tensor that may hold weights
                body = _without_weights(block, i + 1, i + 1 + size)
                if body is None:
                    break  # not all in the block, or unusual: the general loop
                self.flush(pos, out)
                self.keep(_key(5) + _varint(len(body)) + body, out)
                pos = self.pos = base + i + 1 + size
                moved = True
                continue
            pos, nodes = base + i + 1 + size, nodes + node
        if pos == self.pos:
            return moved
        self.count_node(nodes)
        self.flush(pos, out)
        return True

    def flush(self, pos: int, out: bytearray) -> None:
        """Copy the run from the current position to pos."""
        if pos > self.pos:
            out += self.take(self.pos, pos - self.pos)

    def keep(self, field: bytes, out: bytearray) -> None:
        """A rewritten field, counted against the budget."""
        self.copied += len(field)
        if self.copied > self.budget:
            raise over(f"the graph structure is larger than {self.budget >> 20} MiB", "config_mib")
        out += field

    def count_node(self, count: int = 1) -> None:
        """A file of millions of nodes is refused before they are all copied."""
        self.nodes += count
        if self.nodes > limits().nodes:
            raise over(f"the file has more than {limits().nodes:,} nodes", "nodes")

    def take(self, key_start: int, size: int) -> bytes:
        """The field from its key to the end of its payload, counted against the budget."""
        self.copied += self.pos + size - key_start
        if self.copied > self.budget:
            raise over(f"the graph structure is larger than {self.budget >> 20} MiB", "config_mib")
        self.seek(self.pos + size)
        return self.bytes_between(key_start)

    def bytes_between(self, start: int) -> bytes:
        return self.read_at(start, self.pos - start)

    def varint(self) -> int:
        value = shift = 0
        while True:
            if shift > 63:
                raise UnreadableModel("truncated or invalid protobuf varint")
            byte = self.read_at(self.pos, 1)
            self.pos += 1
            value |= (byte[0] & 0x7F) << shift
            if byte[0] < 0x80:
                return value
            shift += 7

    def seek(self, pos: int) -> None:
        if pos > self.size:
            raise UnreadableModel("protobuf field runs past the end of the file")
        self.pos = pos

    def read_at(self, pos: int, size: int) -> bytes:
        """size bytes at pos, through the read-ahead block."""
        offset = pos - self.start
        if offset >= 0 and offset + size <= len(self.block):
            return self.block[offset : offset + size]
        self.f.seek(pos)
        ahead = getattr(self.f, "read_ahead", BLOCK)  # a remote file's reads are fetches
        self.block, self.start = self.f.read(max(size, ahead)), pos
        if len(self.block) < size:
            raise UnreadableModel("the file is cut short: truncated, or changed while read")
        return self.block[:size]


def _without_weights(block: bytes, first: int, end: int) -> bytes | None:
    """The TensorProto at block[first:end] without its payloads of more than SMALL_PAYLOAD
    bytes, read from the block: what message("tensor") writes, field by field. None where a key
    takes more than a byte or a field is unusual (the general loop reads it and says why)."""
    if end > len(block):
        return None
    out, j = bytearray(), first
    while j < end:
        key = block[j]
        number, wire = key >> 3, key & 7
        if key >= 0x80 or number == 0:
            return None
        value, k = 0, j + 1
        if wire in (VARINT, LEN):
            try:
                value, k = read_varint(block, k)  # type: ignore[arg-type]
            except UnreadableModel:
                return None
        if wire == LEN:
            after = k + value
            if after > end:
                return None
            if not (number in TENSOR_PAYLOADS and value > SMALL_PAYLOAD):
                out += block[j:after]
        elif wire in (VARINT, I64, I32):
            after = k + (8 if wire == I64 else 4 if wire == I32 else 0)
            if after > end:
                return None
            out += block[j:after]
        else:
            return None
        j = after
    return bytes(out)


def _key(number: int) -> bytes:
    return _varint(number << 3 | LEN)


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)
