"""Dropout sites in an exported PyTorch program, by aten operator (PyTorch 2.x semantics).

- `dropout`, `alpha_dropout` (elementwise), `feature_dropout`, `feature_alpha_dropout` (whole
  channels: the mask is shared over the axes after the channel axis), `native_dropout` (the
  decomposed form): rate `p`, active as the baked `train` flag says.
- `lstm` / `gru` / `rnn_*`: `dropout` applies to the outputs of layers 0 .. num_layers-2 when
  `train` (never to the module's input, never inside a layer); with one layer it does nothing.
- `scaled_dot_product_attention`: `dropout_p` (absent: 0) drops attention weights at every call:
  the op has no train flag, so a module must pass 0.0 itself when not training.
- `bernoulli` (decomposed feature and alpha dropout): its `p` is the probability to KEEP; the
  mask is followed to the multiplication that applies it.

A site's layer is its node: the module that produced the op (`encoder.layers.0.dropout1`), see
graph.py. Its class is the module's class when the module made only this op (`Dropout`), else the
op (`dropout`).
"""

from __future__ import annotations

from collections import deque

from droplint.enums import Active, NodeKind, Noise, Where
from droplint.formats.torch.semantics import (
    DROPOUT_MODULES,
    DROPOUT_OPS,
    PROBABILITY,
    TORCH_MODULES,
    TorchSemantics,
)
from droplint.graph import Graph, Node, Tensor
from droplint.sites.model import Site, as_rate

FEATURE = {"feature_dropout", "feature_alpha_dropout"}
ALPHA = {"alpha_dropout", "feature_alpha_dropout"}
RNN = {"lstm", "gru", "rnn_tanh", "rnn_relu"}
WEIGHING = {"bmm", "matmul", "mm", "baddbmm", "einsum"}
PASS = {"view", "reshape", "_unsafe_view", "permute", "transpose", "expand", "clone",
        "contiguous", "unsqueeze", "squeeze", "_to_copy", "to", "type_as", "alias"}  # fmt: skip
FILLS = {"full", "full_like", "new_full"}
SELECT = {"where", "masked_fill"}  # a softmax's rows replaced where they are fully masked
MASK_OPS = {"div", "mul", "add", "sub", "to", "_to_copy", "expand", "view", "reshape",
            "div_", "mul_", "add_", "sub_"}  # fmt: skip
BERNOULLI = {"bernoulli", "bernoulli_"}  # bernoulli_(t, p): timm's drop_path, in place
UNIFORM = {"rand", "rand_like"}  # floor(keep + rand): transformers' drop_path
MAX_STEPS = 16


def torch_sites(graph: Graph, sem: TorchSemantics) -> list[Site]:
    sites: list[Site] = []
    for node in graph.nodes.values():
        if node.op in DROPOUT_OPS:
            sites.append(_dropout(graph, node))
        elif node.op in RNN:
            site = _rnn(node)
            if site is not None:
                sites.append(site)
        elif node.op == "scaled_dot_product_attention":
            site = _sdpa(node)
            if site is not None:
                sites.append(site)
        elif node.op in UNIFORM and node.kind == NodeKind.OPAQUE:
            site = _floored(graph, node)
            if site is not None:  # read after all: no longer a draw droplint cannot see
                node.kind = NodeKind.LAYER
                node.attrs.pop("dropout_like", None)
                sites.append(site)
        elif node.op in BERNOULLI:
            site = _bernoulli(graph, node)
            if site is not None:
                sites.append(site)
            else:  # a draw droplint cannot follow to a mask: unknown, not absent
                node.kind = NodeKind.OPAQUE
                node.attrs["dropout_like"] = f"a random draw (bernoulli, p={_keep(graph, node)})"
    del sem
    return sites


def _dropout(graph: Graph, node: Node) -> Site:
    raw = node.attrs.get("p", 0.5)
    train = node.attrs.get("train")
    shape = graph.input_shape(node)
    op = node.op.rstrip("_")  # an in-place form (dropout_) drops as its out-of-place one
    shared = list(range(2, len(shape))) if op in FEATURE and shape else []
    if op in FEATURE and shape is None:
        shared = None  # type: ignore[assignment]
    where = Where.ATTENTION if _attention_probabilities(graph, node) else Where.OUTPUT
    active = Active.ALWAYS if train is True else Active.NEVER
    note = "train=True, as exported" if train is True else "train=False: the identity"
    return Site(node.id, node.id, _class(node), where, "p", as_rate(raw), shared_axes=shared,
                noise=Noise.ALPHA if op in ALPHA else Noise.BERNOULLI, active=active,
                note=note, source=node.source, raw_rate=raw)  # fmt: skip


def _rnn(node: Node) -> Site | None:
    raw = node.attrs.get("dropout", 0.0)
    rate = as_rate(raw)
    if rate == 0.0:
        return None  # the default: nothing to say
    layers = node.attrs.get("num_layers", 1)
    train = node.attrs.get("train") is True
    site = Site(node.id, node.id, _class(node), Where.INTERNAL, "dropout", rate, raw_rate=raw,
                source=node.source, active=Active.ALWAYS if train else Active.NEVER)  # fmt: skip
    if isinstance(layers, int) and layers < 2:
        site.active = Active.NEVER
        site.ignored = (
            "PyTorch applies an RNN's dropout only between stacked layers (to the outputs of "
            "layers 0 .. num_layers-2), and this one has num_layers=1"
        )
        site.remedy = (
            "Fix: num_layers >= 2 to drop between layers, or an nn.Dropout on the input or the "
            "output of the RNN; then dropout=0 says what runs."
        )
        site.note = "num_layers=1: drops nothing"
    else:
        between = "layer 0" if layers == 2 else f"layers 0 .. {layers - 2}"
        site.note = (
            f"between its {layers} layers (on the output of {between}), never on its input; "
            f"train={train}"
        )
    return site


def _sdpa(node: Node) -> Site | None:
    raw = node.attrs.get("dropout_p", 0.0)  # omitted when it is the schema default, 0.0
    rate = as_rate(raw)
    if rate == 0.0:
        return None
    site = Site(node.id, node.id, "scaled_dot_product_attention", Where.ATTENTION, "dropout_p",
                rate, raw_rate=raw, source=node.source, active=Active.ALWAYS)  # fmt: skip
    if (node.module or "").startswith(TORCH_MODULES):
        site.note = f"dropout_p={raw}, which {_short(node.module)} passes only when training"
    else:
        site.note = "scaled_dot_product_attention has no train flag: dropout_p drops at every call"
        site.gated = False  # the module's own code decides: it may pass dropout_p in eval mode
    return site


def _short(module: str | None) -> str:
    return (module or "").rsplit(".", 1)[-1]


def _floored(graph: Graph, rand: Node) -> Site | None:
    """floor(KEEP + rand(...)): 1 with probability KEEP, one draw per element of the shape
    drawn (transformers' drop_path: one per sample)."""
    after = graph.consumers(rand.id)
    if len(after) != 1 or after[0].op != "add" or len(after[0].inputs) != 1:
        return None
    add = after[0]
    keep = add.attrs.get("other")
    if not isinstance(keep, (int, float)) or isinstance(keep, bool) or not 0 <= keep <= 1:
        return None
    if add.attrs.get("alpha", 1) != 1:
        return None
    floors = graph.consumers(add.id)
    if len(floors) != 1 or floors[0].op not in ("floor", "floor_"):
        return None
    note = f"floor({keep:g} + rand) is 1 with probability {keep:g}, drawn at every call"
    return _bernoulli(graph, floors[0], keep, note, "rand mask")


def _bernoulli(
    graph: Graph, node: Node, raw_keep: object = None, note: str | None = None,
    drawn: str = "bernoulli",
) -> Site | None:  # fmt: skip
    """bernoulli(t, p=KEEP) (or another event that is 1 with probability KEEP) -> scaled ->
    mul(data, mask) [-> add: alpha dropout's fill]."""
    raw_keep = _keep(graph, node) if raw_keep is None else raw_keep
    keep = as_rate(raw_keep)
    mask, seen = {node.id}, {node.id}
    todo = deque(graph.consumers(node.id))
    applications: list[Node] = []
    while todo:  # every value made of the mask alone, and where the mask meets data
        c = todo.popleft()
        if c.id in seen:
            continue
        seen.add(c.id)
        from_mask = [t for t in c.inputs if t.node in mask]
        others = [t for t in c.inputs if t.node not in mask]
        if c.op in MASK_OPS and not others:
            mask.add(c.id)
            todo.extend(graph.consumers(c.id))
        elif c.op in ("mul", "mul_") and from_mask and len(others) == 1:
            applications.append(c)
        else:
            seen.discard(c.id)  # it may read more of the mask once that is known
    if not applications:
        return None
    applied = applications[0]
    last, noise = applied, Noise.BERNOULLI
    for c in graph.consumers(applied.id):
        if c.op == "add" and any(t.node in mask for t in c.inputs):
            last, noise = c, Noise.ALPHA  # alpha dropout puts a constant where it dropped
    rate = None if keep is None else round(1.0 - keep, 6)
    data = next(t for t in applied.inputs if t.node not in mask)
    module = applied.module or ""
    owner = applied.source if module.startswith(DROPOUT_MODULES) and applied.source else last.id
    cls = module.rsplit(".", 1)[-1] if owner != last.id else drawn
    site = Site(last.id, owner, cls, Where.OUTPUT, "p", rate, noise=noise,
                shared_axes=_shared(graph, Tensor(node.id), data), active=Active.ALWAYS,
                source=applied.source, raw_rate=raw_keep)  # fmt: skip
    site.note = note or (
        f"a decomposed dropout: bernoulli(p={raw_keep}) keeps values with probability p, drawn "
        "at every call"
    )
    return site


def _keep(graph: Graph, node: Node) -> object:
    """bernoulli's keep probability: its p, or the value a full_like filled its input with
    (torch.bernoulli(torch.full_like(x, 0.7)))."""
    if "p" in node.attrs:
        return node.attrs["p"]
    producer = graph.nodes.get(node.inputs[0].node) if node.inputs else None
    if producer is not None and producer.op in FILLS:
        return producer.attrs.get("fill_value")
    return None


def _shared(graph: Graph, mask: Tensor, data: Tensor) -> list[int] | None:
    """Axes the mask is broadcast over: size 1 in the mask, not in the data."""
    m, d = graph.shapes.get(mask), graph.shapes.get(data)
    if m is None or d is None or len(m) != len(d):
        return None
    return [i for i, (a, b) in enumerate(zip(m, d, strict=True)) if a == 1 and b != 1]


def _attention_probabilities(graph: Graph, node: Node) -> bool:
    """A dropout of a softmax's output on its way into a matrix product with another activation
    (MultiheadAttention's weights dropout; a decomposed attention, whose safe softmax puts a
    `where` for fully masked rows between the softmax and the dropout)."""
    back, seen_back, found = deque(node.inputs[:1]), set(), False
    while back and len(seen_back) < MAX_STEPS and not found:
        producer = graph.nodes.get(back.popleft().node)
        if producer is None or producer.id in seen_back:
            continue
        seen_back.add(producer.id)
        found = producer.op in PROBABILITY
        if producer.op in PASS:
            back.extend(producer.inputs[:1])
        elif producer.op in SELECT:
            back.extend(producer.inputs)
    if not found:
        return False
    todo, seen = deque(graph.consumers(node.id)), {node.id}
    while todo and len(seen) < MAX_STEPS:
        c = todo.popleft()
        if c.id in seen:
            continue
        seen.add(c.id)
        if c.op in PASS:
            todo.extend(graph.consumers(c.id))
        elif c.op in WEIGHING and any(t.node not in seen for t in c.inputs):
            return True
    return False


def _class(node: Node) -> str:
    """The module's class for the only op of a torch.nn module (Dropout2d), else the op."""
    module = node.module or ""
    if node.label and module.startswith("torch.nn.modules."):
        return node.label
    return node.op
