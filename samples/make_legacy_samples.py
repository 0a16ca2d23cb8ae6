"""Write sample model files with an OLDER Keras 3 release, for droplint's version-gated rules.

Run it inside a venv that has exactly one old Keras 3 release and a backend (see
``samples/legacy/README.md`` for the venv commands), from the repository root:

    KERAS_BACKEND=torch /work/legacy-venvs/keras-3.4.1/bin/python samples/make_legacy_samples.py

It reads ``keras.__version__`` and writes ``samples/legacy/keras-<version>/``:

    seed2.keras              Sequential seed2 (Embedding, Dropout, LSTM with recurrent dropout)
    seed2.h5                 the same model through Keras 3's legacy HDF5 writer
    lstm_dropout_only.keras  LSTM(dropout=0.3), otherwise default (cuDNN-eligible) settings
    lstm_relu_dropout.keras  LSTM(dropout=0.3, activation="relu"): never cuDNN-eligible
    gru_dropout_only.keras   GRU(dropout=0.3), otherwise default (cuDNN-eligible) settings
    convlstm.keras           ConvLSTM2D(dropout=0.2, recurrent_dropout=0.1)

Every file is then loaded back with ``keras.saving.load_model`` and each ``.keras``
archive's ``metadata.json`` is checked to name the running Keras version. Outputs are
overwritten; weights are seeded, but ``.keras`` archives embed the save time, so files
are not byte-identical across runs.

``--zeros`` also calls the ConvLSTM2D layer in training mode on ones and prints how
many output values are exactly zero (a rough probe of whether its dropout does anything).
"""

import argparse
import json
import os
import shutil
import sys
import zipfile
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "torch")

# Imported after the backend default above, which make_samples would otherwise set to tensorflow.
from make_samples import SEED, convlstm, seed_model, single_rnn

HERE = Path(__file__).resolve().parent
LEGACY_DIR = HERE / "legacy"
MAX_BYTES = 40 * 1024


def seed2(keras):
    """Sequential: Dropout(0.25) in series with an LSTM that has input and recurrent dropout."""
    return seed_model(keras, "seed2", (50, 8, 8), dropout=0.5, recurrent_dropout=0.5)


def lstm_dropout_only(keras):
    """LSTM with input dropout only and default settings, so it is cuDNN-eligible."""
    return single_rnn(keras, "lstm_dropout_only", shape=(6, 4), units=4, dropout=0.3)


def lstm_relu_dropout(keras):
    """LSTM with input dropout and a relu activation, so it can never use cuDNN."""
    return single_rnn(
        keras, "lstm_relu_dropout", shape=(6, 4), units=4, dropout=0.3, activation="relu"
    )


def gru_dropout_only(keras):
    """GRU with input dropout only and default settings, so it is cuDNN-eligible."""
    return single_rnn(keras, "gru_dropout_only", "GRU", shape=(6, 4), units=4, dropout=0.3)


BUILDERS = {
    "seed2": seed2,
    "lstm_dropout_only": lstm_dropout_only,
    "lstm_relu_dropout": lstm_relu_dropout,
    "gru_dropout_only": gru_dropout_only,
    "convlstm": convlstm,
}


def _rel(path):
    return path.relative_to(HERE.parent)


def _metadata_version(path):
    with zipfile.ZipFile(path) as zf:
        return json.loads(zf.read("metadata.json"))["keras_version"]


def _check(keras, path, model, problems):
    """Load ``path`` back, compare its layer names and weights with ``model``, check size."""
    import numpy as np

    size = path.stat().st_size
    note = ""
    if path.suffix == ".keras":
        saved_version = _metadata_version(path)
        note = f", metadata keras_version={saved_version!r}"
        if saved_version != keras.__version__:
            problems.append(f"{_rel(path)}: metadata says {saved_version!r}")
    if size > MAX_BYTES:
        problems.append(f"{_rel(path)}: {size} bytes is over {MAX_BYTES}")
    loaded = keras.saving.load_model(path, compile=False)
    if [layer.name for layer in loaded.layers] != [layer.name for layer in model.layers]:
        problems.append(f"{_rel(path)}: layer names differ after loading")
    for mine, theirs in zip(model.get_weights(), loaded.get_weights(), strict=True):
        if not np.array_equal(mine, theirs):
            problems.append(f"{_rel(path)}: weights differ after loading")
            break
    print(f"  wrote {_rel(path)} ({size} bytes{note}); reloaded OK")


def _save_h5(keras, model, path, problems):
    """Keras 3's legacy HDF5 writer; record (not raise) if this release lacks it."""
    try:
        model.save(path)
    except Exception as exc:  # report whatever this release raises
        print(f"  no {_rel(path)}: {type(exc).__name__}: {exc}")
        if path.exists():
            path.unlink()
        return
    _check(keras, path, model, problems)


def count_convlstm_zeros(keras, model):
    """Call the ConvLSTM2D layer with training=True on ones; count exact zeros in its output."""
    import numpy as np

    layer = model.get_layer("convlstm")
    keras.utils.set_random_seed(SEED)
    x = np.ones((2, 3, 8, 8, 2), dtype="float32")
    train = keras.ops.convert_to_numpy(layer(x, training=True))
    infer = keras.ops.convert_to_numpy(layer(x, training=False))
    print(
        f"  convlstm zeros on ones: training={int((train == 0).sum())}/{train.size}, "
        f"inference={int((infer == 0).sum())}/{infer.size}, "
        f"outputs differ={not np.allclose(train, infer)}"
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--zeros", action="store_true", help="count zeros from ConvLSTM2D in training mode"
    )
    args = parser.parse_args(argv)

    import keras

    version = keras.__version__
    backend = keras.backend.backend()
    out_dir = LEGACY_DIR / f"keras-{version}"
    if out_dir.exists():
        shutil.rmtree(out_dir)
    out_dir.mkdir(parents=True)
    print(f"Keras {version} on the {backend} backend -> {_rel(out_dir)}")

    problems = []
    for name, build in BUILDERS.items():
        model = build(keras)
        path = out_dir / f"{name}.keras"
        model.save(path)
        _check(keras, path, model, problems)
        if name == "seed2":
            _save_h5(keras, model, out_dir / "seed2.h5", problems)
        if name == "convlstm" and args.zeros:
            count_convlstm_zeros(keras, model)

    for problem in problems:
        print(f"PROBLEM: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
