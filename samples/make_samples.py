"""Build the droplint sample model files with the real frameworks.

Run from the repository root:

    python samples/make_samples.py                 # everything
    python samples/make_samples.py --only keras3   # samples/keras3/
    python samples/make_samples.py --only tfkeras  # samples/tfkeras/
    python samples/make_samples.py --only broken   # samples/broken/ (needs keras3+tfkeras)
    python samples/make_samples.py --only notmodels # samples/notmodels/: weights, data
    python samples/make_samples.py --only rules    # samples/rules/: per-rule hit/ok models
    python samples/make_samples.py --only expected # samples/rules/expected.json alone
    python samples/make_samples.py --only edited   # samples/broken/rate_as_text.keras alone
    python samples/make_samples.py --only wild     # samples/wild/: models as found in the wild
    python samples/make_samples.py --only hub      # samples/hub/: keras_hub models

Outputs are overwritten on every run. Weights are seeded, but Keras 3 ``.keras``
archives embed the save time (``metadata.json`` ``date_saved`` and zip entry
times) and SavedModel folders embed graph/fingerprint data, so those files are
not byte-identical across runs; configs and weights are.

A builder takes the Keras module (``keras`` or ``tf_keras``) and returns a model;
one built the same way for both frameworks is written once and listed in both
KERAS3_SAMPLES and TFKERAS_SAMPLES.

Nothing here is pickled. All Lambda layers (``double``, ``plus_one`` and the
``rules/*/dl003_hit_lambda`` ones) are stored as marshalled Python bytecode and
must never be executed by the linter.
"""

import argparse
import os
import random
import shutil
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

SEED = 1234
HERE = Path(__file__).resolve().parent
KERAS3_DIR = HERE / "keras3"
TFKERAS_DIR = HERE / "tfkeras"
BROKEN_DIR = HERE / "broken"
NOT_MODELS_DIR = HERE / "notmodels"

# keras module -> model; the module is keras (Keras 3) or tf_keras.
Builder = Callable[[Any], Any]


def _fresh_dir(path):
    """Remove and recreate an output directory so reruns leave no stale files."""
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)


def _report(path):
    path = Path(path)
    if path.is_dir():
        size = sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    else:
        size = path.stat().st_size
    print(f"  wrote {path.relative_to(HERE.parent)} ({size} bytes)")


def _write_samples(keras, out_dir: Path, samples: dict[str, Builder], suffix: str, **save_kwargs):
    """Save each sample as out_dir/<stem><suffix>; seed2 also in a second format (_more_seed2)."""
    _fresh_dir(out_dir)
    for stem, fn in samples.items():
        model = fn(keras)
        path = out_dir / f"{stem}{suffix}"
        model.save(path, **save_kwargs)
        _report(path)
        if stem == "seed2":
            _more_seed2(model, path)
        keras.backend.clear_session()


def _more_seed2(model, path: Path):
    """Keras 3: seed2.h5 (legacy HDF5 writer) and the .keras archive unzipped;
    tf-keras: a SavedModel."""
    if path.suffix == ".keras":
        h5 = path.with_suffix(".h5")
        model.save(h5)  # Keras 3 legacy HDF5 writer
        _report(h5)
        unzipped = path.with_name("seed2_dir")
        with zipfile.ZipFile(path) as zf:
            zf.extractall(unzipped)
        _report(unzipped)
    else:
        sm = path.with_name("seed2_savedmodel")
        model.save(sm, save_format="tf")
        _report(sm)


# ---------------------------------------------------------------------------
# Models built the same way by Keras 3 and tf-keras
# ---------------------------------------------------------------------------


def seed_model(keras, name: str, sizes: tuple[int, int, int] = (1000, 16, 32), **lstm_kwargs):
    """Sequential: int32 Input -> Embedding -> standalone Dropout(0.25) -> LSTM
    -> Dense(1, sigmoid). ``sizes`` is (vocabulary, embedding width, LSTM units);
    ``lstm_kwargs`` are the LSTM's own dropout settings."""
    vocabulary, width, units = sizes
    keras.utils.set_random_seed(SEED)
    L = keras.layers
    return keras.Sequential(
        [
            keras.Input((10,), dtype="int32", name="tokens"),
            L.Embedding(vocabulary, width, name="embedding"),
            L.Dropout(0.25, name="dropout"),
            L.LSTM(units, name="lstm", **lstm_kwargs),
            L.Dense(1, activation="sigmoid", name="dense"),
        ],
        name=name,
    )


def seed1(keras):
    """Standalone Dropout(0.25) between Embedding and a plain LSTM (no dropout /
    recurrent_dropout on the LSTM itself)."""
    return seed_model(keras, "seed1")


def seed2(keras):
    """seed1 plus LSTM(dropout=0.5, recurrent_dropout=0.5): input dropout on the
    LSTM in series with the standalone Dropout(0.25), and recurrent dropout
    (which disqualifies a tf-keras LSTM from the cuDNN kernel)."""
    return seed_model(keras, "seed2", dropout=0.5, recurrent_dropout=0.5)


def rnn_zoo(keras, time_distributed: bool = False):
    """Recurrent dropout in every RNN flavour: GRU (dropout 0.2, recurrent 0.3),
    SimpleRNN (0.1 / 0.1), Bidirectional(LSTM dropout 0.25, no recurrent),
    RNN(StackedRNNCells) with per-cell rates (LSTMCell dropout 0.1, GRUCell
    recurrent_dropout 0.2), and a side-branch LSTM with dropout 0.3 and NO
    recurrent dropout. ``time_distributed`` (the tf-keras sample) first adds
    TimeDistributed(Dense) then TimeDistributed(Dropout(0.2))."""
    keras.utils.set_random_seed(SEED)
    L = keras.layers
    seq = keras.Input((12, 6), name="seq")
    x = seq
    if time_distributed:
        x = L.TimeDistributed(L.Dense(4, name="td_dense_inner"), name="td_dense")(x)
        x = L.TimeDistributed(L.Dropout(0.2, name="td_drop_inner"), name="td_drop")(x)
    x = L.GRU(8, dropout=0.2, recurrent_dropout=0.3, return_sequences=True, name="gru")(x)
    x = L.SimpleRNN(
        8, dropout=0.1, recurrent_dropout=0.1, return_sequences=True, name="simple_rnn"
    )(x)
    x = L.Bidirectional(L.LSTM(4, dropout=0.25, return_sequences=True, name="lstm"), name="bidi")(x)
    x = L.RNN(
        L.StackedRNNCells(
            [
                L.LSTMCell(4, dropout=0.1, name="cell_a"),
                L.GRUCell(4, recurrent_dropout=0.2, name="cell_b"),
            ],
            name="stacked_cells",
        ),
        name="stacked",
    )(x)
    side = L.LSTM(4, dropout=0.3, name="lstm_nord")(seq)
    x = L.Concatenate(name="concat")([x, side])
    out = L.Dense(2, name="head")(x)
    return keras.Model(seq, out, name="rnn_zoo")


def convlstm(keras):
    """ConvLSTM2D with input dropout 0.2 and recurrent dropout 0.1."""
    keras.utils.set_random_seed(SEED)
    L = keras.layers
    frames = keras.Input((3, 8, 8, 2), name="frames")
    x = L.ConvLSTM2D(4, 3, padding="same", dropout=0.2, recurrent_dropout=0.1, name="convlstm")(
        frames
    )
    x = L.Flatten(name="flatten")(x)
    out = L.Dense(1, name="head")(x)
    return keras.Model(frames, out, name="convlstm")


def nested(keras):
    """Dropouts inside nested models: a nested Functional "inner" with
    TimeDistributed(Dropout(0.3)), and a nested Sequential "block" ending in
    Dropout(0.2) that is immediately followed (across the nested-model
    boundary) by the outer Dropout(0.1) "after_block" -- dropouts in series."""
    keras.utils.set_random_seed(SEED)
    L = keras.layers

    inner_in = keras.Input((5, 6), name="inner_x")
    t = L.TimeDistributed(L.Dense(4, name="td_dense_inner"), name="td_dense")(inner_in)
    t = L.TimeDistributed(L.Dropout(0.3, name="td_drop_inner"), name="td_drop")(t)
    inner = keras.Model(inner_in, t, name="inner")

    block = keras.Sequential(
        [
            keras.Input((20,), name="block_in"),
            L.Dense(8, name="block_dense"),
            L.Dropout(0.2, name="block_drop"),
        ],
        name="block",
    )

    x_in = keras.Input((5, 6), name="x")
    x = inner(x_in)
    x = L.Flatten(name="flatten")(x)
    x = block(x)
    x = L.Dropout(0.1, name="after_block")(x)
    out = L.Dense(1, name="head")(x)
    return keras.Model(x_in, out, name="outer")


def single_rnn(
    keras,
    name: str,
    kind: str = "LSTM",
    shape: tuple[int, int] = (12, 6),
    units: int = 8,
    **rnn_kwargs,
):
    """Input(shape, name="seq") -> one ``kind`` RNN layer (named ``kind.lower()``)
    with ``rnn_kwargs`` -> Dense(1)."""
    keras.utils.set_random_seed(SEED)
    L = keras.layers
    seq = keras.Input(shape, name="seq")
    x = getattr(L, kind)(units, name=kind.lower(), **rnn_kwargs)(seq)
    out = L.Dense(1, name="head")(x)
    return keras.Model(seq, out, name=name)


# ---------------------------------------------------------------------------
# Keras 3
# ---------------------------------------------------------------------------


def _keras3():
    import keras

    return keras


def k3_output_family(keras):
    """Every dropout-like layer and placement: SpatialDropout2D(0.2), Dropout
    with noise_shape (None, 1, 1, 1) (stochastic depth) on a residual branch,
    Dropout(0.1) right before BatchNormalization, GaussianDropout(0.3),
    AlphaDropout(0.1) after a selu Dense, two Dropouts in series separated
    only by a Reshape (d1 -> reshape -> d2), and a Dropout(0.1) applied to the
    softmax output as the model's final output."""
    keras.utils.set_random_seed(SEED)
    L = keras.layers
    image = keras.Input((16, 16, 3), name="image")
    x = L.Conv2D(4, 3, padding="same", name="conv1")(image)
    s = L.SpatialDropout2D(0.2, name="sdrop")(x)
    y = L.Conv2D(4, 3, padding="same", name="conv2")(s)
    y = L.Dropout(0.2, noise_shape=(None, 1, 1, 1), name="stoch_depth")(y)
    x = L.Add(name="residual")([y, s])
    x = L.Dropout(0.1, name="feat_drop")(x)
    x = L.BatchNormalization(name="bn")(x)
    x = L.GlobalAveragePooling2D(name="gap")(x)
    x = L.GaussianDropout(0.3, name="gauss")(x)
    x = L.Dense(8, activation="selu", name="fc")(x)
    x = L.AlphaDropout(0.1, name="alpha")(x)
    x = L.Dense(16, name="fc2")(x)
    x = L.Dropout(0.2, name="d1")(x)
    x = L.Reshape((4, 4), name="reshape")(x)
    x = L.Dropout(0.3, name="d2")(x)
    x = L.Flatten(name="flat")(x)
    x = L.Dense(3, activation="softmax", name="probs")(x)
    out = L.Dropout(0.1, name="out_drop")(x)
    return keras.Model(image, out, name="output_family")


def k3_attention(keras):
    """Attention-internal dropout: MultiHeadAttention(dropout 0.1) called with
    value= as a keyword tensor, Attention(dropout 0.2), AdditiveAttention
    (dropout 0.15), GroupedQueryAttention(dropout 0.05); then Monte-Carlo
    Dropout(0.3) called with training=True explicitly."""
    keras.utils.set_random_seed(SEED)
    L = keras.layers
    q = keras.Input((5, 8), name="q")
    v = keras.Input((7, 8), name="v")
    a = L.MultiHeadAttention(2, 4, dropout=0.1, name="mha")(q, value=v)
    b = L.Attention(dropout=0.2, name="dot_att")([q, v])
    c = L.AdditiveAttention(dropout=0.15, name="add_att")([q, v])
    # Keras 3 exports this as keras.layers.GroupQueryAttention (the Python class
    # is GroupedQueryAttention); the saved class_name is "GroupQueryAttention".
    d = L.GroupQueryAttention(
        head_dim=4, num_query_heads=2, num_key_value_heads=1, dropout=0.05, name="gqa"
    )(q, v)
    x = L.Concatenate(name="concat")([a, b, c, d])
    x = L.Dropout(0.3, name="mc_drop")(x, training=True)
    out = L.Dense(1, name="head")(x)
    return keras.Model([q, v], out, name="attention")


def k3_shared(keras):
    """One Dropout(0.4) layer and one Dense layer each called on two different
    inputs (a layer with two inbound nodes)."""
    keras.utils.set_random_seed(SEED)
    L = keras.layers
    a = keras.Input((8,), name="a")
    b = keras.Input((8,), name="b")
    drop = L.Dropout(0.4, name="shared_drop")
    dense = L.Dense(4, name="shared_dense")
    ya = dense(drop(a))
    yb = dense(drop(b))
    x = L.Add(name="add")([ya, yb])
    out = L.Dense(1, name="head")(x)
    return keras.Model([a, b], out, name="shared")


def _k3_noisy_block_class(keras):
    @keras.saving.register_keras_serializable(package="droplint_samples")
    class NoisyBlock(keras.layers.Layer):
        """Dense followed by keras.random.dropout(rate) during training."""

        def __init__(self, units, rate=0.0, **kwargs):
            super().__init__(**kwargs)
            self.units = units
            self.rate = rate
            self.dense = keras.layers.Dense(units, name="noisy_dense")
            self.seed_generator = keras.random.SeedGenerator(SEED)

        def build(self, input_shape):
            self.dense.build(input_shape)

        def call(self, inputs, training=None):
            x = self.dense(inputs)
            if training and self.rate > 0:
                x = keras.random.dropout(x, self.rate, seed=self.seed_generator)
            return x

        def compute_output_shape(self, input_shape):
            return (*tuple(input_shape[:-1]), self.units)

        def get_config(self):
            config = super().get_config()
            config.update({"units": self.units, "rate": self.rate})
            return config

    return NoisyBlock


def k3_custom(keras):
    """A registered custom layer (droplint_samples>NoisyBlock, config keys
    units/rate=0.3) whose dropout is hidden inside call(), plus a Lambda layer
    (marshalled bytecode) in the graph."""
    keras.utils.set_random_seed(SEED)
    L = keras.layers
    NoisyBlock = _k3_noisy_block_class(keras)
    inp = keras.Input((8,), name="inp")
    x = NoisyBlock(8, rate=0.3, name="noisy")(inp)
    x = L.Lambda(lambda t: t * 2.0, name="double")(x)
    out = L.Dense(1, name="head")(x)
    return keras.Model(inp, out, name="custom")


KERAS3_SAMPLES: dict[str, Builder] = {
    "seed1": seed1,
    "seed2": seed2,
    "rnn_zoo": rnn_zoo,
    "convlstm": convlstm,
    "nested": nested,
    "output_family": k3_output_family,
    "attention": k3_attention,
    "shared": k3_shared,
    "custom": k3_custom,
}


def build_keras3():
    keras = _keras3()
    print(f"Keras 3 ({keras.__version__}, backend {keras.backend.backend()}) -> {KERAS3_DIR}")
    _write_samples(keras, KERAS3_DIR, KERAS3_SAMPLES, ".keras")


# ---------------------------------------------------------------------------
# tf-keras 2.x
# ---------------------------------------------------------------------------


def _tfkeras():
    import tf_keras

    return tf_keras


def tk_lstm_cudnn(keras):
    """LSTM(dropout=0.3) with all-default settings (tanh/sigmoid, no recurrent
    dropout, unroll=False, use_bias=True): a cuDNN-eligible config where input
    dropout is still applied."""
    return single_rnn(keras, "lstm_cudnn", dropout=0.3)


def tk_lstm_relu_impl1(keras):
    """LSTM(dropout=0.3, activation="relu", implementation=1): not
    cuDNN-eligible; implementation 1 applies a separate dropout mask per gate."""
    return single_rnn(keras, "lstm_relu_impl1", dropout=0.3, activation="relu", implementation=1)


def tk_lstm_relu_impl2(keras):
    """LSTM(dropout=0.3, activation="relu", implementation=2): not
    cuDNN-eligible; implementation 2 shares one dropout mask across gates."""
    return single_rnn(keras, "lstm_relu_impl2", dropout=0.3, activation="relu", implementation=2)


def tk_gru_variants(keras):
    """Two GRUs with dropout 0.2: reset_after=False (not cuDNN-eligible) and the
    default reset_after=True (cuDNN-eligible)."""
    keras.utils.set_random_seed(SEED)
    L = keras.layers
    seq = keras.Input((12, 6), name="seq")
    x = L.GRU(8, dropout=0.2, reset_after=False, return_sequences=True, name="gru_noreset")(seq)
    x = L.GRU(8, dropout=0.2, name="gru_cudnn")(x)
    out = L.Dense(1, name="head")(x)
    return keras.Model(seq, out, name="gru_variants")


def tk_rnn_zoo(keras):
    """rnn_zoo with TimeDistributed(Dense) and TimeDistributed(Dropout(0.2)) first."""
    return rnn_zoo(keras, time_distributed=True)


def tk_mc_attention(keras):
    """tf-keras MultiHeadAttention(dropout 0.1) called with value= as a keyword
    tensor, followed by Monte-Carlo Dropout(0.3) called with training=True."""
    keras.utils.set_random_seed(SEED)
    L = keras.layers
    q = keras.Input((5, 8), name="q")
    v = keras.Input((7, 8), name="v")
    x = L.MultiHeadAttention(2, 4, dropout=0.1, name="mha")(q, value=v)
    x = L.Dropout(0.3, name="mc_drop")(x, training=True)
    out = L.Dense(1, name="head")(x)
    return keras.Model([q, v], out, name="mc_attention")


def tk_lambda_model(keras):
    """A Lambda layer (marshalled Python bytecode in the HDF5 config) directly
    before Dropout(0.2); the linter must read it without executing it."""
    keras.utils.set_random_seed(SEED)
    L = keras.layers
    inp = keras.Input((4,), name="inp")
    x = L.Dense(4, name="dense")(inp)
    x = L.Lambda(lambda t: t + 1.0, name="plus_one")(x)
    x = L.Dropout(0.2, name="drop")(x)
    out = L.Dense(1, name="head")(x)
    return keras.Model(inp, out, name="lambda_model")


TFKERAS_SAMPLES: dict[str, Builder] = {
    "seed1": seed1,
    "seed2": seed2,
    "lstm_cudnn": tk_lstm_cudnn,
    "lstm_relu_impl1": tk_lstm_relu_impl1,
    "lstm_relu_impl2": tk_lstm_relu_impl2,
    "gru_variants": tk_gru_variants,
    "rnn_zoo": tk_rnn_zoo,
    "convlstm": convlstm,
    "mc_attention": tk_mc_attention,
    "nested": nested,
    "lambda_model": tk_lambda_model,
}

# The per-framework names tests/test_api.py builds in memory.
k3_seed2 = tk_seed2 = seed2
k3_nested = tk_nested = nested
k3_rnn_zoo = rnn_zoo


def build_tfkeras():
    import warnings

    import tensorflow as tf

    tf.get_logger().setLevel("ERROR")
    warnings.filterwarnings("ignore", message=".*HDF5 file.*legacy.*")
    keras = _tfkeras()
    print(f"tf-keras ({keras.__version__}) -> {TFKERAS_DIR}")
    _write_samples(keras, TFKERAS_DIR, TFKERAS_SAMPLES, ".h5", save_format="h5")


# ---------------------------------------------------------------------------
# Deliberately broken files
# ---------------------------------------------------------------------------

_FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def _write_zip(path, members):
    """Write a zip with fixed timestamps (byte-reproducible)."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as zf:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=_FIXED_ZIP_TIME)
            zf.writestr(info, data)


def _truncate(src, dst, fraction=0.4):
    data = src.read_bytes()
    dst.write_bytes(data[: int(len(data) * fraction)])


def build_broken():
    """Broken inputs for error handling: empty file, random bytes, truncated
    zip/HDF5, zip without config.json, zip with invalid config.json."""
    print(f"broken -> {BROKEN_DIR}")
    k3_seed2_keras = KERAS3_DIR / "seed2.keras"
    tk_seed2_h5 = TFKERAS_DIR / "seed2.h5"
    missing = [p for p in (k3_seed2_keras, tk_seed2_h5) if not p.exists()]
    if missing:
        sys.exit(
            "broken samples need "
            + ", ".join(map(str, missing))
            + "; run with --only keras3 and --only tfkeras first"
        )
    _fresh_dir(BROKEN_DIR)

    p = BROKEN_DIR / "empty.keras"
    p.write_bytes(b"")
    _report(p)

    p = BROKEN_DIR / "random.h5"
    p.write_bytes(random.Random(SEED).randbytes(4096))
    _report(p)

    p = BROKEN_DIR / "truncated.keras"
    _truncate(k3_seed2_keras, p)
    _report(p)

    p = BROKEN_DIR / "truncated.h5"
    _truncate(tk_seed2_h5, p)
    _report(p)

    import keras  # only for the version string in the metadata below

    metadata = f'{{"keras_version": "{keras.__version__}", "date_saved": "2025-01-01@00:00:00"}}'
    p = BROKEN_DIR / "no_config.keras"
    _write_zip(p, [("metadata.json", metadata)])
    _report(p)

    p = BROKEN_DIR / "bad_json.keras"
    _write_zip(
        p,
        [("metadata.json", metadata), ("config.json", '{"class_name": "Functional", "config": {')],
    )
    _report(p)


def build_not_models():
    """Files with a model's suffix that hold no model: weights written by tf-keras and Keras 3
    (save_weights, a ModelCheckpoint of weights) and an HDF5 file of data. droplint skips the
    weights (nothing to lint) and reports the data file as DL001."""
    import h5py
    import numpy as np

    def tiny(keras):
        return keras.Sequential(
            [keras.Input((4,)), keras.layers.Dropout(0.5), keras.layers.Dense(1)], name="tiny"
        )

    print(f"notmodels -> {NOT_MODELS_DIR}")
    _fresh_dir(NOT_MODELS_DIR)
    tf_keras = _tfkeras()
    p = NOT_MODELS_DIR / "tfkeras_save_weights.h5"
    tiny(tf_keras).save_weights(p)
    _report(p)
    tf_keras.backend.clear_session()
    keras = _keras3()
    model = tiny(keras)
    p = NOT_MODELS_DIR / "keras3_save_weights.weights.h5"
    model.save_weights(p)
    _report(p)
    p = NOT_MODELS_DIR / "keras3_checkpoint.weights.h5"
    model.compile(loss="mse")
    save = keras.callbacks.ModelCheckpoint(str(p), save_weights_only=True)
    model.fit(np.ones((4, 4)), np.zeros((4, 1)), epochs=1, verbose=0, callbacks=[save])
    _report(p)
    keras.backend.clear_session()
    p = NOT_MODELS_DIR / "h5py_data.h5"
    with h5py.File(p, "w") as f:
        f["x"] = np.arange(10.0)
    _report(p)


# ---------------------------------------------------------------------------
# Per-rule samples: one model that triggers each rule, one near miss that must not
# ---------------------------------------------------------------------------

RULES_DIR = HERE / "rules"
K3 = "keras3"
TK = "tfkeras"
BOTH = (K3, TK)


def _chain(keras, name, layers, shape=(8,), dtype="float32"):
    """Functional model Input(shape, name="inp") -> layers... in a straight line."""
    inp = keras.Input(shape, dtype=dtype, name="inp")
    x = inp
    for layer in layers:
        x = layer(x)
    return keras.Model(inp, x, name=name)


def _fc_drop_head(keras, name: str, rate: float, drop: str = "drop"):
    """Input((8,)) -> Dense(8, "fc") -> Dropout(rate, name=drop) -> Dense(1, "head")."""
    L = keras.layers
    layers = [L.Dense(8, name="fc"), L.Dropout(rate, name=drop), L.Dense(1, name="head")]
    return _chain(keras, name, layers)


def _k3_rule_layer_classes(keras):
    """Registered custom layers for DL002: one with dropout-like config keys,
    one without."""

    @keras.saving.register_keras_serializable(package="droplint_samples")
    class AttentionDropoutBlock(keras.layers.Layer):
        """Softmax gate over the features; attention_dropout on the gate and
        rate on the output, both only in training."""

        def __init__(self, units, attention_dropout=0.0, rate=0.0, **kwargs):
            super().__init__(**kwargs)
            self.units = units
            self.attention_dropout = attention_dropout
            self.rate = rate
            self.score = keras.layers.Dense(units, name="score")
            self.value = keras.layers.Dense(units, name="value")
            self.seed_generator = keras.random.SeedGenerator(SEED)

        def build(self, input_shape):
            self.score.build(input_shape)
            self.value.build(input_shape)

        def call(self, inputs, training=None):
            gate = keras.ops.softmax(self.score(inputs))
            if training and self.attention_dropout > 0:
                gate = keras.random.dropout(gate, self.attention_dropout, seed=self.seed_generator)
            x = gate * self.value(inputs)
            if training and self.rate > 0:
                x = keras.random.dropout(x, self.rate, seed=self.seed_generator)
            return x

        def compute_output_shape(self, input_shape):
            return (*tuple(input_shape[:-1]), self.units)

        def get_config(self):
            config = super().get_config()
            config["units"] = self.units
            config["attention_dropout"] = self.attention_dropout
            config["rate"] = self.rate
            return config

    @keras.saving.register_keras_serializable(package="droplint_samples")
    class PlainBlock(keras.layers.Layer):
        """Dense with a tanh; no dropout anywhere and no dropout-like config key."""

        def __init__(self, units, **kwargs):
            super().__init__(**kwargs)
            self.units = units
            self.dense = keras.layers.Dense(units, activation="tanh", name="plain_dense")

        def build(self, input_shape):
            self.dense.build(input_shape)

        def call(self, inputs):
            return self.dense(inputs)

        def compute_output_shape(self, input_shape):
            return (*tuple(input_shape[:-1]), self.units)

        def get_config(self):
            config = super().get_config()
            config.update({"units": self.units})
            return config

    return AttentionDropoutBlock, PlainBlock


def _k3_drop_path_block(keras):
    """A registered residual block in timm's naming: drop_path_rate drops the whole branch per
    sample (stochastic depth), attn_drop drops its softmax gate; decay_rate is no dropout."""

    @keras.saving.register_keras_serializable(package="droplint_samples")
    class DropPathBlock(keras.layers.Layer):
        def __init__(self, units, drop_path_rate=0.0, attn_drop=0.0, decay_rate=0.99, **kwargs):
            super().__init__(**kwargs)
            self.units, self.decay_rate = units, decay_rate
            self.drop_path_rate, self.attn_drop = drop_path_rate, attn_drop
            self.score = keras.layers.Dense(units, name="score")
            self.seed_generator = keras.random.SeedGenerator(SEED)

        def build(self, input_shape):
            self.score.build(input_shape)

        def call(self, inputs, training=None):
            gate = keras.ops.softmax(self.score(inputs))
            if training and self.attn_drop > 0:
                gate = keras.random.dropout(gate, self.attn_drop, seed=self.seed_generator)
            branch = gate * inputs
            if training and self.drop_path_rate > 0:
                shape = (keras.ops.shape(inputs)[0],) + (1,) * (len(inputs.shape) - 1)
                branch = keras.random.dropout(
                    branch, self.drop_path_rate, noise_shape=shape, seed=self.seed_generator
                )
            return inputs + branch

        def get_config(self):
            config = super().get_config()
            config.update({"units": self.units, "drop_path_rate": self.drop_path_rate,
                           "attn_drop": self.attn_drop, "decay_rate": self.decay_rate})  # fmt: skip
            return config

    return DropPathBlock


# --- DL002 opaque-layer -----------------------------------------------------


def dl002_hit_custom_dropout_keys(keras):
    """Custom layer droplint_samples>AttentionDropoutBlock with config
    attention_dropout=0.2 and rate=0.1 (dropout the linter cannot see into)."""
    AttentionDropoutBlock, _ = _k3_rule_layer_classes(keras)
    block = AttentionDropoutBlock(8, attention_dropout=0.2, rate=0.1, name="attn_block")
    head = keras.layers.Dense(1, name="head")
    return _chain(keras, "dl002_hit_custom_dropout_keys", [block, head])


def dl002_ok_custom_units_only(keras):
    """Custom layer droplint_samples>PlainBlock whose config has only units."""
    _, PlainBlock = _k3_rule_layer_classes(keras)
    head = keras.layers.Dense(1, name="head")
    return _chain(keras, "dl002_ok_custom_units_only", [PlainBlock(8, name="plain_block"), head])


def dl002_hit_drop_path_names(keras):
    """Custom layer droplint_samples>DropPathBlock(drop_path_rate=0.1, attn_drop=0.2,
    decay_rate=0.99): dropout settings named as timm names them."""
    block = _k3_drop_path_block(keras)(8, drop_path_rate=0.1, attn_drop=0.2, name="path_block")
    return _chain(keras, "dl002_hit_drop_path_names", [block, keras.layers.Dense(1, name="head")])


def dl002_ok_drop_path_off(keras):
    """DropPathBlock with its dropout off and only decay_rate=0.5 set: a *_rate that is no
    dropout setting."""
    block = _k3_drop_path_block(keras)(8, decay_rate=0.5, name="path_block")
    return _chain(keras, "dl002_ok_drop_path_off", [block, keras.layers.Dense(1, name="head")])


def dl002_hit_unseen_branch_merged(keras):
    """Input((8,)) -> [DropPathBlock(attn_drop=0.2) "path_block", Dense(8) "fc"] -> Add "merge"
    -> Dense(1) "head": the head's input is partly made by a layer droplint cannot see into."""
    L = keras.layers
    inp = keras.Input((8,), name="inp")
    block = _k3_drop_path_block(keras)(8, attn_drop=0.2, name="path_block")(inp)
    x = L.Add(name="merge")([block, L.Dense(8, name="fc")(inp)])
    return keras.Model(inp, L.Dense(1, name="head")(x), name="dl002_hit_unseen_branch_merged")


def dl002_hit_tf_nn_dropout(keras):
    """tf-keras: Dense "fc" -> tf.nn.dropout(x, rate=0.5) -> Dense "head". tf-keras saves the
    call as a TFOpLambda layer "tf.nn.dropout"; it drops in training and at inference alike."""
    import tensorflow as tf

    L = keras.layers
    inp = keras.Input((8,), name="inp")
    x = tf.nn.dropout(L.Dense(8, name="fc")(inp), rate=0.5)
    return keras.Model(inp, L.Dense(1, name="head")(x), name="dl002_hit_tf_nn_dropout")


def dl002_hit_other_stochastic_depth(keras):
    """tf-keras: a layer of one's own named StochasticDepth, as keras_cv's: it takes
    [shortcut, residual] and drops the residual with `rate` 0.2. Not keras.applications'."""

    class StochasticDepth(keras.layers.Layer):
        def __init__(self, rate=0.5, **kwargs):
            super().__init__(**kwargs)
            self.rate = rate

        def call(self, inputs, training=None):
            shortcut, residual = inputs
            if training:
                keep = keras.backend.random_bernoulli((), 1 - self.rate)
                return shortcut + keep * residual
            return shortcut + (1 - self.rate) * residual

        def get_config(self):
            return {**super().get_config(), "rate": self.rate}

    L = keras.layers
    inp = keras.Input((8,), name="inp")
    x = StochasticDepth(0.2, name="sd")([inp, L.Dense(8, name="fc")(inp)])
    return keras.Model(inp, L.Dense(1, name="head")(x), name="dl002_hit_other_stochastic_depth")


def dl002_hit_unmodelled_hub_backbone(keras):
    """keras_hub FNetBackbone (tiny, built from scratch, no download): a whole model
    saved as one registered class keras_hub>FNetBackbone with dropout=0.1, of a family
    droplint's keras_hub table does not model."""
    import keras_hub

    return keras_hub.models.FNetBackbone(
        vocabulary_size=50,
        num_layers=1,
        hidden_dim=8,
        intermediate_dim=16,
        dropout=0.1,
        max_sequence_length=16,
        name="fnet_backbone",
    )


def dl002_ok_transformer_encoder(keras):
    """Functional model with a keras_hub TransformerEncoder(dropout=0.1) layer
    between Input((6, 8)) and Dense(1)."""
    import keras_hub

    encoder = keras_hub.layers.TransformerEncoder(
        intermediate_dim=16, num_heads=2, dropout=0.1, name="encoder"
    )
    head = keras.layers.Dense(1, name="head")
    return _chain(keras, "dl002_ok_transformer_encoder", [encoder, head], shape=(6, 8))


def dl002_ok_transformer_decoder(keras):
    """Functional model with a keras_hub TransformerDecoder(dropout=0.15) called on one
    sequence (self-attention only) between Input((6, 8)) and Dense(1)."""
    import keras_hub

    decoder = keras_hub.layers.TransformerDecoder(
        intermediate_dim=16, num_heads=2, dropout=0.15, name="decoder"
    )
    head = keras.layers.Dense(1, name="head")
    return _chain(keras, "dl002_ok_transformer_decoder", [decoder, head], shape=(6, 8))


def dl002_hit_transformer_decoder_cross(keras):
    """A keras_hub TransformerDecoder(dropout=0.15) called with an encoder sequence too: its
    cross-attention block is not in droplint's table, so the layer is one it cannot see into."""
    import keras_hub

    L = keras.layers
    target, source = keras.Input((6, 8), name="target"), keras.Input((5, 8), name="source")
    decoder = keras_hub.layers.TransformerDecoder(
        intermediate_dim=16, num_heads=2, dropout=0.15, name="decoder"
    )
    out = L.Dense(1, name="head")(decoder(target, source))
    return keras.Model([target, source], out, name="dl002_hit_transformer_decoder_cross")


# --- DL003 executable-layer -------------------------------------------------


def dl003_hit_lambda(keras):
    """Lambda(lambda t: t * 2, name="double") stored as marshalled bytecode."""
    L = keras.layers
    # Not `t * 2.0`: CPython would share that lambda's constant tuple with the one
    # in k3_custom, which flips a marshal ref flag inside keras3/custom.keras.
    layers = [
        L.Dense(8, name="fc"),
        L.Lambda(lambda t: t * 2, name="double"),
        L.Dense(1, name="head"),
    ]
    return _chain(keras, "dl003_hit_lambda", layers)


def dl003_ok_no_lambda(keras):
    """dl003_hit_lambda without the Lambda."""
    L = keras.layers
    return _chain(keras, "dl003_ok_no_lambda", [L.Dense(8, name="fc"), L.Dense(1, name="head")])


# --- DL201 dropout-before-batchnorm -----------------------------------------


def dl201_hit_dense_drop_bn(keras):
    """Dense(8) -> Dropout(0.3) -> BatchNormalization -> Dense(1)."""
    L = keras.layers
    layers = [
        L.Dense(8, name="fc"),
        L.Dropout(0.3, name="drop"),
        L.BatchNormalization(name="bn"),
        L.Dense(1, name="head"),
    ]
    return _chain(keras, "dl201_hit_dense_drop_bn", layers)


def dl201_hit_conv_drop_relu_bn(keras):
    """Conv2D -> Dropout(0.3) -> Activation(relu) -> BatchNormalization: the
    activation between them does not break the pattern (also a DL205 hit)."""
    L = keras.layers
    layers = [
        L.Conv2D(4, 3, name="conv"),
        L.Dropout(0.3, name="drop"),
        L.Activation("relu", name="relu"),
        L.BatchNormalization(name="bn"),
        L.Flatten(name="flat"),
        L.Dense(1, name="head"),
    ]
    return _chain(keras, "dl201_hit_conv_drop_relu_bn", layers, shape=(8, 8, 3))


def dl201_ok_drop_add_conv_bn(keras):
    """Stochastic-depth Dropout(0.2, noise_shape=(None, 1, 1, 1)) -> Add with
    the skip branch -> Conv2D -> BatchNormalization: a Conv2D sits between."""
    L = keras.layers
    image = keras.Input((8, 8, 3), name="image")
    skip = L.Conv2D(4, 3, padding="same", name="conv1")(image)
    y = L.Conv2D(4, 3, padding="same", name="conv2")(skip)
    y = L.Dropout(0.2, noise_shape=(None, 1, 1, 1), name="drop")(y)
    x = L.Add(name="residual")([skip, y])
    x = L.Conv2D(4, 3, padding="same", name="conv3")(x)
    x = L.BatchNormalization(name="bn")(x)
    x = L.GlobalAveragePooling2D(name="gap")(x)
    out = L.Dense(1, name="head")(x)
    return keras.Model(image, out, name="dl201_ok_drop_add_conv_bn")


def dl201_ok_dense_bn_drop(keras):
    """Dense(8) -> BatchNormalization -> Dropout(0.3) -> Dense(1): the right order."""
    L = keras.layers
    layers = [
        L.Dense(8, name="fc"),
        L.BatchNormalization(name="bn"),
        L.Dropout(0.3, name="drop"),
        L.Dense(1, name="head"),
    ]
    return _chain(keras, "dl201_ok_dense_bn_drop", layers)


# --- DL202 dropout-on-model-output ------------------------------------------


def dl202_hit_softmax_output_drop(keras):
    """Dense(3, softmax) -> Dropout(0.1) as the model output."""
    L = keras.layers
    layers = [
        L.Dense(8, name="fc"),
        L.Dense(3, activation="softmax", name="probs"),
        L.Dropout(0.1, name="out_drop"),
    ]
    return _chain(keras, "dl202_hit_softmax_output_drop", layers)


def dl202_hit_logits_drop_sigmoid(keras):
    """Dense(4) logits -> Dropout(0.2) -> Activation(sigmoid) as the output:
    only a parameter-free activation follows the dropout."""
    L = keras.layers
    layers = [
        L.Dense(8, name="fc"),
        L.Dense(4, name="logits"),
        L.Dropout(0.2, name="out_drop"),
        L.Activation("sigmoid", name="sigmoid"),
    ]
    return _chain(keras, "dl202_hit_logits_drop_sigmoid", layers)


def dl202_hit_softmax_drop_dense(keras):
    """Dropout(0.1) directly on a softmax Dense(3) that is not the model output
    (a Dense(2) follows)."""
    L = keras.layers
    layers = [
        L.Dense(8, name="fc"),
        L.Dense(3, activation="softmax", name="probs"),
        L.Dropout(0.1, name="probs_drop"),
        L.Dense(2, name="head"),
    ]
    return _chain(keras, "dl202_hit_softmax_drop_dense", layers)


def dl202_ok_hidden_drop(keras):
    """Dense(8) -> Dropout(0.3) -> Dense(1) output: dropout on a hidden layer."""
    return _fc_drop_head(keras, "dl202_ok_hidden_drop", 0.3)


# --- DL203 dropout-on-integer-input -----------------------------------------


def dl203_hit_int_input_drop(keras):
    """Dropout(0.2) directly on an int32 token Input, before Embedding(50, 4)."""
    L = keras.layers
    layers = [
        L.Dropout(0.2, name="drop"),
        L.Embedding(50, 4, name="embedding"),
        L.Flatten(name="flat"),
        L.Dense(1, name="head"),
    ]
    return _chain(keras, "dl203_hit_int_input_drop", layers, shape=(10,), dtype="int32")


def dl203_ok_embedding_drop(keras):
    """int32 Input -> Embedding(50, 4) -> Dropout(0.2): dropout on float embeddings."""
    L = keras.layers
    layers = [
        L.Embedding(50, 4, name="embedding"),
        L.Dropout(0.2, name="drop"),
        L.Flatten(name="flat"),
        L.Dense(1, name="head"),
    ]
    return _chain(keras, "dl203_ok_embedding_drop", layers, shape=(10,), dtype="int32")


# --- DL204 per-timestep-dropout-before-rnn ----------------------------------


def dl204_hit_drop_lstm(keras):
    """Input((10, 4)) -> element-wise Dropout(0.3) -> LSTM(4)."""
    L = keras.layers
    layers = [L.Dropout(0.3, name="drop"), L.LSTM(4, name="lstm"), L.Dense(1, name="head")]
    return _chain(keras, "dl204_hit_drop_lstm", layers, shape=(10, 4))


def dl204_ok_spatial_drop_lstm(keras):
    """Input((10, 4)) -> SpatialDropout1D(0.3) -> LSTM(4): same mask every step."""
    L = keras.layers
    layers = [
        L.SpatialDropout1D(0.3, name="sdrop"),
        L.LSTM(4, name="lstm"),
        L.Dense(1, name="head"),
    ]
    return _chain(keras, "dl204_ok_spatial_drop_lstm", layers, shape=(10, 4))


def dl204_ok_noise_shape_drop_gru(keras):
    """Input((10, 4)) -> Dropout(0.3, noise_shape=(None, 1, 4)) -> GRU(4):
    the mask is broadcast over time."""
    L = keras.layers
    layers = [
        L.Dropout(0.3, noise_shape=(None, 1, 4), name="drop"),
        L.GRU(4, name="gru"),
        L.Dense(1, name="head"),
    ]
    return _chain(keras, "dl204_ok_noise_shape_drop_gru", layers, shape=(10, 4))


# --- DL205 elementwise-dropout-on-feature-maps ------------------------------


def dl101_ok_dropout_then_drop_path(keras):
    """timm's ViT block in Keras: Dense "proj" -> Dropout(0.3) "proj_drop" -> Dropout(0.1,
    noise_shape=(None, 1)) "drop_path" -> Add with the block's input -> Dense "head". The
    second is stochastic depth (one draw per sample), not a second elementwise dropout."""
    L = keras.layers
    inp = keras.Input((8,), name="inp")
    x = L.Dropout(0.3, name="proj_drop")(L.Dense(8, name="proj")(inp))
    x = L.Dropout(0.1, noise_shape=(None, 1), name="drop_path")(x)
    out = L.Dense(1, name="head")(L.Add(name="residual")([inp, x]))
    return keras.Model(inp, out, name="dl101_ok_dropout_then_drop_path")


def dl101_hit_tf_ops(keras):
    """tf-keras, TensorFlow functions called on tensors between layers (saved as TFOpLambda):
    Dropout "d1" -> tf.nn.relu -> Dropout "d2" (stacked), Dense, Dropout "d3" -> tf.nn.relu ->
    BatchNormalization "bn", Dense, Dropout "d_out" -> tf.math.sigmoid as the output."""
    import tensorflow as tf

    L = keras.layers
    inp = keras.Input((8,), name="inp")
    a = L.Dropout(0.3, name="d2")(tf.nn.relu(L.Dropout(0.3, name="d1")(L.Dense(8)(inp))))
    b = L.Dropout(0.2, name="d3")(L.Dense(8, name="dense_a")(a))
    b = L.Dense(8, name="dense_b")(L.BatchNormalization(name="bn")(tf.nn.relu(b)))
    out = tf.math.sigmoid(L.Dropout(0.1, name="d_out")(b))
    return keras.Model(inp, out, name="dl101_hit_tf_ops")


def dl101_hit_keras_ops(keras):
    """Keras 3, ops called on tensors between layers (saved as nodes of class Relu, Sigmoid):
    Dropout "d1" -> keras.ops.relu -> Dropout "d2" (stacked), Dense, Dropout "d3" ->
    keras.ops.relu -> BatchNormalization "bn", Dense, Dropout "d_out" -> keras.ops.sigmoid."""
    L, ops = keras.layers, keras.ops
    inp = keras.Input((8,), name="inp")
    a = L.Dropout(0.3, name="d2")(ops.relu(L.Dropout(0.3, name="d1")(L.Dense(8)(inp))))
    b = L.Dropout(0.2, name="d3")(L.Dense(8, name="dense_a")(a))
    b = L.Dense(8, name="dense_b")(L.BatchNormalization(name="bn")(ops.relu(b)))
    out = ops.sigmoid(L.Dropout(0.1, name="d_out")(b))
    return keras.Model(inp, out, name="dl101_hit_keras_ops")


def dl101_ok_tf_add_of_dropouts(keras):
    """tf-keras: Dense "fa" -> Dropout(0.3) "da" and Dense "fb" -> Dropout(0.2) "db", summed
    with `+` (a TFOpLambda __operators__.add), then Dense "head": each summand is dropped."""
    L = keras.layers
    inp = keras.Input((8,), name="inp")
    a = L.Dropout(0.3, name="da")(L.Dense(8, name="fa")(inp))
    b = L.Dropout(0.2, name="db")(L.Dense(8, name="fb")(inp))
    return keras.Model(inp, L.Dense(1, name="head")(a + b), name="dl101_ok_tf_add_of_dropouts")


def dl101_ok_stochastic_depth_layer(keras):
    """keras.applications' own StochasticDepth (ConvNeXt's drop path), used in a residual
    block: Conv2D 1x1 "conv" -> StochasticDepth(0.1) "sd" -> Add with the input -> Flatten ->
    Dense "head". One keep-or-drop draw per sample."""
    if keras.__name__.startswith("tf_keras"):
        from tf_keras.src.applications.convnext import StochasticDepth
    else:
        from keras.src.applications.convnext import StochasticDepth
    L = keras.layers
    inp = keras.Input((4, 4, 3), name="inp")
    branch = StochasticDepth(0.1, name="sd")(L.Conv2D(3, 1, name="conv")(inp))
    x = L.Flatten(name="flat")(L.Add(name="residual")([inp, branch]))
    return keras.Model(inp, L.Dense(1, name="head")(x), name="dl101_ok_stochastic_depth_layer")


def dl205_hit_conv_drop_conv(keras):
    """Conv2D -> element-wise Dropout(0.3) -> Conv2D on 8x8 feature maps."""
    L = keras.layers
    layers = [
        L.Conv2D(4, 3, name="conv1"),
        L.Dropout(0.3, name="drop"),
        L.Conv2D(4, 3, name="conv2"),
        L.GlobalAveragePooling2D(name="gap"),
        L.Dense(1, name="head"),
    ]
    return _chain(keras, "dl205_hit_conv_drop_conv", layers, shape=(8, 8, 3))


def dl205_ok_spatial_drop(keras):
    """Conv2D -> SpatialDropout2D(0.3) -> Conv2D: whole channels are dropped."""
    L = keras.layers
    layers = [
        L.Conv2D(4, 3, name="conv1"),
        L.SpatialDropout2D(0.3, name="sdrop"),
        L.Conv2D(4, 3, name="conv2"),
        L.GlobalAveragePooling2D(name="gap"),
        L.Dense(1, name="head"),
    ]
    return _chain(keras, "dl205_ok_spatial_drop", layers, shape=(8, 8, 3))


def dl205_ok_one_by_one_maps(keras):
    """MobileNet's head: Conv2D -> GlobalAveragePooling2D(keepdims=True) -> Dropout(0.3) ->
    Conv2D 1x1 on 1x1 feature maps, whose only pixel has no neighbours."""
    L = keras.layers
    layers = [
        L.Conv2D(4, 3, name="conv1"),
        L.GlobalAveragePooling2D(keepdims=True, name="gap"),
        L.Dropout(0.3, name="drop"),
        L.Conv2D(2, 1, name="head"),
    ]
    return _chain(keras, "dl205_ok_one_by_one_maps", layers, shape=(8, 8, 3))


def dl205_ok_after_1x1_conv(keras):
    """MobileNetV3's head: GlobalAveragePooling2D(keepdims=True) -> Conv2D 1x1 -> Dropout(0.2)
    -> Conv2D 1x1: the Dropout sees 1x1 maps (a 1x1 convolution keeps their size)."""
    L = keras.layers
    layers = [
        L.Conv2D(4, 3, name="conv1"),
        L.GlobalAveragePooling2D(keepdims=True, name="gap"),
        L.Conv2D(8, 1, name="expand"),
        L.Dropout(0.2, name="drop"),
        L.Conv2D(2, 1, name="head"),
    ]
    return _chain(keras, "dl205_ok_after_1x1_conv", layers, shape=(8, 8, 3))


def dl205_ok_stochastic_depth(keras):
    """Conv2D branch -> Dropout(0.2, noise_shape=(None, 1, 1, 1)) -> Add with
    the skip: per-sample stochastic depth, not element-wise."""
    L = keras.layers
    image = keras.Input((8, 8, 3), name="image")
    skip = L.Conv2D(4, 3, padding="same", name="conv1")(image)
    y = L.Conv2D(4, 3, padding="same", name="conv2")(skip)
    y = L.Dropout(0.2, noise_shape=(None, 1, 1, 1), name="drop")(y)
    x = L.Add(name="residual")([skip, y])
    x = L.GlobalAveragePooling2D(name="gap")(x)
    out = L.Dense(1, name="head")(x)
    return keras.Model(image, out, name="dl205_ok_stochastic_depth")


# --- DL301 zero-rate-dropout ------------------------------------------------


def dl301_hit_zero_rate(keras):
    """Dense -> Dropout(0.0) -> Dense: a dropout that never drops."""
    return _fc_drop_head(keras, "dl301_hit_zero_rate", 0.0, "noop")


def dl301_ok_rate_0_1(keras):
    """Dense -> Dropout(0.1) -> Dense."""
    return _fc_drop_head(keras, "dl301_ok_rate_0_1", 0.1)


# --- DL302 high-dropout-rate ------------------------------------------------


def dl302_hit_dropout_0_7(keras):
    """Dense -> Dropout(0.7) -> Dense."""
    return _fc_drop_head(keras, "dl302_hit_dropout_0_7", 0.7, "heavy")


def dl302_hit_lstm_recurrent_0_6(keras):
    """LSTM(4, recurrent_dropout=0.6) on Input((6, 4))."""
    L = keras.layers
    layers = [L.LSTM(4, recurrent_dropout=0.6, name="lstm"), L.Dense(1, name="head")]
    return _chain(keras, "dl302_hit_lstm_recurrent_0_6", layers, shape=(6, 4))


def dl302_hit_mha_0_6(keras):
    """MultiHeadAttention(2 heads, key_dim 4, dropout=0.6) self-attention."""
    L = keras.layers
    q = keras.Input((5, 8), name="q")
    x = L.MultiHeadAttention(2, 4, dropout=0.6, name="mha")(q, q)
    x = L.GlobalAveragePooling1D(name="gap")(x)
    out = L.Dense(1, name="head")(x)
    return keras.Model(q, out, name="dl302_hit_mha_0_6")


def dl302_ok_dropout_0_5(keras):
    """Dense -> Dropout(0.5) -> Dense: exactly at the threshold, not above it."""
    return _fc_drop_head(keras, "dl302_ok_dropout_0_5", 0.5, "half")


# --- DL303 invalid-dropout-rate ---------------------------------------------


def dl303_hit_lstm_dropout_1_0(keras):
    """LSTM(4, dropout=1.0) on Input((6, 4)): every input is dropped."""
    L = keras.layers
    return _chain(
        keras, "dl303_hit_lstm_dropout_1_0", [L.LSTM(4, dropout=1.0, name="lstm")], shape=(6, 4)
    )


def dl303_hit_dropout_1_0(keras):
    """Dense -> Dropout(1.0) -> Dense: everything is dropped in training."""
    return _fc_drop_head(keras, "dl303_hit_dropout_1_0", 1.0, "all")


def dl303_hit_noise_shape_mismatch(keras):
    """Input((10, 8)) -> Dropout(0.2, noise_shape=(None, 3, 8)): 3 neither
    equals 10 nor is 1, so the mask cannot broadcast."""
    L = keras.layers
    layers = [
        L.Dropout(0.2, noise_shape=(None, 3, 8), name="bad_ns"),
        L.Flatten(name="flat"),
        L.Dense(1, name="head"),
    ]
    return _chain(keras, "dl303_hit_noise_shape_mismatch", layers, shape=(10, 8))


def dl303_ok_noise_shape_broadcast(keras):
    """Input((10, 8)) -> Dropout(0.2, noise_shape=(None, 1, 8)): broadcasts over time."""
    L = keras.layers
    layers = [
        L.Dropout(0.2, noise_shape=(None, 1, 8), name="ns"),
        L.Flatten(name="flat"),
        L.Dense(1, name="head"),
    ]
    return _chain(keras, "dl303_ok_noise_shape_broadcast", layers, shape=(10, 8))


# --- DL504 training-flag-forced ---------------------------------------------


def dl504_hit_training_true(keras):
    """Dense -> Dropout(0.3) called with training=True (Monte-Carlo dropout) -> Dense."""
    L = keras.layers
    inp = keras.Input((8,), name="inp")
    x = L.Dense(8, name="fc")(inp)
    x = L.Dropout(0.3, name="mc")(x, training=True)
    out = L.Dense(1, name="head")(x)
    return keras.Model(inp, out, name="dl504_hit_training_true")


def dl504_ok_no_training_flag(keras):
    """dl504_hit_training_true called without training= (Keras 3 itself stores
    training=False in the node)."""
    return _fc_drop_head(keras, "dl504_ok_no_training_flag", 0.3, "mc")


# --- DL601 no-dropout -------------------------------------------------------


def dl601_hit_no_dropout(keras):
    """Input((8,)) -> Dense(8) -> Dense(1): no dropout at all."""
    L = keras.layers
    return _chain(keras, "dl601_hit_no_dropout", [L.Dense(8, name="fc"), L.Dense(1, name="head")])


def dl601_ok_no_trainable_layer(keras):
    """Input((8,)) -> Activation -> Reshape: no layer with weights, nothing to regularise."""
    L = keras.layers
    layers = [L.Activation("relu", name="act"), L.Reshape((2, 4), name="shape")]
    return _chain(keras, "dl601_ok_no_trainable_layer", layers)


def dl601_ok_with_dropout(keras):
    """Input((8,)) -> Dense(8) -> Dropout(0.3) -> Dense(1)."""
    return _fc_drop_head(keras, "dl601_ok_with_dropout", 0.3)


# --- DL602 unregularized-layer ----------------------------------------------


def dl602_hit_last_dense_unregularized(keras):
    """d1 -> Dropout -> d2 -> d3: d2 gets dropout on its input, d3 does not."""
    L = keras.layers
    layers = [
        L.Dense(8, name="d1"),
        L.Dropout(0.3, name="drop1"),
        L.Dense(8, name="d2"),
        L.Dense(1, name="d3"),
    ]
    return _chain(keras, "dl602_hit_last_dense_unregularized", layers)


def dl602_ok_dropout_before_every_dense(keras):
    """d1 -> Dropout -> d2 -> Dropout -> d3: every Dense after the first has dropout."""
    L = keras.layers
    layers = [
        L.Dense(8, name="d1"),
        L.Dropout(0.3, name="drop1"),
        L.Dense(8, name="d2"),
        L.Dropout(0.3, name="drop2"),
        L.Dense(1, name="d3"),
    ]
    return _chain(keras, "dl602_ok_dropout_before_every_dense", layers)


def dl602_ok_frozen_layer(keras):
    """d1 -> Dropout -> d2 -> Dropout -> f1 -> f2, with f1 and f2 frozen (trainable=False):
    f2 gets no dropout, but neither frozen layer learns, so nothing is left unregularised."""
    L = keras.layers
    frozen = [L.Dense(8, name="f1"), L.Dense(1, name="f2")]
    for layer in frozen:
        layer.trainable = False
    layers = [L.Dense(8, name="d1"), L.Dropout(0.3, name="drop1"), L.Dense(8, name="d2"),
              L.Dropout(0.3, name="drop2"), *frozen]  # fmt: skip
    return _chain(keras, "dl602_ok_frozen_layer", layers)


# (builder, frameworks, findings): the file stem is the builder's name. findings is what the
# model must produce with every rule selected, as (code, layer) pairs, layer None for findings
# about the whole model; a dict where the frameworks differ. It is written to
# samples/rules/expected.json and tests/test_rule_samples.py holds droplint to it exactly.
NONE: list = []
RULE_SAMPLES = [
    (dl002_hit_custom_dropout_keys, (K3,), [("DL002", "attn_block")]),
    # No dropout-like setting (no DL002), but droplint cannot see into the custom layer, so it
    # never says the model has no dropout (no DL601).
    (dl002_ok_custom_units_only, (K3,), NONE),
    (dl002_hit_drop_path_names, (K3,), [("DL002", "path_block")]),
    (dl002_ok_drop_path_off, (K3,), NONE),
    (dl002_hit_unseen_branch_merged, (K3,), [("DL002", "path_block")]),
    (dl002_hit_tf_nn_dropout, (TK,), [("DL002", "tf.nn.dropout")]),
    (dl002_hit_other_stochastic_depth, (TK,), [("DL002", "sd")]),
    (dl002_hit_unmodelled_hub_backbone, (K3,), [("DL002", "fnet_backbone")]),
    (dl002_ok_transformer_encoder, (K3,), NONE),
    (dl002_ok_transformer_decoder, (K3,), NONE),
    (dl002_hit_transformer_decoder_cross, (K3,), [("DL002", "decoder")]),
    (dl003_hit_lambda, BOTH, [("DL003", "double")]),
    (dl003_ok_no_lambda, BOTH, [("DL601", None)]),
    (dl201_hit_dense_drop_bn, BOTH, [("DL201", "drop")]),
    # The Dropout is element-wise on 6x6 feature maps: DL205 too.
    (dl201_hit_conv_drop_relu_bn, (K3,), [("DL201", "drop"), ("DL205", "drop")]),
    (dl201_ok_drop_add_conv_bn, (K3,), NONE),
    (dl201_ok_dense_bn_drop, BOTH, NONE),
    (dl202_hit_softmax_output_drop, BOTH, [("DL202", "out_drop")]),
    (dl202_hit_logits_drop_sigmoid, (K3,), [("DL202", "out_drop")]),
    (dl202_hit_softmax_drop_dense, (K3,), [("DL202", "probs_drop")]),
    (dl202_ok_hidden_drop, BOTH, NONE),
    (dl203_hit_int_input_drop, BOTH, [("DL203", "drop")]),
    (dl203_ok_embedding_drop, BOTH, NONE),
    (dl204_hit_drop_lstm, BOTH, [("DL204", "drop")]),
    (dl204_ok_spatial_drop_lstm, BOTH, NONE),
    (dl204_ok_noise_shape_drop_gru, (K3,), NONE),
    (dl101_ok_dropout_then_drop_path, BOTH, NONE),
    (dl101_ok_tf_add_of_dropouts, (TK,), NONE),
    (dl101_hit_keras_ops, (K3,), [("DL101", "d2"), ("DL201", "d3"), ("DL202", "d_out"),
                                  ("DL602", "dense_b")]),  # dense_b: no dropout, dense_a has
    (dl101_ok_stochastic_depth_layer, BOTH, NONE),
    (dl101_hit_tf_ops, (TK,), [("DL101", "d2"), ("DL201", "d3"), ("DL202", "d_out"),
                               ("DL602", "dense_b")]),  # dense_b: no dropout, dense_a has
    (dl205_hit_conv_drop_conv, BOTH, [("DL205", "drop")]),
    (dl205_ok_spatial_drop, BOTH, NONE),
    (dl205_ok_stochastic_depth, (K3,), NONE),
    (dl205_ok_one_by_one_maps, BOTH, NONE),
    (dl205_ok_after_1x1_conv, BOTH, [("DL602", "expand")]),  # head has dropout, expand not
    # A rate-0 Dropout is no dropout: the model has none that drops (DL601).
    (dl301_hit_zero_rate, BOTH, [("DL301", "noop"), ("DL601", None)]),
    (dl301_ok_rate_0_1, BOTH, NONE),
    (dl302_hit_dropout_0_7, (K3,), [("DL302", "heavy")]),
    # recurrent_dropout also rules out cuDNN (DL401).
    (dl302_hit_lstm_recurrent_0_6, (K3,), [("DL302", "lstm"), ("DL401", "lstm")]),
    (dl302_hit_mha_0_6, (K3,), [("DL302", "mha")]),
    (dl302_ok_dropout_0_5, (K3,), NONE),
    # Keras 3 cells ignore a rate of 1, tf-keras refuses it: either way nothing drops (DL601).
    (dl303_hit_lstm_dropout_1_0, BOTH, [("DL303", "lstm"), ("DL601", None)]),
    # Keras 3 zeroes everything; tf-keras refuses the rate, so nothing drops there (DL601).
    (dl303_hit_dropout_1_0, BOTH,
     {K3: [("DL303", "all")], TK: [("DL303", "all"), ("DL601", None)]}),
    (dl303_hit_noise_shape_mismatch, (K3,), [("DL303", "bad_ns")]),
    (dl303_ok_noise_shape_broadcast, (K3,), NONE),
    (dl504_hit_training_true, BOTH, [("DL504", "mc")]),
    (dl504_ok_no_training_flag, BOTH, NONE),
    (dl601_hit_no_dropout, BOTH, [("DL601", None)]),
    (dl601_ok_with_dropout, BOTH, NONE),
    (dl601_ok_no_trainable_layer, BOTH, NONE),
    (dl602_hit_last_dense_unregularized, (K3,), [("DL602", "d3")]),
    (dl602_ok_dropout_before_every_dense, (K3,), NONE),
    (dl602_ok_frozen_layer, BOTH, NONE),
]  # fmt: skip

EXPECTED_FILE = HERE / "rules" / "expected.json"

_NEEDS_KERAS_HUB = {
    dl002_hit_unmodelled_hub_backbone,
    dl002_ok_transformer_encoder,
    dl002_ok_transformer_decoder,
    dl002_hit_transformer_decoder_cross,
}


def _keras_hub_problem():
    """None if keras_hub imports, else why not (the keras_hub samples are skipped)."""
    try:
        import keras_hub  # noqa: F401
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


# ---------------------------------------------------------------------------
# Keras models as found in the wild (samples/wild/): wrappers holding models, merges,
# Bidirectional with its own backward layer. Built the same way for both frameworks.
# ---------------------------------------------------------------------------

WILD_DIR = HERE / "wild"


def td_frame_model(keras):
    """The per-frame CNN of a video model: TimeDistributed(Sequential([Conv2D(4, 3) "conv",
    SpatialDropout2D(0.2) "sdrop", Flatten, Dense(8) "fc", Dropout(0.3) "drop"], "frame"))
    on Input((3, 8, 8, 3)), then LSTM(8, dropout=0.2) "lstm" and Dense(1) "head"."""
    L = keras.layers
    frame = keras.Sequential(
        [
            keras.Input((8, 8, 3)),
            L.Conv2D(4, 3, name="conv"),
            L.SpatialDropout2D(0.2, name="sdrop"),
            L.Flatten(name="flat"),
            L.Dense(8, name="fc"),
            L.Dropout(0.3, name="drop"),
        ],
        name="frame",
    )
    clips = keras.Input((3, 8, 8, 3), name="clips")
    x = L.TimeDistributed(frame, name="td")(clips)
    x = L.LSTM(8, dropout=0.2, name="lstm")(x)
    return keras.Model(clips, L.Dense(1, name="head")(x), name="td_frame_model")


def td_nested_wrappers(keras):
    """TimeDistributed of a model holding a Bidirectional: Input((2, 5, 4)) ->
    TimeDistributed(Sequential([Bidirectional(LSTM(4, dropout=0.1) "lstm") "bidi"], "steps"))
    "td" -> Flatten -> Dense(1) "head"."""
    L = keras.layers
    inner = keras.Sequential(
        [keras.Input((5, 4)), L.Bidirectional(L.LSTM(4, dropout=0.1, name="lstm"), name="bidi")],
        name="steps",
    )
    x_in = keras.Input((2, 5, 4), name="x")
    x = L.TimeDistributed(inner, name="td")(x_in)
    x = L.Flatten(name="flat")(x)
    return keras.Model(x_in, L.Dense(1, name="head")(x), name="td_nested_wrappers")


def merges(keras):
    """Dropout on every input of a merge, and on only some: Input((8,)) -> Dense(8) "a" ->
    Dropout(0.2) "drop_a"; Dense(4) "b" -> Dropout(0.5) "drop_b"; Dense(8) "c" (no dropout).
    Concatenate([drop_a, drop_b]) "cat" -> Dense(4) "after_cat"; Add([drop_a, drop_a2]) "sum"
    with Dense(8) "a2" -> Dropout(0.4) "drop_a2" -> Dense(4) "after_sum"; Concatenate([drop_a,
    c]) "mixed" -> Dense(4) "after_mixed"; cat -> Dropout(0.1) "drop_cat" -> Dense(4)
    "after_stack"; the four heads are averaged into the output."""
    L = keras.layers
    inp = keras.Input((8,), name="inp")
    drop_a = L.Dropout(0.2, name="drop_a")(L.Dense(8, name="a")(inp))
    drop_b = L.Dropout(0.5, name="drop_b")(L.Dense(4, name="b")(inp))
    drop_a2 = L.Dropout(0.4, name="drop_a2")(L.Dense(8, name="a2")(inp))
    c = L.Dense(8, name="c")(inp)
    cat = L.Concatenate(name="cat")([drop_a, drop_b])
    heads = [
        L.Dense(4, name="after_cat")(cat),
        L.Dense(4, name="after_sum")(L.Add(name="sum")([drop_a, drop_a2])),
        L.Dense(4, name="after_mixed")(L.Concatenate(name="mixed")([drop_a, c])),
        L.Dense(4, name="after_stack")(L.Dropout(0.1, name="drop_cat")(cat)),
    ]
    return keras.Model(inp, L.Average(name="avg")(heads), name="merges")


def bidi_backward_layer(keras):
    """Bidirectional(LSTM(4, dropout=0.2) "fwd", backward_layer=GRU(4, recurrent_dropout=0.3,
    go_backwards=True) "bwd") "bidi" on Input((5, 4)), then Dense(1) "head"."""
    L = keras.layers
    inp = keras.Input((5, 4), name="x")
    forward = L.LSTM(4, dropout=0.2, name="fwd")
    backward = L.GRU(4, recurrent_dropout=0.3, go_backwards=True, name="bwd")
    x = L.Bidirectional(forward, backward_layer=backward, name="bidi")(inp)
    return keras.Model(inp, L.Dense(1, name="head")(x), name="bidi_backward_layer")


WILD_SAMPLES: dict[str, Builder] = {
    "td_frame_model": td_frame_model,
    "td_nested_wrappers": td_nested_wrappers,
    "merges": merges,
    "bidi_backward_layer": bidi_backward_layer,
}


def build_wild():
    import warnings

    warnings.filterwarnings("ignore", message=".*HDF5 file.*legacy.*")
    for keras, sub, suffix, kwargs in (
        (_keras3(), "keras3", ".keras", {}),
        (_tfkeras(), "tfkeras", ".h5", {"save_format": "h5"}),
    ):
        print(f"{keras.__name__} {keras.__version__} -> {WILD_DIR / sub}")
        _write_samples(keras, WILD_DIR / sub, WILD_SAMPLES, suffix, **kwargs)


# ---------------------------------------------------------------------------
# keras_hub models (samples/hub/): each family of droplint's keras_hub table, tiny, saved
# whole (only its constructor arguments are in the file), a task, and a preset folder.
# ---------------------------------------------------------------------------

HUB_DIR = HERE / "hub"


def build_hub():
    """One .keras per family (the backbone with the family's default dropout, 2 layers), BERT's
    text classifier (also as a preset), a BERT preset folder, and FNet (a family droplint has
    no template of).
    expected.json lists, for each, the dropouts the real model holds (walked here)."""
    import json

    import keras
    import keras_hub
    from make_hub_table import FAMILIES, real_dropouts

    _fresh_dir(HUB_DIR)
    expected = {}

    def save(model, stem, whole=True):
        """whole: the keras_hub model itself (its layers' paths start with its name); else a
        model of one's own, whose layers' paths start with their own names."""
        path = HUB_DIR / f"{stem}.keras"
        model.save(path)
        expected[path.name] = real_dropouts(model, f"{model.name}/" if whole else "")
        _report(path)

    for backbone, kwargs, _ in FAMILIES.values():
        keras.backend.clear_session()
        save(getattr(keras_hub.models, backbone)(**kwargs, num_layers=2), backbone)
    keras.backend.clear_session()
    bert = keras_hub.models.BertBackbone(**FAMILIES["BERT"][1], num_layers=2, dropout=0.2)
    task = keras_hub.models.BertTextClassifier(bert, num_classes=3, preprocessor=None, dropout=0.3)
    save(task, "BertTextClassifier")
    task.save_to_preset(str(HUB_DIR / "bert_task_preset"))  # task.json: the whole task
    expected["bert_task_preset"] = real_dropouts(task, f"{task.name}/")
    keras.backend.clear_session()
    bert = keras_hub.models.BertBackbone(**FAMILIES["BERT"][1], num_layers=2)
    bert.save_to_preset(str(HUB_DIR / "bert_preset"))
    expected["bert_preset"] = real_dropouts(bert, f"{bert.name}/")
    keras.backend.clear_session()
    tokens = keras.Input((8,), dtype="int32", name="tokens")
    x = keras_hub.layers.TokenAndPositionEmbedding(50, 8, 8, name="embed")(tokens)
    x = keras.layers.Dropout(0.1, name="embed_drop")(x)
    x = keras_hub.layers.TransformerEncoder(16, 2, dropout=0.2, name="encoder")(x)
    x = keras.layers.GlobalAveragePooling1D(name="pool")(x)
    x = keras.layers.Dense(2, name="head")(x)
    save(keras.Model(tokens, x, name="hub_layers"), "hub_layers", whole=False)
    keras.backend.clear_session()
    fnet = keras_hub.models.FNetBackbone(vocabulary_size=50, num_layers=2, hidden_dim=8,
                                         intermediate_dim=16, max_sequence_length=16)  # fmt: skip
    save(fnet, "FNetBackbone")
    lines = [
        f"  {json.dumps(k)}: {json.dumps(v, sort_keys=True)}" for k, v in sorted(expected.items())
    ]
    (HUB_DIR / "expected.json").write_text("{\n" + ",\n".join(lines) + "\n}\n")


def build_edited():
    """Real files edited by hand into configs no framework writes, for the rules' handling of
    odd values: seed2.keras with its Dropout rate stored as the text "0.25"."""
    import json

    source = KERAS3_DIR / "seed2.keras"
    with zipfile.ZipFile(source) as zf:
        members = [(info.filename, zf.read(info)) for info in zf.infolist()]
    config = json.loads(dict(members)["config.json"])
    for layer in config["config"]["layers"]:
        if layer["class_name"] == "Dropout":
            layer["config"]["rate"] = str(layer["config"]["rate"])
    edited = [(n, json.dumps(config).encode() if n == "config.json" else d) for n, d in members]
    p = BROKEN_DIR / "rate_as_text.keras"
    _write_zip(p, edited)
    _report(p)


def build_rule_samples(only=None):
    """For each rule, models that trigger it (``*_hit_*``) and near misses that
    must not (``*_ok_*``), in samples/rules/keras3/*.keras and
    samples/rules/tfkeras/*.h5. A configuration the framework refuses to build
    or save is skipped and listed at the end, never faked. The two keras_hub
    samples (built from scratch, nothing downloaded) are skipped with a message
    when keras_hub does not import."""
    import warnings

    import tensorflow as tf

    tf.get_logger().setLevel("ERROR")
    warnings.filterwarnings("ignore", message=".*HDF5 file.*legacy.*")
    frameworks = {K3: (_keras3(), ".keras", {}), TK: (_tfkeras(), ".h5", {"save_format": "h5"})}
    print(f"rule samples -> {RULES_DIR}")
    if only is None:
        _fresh_dir(RULES_DIR)
    hub_problem = _keras_hub_problem()
    skipped = []
    for fw in (K3, TK):
        keras, ext, save_kwargs = frameworks[fw]
        out_dir = RULES_DIR / fw
        out_dir.mkdir(exist_ok=True)
        for fn, fws, _ in RULE_SAMPLES:
            if fw not in fws or (only is not None and fn.__name__ not in only):
                continue
            path = out_dir / f"{fn.__name__}{ext}"
            if fn in _NEEDS_KERAS_HUB and hub_problem:
                skipped.append((path, f"keras_hub not importable ({hub_problem})"))
                continue
            keras.utils.set_random_seed(SEED)
            try:
                model = fn(keras)
                model.save(path, **save_kwargs)
            except Exception as exc:  # the framework refused this configuration
                path.unlink(missing_ok=True)
                skipped.append((path, f"{type(exc).__name__}: {exc}"))
            else:
                _report(path)
            keras.backend.clear_session()
    for path, why in skipped:
        print(f"  SKIPPED {path.relative_to(HERE.parent)}: {why}")
    write_expected()


def write_expected():
    """samples/rules/expected.json: the findings each rule sample must produce (RULE_SAMPLES)."""
    import json

    suffix = {K3: ".keras", TK: ".h5"}
    expected = {}
    for fn, fws, findings in RULE_SAMPLES:
        for fw in fws:
            own = findings[fw] if isinstance(findings, dict) else findings
            key = f"{fw}/{fn.__name__}{suffix[fw]}"
            expected[key] = sorted(own, key=lambda f: (f[0], f[1] or ""))
    lines = [f"  {json.dumps(k)}: {json.dumps(v)}" for k, v in sorted(expected.items())]
    EXPECTED_FILE.write_text("{\n" + ",\n".join(lines) + "\n}\n")
    print(f"  wrote {EXPECTED_FILE.relative_to(HERE.parent)}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--only",
        choices=[
            "keras3",
            "tfkeras",
            "broken",
            "notmodels",
            "rules",
            "expected",
            "edited",
            "wild",
            "hub",
        ],
        help="build only one group of samples",
    )
    parser.add_argument("--sample", action="append", help="with --only rules: just this one")
    args = parser.parse_args(argv)
    if args.only in (None, "keras3"):
        build_keras3()
    if args.only in (None, "tfkeras"):
        build_tfkeras()
    if args.only in (None, "broken"):
        build_broken()
    if args.only in (None, "notmodels"):
        build_not_models()
    if args.only in (None, "rules"):
        build_rule_samples(args.sample or None)
    if args.only in (None, "broken", "edited"):
        build_edited()
    if args.only in (None, "wild"):
        build_wild()
    if args.only in (None, "hub"):
        build_hub()
    if args.only == "expected":  # the manifest alone, without rebuilding the models
        write_expected()


if __name__ == "__main__":
    main()
