"""Run probes under another Keras install (an older Keras 3 release, torch backend) and print
what they observed as JSON. Used by test_legacy_oracle.py through that install's own python:

    python legacy_run.py JOBS_JSON   # [{"probe": "rnn", "out": "a.keras", "kwargs": {...}}, ...]
"""

from __future__ import annotations

import json
import os
import sys

os.environ.setdefault("KERAS_BACKEND", "torch")

import keras
import numpy as np
from probes import observe_convlstm, observe_recurrent, observe_rnn, rnn_model, run, set_simple

PROBES = {"rnn": observe_rnn, "recurrent": observe_recurrent, "convlstm": observe_convlstm}


def sane() -> bool:
    """Whether this release's RNN returns its cell's outputs: Keras 3.0's torch backend returns
    values outside tanh's range from a SimpleRNN with recurrent dropout, so no probe can work."""
    keras.utils.set_random_seed(0)
    model = rnn_model(keras, "SimpleRNN", 4, 6, dropout=0.5, recurrent_dropout=0.3)
    set_simple(model.get_layer("rnn"), 4)
    return bool((abs(run(model, np.ones((8, 6, 4), "float32"))) <= 1).all())


def main() -> None:
    if not sane():
        print(json.dumps({"keras": keras.__version__, "seen": None}))
        return
    seen = []
    for job in json.loads(sys.argv[1]):
        keras.utils.set_random_seed(0)
        model, observed = PROBES[job["probe"]](keras, **job["kwargs"])
        model.save(job["out"])
        seen.append({"zero_fraction": observed.zero_fraction,
                     "time_constant": observed.time_constant})  # fmt: skip
        keras.backend.clear_session()
    print(json.dumps({"keras": keras.__version__, "seen": seen}))


if __name__ == "__main__":
    main()
