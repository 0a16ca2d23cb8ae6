"""Rules about dropout in exported inference graphs (ONNX)."""

from __future__ import annotations

from collections.abc import Iterator

from droplint.graph import Graph, Node, Tensor
from droplint.rules.common import describe
from droplint.rules.registry import RULES, Context, Finding, rule
from droplint.sites import Site
from droplint.sites.flow import downstream


def _inference_sites(ctx: Context, active: str) -> list[Site]:
    return [s for s in ctx.sites if s.active == active and not ctx.config.is_mc_dropout(s.layer)]


@rule(
    "DL501", "dropout-active-at-inference", "error",
    "A dropout that drops values at inference by the ONNX spec.",
)  # fmt: skip
def dropout_active_at_inference(ctx: Context) -> Iterator[Finding]:
    if ctx.graph.format != "onnx":
        return
    for site in _inference_sites(ctx, "always"):
        node = ctx.node_of(site)
        yield RULES["DL501"].finding(
            site.layer,
            f"{describe(site)} drops values at inference ({site.note}): every run gives "
            f"different outputs. {_runtime_words(ctx.graph, node)} Fix: export with the model "
            "in eval mode (torch: training=TrainingMode.EVAL, module in eval mode), or set "
            "training_mode to false; list the node in `mc-dropout` if the randomness is wanted.",
        )


def _runtime_words(graph: Graph, node: Node) -> str:
    """Whether onnxruntime's default optimizer (EliminateDropout) is likely to delete the node."""
    if node.op != "Dropout":
        return "No runtime removes it: the spec says it is random."
    if Tensor(node.id, 0) in graph.outputs:
        return "onnxruntime keeps it too, because it writes a graph output."
    if _mask_used(graph, node):
        return "onnxruntime keeps it too, because its mask output is used."
    # onnxruntime removes a node only with exactly one input edge from another node, or one
    # input in all (graph_utils::CanRemoveNode); Constant nodes are folded to initializers first.
    edges = [p for p in graph.producers(node) if p.kind != "input" and p.op != "Constant"]
    if len(edges) != 1 and len(node.config["input_names"]) != 1:
        return "onnxruntime keeps it too: it has no single input edge from another node."
    return (
        "onnxruntime's default graph optimizer deletes it (its mask is unused), so the "
        "randomness shows with ORT_DISABLE_ALL and in runtimes that follow the spec."
    )


def _mask_used(graph: Graph, node: Node) -> bool:
    mask = Tensor(node.id, 1)
    return mask in graph.outputs or any(mask in c.inputs for c in graph.consumers(node.id))


@rule(
    "DL502", "inert-dropout-node", "info",
    "A Dropout node that is the identity at inference: dead weight in an exported graph.",
)  # fmt: skip
def inert_dropout_node(ctx: Context) -> Iterator[Finding]:
    if ctx.graph.format != "onnx":
        return
    for site in ctx.sites:
        if site.active == "never" and site.cls == "Dropout":
            yield RULES["DL502"].finding(
                site.layer,
                f"{describe(site)} never drops anything here ({site.note}): it is the identity "
                "at inference. Fix: export with the model in eval mode, or simplify the graph "
                "(onnxsim, onnxruntime's optimizer) to remove it.",
            )


@rule(
    "DL503", "inconsistent-dropout-modes", "warning",
    "One graph holds both dropouts that drop at inference and dropouts that do not.",
)  # fmt: skip
def inconsistent_dropout_modes(ctx: Context) -> Iterator[Finding]:
    if ctx.graph.format != "onnx":
        return
    live = _inference_sites(ctx, "always")
    inert = [s for s in ctx.sites if s.active == "never" and s.cls == "Dropout"]
    if live and inert:
        yield RULES["DL503"].finding(
            live[0].layer,
            f"This graph mixes {len(live)} dropout(s) that drop at inference (e.g. "
            f"{describe(live[0])}) with {len(inert)} inert one(s) (e.g. {describe(inert[0])}). "
            "That is what torch's training-mode export writes when some modules (like "
            "nn.MultiheadAttention) omit training_mode: neither an inference nor a faithful "
            "training graph. Fix: export in eval mode for inference.",
            related=[s.layer for s in live[1:] + inert],
        )


@rule(
    "DL505", "rnn-dropout-not-representable", "info",
    "Recurrent ONNX nodes carry no dropout: the source model's in-cell dropout is gone.",
)  # fmt: skip
def rnn_dropout_not_representable(ctx: Context) -> Iterator[Finding]:
    if ctx.graph.format != "onnx":
        return
    recurrent = lambda n: ctx.semantics.role(n) == "recurrent"  # noqa: E731
    for node in ctx.graph.nodes.values():
        if not recurrent(node):
            continue
        between = lambda n: not recurrent(n) and not ctx.semantics.weighted(n)  # noqa: E731
        for stop, passed in downstream(ctx.graph, node, between).stops:
            if not recurrent(stop):
                continue
            drops = [n.id for n in passed if n.op == "Dropout"]
            carried = f"with {', '.join(drops)} between them" if drops else "stacked"
            yield RULES["DL505"].finding(
                stop.id,
                f"'{node.id}' and '{stop.id}' ({node.op}, {stop.op}) are recurrent layers "
                f"{carried}. ONNX LSTM/GRU/RNN have no dropout attribute, so dropout inside "
                "the cells of the source model (e.g. Keras dropout=/recurrent_dropout=) cannot "
                "be represented; only dropout between layers, as a Dropout node, survives. "
                "Fix: nothing to fix for inference; for training in ONNX, keep the source model.",
                related=[node.id, *drops],
            )
