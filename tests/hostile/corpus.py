"""Broken and malicious inputs, written on demand into a folder.

They are made here rather than committed because most are large or trivial to make (a 1 GiB
zip bomb, JSON nested 100k deep); the one that needs a framework, a tf-keras .h5 whose Lambda
writes a file when run, is committed under samples/hostile (samples/make_hostile_samples.py).
"""

from __future__ import annotations

import json
import random
import shutil
import struct
import zipfile
from collections.abc import Callable
from pathlib import Path

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
GiB = 1 << 30

Maker = Callable[[Path], Path]


def _zip(path: Path, members: dict[str, bytes | str]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def _keras(path: Path, config: object) -> Path:
    meta = json.dumps({"keras_version": "3.15.1"})
    return _zip(path, {"config.json": json.dumps(config), "metadata.json": meta})


def _functional(layers: list[dict]) -> dict:
    return {"class_name": "Functional", "config": {
        "name": "m", "layers": layers, "input_layers": [["x", 0, 0]],
        "output_layers": [["b", 0, 0]]}}  # fmt: skip


def _layer(name: str, source: str) -> dict:
    return {"class_name": "Dense", "name": name, "config": {"name": name, "units": 2},
            "inbound_nodes": [[[source, 0, 0, {}]]]}  # fmt: skip


def _input() -> dict:
    return {"class_name": "InputLayer", "name": "x", "config": {"batch_input_shape": [None, 2]},
            "inbound_nodes": []}  # fmt: skip


def empty(d: Path) -> Path:
    (p := d / "empty.keras").write_bytes(b"")
    return p


def truncated_keras(d: Path) -> Path:
    data = (SAMPLES / "keras3/seed2.keras").read_bytes()
    (p := d / "truncated.keras").write_bytes(data[: len(data) // 3])
    return p


def truncated_h5(d: Path) -> Path:
    data = (SAMPLES / "tfkeras/seed2.h5").read_bytes()
    (p := d / "truncated.h5").write_bytes(data[: len(data) // 3])
    return p


def truncated_onnx(d: Path) -> Path:
    data = (SAMPLES / "onnx/torch/lstm_train_dynamo.onnx").read_bytes()
    (p := d / "truncated.onnx").write_bytes(data[: len(data) // 3])
    return p


def random_bytes(d: Path) -> Path:
    (p := d / "random.h5").write_bytes(random.Random(1).randbytes(64 * 1024))
    return p


def random_onnx(d: Path) -> Path:
    (p := d / "random.onnx").write_bytes(random.Random(2).randbytes(64 * 1024))
    return p


def wrong_extension(d: Path) -> Path:
    (p := d / "notes.h5").write_text("these are my notes, not a model\n" * 50)
    return p


def hdf5_data(d: Path) -> Path:
    return Path(shutil.copy(SAMPLES / "notmodels/h5py_data.h5", d / "data.h5"))


def no_config(d: Path) -> Path:
    return _zip(d / "no_config.keras", {"metadata.json": "{}"})


def invalid_json(d: Path) -> Path:
    return _zip(d / "invalid.keras", {"config.json": '{"class_name": "Functional", "config": '})


def deep_json(d: Path) -> Path:
    return _zip(d / "deep.keras", {"config.json": "[" * 100_000 + "]" * 100_000})


def zip_bomb(d: Path) -> Path:
    """config.json of 1 GiB of spaces, about 1 MiB compressed."""
    path = d / "bomb.keras"
    chunk = b" " * (16 << 20)
    with (
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf,
        zf.open("config.json", "w", force_zip64=True) as member,
    ):
        for _ in range(GiB // len(chunk)):
            member.write(chunk)
    return path


def layer_cycle(d: Path) -> Path:
    return _keras(d / "cycle.keras", _functional([_input(), _layer("a", "b"), _layer("b", "a")]))


def dangling_reference(d: Path) -> Path:
    return _keras(d / "dangling.keras", _functional([_input(), _layer("b", "ghost")]))


# -- ONNX, written at the protobuf wire level ---------------------------------------------


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte, n = n & 0x7F, n >> 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _field(number: int, payload: bytes) -> bytes:
    return _varint(number << 3 | 2) + _varint(len(payload)) + payload


def _node(op: str, inputs: list[str], outputs: list[str], *attrs: bytes) -> bytes:
    body = b"".join(_field(1, i.encode()) for i in inputs)
    body += b"".join(_field(2, o.encode()) for o in outputs)
    return body + _field(4, op.encode()) + b"".join(_field(5, a) for a in attrs)


def _model(graph: bytes) -> bytes:
    opset = _field(8, _field(1, b"") + _varint(2 << 3) + _varint(13))
    return _varint(1 << 3) + _varint(8) + _field(7, graph) + opset


def onnx_cycle(d: Path) -> Path:
    graph = _field(1, _node("Relu", ["b"], ["a"])) + _field(1, _node("Relu", ["a"], ["b"]))
    (p := d / "cycle.onnx").write_bytes(_model(graph))
    return p


def onnx_huge_length(d: Path) -> Path:
    """A graph field that declares 1 TiB of content in a 30-byte file."""
    data = _varint(1 << 3) + _varint(8) + _varint(7 << 3 | 2) + _varint(1 << 40) + b"\0" * 16
    (p := d / "huge_length.onnx").write_bytes(data)
    return p


def onnx_deep_subgraphs(d: Path) -> Path:
    """If nodes whose then_branch holds an If node ..., 10,000 deep."""
    graph = _field(1, _node("Relu", ["x"], ["y"]))
    for _ in range(10_000):
        attr = _field(1, b"then_branch") + _field(6, graph)
        graph = _field(1, _node("If", ["c"], ["y"], attr))
    (p := d / "deep_subgraphs.onnx").write_bytes(_model(graph))
    return p


def _int_attr(name: str, value: int) -> bytes:
    return _field(1, name.encode()) + _varint(3 << 3) + _varint(value) + _varint(20 << 3) + b"\x02"


def _float_attr(name: str, value: float) -> bytes:
    packed = struct.pack("<f", value)
    return _field(1, name.encode()) + _varint(2 << 3 | 5) + packed + _varint(20 << 3) + b"\x01"


def _graph(nodes: list[bytes]) -> bytes:
    """Nodes reading graph input x and writing graph output y."""
    return (
        b"".join(_field(1, n) for n in nodes)
        + _field(11, _field(1, b"x"))
        + _field(12, _field(1, b"y"))
    )


def onnx_squared_constant(d: Path) -> Path:
    """A ratio computed by squaring an int64 constant 60 times: 3^(2^60) if not wrapped."""
    nodes = [_node("Constant", [], ["c0"], _int_attr("value_int", 3))]
    nodes += [_node("Mul", [f"c{i}", f"c{i}"], [f"c{i + 1}"]) for i in range(60)]
    nodes += [
        _node("Cast", ["c60"], ["r"], _int_attr("to", 1)),
        _node("Dropout", ["x", "r"], ["y"]),
    ]
    (p := d / "squared_constant.onnx").write_bytes(_model(_graph(nodes)))
    return p


def onnx_long_mask(d: Path) -> Path:
    """A random mask passed through 100,000 Not nodes before it meets the data."""
    nodes = [_node("RandomUniformLike", ["x"], ["u"]),
             _node("Constant", [], ["p"], _float_attr("value_float", 0.3)),
             _node("Less", ["u", "p"], ["m0"])]  # fmt: skip
    nodes += [_node("Not", [f"m{i}"], [f"m{i + 1}"]) for i in range(100_000)]
    nodes += [_node("Where", ["m100000", "x", "p"], ["y"])]
    (p := d / "long_mask.onnx").write_bytes(_model(_graph(nodes)))
    return p


# Valid models that are expensive to understand: analysed (findings: exit 1) within the limits.
HEAVY: list[Maker] = [onnx_squared_constant, onnx_long_mask]

CORPUS: list[Maker] = [
    empty, truncated_keras, truncated_h5, truncated_onnx, random_bytes, random_onnx,
    wrong_extension, hdf5_data, no_config, invalid_json, deep_json, zip_bomb, layer_cycle,
    dangling_reference, onnx_cycle, onnx_huge_length, onnx_deep_subgraphs,
]  # fmt: skip
