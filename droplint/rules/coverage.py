"""Rules about how much of the model dropout reaches."""

from __future__ import annotations

from collections.abc import Iterator

from droplint.graph import keras_layers as kl
from droplint.rules.common import active
from droplint.rules.layers import dropout_like
from droplint.rules.registry import RULES, Context, Finding, rule

COMPARABLE = ("dense", "conv", "recurrent")


@rule("DL601", "no-dropout", "info", "A model with trainable layers and no dropout anywhere.")
def no_dropout(ctx: Context) -> Iterator[Finding]:
    trainable = len(ctx.flow.coverage)
    if not ctx.semantics.trains or trainable == 0 or active(ctx.sites) or _hidden_dropout(ctx):
        return
    yield RULES["DL601"].finding(
        None,
        f"No dropout anywhere in this model's {trainable} trainable layers. That is fine for "
        "small data-rich models; if it overfits, add Dropout before Dense layers, "
        "SpatialDropout after convolutions, or dropout= in recurrent layers.",
    )


def _hidden_dropout(ctx: Context) -> bool:
    """Layers whose dropout droplint cannot see (DL002, DL003) may hold some."""
    return any(
        (n.kind == "opaque" and dropout_like(n.config)) or n.op in kl.EXECUTABLE
        for n in ctx.graph.all_nodes()
    )


@rule(
    "DL602", "unregularized-layer", "info",
    "A Dense/Conv/RNN layer gets no dropout while a comparable layer does (off by default).",
)  # fmt: skip
def unregularized_layer(ctx: Context) -> Iterator[Finding]:
    families: dict[str, list] = {}
    if not ctx.semantics.trains:
        return  # inference exports leave dropout out on purpose
    for cov in ctx.flow.coverage:
        node = ctx.graph.node(cov.layer)
        family = ctx.semantics.role(node)
        first = all(p.kind == "input" for p in ctx.graph.producers(node))
        if family in COMPARABLE and not first:
            families.setdefault(family, []).append(cov)
    for family, layers in families.items():
        covered = [c for c in layers if c.input_rate > 0 or c.internal_rate > 0]
        if not covered:
            continue
        for cov in layers:
            if cov in covered:
                continue
            yield RULES["DL602"].finding(
                cov.layer,
                f"'{cov.layer}' ({cov.cls}) gets no dropout on its input or inside it, while "
                f"{len(covered)} other {family} layer(s) do (e.g. '{covered[0].layer}'). Fix: add "
                "dropout before it if it should be regularised too, or ignore this rule.",
                related=[c.layer for c in covered],
            )
