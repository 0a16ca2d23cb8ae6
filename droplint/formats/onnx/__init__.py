"""ONNX models, decoded from the protobuf wire format without the onnx package. This module is
the plug-in's descriptor and stays cheap to import; the work is in its siblings."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from droplint.formats.plugin import Format, Interpretation

if TYPE_CHECKING:
    from droplint.graph import Graph
    from droplint.read import SavedModel
    from droplint.read.probe import Probe


class OnnxFormat(Format):
    name = "onnx"
    title = "ONNX"
    labels = {  # noqa: RUF012
        "onnx": "ONNX `ModelProto`, decoded from the protobuf wire format without the onnx "
        "package: weights are skipped unread, external data is never opened",
    }
    suffixes = (".onnx",)

    def recognises(self, probe: Probe) -> bool:
        if probe.is_dir or not probe.head:
            return False
        return _looks_like_onnx(probe.head) or probe.suffix == ".onnx"

    def read(self, probe: Probe) -> SavedModel:
        from droplint.formats.onnx.proto import read_onnx

        return read_onnx(probe.path)

    def interpret(self, saved: SavedModel) -> Interpretation:
        from droplint.formats.onnx.semantics import OnnxSemantics
        from droplint.formats.onnx.sites import onnx_sites

        graph = graph_of(saved)
        return Interpretation(graph, onnx_sites(graph), OnnxSemantics(graph))

    def from_memory(self, obj: Any) -> SavedModel | None:
        serialize = getattr(obj, "SerializeToString", None)
        if not callable(serialize):
            return None
        from droplint.formats.onnx.proto import read_onnx_bytes

        return read_onnx_bytes(serialize())


COLUMNS_FROM = 5_000  # main-graph nodes from which numpy's columns beat building every node


def graph_of(saved: SavedModel) -> Graph:
    """The model's graph: a large main graph read as columns, its nodes made when asked for
    (table.py); a small one, or one the columns do not cover, built node by node (graph.py)."""
    from droplint.formats.onnx.graph import build_onnx_graph

    model = saved.config
    if len(model.graph.nodes) >= COLUMNS_FROM and not model.functions and not model.training:
        from droplint.formats.onnx.columns import NotColumnar, small_pages
        from droplint.formats.onnx.table import table_graph

        try:
            with small_pages():
                return table_graph(saved)
        except NotColumnar:
            pass  # an unusual graph: the builder reads it, and says what is wrong with it
    return build_onnx_graph(saved)


def _looks_like_onnx(head: bytes) -> bool:
    """ModelProto as written by onnx starts with ir_version (field 1, a small varint)."""
    return len(head) >= 2 and head[0] == 0x08 and 1 <= head[1] <= 64


FORMAT = OnnxFormat()
