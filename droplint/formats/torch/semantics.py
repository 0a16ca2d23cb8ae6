"""PyTorch's answers to the questions flow analysis and rules ask (see droplint.sites.semantics).

An archive is a program whose mode was fixed when it was exported: each dropout op carries the
`train` flag the module had then, and the loaded program cannot be switched (torch 2.13 raises
NotImplementedError on `.eval()`). So, as for ONNX, rules about training structure do not apply
and rules about inference do.
"""

from __future__ import annotations

import re
from typing import Any

from droplint.enums import Merge, NodeKind, Role
from droplint.graph import Const, Graph, Node, Tensor
from droplint.sites import Semantics

DROPOUT_MODULES = "torch.nn.modules.dropout."
TORCH_MODULES = "torch.nn.modules."
OUT_OF_PLACE = {"dropout", "feature_dropout", "alpha_dropout", "feature_alpha_dropout"}
# In-place forms (nn.Dropout(inplace=True), F.dropout(..., inplace=True)) mean the same.
DROPOUT_OPS = {*OUT_OF_PLACE, *(op + "_" for op in OUT_OF_PLACE), "native_dropout"}
TRANSPARENT = {
    "relu", "relu_", "gelu", "silu", "tanh", "elu", "selu", "celu", "leaky_relu", "hardtanh",
    "hardswish", "mish", "softplus", "sigmoid", "view", "reshape", "_unsafe_view", "permute",
    "transpose", "t", "flatten", "squeeze", "unsqueeze", "contiguous", "clone", "expand",
    "unflatten", "alias", "detach", "_to_copy", "to", "type_as", "div", *DROPOUT_OPS,
}  # fmt: skip
# Ops that turn a random draw into a mask and apply it: rand_like(x) > p, .to(x.dtype), x * m.
MASK_MAKING = {"mul", "div", "where", "masked_fill", "gt", "lt", "ge", "le", "eq", "ne",
               "logical_not", "to", "_to_copy", "type_as"}  # fmt: skip
PROBABILITY = {"softmax", "_softmax", "_safe_softmax", "log_softmax", "_log_softmax", "sigmoid"}
RECURRENT = {"lstm", "gru", "rnn_tanh", "rnn_relu"}
BATCHNORM = {"batch_norm", "native_batch_norm", "_native_batch_norm_legit",
             "_native_batch_norm_legit_no_training", "_native_batch_norm_legit_functional",
             "cudnn_batch_norm", "instance_norm"}  # fmt: skip
WEIGHT_PATH = {"permute", "t", "transpose", "view", "reshape", "_to_copy", "detach", "alias"}
# A cond's two branches meet like parts: what follows gets the weaker branch's dropout.
MERGES = {"add": Merge.VALUES, "sub": Merge.VALUES, "cat": Merge.PARTS, "cond": Merge.PARTS}
# Parameter names of a recurrent module's layers: weight_ih_l0, weight_hh_l1_reverse, ...
LAYER_PARAM = re.compile(r"^(?P<module>.*)\.weight_ih_l(?P<layer>\d+)$")


class TorchSemantics(Semantics):
    trainable_model = False
    inert_dropout_is_normal = True  # an eval-mode export keeps dropout(train=False)

    def __init__(self, graph: Graph, programs: dict[str, Any]) -> None:
        self.graph = graph
        self.programs = programs  # name -> program JSON; node ids are `name/...` if several

    def transparent(self, node: Node) -> bool:
        return node.op in TRANSPARENT

    def parameter_free(self, node: Node) -> bool:
        return node.op in TRANSPARENT or node.op in PROBABILITY

    def merge(self, node: Node) -> Merge | None:
        if len(node.inputs) < 2:
            return None
        return MERGES.get(node.op)

    def weighted(self, node: Node) -> bool:
        """An op that reads a parameter (a Linear, a convolution, an Embedding, an LSTM), also
        through the transposes and views decomposition puts in front of weights."""
        if node.kind != NodeKind.LAYER or node.op in TRANSPARENT or node.op in WEIGHT_PATH:
            return False
        return any(self._weight(o) for o in node.operands or ())

    def _weight(self, operand: Any, steps: int = 4) -> bool:
        for _ in range(steps):
            if isinstance(operand, Const):
                return len(operand.dims) > 1
            if not isinstance(operand, Tensor):
                return False
            producer = self.graph.nodes.get(operand.node)
            if producer is None or producer.op not in WEIGHT_PATH | DROPOUT_OPS:  # DropConnect
                return False
            operand = producer.operand(0)
        return False

    def role(self, node: Node) -> Role | None:
        if node.op in BATCHNORM:
            return Role.BATCHNORM
        if node.op in RECURRENT:
            return Role.RECURRENT
        if node.op in PROBABILITY:
            return Role.PROBABILITY
        if node.op in ("linear", "addmm", "mm") and self.weighted(node):
            return Role.DENSE
        if node.op in ("convolution", "conv1d", "conv2d", "conv3d"):
            return Role.CONV
        return None

    def plain_dropout(self, node: Node) -> bool:
        return node.op in DROPOUT_OPS

    def inference_fix(self, node: Node) -> str:
        ours = not (node.module or "").startswith(TORCH_MODULES)  # PyTorch's modules gate it
        functional = node.op in DROPOUT_OPS and node.op != "native_dropout" and ours
        inside = f" inside module '{node.source}'" if node.source else ""
        call = (
            f" A functional call{inside} follows the mode only if it passes "
            "training=self.training (F.dropout's default is training=True)."
            if functional
            else ""
        )
        return (
            "Fix: call model.eval() before torch.export.export: an archive keeps the mode it "
            "was exported in (train=True is part of the op, and the loaded program cannot be "
            f"switched: torch 2.13 raises NotImplementedError on .eval()).{call} List the "
            "module in `mc-dropout` if the randomness is wanted."
        )

    def mixed_modes_note(self) -> str:
        return (
            "In a torch.export archive that means a module dropped against the mode it was "
            "exported in: F.dropout(..., training=True), or a dropout_p not gated on "
            "self.training. Fix: follow self.training everywhere, then export in eval mode."
        )

    def carries_unknown(self, node: Node) -> bool:
        return node.op in MASK_MAKING

    def program(self, node: Node) -> str:
        if len(self.programs) < 2:
            return ""
        return node.id.split("/", 1)[0]  # package_pt2 programs: node ids are name/...

    def lost_dropout(self) -> list[tuple[str, str]]:
        """Recurrent modules a decomposition unrolled: their between-layer dropout is gone."""
        left = {n.source for n in self.graph.nodes.values() if n.op in RECURRENT}
        lost = []
        for module, layers in self.recurrent_modules().items():
            if layers < 2 or module in left:
                continue
            lost.append((module, (
                f"'{module}' is a recurrent module of {layers} layers that run_decompositions() "
                "unrolled into elementwise ops: whatever dropout it applied between its layers "
                "(nn.LSTM/nn.GRU dropout=) is not in this program, and droplint cannot see what "
                "it was. Training from this program drops nothing there (measured with torch "
                "2.13). Fix: lint the program before run_decompositions(), or keep the dropout "
                "in an nn.Dropout between single-layer RNNs, which decomposes to native_dropout."
            )))  # fmt: skip
        return lost

    def recurrent_modules(self) -> dict[str, int]:
        """Recurrent modules of the programs that went through run_decompositions() (core aten
        ops only), by path, with their layer count read from their parameter names
        (weight_ih_l0, weight_ih_l1, ...): they stay in the signature after decomposition."""
        layers: dict[str, int] = {}
        for name, program in self.programs.items():
            if "ATEN" not in (program.get("verifiers") or []):
                continue
            prefix = f"{name}/" if len(self.programs) > 1 else ""
            signature = program["graph_module"].get("signature") or {}
            for spec in signature.get("input_specs") or []:
                param = (spec.get("parameter") or {}).get("parameter_name")
                match = LAYER_PARAM.match(param) if isinstance(param, str) else None
                if match:
                    module, layer = prefix + match["module"], int(match["layer"])
                    layers[module] = max(layers.get(module, 0), layer + 1)
        return layers
