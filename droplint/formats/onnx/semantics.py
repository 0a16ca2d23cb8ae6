"""ONNX's answers to the questions flow analysis and rules ask (see droplint.sites.semantics).

An ONNX file is an exported graph: its dropout is fixed at export (training_mode, opset), so
rules about training structure do not apply, and rules about inference do."""

from __future__ import annotations

from collections.abc import Iterable

from droplint.enums import Merge, NodeKind, Role
from droplint.formats.onnx.masks import COMPARE, MASK_OPS
from droplint.formats.onnx.sites import INPUT_POSITIONS, is_dropout_op
from droplint.formats.onnx.weights import KERNELS, carries_weights
from droplint.graph import Graph, Node, Tensor
from droplint.graph.lazy import LazyGraph
from droplint.sites import Semantics

TRANSPARENT = {
    "Reshape", "Flatten", "Transpose", "Squeeze", "Unsqueeze", "Identity", "Cast", "Relu",
    "LeakyRelu", "Elu", "Selu", "Gelu", "Tanh", "Softplus", "Softsign", "HardSwish", "Mish",
    "Sigmoid", "HardSigmoid",
}  # fmt: skip
WEIGHTED = {"Conv", "ConvTranspose", "Gemm", "MatMul", "LSTM", "GRU", "RNN", "Attention",
            "MultiHeadAttention", "Einsum", "ConvInteger", "MatMulInteger", "QLinearConv",
            "QLinearMatMul", "DynamicQuantizeMatMul", "MatMulNBits", "FusedMatMul",
            "DynamicQuantizeLSTM"}  # fmt: skip
RECURRENT = {"LSTM", "GRU", "RNN"}
MERGES = {"Concat", "Sum", "Mean", "Max", "Min", "Add", "Sub"}
PROBABILITY = {"Softmax", "LogSoftmax", "Sigmoid", "HardSigmoid"}
# Ops through which a random draw becomes a mask and meets the data (masks.py follows those it
# can read): what they make of a draw droplint cannot read is unknown.
MASK_MAKING = {*COMPARE, *MASK_OPS, "Floor", "Ceil", "Round", "Clip", "Min", "Max", "Abs",
               "Sign", "Gather", "Tile", "Expand"}  # fmt: skip


ROLE_OPS = {Role.BATCHNORM: {"BatchNormalization"}, Role.RECURRENT: RECURRENT,
            Role.PROBABILITY: PROBABILITY, Role.DENSE: {"Gemm", "MatMul"},
            Role.CONV: {"Conv", "ConvTranspose"}}  # fmt: skip


class OnnxSemantics(Semantics):
    trainable_model = False
    recurrent_dropout_representable = False  # ONNX LSTM/GRU/RNN have no dropout attribute

    def __init__(self, graph: Graph) -> None:
        self.graph = graph

    def transparent(self, node: Node) -> bool:
        return node.op in TRANSPARENT

    def carries_unknown(self, node: Node) -> bool:
        return node.op in MASK_MAKING

    def parameter_free(self, node: Node) -> bool:
        return node.op in TRANSPARENT or node.op in PROBABILITY or node.op in INPUT_POSITIONS

    def merge(self, node: Node) -> Merge | None:
        """Concatenations and sums of several activations (a residual Add, not a bias Add)."""
        if len(node.inputs) < 2 or node.op not in MERGES:
            return None
        return Merge.PARTS if node.op == "Concat" else Merge.VALUES

    def weighted(self, node: Node) -> bool:
        """A layer with weights: an op that can carry them, given stored values (a MatMul of two
        activations, as in attention, is none)."""
        return (
            node.op in WEIGHTED
            and node.kind == NodeKind.LAYER
            and carries_weights(self.graph, node)
        )

    def trainable_layers(self, graph: Graph) -> Iterable[tuple[str, str]]:
        """Nodes of ops that can carry weights, and do: most are decided from the table's
        columns (a kernel input, a stored tensor or a model input as operand), the others
        node by node."""
        if not isinstance(graph, LazyGraph):
            yield from super().trainable_layers(graph)
            return
        from droplint.formats.onnx.table import NodeTable  # numpy: only for a graph read so

        table = graph.nodes.source
        assert isinstance(table, NodeTable)
        decided, undecided = table.weighted(WEIGHTED, KERNELS)
        chosen = [p for p in undecided if self.trainable(graph.nodes.at(p))]
        yield from table.idents_and_ops(sorted([*decided, *chosen]))

    def maybe_unseen(self, graph: Graph) -> Iterable[Node]:
        return graph.with_kind(NodeKind.OPAQUE)  # custom ops, random draws not read

    def maybe_role(self, graph: Graph, role: Role) -> Iterable[Node]:
        return graph.with_ops(ROLE_OPS.get(role, ()))

    def role(self, node: Node) -> Role | None:
        if node.op == "BatchNormalization":
            return Role.BATCHNORM
        if node.op in RECURRENT:
            return Role.RECURRENT
        if node.op in PROBABILITY:
            return Role.PROBABILITY
        if node.op in ("Gemm", "MatMul"):
            return Role.DENSE
        if node.op in ("Conv", "ConvTranspose"):
            return Role.CONV
        return None

    def plain_dropout(self, node: Node) -> bool:
        return node.op == "Dropout" and is_dropout_op(node)

    def runtime_note(self, node: Node) -> str:
        """Whether onnxruntime's default optimizer (EliminateDropout) is likely to delete the
        node."""
        graph = self.graph
        if node.op != "Dropout":
            return "No runtime removes it: the spec says it is random."
        if Tensor(node.id, 0) in graph.outputs:
            return "onnxruntime keeps it too, because it writes a graph output."
        if self._mask_used(node):
            return "onnxruntime keeps it too, because its mask output is used."
        # onnxruntime removes a node only with exactly one input edge from another node, or one
        # input in all (graph_utils::CanRemoveNode); Constant nodes are folded to initializers
        # first.
        edges = [
            p for p in graph.producers(node) if p.kind != NodeKind.INPUT and p.op != "Constant"
        ]
        if len(edges) != 1 and node.arity != 1:
            return "onnxruntime keeps it too: it has no single input edge from another node."
        return (
            "onnxruntime's default graph optimizer deletes it (its mask is unused), so the "
            "randomness shows with ORT_DISABLE_ALL and in runtimes that follow the spec."
        )

    def inference_fix(self, node: Node) -> str:
        return (
            "Fix: export with the model in eval mode (torch: training=TrainingMode.EVAL, module "
            "in eval mode), or set training_mode to false; list the node in `mc-dropout` if the "
            "randomness is wanted."
        )

    def mixed_modes_note(self) -> str:
        return (
            "That is what torch's training-mode export writes when some modules (like "
            "nn.MultiheadAttention) omit training_mode: neither an inference nor a faithful "
            "training graph. Fix: export in eval mode for inference."
        )

    def _mask_used(self, node: Node) -> bool:
        mask = Tensor(node.id, 1)
        graph = self.graph
        return mask in graph.outputs or any(mask in c.inputs for c in graph.consumers(node.id))
