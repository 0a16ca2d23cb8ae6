"""What droplint says about ONNX dropout, checked against onnxruntime with optimizations off:
a graph's outputs change from run to run exactly when droplint says a site is active always."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from frameworks import framework

from droplint.analysis import analyze_file

ONNX = Path(__file__).resolve().parents[2] / "samples" / "onnx"
FILES = sorted(ONNX.glob("*/*.onnx"))
TYPES = {"tensor(float)": np.float32, "tensor(double)": np.float64, "tensor(int64)": np.int64,
         "tensor(int32)": np.int32, "tensor(bool)": np.bool_}  # fmt: skip


def session(path: Path):
    ort = framework("onnxruntime")
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    try:
        return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    except Exception as exc:
        pytest.skip(f"onnxruntime cannot run {path.name}: {str(exc).splitlines()[0][:100]}")


def feed(sess, flag: bool) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(0)
    out = {}
    for inp in sess.get_inputs():
        shape = [d if isinstance(d, int) and d > 0 else 16 for d in inp.shape]
        dtype = TYPES[inp.type]
        if dtype is np.bool_:
            out[inp.name] = np.full(shape, flag, dtype=dtype)
        elif np.issubdtype(dtype, np.integer):
            out[inp.name] = np.ones(shape, dtype=dtype)
        else:
            out[inp.name] = rng.standard_normal(shape).astype(dtype)
    return out


def random_outputs(sess, inputs: dict[str, np.ndarray], runs: int = 30) -> bool:
    """Outputs differ between runs. Small outputs with a low rate can repeat a few times by
    chance, so it takes up to `runs` tries; identical outputs every time mean deterministic."""
    first = sess.run(None, inputs)
    for _ in range(runs - 1):
        again = sess.run(None, inputs)
        if any(
            not np.array_equal(np.asarray(a), np.asarray(b))
            for a, b in zip(first, again, strict=True)
        ):
            return True
    return False


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_random_exactly_where_droplint_says_always(path: Path) -> None:
    report = analyze_file(path)
    assert report.error is None
    actives = {s.active for s in report.sites}
    sess = session(path)
    if "unknown" in actives:  # training_mode fed at run time: random only when it is true
        assert random_outputs(sess, feed(sess, True))
        assert not random_outputs(sess, feed(sess, False))
        return
    assert random_outputs(sess, feed(sess, True)) is ("always" in actives), actives
