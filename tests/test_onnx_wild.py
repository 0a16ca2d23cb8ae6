"""ONNX files in the shapes found in the wild (samples/onnx/wild, written by torch's exporters,
onnxruntime's quantizer and onnx.helper): what droplint says against what the maker built.
The runtime measurements of the same files are in tests/test_measurements.py and
tests/oracle/test_onnx_oracle.py."""

from __future__ import annotations

import pytest
from conftest import SAMPLES, run

from droplint.analysis import FileReport, analyze_file
from droplint.config import from_table

WILD = SAMPLES / "onnx" / "wild"
ALL = from_table({"select": ["ALL"]})
F16, BF16 = 0.30004883, 0.30078125  # 0.3 as the nearest float16 / bfloat16


def report(name: str, config=ALL) -> FileReport:
    r = analyze_file(WILD / name, config)
    assert r.error is None, r.error
    return r


def site(name: str):
    (only,) = report(name).sites
    return only


@pytest.mark.parametrize(("name", "rate", "axes", "noise"), [
    # make_onnx_samples.py: conv -> nn.DropoutNd(0.3) -> conv on [N, C, *spatial], train()
    ("dropout1d_dynamo.onnx", 0.3, [2], "bernoulli"),
    ("dropout2d_dynamo.onnx", 0.3, [2, 3], "bernoulli"),
    ("dropout3d_dynamo.onnx", 0.3, [2, 3, 4], "bernoulli"),
    ("feature_alpha_dynamo.onnx", 0.3, [2, 3], "alpha"),
    ("alpha_dynamo.onnx", 0.3, [], "alpha"),
    # RandomUniformLike -> Less(u, 0.29) -> Where(m, 0, x) -> Div(0.71)
    ("where_mask.onnx", 0.29, [], "bernoulli"),
    # x * RandomNormalLike(x, mean 1, scale 0.5): GaussianDropout(rate) has stddev
    # sqrt(rate / (1 - rate)), so rate = 0.25 / 1.25
    ("gaussian_mul.onnx", 0.2, [], "gaussian"),
    ("gaussian_add.onnx", None, [], "additive"),
])  # fmt: skip
def test_random_mask_idioms(name: str, rate: float | None, axes: list, noise: str) -> None:
    s = site(name)
    assert (s.rate, s.shared_axes, s.noise, s.active) == (rate, axes, noise, "always")
    assert [f.code for f in report(name).findings if f.layer == s.layer] == ["DL501"]


@pytest.mark.parametrize(("name", "rate"), [
    ("ratio_float16.onnx", F16),
    ("ratio_float16_raw.onnx", F16),
    ("ratio_double.onnx", 0.3),
    ("ratio_bfloat16_cast.onnx", BF16),
    ("ratio_bfloat16_raw_cast.onnx", BF16),
    ("ratio_value_float.onnx", 0.3),
    ("mode_cast_constant.onnx", 0.3),
])  # fmt: skip
def test_constants_of_every_type_and_folded_through_casts(name: str, rate: float) -> None:
    s = site(name)
    assert s.rate == pytest.approx(rate, abs=1e-6) and s.active == "always"
    assert sorted(f.code for f in report(name).findings) == ["DL501"]  # no DL303


def test_an_initializer_listed_as_an_input_is_unknown() -> None:
    s = site("init_as_input.onnx")
    assert (s.rate, s.active) == (None, "unknown")
    assert report("init_as_input.onnx").flow.uncertain() == 1


@pytest.mark.parametrize(("name", "rate", "trainable"), [
    ("attention_dynamo.onnx", 0.1, 4),  # q, k, v and output projections
    ("attention_ts.onnx", 0.1, 4),
    ("attention_dynamo_q8.onnx", 0.1, 4),
    ("attention_ts_q8.onnx", 0.1, 4),
    ("mha_weights_dynamo.onnx", 0.2, 2),  # in_proj (one matrix for q, k, v) and out_proj
])  # fmt: skip
def test_attention_probabilities_are_not_output_dropout(
    name: str, rate: float, trainable: int
) -> None:
    r = report(name)
    (s,) = r.sites
    assert (s.rate, s.where, s.active) == (rate, "attention", "always")
    assert sorted(f.code for f in r.findings) == ["DL501"]  # no DL202
    assert len(r.flow.coverage) == trainable  # Q x K^T and probabilities x V carry no weights


def test_a_missing_producer_is_not_invented() -> None:
    assert report("no_producer.onnx").producer is None
    proc = run(str(WILD / "no_producer.onnx"), "--format", "json")
    assert '"producer": null' in proc.stdout
    assert "unknown producer" in run(str(WILD / "no_producer.onnx")).stdout


def test_dl505_is_off_by_default() -> None:
    lstm = SAMPLES / "onnx" / "torch" / "lstm_train_dynamo.onnx"
    assert "DL505" in {f.code for f in analyze_file(lstm, ALL).findings}
    assert "DL505" not in {f.code for f in analyze_file(lstm).findings}
