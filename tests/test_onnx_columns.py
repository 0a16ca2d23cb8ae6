"""The columnar reading of large ONNX graphs (formats/onnx/columns.py, table.py) against the
node-by-node builder: on every ONNX sample the two give the same report, the columns are used
(not fallen back from) on ordinary graphs, unusual graphs go to the builder, and only the nodes
the analysis asks about are made."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from conftest import SAMPLES, rendered
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_structured_fuzz import onnx_model

import droplint.formats.onnx as onnx_format
from droplint.analysis import analyze_file
from droplint.config import from_table
from droplint.formats import read_model
from droplint.formats.onnx.columns import NotColumnar, Strings
from droplint.formats.onnx.graph import build_onnx_graph
from droplint.formats.onnx.table import table_graph
from droplint.graph.lazy import LazyGraph

ALL = from_table({"select": ["ALL"], "limits": {"nodes": 5_000_000}})
ONNX_FILES = sorted(p for p in SAMPLES.rglob("*.onnx") if "hostile" not in p.parts)


def _outputs(path: Path, columns: bool, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    monkeypatch.setattr(onnx_format, "COLUMNS_FROM", 0 if columns else 10**9)
    report = analyze_file(path, ALL)
    tree = rendered("tree", [report], width=200)  # the one renderer that walks the graph
    return [tree, *(rendered(f, [report.detached()], 200) for f in ("json", "text", "sarif"))]


@pytest.mark.parametrize("path", ONNX_FILES, ids=lambda p: str(p.relative_to(SAMPLES)))
def test_columns_report_what_the_builder_reports(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Sites, rates, coverage, unseen layers and findings: every byte of the JSON, text,
    SARIF and tree reports."""
    assert _outputs(path, True, monkeypatch) == _outputs(path, False, monkeypatch)


def test_columns_read_ordinary_graphs() -> None:
    """The comparison above means something only if the columns are used: every sample
    without functions, training graphs or subgraphs is read as columns."""
    used, fell_back = 0, []
    for path in ONNX_FILES:
        try:
            saved = read_model(path)
        except Exception:  # a broken sample: the builder's sentence, tested elsewhere
            continue
        model = saved.config
        if model.functions or model.training:
            continue
        try:
            assert isinstance(table_graph(saved), LazyGraph)
            used += 1
        except NotColumnar as exc:
            fell_back.append((path.name, str(exc)))
    assert used >= 40
    assert all(why == "a subgraph or an attribute reference" for _, why in fell_back), fell_back


def _chain(path: Path, count: int) -> None:
    """A long chain of MatMul (own weight), Relu, Reshape with a training-mode Dropout every
    50 nodes, as a per-layer export looks."""
    from onnx import TensorProto, helper

    nodes, inits = [], []
    for i in range(count):
        src, dst = ("x" if i == 0 else f"t{i}"), ("y" if i == count - 1 else f"t{i + 1}")
        op = "Dropout" if i % 50 == 49 else ("MatMul", "Relu", "Reshape")[i % 3]
        extra = {"Dropout": ["ratio", "mode"], "MatMul": [f"w{i}"], "Reshape": ["shape"]}
        if op == "MatMul":
            inits.append(helper.make_tensor(f"w{i}", TensorProto.FLOAT, [2, 2], [0.5] * 4))
        nodes.append(helper.make_node(op, [src, *extra.get(op, [])], [dst], name=f"n{i}"))
    inits += [
        helper.make_tensor("ratio", TensorProto.FLOAT, [], [0.25]),
        helper.make_tensor("mode", TensorProto.BOOL, [], [True]),
        helper.make_tensor("shape", TensorProto.INT64, [2], [1, 2]),
    ]
    graph = helper.make_graph(
        nodes, "chain", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 2])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 2])], inits,
    )  # fmt: skip
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    path.write_bytes(model.SerializeToString())


def test_only_the_nodes_asked_about_are_made(tmp_path: Path) -> None:
    """A chain of 6,000 nodes with 120 dropouts: the report names every dropout and every
    MatMul in coverage, yet most nodes are never made."""
    pytest.importorskip("onnx")
    path = tmp_path / "chain.onnx"
    _chain(path, 6_000)
    report = analyze_file(path, ALL)
    assert isinstance(report.graph, LazyGraph)
    assert report.layers == 6_000
    assert len(report.sites) == 120 and {s.rate for s in report.sites} == {0.25}
    matmuls = sum(1 for i in range(6_000) if i % 50 != 49 and i % 3 == 0)  # as _chain makes
    assert len(report.flow.coverage) == matmuls  # type: ignore[union-attr]
    assert len(report.graph.nodes.made) < 1_000
    assert [n.id for n in report.graph.consumers("x")] == ["n0"]  # a model input's readers
    assert [n.id for n in report.graph.consumers("n5")] == ["n6"]


def test_a_custom_op_is_unseen_in_columns_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An op of a domain droplint does not know may drop anything: a layer it cannot see
    into, and what it feeds is unknown, whichever way the graph is read."""
    pytest.importorskip("onnx")
    from onnx import TensorProto, helper

    nodes = [helper.make_node("Mystery", ["x"], ["a"], name="m", domain="my.ops"),
             helper.make_node("MatMul", ["a", "w"], ["y"], name="mm")]  # fmt: skip
    w = helper.make_tensor("w", TensorProto.FLOAT, [1, 1], [0.5])
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 1])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 1])
    opsets = [helper.make_opsetid("", 13), helper.make_opsetid("my.ops", 1)]
    model = helper.make_model(helper.make_graph(nodes, "g", [x], [y], [w]), opset_imports=opsets)
    path = tmp_path / "custom.onnx"
    path.write_bytes(model.SerializeToString())
    monkeypatch.setattr(onnx_format, "COLUMNS_FROM", 0)
    report = analyze_file(path, ALL)
    assert isinstance(report.graph, LazyGraph)
    assert [u.layer for u in report.flow.unseen] == ["m"]  # type: ignore[union-attr]
    (coverage,) = report.flow.coverage  # type: ignore[union-attr]
    assert (coverage.layer, coverage.input_unknown) == ("mm", True)


def test_a_name_read_before_it_is_written_goes_to_the_builder(tmp_path: Path) -> None:
    """Out of order: the columns refuse, and the builder's sentence is the report's."""
    pytest.importorskip("onnx")
    from onnx import TensorProto, helper

    nodes = [helper.make_node("Relu", ["b"], ["c"], name="r2"),
             helper.make_node("Relu", ["x"], ["b"], name="r1")]  # fmt: skip
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1])
    graph = helper.make_graph(nodes, "g", [x], [x])
    path = tmp_path / "cycle.onnx"
    path.write_bytes(helper.make_model(graph).SerializeToString())
    with pytest.raises(NotColumnar):
        table_graph(read_model(path))
    report = analyze_file(path, from_table({"limits": {"nodes": 100}}))
    assert report.error is not None and "reads 'b', which no earlier node" in report.error


@given(
    st.lists(st.binary(max_size=40), min_size=1, max_size=30),
    st.lists(st.integers(0, 29), max_size=10),
    st.binary(max_size=3),
)
def test_strings_have_equal_ids_exactly_when_equal(
    texts: list[bytes], repeats: list[int], tail: bytes
) -> None:
    """Ids by hash, checked byte by byte: equal ids are equal strings, found by their bytes;
    a byte that is not printable ASCII refuses the columns."""
    texts = texts + [texts[i % len(texts)] for i in repeats]
    data = b"".join(texts) + tail
    if len(data) < 16:
        data += b"~" * 16
    starts = np.cumsum([0, *map(len, texts)])[:-1].astype(np.int64)
    lengths = np.array([len(t) for t in texts], dtype=np.int64)
    if any(b < 0x20 or b > 0x7E for t in texts for b in t):
        with pytest.raises(NotColumnar):
            Strings(np.frombuffer(data, dtype=np.uint8), starts, lengths)
        return
    strings = Strings(np.frombuffer(data, dtype=np.uint8), starts, lengths)
    assert len(strings.unique) == len(set(texts))
    for i, text in enumerate(texts):
        assert strings.bytes_of(int(strings.ids[i])) == text
        assert strings.find(text) == strings.ids[i]
    assert strings.find(b"\x01 not among them") is None
    assert strings.texts(strings.ids) == [t.decode() for t in texts]
    if len(set(texts)) < len(texts):  # node names must differ: the columns refuse
        with pytest.raises(NotColumnar):
            Strings(np.frombuffer(data, dtype=np.uint8), starts, lengths, distinct=True)
        return
    distinct = Strings(np.frombuffer(data, dtype=np.uint8), starts, lengths, distinct=True)
    assert [distinct.find(t) for t in texts] == list(range(len(texts)))


def _json_both_ways(path: Path) -> tuple[str, str]:
    """The JSON report of path read as columns, then by the builder (inside @given, where a
    function-scoped monkeypatch would outlive the example)."""
    reports = []
    for threshold in (0, 10**9):
        onnx_format.COLUMNS_FROM, before = threshold, onnx_format.COLUMNS_FROM
        try:
            reports.append(rendered("json", [analyze_file(path, ALL).detached()]))
        finally:
            onnx_format.COLUMNS_FROM = before
    return reports[0], reports[1]


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=onnx_model())
def test_generated_graphs_read_alike_both_ways(tmp_path: Path, data: bytes) -> None:
    """Graphs with odd names, cycles, names nobody writes, subgraphs and functions: the
    columns give the builder's report, or leave the graph to it (the same report again)."""
    path = tmp_path / "m.onnx"
    path.write_bytes(data)
    columns, builder = _json_both_ways(path)
    assert columns == builder


OPS = ["Dropout", "Dropout2", "MatMul", "MatMulT", "MatMul2", "Add", "Concat", "Relu", "Reshape",
       "Softmax", "Cast", "RandomUniformLike", "Less", "Mul", "Custom", "Identity"]  # fmt: skip


@st.composite
def ordinary_graph(draw: st.DrawFn) -> tuple[bytes, bool]:
    """A graph as exporters write them (ops in graph order, weights as initializers, dropout
    with and without its mask output, attributes, a custom op, shapes for some tensors), and
    whether its names are all distinct (the columns must then read it)."""
    pytest.importorskip("onnx")
    from onnx import TensorProto, helper

    inits = [helper.make_tensor("r", TensorProto.FLOAT, [], [draw(st.sampled_from([0.1, 0.5]))]),
             helper.make_tensor("t", TensorProto.BOOL, [], [draw(st.booleans())]),
             helper.make_tensor("s", TensorProto.INT64, [2], [1, 4])]  # fmt: skip
    values, nodes, infos = ["x"], [], []
    distinct = True
    for i in range(draw(st.integers(1, 40))):
        op = draw(st.sampled_from(OPS))
        a, b = (values[draw(st.integers(0, len(values) - 1))] for _ in range(2))
        pick = draw(st.integers(0, 40))  # now and then no name, rarely one given twice
        name = "n0" if pick == 0 else "" if pick < 6 else f"n{i}"
        distinct = distinct and (name != "n0" or i == 0)
        out, extra = f"v{i}", {}
        if op in ("MatMul", "MatMulT"):  # a weight, stored or through a Transpose
            inits.append(helper.make_tensor(f"w{i}", TensorProto.FLOAT, [4, 4], [0.5] * 16))
            inputs = [a, f"w{i}"]
            if op == "MatMulT":
                nodes.append(helper.make_node("Transpose", [f"w{i}"], [f"wt{i}"], name=f"t{i}"))
                inputs = [a, f"wt{i}"]
        elif op == "MatMul2":  # two activations, as in attention: no weights
            inputs = [a, b]
        elif op in ("Dropout", "Dropout2"):
            inputs = [a, "r", "t"]
        elif op in ("Add", "Concat", "Less", "Mul"):
            inputs = [a, b]
            extra = {"axis": 1} if op == "Concat" else {}
        elif op == "Reshape":
            inputs = [a, "s"]
        else:
            inputs = [a]
            extra = {"axis": -1} if op == "Softmax" else {"to": 1} if op == "Cast" else {}
        outputs = [out, f"m{i}"] if op == "Dropout2" else [out]
        real = {"Dropout2": "Dropout", "Custom": "Mystery", "MatMulT": "MatMul",
                "MatMul2": "MatMul"}.get(op, op)  # fmt: skip
        domain = "my.ops" if op == "Custom" else ""
        nodes.append(helper.make_node(real, inputs, outputs, name=name, domain=domain, **extra))
        values += outputs  # a mask output may be read too
        if draw(st.integers(0, 4)) == 0:
            infos.append(helper.make_tensor_value_info(out, TensorProto.FLOAT, [1, 4]))
    graph = helper.make_graph(
        nodes, "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])],
        [helper.make_tensor_value_info(values[-1], TensorProto.FLOAT, None)], inits,
        value_info=infos,
    )  # fmt: skip
    opsets = [helper.make_opsetid("", 13), helper.make_opsetid("my.ops", 1)]
    return helper.make_model(graph, opset_imports=opsets).SerializeToString(), distinct


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(drawn=ordinary_graph())
def test_ordinary_graphs_read_alike_both_ways(tmp_path: Path, drawn: tuple[bytes, bool]) -> None:
    """Sites, attention, masks, merges, coverage, unseen custom ops, shapes: the columns give
    the builder's report; with distinct names they read every such graph themselves."""
    data, distinct = drawn
    path = tmp_path / "m.onnx"
    path.write_bytes(data)
    if distinct:
        lazy, built = table_graph(read_model(path)), build_onnx_graph(read_model(path))
        assert isinstance(lazy, LazyGraph)
        assert list(lazy.nodes.values()) == list(built.nodes.values())
        for node_id in built.nodes:
            assert lazy.consumers(node_id) == built.consumers(node_id)
        assert (lazy.inputs, lazy.outputs) == (built.inputs, built.outputs)
        assert (lazy.shapes, lazy.dtypes) == (built.shapes, built.dtypes)
    columns, builder = _json_both_ways(path)
    assert columns == builder
