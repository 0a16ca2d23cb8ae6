"""Attention recognised by structure: a Softmax whose output, maybe through a dropout and ops
that pass values on (Cast, Reshape, ...), is multiplied with another activation by a MatMul.
A dropout there drops attention probabilities, not a layer's output."""

from __future__ import annotations

from droplint.formats.onnx.weights import weight_tensor
from droplint.graph import Graph, Node, Tensor

# Between a softmax and the weighing MatMul, or around a dropout: no change of meaning.
PASS = {"Cast", "Identity", "Reshape", "Transpose", "Squeeze", "Unsqueeze", "DequantizeLinear",
        "QuantizeLinear"}  # fmt: skip
WEIGHING = {"MatMul", "Einsum", "MatMulInteger", "QLinearMatMul", "DynamicQuantizeMatMul"}
MAX_STEPS = 16  # pass-through ops followed on either side


def attention_probabilities(graph: Graph, data: list[Tensor], last: Node) -> bool:
    """A dropout of data (leaving at last) drops a softmax's output on its way into a MatMul
    that weighs another activation with it: attention probabilities, recognised by
    structure."""
    if not data or not _from_softmax(graph, data[0]):
        return False
    passed, uses = _through(graph, last)
    return any(_weighs(graph, c, passed) for c in uses)


def _from_softmax(graph: Graph, tensor: Tensor) -> bool:
    """tensor is a Softmax's output, maybe through ops that pass it on, or through a Where
    that replaces some of its values (a guard of fully masked rows: Where(IsNaN(p), 0, p))."""
    todo, seen = [tensor], set()
    while todo and len(seen) < MAX_STEPS:
        node_id = todo.pop().node
        op = graph.op_of(node_id)  # most producers are neither: no need to make them
        if op is None or node_id in seen:
            continue
        seen.add(node_id)
        if op == "Softmax":
            return True
        if op not in PASS and op != "Where":
            continue
        producer = graph.node(node_id)
        if producer.op in PASS and producer.inputs:
            todo.append(producer.inputs[0])
        elif producer.op == "Where":  # its two value operands; the condition is no value
            todo.extend(o for o in (producer.operand(1), producer.operand(2))
                        if isinstance(o, Tensor))  # fmt: skip
    return False


def _through(graph: Graph, node: Node) -> tuple[set[str], list[Node]]:
    """The nodes that carry node's output on unchanged, and those that use it."""
    passed, uses, todo = {node.id}, [], list(graph.consumers(node.id))
    for _ in range(MAX_STEPS):
        if not todo:
            break
        c = todo.pop()
        if c.op in PASS:
            passed.add(c.id)
            todo.extend(graph.consumers(c.id))
        else:
            uses.append(c)
    return passed, uses


def _weighs(graph: Graph, matmul: Node, probabilities: set[str]) -> bool:
    """A MatMul of the probabilities with an activation (not a weight)."""
    if matmul.op not in WEIGHING:
        return False
    others = [t for t in matmul.inputs if t.node not in probabilities]
    return bool(others) and any(not weight_tensor(graph, t) for t in others)
