"""Rules about dropout that stays on when the model is used."""

from __future__ import annotations

from collections.abc import Iterator

from droplint.rules.registry import RULES, Context, Finding, rule


@rule(
    "DL504", "training-flag-forced", "warning",
    "A call saved with training=True (Monte-Carlo dropout).",
)  # fmt: skip
def training_flag_forced(ctx: Context) -> Iterator[Finding]:
    forced = [s for s in ctx.sites if ctx.node_of(s).call.get("training") is True]
    if not forced:
        return
    from droplint.sites.keras import KerasVersion  # only Keras calls store a training flag

    version = KerasVersion.of(ctx.graph.producer, ctx.graph.version)
    seen: set[str] = set()
    for site in forced:
        node = ctx.node_of(site)
        if node.id in seen:
            continue
        if ctx.config.is_mc_dropout(site.layer):
            continue
        seen.add(node.id)
        if version.keras3:
            effect = (
                "in Keras 3 predict() passes training=False and overrides it, while a direct "
                "model(x) call - and serving code that calls the model - keeps dropping"
            )
        else:
            effect = "in tf-keras it drops at inference, predict() included"
        yield RULES["DL504"].finding(
            node.id,
            f"'{node.id}' ({node.op}) was called with training=True, so its dropout is forced "
            f"on: {effect}. If this is Monte-Carlo dropout on purpose, list the layer in "
            "`mc-dropout`; otherwise remove training=True.",
        )
