"""Rules about dropout that stays on when the model is used."""

from __future__ import annotations

from collections.abc import Iterator

from droplint.enums import Severity
from droplint.rules.common import is_mc_dropout
from droplint.rules.options import MC_DROPOUT
from droplint.rules.registry import RULES, Context, Finding, rule


@rule(
    "DL504", "training-flag-forced", Severity.WARNING,
    "A call saved with training=True (Monte-Carlo dropout).",
    options=(MC_DROPOUT,),
)  # fmt: skip
def training_flag_forced(ctx: Context) -> Iterator[Finding]:
    seen: set[str] = set()
    for site in ctx.sites:
        node = ctx.node_of(site)
        if node.training is not True or node.id in seen or is_mc_dropout(ctx, site.layer):
            continue
        seen.add(node.id)
        if ctx.semantics.predict_overrides_training:
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
