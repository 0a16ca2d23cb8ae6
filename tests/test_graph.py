"""The neutral graph built from real Keras 3 and tf-keras configs."""

from __future__ import annotations

import pytest
from conftest import analyze

from droplint.graph import Graph, Tensor


def graph_of(rel: str) -> Graph:
    report = analyze(rel)
    assert report.graph is not None
    return report.graph


def parents(graph: Graph, node_id: str) -> list[str]:
    return [t.node for t in graph.node(node_id).inputs]


@pytest.mark.parametrize("rel", ["keras3/nested.keras", "tfkeras/nested.h5"])
def test_nested_models_are_inlined_with_paths(rel: str) -> None:
    g = graph_of(rel)
    assert "block/block_dense" in g.nodes and "block/block_drop" in g.nodes
    assert parents(g, "block/block_dense") == ["flatten"]
    assert parents(g, "after_block") == ["block/block_drop"]
    assert parents(g, "inner/td_dense") == ["x"]  # the nested model's input is the outer tensor
    td = g.node("inner/td_drop")
    assert td.op == "TimeDistributed" and [n.op for n in td.inner] == ["Dropout"]


@pytest.mark.parametrize("rel", ["keras3/rnn_zoo.keras", "tfkeras/rnn_zoo.h5"])
def test_wrappers_are_expanded(rel: str) -> None:
    g = graph_of(rel)
    bidi = g.node("bidi")
    assert [n.id for n in bidi.inner] == ["bidi/forward_lstm", "bidi/backward_lstm"]
    assert all(n.op == "LSTM" and n.attrs["dropout"] == 0.25 for n in bidi.inner)
    stacked = g.node("stacked")
    cells = [n.op for n in stacked.walk()]
    assert cells == ["RNN", "StackedRNNCells", "LSTMCell", "GRUCell"]


@pytest.mark.parametrize("rel", ["keras3/attention.keras", "tfkeras/mc_attention.h5"])
def test_tensors_passed_as_keyword_arguments_are_edges(rel: str) -> None:
    g = graph_of(rel)
    assert parents(g, "mha") == ["q", "v"]
    assert g.node("mc_drop").training is True


def test_keras3_stored_training_false_is_kept_as_plain_kwarg() -> None:
    g = graph_of("keras3/rnn_zoo.keras")
    assert g.node("gru").training is False


def test_shared_layer_calls_are_separate_nodes() -> None:
    g = graph_of("keras3/shared.keras")
    assert parents(g, "shared_drop") == ["a"] and parents(g, "shared_drop@1") == ["b"]
    assert parents(g, "shared_dense@1") == ["shared_drop@1"]


@pytest.mark.parametrize("rel", ["keras3/seed2.keras", "tfkeras/seed2.h5"])
def test_shapes_recorded_or_inferred(rel: str) -> None:
    g = graph_of(rel)
    assert g.shapes[Tensor("embedding")] == (None, 10, 16)
    assert g.shapes[Tensor("lstm")] == (None, 32)
    assert g.dtypes[g.inputs[0]] == "int32"


def test_custom_layers_stay_as_opaque_nodes() -> None:
    g = graph_of("keras3/custom.keras")
    noisy = g.node("noisy")
    assert noisy.kind == "opaque" and noisy.attrs["rate"] == 0.3


@pytest.mark.parametrize("rel", ["keras3/nested.keras", "keras3/seed2.keras"])
def test_nodes_asked_for_by_op_come_in_graph_order(rel: str) -> None:
    """Graph.with_ops answers from an index by op; nodes of several ops come back in the
    order of the graph, as a walk over every node would give them."""
    g = graph_of(rel)
    for ops in ({"Dense", "Dropout"}, {"Dropout"}, {"LSTM", "Dropout", "Embedding"}):
        assert [n.id for n in g.with_ops(ops)] == [n.id for n in g.nodes.values() if n.op in ops]
