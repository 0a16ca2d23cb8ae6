"""The questions flow analysis and rules may ask about a model, which each format answers.

Rules never look at a format's names or internals: what a node is, whether it carries weights,
what the saved framework version does, are answers of the format's Semantics. The defaults here
are the answers for a format that knows nothing; each plug-in overrides what it knows.
"""

from __future__ import annotations

from collections.abc import Iterable

from droplint.enums import Merge, Role
from droplint.graph import Graph, Node


class Semantics:
    # The file describes a model to train, with the framework's train/eval switch (Keras), rather
    # than a graph whose mode was fixed when it was written (an ONNX export).
    trainable_model: bool = False
    # Recurrent nodes can hold dropout of their own (Keras cells do; ONNX LSTM/GRU/RNN cannot).
    recurrent_dropout_representable: bool = True
    # A call's own training=True flag is overridden by the framework's predict() (Keras 3).
    predict_overrides_training: bool = False
    # A dropout that never drops is how the format writes an eval-mode model (torch.export keeps
    # `dropout(train=False)`): nothing to report about it.
    inert_dropout_is_normal: bool = False

    def transparent(self, node: Node) -> bool:
        """Parameter-free and value-preserving in kind (reshapes, element-wise activations):
        dropouts on either side act on the same values."""
        return False

    def parameter_free(self, node: Node) -> bool:
        """No weights (transparent nodes, dropouts, softmax)."""
        return False

    def merge(self, node: Node) -> Merge | None:
        """How node combines several tensors (Concatenate: by parts; Add: value by value), or
        None if it is not a merge."""
        return None

    def weighted(self, node: Node) -> bool:
        """A layer with weights that dropout is meant to regularise (counted in coverage)."""
        return False

    def frozen(self, node: Node) -> bool:
        """A layer with weights that training leaves alone (Keras trainable=False): it still
        ends a series of dropouts, but it is no trainable layer for coverage to count."""
        return False

    def direct_readers(self, node: Node) -> list[Node]:
        """The recurrent layers or cells inside node that read node's own input x_t."""
        return []

    def role(self, node: Node) -> Role | None:
        return None

    def carries_code(self, node: Node) -> bool:
        """The node holds code droplint never runs (a Lambda): anything may happen inside."""
        return False

    def plain_dropout(self, node: Node) -> bool:
        """The node does nothing but dropout: removing it changes nothing at inference."""
        return False

    def cudnn_blocker(self, node: Node) -> str:
        """The dropout setting that rules out the fused cuDNN kernel for node, or ""."""
        return ""

    def leaks_rnn_dropout_at_inference(self, node: Node) -> bool:
        """The saved framework version applies node's input dropout at inference (a bug)."""
        return False

    def runtime_note(self, node: Node) -> str:
        """What common runtimes do with a dropout node that drops at inference."""
        return ""

    def inference_fix(self, node: Node) -> str:
        """How to stop node dropping at inference, in the framework's words."""
        return (
            "Fix: export with the model in eval mode; list the node in `mc-dropout` if the "
            "randomness is wanted."
        )

    def mixed_modes_note(self) -> str:
        """What it means, in this format, that live and inert dropouts share one graph."""
        return "Fix: export in eval mode for inference."

    def carries_unknown(self, node: Node) -> bool:
        """node carries on what droplint cannot see in any input (a product, a comparison, a
        cast): a random draw droplint cannot read may become a dropout mask that way."""
        return False

    def program(self, node: Node) -> str:
        """The program node belongs to, where a file holds several exported apart (rules that
        compare the modes of dropouts compare them within one); "" for the only one."""
        return ""

    def trainable(self, node: Node) -> bool:
        """Counted in coverage: weights that training changes (a frozen layer's do not)."""
        return self.weighted(node) and not self.frozen(node)

    def trainable_layers(self, graph: Graph) -> Iterable[tuple[str, str]]:
        """(id, op) of the top-level nodes trainable() holds for, in graph order: the layers
        coverage counts. A format that can tell them without making every node overrides it."""
        for node in graph.nodes.values():
            if self.trainable(node):
                yield node.id, node.op

    def maybe_unseen(self, graph: Graph) -> Iterable[Node]:
        """Every node, wrapped ones included, that may be opaque or carry code, in graph
        order (a superset)."""
        return graph.all_nodes()

    def maybe_role(self, graph: Graph, role: Role) -> Iterable[Node]:
        """The top-level nodes role() may give role for, in graph order (a superset)."""
        return graph.nodes.values()

    def lost_dropout(self) -> list[tuple[str, str]]:
        """(layer, why) for dropout the file once had and no longer shows (a decomposition
        unrolled the layer that applied it)."""
        return []
