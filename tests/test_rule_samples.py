"""Every rule sample produces exactly the findings its maker declared, for every rule.

samples/make_samples.py builds samples/rules/<framework>/<code>_hit_*|<code>_ok_* and writes, for
each, the (code, layer) findings it must produce with all rules selected into
samples/rules/expected.json: a hit shows its rule, a near miss (ok) does not, and neither shows
any finding the maker did not expect.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import SAMPLES

from droplint.analysis import analyze_file
from droplint.config import Config, from_table
from droplint.rules import RULES

EXPECTED = json.loads((SAMPLES / "rules/expected.json").read_text(encoding="utf-8"))
FILES = sorted(p for p in (SAMPLES / "rules").glob("*/dl*_*") if p.suffix in (".keras", ".h5"))
EVERY_RULE = from_table({"select": ["ALL"]})


def case(path: Path) -> tuple[str, str]:
    code, kind = path.name.split("_")[:2]
    return code.upper(), kind


def test_every_sample_has_expected_findings() -> None:
    assert sorted(EXPECTED) == sorted(p.relative_to(SAMPLES / "rules").as_posix() for p in FILES)


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_rule_sample(path: Path) -> None:
    code, kind = case(path)
    expected = [tuple(f) for f in EXPECTED[path.relative_to(SAMPLES / "rules").as_posix()]]
    assert any(c == code for c, _ in expected) == (kind == "hit"), (
        "the manifest contradicts the name"
    )
    report = analyze_file(path, EVERY_RULE)
    assert report.error is None, report.error
    assert sorted((f.code, f.layer) for f in report.findings) == sorted(
        expected, key=lambda f: (f[0], f[1] or "")
    )
    for f in report.findings:
        assert f.message and f.severity == RULES[f.code].severity


def test_every_rule_with_a_check_has_a_hit_and_a_near_miss() -> None:
    """Keras rules by their rule samples; the rules about exported graphs, DL101/DL102/DL401 and
    the version-gated DL402/DL403 by samples named in their own tests."""
    seen = {case(p) for p in FILES}
    elsewhere = {
        "DL101": "tests/test_rules.py", "DL102": "tests/test_rules.py",
        "DL401": "tests/test_rules.py", "DL402": "tests/test_versions.py",
        "DL403": "tests/test_versions.py", "DL501": "tests/test_onnx.py",
        "DL502": "tests/test_onnx.py", "DL503": "tests/test_onnx.py", "DL505": "tests/test_onnx.py",
        "DL506": "tests/test_torch.py", "DL507": "tests/test_torch.py",
    }  # fmt: skip
    for code, rule in RULES.items():
        if rule.check is None:
            continue
        if code in elsewhere:
            text = (SAMPLES.parent / elsewhere[code]).read_text(encoding="utf-8")
            assert f'"{code}"' in text, f"{code} is not tested in {elsewhere[code]}"
            continue
        assert (code, "hit") in seen and (code, "ok") in seen, code


def test_dl602_needs_selecting() -> None:
    path = SAMPLES / "rules/keras3/dl602_hit_last_dense_unregularized.keras"
    assert not [f for f in analyze_file(path, Config()).findings if f.code == "DL602"]
    (finding,) = [f for f in analyze_file(path, EVERY_RULE).findings if f.code == "DL602"]
    assert finding.layer == "d3"


def test_an_unmodelled_keras_hub_backbone_is_opaque_with_its_dropout() -> None:
    report = analyze_file(SAMPLES / "rules/keras3/dl002_hit_unmodelled_hub_backbone.keras")
    (finding,) = [f for f in report.findings if f.code == "DL002"]
    assert "keras_hub>FNetBackbone" in finding.message and "dropout=0.1" in finding.message


def test_dropout_settings_go_by_the_names_libraries_give_them() -> None:
    """The maker's DropPathBlock: drop_path_rate=0.1 and attn_drop=0.2 (timm's names) are
    dropout settings droplint cannot place; decay_rate is none, set or not."""
    hit = analyze_file(SAMPLES / "rules/keras3/dl002_hit_drop_path_names.keras")
    assert [u.settings for u in hit.flow.unseen] == [{"drop_path_rate": 0.1, "attn_drop": 0.2}]
    ok = analyze_file(SAMPLES / "rules/keras3/dl002_ok_drop_path_off.keras")
    assert [(u.cls, u.settings) for u in ok.flow.unseen] == [("DropPathBlock", {})]


def test_a_merge_with_an_unseen_part_leaves_the_next_layer_unknown() -> None:
    """The maker's DropPathBlock (attn_drop=0.2) and a Dense, added, then the head: part of the
    head's input comes from a layer droplint cannot see into. It cannot tell, not "none"."""
    report = analyze_file(SAMPLES / "rules/keras3/dl002_hit_unseen_branch_merged.keras")
    (head,) = [c for c in report.flow.coverage if c.layer == "head"]
    assert head.input_unknown and head.input_rate == 0 and report.flow.uncertain() == 1


@pytest.mark.parametrize("rel", ["keras3/dl602_ok_frozen_layer.keras",
                                 "tfkeras/dl602_ok_frozen_layer.h5"])  # fmt: skip
def test_frozen_layers_are_not_counted_as_trainable(rel: str) -> None:
    """The maker froze f1 and f2 (trainable=False): coverage counts d1 and d2."""
    report = analyze_file(SAMPLES / "rules" / rel)
    assert [c.layer for c in report.flow.coverage] == ["d1", "d2"]


def test_keras_hub_transformer_decoder_is_modelled_on_one_sequence() -> None:
    """keras_hub's TransformerDecoder(dropout=0.15) called on its own sequence saves the
    shapes it was built for (decoder_/encoder_sequence_shape): still modelled, with the
    dropouts the loaded layer holds. Called with an encoder sequence too, its cross-attention
    is not in the table: unknown (the hit sample), not absent."""
    report = analyze_file(SAMPLES / "rules/keras3/dl002_ok_transformer_decoder.keras")
    assert sorted((s.layer, s.where, s.rate) for s in report.sites) == [
        ("decoder/feedforward_dropout", "internal", 0.15),
        ("decoder/self_attention", "attention", 0.15),
        ("decoder/self_attention_dropout", "internal", 0.15),
    ]


def test_a_sum_written_with_plus_in_tf_keras_is_a_merge() -> None:
    """The maker's two dropped branches (0.3, 0.2) summed by `a + b` (TFOpLambda): the head's
    input carries both parts, so at least the lower rate."""
    report = analyze_file(SAMPLES / "rules/tfkeras/dl101_ok_tf_add_of_dropouts.h5")
    (head,) = [c for c in report.flow.coverage if c.layer == "head"]
    assert head.input_rate == 0.2 and sorted(p.rate for p in head.parts) == [0.2, 0.3]


@pytest.mark.parametrize("rel", ["keras3/dl101_ok_stochastic_depth_layer.keras",
                                 "tfkeras/dl101_ok_stochastic_depth_layer.h5"])  # fmt: skip
def test_keras_applications_stochastic_depth_is_a_per_sample_dropout(rel: str) -> None:
    """The maker's StochasticDepth(0.1) (keras.applications.convnext's layer): an output
    dropout at 0.1 in training, one draw per sample (every other axis shares it)."""
    report = analyze_file(SAMPLES / "rules" / rel)
    (site,) = report.sites
    assert (site.layer, site.rate, site.active, site.shared_axes) == ("sd", 0.1, "training",
                                                                       [1, 2, 3])  # fmt: skip
    assert not report.flow.unseen


def test_keras_hub_transformer_encoder_is_modelled() -> None:
    """keras_hub's TransformerEncoder(dropout=0.1): attention dropout in its
    MultiHeadAttention, and Dropout layers after attention and after the feed-forward block."""
    report = analyze_file(SAMPLES / "rules/keras3/dl002_ok_transformer_encoder.keras")
    assert {(s.layer, s.where, s.rate) for s in report.sites} == {
        ("encoder/self_attention_layer", "attention", 0.1),
        ("encoder/self_attention_dropout", "internal", 0.1),
        ("encoder/feedforward_dropout", "internal", 0.1),
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


def test_a_rate_stored_as_text_is_invalid_not_a_crash() -> None:
    """samples/broken/rate_as_text.keras is seed2.keras with the Dropout rate edited to "0.25":
    DL303 names it, every other rule copes with an unknown rate."""
    report = analyze_file(SAMPLES / "broken/rate_as_text.keras", EVERY_RULE)
    assert report.internal is None, report.trace
    assert sorted((f.code, f.layer) for f in report.findings) == [
        ("DL102", "lstm"), ("DL204", "dropout"), ("DL303", "dropout"), ("DL401", "lstm"),
    ]  # fmt: skip
    (dl303,) = [f for f in report.findings if f.code == "DL303"]
    assert "rate='0.25' is not a number between 0 and 1" in dl303.message


def test_no_committed_sample_makes_droplint_fail() -> None:
    """Every rule on every committed model: droplint's own code never raises."""
    paths = [p for p in SAMPLES.rglob("*") if p.suffix in (".keras", ".h5", ".onnx")]
    assert len(paths) > 150
    for path in paths:
        report = analyze_file(path, EVERY_RULE)
        assert report.internal is None, (path, report.trace)


@pytest.mark.parametrize(("rel", "code", "related"), [
    # the softmax Dense the dropout sits on
    ("keras3/dl202_hit_softmax_output_drop.keras", "DL202", ["probs"]),
    ("keras3/dl202_hit_softmax_drop_dense.keras", "DL202", ["probs"]),
    # the parameter-free layer between the dropout and the model output
    ("keras3/dl202_hit_logits_drop_sigmoid.keras", "DL202", ["sigmoid"]),
    ("keras3/dl201_hit_conv_drop_relu_bn.keras", "DL201", ["bn"]),
    ("keras3/dl602_hit_last_dense_unregularized.keras", "DL602", ["d2"]),
    ("../keras3/output_family.keras", "DL101", ["d1"]),  # d1 -> Reshape -> d2
    ("../keras3/seed2.keras", "DL102", ["dropout"]),
])  # fmt: skip
def test_related_layers(rel: str, code: str, related: list[str]) -> None:
    """`related` names the other layers a finding is about, from the samples' structure."""
    report = analyze_file(SAMPLES / "rules" / rel, EVERY_RULE)
    (finding,) = [f for f in report.findings if f.code == code]
    assert finding.related == related
