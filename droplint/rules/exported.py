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
    """Sites that make inference random: active, and at a rate that draws (a Bernoulli rate of
    0 keeps everything and one of 1 zeroes everything, the same at every run: DL301, DL303)."""
    return [
        s
        for s in ctx.sites
        if s.active == Active.ALWAYS and not is_mc_dropout(ctx, s.layer) and not _fixed(s)
    ]


def _fixed(site: Site) -> bool:
    bernoulli = site.noise in (Noise.BERNOULLI, Noise.ALPHA)
    return bernoulli and site.rate is not None and (site.rate == 0 or site.rate >= 1)


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


def _by_program(ctx: Context, sites: list[Site]) -> dict[str, list[Site]]:
    """Sites by the program they belong to (a file may hold several, exported apart)."""
    grouped: dict[str, list[Site]] = {}
    for s in sites:
        grouped.setdefault(ctx.semantics.program(ctx.node_of(s)), []).append(s)
    return grouped


def _ungated_in_eval(ctx: Context) -> list[Site]:
    """Dropouts with no train flag that drop, in a program whose other dropouts show it was
    written in eval mode: the module forgot to switch them off itself."""
    plain = _by_program(
        ctx, [s for s in ctx.sites if s.gated and ctx.semantics.plain_dropout(ctx.node_of(s))]
    )
    found = []
    for program, live in _by_program(ctx, _inference_sites(ctx)).items():
        others = plain.get(program, [])
        if others and all(s.active == Active.NEVER for s in others):
            found += [s for s in live if not s.gated]
    return found


def _ungated_fix(site: Site) -> str:
    if site.gated:
        return ""
    return (
        f"The op has no train flag: the module must pass {site.param}=0.0 itself when not "
        f"training ({site.param}=self.p if self.training else 0.0, as nn.MultiheadAttention "
        "does)."
    )


@rule(
    "DL501", "dropout-active-at-inference", Severity.ERROR,
    "A dropout that drops values at inference in an exported graph (ONNX, torch.export).",
    scope=Scope.EXPORTED, options=(MC_DROPOUT,),
)  # fmt: skip
def dropout_active_at_inference(ctx: Context) -> Iterator[Finding]:
    ungated = set(map(id, _ungated_in_eval(ctx)))  # DL506 says it in its own words
    for site in _inference_sites(ctx):
        if id(site) in ungated:
            continue
        node = ctx.node_of(site)
        yield RULES["DL501"].finding(
            site.layer,
            " ".join(
                part for part in (
                    f"{describe(site)} {_acts(site)} at inference ({site.note}): every run"
                    f"{_when(node)} gives different outputs.",
                    ctx.semantics.runtime_note(node),
                    _ungated_fix(site),
                    ctx.semantics.inference_fix(node),
                ) if part
            ),
        )  # fmt: skip


@rule(
    "DL502", "inert-dropout-node", Severity.INFO,
    "A Dropout node that is the identity at inference: dead weight in an exported graph.",
    scope=Scope.EXPORTED,
)  # fmt: skip
def inert_dropout_node(ctx: Context) -> Iterator[Finding]:
    if ctx.semantics.inert_dropout_is_normal:
        return
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
    ungated = set(map(id, _ungated_in_eval(ctx)))  # DL506's: the mix is its point
    lives = _by_program(ctx, [s for s in _inference_sites(ctx) if id(s) not in ungated])
    inerts = _by_program(ctx, _inert_sites(ctx))
    for program, live in lives.items():
        inert = inerts.get(program)
        if not inert:
            continue
        yield RULES["DL503"].finding(
            live[0].layer,
            f"This graph mixes {len(live)} dropout(s) that drop at inference (e.g. "
            f"{describe(live[0])}) with {len(inert)} inert one(s) (e.g. {describe(inert[0])}). "
            f"{ctx.semantics.mixed_modes_note()}",
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
    for node in ctx.semantics.maybe_role(ctx.graph, Role.RECURRENT):
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


@rule(
    "DL506", "attention-dropout-not-gated", Severity.ERROR,
    "Attention dropout with no train flag drops in a model exported in eval mode.",
    scope=Scope.EXPORTED, options=(MC_DROPOUT,),
)  # fmt: skip
def attention_dropout_not_gated(ctx: Context) -> Iterator[Finding]:
    for site in _ungated_in_eval(ctx):
        yield RULES["DL506"].finding(
            site.layer,
            f"{describe(site)} drops at inference although the model was exported in eval mode "
            f"(its other dropouts are off): {site.note}, and every run gives different outputs. "
            f"Fix: pass {site.param}=self.p if self.training else 0.0, as nn.MultiheadAttention "
            "does.",
        )


@rule(
    "DL507", "dropout-lost-in-decomposition", Severity.WARNING,
    "A layer whose dropout the file no longer shows (unrolled by a decomposition).",
    scope=Scope.EXPORTED,
)  # fmt: skip
def dropout_lost_in_decomposition(ctx: Context) -> Iterator[Finding]:
    for layer, why in ctx.semantics.lost_dropout():
        yield RULES["DL507"].finding(layer, why)
