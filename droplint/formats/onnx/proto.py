"""ONNX models, read from the protobuf wire format without the onnx package.

Only the graph structure is decoded. Initializer payloads (the weights) are skipped without
being read (skeleton.py), so a model with a gigabyte of embedded weights costs about as much as
its graph; only small tensors (a Dropout ratio, a training_mode flag) are decoded. External data
is never opened. Field numbers follow onnx/onnx.proto.
"""

from __future__ import annotations

import io
import os
import struct
from array import array
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from droplint.errors import UnreadableModel
from droplint.formats.onnx.skeleton import read_structure
from droplint.limits import OverLimit, limits, over
from droplint.read import SavedModel
from droplint.read.printable import printable
from droplint.read.protowire import (
    I32,
    I64,
    LEN,
    VARINT,
    field_at,
    fields,
    packed_varints,
    read_varint,
    signed64,
    text,
)

SMALL_TENSOR = 64  # elements decoded: ratios, flags, thresholds, mask shapes; weights never

# TensorProto.DataType -> struct format of one element in raw_data (bfloat16: its 16 bits)
RAW_FORMATS = {1: "f", 2: "B", 3: "b", 4: "H", 5: "h", 6: "i", 7: "q", 9: "?", 10: "e", 11: "d",
               12: "I", 13: "Q", 16: "H"}  # fmt: skip
INT_TYPES = {2, 3, 4, 5, 6, 7, 9, 12, 13}
FLOAT16, BFLOAT16, BOOL, UINT32, UINT64 = 10, 16, 9, 12, 13


@dataclass
class OnnxTensor:
    name: str = ""
    dims: tuple[int, ...] = ()
    data_type: int = 0
    # a small tensor's storage field and its pieces, decoded when values are first asked for
    # (a graph with a weight per node asks for few of them)
    payload: tuple[int, list[int | memoryview]] | None = field(default=None, repr=False)
    _values: list[Any] | None = field(default=None, repr=False)

    @property
    def values(self) -> list[Any] | None:
        """The elements, for small tensors only."""
        if self.payload is not None:
            number, pieces = self.payload
            with read_late():
                decoded = [_values(self.data_type, number, piece) for piece in pieces]
            self.payload = None
            self._values = None if None in decoded else [v for p in decoded for v in p or []]
        return self._values


@dataclass(slots=True)
class OnnxAttr:
    name: str
    value: Any  # float, int, str, OnnxTensor, OnnxGraph, or a list of these
    ref: str = ""  # in a function body: the caller's attribute that gives the value


@dataclass(slots=True)
class OnnxNode:
    op_type: str = ""
    domain: str = ""
    name: str = ""
    overload: str = ""
    inputs: list[str] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)
    attrs: dict[str, OnnxAttr] = field(default_factory=dict)
    metadata: dict[str, str] = field(default_factory=dict)


@dataclass
class OnnxValue:
    name: str
    elem_type: int | None = None
    shape: tuple[int | None, ...] | None = None


class NodeSpans(Sequence[OnnxNode]):
    """The main graph's NodeProtos as byte ranges of its message, decoded when asked for: a
    graph of a million nodes need not hold a million decoded nodes (the columnar build reads
    the bytes with numpy and decodes only the nodes it is asked about)."""

    def __init__(self, buf: memoryview, starts: array[int], ends: array[int]) -> None:
        self.buf, self.starts, self.ends = buf, starts, ends

    def __len__(self) -> int:
        return len(self.starts)

    def __getitem__(self, i: int) -> OnnxNode:  # type: ignore[override]
        return decode_node(self.buf[self.starts[i] : self.ends[i]])


class TensorSpans(Mapping[str, "OnnxTensor"]):
    """The main graph's initializers as byte ranges, by name (the last of a name wins, as in
    a dict): read all at the first lookup by name; the columnar build reads their names and
    shapes from the bytes and decodes only the ones a node made needs (at(i))."""

    def __init__(self, buf: memoryview, starts: array[int], ends: array[int]) -> None:
        self.buf, self.starts, self.ends = buf, starts, ends
        self._by_name: dict[str, OnnxTensor] | None = None

    def at(self, i: int) -> OnnxTensor:
        with read_late():
            return _tensor(self.buf[self.starts[i] : self.ends[i]])

    def _all(self) -> dict[str, OnnxTensor]:
        if self._by_name is None:
            tensors = (self.at(i) for i in range(len(self.starts)))
            self._by_name = {t.name: t for t in tensors}
        return self._by_name

    def __getitem__(self, name: str) -> OnnxTensor:
        return self._all()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())


def decode_node(buf: memoryview) -> OnnxNode:
    """One NodeProto of the main graph, read after the file."""
    with read_late():
        return _node(buf, 0)


@contextmanager
def read_late() -> Iterator[None]:
    """Parts of the file read after it (main-graph nodes, small tensors' values): a damaged
    one is the sentence it would have been while reading."""
    try:
        yield
    except OverLimit:
        raise
    except UnreadableModel as exc:
        raise UnreadableModel(f"a damaged or truncated ONNX file: {exc}") from exc
    except RecursionError as exc:
        raise UnreadableModel("the ONNX graph is nested too deeply") from exc
    except (TypeError, ValueError, IndexError, OverflowError, struct.error) as exc:
        raise UnreadableModel(f"not a valid ONNX protobuf ({type(exc).__name__})") from exc


@dataclass
class OnnxGraph:
    name: str = ""
    nodes: Sequence[OnnxNode] = field(default_factory=list)
    inputs: list[OnnxValue] = field(default_factory=list)
    outputs: list[OnnxValue] = field(default_factory=list)
    initializers: Mapping[str, OnnxTensor] = field(default_factory=dict)
    value_info: list[OnnxValue] = field(default_factory=list)  # shapes of inner tensors


@dataclass
class OnnxFunction:
    domain: str = ""
    name: str = ""
    overload: str = ""
    inputs: list[str] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)
    nodes: list[OnnxNode] = field(default_factory=list)
    opsets: dict[str, int] = field(default_factory=dict)
    defaults: dict[str, OnnxAttr] = field(default_factory=dict)  # attributes a call may omit


@dataclass
class OnnxModel:
    ir_version: int = 0
    producer_name: str = ""
    producer_version: str = ""
    opsets: dict[str, int] = field(default_factory=dict)
    graph: OnnxGraph | None = None
    functions: list[OnnxFunction] = field(default_factory=list)
    training: list[tuple[str, OnnxGraph]] = field(default_factory=list)


def read_onnx(path: Path) -> SavedModel:
    with path.open("rb") as f:
        size = _size(f, path)
        if size == 0:
            raise UnreadableModel("the file is empty")
        try:
            data = read_structure(f, size)
        except OverLimit:
            raise
        except UnreadableModel as exc:
            raise UnreadableModel(f"a damaged or truncated ONNX file: {exc}") from exc
    model, problem = _parse(data)
    return _saved(model, problem, str(path))


def _size(f: Any, path: Any) -> int:
    """The opened file's size (a local file's descriptor: what was opened, even if the path
    changed since), or the remote object's."""
    try:
        return os.fstat(f.fileno()).st_size
    except (OSError, io.UnsupportedOperation):
        return int(path.stat().st_size)


def read_onnx_bytes(data: bytes, path: str = "<memory>") -> SavedModel:
    """A serialized ModelProto held in memory (e.g. from `model.SerializeToString()`)."""
    if not data:
        raise UnreadableModel("the model is empty")
    model, problem = _parse(data)
    return _saved(model, problem, path)


def _saved(model: OnnxModel | None, problem: str, path: str) -> SavedModel:
    if problem:
        raise UnreadableModel(problem)
    assert model is not None
    if model.graph is None:
        raise UnreadableModel("not an ONNX model: no graph in the ModelProto")
    producer = model.producer_name or None  # not recorded: unknown, never invented
    return SavedModel(path, "onnx", producer, model.producer_version or None, model)


def _parse(data: bytes) -> tuple[OnnxModel | None, str]:
    """The model, or a reason it cannot be read."""
    _Count.start()
    try:
        return _model(memoryview(data)), ""
    except OverLimit as exc:
        return None, str(exc)
    except UnreadableModel as exc:
        return None, f"a damaged or truncated ONNX file: {exc}"
    except RecursionError:
        return None, "the ONNX graph is nested too deeply"
    except (TypeError, ValueError, IndexError, OverflowError, struct.error) as exc:
        # Field types that do not match onnx.proto: not an ONNX model, or a damaged one.
        return None, f"not a valid ONNX protobuf ({type(exc).__name__})"


def _model(buf: memoryview) -> OnnxModel:
    m = OnnxModel()
    pos, end = 0, len(buf)
    while pos < end:
        number, wire, value, pos = field_at(buf, pos, end)
        if number == 1 and wire == VARINT:
            m.ir_version = value  # type: ignore[assignment]
        elif wire != LEN:
            continue
        elif number == 2:
            m.producer_name = text(value)
        elif number == 3:
            m.producer_version = text(value)
        elif number == 7:
            m.graph = _main_graph(buf, pos - len(value), pos)  # type: ignore[arg-type]
        elif number == 8:
            domain, version = _opset(value)  # type: ignore[arg-type]
            m.opsets[domain] = version
        elif number == 20:
            m.training.extend(_training(value, len(m.training)))  # type: ignore[arg-type]
        elif number == 25:
            m.functions.append(_function(value))  # type: ignore[arg-type]
    return m


def _opset(buf: memoryview) -> tuple[str, int]:
    domain, version = "", 0
    for number, wire, value in fields(buf):
        if number == 1 and wire == LEN:
            domain = text(value)
        elif number == 2 and wire == VARINT:
            version = value  # type: ignore[assignment]
    return ("" if domain == "ai.onnx" else domain), version


def _graph(buf: memoryview, depth: int) -> OnnxGraph:
    if depth > limits().nesting:
        raise over(f"ONNX subgraphs are nested more than {limits().nesting} deep", "nesting")
    g = OnnxGraph()
    for number, wire, value in fields(buf):
        if wire == LEN and number == 1:
            _Count.add()
            g.nodes.append(_node(value, depth))  # type: ignore[arg-type, attr-defined]
        elif wire == LEN and number == 5:
            tensor = _tensor(value)  # type: ignore[arg-type]
            g.initializers[tensor.name] = tensor  # type: ignore[index]
        else:
            _graph_field(g, number, wire, value)
    return g


def _graph_field(g: OnnxGraph, number: int, wire: int, value: int | memoryview) -> None:
    """A GraphProto field other than its nodes and initializers."""
    if wire != LEN:
        return
    if number == 2:
        g.name = text(value)
    elif number == 11:
        g.inputs.append(_value_info(value))  # type: ignore[arg-type]
    elif number == 12:
        g.outputs.append(_value_info(value))  # type: ignore[arg-type]
    elif number == 13:
        g.value_info.append(_value_info(value))  # type: ignore[arg-type]


def _main_graph(buf: memoryview, start: int, end: int) -> OnnxGraph:
    """The main GraphProto at buf[start:end]. Its nodes and initializers are kept as byte
    ranges of buf (NodeSpans, TensorSpans), walked over here one length each: a graph of a
    million nodes is not a million decoded nodes."""
    g = OnnxGraph()
    spans = {1: (array("q"), array("q")), 5: (array("q"), array("q"))}
    for number, wire, value in _spans_and_fields(buf, start, end, spans):
        _graph_field(g, number, wire, value)
    g.nodes = NodeSpans(buf, *spans[1])
    g.initializers = TensorSpans(buf, *spans[5])
    return g


def _spans_and_fields(
    buf: memoryview, pos: int, end: int, spans: dict[int, tuple[array[int], array[int]]]
) -> Iterator[tuple[int, int, int | memoryview]]:
    """The fields of buf[pos:end] but those numbered in spans (all LEN), whose payloads' byte
    ranges go there instead: runs of them are walked inline, one length per field."""
    raw = buf.obj if isinstance(buf.obj, bytes) and len(buf.obj) == len(buf) else buf
    keys = {number << 3 | LEN: ranges for number, ranges in spans.items()}
    while pos < end:
        ranges = keys.get(raw[pos])
        if ranges is not None:
            before = len(spans[1][0])
            after = _run(raw, pos, end, raw[pos], ranges)
            _Count.add(len(spans[1][0]) - before)
            if after != pos:
                pos = after
                continue  # (a field with a long length stops a run: the general reader)
        number, wire, value, pos = field_at(buf, pos, end)
        if number in spans and wire == LEN:  # a long length or a key written long
            if number == 1:
                _Count.add()
            spans[number][0].append(pos - len(value))  # type: ignore[arg-type]
            spans[number][1].append(pos)
        else:
            yield number, wire, value


def _run(
    raw: bytes | memoryview, pos: int, end: int, key: int, ranges: tuple[array[int], array[int]]
) -> int:
    """Record the payloads of the fields under key from pos while their lengths take one
    byte; the position after them (where the general reader goes on)."""
    add_start, add_end = ranges[0].append, ranges[1].append
    limit = end - 1
    while pos < limit and raw[pos] == key:
        size = raw[pos + 1]
        if size >= 0x80:
            break
        add_start(pos + 2)
        pos += 2 + size
        add_end(pos)
    if pos > end:
        raise UnreadableModel("protobuf field runs past the end of its message")
    return pos


class _Count:
    """NodeProtos read so far in this file, against limits.nodes: a file of millions of nodes
    is refused before they are all built."""

    nodes = 0
    limit = 0

    @classmethod
    def start(cls) -> None:
        cls.nodes, cls.limit = 0, limits().nodes

    @classmethod
    def add(cls, count: int = 1) -> None:
        cls.nodes += count
        if cls.nodes > cls.limit:
            cls.over()

    @staticmethod
    def over() -> None:
        raise over(f"the file has more than {limits().nodes:,} nodes", "nodes")


# NodeProto fields read inline, all LEN: input, output, name, op_type, attribute, doc_string,
# domain, overload, metadata_props. Anything else goes to the generic reader.
NODE_KEYS = frozenset({0x0A, 0x12, 0x1A, 0x22, 0x2A, 0x32, 0x3A, 0x42, 0x4A})
NO_ATTRS: Mapping[str, OnnxAttr] = MappingProxyType({})  # shared by nodes without any
OP_NAMES: dict[str, str] = {}  # op types met so far, each kept once (a graph has a few dozen)
NO_METADATA: Mapping[str, str] = MappingProxyType({})


def _node(buf: memoryview, depth: int) -> OnnxNode:
    """NodeProto. Graphs hold most of their nodes and the nodes most of their bytes: the
    fields are read inline, strings straight from the bytes; an unusual field (another wire
    type, a field droplint does not know) sends the node to the generic reader."""
    data = bytes(buf)
    ins: list[str] = []
    outs: list[str] = []
    name = op = domain = overload = ""
    attrs: dict[str, OnnxAttr] | None = None
    metadata: dict[str, str] | None = None
    pos, end = 0, len(data)
    while pos < end:
        key = data[pos]
        if key not in NODE_KEYS:
            return _node_generic(buf, depth)
        size = data[pos + 1] if pos + 1 < end else 0x80
        if size < 0x80:
            first = pos + 2
        else:
            size, first = read_varint(buf, pos + 1)
        pos = first + size
        if pos > end:
            raise UnreadableModel("protobuf field runs past the end of its message")
        if key == 0x2A:
            attr = _attr(buf[first:pos], depth)
            attrs = attrs if attrs is not None else {}
            attrs[attr.name] = attr
            continue
        if key == 0x4A:
            entry = _entry(buf[first:pos])
            if entry is not None:
                metadata = metadata if metadata is not None else {}
                metadata[entry[0]] = entry[1]
            continue
        if key == 0x32:
            continue  # doc_string: never read
        try:
            value = data[first:pos].decode()
        except UnicodeDecodeError:
            return _node_generic(buf, depth)  # which says so in a sentence
        if not value.isprintable():  # tested here: this loop reads most strings of a graph
            value = printable(value)
        if key == 0x0A:
            ins.append(value)
        elif key == 0x12:
            outs.append(value)
        elif key == 0x1A:
            name = value
        elif key == 0x22:
            op = OP_NAMES.setdefault(value, value)  # one string per op type, not per node
        elif key == 0x3A:
            domain = "" if value == "ai.onnx" else value
        else:
            overload = value
    return OnnxNode(op, domain, name, overload, ins, outs, attrs or NO_ATTRS,  # type: ignore[arg-type]
                    metadata or NO_METADATA)  # type: ignore[arg-type]  # fmt: skip


def _node_generic(buf: memoryview, depth: int) -> OnnxNode:
    n = OnnxNode()
    for number, wire, value in fields(buf):
        if wire != LEN:
            continue
        if number == 1:
            n.inputs.append(text(value))
        elif number == 2:
            n.outputs.append(text(value))
        elif number == 3:
            n.name = text(value)
        elif number == 4:
            n.op_type = text(value)
        elif number == 5:
            attr = _attr(value, depth)  # type: ignore[arg-type]
            n.attrs[attr.name] = attr
        elif number == 7:
            n.domain = "" if (d := text(value)) == "ai.onnx" else d
        elif number == 8:
            n.overload = text(value)
        elif number == 9:
            entry = _entry(value)  # type: ignore[arg-type]
            if entry is not None:
                n.metadata[entry[0]] = entry[1]
    return n


# The node metadata droplint reads (torch's exporter names the source module there); the rest,
# such as the stack traces dynamo writes on every node, is never decoded.
METADATA_KEYS = frozenset({b"pkg.torch.onnx.name_scopes"})


def _entry(buf: memoryview) -> tuple[str, str] | None:
    key_first = len(buf) > 2 and buf[0] == 0x0A and buf[1] < 0x80  # as writers put it
    if key_first and bytes(buf[2 : 2 + buf[1]]) not in METADATA_KEYS:
        return None  # most keys (dynamo's stack traces, ...) are skipped unread
    key: memoryview | None = None
    val = ""
    for number, wire, value in fields(buf):
        if wire == LEN and number == 1:
            key = value  # type: ignore[assignment]
        elif wire == LEN and number == 2:
            val = value  # type: ignore[assignment]
    if key is None or bytes(key) not in METADATA_KEYS:
        return None
    return text(key), text(val) if isinstance(val, memoryview) else ""


def _attr(buf: memoryview, depth: int) -> OnnxAttr:
    name, single, many, ref = "", None, [], ""
    for number, wire, value in fields(buf):
        if number == 1 and wire == LEN:
            name = text(value)
        elif number == 21 and wire == LEN:
            ref = text(value)
        elif number == 2 and wire == I32:
            single = struct.unpack("<f", value.to_bytes(4, "little"))[0]  # type: ignore[union-attr]
        elif number == 3 and wire == VARINT:
            single = signed64(value)  # type: ignore[arg-type]
        elif number == 4 and wire == LEN:
            single = printable(bytes(value).decode("utf-8", "replace"))  # type: ignore[arg-type]
        elif number == 5 and wire == LEN:
            single = _tensor(value)  # type: ignore[arg-type]
        elif number == 6 and wire == LEN:
            single = _graph(value, depth + 1)  # type: ignore[arg-type]
        elif number == 7:
            many.extend(_floats(value))
        elif number == 8:
            many.extend(signed64(v) for v in packed_varints(value))
        elif number == 9 and wire == LEN:
            many.append(printable(bytes(value).decode("utf-8", "replace")))  # type: ignore[arg-type]
        elif number == 11 and wire == LEN:
            many.append(_graph(value, depth + 1))  # type: ignore[arg-type]
    return OnnxAttr(name, single if single is not None else many, ref)


def _floats(value: int | memoryview) -> list[float]:
    if isinstance(value, int):  # a single unpacked fixed32
        return [struct.unpack("<f", value.to_bytes(4, "little"))[0]]
    return list(struct.unpack(f"<{len(value) // 4}f", value[: len(value) // 4 * 4]))


def _tensor(buf: memoryview) -> OnnxTensor:
    """Name, shape and type; element values only when the tensor is small."""
    t = OnnxTensor()
    payload: tuple[int, int | memoryview] | None = None
    dims: list[int] = []
    for number, wire, value in fields(buf):
        if number == 1:
            dims.extend(signed64(v) for v in packed_varints(value))
        elif number == 2 and wire == VARINT:
            t.data_type = value  # type: ignore[assignment]
        elif number == 8 and wire == LEN:
            t.name = text(value)
        elif number in (4, 5, 7, 9, 10, 11):
            if payload is None or payload[0] != number:
                payload = (number, [])
            payload[1].append(value)  # a repeated field may come in several pieces
    t.dims = tuple(dims)
    count = 1
    for d in dims:
        count *= max(d, 0)
        if count > SMALL_TENSOR:
            break
    if payload is not None and count <= SMALL_TENSOR:
        t.payload = payload
    return t


def _values(data_type: int, number: int, value: int | memoryview) -> list[Any] | None:
    """Elements of one storage field, as TensorProto lays them out per type: float16 and
    bfloat16 as bit patterns (in raw_data, or in int32_data), unsigned 64-bit in uint64_data."""
    if number == 9 and isinstance(value, memoryview):  # raw_data, little-endian
        fmt = RAW_FORMATS.get(data_type)
        if fmt is None or len(value) % struct.calcsize(fmt):
            return None
        raw = list(struct.unpack(f"<{len(value) // struct.calcsize(fmt)}{fmt}", value))
        return [_bfloat16(v) for v in raw] if data_type == BFLOAT16 else raw
    if number == 4:
        return _floats(value)
    if number == 10:
        if isinstance(value, int):  # a single unpacked fixed64
            return list(struct.unpack("<d", value.to_bytes(8, "little")))
        return list(struct.unpack(f"<{len(value) // 8}d", value[: len(value) // 8 * 8]))
    unsigned = packed_varints(value)
    if number == 11 or data_type in (UINT32, UINT64):
        return unsigned
    ints = [signed64(v) for v in unsigned]
    if data_type == FLOAT16:
        return [struct.unpack("<e", (v & 0xFFFF).to_bytes(2, "little"))[0] for v in ints]
    if data_type == BFLOAT16:
        return [_bfloat16(v & 0xFFFF) for v in ints]
    return [bool(v) for v in ints] if data_type == BOOL else ints


def _bfloat16(bits: int) -> float:
    """bfloat16 is the upper half of a float32."""
    return struct.unpack("<f", (bits << 16).to_bytes(4, "little"))[0]


def _value_info(buf: memoryview) -> OnnxValue:
    info = OnnxValue("")
    for number, wire, value in fields(buf):
        if number == 1 and wire == LEN:
            info.name = text(value)
        elif number == 2 and wire == LEN:
            _type(value, info)  # type: ignore[arg-type]
    return info


def _type(buf: memoryview, info: OnnxValue) -> None:
    for number, wire, value in fields(buf):
        if number == 1 and wire == LEN:  # tensor_type
            for n2, w2, v2 in fields(value):  # type: ignore[arg-type]
                if n2 == 1 and w2 == VARINT:
                    info.elem_type = v2  # type: ignore[assignment]
                elif n2 == 2 and w2 == LEN:
                    info.shape = _shape(v2)  # type: ignore[arg-type]


def _shape(buf: memoryview) -> tuple[int | None, ...] | None:
    """A TensorShapeProto's dims; None (unknown) past limits.rank axes."""
    dims, rank = [], limits().rank
    for number, wire, value in fields(buf):
        if number == 1 and wire == LEN:
            if len(dims) == rank:
                return None
            dims.append(_dim(value))
    return tuple(dims)


def _dim(buf: Any) -> int | None:
    for number, wire, value in fields(buf):
        if number == 1 and wire == VARINT:
            return signed64(value)  # type: ignore[arg-type]
    return None


def _function(buf: memoryview) -> OnnxFunction:
    fn = OnnxFunction()
    for number, wire, value in fields(buf):
        if wire != LEN:
            continue
        if number == 1:
            fn.name = text(value)
        elif number == 4:
            fn.inputs.append(text(value))
        elif number == 5:
            fn.outputs.append(text(value))
        elif number == 7:
            _Count.add()
            fn.nodes.append(_node(value, 0))  # type: ignore[arg-type]
        elif number == 9:
            domain, version = _opset(value)  # type: ignore[arg-type]
            fn.opsets[domain] = version
        elif number == 10:
            fn.domain = text(value)
        elif number == 13:
            fn.overload = text(value)
        elif number == 11:
            attr = _attr(value, 0)  # type: ignore[arg-type]
            fn.defaults[attr.name] = attr
    return fn


def _training(buf: memoryview, index: int) -> list[tuple[str, OnnxGraph]]:
    graphs = []
    for number, wire, value in fields(buf):
        if wire == LEN and number in (1, 2):
            label = "initialization" if number == 1 else "algorithm"
            graphs.append((f"training_info[{index}]/{label}", _graph(value, 1)))  # type: ignore[arg-type]
    return graphs


__all__ = ["I64", "OnnxGraph", "OnnxModel", "OnnxNode", "read_onnx", "read_onnx_bytes"]
