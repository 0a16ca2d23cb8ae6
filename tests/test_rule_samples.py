"""Every rule fires on its real trigger sample and stays quiet on its near miss.

samples/rules/<framework>/<code>_hit_*.keras|h5 must produce <code>; <code>_ok_* must not.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import SAMPLES

from droplint.analysis import analyze_file
from droplint.config import Config, from_table
from droplint.rules import RULES

FILES = sorted(p for p in (SAMPLES / "rules").glob("*/dl*_*") if p.suffix in (".keras", ".h5"))
EVERY_RULE = from_table({"select": ["ALL"]})


def case(path: Path) -> tuple[str, str]:
    code, kind = path.name.split("_")[:2]
    return code.upper(), kind


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_rule_sample(path: Path) -> None:
    code, kind = case(path)
    report = analyze_file(path, EVERY_RULE)
    assert report.error is None, report.error
    hits = [f for f in report.findings if f.code == code]
    if kind == "hit":
        assert hits, f"{code} did not fire; got {[f.code for f in report.findings]}"
        assert all(f.message and f.severity == RULES[code].severity for f in hits)
    else:
        assert not hits, [f.message for f in hits]


def test_every_rule_with_a_check_has_a_hit_and_a_near_miss() -> None:
    seen = {case(p) for p in FILES}
    # DL101/DL102/DL401 are covered by the seed and zoo samples, DL402/DL403 by samples/legacy,
    # the ONNX rules by tests/test_onnx.py.
    elsewhere = {"DL101", "DL102", "DL401", "DL402", "DL403", "DL501", "DL502", "DL503", "DL505"}
    for code, rule in RULES.items():
        if rule.check is None or code in elsewhere:
            continue
        assert (code, "hit") in seen and (code, "ok") in seen, code


def test_dl602_needs_selecting() -> None:
    path = SAMPLES / "rules/keras3/dl602_hit_last_dense_unregularized.keras"
    assert not [f for f in analyze_file(path, Config()).findings if f.code == "DL602"]
    (finding,) = [f for f in analyze_file(path, EVERY_RULE).findings if f.code == "DL602"]
    assert finding.layer == "d3"


def test_keras_hub_backbone_is_opaque_with_its_dropout() -> None:
    report = analyze_file(SAMPLES / "rules/keras3/dl002_hit_bert_backbone.keras")
    (finding,) = [f for f in report.findings if f.code == "DL002"]
    assert "keras_hub>BertBackbone" in finding.message and "dropout=0.1" in finding.message


def test_keras_hub_transformer_encoder_is_modelled() -> None:
    report = analyze_file(SAMPLES / "rules/keras3/dl002_ok_transformer_encoder.keras")
    assert {(s.layer, s.where, s.rate) for s in report.sites} == {
        ("encoder", "attention", 0.1),
        ("encoder", "internal", 0.1),
    }


def test_invalid_noise_shape_message() -> None:
    report = analyze_file(SAMPLES / "rules/keras3/dl303_hit_noise_shape_mismatch.keras")
    (finding,) = [f for f in report.findings if f.code == "DL303"]
    assert "noise_shape [None, 3, 8] has 3 on axis 1, where the input has 10" in finding.message


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("keras3/dl303_hit_lstm_dropout_1_0.keras", "Keras RNN cells silently ignore it"),
        ("tfkeras/dl303_hit_lstm_dropout_1_0.h5", "training raises ValueError"),
        ("keras3/dl303_hit_dropout_1_0.keras", "drops everything in training (all zeros)"),
        ("tfkeras/dl303_hit_dropout_1_0.h5", "training raises ValueError"),
    ],
)
def test_a_rate_of_one_by_framework(path: str, words: str) -> None:
    """What a rate of 1 does differs by framework (tests/oracle check it against both)."""
    report = analyze_file(SAMPLES / "rules" / path)
    (finding,) = [f for f in report.findings if f.code == "DL303"]
    assert words in finding.message
