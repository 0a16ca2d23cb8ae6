"""Where Keras applies dropout, per saved Keras version (facts: keras-dropout-semantics.md).

Output dropouts (Dropout, SpatialDropout*, GaussianDropout, AlphaDropout) mask a layer's output;
recurrent layers mask x_t (`dropout`) and h_{t-1} (`recurrent_dropout`) inside the cell, with a
number of masks and a time structure that depend on the Keras version and settings; attention
layers drop attention probabilities.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from droplint.enums import Active, Noise, Where
from droplint.formats.keras import hub
from droplint.formats.keras import layers as kl
from droplint.formats.keras.shapes import frame
from droplint.formats.keras.version import KerasVersion
from droplint.graph import Graph, Node, Shape
from droplint.sites.model import Site, as_rate

GATES = {"lstm": 4, "gru": 3, "simple": 1, "convlstm": 4}
GATE_NAMES = {"lstm": "i, f, c, o", "gru": "z, r, h", "convlstm": "i, f, c, o"}
FAMILY = {
    "LSTM": "lstm", "LSTMCell": "lstm", "CuDNNLSTM": "lstm",
    "GRU": "gru", "GRUCell": "gru", "CuDNNGRU": "gru",
    "SimpleRNN": "simple", "SimpleRNNCell": "simple",
    "ConvLSTM1D": "convlstm", "ConvLSTM2D": "convlstm", "ConvLSTM3D": "convlstm",
    "ConvLSTMCell": "convlstm", "ConvLSTM2DCell": "convlstm",
}  # fmt: skip
CUDNN_LAYERS = {"LSTM", "GRU"}


def keras_sites(graph: Graph, version: KerasVersion) -> list[Site]:
    sites: list[Site] = []
    release = graph.libraries.get("keras_hub")
    for node in graph.nodes.values():
        forced = node.training is True
        x = graph.input_shape(node)
        sequence = _is_sequence(graph, node, x) or node.distributed > 0
        for layer, steps in _stepped(node, node.distributed):
            sites_of = _layer_sites(layer, node, version, x, sequence, steps, release)
            for site in sites_of:
                if site.rate is not None and site.rate >= 1:
                    _rate_of_one(site, version)
                if forced and site.active == Active.TRAINING:
                    site.active = Active.ALWAYS
                    site.note += _forced_note(version)
                sites.append(site)
    return sites


def _rate_of_one(site: Site, version: KerasVersion) -> None:
    """What a rate of 1 or more does differs by layer and framework (checked by the oracle tests):
    Keras 3 Dropout zeroes everything, its Gaussian/Alpha noise divides by 1 - rate, and
    tf.keras / tf-keras refuses the rate at the first training call but skips noise layers."""
    noise = site.noise != Noise.BERNOULLI
    if version.keras3 and noise:
        fails = "Keras 3 divides by 1 - rate: training raises"
    elif version.keras3 or version.major < 2:
        return
    elif noise:
        site.active = Active.NEVER
        site.note = f"{version.producer} applies {site.cls} only when 0 < rate < 1"
        return
    else:
        fails = "TensorFlow refuses it: training raises ValueError"
    site.active, site.fails, site.note = Active.NEVER, fails, f"{fails} (rate must be in [0, 1))"


def _forced_note(version: KerasVersion) -> str:
    if version.keras3:
        return (
            " Called with training=True: active in direct model(x) calls; Keras 3 predict()"
            " passes training=False and overrides it."
        )
    return " Called with training=True: active at inference, predict() included."


def _is_sequence(graph: Graph, node: Node, x: Shape | None) -> bool:
    if x is not None and len(x) == 3:
        return True
    return any(_family(n) for c in graph.consumers(node.id) for n in c.walk())


def _family(node: Node) -> str | None:
    return FAMILY.get(node.op)


def _stepped(node: Node, steps: int) -> Iterator[tuple[Node, int]]:
    """node and every layer it wraps, with the number of TimeDistributed around each."""
    yield node, steps
    inside = steps + (node.op == "TimeDistributed")
    for child in node.inner:
        yield from _stepped(child, inside)


def _layer_sites(
    layer: Node,
    outer: Node,
    version: KerasVersion,
    x: Shape | None,
    sequence: bool,
    steps: int,
    release: str | None = None,
) -> Iterator[Site]:
    op = layer.op
    if op in kl.OUTPUT_DROPOUT:
        yield _output_site(layer, outer, x, sequence, steps)
    elif _family(layer):
        yield from _rnn_sites(layer, outer, version)
    elif op in kl.ATTENTION:
        yield from _param_site(
            layer,
            outer,
            Where.ATTENTION,
            "dropout",
            "drops attention probabilities after the softmax",
        )
    elif hub.is_hub(layer.module):
        tmpl = hub.template(op, layer.module, layer.attrs, release)
        if tmpl is not None:
            yield from hub.hub_sites(layer, outer, tmpl)


# -- output dropout ------------------------------------------------------------------------


def _output_site(layer: Node, outer: Node, x: Shape | None, sequence: bool, steps: int) -> Site:
    """An output dropout; applied step by step (TimeDistributed), its mask is drawn for each
    frame: the axes it shares are those of the frame, after the steps' axes."""
    op, cfg = layer.op, layer.attrs
    frame_x = frame(x, steps) if steps else x
    key = "rate" if "rate" in cfg or "p" not in cfg else "p"  # Keras 1 wrote "p"
    key = "drop_path_rate" if op == "StochasticDepth" else key
    raw = cfg.get(key)
    rate = as_rate(raw)
    noise = {"GaussianDropout": Noise.GAUSSIAN, "AlphaDropout": Noise.ALPHA}.get(
        op, Noise.BERNOULLI
    )
    shared = _shared_axes(op, cfg, frame_x)
    if steps and shared is not None:  # frame axis 0 is a (sample, step): never shared
        shared = [axis + steps for axis in shared if axis > 0]
    site = Site(
        outer.id,
        layer.id,
        op,
        Where.OUTPUT,
        key,
        rate,
        noise=noise,
        raw_rate=raw,
        shared_axes=shared,
    )
    if (sequence or steps) and shared is not None:
        site.time_constant = 1 in shared
    if rate == 0:
        site.active = Active.NEVER
    site.note, site.stepwise = _mask_words(site, steps), steps > 0
    site.invalid = _noise_shape_problem(cfg, frame_x)
    if op in ("SpatialDropout2D", "SpatialDropout3D") and "data_format" not in cfg:
        site.note += (
            "; the file saves no data_format (tf-keras never does), so the layer loads with the"
            " default (image_data_format, normally channels last), whatever it was built with"
        )
    return site


def _shared_axes(op: str, cfg: dict[str, Any], x: Shape | None) -> list[int] | None:
    channels_first = cfg.get("data_format") == "channels_first"
    spatial = {"SpatialDropout1D": 1, "SpatialDropout2D": 2, "SpatialDropout3D": 3}.get(op)
    if spatial:
        start = 2 if channels_first else 1
        return list(range(start, start + spatial))
    if op == "StochasticDepth":  # one draw per sample: every axis but the batch shares it
        return None if x is None else list(range(1, len(x)))
    shape = cfg.get("noise_shape")
    if shape is None or op == "GaussianDropout":
        return []
    if not isinstance(shape, list) or (x is not None and len(shape) != len(x)):
        return None  # not a shape droplint can place on this input
    return [i for i, d in enumerate(shape) if d == 1]


def _noise_shape_problem(cfg: dict[str, Any], x: Shape | None) -> str:
    """Why a noise_shape cannot be applied to the input, or ""."""
    noise = cfg.get("noise_shape")
    if noise is None or x is None:
        return ""
    if not isinstance(noise, list) or len(noise) != len(x):
        return f"noise_shape {noise} does not have the input's rank {len(x)} ({list(x)})."
    for axis, (n, d) in enumerate(zip(noise, x, strict=True)):
        if n not in (None, 1) and d is not None and n != d:
            return (
                f"noise_shape {noise} has {n} on axis {axis}, where the input has {d}: each "
                "entry must be None, 1 (share the mask along that axis) or the input's size."
            )
    return ""


def _mask_words(site: Site, steps: int) -> str:
    if site.noise == Noise.GAUSSIAN:
        return "multiplies every element by its own Gaussian noise"
    inside = " (inside TimeDistributed)" if steps else ""
    if site.shared_axes is None:
        return "mask shape unknown (noise_shape does not match the input)"
    if not site.shared_axes:
        per = "element and timestep" if site.time_constant is not None else "element"
        return f"a new mask for every {per}{inside}"
    if site.cls.startswith("SpatialDropout"):
        per = "sample, timestep and channel" if steps else "sample and channel"
        return f"drops whole channels: one mask per {per}{inside}"
    return f"mask shared along axes {site.shared_axes} (batch = 0){inside}"


# -- recurrent layers ----------------------------------------------------------------------


def _rnn_sites(layer: Node, outer: Node, version: KerasVersion) -> Iterator[Site]:
    cfg = layer.attrs
    keras1 = version.major == 1 or "dropout_W" in cfg or "dropout_U" in cfg
    in_key, rec_key = ("dropout_W", "dropout_U") if keras1 else ("dropout", "recurrent_dropout")
    raw_in, raw_rec = cfg.get(in_key, 0), cfg.get(rec_key, 0)
    rate_in, rate_rec = as_rate(raw_in), as_rate(raw_rec)
    plan = _mask_plan(layer, version, rate_rec or 0.0, keras1)
    for where, key, raw, rate, masks, const, note in (
        (
            Where.GATE_INPUT,
            in_key,
            raw_in,
            rate_in,
            plan.input_masks,
            plan.input_constant,
            plan.input_note,
        ),
        (
            Where.GATE_RECURRENT,
            rec_key,
            raw_rec,
            rate_rec,
            plan.rec_masks,
            plan.rec_constant,
            plan.rec_note,
        ),
    ):
        if rate == 0:
            continue
        shared = None if where == Where.GATE_RECURRENT or const is None else ([1] if const else [])
        site = Site(
            outer.id,
            layer.id,
            layer.op,
            where,
            key,
            rate,
            masks,
            const,
            shared,
            raw_rate=raw,
            note=note,
        )
        if plan.ignored:
            site.active, site.note, site.ignored = Active.NEVER, plan.ignored, plan.ignored
        elif rate is not None and not 0 < rate < 1 and _checks_rate(layer, version):
            site.active = Active.NEVER
            site.note = "Keras RNN cells apply dropout only when 0 < rate < 1"
        yield site


def _checks_rate(layer: Node, version: KerasVersion) -> bool:
    """Keras 3 SimpleRNNCell applies any rate > 0 (rate 1 zeros its input); the others skip >= 1."""
    return not (version.keras3 and FAMILY[layer.op] == "simple")


@dataclass
class MaskPlan:
    input_masks: int | None
    input_constant: bool | None
    rec_masks: int | None
    rec_constant: bool | None
    input_note: str
    rec_note: str
    ignored: str = ""  # why this version applies no dropout at all


def _mask_plan(layer: Node, version: KerasVersion, recurrent: float, keras1: bool) -> MaskPlan:
    family = FAMILY[layer.op]
    gates = GATES[family]
    if keras1:
        return _keras1_plan(layer, family, gates)
    if version.keras3:
        return _keras3_plan(family, gates, version, recurrent)
    return _keras2_plan(layer, family, gates, version, recurrent)


def _per_gate(gates: int, family: str) -> str:
    if gates == 1:
        return "one mask"
    return f"{gates} independent masks, one per gate ({GATE_NAMES[family]})"


def _keras3_plan(family: str, gates: int, version: KerasVersion, recurrent: float) -> MaskPlan:
    same = ", the same at every timestep"
    if family == "convlstm":
        plan = MaskPlan(4, True, 4, True, _per_gate(4, family) + same, _per_gate(4, family) + same)
        if not version.at_least(5):
            plan.ignored = (
                "Keras 3.0-3.4 ConvLSTM cells never applied their dropout masks (fixed in 3.5)"
            )
        return plan
    if family == "simple" or not version.at_least(8):
        shared = "one mask shared by all gates" if gates > 1 else "one mask"
        return MaskPlan(1, True, 1, True, shared + same, shared + same)
    if recurrent:  # Keras >= 3.8 switches to implementation 1: per-gate masks
        return MaskPlan(
            gates,
            True,
            gates,
            True,
            _per_gate(gates, family) + same,
            _per_gate(gates, family) + same,
        )
    return MaskPlan(1, True, None, None, "one mask shared by all gates" + same, "")


def cudnn_eligible(layer: Node, ignore_dropout: bool = False) -> bool:
    """tf-keras / Keras 3 LSTM and GRU configs that can take the fused cuDNN kernel."""
    cfg = layer.attrs
    if layer.op not in CUDNN_LAYERS:
        return False
    ok = (
        cfg.get("activation", "tanh") == "tanh"
        and cfg.get("recurrent_activation", "sigmoid") == "sigmoid"
        and not cfg.get("unroll", False)
        and cfg.get("use_bias", True)
        and (ignore_dropout or cfg.get("recurrent_dropout", 0) == 0)
    )
    if layer.op == "GRU":
        ok = ok and cfg.get("reset_after", True)
    return bool(ok)


def _keras1_plan(layer: Node, family: str, gates: int) -> MaskPlan:
    """Keras 1.x: masks made once per call; consume_less='gpu' used only the first one."""
    if layer.attrs.get("consume_less") == "gpu":
        gates = 1
    words = _per_gate(gates, family) + ", the same at every timestep"
    return MaskPlan(gates, True, gates, True, words, words)


def _keras2_plan(
    layer: Node, family: str, gates: int, version: KerasVersion, recurrent: float
) -> MaskPlan:
    const = ", the same at every timestep"
    if family == "simple":
        return MaskPlan(1, True, 1, True, "one mask" + const, "one mask" + const)
    if version.tf_keras and cudnn_eligible(layer):
        return MaskPlan(
            1, False, None, None,
            "one mask over the whole (batch, time, features) input, shared by all gates and "
            "new at every timestep (tf-keras cuDNN-eligible config, on CPU too)", "",
        )  # fmt: skip
    impl = layer.attrs.get("implementation", 1)
    if version.tf_keras and recurrent:
        impl = 1  # tf.keras forces implementation 1 with recurrent dropout
    if family == "convlstm" or impl != 2:
        words = _per_gate(gates, family) + const
        return MaskPlan(gates, True, gates, True, words, words)
    shared = "implementation 2: one mask (mask 0) shared by all gates" + const
    if version.tf_keras:
        return MaskPlan(1, True, None, None, shared, "")
    return MaskPlan(1, True, 1, True, shared, shared)  # standalone Keras 2.1-2.3 shares both


# -- parameters of attention and composite layers -----------------------------------------


def _param_site(layer: Node, outer: Node, where: Where, key: str, note: str) -> Iterator[Site]:
    raw = layer.attrs.get(key, 0)
    rate = as_rate(raw)
    if rate == 0:
        return
    site = Site(
        outer.id, layer.id, layer.op, where, key, rate, shared_axes=[], raw_rate=raw, note=note
    )
    if rate is not None and rate > 1:  # Keras refuses that when the layer is made
        site.active = Active.UNKNOWN
    yield site
