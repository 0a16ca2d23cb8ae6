"""Which ONNX values are weights: an initializer (or a Constant) reaching a node directly or
through the ops exporters and quantizers put in front of weights."""

from __future__ import annotations

from droplint.graph import Const, Graph, Node, Operand, Tensor

# Ops between a stored weight and the node that uses it (quantized and transposed weights).
WEIGHT_PATH = {"DequantizeLinear", "Transpose", "Cast", "Reshape", "Identity", "Squeeze",
               "Unsqueeze"}  # fmt: skip
MAX_STEPS = 4


def weight_tensor(graph: Graph, operand: Operand) -> bool:
    """A tensor of stored values (not a scalar), not an activation."""
    for _ in range(MAX_STEPS):
        if isinstance(operand, Const):
            return len(operand.dims) > 0
        if not isinstance(operand, Tensor):
            return False
        producer = graph.nodes.get(operand.node)
        if producer is None:
            return False
        if producer.op in ("Constant", "ConstantOfShape") or "default" in producer.attrs:
            return True
        if producer.op not in WEIGHT_PATH:
            return False
        operand = producer.operand(0)
    return False


# Ops whose second input is their kernel by definition, wherever its values come from.
KERNELS = {"Conv", "ConvTranspose", "ConvInteger", "QLinearConv", "LSTM", "GRU", "RNN",
           "DynamicQuantizeLSTM"}  # fmt: skip


def carries_weights(graph: Graph, node: Node) -> bool:
    """The node multiplies by weights: its kernel, stored values, or a graph input (weights fed
    from outside, as in test models stripped of theirs): not two computed activations."""
    if node.op in KERNELS:
        return True
    operands = [node.operand(i) for i in range(node.arity)]
    if any(isinstance(o, Const) and o.dims for o in operands):
        return True  # the common case, decided without looking at other nodes
    return any(weight_tensor(graph, o) or _graph_input(graph, o) for o in operands)


def _graph_input(graph: Graph, operand: Operand) -> bool:
    producer = graph.nodes.get(operand.node) if isinstance(operand, Tensor) else None
    return producer is not None and producer.kind == "input"
