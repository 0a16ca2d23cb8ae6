"""ONNX models, decoded from the protobuf wire format without the onnx package. This module is
the plug-in's descriptor and stays cheap to import; the work is in its siblings."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from droplint.formats.plugin import Format, Interpretation

if TYPE_CHECKING:
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
        from droplint.formats.onnx.graph import build_onnx_graph
        from droplint.formats.onnx.semantics import OnnxSemantics
        from droplint.formats.onnx.sites import onnx_sites

        graph = build_onnx_graph(saved)
        return Interpretation(graph, onnx_sites(graph), OnnxSemantics(graph))

    def from_memory(self, obj: Any) -> SavedModel | None:
        serialize = getattr(obj, "SerializeToString", None)
        if not callable(serialize):
            return None
        from droplint.formats.onnx.proto import read_onnx_bytes

        return read_onnx_bytes(serialize())


def _looks_like_onnx(head: bytes) -> bool:
    """ModelProto as written by onnx starts with ir_version (field 1, a small varint)."""
    return len(head) >= 2 and head[0] == 0x08 and 1 <= head[1] <= 64


FORMAT = OnnxFormat()
