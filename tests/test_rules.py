"""DL101, DL102, DL401 on real files: where they must fire and where they must not."""

from __future__ import annotations

import pytest
from conftest import analyze, codes

SEED2 = ["keras3/seed2.keras", "keras3/seed2.h5", "tfkeras/seed2.h5", "tfkeras/seed2_savedmodel"]


@pytest.mark.parametrize("rel", SEED2)
def test_seed2_double_mask_and_cudnn(rel: str) -> None:
    report = analyze(rel)
    assert codes(report) == [("DL102", "lstm"), ("DL204", "dropout"), ("DL401", "lstm")]
    dl102 = next(f for f in report.findings if f.code == "DL102")
    assert dl102.effective_rate == pytest.approx(0.625)
    assert dl102.related == ["dropout"]
    assert "LSTM(dropout=0.625)" in dl102.message


@pytest.mark.parametrize("rel", ["keras3/seed1.keras", "tfkeras/seed1.h5"])
def test_seed1_has_no_double_mask(rel: str) -> None:
    assert codes(analyze(rel)) == [("DL204", "dropout")]


def test_dl102_message_names_each_mask_structure() -> None:
    keras3 = next(f for f in analyze("keras3/seed2.keras").findings if f.code == "DL102")
    assert "a new mask for every element and timestep" in keras3.message
    assert "4 independent masks, one per gate (i, f, c, o)" in keras3.message


def test_dl102_through_time_distributed_dropout() -> None:
    report = analyze("tfkeras/rnn_zoo.h5")
    dl102 = [f for f in report.findings if f.code == "DL102"]
    assert [(f.layer, f.related) for f in dl102] == [("gru", ["td_drop/td_drop_inner"])]
    assert dl102[0].effective_rate == pytest.approx(1 - 0.8 * 0.8)


@pytest.mark.parametrize("rel", ["keras3/nested.keras", "tfkeras/nested.h5"])
def test_dl101_across_a_nested_model_boundary(rel: str) -> None:
    dl101 = [f for f in analyze(rel).findings if f.code == "DL101"]
    assert [(f.layer, f.related) for f in dl101] == [("after_block", ["block/block_drop"])]
    assert dl101[0].effective_rate == pytest.approx(1 - 0.8 * 0.9)


def test_dl101_through_reshape_but_not_through_add_or_weights() -> None:
    dl101 = [f for f in analyze("keras3/output_family.keras").findings if f.code == "DL101"]
    # d1 -> Reshape -> d2 compounds; stoch_depth -> Add and sdrop -> Conv2D end the series.
    assert [(f.layer, f.related) for f in dl101] == [("d2", ["d1"])]


@pytest.mark.parametrize("rel", ["keras3/rnn_zoo.keras", "tfkeras/rnn_zoo.h5"])
def test_dl401_only_on_cudnn_capable_layers(rel: str) -> None:
    # gru has recurrent_dropout; simple_rnn and the stacked GRUCell have it too but no cuDNN kernel.
    assert [layer for code, layer in codes(analyze(rel)) if code == "DL401"] == ["gru"]


@pytest.mark.parametrize("rel", ["keras3/convlstm.keras", "tfkeras/convlstm.h5"])
def test_dl401_never_on_convlstm(rel: str) -> None:
    assert codes(analyze(rel)) == []


def test_coverage_counts_trainable_layers_reached() -> None:
    report = analyze("keras3/seed2.keras")
    assert report.flow is not None
    table = {c.layer: (c.input_rate, c.internal_rate) for c in report.flow.coverage}
    assert table == {"embedding": (0.0, 0.0), "lstm": (0.25, 0.5), "dense": (0.0, 0.0)}
    assert report.flow.covered() == 1
