"""What droplint says about Keras dropout, checked against the real frameworks.

Each test builds a model with Keras 3 or tf-keras, saves it, runs droplint on the file, runs the
model in training mode and asserts droplint's claim matches what the framework did.
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import numpy as np
import pytest
from frameworks import RATE, TOLERANCE, both_kerases, gate, saved  # noqa: F401  (fixture K)
from probes import (
    Observed,
    behaviour,
    independent_masks,
    is_tf_keras,
    observe_attention,
    observe_convlstm,
    observe_rnn,
)

RNNS = ("LSTM", "GRU", "SimpleRNN")


RNN_CASES = [
    ("LSTM", 0.0, {}),
    ("LSTM", 0.3, {}),
    ("LSTM", 0.0, {"activation": "relu", "implementation": 1}),  # tf-keras: not cuDNN-eligible
    ("LSTM", 0.0, {"activation": "relu", "implementation": 2}),
    ("GRU", 0.0, {}),
    ("GRU", 0.3, {}),
    ("GRU", 0.0, {"reset_after": False}),
    ("SimpleRNN", 0.0, {}),
    ("SimpleRNN", 0.3, {}),
]


@pytest.mark.parametrize(("layer", "recurrent", "kwargs"), RNN_CASES)
def test_gate_input_mask_is_time_constant_or_not(
    K: ModuleType, tmp_path: Path, layer: str, recurrent: float, kwargs: dict
) -> None:
    if not is_tf_keras(K):
        kwargs = {k: v for k, v in kwargs.items() if k != "implementation"}  # not a Keras 3 arg
    model, seen = observe_rnn(K, layer, RATE, recurrent, **kwargs)
    site = gate(saved(K, model, tmp_path))
    assert abs(seen.zero_fraction - RATE) < TOLERANCE
    assert site.time_constant is seen.time_constant


GATE_CASES = [
    ("LSTM", 0.0, {}),
    ("LSTM", 0.3, {}),
    ("LSTM", 0.0, {"activation": "relu", "implementation": 1}),
    ("LSTM", 0.0, {"activation": "relu", "implementation": 2}),
    ("LSTM", 0.3, {"implementation": 2}),  # tf-keras: recurrent dropout forces implementation 1
    ("GRU", 0.0, {}),
    ("GRU", 0.3, {}),
    ("GRU", 0.0, {"reset_after": False}),
    ("GRU", 0.0, {"reset_after": False, "implementation": 1}),
    ("GRU", 0.3, {"implementation": 2}),
]


@pytest.mark.parametrize(("layer", "recurrent", "kwargs"), GATE_CASES)
def test_number_of_gate_input_masks(
    K: ModuleType, tmp_path: Path, layer: str, recurrent: float, kwargs: dict
) -> None:
    if not is_tf_keras(K):
        kwargs = {k: v for k, v in kwargs.items() if k != "implementation"}
    model, seen = observe_rnn(K, layer, RATE, recurrent, two_gates=True, **kwargs)
    site = gate(saved(K, model, tmp_path))
    assert (site.masks > 1) is independent_masks(seen, RATE)


@pytest.mark.parametrize("recurrent", [0.0, 0.3])
@pytest.mark.parametrize("two_gates", [False, True])
def test_convlstm_masks(K: ModuleType, tmp_path: Path, recurrent: float, two_gates: bool) -> None:
    model, seen = observe_convlstm(K, RATE, recurrent, two_gates=two_gates)
    site = gate(saved(K, model, tmp_path))
    assert site.active == "training" and site.time_constant is seen.time_constant
    if two_gates:
        assert (site.masks > 1) is independent_masks(seen, RATE)
    else:
        assert abs(seen.zero_fraction - RATE) < TOLERANCE


def test_dropout_then_rnn_compounds(K: ModuleType, tmp_path: Path) -> None:
    """Dropout(0.25) -> LSTM(dropout=0.5): the cell sees 1 - 0.75 * 0.5 of its inputs zeroed."""
    from probes import set_lstm_like

    feats, steps = 16, 10
    inp = K.Input((steps, feats), name="x")
    dropped = K.layers.Dropout(0.25, name="drop")(inp)
    out = K.layers.LSTM(feats, dropout=0.5, return_sequences=True, name="rnn")(dropped)
    model = K.Model(inp, out)
    set_lstm_like(model.get_layer("rnn"), feats, two_gates=False)
    y = np.asarray(model(np.ones((128, steps, feats), dtype="float32"), training=True))
    measured = float((np.abs(y) < 1e-6).mean())
    site = gate(saved(K, model, tmp_path))
    assert site.effective_rate == pytest.approx(0.625)
    assert abs(measured - site.effective_rate) < TOLERANCE


def test_stacked_output_dropouts_compound(K: ModuleType, tmp_path: Path) -> None:
    inp = K.Input((64,), name="x")
    x = K.layers.Dropout(0.2, name="d1")(inp)
    x = K.layers.Reshape((8, 8), name="reshape")(x)
    out = K.layers.Dropout(0.3, name="d2")(x)
    model = K.Model(inp, out)
    y = np.asarray(model(np.ones((256, 64), dtype="float32"), training=True))
    measured = float((np.abs(y) < 1e-6).mean())
    (site,) = [s for s in saved(K, model, tmp_path).sites if s.layer == "d2"]
    assert site.effective_rate == pytest.approx(0.44)
    assert abs(measured - site.effective_rate) < TOLERANCE


def test_gaussian_noise_compounds_by_variance(K: ModuleType, tmp_path: Path) -> None:
    """Dropout(0.2) -> GaussianDropout(0.3): noise of the variance of a Bernoulli rate 0.44."""
    inp = K.Input((64,), name="x")
    x = K.layers.Dropout(0.2, name="d1")(inp)
    out = K.layers.GaussianDropout(0.3, name="g")(x)
    model = K.Model(inp, out)
    y = np.asarray(model(np.ones((512, 64), dtype="float32"), training=True))
    (site,) = [s for s in saved(K, model, tmp_path).sites if s.layer == "g"]
    variance = 1 / (1 - site.effective_rate) - 1  # of the multiplicative noise, mean 1
    assert site.effective_rate == pytest.approx(0.44)
    assert abs(y.var() / variance - 1) < 0.05  # 32k draws: ~6 standard deviations


def test_training_true_under_predict_and_direct_calls(K: ModuleType, tmp_path: Path) -> None:
    inp = K.Input((64,), name="x")
    out = K.layers.Dropout(0.5, name="mc")(inp, training=True)
    model = K.Model(inp, out)
    x = np.ones((256, 64), dtype="float32")
    direct = float((np.asarray(model(x)) == 0).mean())
    predicted = float((model.predict(x, verbose=0) == 0).mean())
    (site,) = saved(K, model, tmp_path).sites
    assert site.active == "always"
    assert abs(direct - 0.5) < TOLERANCE  # a direct call drops in both frameworks
    keeps_in_predict = abs(predicted - 0.5) < TOLERANCE
    assert keeps_in_predict is ("predict() included" in site.note)
    assert (predicted == 0.0) is ("predict() passes training=False" in site.note)


def test_seed_question_claims(K: ModuleType, tmp_path: Path) -> None:
    """The seed model's LSTM: masks per gate and time-constant, as the file's version says."""
    from probes import set_lstm_like

    feats, steps = 16, 10
    inp = K.Input((steps, feats), name="x")
    out = K.layers.LSTM(feats, dropout=0.5, recurrent_dropout=0.5, return_sequences=True,
                        name="rnn")(inp)  # fmt: skip
    model = K.Model(inp, out)
    set_lstm_like(model.get_layer("rnn"), feats, two_gates=True)
    y = np.asarray(model(np.ones((64, steps, feats), dtype="float32"), training=True))
    seen = Observed.of(np.abs(y) < 1e-6)
    site = gate(saved(K, model, tmp_path))
    assert site.masks == 4 and independent_masks(seen, 0.5)
    assert site.time_constant and seen.time_constant


OUTPUT_CASES = [
    ("Dropout", {}, (10, 16)),
    ("Dropout", {"noise_shape": (None, 1, 16)}, (10, 16)),
    ("SpatialDropout1D", {}, (10, 16)),
    ("GaussianDropout", {}, (10, 16)),
    ("SpatialDropout2D", {}, (6, 6, 8)),
    ("SpatialDropout2D", {"data_format": "channels_first"}, (8, 6, 6)),
    ("SpatialDropout3D", {}, (4, 4, 4, 8)),
    ("AlphaDropout", {}, (10, 16)),
    ("TimeDistributed", {}, (10, 16)),
]


def _output_layer(K: ModuleType, layer: str, kwargs: dict):
    if layer == "TimeDistributed":  # the inner Dropout sees one timestep at a time
        return K.layers.TimeDistributed(K.layers.Dropout(RATE, name="inner"), name="drop")
    return getattr(K.layers, layer)(RATE, name="drop", **kwargs)


@pytest.mark.parametrize(("layer", "kwargs", "shape"), OUTPUT_CASES)
def test_output_dropout_mask_structure(
    K: ModuleType, tmp_path: Path, layer: str, kwargs: dict, shape: tuple
) -> None:
    """Which axes a mask is shared along, and so whether it is the same at every timestep. The
    model runs as loaded back from the file: tf-keras does not save SpatialDropout's
    data_format, so a channels_first layer comes back channels_last, as droplint reads it."""
    inp = K.Input(shape, name="x")
    report = saved(K, K.Model(inp, _output_layer(K, layer, kwargs)(inp)), tmp_path)
    model = K.models.load_model(report.path, compile=False)
    y = np.asarray(model(np.ones((64, *shape), dtype="float32"), training=True))
    (site,) = report.sites
    if site.noise == "gaussian":  # multiplicative noise: every element its own draw
        assert site.shared_axes == [] and len(np.unique(y[0])) > y[0].size // 2
        return
    # alpha dropout sets dropped elements to one value below the kept ones
    zeros = np.isclose(y, y.min()) if site.noise == "alpha" else np.abs(y) < 1e-6
    for axis in range(1, zeros.ndim):
        shared = bool((zeros == zeros.take([0], axis=axis)).all())
        assert shared is (axis in site.shared_axes), (axis, site.shared_axes)
    if site.time_constant is not None:
        assert site.time_constant is Observed.of(zeros).time_constant
    draws = zeros.size / np.prod([zeros.shape[a] for a in site.shared_axes] or [1])
    bound = 5 * np.sqrt(site.rate * (1 - site.rate) / draws)  # five standard deviations
    assert abs(zeros.mean() - site.rate) < bound


@pytest.mark.parametrize("layer", ["Attention", "MultiHeadAttention"])
def test_attention_dropout(K: ModuleType, tmp_path: Path, layer: str) -> None:
    """Attention dropout drops each probability on its own, at the configured rate."""
    model, dropped = observe_attention(K, layer, RATE)
    (site,) = saved(K, model, tmp_path).sites
    assert site.where == "attention" and site.active == "training"
    assert abs(dropped.mean() - site.effective_rate) < TOLERANCE
    for axis in range(1, dropped.ndim):
        assert (axis in site.shared_axes) is bool((dropped == dropped.take([0], axis)).all())


ACTIVE_CASES = [
    ("Dropout", 0.0),
    ("Dropout", 1.0),
    ("SpatialDropout1D", 1.0),
    ("GaussianDropout", 1.0),
    ("AlphaDropout", 1.0),
    ("LSTM", 1.0),
    ("GRU", 1.0),
    ("SimpleRNN", 1.0),
    ("Attention", 1.0),
    ("MultiHeadAttention", 1.0),
]


def _edge_model(K: ModuleType, layer: str, rate: float):
    inp = K.Input((6, 4), name="x")
    cls = getattr(K.layers, layer)
    if layer in RNNS:
        out = cls(4, dropout=rate, name="drop")(inp)
    elif layer == "Attention":
        out = cls(dropout=rate, name="drop")([inp, inp])
    elif layer == "MultiHeadAttention":
        out = cls(2, 4, dropout=rate, name="drop")(inp, inp)
    else:
        out = cls(rate, name="drop")(inp)
    return K.Model(inp, out)


@pytest.mark.parametrize(("layer", "rate"), ACTIVE_CASES)
def test_when_a_site_is_active(K: ModuleType, tmp_path: Path, layer: str, rate: float) -> None:
    """active never / training, and whether a training call fails, at the edge rates."""
    model = _edge_model(K, layer, rate)
    x = np.random.default_rng(0).normal(size=(8, 6, 4)).astype("float32")
    seen = behaviour(model, x)
    (site,) = saved(K, model, tmp_path).sites
    said = "raises" if site.fails else site.active
    assert said == seen, site.note


FORCED_CASES = [
    ("LSTM", {"dropout": RATE}),
    ("GRU", {"recurrent_dropout": RATE}),
    ("MultiHeadAttention", {"dropout": RATE}),
]


@pytest.mark.parametrize(("layer", "kwargs"), FORCED_CASES)
def test_training_true_on_gate_and_attention_sites(
    K: ModuleType, tmp_path: Path, layer: str, kwargs: dict
) -> None:
    """A layer called with training=True: random in direct calls; in predict() as the note says."""
    inp = K.Input((6, 8), name="x")
    if layer == "MultiHeadAttention":
        out = K.layers.MultiHeadAttention(2, 4, name="rnn", **kwargs)(inp, inp, training=True)
    else:
        out = getattr(K.layers, layer)(8, name="rnn", **kwargs)(inp, training=True)
    model = K.Model(inp, out)
    x = np.random.default_rng(0).normal(size=(16, 6, 8)).astype("float32")
    (site,) = saved(K, model, tmp_path).sites
    assert site.active == "always"
    assert _random(lambda: model(x))
    assert _random(lambda: model.predict(x, verbose=0)) is ("predict() included" in site.note)


def _random(run) -> bool:
    return not np.allclose(np.asarray(run()), np.asarray(run()))


@pytest.mark.parametrize("recurrent", [0.0, 0.3])
@pytest.mark.parametrize("two_gates", [False, True])
def test_bidirectional_directions(
    K: ModuleType, tmp_path: Path, recurrent: float, two_gates: bool
) -> None:
    """Each direction of Bidirectional(LSTM) has the masks droplint gives its inner layer."""
    from probes import run, set_lstm_like

    feats, steps = 16, 10
    inp = K.Input((steps, feats), name="x")
    inner = K.layers.LSTM(feats, dropout=RATE, recurrent_dropout=recurrent,
                          return_sequences=True, name="lstm")  # fmt: skip
    bidi = K.layers.Bidirectional(inner, name="bidi")
    model = K.Model(inp, bidi(inp))
    for direction in (bidi.forward_layer, bidi.backward_layer):
        set_lstm_like(direction, feats, two_gates)  # no memory: every step shows its own masks
    zeros = np.abs(run(model, np.ones((64, steps, feats), "float32"))) < 1e-6
    sites = [s for s in saved(K, model, tmp_path).sites if s.where == "gate-input"]
    assert ["forward" in sites[0].layer, "backward" in sites[1].layer] == [True, True]
    for half, site in zip((zeros[..., :feats], zeros[..., feats:]), sites, strict=True):
        seen = Observed.of(half)
        if two_gates:
            assert (site.masks > 1) is independent_masks(seen, RATE)
        else:
            assert site.time_constant is seen.time_constant
            assert abs(seen.zero_fraction - RATE) < TOLERANCE
