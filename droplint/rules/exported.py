"""Rules about dropout in graphs whose mode was fixed when they were written (ONNX exports)."""

from __future__ import annotations

from collections.abc import Iterator

from droplint.enums import Active, Noise, Role, Severity
from droplint.graph import Node
from droplint.rules.common import describe, is_mc_dropout
from droplint.rules.options import MC_DROPOUT
from droplint.rules.registry import RULES, Context, Finding, Scope, rule
from droplint.sites import Site
from droplint.sites.flow import Reaches


def _inference_sites(ctx: Context) -> list[Site]:
    return [s for s in ctx.sites if s.active == Active.ALWAYS and not is_mc_dropout(ctx, s.layer)]


def _acts(site: Site) -> str:
    if site.noise == Noise.ADDITIVE:
        return "adds noise"
    return "multiplies values by noise" if site.noise == Noise.GAUSSIAN else "drops values"


def _inert_sites(ctx: Context) -> list[Site]:
    """Plain dropout nodes that never drop: the identity at inference."""
    return [
        s
        for s in ctx.sites
        if s.active == Active.NEVER and ctx.semantics.plain_dropout(ctx.node_of(s))
    ]


@rule(
    "DL501", "dropout-active-at-inference", Severity.ERROR,
    "A dropout that drops values at inference by the ONNX spec.",
    scope=Scope.EXPORTED, options=(MC_DROPOUT,),
)  # fmt: skip
def dropout_active_at_inference(ctx: Context) -> Iterator[Finding]:
    for site in _inference_sites(ctx):
        node = ctx.node_of(site)
        yield RULES["DL501"].finding(
            site.layer,
            f"{describe(site)} {_acts(site)} at inference ({site.note}): every run"
            f"{_when(node)} gives different outputs. {ctx.semantics.runtime_note(node)} Fix: "
            "export with the model in eval mode (torch: training=TrainingMode.EVAL, module in "
            "eval mode), or set training_mode to false; list the node in `mc-dropout` if the "
            "randomness is wanted.",
        )


@rule(
    "DL502", "inert-dropout-node", Severity.INFO,
    "A Dropout node that is the identity at inference: dead weight in an exported graph.",
    scope=Scope.EXPORTED,
)  # fmt: skip
def inert_dropout_node(ctx: Context) -> Iterator[Finding]:
    for site in _inert_sites(ctx):
        yield RULES["DL502"].finding(
            site.layer,
            f"{describe(site)} never drops anything here ({site.note}): it is the identity "
            "at inference. Fix: export with the model in eval mode, or simplify the graph "
            "(onnxsim, onnxruntime's optimizer) to remove it.",
        )


@rule(
    "DL503", "inconsistent-dropout-modes", Severity.WARNING,
    "One graph holds both dropouts that drop at inference and dropouts that do not.",
    scope=Scope.EXPORTED, options=(MC_DROPOUT,),
)  # fmt: skip
def inconsistent_dropout_modes(ctx: Context) -> Iterator[Finding]:
    live = _inference_sites(ctx)
    inert = _inert_sites(ctx)
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
    "DL505", "rnn-dropout-not-representable", Severity.INFO,
    "Recurrent ONNX nodes carry no dropout: the source model's in-cell dropout is gone.",
    scope=Scope.EXPORTED, default=False,
)  # fmt: skip
def rnn_dropout_not_representable(ctx: Context) -> Iterator[Finding]:
    if ctx.semantics.recurrent_dropout_representable:
        return

    def recurrent(n: Node) -> bool:
        return ctx.semantics.role(n) == Role.RECURRENT

    def between(n: Node) -> bool:
        return not recurrent(n) and not ctx.semantics.weighted(n)

    reaches = Reaches(ctx.graph, between, recurrent)
    for node in ctx.graph.nodes.values():
        if not recurrent(node):
            continue
        for stop, passed in reaches(node).stops:
            drops = [n.id for n in passed if ctx.semantics.plain_dropout(n)]
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


def _when(node: Node | None) -> str:
    return f" in which {node.condition}" if node is not None and node.condition else ""
