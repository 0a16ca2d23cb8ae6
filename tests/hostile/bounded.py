"""Inputs that once crashed, hung or blew up droplint, by what they attack. Each maker writes one
input into a folder and returns it with the answer droplint must give: "DL001" (unreadable, one
sentence naming the limit or the problem) or "lint" (a valid if unusual model: analysed, exit 0
or 1). They are written on demand: most are large, and all are cheap to make."""

from __future__ import annotations

import json
import os
import struct
from collections.abc import Callable
from pathlib import Path

from corpus import _field, _keras, _node, _varint

Made = tuple[Path, str]
Maker = Callable[[Path], Made]


# -- Keras configs ---------------------------------------------------------------------------------


def _sequential(layers: list[dict], name: str = "m") -> dict:
    return {"class_name": "Sequential", "config": {"name": name, "layers": layers}}


def _dropout(name: str, rate: object = 0.1) -> dict:
    return {"class_name": "Dropout", "config": {"name": name, "rate": rate}}


def _dense(name: str) -> dict:
    return {"class_name": "Dense", "config": {"name": name, "units": 2}}


def _input(shape: list) -> dict:
    return {"class_name": "InputLayer", "config": {"name": "x", "batch_shape": shape}}


def _node_ref(name: str) -> dict:
    return {
        "args": [{"class_name": "__keras_tensor__", "config": {"keras_history": [name, 0, 0]}}],
        "kwargs": {},
    }


def _functional(layers: list[dict], first: str, last: str, name: str = "m") -> dict:
    return {
        "class_name": "Functional",
        "config": {
            "name": name,
            "layers": layers,
            "input_layers": [[first, 0, 0]],
            "output_layers": [[last, 0, 0]],
        },
    }


def _chain_layers(n: int, make: Callable[[str], dict]) -> list[dict]:
    """x -> l0 -> l1 ... -> l{n-1}, as Functional layer entries."""
    layers = [{**_input([None, 4]), "name": "x", "inbound_nodes": []}]
    for i in range(n):
        layer = make(f"l{i}")
        layer["name"] = f"l{i}"
        layer["inbound_nodes"] = [_node_ref("x" if i == 0 else f"l{i - 1}")]
        layers.append(layer)
    return layers


def keras_reverse_order(d: Path, n: int = 20_000) -> Made:
    """20k layers listed from the last to the first: resolving one per pass is quadratic."""
    layers = _chain_layers(n, _dense)
    config = _functional([layers[0], *reversed(layers[1:])], "x", f"l{n - 1}")
    return _keras(d / f"reverse_{n}.keras", config), "lint"


def keras_forward_order(d: Path, n: int = 20_000) -> Made:
    layers = _chain_layers(n, _dense)
    return _keras(d / f"forward_{n}.keras", _functional(layers, "x", f"l{n - 1}")), "lint"


def keras_dropout_chain(d: Path, n: int = 3_000) -> Made:
    """3,000 Dropout layers in a row: series chains and DL101 must not grow quadratically."""
    layers = _chain_layers(n, _dropout)
    return _keras(d / f"dropouts_{n}.keras", _functional(layers, "x", f"l{n - 1}")), "lint"


def keras_dropout_chain_reversed(d: Path, n: int = 3_000) -> Made:
    layers = _chain_layers(n, _dropout)
    config = _functional([layers[0], *reversed(layers[1:])], "x", f"l{n - 1}")
    return _keras(d / f"dropouts_reversed_{n}.keras", config), "lint"


def keras_time_distributed_deep(d: Path, depth: int = 300) -> Made:
    """TimeDistributed(TimeDistributed(... Dropout)) 300 deep."""
    layer: dict = _dropout("inner", 0.2)
    for i in range(depth):
        layer = {"class_name": "TimeDistributed", "config": {"name": f"td{i}", "layer": layer}}
    shape = [None] * 2 + [2] * 2
    return _keras(d / "td_deep.keras", _sequential([_input(shape), layer])), "DL001"


def keras_bidirectional_deep(d: Path, depth: int = 24) -> Made:
    """Bidirectional(Bidirectional(... LSTM)) 24 deep, no backward_layer: 2^24 inner layers if
    each level copies its forward layer for the backward one."""
    layer: dict = {"class_name": "LSTM", "config": {"name": "lstm", "units": 2, "dropout": 0.1}}
    for i in range(depth):
        layer = {"class_name": "Bidirectional", "config": {"name": f"bi{i}", "layer": layer}}
    return _keras(d / "bi_deep.keras", _sequential([_input([None, 3, 2]), layer])), "DL001"


def keras_many_dims(d: Path, rank: int = 200_000) -> Made:
    """An input of rank 200,000 flattened: a product of 200k dims."""
    layers = [
        _input([None, *([3] * rank)]),
        {"class_name": "Flatten", "config": {"name": "f"}},
        _dropout("drop", 0.2),
        _dense("out"),
    ]
    return _keras(d / "many_dims.keras", _sequential(layers)), "lint"  # its shape: unknown


def keras_huge_name(d: Path) -> Made:
    """A layer named with 10 MB of characters."""
    name = "n" * 10_000_000
    return _keras(d / "huge_name.keras", _sequential([_input([None, 4]), _dropout(name)])), "DL001"


def keras_empty_lists(d: Path) -> Made:
    """60 MB of `[]` items, under the 64 MiB size cap: 20 million lists once parsed."""
    body = "[]," * 20_000_000
    config = '{"class_name": "Sequential", "config": {"name": "m", "layers": [' + body + "[]]}}"
    meta = json.dumps({"keras_version": "3.15.1"})
    from corpus import _zip

    return _zip(d / "empty_lists.keras", {"config.json": config, "metadata.json": meta}), "DL001"


def keras_long_nested_names(d: Path, depth: int = 60, width: int = 20_000) -> Made:
    """Models nested 60 deep, each with a 20,000-character name and a few layers: layer ids that
    join every enclosing model's name would take tens of megabytes each."""
    inner: dict = _sequential([_input([None, 4]), _dropout("d0"), _dense("o0")], "m" * width)
    for level in range(1, depth):
        name = chr(ord("a") + level % 26) * width
        inner = _sequential([_input([None, 4]), inner, _dropout(f"d{level}")], name)
    return _keras(d / "long_nested_names.keras", inner), "DL001"


def keras_infinite_rates(d: Path) -> Made:
    """Rates 1e309 (infinity once parsed), -Infinity and NaN: JSON out must stay strict."""
    text = json.dumps(
        _sequential(
            [
                _input([None, 4]),
                _dropout("a", "__A__"),
                _dropout("b", "__B__"),
                _dropout("c", "__C__"),
                _dense("out"),
            ]
        )
    )
    text = (
        text.replace('"__A__"', "1e309").replace('"__B__"', "-Infinity").replace('"__C__"', "NaN")
    )
    from corpus import _zip

    meta = json.dumps({"keras_version": "3.15.1"})
    return _zip(d / "infinite_rates.keras", {"config.json": text, "metadata.json": meta}), "lint"


def keras_encrypted_member(d: Path) -> Made:
    """A .keras whose config.json carries the zip "encrypted" flag (zipfile raises
    RuntimeError, not BadZipFile)."""
    path = _keras(d / "encrypted.keras", _sequential([_input([None, 4]), _dropout("d")]))
    data = bytearray(path.read_bytes())
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):  # local, central headers
        start = 0
        while (start := data.find(signature, start)) >= 0:
            flags = struct.unpack_from("<H", data, start + offset)[0]
            struct.pack_into("<H", data, start + offset, flags | 0x1)
            start += 4
    path.write_bytes(bytes(data))
    return path, "DL001"


# -- ONNX graphs, at the wire level ----------------------------------------------------------------


def _onnx(nodes: list[bytes], extra: bytes = b"", functions: bytes = b"") -> bytes:
    graph = b"".join(_field(1, n) for n in nodes) + _field(11, _field(1, b"x"))
    graph += _field(12, _field(1, b"y")) + extra
    opset = _field(8, _field(1, b"") + _varint(2 << 3) + _varint(13))
    local = _field(8, _field(1, b"local") + _varint(2 << 3) + _varint(1))
    return _varint(1 << 3) + _varint(8) + _field(7, graph) + opset + local + functions


def _named(op: str, inputs: list[str], outputs: list[str], name: str) -> bytes:
    return _node(op, inputs, outputs) + _field(3, name.encode())


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def onnx_chain(d: Path, n: int, name: str, op: str = "Relu") -> Path:
    nodes = [
        _node(op, ["x" if i == 0 else f"t{i}"], ["y" if i == n - 1 else f"t{i + 1}"])
        for i in range(n)
    ]
    return _write(d / name, _onnx(nodes))


def onnx_two_million_nodes(d: Path) -> Made:
    return onnx_chain(d, 2_000_000, "two_million.onnx"), "DL001"


def onnx_same_names(d: Path, n: int = 60_000) -> Made:
    """60,000 nodes all named "n": renaming each by trying n_1, n_2, ... is quadratic."""
    nodes = [
        _named("Relu", ["x" if i == 0 else f"t{i}"], ["y" if i == n - 1 else f"t{i + 1}"], "n")
        for i in range(n)
    ]
    return _write(d / "same_names.onnx", _onnx(nodes)), "lint"


def onnx_function_doubling(d: Path, depth: int = 30) -> Made:
    """Model-local functions f0 .. f29, each calling the next twice: 2^30 nodes once inlined."""
    functions = b""
    for i in range(depth):
        if i == depth - 1:
            body = [_node("Dropout", ["a"], ["b"])]
        else:
            body = [
                _node(f"f{i + 1}", ["a"], ["m"]) + _field(7, b"local"),
                _node(f"f{i + 1}", ["m"], ["b"]) + _field(7, b"local"),
            ]
        fn = _field(1, f"f{i}".encode()) + _field(4, b"a") + _field(5, b"b")
        fn += b"".join(_field(7, n) for n in body) + _field(10, b"local")
        fn += _field(9, _field(1, b"") + _varint(2 << 3) + _varint(13))
        functions += _field(25, fn)
    call = _node("f0", ["x"], ["y"]) + _field(7, b"local")
    return _write(d / "function_doubling.onnx", _onnx([call], functions=functions)), "DL001"


def onnx_mask_fan_out(d: Path, layers: int = 40) -> Made:
    """A random mask through 40 diamonds (each value used twice): 2^40 paths to the data."""
    nodes = [_node("RandomUniformLike", ["x"], ["u"]), _node("Less", ["u", "p"], ["m0"])]
    for i in range(layers):
        nodes += [
            _node("Not", [f"m{i}"], [f"a{i}"]),
            _node("Not", [f"m{i}"], [f"b{i}"]),
            _node("And", [f"a{i}", f"b{i}"], [f"m{i + 1}"]),
        ]
    nodes += [_node("Where", [f"m{layers}", "x", "p"], ["y"])]
    p = _field(
        5, _field(8, b"p") + _varint(2 << 3) + _varint(1) + _field(4, struct.pack("<f", 0.3))
    )
    return _write(d / "mask_fan_out.onnx", _onnx(nodes, extra=p)), "lint"


def onnx_zero_filled(d: Path) -> Made:
    """64 MiB of zero bytes: field number 0 is no protobuf field at all."""
    with (d / "zeros.onnx").open("wb") as f:
        f.truncate(64 << 20)
    return d / "zeros.onnx", "DL001"


def onnx_huge_dims(d: Path, rank: int = 200_000) -> Made:
    """A value_info of rank 200,000."""
    dims = b"".join(_field(1, _varint(1 << 3) + _varint(3)) for _ in range(rank))
    tensor_type = _varint(1 << 3) + _varint(1) + _field(2, dims)  # elem_type float, shape
    info = _field(13, _field(1, b"t1") + _field(2, _field(1, tensor_type)))
    nodes = [_node("Relu", ["x"], ["t1"]), _node("Dropout", ["t1"], ["y"])]
    return _write(d / "huge_dims.onnx", _onnx(nodes, extra=info)), "lint"


def onnx_infinite_ratio(d: Path) -> Made:
    ratio = _field(
        5,
        _field(8, b"r") + _varint(2 << 3) + _varint(1) + _field(4, struct.pack("<f", float("inf"))),
    )
    mode = _field(5, _field(8, b"t") + _varint(2 << 3) + _varint(9) + _field(5, _varint(1)))
    nodes = [_node("Dropout", ["x", "r", "t"], ["y"])]
    return _write(d / "infinite_ratio.onnx", _onnx(nodes, extra=ratio + mode)), "lint"


def onnx_opaque_infinite_setting(d: Path) -> Made:
    """An op of an unknown domain with a dropout attribute of infinity: listed as unseen, with
    its settings, in JSON that must stay strict."""
    attr = _field(1, b"dropout") + _varint(2 << 3 | 5) + struct.pack("<f", float("inf"))
    attr += _varint(20 << 3) + _varint(1)
    node = _node("Noisy", ["x"], ["y"], attr) + _field(7, b"mylib")
    mylib = _field(8, _field(1, b"mylib") + _varint(2 << 3) + _varint(1))
    return _write(d / "opaque_infinite.onnx", _onnx([node]) + mylib), "lint"


# -- files that are not files ----------------------------------------------------------------------


def fifo(d: Path) -> Made:
    path = d / "pipe.keras"
    os.mkfifo(path)
    return path, "DL001"


def device_link(d: Path) -> Made:
    path = d / "urandom.onnx"
    path.symlink_to("/dev/urandom")
    return path, "DL001"


def hdf5_huge_attribute(d: Path) -> Made:
    """A 200 MB numeric model_config attribute: its type is wrong, so none of it need be read."""
    import h5py
    import numpy as np

    path = d / "huge_attribute.h5"
    with h5py.File(path, "w", libver="latest") as f:  # dense storage: attributes over 64 KiB
        f.attrs.create("model_config", np.zeros(25_000_000, dtype=np.float64))
    return path, "DL001"


# -- torch.export archives: a real archive's layout around a program JSON written here ----------

TORCH_SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "torch" / "mlp_train.pt2"


def _program(nodes: list[dict]) -> dict:
    spec = {"user_input": {"arg": {"as_tensor": {"name": "x"}}}}
    return {"graph_module": {"graph": {"nodes": nodes, "tensor_values": {}},
                             "signature": {"input_specs": [spec], "output_specs": []}},
            "verifiers": ["TRAINING"], "torch_version": "2.13.0+cpu"}  # fmt: skip


def _archive(path: Path, program: dict) -> Path:
    """The sample archive's members, its program replaced."""
    import zipfile

    with zipfile.ZipFile(TORCH_SAMPLE) as src, zipfile.ZipFile(path, "w") as out:
        for name in src.namelist():
            data = src.read(name)
            if name.endswith("models/model.json"):
                data = json.dumps(program).encode()
            out.writestr(name, data)
    return path


def _tensor(name: str) -> dict:
    return {"as_tensor": {"name": name}}


def _aten(op: str, name: str, read: str) -> dict:
    return {"target": f"torch.ops.aten.{op}.default", "name": name,
            "inputs": [{"name": "input", "arg": _tensor(read), "kind": 1}],
            "outputs": [_tensor(name)], "metadata": {}}  # fmt: skip


def torch_nested_conds(d: Path, depth: int = 80) -> Made:
    """torch.cond inside torch.cond, 80 deep: the nesting limit, not a recursion crash."""
    plain: dict = {"inputs": [_tensor("a")], "outputs": [_tensor("a")], "nodes": []}
    inner = plain
    for k in range(depth):  # the false branches stay plain: the file stays small
        cond = {"target": "torch.ops.higher_order.cond", "name": f"cond{k}", "inputs": [
            {"name": "pred", "arg": _tensor("a"), "kind": 1},
            {"name": "true_fn", "arg": {"as_graph": {"name": "t", "graph": inner}}, "kind": 1},
            {"name": "false_fn", "arg": {"as_graph": {"name": "f", "graph": plain}}, "kind": 1},
            {"name": "operands", "arg": {"as_tensors": [{"name": "a"}]}, "kind": 1},
        ], "outputs": [_tensor(f"c{k}")], "metadata": {}}  # fmt: skip
        inner = {"inputs": [_tensor("a")], "outputs": [_tensor(f"c{k}")], "nodes": [cond]}
    top = dict(inner["nodes"][0])
    top["inputs"] = [dict(a) for a in top["inputs"]]
    top["inputs"][0]["arg"] = _tensor("x")
    top["inputs"][3]["arg"] = {"as_tensors": [{"name": "x"}]}
    return _archive(d / "nested_conds.pt2", _program([top])), "DL001"


def torch_many_nodes(d: Path, n: int = 150_000) -> Made:
    """150,000 relus in a row: a budget (its JSON items come before its nodes), in time."""
    nodes = [_aten("relu", f"r{i}", "x" if i == 0 else f"r{i - 1}") for i in range(n)]
    return _archive(d / "many_nodes.pt2", _program(nodes)), "DL001"


def torch_dangling(d: Path) -> Made:
    """A node reading a tensor no node makes (a cycle or a cut file): one sentence."""
    nodes = [_aten("relu", "r0", "r1"), _aten("dropout", "r1", "r0")]
    return _archive(d / "dangling.pt2", _program(nodes)), "DL001"


BOUNDED: list[Maker] = [
    keras_encrypted_member,
    keras_time_distributed_deep,
    keras_bidirectional_deep,
    keras_many_dims,
    keras_huge_name,
    keras_empty_lists,
    keras_long_nested_names,
    keras_infinite_rates,
    keras_reverse_order,
    keras_dropout_chain,
    keras_dropout_chain_reversed,
    onnx_two_million_nodes,
    onnx_same_names,
    onnx_function_doubling,
    onnx_mask_fan_out,
    onnx_zero_filled,
    onnx_huge_dims,
    onnx_infinite_ratio,
    onnx_opaque_infinite_setting,
    fifo,
    device_link,
    hdf5_huge_attribute,
    torch_nested_conds,
    torch_many_nodes,
    torch_dangling,
]

__all__ = ["BOUNDED", "Made", "Maker", "onnx_chain"]
