"""Fill in tensor shapes the config does not record (Keras 1/2 configs record only inputs).

Only rank and the axes droplint reasons about matter (batch, time, channels), so unknown
dimensions stay None, and a layer droplint has no rule for leaves its output unknown.
"""

from __future__ import annotations

from typing import Any

from droplint.enums import NodeKind
from droplint.graph import Graph, Node, Shape, Tensor
from droplint.limits import limits

SAME_SHAPE = {
    "Dropout", "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D", "GaussianDropout",
    "AlphaDropout", "GaussianNoise", "Activation", "ReLU", "LeakyReLU", "ELU", "PReLU",
    "ThresholdedReLU", "Softmax", "BatchNormalization", "LayerNormalization", "GroupNormalization",
    "UnitNormalization", "RMSNormalization", "Masking", "Identity", "ActivityRegularization",
    "Rescaling", "Normalization", "Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum",
    "MultiHeadAttention", "GroupQueryAttention", "GroupedQueryAttention", "Attention",
    "AdditiveAttention",
}  # fmt: skip
# Layers whose output has their input's dtype (Keras 1/2 configs record dtypes only on inputs).
KEEPS_DTYPE = {
    "Dropout", "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D", "GaussianDropout",
    "AlphaDropout", "Reshape", "Flatten", "Permute", "RepeatVector", "Masking", "Identity",
    "Cropping1D", "Cropping2D", "Cropping3D", "ZeroPadding1D", "ZeroPadding2D", "ZeroPadding3D",
}  # fmt: skip
RNN_UNITS = {"LSTM", "GRU", "SimpleRNN", "CuDNNLSTM", "CuDNNGRU"}
CONV_PREFIXES = ("Conv", "SeparableConv", "DepthwiseConv", "LocallyConnected")


def infer_shapes(graph: Graph) -> None:
    for node in graph.nodes.values():
        out = Tensor(node.id, 0)
        if out in graph.shapes or node.kind == NodeKind.INPUT:
            continue
        shape = output_shape(node, [graph.shapes.get(t) for t in node.inputs])
        if shape is not None and len(shape) <= limits().rank:  # a config's odd Reshape: unknown
            graph.shapes[out] = shape
        dtype = graph.dtypes.get(node.inputs[0]) if node.inputs else None
        if dtype and out not in graph.dtypes and node.op in KEEPS_DTYPE:
            graph.dtypes[out] = dtype


def output_shape(node: Node, ins: list[Shape | None]) -> Shape | None:
    """Shape of a layer's first output from its input shapes, or None when unknown. A layer
    applied step by step (node.distributed) works on frames: the steps' axes come back after."""
    steps = node.distributed
    if steps:
        ins = [frame(s, steps) for s in ins]
    first = ins[0] if ins else None
    if first is None:
        return None
    try:
        out = _rule(node.op, node.attrs, node, first, ins)
    except (TypeError, ValueError, IndexError, KeyError):
        return None  # a malformed config only costs us the shape
    if steps and out is not None:
        return (out[0], *[None] * steps, *out[1:])
    return out


def frame(shape: Shape | None, steps: int) -> Shape | None:
    """The shape one step sees: the steps' axes after the batch axis taken out."""
    if shape is None or len(shape) <= steps:
        return None
    return (shape[0], *shape[1 + steps :])


def _rule(
    op: str, cfg: dict[str, Any], node: Node, x: Shape, ins: list[Shape | None]
) -> Shape | None:
    if op in SAME_SHAPE:
        return x
    if op == "Embedding":
        return (*x, cfg["output_dim"])
    if op in ("Dense", "EinsumDense") and "units" in cfg:
        return (*x[:-1], cfg["units"])
    if op in RNN_UNITS:
        return _rnn(cfg, x, cfg.get("units"))
    if op.startswith("ConvLSTM"):
        keep = x[:1] + (x[1:2] if cfg.get("return_sequences") else ()) + (None,) * (len(x) - 3)
        return (*keep, cfg.get("filters"))
    if op == "Bidirectional" and node.inner:
        inner = _rule(node.inner[0].op, node.inner[0].attrs, node.inner[0], x, ins)
        if inner is None or cfg.get("merge_mode", "concat") != "concat":
            return inner
        return (*inner[:-1], None if inner[-1] is None else inner[-1] * 2)
    if op == "TimeDistributed" and node.inner:
        step = _rule(node.inner[0].op, node.inner[0].attrs, node.inner[0], (x[0], *x[2:]), ins)
        return None if step is None else (x[0], x[1], *step[1:])
    if op.startswith(CONV_PREFIXES):
        channels_first = cfg.get("data_format") == "channels_first"
        n = cfg.get("filters") or (x[1] if channels_first else x[-1])
        spatial = _conv_sizes(op, cfg, x[2:] if channels_first else x[1:-1])
        return (x[0], n, *spatial) if channels_first else (x[0], *spatial, n)
    if op.startswith(
        ("MaxPool", "AveragePool", "AvgPool", "UpSampling", "ZeroPadding", "Cropping")
    ):
        return (x[0], *(None,) * (len(x) - 2), x[-1])
    if op.startswith(("GlobalMax", "GlobalAv")):
        first = cfg.get("data_format") == "channels_first"
        channels = x[1] if first else x[-1]
        if not cfg.get("keepdims"):
            return (x[0], channels)
        ones = (1,) * (len(x) - 2)  # the pooled axes stay, of size 1
        return (x[0], channels, *ones) if first else (x[0], *ones, channels)
    if op == "Flatten":
        return (x[0], _product(x[1:]))
    if op == "Reshape":
        return (x[0], *(d if d != -1 else None for d in cfg["target_shape"]))
    if op == "Permute":
        return (x[0], *(x[d] for d in cfg["dims"]))
    if op == "RepeatVector":
        return (x[0], cfg["n"], *x[1:])
    if op == "Concatenate" and all(s is not None and len(s) == len(x) for s in ins):
        axis = cfg.get("axis", -1) % len(x)
        sizes = [s[axis] for s in ins if s is not None]
        total = None if None in sizes else sum(sizes)  # type: ignore[arg-type]
        return (*x[:axis], total, *x[axis + 1 :])
    return None


def _conv_sizes(op: str, cfg: dict[str, Any], sizes: tuple) -> tuple[int | None, ...]:
    """A convolution's output sizes where its input's are known (a 1x1 map stays 1x1);
    None where they are not, or for a transposed convolution."""
    rank = len(sizes)
    kernel = _per_axis(cfg.get("kernel_size"), rank, None)
    strides, dilation = (_per_axis(cfg.get(k), rank, 1) for k in ("strides", "dilation_rate"))
    padding = cfg.get("padding", "valid")
    out: list[int | None] = []
    for n, k, s, d in zip(sizes, kernel, strides, dilation, strict=True):
        if "Transpose" in op or None in (n, k, s, d) or s < 1 or padding not in ("same", "valid"):
            out.append(None)
        elif padding == "same":
            out.append(-(-n // s))
        else:
            out.append(max((n - (k - 1) * d - 1) // s + 1, 0))
    return tuple(out)


def _per_axis(value: Any, rank: int, default: int | None) -> list[int | None]:
    """kernel_size / strides / dilation_rate as one int per axis (an int means all axes);
    the default when it is not set, None (unknown) when it is something else."""
    if type(value) is int:
        return [value] * rank
    if isinstance(value, list) and len(value) == rank and all(type(v) is int for v in value):
        return list(value)
    return [default if value is None else None] * rank


def _rnn(cfg: dict[str, Any], x: Shape, units: int | None) -> Shape:
    return (x[0], x[1], units) if cfg.get("return_sequences") else (x[0], units)


def _product(dims: tuple[int | None, ...]) -> int | None:
    total = 1
    for d in dims:
        if d is None:
            return None
        total *= d
    return total
