"""Probes that make a layer's dropout masks visible in its output.

Inputs are all ones and weights are set so that output unit j depends only on input feature j
through the candidate gate (LSTM/ConvLSTM `c`, GRU `h`), with the other gates saturated by their
biases and no recurrence. Then h_t[j] is exactly 0 where the mask dropped x_t[j] and non-zero
elsewhere, at every timestep. With `two_gates`, the input gate also reads feature j and closes
when its own mask drops it: one shared mask then zeroes a fraction p, two independent masks
1 - (1 - p)^2.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType

import numpy as np

BIG = 20.0


@dataclass
class Observed:
    zero_fraction: float
    time_constant: bool  # each (sample, unit) is dropped at every step or at none

    @classmethod
    def of(cls, zeros: np.ndarray) -> Observed:
        """zeros: boolean (batch, time, ...features)."""
        constant = zeros.all(axis=1) | (~zeros).all(axis=1)
        return cls(float(zeros.mean()), bool(constant.all()))


def is_tf_keras(K: ModuleType) -> bool:
    return K.__name__.startswith("tf_keras")


def rnn_model(K: ModuleType, layer: str, feats: int, steps: int, **kwargs):
    inp = K.Input((steps, feats), name="x")
    cls = getattr(K.layers, layer)
    out = cls(feats, return_sequences=True, name="rnn", **kwargs)(inp)
    return K.Model(inp, out, name="probe")


def set_lstm_like(layer, feats: int, two_gates: bool, conv: bool = False) -> None:
    """Gate order i, f, c, o (LSTM and ConvLSTM)."""
    eye = np.eye(feats, dtype="float32")
    kernel = np.zeros((feats, 4 * feats), dtype="float32")
    kernel[:, 2 * feats : 3 * feats] = eye
    bias = np.zeros(4 * feats, dtype="float32")
    bias[:feats], bias[feats : 2 * feats], bias[3 * feats :] = BIG, -BIG, BIG
    if two_gates:
        kernel[:, :feats] = 2 * BIG * eye
        bias[:feats] = -BIG
    if conv:
        kernel = kernel.reshape(1, 1, feats, 4 * feats)
    recurrent = np.zeros_like(kernel)
    layer.set_weights([kernel, recurrent, bias])


def set_gru(layer, feats: int) -> None:
    """Gate order z, r, h; z saturated at 0 so h_t is the candidate alone."""
    kernel = np.zeros((feats, 3 * feats), dtype="float32")
    kernel[:, 2 * feats :] = np.eye(feats, dtype="float32")
    shapes = [w.shape for w in layer.get_weights()]
    bias = np.zeros(shapes[2], dtype="float32")
    bias[..., :feats] = -BIG  # reset_after: (2, 3 * units); the input bias row also works
    if bias.ndim == 2:
        bias[1] = 0.0
        bias[1, :feats] = -BIG
    layer.set_weights([kernel, np.zeros(shapes[1], dtype="float32"), bias])


def set_simple(layer, feats: int) -> None:
    eye = np.eye(feats, dtype="float32")
    layer.set_weights([eye, np.zeros_like(eye), np.zeros(feats, dtype="float32")])


def observe_rnn(K: ModuleType, layer: str, rate: float, recurrent: float = 0.0,
                two_gates: bool = False, batch: int = 64, steps: int = 10, feats: int = 16,
                **kwargs) -> tuple[object, Observed]:  # fmt: skip
    model = rnn_model(K, layer, feats, steps, dropout=rate, recurrent_dropout=recurrent, **kwargs)
    rnn = model.get_layer("rnn")
    if layer == "LSTM":
        set_lstm_like(rnn, feats, two_gates)
    elif layer == "GRU":
        set_gru(rnn, feats)
    else:
        set_simple(rnn, feats)
    x = np.ones((batch, steps, feats), dtype="float32")
    y = np.asarray(model(x, training=True))
    return model, Observed.of(np.abs(y) < 1e-6)


def observe_convlstm(K: ModuleType, rate: float, recurrent: float = 0.0, two_gates: bool = False,
                     batch: int = 16, steps: int = 5, side: int = 4,
                     channels: int = 4) -> tuple[object, Observed]:  # fmt: skip
    inp = K.Input((steps, side, side, channels), name="frames")
    conv = K.layers.ConvLSTM2D(channels, 1, dropout=rate, recurrent_dropout=recurrent,
                               return_sequences=True, name="rnn")  # fmt: skip
    model = K.Model(inp, conv(inp), name="probe")
    set_lstm_like(model.get_layer("rnn"), channels, two_gates, conv=True)
    x = np.ones((batch, steps, side, side, channels), dtype="float32")
    y = np.asarray(model(x, training=True))
    return model, Observed.of(np.abs(y) < 1e-6)


def independent_masks(observed: Observed, rate: float) -> bool:
    """two_gates probe: True when the two gates' masks are independent."""
    shared, independent = rate, 1 - (1 - rate) ** 2
    return abs(observed.zero_fraction - independent) < abs(observed.zero_fraction - shared)
