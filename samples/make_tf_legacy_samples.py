"""SavedModels written by TensorFlow 2.4 (tf.keras 2.4): no keras_metadata.pb, the layer
configs live in the object graph of saved_model.pb. Run with TensorFlow 2.4 (Python 3.8):

    python3.8 -m venv /tmp/tf24 && /tmp/tf24/bin/pip install tensorflow-cpu==2.4.4 "h5py<3"
    /tmp/tf24/bin/python samples/make_tf_legacy_samples.py

Writes samples/legacy/tf-<version>/: seed2_savedmodel (Embedding -> Dropout(0.25) ->
LSTM(32, dropout=0.5, recurrent_dropout=0.5) -> Dense, the seed model) and
plain_tf_savedmodel (tf.saved_model.save of a tf.Module: a SavedModel with no Keras in it).
"""

import os
import shutil
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import tensorflow as tf
from tensorflow import keras

HERE = Path(__file__).resolve().parent


def seed2():
    L = keras.layers
    tf.random.set_seed(1234)
    inp = keras.Input((10,), dtype="int32", name="tokens")
    x = L.Embedding(100, 16, name="embedding")(inp)
    x = L.Dropout(0.25, name="dropout")(x)
    x = L.LSTM(32, dropout=0.5, recurrent_dropout=0.5, name="lstm")(x)
    return keras.Model(inp, L.Dense(1, activation="sigmoid", name="dense")(x), name="seed2")


class Scale(tf.Module):
    def __init__(self):
        super().__init__()
        self.w = tf.Variable(2.0)

    @tf.function(input_signature=[tf.TensorSpec([None], tf.float32)])
    def __call__(self, x):
        return x * self.w


def main():
    out = HERE / "legacy" / f"tf-{tf.__version__}"
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    seed2().save(str(out / "seed2_savedmodel"))
    tf.saved_model.save(Scale(), str(out / "plain_tf_savedmodel"))
    for folder in sorted(out.iterdir()):
        size = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
        print(f"  wrote {folder.relative_to(HERE.parent)} ({size} bytes)")


if __name__ == "__main__":
    main()
