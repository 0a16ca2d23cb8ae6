"""Where an ONNX graph applies dropout, per operator version (facts: onnx-dropout.md).

Dropout opset 1/6 drops unless is_test is set; opsets 7-11 are identity at inference; from opset
12 it drops only when its training_mode input is true. onnxruntime's contrib ops take ratio and
training_mode as inputs too. Bernoulli and hand-made RandomUniform masks are random at inference.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from droplint.graph import Graph, Node, Tensor
from droplint.sites.model import Site, as_rate

# op -> (position of the ratio input, position of the training_mode input)
INPUT_POSITIONS = {"Dropout": (1, 2), "BitmaskDropout": (1, 2), "BiasDropout": (3, 4),
                   "BitmaskBiasDropout": (3, 4)}  # fmt: skip
CONTRIB = "com.microsoft"
RANDOM = {"RandomUniform", "RandomUniformLike", "RandomNormal", "RandomNormalLike"}
COMPARE = {"Less", "LessOrEqual", "Greater", "GreaterOrEqual"}
MASKING = {"Cast", "Where", "Not", "Div"}  # Div: the 1/keep scale some exporters put first

TRANSPARENT = {
    "Reshape", "Flatten", "Transpose", "Squeeze", "Unsqueeze", "Identity", "Cast", "Relu",
    "LeakyRelu", "Elu", "Selu", "Gelu", "Tanh", "Softplus", "Softsign", "HardSwish", "Mish",
    "Sigmoid", "HardSigmoid",
}  # fmt: skip
WEIGHTED = {"Conv", "ConvTranspose", "Gemm", "MatMul", "LSTM", "GRU", "RNN", "Attention",
            "MultiHeadAttention", "Einsum"}  # fmt: skip
RECURRENT = {"LSTM", "GRU", "RNN"}
PROBABILITY = {"Softmax", "LogSoftmax", "Sigmoid", "HardSigmoid"}


def onnx_sites(graph: Graph) -> list[Site]:
    sites: list[Site] = []
    for node in graph.nodes.values():
        site = _site(graph, node)
        if site is None:
            continue
        site.source = source_module(node)
        if node.call.get("training_graph") and site.active == "always":
            site.active = "training"
            site.note = "in a training_info graph, which runs only in training"
        sites.append(site)
    return sites


def _site(graph: Graph, node: Node) -> Site | None:
    if node.op in INPUT_POSITIONS and (node.op == "Dropout") == (node.module != CONTRIB):
        return _dropout(graph, node)
    if node.op == "Bernoulli":
        return Site(node.id, node.id, node.op, "output", "input", None, shared_axes=[],
                    active="always", note="draws a random 0/1 tensor at every run")  # fmt: skip
    if node.op in RANDOM:
        return _random_mask(graph, node)
    return None


def _dropout(graph: Graph, node: Node) -> Site:
    attrs, names = node.config["attributes"], node.config["input_names"]
    opset = node.config["opset"]
    site = Site(node.id, node.id, node.op, "output", "ratio", 0.5, shared_axes=[])
    if node.module != CONTRIB and opset and opset < 12:
        site.raw_rate = attrs.get("ratio", 0.5)
        site.rate = _rate(site.raw_rate)
        if opset < 7 and not attrs.get("is_test", 0):
            site.active, site.note = (
                "always",
                "opset < 7 Dropout without is_test runs in training mode",
            )
        else:
            site.active = "never"
            site.note = "is_test is set" if opset < 7 else "opset 7-11 Dropout is inference only"
        return site
    ratio_at, mode_at = INPUT_POSITIONS[node.op]
    ratio = _input_value(graph, names, ratio_at)
    if ratio is _UNKNOWN:
        site.rate = None  # a graph input or a computed value: not known statically
    elif ratio is not _ABSENT:
        site.raw_rate = ratio
        site.rate = _rate(ratio)
    mode = _input_value(graph, names, mode_at)
    if mode is _ABSENT:
        site.active, site.note = "never", "it has no training_mode input"
    elif mode is _UNKNOWN:
        site.active, site.note = "unknown", "training_mode is not a constant: decided at run time"
    elif mode:
        site.active, site.note = "always", "its training_mode input is true"
    else:
        site.active, site.note = "never", "its training_mode input is false"
    site.param = names[ratio_at] if len(names) > ratio_at and names[ratio_at] else "ratio"
    return site


_ABSENT, _UNKNOWN = object(), object()


def _input_value(graph: Graph, names: list[str], position: int) -> Any:
    """A scalar input's constant value, _ABSENT when omitted, _UNKNOWN when not constant."""
    if position >= len(names) or not names[position]:
        return _ABSENT
    values = graph.constants.get(names[position])
    if not values or len(values) != 1:
        return _UNKNOWN
    return values[0]


def _rate(value: Any) -> float | None:
    rate = as_rate(value)
    return None if rate is None else float(f"{rate:.6g}")  # float32 0.4 -> 0.4


def _random_mask(graph: Graph, node: Node) -> Site | None:
    """RandomUniform -> compare -> (Not/Cast/Where) -> Mul, or RandomNormal -> Mul."""
    gaussian = node.op.startswith("RandomNormal")
    rate: float | None = None
    for path in _paths(graph, node, depth=4):
        ops = [n.op for n in path]
        applied = ops[-1] == "Mul" and all(op in COMPARE | MASKING for op in ops[:-1])
        returned = graph.is_output(path[-1].id) and all(op in COMPARE | MASKING for op in ops)
        if not (applied or returned):
            continue
        if gaussian and len(ops) == 1:
            return Site(node.id, node.id, node.op, "output", node.op, None, shared_axes=[],
                        noise="gaussian", active="always",
                        note="multiplies by fresh Gaussian noise at every run")  # fmt: skip
        if not gaussian and ops[0] in COMPARE:
            rate = _mask_rate(graph, path[0], node, inverted=ops.count("Not") % 2 == 1)
            return Site(node.id, node.id, "RandomUniform mask", "output", path[0].op, rate,
                        shared_axes=[], active="always",
                        note=f"a random mask built from {' -> '.join([node.op, *ops])}, drawn "
                        "at every run")  # fmt: skip
    return None


def _paths(graph: Graph, start: Node, depth: int) -> Iterator[list[Node]]:
    todo = [[c] for c in graph.consumers(start.id)]
    while todo:
        path = todo.pop()
        yield path
        if len(path) < depth:
            todo.extend([*path, c] for c in graph.consumers(path[-1].id))


def _mask_rate(graph: Graph, compare: Node, random: Node, inverted: bool) -> float | None:
    """keep = P(u op c) for u ~ U(0, 1): u >= c keeps 1 - c; u < c keeps c."""
    names = compare.config["input_names"]
    random_first = bool(compare.inputs) and compare.inputs[0] == Tensor(random.id)
    other = names[1] if random_first else names[0]
    values = graph.constants.get(other)
    if not values or len(values) != 1:
        return None
    c = float(values[0])
    keeps_low = compare.op.startswith("Less") == random_first
    keep = c if keeps_low else 1 - c
    if inverted:
        keep = 1 - keep
    return _rate(1 - keep)


# -- structure for flow analysis and rules -------------------------------------------------


def is_transparent(node: Node) -> bool:
    return node.op in TRANSPARENT


def parameter_free(node: Node) -> bool:
    return node.op in TRANSPARENT or node.op in PROBABILITY or node.op in INPUT_POSITIONS


def is_weighted(node: Node) -> bool:
    return node.op in WEIGHTED and node.kind == "layer"


def direct_readers(node: Node) -> list[Node]:
    return []  # ONNX recurrent ops have no dropout of their own


def role(node: Node) -> str | None:
    if node.op == "BatchNormalization":
        return "batchnorm"
    if node.op in RECURRENT:
        return "recurrent"
    if node.op in PROBABILITY:
        return "probability"
    if node.op in ("Gemm", "MatMul"):
        return "dense"
    if node.op in ("Conv", "ConvTranspose"):
        return "conv"
    return None


def source_module(node: Node) -> str | None:
    """The torch module a dynamo export names in pkg.torch.onnx.name_scopes."""
    scopes = node.config.get("source")
    if not scopes:
        return None
    # A list of module paths from the root, then the node's own (fx) name: drop the last.
    parts = [p.strip(" '\"") for p in scopes.strip("[]").split(",")][:-1]
    named = [p for p in parts if p]
    return named[-1] if named else None
