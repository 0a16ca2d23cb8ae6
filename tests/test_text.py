"""The text report's dropout map, column by column, and its wording.

Expected cells come from the samples' makers (samples/make_samples.py: the layers and rates) and
from the facts the oracle tests prove (e.g. Keras >= 3.8 LSTM with recurrent dropout: one mask
per gate, the same at every step)."""

from __future__ import annotations

from conftest import rendered, sample

from droplint.analysis import analyze_file
from droplint.report.text import COLUMNS


def table(rel: str) -> dict[str, dict[str, str]]:
    """The map of a sample: layer -> {column: cell}, cut at the header's column starts."""
    text = rendered("text", [analyze_file(sample(rel))], width=200)
    lines = text.splitlines()
    head = next(i for i, line in enumerate(lines) if line.startswith("layer "))
    starts = [lines[head].index(c) for c in COLUMNS[:-1]]  # left-justified columns
    end = len(lines[head].rstrip())  # the last column (eff.) is right-justified up to here
    rows = {}
    for line in lines[head + 1 :]:
        if not line or line.startswith(("masks:", " ")):
            break
        line = line.ljust(end)
        eff = line[:end].split()[-1] if line[end - 1] != " " else ""
        bounds = [*starts[1:], end - len(eff)]
        cells = [line[a:b].strip() for a, b in zip(starts, bounds, strict=True)]
        rows[cells[0]] = dict(zip(COLUMNS, [*cells, eff], strict=True))
    return rows


def cells(row: dict[str, str], *names: str) -> tuple[str, ...]:
    return tuple(row[n] for n in names)


def test_seed_model_map() -> None:
    """Embedding -> Dropout(0.25) -> LSTM(32, dropout=0.5, recurrent_dropout=0.5), Keras 3.15."""
    rows = table("keras3/seed2.keras")
    assert list(rows) == ["dropout", "lstm"]
    assert rows["dropout"] == {
        "layer": "dropout", "class": "Dropout", "input": "", "output": "0.25",
        "x_t / h_t-1": "", "masks": "per-step", "eff.": "0.25",
    }  # fmt: skip
    assert rows["lstm"] == {
        "layer": "lstm", "class": "LSTM", "input": "0.25", "output": "",
        "x_t / h_t-1": "0.5 / 0.5", "masks": "4/gate fixed", "eff.": "0.625",
    }  # fmt: skip


def test_tf_keras_cudnn_lstm_masks_change_every_step() -> None:
    rows = table("tfkeras/lstm_cudnn.h5")
    assert cells(rows["lstm"], "x_t / h_t-1", "masks", "eff.") == ("0.3 / -", "1 per-step", "0.3")


def test_every_output_dropout_kind_and_what_reaches_layers() -> None:
    rows = table("keras3/output_family.keras")
    masks = {layer: row["masks"] for layer, row in rows.items() if row["output"]}
    assert masks == {
        "sdrop": "channels", "stoch_depth": "axes 1,2,3 shared", "feat_drop": "elementwise",
        "gauss": "gaussian", "alpha": "elementwise", "d1": "elementwise", "d2": "per-step",
        "out_drop": "elementwise",
    }  # fmt: skip
    # d1 (0.2) -> Reshape -> d2 (0.3) in series: 1 - 0.8 * 0.7 = 0.44 reaches probs.
    assert cells(rows["d2"], "output", "eff.") == ("0.3", "0.44")
    inputs = {layer: row["input"] for layer, row in rows.items() if row["input"]}
    assert inputs == {"conv2": "0.2", "fc": "0.3", "fc2": "0.1", "probs": "0.44"}


def test_onnx_dropout_at_inference_is_marked() -> None:
    """torch's training-mode export of nn.MultiheadAttention(dropout=0.1) then Dropout(0.2):
    the attention module's dropout (on its probabilities) omits training_mode (inert), the
    Dropout module is always on."""
    rows = table("onnx/torch/mha_train_ts.onnx")
    assert cells(rows["/mha/Dropout"], "output", "masks") == ("0.1 off", "attention")
    assert cells(rows["/drop/Dropout"], "output", "masks") == ("0.2", "elementwise; at inference!")


def test_one_is_singular() -> None:
    """Input -> LSTM(dropout=1.0): one layer, one trainable layer, one error, one info."""
    text = rendered("text", [analyze_file(sample("rules/keras3/dl303_hit_lstm_dropout_1_0.keras"))])
    assert "'dl303_hit_lstm_dropout_1_0', 1 layer\n" in text
    assert "dropout reaches 0 of 1 trainable layer\n" in text
    assert "Found: 1 file, 1 error, 1 info\n" in text
