"""Rules about how much of the model dropout reaches."""

from __future__ import annotations

from collections.abc import Iterator

from droplint.enums import NodeKind, Role, Severity
from droplint.rules.common import active
from droplint.rules.registry import RULES, Context, Finding, Scope, rule
from droplint.wording import plural

COMPARABLE = (Role.DENSE, Role.CONV, Role.RECURRENT)


@rule(
    "DL601", "no-dropout", Severity.INFO,
    "A model with trainable layers and no dropout anywhere.",
    scope=Scope.TRAINABLE,
)  # fmt: skip
def no_dropout(ctx: Context) -> Iterator[Finding]:
    trainable = len(ctx.flow.coverage)
    if trainable == 0 or active(ctx.sites) or ctx.flow.unseen:
        return  # a layer droplint cannot see into may hold dropout
    layers = plural(trainable, "trainable layer")
    if ctx.sites:  # settings that drop nothing: say so, next to the layers the map shows
        inert = plural(len(ctx.sites), "dropout setting")
        verb = "drops" if len(ctx.sites) == 1 else "drop"
        head = f"No dropout applies in this model's {layers}: its {inert} {verb} nothing."
    else:
        head = f"No dropout anywhere in this model's {layers}."
    yield RULES["DL601"].finding(
        None,
        f"{head} That is fine for small data-rich models; if it overfits, add Dropout before "
        "Dense layers, SpatialDropout after convolutions, or dropout= in recurrent layers.",
    )


@rule(
    "DL602", "unregularized-layer", Severity.INFO,
    "A Dense/Conv/RNN layer gets no dropout while a comparable layer does (off by default).",
    default=False, scope=Scope.TRAINABLE,
)  # fmt: skip
def unregularized_layer(ctx: Context) -> Iterator[Finding]:
    families: dict[Role, list] = {}
    for cov in ctx.flow.coverage:
        node = ctx.graph.node(cov.layer)
        family = ctx.semantics.role(node)
        first = all(p.kind == NodeKind.INPUT for p in ctx.graph.producers(node))
        if family in COMPARABLE and not first:
            families.setdefault(family, []).append(cov)
    for family, layers in families.items():
        covered = [c for c in layers if c.input_rate > 0 or c.internal_rate > 0]
        if not covered:
            continue
        for cov in layers:
            if cov in covered or cov.input_unknown:  # unknown is not none
                continue
            yield RULES["DL602"].finding(
                cov.layer,
                f"'{cov.layer}' ({cov.cls}) gets no dropout on its input or inside it, while "
                f"{len(covered)} other {family} layer(s) do (e.g. '{covered[0].layer}'). Fix: add "
                "dropout before it if it should be regularised too, or ignore this rule.",
                related=[c.layer for c in covered],
            )
