"""Dropout sites per framework and version, on files the real frameworks wrote."""

from __future__ import annotations

import pytest
from conftest import analyze, sites_of

SEED2 = ["keras3/seed2.keras", "keras3/seed2.h5", "keras3/seed2_dir",
         "tfkeras/seed2.h5", "tfkeras/seed2_savedmodel"]  # fmt: skip


@pytest.mark.parametrize("rel", SEED2)
def test_seed_question_sites(rel: str) -> None:
    report = analyze(rel)
    out = sites_of(report, "dropout")["output"]
    assert (out.rate, out.masks, out.time_constant, out.shared_axes) == (0.25, None, False, [])
    lstm = sites_of(report, "lstm")
    x, h = lstm["gate-input"], lstm["gate-recurrent"]
    assert (x.param, x.rate, x.masks, x.time_constant) == ("dropout", 0.5, 4, True)
    assert (h.param, h.rate, h.masks, h.time_constant) == ("recurrent_dropout", 0.5, 4, True)
    assert x.effective_rate == pytest.approx(0.625)
    assert {s.active for s in report.sites} == {"training"}


def test_tf_keras_cudnn_eligible_lstm_masks_the_whole_sequence() -> None:
    x = sites_of(analyze("tfkeras/lstm_cudnn.h5"), "lstm")
    assert set(x) == {"gate-input"}
    assert (x["gate-input"].masks, x["gate-input"].time_constant) == (1, False)


@pytest.mark.parametrize(("rel", "masks"), [("tfkeras/lstm_relu_impl1.h5", 4),
                                            ("tfkeras/lstm_relu_impl2.h5", 1)])  # fmt: skip
def test_tf_keras_generic_path_follows_implementation(rel: str, masks: int) -> None:
    x = sites_of(analyze(rel), "lstm")["gate-input"]
    assert (x.masks, x.time_constant) == (masks, True)


def test_tf_keras_gru_reset_after_false_is_not_cudnn() -> None:
    report = analyze("tfkeras/gru_variants.h5")
    assert sites_of(report, "gru_noreset")["gate-input"].time_constant is True
    assert sites_of(report, "gru_cudnn")["gate-input"].time_constant is False


def test_keras3_rnn_zoo_mask_counts() -> None:
    report = analyze("keras3/rnn_zoo.keras")
    gru = sites_of(report, "gru")
    assert (gru["gate-input"].masks, gru["gate-recurrent"].masks) == (3, 3)
    assert sites_of(report, "simple_rnn")["gate-input"].masks == 1
    for direction in ("bidi/forward_lstm", "bidi/backward_lstm"):
        x = sites_of(report, direction)["gate-input"]
        assert (x.masks, x.time_constant) == (1, True)  # no recurrent dropout: one shared mask
    assert sites_of(report, "stacked/stacked_cells/cell_a")["gate-input"].rate == 0.1
    assert set(sites_of(report, "stacked/stacked_cells/cell_b")) == {"gate-recurrent"}


@pytest.mark.parametrize("rel", ["keras3/convlstm.keras", "tfkeras/convlstm.h5"])
def test_convlstm_has_four_masks_each(rel: str) -> None:
    conv = sites_of(analyze(rel), "convlstm")
    assert (conv["gate-input"].masks, conv["gate-recurrent"].masks) == (4, 4)
    assert conv["gate-input"].active == "training"


def test_output_dropout_mask_structure() -> None:
    report = analyze("keras3/output_family.keras")
    sd = sites_of(report, "sdrop")["output"]
    assert sd.shared_axes == [1, 2]
    assert sites_of(report, "stoch_depth")["output"].shared_axes == [1, 2, 3]
    assert sites_of(report, "gauss")["output"].noise == "gaussian"
    assert sites_of(report, "alpha")["output"].noise == "alpha"
    assert sites_of(report, "d2")["output"].effective_rate == pytest.approx(0.44)


def test_time_distributed_dropout_is_per_timestep() -> None:
    site = sites_of(analyze("keras3/nested.keras"), "inner/td_drop/td_drop_inner")["output"]
    assert (site.time_constant, site.shared_axes) == (False, [])


@pytest.mark.parametrize(
    ("layer", "rate"), [("mha", 0.1), ("dot_att", 0.2), ("add_att", 0.15), ("gqa", 0.05)]
)
def test_attention_probability_dropout(layer: str, rate: float) -> None:
    site = sites_of(analyze("keras3/attention.keras"), layer)["attention"]
    assert (site.param, site.rate) == ("dropout", rate)


@pytest.mark.parametrize("rel", ["keras3/attention.keras", "tfkeras/mc_attention.h5"])
def test_training_true_makes_monte_carlo_dropout(rel: str) -> None:
    site = sites_of(analyze(rel), "mc_drop")["output"]
    assert site.active == "always"
    assert ("predict() passes training=False" in site.note) == rel.startswith("keras3")


@pytest.mark.parametrize(
    ("rel", "lost"),
    [("rules/tfkeras/dl205_ok_spatial_drop.h5", True), ("keras3/output_family.keras", False)],
)
def test_spatial_dropout_without_a_saved_data_format_says_so(rel: str, lost: bool) -> None:
    notes = [s.note for s in analyze(rel).sites if s.cls == "SpatialDropout2D"]
    assert notes and all(("saves no data_format" in n) is lost for n in notes)
