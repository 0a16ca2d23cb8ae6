"""Rules about where an output dropout sits relative to the layers around it."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from droplint.enums import Role, Severity
from droplint.graph import Node, Tensor
from droplint.rules.common import active, describe, is_mc_dropout, names, output_sites, rate, via
from droplint.rules.options import MC_DROPOUT
from droplint.rules.registry import RULES, Context, Finding, rule
from droplint.sites import Site
from droplint.sites.flow import Reaches

INTEGER_DTYPES = ("int", "uint", "bool")


def dropping(ctx: Context) -> Iterator[tuple[Site, Node]]:
    """Output dropouts that drop something, with the node that applies them."""
    for site in active(output_sites(ctx)):
        yield site, ctx.node_of(site)


@rule(
    "DL201", "dropout-before-batchnorm", Severity.WARNING,
    "An output dropout reaches a BatchNormalization with only parameter-free layers between.",
)  # fmt: skip
def dropout_before_batchnorm(ctx: Context) -> Iterator[Finding]:
    reaches = Reaches(ctx.graph, ctx.semantics.transparent, _role(ctx, Role.BATCHNORM))
    for site, node in dropping(ctx):
        for stop, between in reaches(node).stops:
            yield RULES["DL201"].finding(
                site.layer,
                f"{describe(site)} feeds {stop.op} '{stop.id}' {via(between)}. "
                "BatchNormalization learns its moving variance from dropped-out values "
                "in training but sees undropped ones at inference: a variance shift that costs "
                "accuracy (Li et al., CVPR 2019). Fix: put the dropout after the "
                "BatchNormalization, or after the last BatchNormalization of the block.",
                related=[stop.id],
            )


@rule(
    "DL202", "dropout-on-model-output", Severity.ERROR,
    "An output dropout on a model output, or directly on a softmax/sigmoid output.",
    options=(MC_DROPOUT,),
)  # fmt: skip
def dropout_on_model_output(ctx: Context) -> Iterator[Finding]:
    reaches = Reaches(ctx.graph, ctx.semantics.parameter_free, lambda _: False)
    for site, node in dropping(ctx):
        if is_mc_dropout(ctx, site.layer):
            continue
        to_output = reaches(node).output
        probability = [
            p for p in ctx.graph.producers(node) if ctx.semantics.role(p) == Role.PROBABILITY
        ]
        if to_output is None and not probability:
            continue
        if to_output is not None:
            through = f" (through {names(to_output)})" if to_output else ""
            where = f"drops the model's output{through}"
        else:
            where = f"drops the probabilities of '{probability[0].id}' (softmax/sigmoid)"
        why = _output_words() if ctx.semantics.trainable_model else _graph_output_words(site)
        yield RULES["DL202"].finding(
            site.layer,
            f"{describe(site)} {where}: {why}",
            related=[p.id for p in probability] + [n.id for n in (to_output or [])[:8]],
        )


def _output_words() -> str:
    return (
        "in training the predictions are zeroed at random and the rest scaled by "
        "1/(1 - rate), so the loss sees corrupted outputs (probabilities above 1 or not summing "
        "to 1) and no weight after it can compensate. Fix: move the dropout before the last "
        "layer with weights (e.g. before the output Dense). For Monte-Carlo dropout on purpose, "
        "list the layer in `mc-dropout`."
    )


def _scale(site: Site) -> str:
    """The kept values' scale, with the rate where it is known (a parameter's name may be an
    exporter's tensor name, such as val_41)."""
    if site.rate is None or not 0 <= site.rate < 1:
        return "1/(1 - rate)"
    return f"1/(1 - {site.rate:g})"


def _graph_output_words(site: Site) -> str:
    return (
        "when it drops, the values the graph returns are zeroed at random and the rest scaled "
        f"by {_scale(site)}, and no node after it can compensate. Fix: in the source "
        "model, put the dropout before the last layer with weights, or export with the model in "
        "eval mode; list the node in `mc-dropout` if it is Monte-Carlo dropout on purpose."
    )


@rule(
    "DL203", "dropout-on-integer-input", Severity.ERROR,
    "Dropout on an integer tensor (token ids, indices), e.g. before an Embedding.",
)  # fmt: skip
def dropout_on_integer_input(ctx: Context) -> Iterator[Finding]:
    for site, node in dropping(ctx):
        dtype = ctx.graph.dtypes.get(node.inputs[0]) if node.inputs else None
        if not dtype or not dtype.startswith(INTEGER_DTYPES):
            continue
        yield RULES["DL203"].finding(
            site.layer,
            f"{describe(site)} drops values of an integer tensor ({dtype}): ids become 0 (often "
            "the padding id) and the kept ones are scaled by 1/(1 - rate) into ids that mean "
            "something else or do not exist; Keras raises when it trains. Fix: drop the "
            "embeddings instead - put the Dropout after the Embedding (noise_shape=(None, "
            "steps, 1) drops whole tokens).",
        )


@rule(
    "DL204", "per-timestep-dropout-before-rnn", Severity.INFO,
    "Elementwise Dropout on a sequence feeding an RNN: a new mask at every timestep.",
)  # fmt: skip
def per_timestep_dropout_before_rnn(ctx: Context) -> Iterator[Finding]:
    reaches = Reaches(ctx.graph, ctx.semantics.transparent, _role(ctx, Role.RECURRENT))
    for site, node in dropping(ctx):
        if site.cls != "Dropout" or site.time_constant is not False:
            continue
        rnns = [stop for stop, _ in reaches(node).stops]
        if not rnns:
            continue
        shape = ctx.graph.shapes.get(Tensor(node.id))
        features = shape[-1] if shape and shape[-1] else "features"
        move = (
            "take it out of the model applied at every step (TimeDistributed), which draws a "
            "mask per step whatever its settings, and use after it "
            if site.stepwise
            else ""
        )
        yield RULES["DL204"].finding(
            site.layer,
            f"{describe(site)} draws a new mask for every element and timestep of the sequence "
            f"that {names(rnns)} reads, so each step sees different features dropped. "
            f"Variational dropout (Gal & Ghahramani, 2016) keeps one mask per sequence. Fix: {move}"
            f"SpatialDropout1D({rate(site.rate)}) to drop whole features, or "
            f"Dropout({rate(site.rate)}, noise_shape=(None, 1, {features})) for a time-constant "
            "elementwise mask.",
            related=[r.id for r in rnns],
        )


@rule(
    "DL205", "elementwise-dropout-on-feature-maps", Severity.INFO,
    "Elementwise Dropout on convolutional feature maps; SpatialDropout drops whole channels.",
)  # fmt: skip
def elementwise_dropout_on_feature_maps(ctx: Context) -> Iterator[Finding]:
    for site, node in dropping(ctx):
        shape = ctx.graph.input_shape(node)
        if site.cls != "Dropout" or site.shared_axes != [] or shape is None or len(shape) < 4:
            continue
        if sum(1 for d in shape[1:] if d != 1) <= 1:
            continue  # 1x1 maps (after a global pooling): no neighbour to fill a pixel in
        spatial = "SpatialDropout2D" if len(shape) == 4 else "SpatialDropout3D"
        yield RULES["DL205"].finding(
            site.layer,
            f"{describe(site)} drops single pixels of {len(shape) - 2}-D feature maps. "
            "Neighbouring activations are strongly correlated, so the next layer can fill a "
            "dropped pixel in from its neighbours and the dropout regularises little (Tompson "
            f"et al., 2015). Fix: {spatial}({rate(site.rate)}) to drop whole channels.",
        )


def _role(ctx: Context, role: Role) -> Callable[[Node], bool]:
    return lambda node: ctx.semantics.role(node) == role
