"""Large models made on the spot for the picture's scale tests and benchmarks/graph_render.py.

An ONNX residual stack built with onnx.helper (thousands of nodes, a Dropout in every block),
and Keras's EfficientNetB0 when keras is importable (its .keras file is 20+ MB: never committed).
"""

from __future__ import annotations

import zipfile
from pathlib import Path


def onnx_stack(path: Path, blocks: int = 400, width: int = 8) -> int:
    """A residual MLP stack of `blocks` blocks, 9 nodes each; returns the number of nodes.

    Block i: MatMul, Add, Relu, Dropout (ratio 0.1; training_mode True in every third block),
    MatMul, Add, Add (the residual), Mul, Identity.
    """
    import numpy as np
    from onnx import TensorProto, helper, numpy_helper, save

    nodes, inits = [], []

    def init(name: str, value: np.ndarray) -> str:
        inits.append(numpy_helper.from_array(value, name))
        return name

    weight = np.full((width, width), 0.01, dtype=np.float32)
    bias = np.zeros((width,), dtype=np.float32)
    init("ratio", np.array(0.1, dtype=np.float32))
    init("train", np.array(True))
    init("scale", np.array(0.5, dtype=np.float32))
    x = "x"
    for i in range(blocks):
        p = f"/blocks.{i}"
        w1, b1 = init(f"{p}.w1", weight), init(f"{p}.b1", bias)
        w2, b2 = init(f"{p}.w2", weight), init(f"{p}.b2", bias)
        mode = ["ratio", "train"] if i % 3 == 0 else ["ratio"]
        nodes += [
            helper.make_node("MatMul", [x, w1], [f"{p}/h1"], name=f"{p}/fc1/MatMul"),
            helper.make_node("Add", [f"{p}/h1", b1], [f"{p}/h2"], name=f"{p}/fc1/Add"),
            helper.make_node("Relu", [f"{p}/h2"], [f"{p}/h3"], name=f"{p}/act/Relu"),
            helper.make_node("Dropout", [f"{p}/h3", *mode], [f"{p}/h4"], name=f"{p}/drop/Dropout"),
            helper.make_node("MatMul", [f"{p}/h4", w2], [f"{p}/h5"], name=f"{p}/fc2/MatMul"),
            helper.make_node("Add", [f"{p}/h5", b2], [f"{p}/h6"], name=f"{p}/fc2/Add"),
            helper.make_node("Add", [f"{p}/h6", x], [f"{p}/h7"], name=f"{p}/residual/Add"),
            helper.make_node("Mul", [f"{p}/h7", "scale"], [f"{p}/h8"], name=f"{p}/scale/Mul"),
            helper.make_node("Identity", [f"{p}/h8"], [f"{p}/out"], name=f"{p}/out/Identity"),
        ]
        x = f"{p}/out"
    graph = helper.make_graph(
        nodes,
        "stack",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [None, width])],
        [helper.make_tensor_value_info(x, TensorProto.FLOAT, [None, width])],
        inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    save(model, str(path))
    return len(nodes)


def efficientnet_b0(path: Path) -> Path:
    """EfficientNetB0 from keras.applications (no weights), saved as a .keras holding only
    config.json and metadata.json: all that droplint reads. Needs keras (ImportError if not)."""
    import os

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import keras

    full = path.with_name(path.stem + "-full.keras")
    keras.applications.EfficientNetB0(weights=None).save(full)
    with zipfile.ZipFile(full) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in ("config.json", "metadata.json"):
            dst.writestr(name, src.read(name))
    full.unlink()
    return path
