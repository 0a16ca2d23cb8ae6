"""Keras's answers to the questions flow analysis and rules ask (see droplint.sites.semantics)."""

from __future__ import annotations

from droplint.enums import Merge, NodeKind, Role
from droplint.formats.keras import hub
from droplint.formats.keras import layers as kl
from droplint.formats.keras.sites import FAMILY, cudnn_eligible
from droplint.formats.keras.version import KerasVersion
from droplint.graph import Node
from droplint.sites import Semantics

PROBABILITY_ACTIVATIONS = {"softmax", "sigmoid", "log_softmax"}
NORMALIZING_BATCH = {"BatchNormalization", "SyncBatchNormalization"}
WRAPPERS = ("TimeDistributed", "Bidirectional")
HUB_EMBEDDINGS = {"TokenAndPositionEmbedding", "ReversibleEmbedding", "PositionEmbedding"}


class KerasSemantics(Semantics):
    trainable_model = True

    def __init__(self, producer: str, version: str | None) -> None:
        self.version = KerasVersion.of(producer, version)
        self.predict_overrides_training = self.version.keras3

    def transparent(self, node: Node) -> bool:
        if node.op == "TimeDistributed" and node.inner:
            return self.transparent(node.inner[0])
        function = kl.call_function(node)
        if function is not None:  # tf.nn.relu(x) in a tf-keras model: as a ReLU layer
            return function in kl.TF_TRANSPARENT and node.kind == NodeKind.LAYER
        return node.op in kl.TRANSPARENT and node.kind == NodeKind.LAYER

    def parameter_free(self, node: Node) -> bool:
        """Layers without weights that keep the tensor's meaning: reshapes, activations,
        dropouts."""
        if node.op == "TimeDistributed" and node.inner:
            return self.parameter_free(node.inner[0])
        if kl.call_function(node) is not None:
            return self.transparent(node)
        return node.kind == NodeKind.LAYER and (
            node.op in kl.TRANSPARENT or node.op in kl.OUTPUT_DROPOUT or node.op == "Softmax"
        )

    def merge(self, node: Node) -> Merge | None:
        op = kl.TF_MERGES.get(kl.call_function(node) or "", node.op)
        if len(node.inputs) < 2 or op not in kl.MERGES:
            return None
        return Merge.PARTS if op == "Concatenate" else Merge.VALUES

    def weighted(self, node: Node) -> bool:
        if node.kind != NodeKind.LAYER:
            return False
        if node.op in WRAPPERS:
            return any(self.weighted(n) for n in node.inner)
        return node.op in kl.WEIGHTED or (hub.is_hub(node.module) and hub.weighted(node.op))

    def frozen(self, node: Node) -> bool:
        if node.attrs.get("trainable") is False:  # a frozen model writes it into every layer
            return True
        return bool(node.inner) and all(self.frozen(n) for n in node.inner)

    def direct_readers(self, node: Node) -> list[Node]:
        if node.op in FAMILY:
            return [node]
        if node.op == "Bidirectional":
            return [n for inner in node.inner for n in self.direct_readers(inner)]
        if node.inner and node.op in ("RNN", "StackedRNNCells"):
            return self.direct_readers(node.inner[0])  # later cells read the previous cell's h
        return []

    def role(self, node: Node) -> Role | None:
        if node.op in WRAPPERS and node.inner:
            return self.role(node.inner[0])
        if node.op in NORMALIZING_BATCH:
            return Role.BATCHNORM
        if node.op == "Embedding":
            return Role.EMBEDDING
        if node.op in FAMILY or node.op == "RNN":
            return Role.RECURRENT
        activation = node.attrs.get("activation")
        if node.op == "Softmax" or (
            isinstance(activation, str) and activation in PROBABILITY_ACTIVATIONS
        ):
            return Role.PROBABILITY
        if node.op in kl.ATTENTION or (hub.is_hub(node.module) and "Attention" in node.op):
            return Role.ATTENTION
        if hub.is_hub(node.module) and node.op in HUB_EMBEDDINGS:
            return Role.EMBEDDING
        if node.op in ("Dense", "EinsumDense"):
            return Role.DENSE
        if (
            node.op.startswith(("Conv", "SeparableConv", "DepthwiseConv"))
            and node.op in kl.WEIGHTED
        ):
            return Role.CONV
        return None

    def carries_code(self, node: Node) -> bool:
        return node.op in kl.EXECUTABLE

    def plain_dropout(self, node: Node) -> bool:
        return node.op in kl.OUTPUT_DROPOUT

    def cudnn_blocker(self, node: Node) -> str:
        """Keras 1 and standalone Keras 2 had no automatic cuDNN path; tf-keras and Keras 3 take
        it only without recurrent dropout (Keras 3.0-3.3: without any dropout)."""
        version = self.version
        if not (version.keras3 or version.tf_keras):
            return ""
        if not cudnn_eligible(node, ignore_dropout=True):
            return ""  # other settings already rule cuDNN out
        recurrent = node.attrs.get("recurrent_dropout", 0)
        if recurrent != 0:
            return f"recurrent_dropout={recurrent}"
        dropout = node.attrs.get("dropout", 0)
        if version.keras3 and not version.at_least(4) and dropout != 0:
            return (
                f"dropout={dropout} (Keras 3.0-3.3 refuse cuDNN with any dropout; "
                "keras PR #19645 lifted that in 3.4)"
            )
        return ""

    def leaks_rnn_dropout_at_inference(self, node: Node) -> bool:
        """Keras 3.4-3.8 applied LSTM/GRU input dropout at inference on the cuDNN path (fixed in
        3.9, keras PR #20983)."""
        version = self.version
        if not (version.keras3 and version.major == 3 and 4 <= version.minor <= 8):
            return False
        return cudnn_eligible(node)
