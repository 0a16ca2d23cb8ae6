"""Property-based tests on generated model structures (not byte mutations): Keras configs and
ONNX graphs with nesting, cycles, fan-out, long chains, duplicate and huge names and odd numbers.
Whatever the structure, droplint answers - an analysis or DL001 - within a bounded time, never
fails internally, and its JSON is strict (no NaN or Infinity).

    HYPOTHESIS_PROFILE=long python -m pytest tests/test_structured_fuzz.py   # a long campaign
"""

from __future__ import annotations

import json
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from test_fuzz import render_every_format  # also loads the hypothesis profiles

from droplint.analysis import FileReport, analyze_file
from droplint.report.json import strict

SECONDS = 3.0  # per generated model, analysis and every output format included

odd_numbers = st.sampled_from(
    [
        0.0,
        0.25,
        0.5,
        0.999,
        1.0,
        1.5,
        -0.1,
        -1e-300,
        1e300,
        float("inf"),
        float("-inf"),
        float("nan"),
        10**400,
        -(10**30),
        True,
        None,
        "0.3",
        "Infinity",
        [0.1, 0.2],
        {"a": 1},
    ]
)
odd_floats = st.sampled_from([0.0, 0.3, 0.999, 1.0, 1.5, -0.1, 1e300, float("inf"), float("nan")])
names = st.one_of(
    st.sampled_from(["a", "b", "dense", "drop", "x", "[bold]", "::error::", "a/b", "", "a@1"]),
    st.text(max_size=12),
    st.integers(1, 6000).map(lambda n: "n" * n),
)


def check(report: FileReport, started: float) -> None:
    event("unreadable" if report.error else f"analysed, {min(len(report.sites), 3)}+ sites")
    assert report.internal is None, report.trace
    if report.error is not None:
        assert report.error.strip() and "\n" not in report.error
    text = strict(report.to_dict())
    json.loads(text, parse_constant=lambda c: pytest.fail(f"non-standard JSON constant {c}"))
    render_every_format(report)
    assert time.perf_counter() - started < SECONDS


# -- Keras -----------------------------------------------------------------------------------------

LEAF_CLASSES = [
    "Dense",
    "Dropout",
    "SpatialDropout1D",
    "GaussianDropout",
    "LSTM",
    "GRU",
    "Flatten",
    "Lambda",
    "mylib>Noisy",
    "Concatenate",
    "Add",
    "Softmax",
    "Embedding",
]


@st.composite
def keras_layer(draw: st.DrawFn, depth: int) -> dict[str, Any]:
    choice = draw(st.sampled_from([*LEAF_CLASSES, "Bidirectional", "TimeDistributed", "model"]))
    if depth > 0 and choice in ("Bidirectional", "TimeDistributed"):
        return {
            "class_name": choice,
            "config": {"name": draw(names), "layer": draw(keras_layer(depth - 1))},
        }
    if depth > 0 and choice == "model":
        return draw(keras_model(depth - 1))
    cfg: dict[str, Any] = {"name": draw(names)}
    for key in draw(
        st.lists(
            st.sampled_from(
                ["rate", "dropout", "recurrent_dropout", "units", "noise_shape", "return_sequences"]
            ),
            max_size=3,
        )
    ):
        cfg[key] = draw(odd_numbers)
    return {"class_name": choice if choice != "model" else "Dense", "config": cfg}


@st.composite
def keras_model(draw: st.DrawFn, depth: int = 3) -> dict[str, Any]:
    """A Functional model: each layer reads earlier ones (fan-out and merges), sometimes a later
    one (a cycle) or one that does not exist (dangling); or a Sequential of the same layers."""
    count = draw(st.integers(1, 12))
    layers: list[dict[str, Any]] = [
        {
            "class_name": "InputLayer",
            "name": "in",
            "config": {"name": "in", "batch_shape": [None, 5, 4]},
            "inbound_nodes": [],
        }
    ]
    for i in range(count):
        layer = draw(keras_layer(depth))
        name = (
            layer.get("config", {}).get("name") if isinstance(layer.get("config"), dict) else None
        )
        layer["name"] = name if isinstance(name, str) and draw(st.booleans()) else f"l{i}"
        reads = draw(st.lists(st.integers(0, len(layers) - 1), min_size=1, max_size=3))
        refs = [layers[r]["name"] for r in reads]
        if draw(st.integers(0, 15)) == 0:  # now and then a cycle or a dangling reference
            refs.append(draw(st.sampled_from([f"l{i + 1}", "ghost"])))
        layer["inbound_nodes"] = [[[ref, 0, 0, {}] for ref in refs]]
        layers.append(layer)
    if draw(st.booleans()):
        return {"class_name": "Sequential", "config": {"name": draw(names), "layers": layers}}
    return {
        "class_name": "Functional",
        "config": {
            "name": draw(names),
            "layers": layers,
            "input_layers": [["in", 0, 0]],
            "output_layers": [[layers[-1]["name"], 0, 0]],
        },
    }


@st.composite
def long_chain(draw: st.DrawFn) -> dict[str, Any]:
    """A long chain of dropouts and dense layers, listed in order or reversed."""
    n = draw(st.integers(100, 3000))
    kinds = draw(st.lists(st.sampled_from(["Dropout", "Dense", "Flatten"]), min_size=1, max_size=3))
    layers = [
        {
            "class_name": "InputLayer",
            "name": "in",
            "config": {"batch_shape": [None, 4]},
            "inbound_nodes": [],
        }
    ]
    for i in range(n):
        cls = kinds[i % len(kinds)]
        layers.append(
            {
                "class_name": cls,
                "name": f"l{i}",
                "config": {"name": f"l{i}", "rate": 0.1},
                "inbound_nodes": [[[layers[-1]["name"], 0, 0, {}]]],
            }
        )
    if draw(st.booleans()):
        layers = [layers[0], *reversed(layers[1:])]
    return {
        "class_name": "Functional",
        "config": {
            "name": "chain",
            "layers": layers,
            "input_layers": [["in", 0, 0]],
            "output_layers": [[f"l{n - 1}", 0, 0]],
        },
    }


def write_keras(folder: Path, config: dict[str, Any]) -> Path:
    path = folder / "m.keras"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("config.json", json.dumps(config))  # NaN and Infinity, as Python writes them
        zf.writestr("metadata.json", json.dumps({"keras_version": "3.15.1"}))
    return path


FIXTURE = [HealthCheck.too_slow, HealthCheck.function_scoped_fixture]


@settings(suppress_health_check=FIXTURE)
@given(config=keras_model())
def test_generated_keras_models(tmp_path: Path, config: dict[str, Any]) -> None:
    path = write_keras(tmp_path, config)
    started = time.perf_counter()
    check(analyze_file(path), started)


@settings(suppress_health_check=FIXTURE, max_examples=8)  # each costs about a second
@given(config=long_chain())
def test_generated_long_chains(tmp_path: Path, config: dict[str, Any]) -> None:
    path = write_keras(tmp_path, config)
    started = time.perf_counter()
    check(analyze_file(path), started)


# -- ONNX ------------------------------------------------------------------------------------------

ONNX_OPS = [
    "Dropout",
    "Relu",
    "Add",
    "MatMul",
    "RandomUniformLike",
    "Less",
    "Where",
    "Mul",
    "Cast",
    "Not",
    "Bernoulli",
    "Identity",
    "Softmax",
    "If",
    "call",
]


@st.composite
def onnx_model(draw: st.DrawFn) -> bytes:
    pytest.importorskip("onnx")
    from onnx import TensorProto, helper

    count = draw(st.integers(1, 25))
    values = ["x"]
    nodes, inits = [], []
    ratio = draw(odd_floats)
    inits.append(helper.make_tensor("r", TensorProto.FLOAT, [], [ratio]))
    inits.append(helper.make_tensor("t", TensorProto.BOOL, [], [draw(st.booleans())]))
    inits.append(helper.make_tensor("w", TensorProto.FLOAT, [4, 4], [0.5] * 16))
    for i in range(count):
        op = draw(st.sampled_from(ONNX_OPS))
        reads = [
            values[j]
            for j in draw(st.lists(st.integers(0, len(values) - 1), min_size=1, max_size=3))
        ]
        if draw(st.integers(0, 15)) == 0:  # now and then a cycle or a name nobody writes
            reads.insert(0, draw(st.sampled_from(["ghost", f"v{i + 1}"])))
        out = f"v{i}"
        name = draw(names)
        if op == "Dropout":
            node = helper.make_node("Dropout", [reads[0], "r", "t"], [out], name=name)
        elif op == "MatMul":
            node = helper.make_node("MatMul", [reads[0], "w"], [out], name=name)
        elif op == "If":
            branch = helper.make_graph(
                [helper.make_node("Dropout", [reads[0], "r", "t"], ["b"])],
                "branch",
                [],
                [helper.make_tensor_value_info("b", 1, None)],
            )
            node = helper.make_node(
                "If", ["t"], [out], name=name, then_branch=branch, else_branch=branch
            )
        elif op == "call":
            node = helper.make_node(
                draw(st.sampled_from(["f", "g"])), [reads[0]], [out], name=name, domain="local"
            )
        else:
            node = helper.make_node(
                op, reads[: 2 if op in ("Add", "Less", "Mul") else 1], [out], name=name
            )
        nodes.append(node)
        values.append(out)
    functions = []
    for fname, callee in (("f", "g"), ("g", draw(st.sampled_from(["f", "Relu"])))):
        body = [
            helper.make_node(callee, ["a"], ["m"], domain="local" if callee != "Relu" else ""),
            helper.make_node(callee, ["m"], ["b"], domain="local" if callee != "Relu" else ""),
        ]
        functions.append(
            helper.make_function(
                "local",
                fname,
                ["a"],
                ["b"],
                body,
                [helper.make_opsetid("", 13), helper.make_opsetid("local", 1)],
            )
        )
    graph = helper.make_graph(
        nodes,
        draw(names),
        [helper.make_tensor_value_info("x", 1, [4, 4])],
        [helper.make_tensor_value_info(values[-1], 1, None)],
        inits,
    )
    model = helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid("", 15), helper.make_opsetid("local", 1)],
        functions=functions if draw(st.booleans()) else [],
    )
    return model.SerializeToString()


@settings(suppress_health_check=FIXTURE)
@given(data=onnx_model())
def test_generated_onnx_graphs(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "m.onnx"
    path.write_bytes(data)
    started = time.perf_counter()
    check(analyze_file(path), started)
