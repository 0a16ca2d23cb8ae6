"""Version-dependent semantics, on files saved by older Keras 3 releases (samples/legacy)."""

from __future__ import annotations

import pytest
from conftest import analyze, codes, sites_of

OLD = ["3.0.5", "3.3.3", "3.4.1", "3.7.0", "3.8.0"]


@pytest.mark.parametrize(("version", "masks"),
                         [("3.0.5", 1), ("3.3.3", 1), ("3.7.0", 1), ("3.8.0", 4)])  # fmt: skip
@pytest.mark.parametrize("ext", ["keras", "h5"])
def test_lstm_masks_per_gate_from_3_8(version: str, masks: int, ext: str) -> None:
    report = analyze(f"legacy/keras-{version}/seed2.{ext}")
    assert report.version == version
    lstm = sites_of(report, "lstm")
    assert (lstm["gate-input"].masks, lstm["gate-recurrent"].masks) == (masks, masks)
    assert lstm["gate-input"].time_constant is True


@pytest.mark.parametrize(("version", "expected"), [
    ("3.0.5", [("DL401", "lstm")]),  # 3.0-3.3 refuse cuDNN with any dropout
    ("3.3.3", [("DL401", "lstm")]),
    ("3.4.1", [("DL403", "lstm")]),  # 3.4-3.8 drop at inference on the cuDNN path
    ("3.7.0", [("DL403", "lstm")]),
    ("3.8.0", [("DL403", "lstm")]),
])  # fmt: skip
def test_lstm_input_dropout_by_release(version: str, expected: list) -> None:
    assert codes(analyze(f"legacy/keras-{version}/lstm_dropout_only.keras")) == expected


@pytest.mark.parametrize("version", OLD)
def test_gru_follows_the_same_releases(version: str) -> None:
    expected = "DL401" if version < "3.4" else "DL403"
    assert codes(analyze(f"legacy/keras-{version}/gru_dropout_only.keras")) == [(expected, "gru")]


@pytest.mark.parametrize("version", OLD)
def test_non_cudnn_lstm_is_neither(version: str) -> None:
    assert codes(analyze(f"legacy/keras-{version}/lstm_relu_dropout.keras")) == []


@pytest.mark.parametrize(("version", "ignored"),
                         [("3.0.5", True), ("3.3.3", True), ("3.4.1", True),
                          ("3.7.0", False), ("3.8.0", False)])  # fmt: skip
def test_convlstm_dropout_ignored_before_3_5(version: str, ignored: bool) -> None:
    report = analyze(f"legacy/keras-{version}/convlstm.keras")
    conv = sites_of(report, "convlstm")
    assert {s.active for s in conv.values()} == ({"never"} if ignored else {"training"})
    dl402 = sorted(f.layer for f in report.findings if f.code == "DL402")
    assert dl402 == (["convlstm", "convlstm"] if ignored else [])


def test_current_keras_has_none_of_the_old_problems() -> None:
    assert codes(analyze("keras3/convlstm.keras")) == []
    assert codes(analyze("keras3/rnn_zoo.keras")) == [("DL401", "gru")]
