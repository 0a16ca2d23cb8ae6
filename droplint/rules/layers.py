"""Rules about layers droplint cannot see into."""

from __future__ import annotations

from collections.abc import Iterator

from droplint.enums import NodeKind, Severity
from droplint.graph import Node
from droplint.rules.registry import RULES, Context, Finding, rule


@rule(
    "DL002", "opaque-layer", Severity.INFO,
    "A layer droplint does not model has dropout-like settings it cannot place.",
)  # fmt: skip
def opaque_layer(ctx: Context) -> Iterator[Finding]:
    for unseen in ctx.flow.unseen:  # the flow has found them: no second walk of the graph
        node, keys = unseen.node, unseen.settings
        if node is None or node.kind != NodeKind.OPAQUE or not keys:
            continue
        yield RULES["DL002"].finding(node.id, _draw(node, keys) or _settings(node, keys))


def _settings(node: Node, keys: dict) -> str:
    settings = ", ".join(f"{k}={v}" for k, v in keys.items())
    kind = f"registered as {node.module}" if node.module and ">" in node.module else "unknown"
    return (
        f"'{node.id}' is a {node.op} layer ({kind}) with dropout-like settings {settings}. "
        "droplint does not know where or how this class applies them, so they are not in "
        "the dropout map, the effective rates or the other rules. Check its code, or keep "
        "dropout in standard layers or operators, where droplint can see it."
    )


def _draw(node: Node, keys: dict) -> str | None:
    """A random op the format plug-in could not follow to a mask (its one setting says so)."""
    if set(keys) != {"dropout_like"}:
        return None
    return (
        f"'{node.id}' is {keys['dropout_like']} that droplint cannot follow to a dropout mask "
        "it reads: whatever it drops is not in the dropout map, the effective rates or the "
        "other rules, and what its values reach is marked unknown. Check the code that made "
        "it, or use a standard dropout op, where droplint can see it."
    )


@rule(
    "DL003", "executable-layer", Severity.WARNING,
    "A layer that carries code: droplint never runs it, and loading the file may.",
)  # fmt: skip
def executable_layer(ctx: Context) -> Iterator[Finding]:
    for unseen in ctx.flow.unseen:
        node = unseen.node
        if node is None or not unseen.code:
            continue
        yield RULES["DL003"].finding(
            node.id,
            f"'{node.id}' is a {node.op} layer: it carries code (a Lambda stores Python bytecode "
            "or source; TFSMLayer and TorchModuleWrapper wrap whole programs). droplint never "
            "runs it, so any dropout inside it is unknown, and loading this file with the "
            "framework may execute that code (Keras 2 .h5 Lambdas run on load; Keras 3 refuses "
            "them unless safe_mode=False). Fix: replace it with standard layers or a registered "
            "custom layer, and only load such files from sources you trust.",
        )
