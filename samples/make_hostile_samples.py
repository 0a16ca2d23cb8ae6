"""Write the hostile sample files that need a real framework (run with the frameworks installed).

samples/hostile/lambda_writes_file.h5: a tf-keras model whose Lambda layer, if it were ever run,
writes the file `droplint-lambda-ran` into the temp folder. tf-keras saves the lambda as
marshalled bytecode, and tf-keras's load_model runs it; droplint must only ever read the JSON.
"""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

OUT = Path(__file__).resolve().parent / "hostile"
MARKER = "droplint-lambda-ran"


def lambda_writes_file() -> None:
    import tf_keras as keras

    # Self-contained, so the marshalled bytecode needs nothing from this module to run.
    payload = lambda t: (  # noqa: E731
        __import__("pathlib")
        .Path(__import__("tempfile").gettempdir(), "droplint-lambda-ran")
        .write_text("ran"),
        t,
    )[1]
    inp = keras.Input((4,), name="x")
    x = keras.layers.Dense(4, name="dense")(inp)
    x = keras.layers.Lambda(payload, name="payload")(x)
    out = keras.layers.Dropout(0.2, name="drop")(x)
    keras.Model(inp, out, name="hostile").save(OUT / "lambda_writes_file.h5")


if __name__ == "__main__":
    OUT.mkdir(exist_ok=True)
    lambda_writes_file()
