"""Rules about dropout inside recurrent layers."""

from __future__ import annotations

from collections.abc import Iterator

from droplint.enums import Severity, Where
from droplint.rules.common import MOST_RELATED, active, describe, is_mc_dropout, rate
from droplint.rules.options import MC_DROPOUT
from droplint.rules.registry import RULES, Context, Finding, Scope, rule
from droplint.sites.model import compound


@rule(
    "DL102", "double-masked-rnn-input", Severity.WARNING,
    "An output dropout feeds an RNN whose own `dropout` masks the same inputs again.",
)  # fmt: skip
def double_masked_rnn_input(ctx: Context) -> Iterator[Finding]:
    gates = {(s.node, s.layer): s for s in ctx.sites if s.where == Where.GATE_INPUT}
    gated = {node for node, _ in gates}
    for node in ctx.graph.nodes.values() if gated else ():  # only nodes with x_t dropout
        if node.id not in gated:
            continue
        chain = ctx.flow.input_chain(node)
        before = chain.active(MOST_RELATED) if chain else []
        if not before:
            continue
        for layer in ctx.semantics.direct_readers(node):
            gate = gates.get((node.id, layer.id))
            if gate is None or not active((gate,)):
                continue
            total = compound([chain.rate() if chain else None, gate.rate])
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
    "DL401", "recurrent-dropout-disables-cudnn", Severity.WARNING,
    "LSTM/GRU dropout settings that rule out the fast cuDNN kernel.",
    scope=Scope.TRAINABLE,
)  # fmt: skip
def recurrent_dropout_disables_cudnn(ctx: Context) -> Iterator[Finding]:
    for layer in ctx.graph.all_nodes():
        reason = ctx.semantics.cudnn_blocker(layer)
        if reason:
            yield RULES["DL401"].finding(
                layer.id,
                f"'{layer.id}' ({layer.op}) has {reason}, which rules out the cuDNN kernel: on a "
                "GPU it runs the generic step-by-step loop, often an order of magnitude slower "
                "(tensorflow #38236). Fix: set recurrent_dropout=0 and regularise the inputs "
                "(dropout=) or the outputs between layers instead.",
            )


@rule(
    "DL402", "ineffective-rnn-dropout", Severity.WARNING,
    "RNN dropout that does nothing: the saved Keras version ignores it, or PyTorch has no "
    "layer to apply it between.",
)  # fmt: skip
def ineffective_rnn_dropout(ctx: Context) -> Iterator[Finding]:
    for site in ctx.sites:
        if site.ignored:
            yield RULES["DL402"].finding(
                site.layer,
                f"{describe(site)}: {site.param}={rate(site.rate)} has no effect: {site.ignored}. "
                "The model trained without this dropout. "
                + (
                    site.remedy
                    or "Fix: re-save and retrain with a Keras version that applies "
                    "it, or remove the setting so the config says what runs."
                ),
            )


@rule(
    "DL403", "rnn-dropout-active-at-inference", Severity.ERROR,
    "Keras 3.4-3.8 applied LSTM/GRU input dropout at inference on the cuDNN path.",
    scope=Scope.TRAINABLE, options=(MC_DROPOUT,),
)  # fmt: skip
def rnn_dropout_active_at_inference(ctx: Context) -> Iterator[Finding]:
    gates = {s.layer: s for s in ctx.sites if s.where == Where.GATE_INPUT}
    for layer in ctx.graph.all_nodes():
        gate = gates.get(layer.id)
        dropout = gate.rate if gate is not None else None
        if dropout is None or not 0 < dropout < 1 or is_mc_dropout(ctx, layer.id):
            continue
        if not ctx.semantics.leaks_rnn_dropout_at_inference(layer):
            continue
        yield RULES["DL403"].finding(
            layer.id,
            f"'{layer.id}' ({layer.op}) has dropout={dropout:g} and a cuDNN-eligible config. "
            f"Keras {ctx.graph.version} applied that input dropout at inference too whenever the "
            "cuDNN path ran (TensorFlow backend on a GPU): predictions are randomly masked. "
            "Fixed in Keras 3.9 (keras PR #20983). Fix: run the model with Keras >= 3.9, or set "
            "dropout=0 and put a Dropout layer before the RNN instead.",
        )
