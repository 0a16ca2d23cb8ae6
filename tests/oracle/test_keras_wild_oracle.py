"""Keras models as found in the wild (samples/wild/), loaded with the framework that wrote them
and run: a model inside TimeDistributed, nested wrappers, merges, a Bidirectional with its own
backward layer. What droplint reads from the file is what the loaded model holds and does."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import numpy as np
import pytest
from frameworks import RATE, TOLERANCE, both_kerases, saved  # noqa: F401  (fixture K)
from probes import run

from droplint.analysis import analyze_file

WILD = Path(__file__).resolve().parents[2] / "samples" / "wild"


def sample(K: ModuleType, stem: str) -> Path:
    return (
        WILD
        / ("tfkeras" if K.__name__.startswith("tf_keras") else "keras3")
        / (stem + (".h5" if K.__name__.startswith("tf_keras") else ".keras"))
    )


def load(K: ModuleType, path: Path):
    return K.models.load_model(path, compile=False)


def dropout_layers(K: ModuleType, layer, prefix: str = "") -> dict[str, tuple[str, float]]:
    """path -> (where, rate) of every dropout the loaded layer holds, wrappers and inner
    models included: Dropout-like layers by their rate, RNNs by dropout / recurrent_dropout."""
    path = prefix + layer.name
    found: dict[str, tuple[str, float]] = {}
    if isinstance(layer, K.Model):  # a model inside: its layers, under its name
        for sub in layer.layers:
            found |= dropout_layers(K, sub, f"{path}/")
    elif isinstance(layer, K.layers.TimeDistributed):
        found |= dropout_layers(K, layer.layer, f"{path}/")
    elif isinstance(layer, K.layers.Bidirectional):
        for direction in (layer.forward_layer, layer.backward_layer):
            found |= dropout_layers(K, direction, f"{path}/")
    elif isinstance(layer, K.layers.Dropout | K.layers.SpatialDropout2D) and layer.rate:
        found[path] = ("output", float(layer.rate))
    elif isinstance(layer, K.layers.RNN):
        for key, where in (("dropout", "gate-input"), ("recurrent_dropout", "gate-recurrent")):
            if getattr(layer, key, 0):
                found[f"{path}|{where}"] = (where, float(getattr(layer, key)))
    return found


def droplint_sites(path: Path) -> dict[str, tuple[str, float]]:
    report = analyze_file(path)
    assert report.error is None and report.internal is None
    return {
        (s.layer if s.where == "output" else f"{s.layer}|{s.where}"): (s.where, round(s.rate, 6))
        for s in report.sites
    }


@pytest.mark.parametrize(
    "stem", ["td_frame_model", "td_nested_wrappers", "merges", "bidi_backward_layer"]
)
def test_sites_are_the_loaded_models_dropouts(K: ModuleType, stem: str) -> None:
    """Every dropout of the loaded model, under the path droplint gives it (inner models of
    TimeDistributed, both directions of a Bidirectional named as the framework names them)."""
    path = sample(K, stem)
    model = load(K, path)
    real = {}
    for layer in model.layers:
        real |= dropout_layers(K, layer)
    assert droplint_sites(path) == {k: (w, round(r, 6)) for k, (w, r) in real.items()}


@pytest.mark.parametrize(
    "stem", ["td_frame_model", "td_nested_wrappers", "merges", "bidi_backward_layer"]
)
def test_random_in_training_only(K: ModuleType, stem: str) -> None:
    model = load(K, sample(K, stem))
    shape = (8, *model.input_shape[1:])
    x = np.random.default_rng(0).normal(size=shape).astype("float32")
    assert not np.allclose(run(model, x), run(model, x))
    assert np.allclose(run(model, x, training=False), run(model, x, training=False))


FRAME_CASES = [  # (what TimeDistributed wraps, frame shape): the mask is drawn per frame
    ("Dropout", {}, (5, 8)),
    ("Dropout", {"noise_shape": (None, 1, 8)}, (5, 8)),
    ("SpatialDropout1D", {}, (5, 8)),
    ("SpatialDropout2D", {}, (4, 4, 8)),
]


@pytest.mark.parametrize("as_model", [False, True], ids=["layer", "model"])
@pytest.mark.parametrize(("layer", "kwargs", "frame"), FRAME_CASES)
def test_masks_inside_time_distributed(
    K: ModuleType, tmp_path: Path, layer: str, kwargs: dict, frame: tuple, as_model: bool
) -> None:
    """TimeDistributed(dropout) and TimeDistributed(Sequential([dropout])): the axes the mask
    is shared along are the frame's, after the time axis; the time axis never shares it."""
    inner = getattr(K.layers, layer)(RATE, name="drop", **kwargs)
    if as_model:
        inner = K.Sequential([K.Input(frame), inner], name="frame")
    inp = K.Input((3, *frame), name="x")
    report = saved(K, K.Model(inp, K.layers.TimeDistributed(inner, name="td")(inp)), tmp_path)
    model = K.models.load_model(report.path, compile=False)
    zeros = np.abs(run(model, np.ones((64, 3, *frame), dtype="float32"))) < 1e-6
    (site,) = report.sites
    for axis in range(1, zeros.ndim):
        shared = bool((zeros == zeros.take([0], axis=axis)).all())
        assert shared is (axis in site.shared_axes), (axis, site.shared_axes)
    assert site.time_constant is False and 1 not in site.shared_axes
    assert abs(zeros.mean() - RATE) < 5 * TOLERANCE


def test_merges_keep_each_inputs_dropout(K: ModuleType) -> None:
    """Concatenate / Add of dropped branches: each input is dropped at its own rate (the parts
    droplint lists), the layer after them at least at the lowest; a Dropout after the
    Concatenate compounds with each part."""
    path = sample(K, "merges")
    model = load(K, path)
    for name in ("a", "b", "a2", "c"):  # every branch 1 before its dropout
        dense = model.get_layer(name)
        kernel, bias = dense.get_weights()
        dense.set_weights([np.zeros_like(kernel), np.ones_like(bias)])
    names = ["drop_a", "drop_b", "drop_a2", "drop_cat"]
    probe = K.Model(model.input, [model.get_layer(n).output for n in names])
    outs = probe(np.ones((4096, 8), dtype="float32"), training=True)
    zero = {n: float((np.abs(np.asarray(o)) < 1e-6).mean(axis=0).mean()) for n, o in
            zip(names, outs, strict=True)}  # fmt: skip
    cat_parts = (np.abs(np.asarray(outs[3])) < 1e-6).mean(axis=0)
    report = analyze_file(path)
    coverage = {c.layer: c for c in report.flow.coverage}
    for layer, inputs in (
        ("after_cat", ["drop_a", "drop_b"]),
        ("after_sum", ["drop_a", "drop_a2"]),
    ):
        parts = coverage[layer].parts
        assert [p.source for p in parts] == inputs
        for part, name in zip(parts, inputs, strict=True):
            assert abs(part.rate - zero[name]) < TOLERANCE
        assert coverage[layer].input_rate == min(p.rate for p in parts)
    assert [p.rate for p in coverage["after_mixed"].parts] == [0.2, 0.0]
    assert coverage["after_mixed"].input_rate == 0
    (drop_cat,) = [s for s in report.sites if s.layer == "drop_cat"]
    assert abs(cat_parts[:8].mean() - drop_cat.effective_rate) < TOLERANCE  # the a part
    assert coverage["after_stack"].input_rate == drop_cat.effective_rate


def test_bidirectional_backward_layer_names(K: ModuleType) -> None:
    path = sample(K, "bidi_backward_layer")
    bidi = load(K, path).get_layer("bidi")
    layers = {s.layer for s in analyze_file(path).sites}
    assert layers == {f"bidi/{bidi.forward_layer.name}", f"bidi/{bidi.backward_layer.name}"}


def test_legacy_savedmodel_is_the_model_tf_keras_loads() -> None:
    """A SavedModel written by TensorFlow 2.4 (no keras_metadata.pb): droplint reads the layer
    configs from saved_model.pb's object graph; tf-keras revives the same layers from it."""
    from frameworks import framework

    K = framework("tf_keras")
    path = WILD.parent / "legacy" / "tf-2.4.4" / "seed2_savedmodel"
    model = K.models.load_model(path, compile=False)
    real = {}
    for layer in model.layers:
        real |= dropout_layers(K, layer)
    assert droplint_sites(path) == {k: (w, round(r, 6)) for k, (w, r) in real.items()}
    x = np.ones((8, 10), dtype="int32")
    assert not np.allclose(run(model, x), run(model, x))
    report = analyze_file(path / "saved_model.pb")  # the file alone: its folder is read
    assert report.error is None and report.version == "2.4.0"
