"""Random masks built from ONNX ops, whatever the idiom: Bernoulli, or RandomUniform(Like)
through a comparison, then Not / Cast / Where / scales, applied with Mul or Where, maybe in
alpha-dropout's affine form; RandomNormal(Like) noise multiplied or added.

Each random draw is followed forward once (a visited set: linear in the nodes it reaches) while
the values stay functions of the draw and of constants. Such values are evaluated in two
worlds, the draw's event true and false, so that at the node where the mask meets the data
droplint knows which world zeroes (or replaces) the data, hence the rate, and from the mask's
shape which axes it is shared along.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from droplint.enums import Active, Noise, Where
from droplint.formats.onnx.attention import attention_probabilities
from droplint.formats.onnx.values import ABSENT, UNKNOWN, Value, Values, _apply
from droplint.graph import Graph, Node, Shape, Tensor
from droplint.sites.model import Site

UNIFORM = {"RandomUniform", "RandomUniformLike"}
NORMAL = {"RandomNormal", "RandomNormalLike"}
COMPARE = {"Less", "LessOrEqual", "Greater", "GreaterOrEqual"}
# Ops a mask passes through while it stays a function of the draw and of constants.
MASK_OPS = {"Cast", "Not", "Identity", "Where", "Add", "Sub", "Mul", "Div", "Neg", "Reshape",
            "Squeeze", "Unsqueeze", "Expand", "Equal", "And", "Or"}  # fmt: skip
SCALES = {"Mul", "Div"}  # a kept value's 1/keep scale, after the mask
# ONNX's text says Bernoulli draws 1 with probability p; the function body it ships (and that
# onnxruntime 1.32 runs, measured) draws 1 where RandomUniformLike > p, i.e. with 1 - p.
BERNOULLI_BODY = (
    "ONNX's function body for Bernoulli, which onnxruntime runs, draws 1 with probability 1 - p "
    "where the op's text says p: there this mask drops"
)


@dataclass
class Mask:
    """A random draw, as the two values each mask element takes and their probability."""

    source: Node  # the random op
    event: Node  # where the draw becomes true/false (the comparison, or Bernoulli itself)
    p_true: float | None  # probability of the event; None when not a constant
    param: str = ""  # the input that sets the probability
    worlds: dict[Tensor, tuple[Value, Value]] = field(default_factory=dict)  # true, false
    values: Values | None = None  # the graph's constants, to tell data from them

    def is_data(self, operand: Any) -> bool:
        """A computed tensor that is not the mask: a constant (a Constant node's output
        included) is not data."""
        if not isinstance(operand, Tensor) or operand in self.worlds:
            return False
        return self.values is None or self.values.of(operand) is UNKNOWN


RANDOM = {"Bernoulli", "Multinomial", *UNIFORM, *NORMAL}  # every op that draws at random


def random_sites(graph: Graph, values: Values, read: set[str]) -> Iterator[Site]:
    """A site for every random mask or noise that reaches data (or a graph output); the random
    ops whose draws became one are added to `read` (the others droplint cannot read)."""
    for node in graph.with_ops(RANDOM):
        found = list(_sites_of(graph, values, node))
        if found:
            read.add(node.id)
        yield from found


def _sites_of(graph: Graph, values: Values, node: Node) -> Iterator[Site]:
    if node.op == "Bernoulli":
        yield from _masked(graph, values, _bernoulli(values, node))
    elif node.op in UNIFORM:
        for compare in graph.consumers(node.id):
            mask = _uniform(values, node, compare) or _floored(graph, values, node, compare)
            if mask is not None:
                yield from _masked(graph, values, mask)
    elif node.op in NORMAL:
        site = _noise(graph, values, node)
        if site is not None:
            yield site


def _bernoulli(values: Values, node: Node) -> Mask:
    p = values.scalar(node, 0)
    p_true = float(p) if isinstance(p, (int, float)) and not isinstance(p, bool) else None
    return Mask(node, node, p_true, _arg(node, 0))


def _uniform(values: Values, random: Node, compare: Node) -> Mask | None:
    """u ~ U(low, high) compared with a constant: the event and its probability."""
    if compare.op not in COMPARE or compare.arity != 2:
        return None
    u_first = compare.operand(0) == Tensor(random.id)
    at = 1 if u_first else 0
    c = values.scalar(compare, at)
    if not isinstance(c, (int, float)) or isinstance(c, bool):
        return Mask(random, compare, None, _arg(compare, at))
    low, high = float(random.attrs.get("low", 0.0)), float(random.attrs.get("high", 1.0))
    below = min(max((float(c) - low) / (high - low), 0.0), 1.0) if high > low else 0.0
    u_less = compare.op.startswith("Less") == u_first  # the event is u < c
    return Mask(random, compare, below if u_less else 1 - below, _arg(compare, at))


def _floored(graph: Graph, values: Values, random: Node, add: Node) -> Mask | None:
    """floor(u + k), transformers' and timm's older drop_path: 1 with probability k when u is
    uniform on [0, 1). The event is the Floor; only where the floor can be 0 or 1."""
    after = graph.consumers(add.id)
    if add.op != "Add" or add.arity != 2 or len(after) != 1 or after[0].op != "Floor":
        return None
    at = 1 if add.operand(0) == Tensor(random.id) else 0
    k = values.scalar(add, at)
    low, high = float(random.attrs.get("low", 0.0)), float(random.attrs.get("high", 1.0))
    if not isinstance(k, (int, float)) or isinstance(k, bool):
        return Mask(random, after[0], None, _arg(add, at))
    if not (low + k >= 0 and high + k <= 2 and high > low):
        return None  # the floor may take other values than 0 and 1: no mask droplint reads
    p_true = min(max((high - (1 - float(k))) / (high - low), 0.0), 1.0)
    return Mask(random, after[0], p_true, _arg(add, at))


def _arg(node: Node, i: int) -> str:
    names = node.arg_names
    return names[i] if len(names) > i and names[i] else f"{node.op} input {i}"


def _masked(graph: Graph, values: Values, mask: Mask) -> Iterator[Site]:
    """Follow the event to the data it masks."""
    mask.values = values
    start = Tensor(mask.event.id)
    numeric = mask.event.op in ("Bernoulli", "Floor")  # 1.0 or 0.0, not a comparison's bool
    event_true = (1.0,) if numeric else (True,)
    event_false = (0.0,) if numeric else (False,)
    mask.worlds[start] = (Value(event_true, uniform=True), Value(event_false, uniform=True))
    seen = {mask.event.id}
    if graph.is_output(mask.event.id):
        yield _returned(graph, mask, mask.event)
    todo = deque(graph.consumers(mask.event.id))
    meets: list[Node] = []  # nodes where the mask meets something else: decided once all
    while todo:  # the mask's values are known (alpha dropout adds one of them back later)
        node = todo.popleft()
        if node.id in seen:
            continue
        seen.add(node.id)
        worlds = _worlds(values, mask, node)
        if worlds is None:
            meets.append(node)
            continue
        mask.worlds[Tensor(node.id)] = worlds
        if graph.is_output(node.id):
            yield _returned(graph, mask, node)
        todo.extend(graph.consumers(node.id))
    for node in meets:
        applied = _application(graph, mask, node)
        if applied is not None:
            yield applied


def _returned(graph: Graph, mask: Mask, node: Node) -> Site:
    """The graph returns the mask itself: random outputs, with no data to drop."""
    return _site(graph, mask, node, node, None, Noise.BERNOULLI, "the graph returns the mask")


def _worlds(values: Values, mask: Mask, node: Node) -> tuple[Value, Value] | None:
    """node's output in both worlds, if it is a function of the mask and constants only."""
    if node.op not in MASK_OPS:
        return None
    true_args, false_args = [], []
    for i in range(node.arity):
        operand = node.operand(i)
        if isinstance(operand, Tensor) and operand in mask.worlds:
            t, f = mask.worlds[operand]
        else:
            value = values.of(operand)
            if value is UNKNOWN:
                return None
            t = f = value
        true_args.append(t)
        false_args.append(f)
    if not any(isinstance(o, Tensor) and o in mask.worlds for o in _operands(node)):
        return None
    if node.op == "Where":
        if node.arity != 3:  # malformed: not a selection droplint can follow
            return None
        return _where(true_args), _where(false_args)
    t, f = _apply(node, true_args), _apply(node, false_args)
    if t is UNKNOWN or f is UNKNOWN:
        return None
    return t, f  # type: ignore[return-value]


def _where(args: list[Any]) -> Value | None:
    cond, a, b = args
    return a if _true(cond) else b


def _true(value: Value) -> bool:
    return bool(value.scalar)


def _operands(node: Node) -> list[Any]:
    return [node.operand(i) for i in range(node.arity)]


def _application(graph: Graph, mask: Mask, node: Node) -> Site | None:
    """Where the mask meets data: Mul(data, m) or Where(m, data, c) / Where(m, c, data)."""
    ops = _operands(node)
    masked = [i for i, o in enumerate(ops) if isinstance(o, Tensor) and o in mask.worlds]
    data = [i for i, o in enumerate(ops) if mask.is_data(o)]
    if len(masked) != 1 or len(data) != 1:
        return None
    t, f = mask.worlds[ops[masked[0]]]  # type: ignore[index]
    if node.op == "Mul":
        kept_true, kept_false = _nonzero(t), _nonzero(f)
    elif node.op == "Where" and masked[0] == 0 and node.arity == 3:
        kept_true, kept_false = data[0] == 1, data[0] == 2
    else:
        return None
    if kept_true == kept_false:
        return None  # the draw changes nothing here
    last, noise = _affine_end(graph, mask, node)
    keep = mask.p_true if kept_true else (None if mask.p_true is None else 1 - mask.p_true)
    rate = None if keep is None else round(1 - keep, 6)
    return _site(graph, mask, node, last, rate, noise)


def _nonzero(value: Value) -> bool:
    return value.scalar not in (0, 0.0, False) and value.scalar is not UNKNOWN


def _affine_end(graph: Graph, mask: Mask, applied: Node) -> tuple[Node, Noise]:
    """The node the dropped data leaves the idiom at: past alpha dropout's added constant
    (which makes it alpha noise) and the kept values' scale."""
    node, noise = applied, Noise.BERNOULLI
    for _ in range(3):
        nxt = graph.consumers(node.id)
        if len(nxt) != 1:
            break
        step = nxt[0]
        others = [o for o in _operands(step) if o != Tensor(node.id)]
        if step.op == "Add" and any(isinstance(o, Tensor) and o in mask.worlds for o in others):
            node, noise = step, Noise.ALPHA
        elif step.op in SCALES and all(_constant(o) for o in others):
            node = step
        else:
            break
    return node, noise


def _constant(operand: Any) -> bool:
    return not isinstance(operand, Tensor)


def _site(
    graph: Graph, mask: Mask, applied: Node, last: Node, rate: float | None, noise: Noise,
    note: str | None = None,
) -> Site:  # fmt: skip
    shared = _shared_axes(graph, mask, applied)
    note = note or _drawn(mask, applied)
    if mask.source.op == "Bernoulli" and rate is not None:
        note += f"; {BERNOULLI_BODY} {1 - rate:g}"
    cls = "RandomUniform mask" if mask.source.op in UNIFORM else mask.source.op
    data = [o for o in _operands(applied) if mask.is_data(o)]
    where = Where.ATTENTION if attention_probabilities(graph, data, last) else Where.OUTPUT
    site = Site(last.id, last.id, cls, where, mask.param, rate,
                shared_axes=shared, noise=noise, active=Active.ALWAYS, note=note)  # fmt: skip
    return site


def _drawn(mask: Mask, applied: Node) -> str:
    idiom = mask.source.op + (f" -> {mask.event.op}" if mask.event is not mask.source else "")
    return f"a random mask ({idiom} -> {applied.op}, from '{mask.source.id}') drawn at every run"


def _shared_axes(graph: Graph, mask: Mask, applied: Node) -> list[int] | None:
    """Axes along which the mask is broadcast over the data: size 1 in the mask, not in the
    data. [] when the mask has the data's shape; None when droplint cannot tell."""
    ops = _operands(applied)
    mask_t = next((o for o in ops if isinstance(o, Tensor) and o in mask.worlds), None)
    data_t = next((o for o in ops if mask.is_data(o)), None)
    m_shape = _mask_shape(graph, mask, mask_t)
    d_shape = graph.shapes.get(data_t) if data_t is not None else None
    if _like_data(graph, mask, data_t):
        return []
    if m_shape is None:
        return None
    if d_shape is not None and len(d_shape) != len(m_shape):
        return None
    return [
        i for i, m in enumerate(m_shape)
        if m == 1 and (d_shape is None or d_shape[i] != 1) and (i > 0 or d_shape is not None)
    ]  # fmt: skip


def _mask_shape(graph: Graph, mask: Mask, tensor: Tensor | None) -> Shape | None:
    """The mask's shape: recorded by the exporter, or the random op's own (its shape attribute,
    or the constant shape of the tensor it is Like)."""
    if tensor is not None and tensor in graph.shapes:
        return graph.shapes[tensor]
    source = mask.source
    if isinstance(source.attrs.get("shape"), list):
        return tuple(source.attrs["shape"])
    first = source.operand(0) if source.arity else None
    if isinstance(first, Tensor):
        if first in graph.shapes:
            return graph.shapes[first]
        producer = graph.nodes.get(first.node)
        if producer is not None and producer.op == "ConstantOfShape":
            dims = Values(graph).of(producer.operand(0))
            if isinstance(dims, Value) and not dims.uniform:
                return tuple(int(d) for d in dims.elements)
    return None


def _like_data(graph: Graph, mask: Mask, data: Tensor | None) -> bool:
    """The draw has the data's own shape: RandomUniformLike(x) or Bernoulli(ConstantOfShape(
    Shape(x))) masking x."""
    if data is None or not mask.source.arity:
        return False
    first = mask.source.operand(0)
    if first == data:
        return True
    producer = graph.nodes.get(first.node) if isinstance(first, Tensor) else None
    if producer is None or producer.op != "ConstantOfShape":
        return False
    shape = producer.operand(0)
    shape_of = graph.nodes.get(shape.node) if isinstance(shape, Tensor) else None
    return shape_of is not None and shape_of.op == "Shape" and shape_of.operand(0) == data


def _noise(graph: Graph, values: Values, node: Node) -> Site | None:
    """Gaussian noise: multiplied into the data (mean 1: gaussian dropout) or added to it."""
    for consumer in graph.consumers(node.id):
        ops = _operands(consumer)
        data = [o for o in ops if isinstance(o, Tensor) and o != Tensor(node.id)]
        if consumer.op not in ("Mul", "Add") or len(data) != 1:
            continue
        scale = float(node.attrs.get("scale", 1.0))
        if consumer.op == "Mul":
            rate = round(scale**2 / (1 + scale**2), 6)  # GaussianDropout(rate)'s variance
            noise, how = Noise.GAUSSIAN, f"multiplies by fresh Gaussian noise from '{node.id}'"
        else:
            rate, noise = None, Noise.ADDITIVE
            how = f"adds fresh Gaussian noise from '{node.id}': no value is dropped"
        shared = [] if node.op.endswith("Like") and node.operand(0) == data[0] else None
        return Site(consumer.id, consumer.id, node.op, Where.OUTPUT, "scale", rate, noise=noise,
                    shared_axes=shared, active=Active.ALWAYS, note=how)  # fmt: skip
    del values
    return None


__all__ = ["ABSENT", "RANDOM", "random_sites"]
