"""Rules about dropout inside recurrent layers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from droplint.rules.common import active, describe, rate
from droplint.rules.registry import RULES, Context, Finding, rule
from droplint.sites.model import as_rate, chain_rate, compound

if TYPE_CHECKING:
    from droplint.sites.keras import KerasVersion


@rule(
    "DL102", "double-masked-rnn-input", "warning",
    "An output dropout feeds an RNN whose own `dropout` masks the same inputs again.",
)  # fmt: skip
def double_masked_rnn_input(ctx: Context) -> Iterator[Finding]:
    gates = {(s.node, s.layer): s for s in ctx.sites if s.where == "gate-input"}
    for node in ctx.graph.nodes.values():
        before = active(ctx.flow.input_chain(node))
        if not before:
            continue
        for layer in ctx.semantics.direct_readers(node):
            gate = gates.get((node.id, layer.id))
            if gate is None or not active((gate,)):
                continue
            total = compound([chain_rate(before), gate.rate])
            shown = rate(total)
            outer = before[-1]
            yield RULES["DL102"].finding(
                layer.id,
                f"{describe(outer)} already masks the inputs of '{layer.id}' ({layer.op}), "
                f"whose {gate.param}={rate(gate.rate)} masks x_t again inside the cell. The two "
                "masks differ: "
                f"'{outer.layer}' draws {outer.note}; '{layer.id}' uses {gate.note}. Together the "
                f"inputs are dropped at an effective rate of {shown}. Fix: keep one of them, e.g. "
                f"remove '{outer.layer}' and set {layer.op}({gate.param}={shown}).",
                related=[s.layer for s in before],
                effective_rate=total,
            )


@rule(
    "DL401", "recurrent-dropout-disables-cudnn", "warning",
    "LSTM/GRU dropout settings that rule out the fast cuDNN kernel.",
)  # fmt: skip
def recurrent_dropout_disables_cudnn(ctx: Context) -> Iterator[Finding]:
    if not ctx.semantics.trains:
        return  # Keras files only; imported late so ONNX runs do not load Keras semantics
    from droplint.sites.keras import KerasVersion, cudnn_eligible

    version = KerasVersion.of(ctx.graph.producer, ctx.graph.version)
    if not (version.keras3 or version.tf_keras):
        return  # Keras 1 and standalone Keras 2 had no automatic cuDNN path
    for layer in ctx.graph.all_nodes():
        if not cudnn_eligible(layer, ignore_dropout=True):
            continue  # other settings already rule cuDNN out
        reason = _blocking_dropout(layer.config, version)
        if reason:
            yield RULES["DL401"].finding(
                layer.id,
                f"'{layer.id}' ({layer.op}) has {reason}, which rules out the cuDNN kernel: on a "
                "GPU it runs the generic step-by-step loop, often an order of magnitude slower "
                "(tensorflow #38236). Fix: set recurrent_dropout=0 and regularise the inputs "
                "(dropout=) or the outputs between layers instead.",
            )


def _blocking_dropout(cfg: dict, version: KerasVersion) -> str:
    recurrent = cfg.get("recurrent_dropout", 0)
    if recurrent != 0:
        return f"recurrent_dropout={recurrent}"
    dropout = cfg.get("dropout", 0)
    if version.keras3 and not version.at_least(4) and dropout != 0:
        return (
            f"dropout={dropout} (Keras 3.0-3.3 refuse cuDNN with any dropout; "
            "keras PR #19645 lifted that in 3.4)"
        )
    return ""


@rule(
    "DL402", "ineffective-rnn-dropout", "warning",
    "RNN dropout that the saved Keras version ignores.",
)  # fmt: skip
def ineffective_rnn_dropout(ctx: Context) -> Iterator[Finding]:
    for site in ctx.sites:
        if site.ignored:
            yield RULES["DL402"].finding(
                site.layer,
                f"{describe(site)}: {site.param}={rate(site.rate)} has no effect: {site.ignored}. "
                "The model trained without this dropout. Fix: re-save and retrain with a Keras "
                "version that applies it, or remove the setting so the config says what runs.",
            )


@rule(
    "DL403", "rnn-dropout-active-at-inference", "error",
    "Keras 3.4-3.8 applied LSTM/GRU input dropout at inference on the cuDNN path.",
)  # fmt: skip
def rnn_dropout_active_at_inference(ctx: Context) -> Iterator[Finding]:
    if not ctx.semantics.trains:
        return
    from droplint.sites.keras import KerasVersion, cudnn_eligible

    version = KerasVersion.of(ctx.graph.producer, ctx.graph.version)
    if not (version.keras3 and version.major == 3 and 4 <= version.minor <= 8):
        return
    for layer in ctx.graph.all_nodes():
        dropout = as_rate(layer.config.get("dropout", 0)) or 0.0
        if not (0 < dropout < 1) or not cudnn_eligible(layer):
            continue
        if ctx.config.is_mc_dropout(layer.id):
            continue
        yield RULES["DL403"].finding(
            layer.id,
            f"'{layer.id}' ({layer.op}) has dropout={dropout:g} and a cuDNN-eligible config. "
            f"Keras {ctx.graph.version} applied that input dropout at inference too whenever the "
            "cuDNN path ran (TensorFlow backend on a GPU): predictions are randomly masked. "
            "Fixed in Keras 3.9 (keras PR #20983). Fix: run the model with Keras >= 3.9, or set "
            "dropout=0 and put a Dropout layer before the RNN instead.",
        )
