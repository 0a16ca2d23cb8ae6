"""Where an ONNX graph applies dropout, per operator version (facts: onnx-dropout.md).

Dropout opset 1/6 drops unless is_test is set; opsets 7-11 are identity at inference; from opset
12 it drops only when its training_mode input is true. onnxruntime's contrib ops take ratio and
training_mode as inputs too. Random masks built from other ops are in masks.py. A dropout
between a Softmax and the MatMul that weighs values with its output drops attention
probabilities.
"""

from __future__ import annotations

from typing import Any

from droplint.enums import Active, NodeKind, Where
from droplint.formats.onnx.attention import attention_probabilities
from droplint.formats.onnx.masks import RANDOM, random_sites
from droplint.formats.onnx.values import ABSENT, UNKNOWN, Values
from droplint.graph import Graph, Node
from droplint.sites.model import Site, as_rate

# op -> (position of the ratio input, position of the training_mode input)
INPUT_POSITIONS = {"Dropout": (1, 2), "BitmaskDropout": (1, 2), "BiasDropout": (3, 4),
                   "BitmaskBiasDropout": (3, 4)}  # fmt: skip
CONTRIB = "com.microsoft"


def onnx_sites(graph: Graph) -> list[Site]:
    values = Values(graph)
    sites: list[Site] = []
    for node in graph.with_ops(INPUT_POSITIONS):
        if is_dropout_op(node):
            sites.append(_dropout(values, node))
    read: set[str] = set()
    sites += random_sites(graph, values, read)
    _unread_draws(graph, read)
    for site in sites:
        node = graph.node(site.node)
        site.source = node.source or graph.node(site.layer).source
        if node.training_only and site.active == Active.ALWAYS:
            site.active = Active.TRAINING
            site.note = "in a training_info graph, which runs only in training"
        if site.layer == site.node and attention_probabilities(graph, node.inputs[:1], node):
            site.where = Where.ATTENTION  # (random masks decide that where they meet the data)
    return sites


def _unread_draws(graph: Graph, read: set[str]) -> None:
    """A random op whose draws droplint cannot follow to a mask it understands (a mask
    multiplied into a weight, an idiom masks.py does not know) may still be dropout: a node
    droplint cannot see into, and what its values feed is unknown, never "no dropout"."""
    for node in graph.with_ops(RANDOM):
        if node.id not in read and node.kind == NodeKind.LAYER:
            node.kind = NodeKind.OPAQUE
            node.attrs["dropout_like"] = f"a random draw ({node.op})"


def is_dropout_op(node: Node) -> bool:
    """The standard Dropout, or one of onnxruntime's contrib dropouts."""
    return node.op in INPUT_POSITIONS and (node.op == "Dropout") == (node.module != CONTRIB)


def _dropout(values: Values, node: Node) -> Site:
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
    ratio = values.scalar(node, ratio_at)
    if ratio is UNKNOWN:
        site.rate = None  # a graph input or a computed value: not known statically
    elif ratio is not ABSENT:
        site.raw_rate = ratio
        site.rate = _rate(ratio)
    mode = values.scalar(node, mode_at)
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
