"""The values a node's arguments have when the file fixes them: initializers, and the payload of
Constant nodes, each resolved in the scope of the node that reads it."""

from __future__ import annotations

from typing import Any

from droplint.formats.onnx.proto import OnnxTensor
from droplint.graph import Const, Graph, Node, Operand, Tensor

ABSENT = object()  # the optional argument was left out
UNKNOWN = object()  # not a constant: a graph input or a computed value


def scalar_operand(graph: Graph, node: Node, position: int) -> Any:
    """The one-element constant value of node's argument at position, ABSENT or UNKNOWN."""
    return scalar_value(graph, node.operand(position))


def scalar_value(graph: Graph, operand: Operand) -> Any:
    if operand is None:
        return ABSENT
    values = _values(graph, operand)
    if not values or len(values) != 1:
        return UNKNOWN
    return values[0]


def _values(graph: Graph, operand: Tensor | Const) -> tuple[Any, ...] | None:
    if isinstance(operand, Const):
        return operand.values
    producer = graph.nodes.get(operand.node)
    if producer is None or producer.op != "Constant" or operand.index != 0:
        return None
    value = producer.attrs.get("value")
    if isinstance(value, OnnxTensor) and value.values is not None:
        return tuple(value.values)
    return None
