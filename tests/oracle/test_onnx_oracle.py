"""What droplint says about ONNX dropout, checked against onnxruntime with optimizations off:
a graph's outputs change from run to run exactly when droplint says a site is active always;
at each site droplint names, the output measured over many runs drops the fraction of values
droplint gives as the rate, its mask is constant over exactly the axes droplint gives as shared,
dropped values take the value the noise kind says, and attention sites drop probabilities."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from frameworks import framework

from droplint.analysis import analyze_file
from droplint.formats.onnx.masks import BERNOULLI_BODY

ONNX = Path(__file__).resolve().parents[2] / "samples" / "onnx"
FILES = sorted(ONNX.glob("*/*.onnx"))
BERNOULLI = [p for p in FILES if b"Bernoulli" in p.read_bytes()]
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
    """Random data; every boolean input, and every overridable boolean initializer, set to flag."""
    rng = np.random.default_rng(0)
    out = {}
    for init in sess.get_overridable_initializers():
        if TYPES.get(init.type) is np.bool_:
            out[init.name] = np.full([d or 1 for d in init.shape], flag, dtype=np.bool_)
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
    random = random_outputs(sess, feed(sess, True))
    if random and "always" not in actives:  # allowed only where droplint says it cannot tell
        assert report.flow.unseen, actives
        return
    assert random is ("always" in actives), actives


RUNS = 200


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_each_site_drops_what_droplint_says(path: Path) -> None:
    """At each always-on site of the top graph: rate, shared axes, noise and attention,
    measured with onnxruntime on the site node's own output."""
    sites, model = probed(path)
    saved = path.parent / f".probe-{path.name}"
    try:
        framework("onnx").save(model, str(saved))
        sess = session(saved)
    finally:
        saved.unlink(missing_ok=True)
    names = [o.name for o in sess.get_outputs()]
    inputs = feed(sess, True)
    runs = [dict(zip(names, sess.run(None, inputs), strict=True)) for _ in range(RUNS)]
    for site, node in sites:
        ort_rate = 1 - site.rate if BERNOULLI_BODY in site.note and site.rate else site.rate
        check_site(site, node, runs, ort_rate)


@pytest.mark.parametrize("path", BERNOULLI, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_bernoulli_sites_follow_the_op_text(path: Path) -> None:
    """A Bernoulli mask's rate follows the op's text (onnx's reference evaluator draws 1 with
    probability p); the note droplint adds says what onnxruntime does instead."""
    sites, model = probed(path)
    sites = [(s, n) for s, n in sites if s.cls == "Bernoulli"]
    if not sites:
        pytest.skip("no Bernoulli site")
    framework("onnx")
    from onnx.reference import ReferenceEvaluator

    reference = ReferenceEvaluator(model)
    names = list(reference.output_names)
    inputs = {i.name: np.abs(np.random.default_rng(0).standard_normal(
        [d.dim_value for d in i.type.tensor_type.shape.dim]).astype(np.float32)) + 0.1
        for i in model.graph.input}  # fmt: skip
    runs = [dict(zip(names, reference.run(None, inputs), strict=True)) for _ in range(RUNS)]
    for site, node in sites:
        assert BERNOULLI_BODY in site.note
        check_site(site, node, runs, site.rate)


def probed(path: Path):
    """droplint's always-on sites in the top graph, with their ONNX nodes, and the model with
    each site node's output and data input added to the graph outputs."""
    onnx = framework("onnx")
    report = analyze_file(path)
    model = onnx.load(str(path))
    nodes = {n.name or n.output[0]: n for n in model.graph.node}
    sites = [(s, nodes[s.layer]) for s in report.sites if s.active == "always" and s.layer in nodes]
    if not sites:
        pytest.skip("no always-on site in the top graph")
    for _, node in sites:
        model.graph.output.append(onnx.ValueInfoProto(name=node.output[0]))
        model.graph.output.append(onnx.ValueInfoProto(name=node.input[0]))
    return sites, model


def check_site(site, node, runs: list[dict], rate: float | None) -> None:
    out = np.stack([r[node.output[0]] for r in runs]).astype(np.float64)
    data = np.stack([r[node.input[0]] for r in runs]).astype(np.float64)
    if site.noise == "gaussian":  # out = data * n, n ~ N(1, s): rate = s^2 / (1 + s^2)
        factor = out / np.where(data == 0, np.nan, data)
        var = np.nanvar(factor)
        assert var / (1 + var) == pytest.approx(site.rate, abs=0.02), (site.layer, var)
        return
    if site.noise == "additive":
        assert np.std(out - data) > 0, site.layer
        return
    dropped, valid = dropped_values(out, data if node.op_type == "Dropout" else None, site.noise)
    shared = tuple(a + 1 for a in site.shared_axes or [])  # axis 0 counts the runs
    if rate is not None:
        per_mask = dropped.any(axis=shared) if shared else dropped
        counted = valid.any(axis=shared) if shared else valid
        n = int(counted.sum())
        tolerance = 5 * (rate * (1 - rate) / n) ** 0.5 + 0.005
        measured = per_mask[counted].mean()
        assert measured == pytest.approx(rate, abs=tolerance), site.layer
    if site.shared_axes is not None:
        for axis in range(1, dropped.ndim):
            whole = dropped.any(axis=axis, keepdims=True)
            constant = bool(np.all((dropped == whole) | ~valid))
            if dropped.shape[axis] > 1:
                assert constant is (axis in shared), (site.layer, axis - 1)
    if site.where == "attention":  # what is dropped is a row of probabilities
        assert data.min() >= 0
        assert np.allclose(data.sum(axis=-1), 1.0, atol=1e-4), site.layer


def dropped_values(out: np.ndarray, data: np.ndarray | None, noise: str):
    """Which values the mask replaced, and where that can be seen: for bernoulli the zeros
    where the data is not zero (when the node's data input is known; else where the output
    is not zero in every run); for alpha noise the one value every dropped element takes
    (the most frequent: kept values of random data are all different)."""
    if noise == "alpha":
        values, counts = np.unique(out, return_counts=True)
        return out == values[np.argmax(counts)], np.ones(out.shape, dtype=bool)
    valid = np.broadcast_to(~np.all(out == 0, axis=0), out.shape)
    if data is not None:
        valid = valid & (data != 0)
    return (out == 0) & valid, valid
