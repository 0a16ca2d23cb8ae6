"""Where an ONNX graph applies dropout, per operator version (facts: onnx-dropout.md).

Dropout opset 1/6 drops unless is_test is set; opsets 7-11 are identity at inference; from opset
12 it drops only when its training_mode input is true. onnxruntime's contrib ops take ratio and
training_mode as inputs too. Bernoulli and hand-made RandomUniform masks are random at inference.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from droplint.enums import Active, Noise, Where
from droplint.formats.onnx.values import ABSENT, UNKNOWN, scalar_operand, scalar_value
from droplint.graph import Graph, Node, Tensor
from droplint.sites.model import Site, as_rate

# op -> (position of the ratio input, position of the training_mode input)
INPUT_POSITIONS = {"Dropout": (1, 2), "BitmaskDropout": (1, 2), "BiasDropout": (3, 4),
                   "BitmaskBiasDropout": (3, 4)}  # fmt: skip
CONTRIB = "com.microsoft"
RANDOM = {"RandomUniform", "RandomUniformLike", "RandomNormal", "RandomNormalLike"}
COMPARE = {"Less", "LessOrEqual", "Greater", "GreaterOrEqual"}
MASKING = {"Cast", "Where", "Not", "Div"}  # Div: the 1/keep scale some exporters put first


def onnx_sites(graph: Graph) -> list[Site]:
    sites: list[Site] = []
    for node in graph.nodes.values():
        site = _site(graph, node)
        if site is None:
            continue
        site.source = node.source
        if node.training_only and site.active == Active.ALWAYS:
            site.active = Active.TRAINING
            site.note = "in a training_info graph, which runs only in training"
        sites.append(site)
    return sites


def is_dropout_op(node: Node) -> bool:
    """The standard Dropout, or one of onnxruntime's contrib dropouts."""
    return node.op in INPUT_POSITIONS and (node.op == "Dropout") == (node.module != CONTRIB)


def _site(graph: Graph, node: Node) -> Site | None:
    if is_dropout_op(node):
        return _dropout(graph, node)
    if node.op == "Bernoulli":
        note = "draws a random 0/1 tensor at every run"
        return Site(node.id, node.id, node.op, Where.OUTPUT, "input", None, shared_axes=[],
                    active=Active.ALWAYS, note=note)  # fmt: skip
    if node.op in RANDOM:
        return _random_mask(graph, node)
    return None


def _dropout(graph: Graph, node: Node) -> Site:
    attrs, opset = node.attrs, node.op_version
    site = Site(node.id, node.id, node.op, Where.OUTPUT, "ratio", 0.5, shared_axes=[])
    if node.module != CONTRIB and opset and opset < 12:
        site.raw_rate = attrs.get("ratio", 0.5)
        site.rate = _rate(site.raw_rate)
        if opset < 7 and not attrs.get("is_test", 0):
            site.active = Active.ALWAYS
            site.note = "opset < 7 Dropout without is_test runs in training mode"
        else:
            site.active = Active.NEVER
            site.note = "is_test is set" if opset < 7 else "opset 7-11 Dropout is inference only"
        return site
    ratio_at, mode_at = INPUT_POSITIONS[node.op]
    ratio = scalar_operand(graph, node, ratio_at)
    if ratio is UNKNOWN:
        site.rate = None  # a graph input or a computed value: not known statically
    elif ratio is not ABSENT:
        site.raw_rate = ratio
        site.rate = _rate(ratio)
    mode = scalar_operand(graph, node, mode_at)
    if mode is ABSENT:
        site.active, site.note = Active.NEVER, "it has no training_mode input"
    elif mode is UNKNOWN:
        site.active = Active.UNKNOWN
        site.note = "training_mode is not a constant: decided at run time"
    elif mode:
        site.active, site.note = Active.ALWAYS, "its training_mode input is true"
    else:
        site.active, site.note = Active.NEVER, "its training_mode input is false"
    names = node.arg_names or ()
    site.param = names[ratio_at] if len(names) > ratio_at and names[ratio_at] else "ratio"
    return site


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
            return Site(node.id, node.id, node.op, Where.OUTPUT, node.op, None, shared_axes=[],
                        noise=Noise.GAUSSIAN, active=Active.ALWAYS,
                        note="multiplies by fresh Gaussian noise at every run")  # fmt: skip
        if not gaussian and ops[0] in COMPARE:
            rate = _mask_rate(graph, path[0], node, inverted=ops.count("Not") % 2 == 1)
            return Site(node.id, node.id, "RandomUniform mask", Where.OUTPUT, path[0].op, rate,
                        shared_axes=[], active=Active.ALWAYS,
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
    random_first = compare.operand(0) == Tensor(random.id)
    c = scalar_value(graph, compare.operand(1 if random_first else 0))
    if c is UNKNOWN or c is ABSENT:
        return None
    keeps_low = compare.op.startswith("Less") == random_first
    keep = float(c) if keeps_low else 1 - float(c)
    if inverted:
        keep = 1 - keep
    return _rate(1 - keep)
