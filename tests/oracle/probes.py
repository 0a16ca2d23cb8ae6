"""Probes that make a layer's dropout masks visible in its output.

Inputs are all ones and weights are set so that output unit j depends only on input feature j
through the candidate gate (LSTM/ConvLSTM `c`, GRU `h`), with the other gates saturated by their
biases and no recurrence. Then h_t[j] is exactly 0 where the mask dropped x_t[j] and non-zero
elsewhere, at every timestep. With `two_gates`, a second gate (LSTM input gate, GRU update gate)
also reads feature j and zeroes h_t[j] at step 0 when its own mask drops it: one shared mask then
zeroes a fraction p there, two independent masks 1 - (1 - p)^2.
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


def run(model, x: object, training: bool = True) -> np.ndarray:
    """A call in training mode (by default), as numpy whatever the backend (torch included)."""
    y = model(x, training=training)
    return np.asarray(y.detach().cpu() if hasattr(y, "detach") else y)


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


def set_gru(layer, feats: int, two_gates: bool = False) -> None:
    """Gate order z, r, h; z saturated at 0 so h_t is the candidate alone. two_gates: z also
    reads x_t[j] and opens (h_t = h_t-1, which is 0 at step 0) when its own mask drops it."""
    eye = np.eye(feats, dtype="float32")
    kernel = np.zeros((feats, 3 * feats), dtype="float32")
    kernel[:, 2 * feats :] = eye
    shapes = [w.shape for w in layer.get_weights()]
    bias = np.zeros(shapes[2], dtype="float32")
    row = bias if bias.ndim == 1 else bias[0]  # reset_after: (2, 3 * units), input row first
    row[:feats] = -BIG
    if two_gates:
        kernel[:, :feats], row[:feats] = -BIG * eye, BIG  # kept (x = 2): z = 0; dropped: 1
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
        set_gru(rnn, feats, two_gates)
    else:
        set_simple(rnn, feats)
    x = np.ones((batch, steps, feats), dtype="float32")
    y = run(model, x)
    zeros = np.abs(y) < 1e-6
    return model, Observed.of(zeros[:, :1] if two_gates else zeros)  # two_gates: step 0 only


def observe_convlstm(K: ModuleType, rate: float, recurrent: float = 0.0, two_gates: bool = False,
                     batch: int = 16, steps: int = 5, side: int = 4,
                     channels: int = 4) -> tuple[object, Observed]:  # fmt: skip
    inp = K.Input((steps, side, side, channels), name="frames")
    conv = K.layers.ConvLSTM2D(channels, 1, dropout=rate, recurrent_dropout=recurrent,
                               return_sequences=True, name="rnn")  # fmt: skip
    model = K.Model(inp, conv(inp), name="probe")
    set_lstm_like(model.get_layer("rnn"), channels, two_gates, conv=True)
    x = np.ones((batch, steps, side, side, channels), dtype="float32")
    y = run(model, x)
    return model, Observed.of(np.abs(y) < 1e-6)


def independent_masks(observed: Observed, rate: float) -> bool:
    """two_gates probe: True when the two gates' masks are independent."""
    shared, independent = rate, 1 - (1 - rate) ** 2
    return abs(observed.zero_fraction - independent) < abs(observed.zero_fraction - shared)


# -- the recurrent state's masks (h_t-1) --------------------------------------------------------
#
# The layer starts from h_-1 = 1 (an initial-state input) and computes, with linear activations,
# h_t = x_t + U (mask * h_t-1) / (1 - p) through its candidate gate only: a unit whose h_t-1 was
# dropped gives exactly 1, a kept one at least 3. With `two_gates`, a second gate (LSTM input
# gate, GRU reset gate) also reads h_t-1 and, when its own mask drops it, closes and pulls h_t
# to 1 or below: step 0 then shows 1 - (1 - p)^2 "low" units for independent masks and p for a
# shared one. ConvLSTM2D runs the same probe with 1x1 kernels on a 4x4 map.

GATE_ROWS = {
    "LSTM": ("c", "ifco"),
    "ConvLSTM2D": ("c", "ifco"),
    "GRU": ("h", "zrh"),
    "SimpleRNN": ("h", "h"),
}


def _block(layer: str, gate: str, feats: int) -> slice:
    k = GATE_ROWS[layer][1].index(gate)
    return slice(k * feats, (k + 1) * feats)


def set_recurrent_probe(rnn, layer: str, feats: int, two_gates: bool) -> None:
    eye = np.eye(feats, dtype="float32")
    shapes = [w.shape for w in rnn.get_weights()]
    kernel, recurrent = np.zeros(shapes[0], "float32"), np.zeros(shapes[1], "float32")
    bias = np.zeros(shapes[2], "float32")
    row = bias if bias.ndim == 1 else bias[0]  # GRU reset_after: input bias row
    weights = [kernel, recurrent, bias]
    kernel, recurrent = (w.reshape(feats, -1) for w in weights[:2])  # ConvLSTM: 1x1 kernels
    cand = _block(layer, GATE_ROWS[layer][0], feats)
    kernel[:, cand], recurrent[:, cand] = eye, eye
    if "LSTM" in layer:
        layer = "LSTM"
        row[_block(layer, "i", feats)], row[_block(layer, "o", feats)] = BIG, BIG
        row[_block(layer, "f", feats)] = -BIG
        second = "i"
    elif layer == "GRU":
        row[_block(layer, "z", feats)], row[_block(layer, "r", feats)] = -BIG, BIG
        second = "r"
    if two_gates:
        recurrent[:, _block(layer, second, feats)] = BIG * eye
        row[_block(layer, second, feats)] = -BIG / 2
    rnn.set_weights(weights)


def observe_recurrent(K: ModuleType, layer: str, rate: float, two_gates: bool = False,
                      batch: int = 64, steps: int = 8, feats: int = 16,
                      **kwargs) -> tuple[object, Observed]:  # fmt: skip
    """Observed.zero_fraction: units "low" at step 0; time_constant: over steps 1.. (single)."""
    cell = (4, 4, feats) if layer == "ConvLSTM2D" else (feats,)  # ConvLSTM: a 4x4 map
    x = K.Input((steps, *cell), name="x")
    states = [K.Input(cell, name=f"s{i}") for i in range(2 if "LSTM" in layer else 1)]
    args = {"kernel_size": 1} if layer == "ConvLSTM2D" else {}
    rnn = getattr(K.layers, layer)(feats, recurrent_dropout=rate, activation="linear",
                                   return_sequences=True, name="rnn", **args, **kwargs)  # fmt: skip
    model = K.Model([x, *states], rnn(x, initial_state=states), name="probe")
    set_recurrent_probe(rnn, layer, feats, two_gates)
    ones = np.ones((batch, *cell), "float32")
    h0 = [ones] + [np.zeros_like(ones)] * (len(states) - 1)  # LSTM: c_-1 = 0
    y = run(model, [np.ones((batch, steps, *cell), "float32"), *h0])
    low = y < 1.5
    constant = Observed.of(low[:, 1:]).time_constant
    return model, Observed(float(low[:, 0].mean()), constant)


# -- attention probabilities ------------------------------------------------------------------
#
# Uniform attention (zero queries or zero query/key kernels) over values that are the identity
# matrix: output row i is row i of the attention probabilities itself, so a dropped probability
# is an exact zero in the output.


def observe_attention(K: ModuleType, layer: str, rate: float, queries: int = 12,
                      feats: int = 16, batch: int = 64) -> tuple[object, np.ndarray]:  # fmt: skip
    """Returns the model and the boolean (batch, queries, keys) array of dropped probabilities."""
    q, v = K.Input((queries, feats), name="q"), K.Input((feats, feats), name="v")
    if layer == "Attention":
        out = K.layers.Attention(dropout=rate, name="att")([q, v])
    else:
        att = K.layers.MultiHeadAttention(1, feats, dropout=rate, name="att")
        out = att(q, v)
        eye = np.eye(feats, dtype="float32")
        weights = [np.zeros(w.shape, "float32") for w in att.weights]
        weights[4], weights[6] = eye[:, None, :], eye[None]  # value and output kernels
        att.set_weights(weights)
    model = K.Model([q, v], out, name="probe")
    values = np.broadcast_to(np.eye(feats, dtype="float32"), (batch, feats, feats))
    y = run(model, [np.zeros((batch, queries, feats), "float32"), values])
    return model, np.abs(y) < 1e-6


def behaviour(model, x: object) -> str:
    """'raises' when a training call fails, 'never' when it equals the inference output."""
    try:
        trained = run(model, x)
    except Exception:  # ValueError, ZeroDivisionError, InvalidArgumentError…
        return "raises"
    return "never" if np.allclose(trained, run(model, x, training=False)) else "training"
