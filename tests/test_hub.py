"""keras_hub models saved whole: the file holds only their constructor arguments, and droplint
maps them through its table of the release (droplint/formats/keras/hub/). The samples'
expected.json is what the real models held (samples/make_samples.py walks them when it saves);
tests/oracle/test_keras_hub_oracle.py checks other sizes and rates against keras_hub itself."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import SAMPLES
from hubcheck import as_dropouts

from droplint.analysis import analyze_file
from droplint.formats.keras import hub

HUB = SAMPLES / "hub"
EXPECTED = json.loads((HUB / "expected.json").read_text(encoding="utf-8"))
MODELLED = sorted(k for k in EXPECTED if not k.startswith("FNet"))


@pytest.mark.parametrize("name", MODELLED)
def test_sites_are_the_models_dropouts(name: str) -> None:
    report = analyze_file(HUB / name)
    assert report.error is None and report.internal is None
    assert not report.flow.unseen
    assert as_dropouts(report, EXPECTED[name]) == EXPECTED[name]


def test_every_family_of_the_table_has_a_sample() -> None:
    families = hub.table()["families"]
    assert len(families) == 19
    for classes in families.values():
        assert f"{classes[0]}.keras" in EXPECTED, classes[0]


def test_zero_dropout_families_say_so() -> None:
    """Llama's dropout defaults to 0: every site is there, off, and DL601 says the model has
    no dropout (what a user wants to know before fine-tuning)."""
    report = analyze_file(HUB / "LlamaBackbone.keras")
    assert report.sites and all(s.rate == 0 and s.active == "never" for s in report.sites)
    assert [f.code for f in report.findings] == ["DL601"]


def test_a_task_maps_its_backbone_under_its_own_name() -> None:
    report = analyze_file(HUB / "BertTextClassifier.keras")
    rates = {s.layer: (s.param, s.rate) for s in report.sites}
    assert rates["bert_text_classifier/classifier_dropout"] == ("dropout", 0.3)
    assert rates["bert_text_classifier/bert_backbone/embeddings_dropout"] == (
        "backbone.dropout", 0.2,
    )  # fmt: skip


def test_a_preset_folder_is_read_with_its_release(tmp_path: Path) -> None:
    report = analyze_file(HUB / "bert_preset")
    assert as_dropouts(report, EXPECTED["bert_preset"]) == EXPECTED["bert_preset"]
    other = tmp_path / "preset"
    shutil.copytree(HUB / "bert_preset", other)
    meta = json.loads((other / "metadata.json").read_text())
    meta["keras_hub_version"] = "0.20.0"  # edited: a release droplint has no table of
    (other / "metadata.json").write_text(json.dumps(meta))
    report = analyze_file(other)
    assert not report.sites and [u.layer for u in report.flow.unseen] == ["bert_backbone"]
    assert [f.code for f in report.findings] == ["DL002"]  # its dropout=0.1 is named


def test_a_task_of_another_release_names_its_backbones_dropout(tmp_path: Path) -> None:
    """The maker's BERT classifier preset (classifier dropout 0.3, backbone dropout 0.2) said
    to come from a release droplint has no table of: the task is unseen, with both settings
    named, the backbone's under its argument."""
    other = tmp_path / "preset"
    shutil.copytree(HUB / "bert_task_preset", other)
    meta = json.loads((other / "metadata.json").read_text())
    meta["keras_hub_version"] = "0.20.0"  # edited, as above
    (other / "metadata.json").write_text(json.dumps(meta))
    (unseen,) = analyze_file(other).flow.unseen
    assert unseen.settings == {"backbone.dropout": 0.2, "dropout": 0.3}


def test_a_task_preset_is_the_whole_task() -> None:
    """A preset saved from a task: task.json holds the task, its backbone inside."""
    report = analyze_file(HUB / "bert_task_preset")
    assert report.model == "bert_text_classifier"
    assert as_dropouts(report, EXPECTED["bert_task_preset"]) == EXPECTED["bert_task_preset"]


def test_keras_hub_layers_in_a_model_of_ones_own() -> None:
    """TokenAndPositionEmbedding -> Dropout(0.1) -> TransformerEncoder(dropout=0.2) -> Dense:
    the embedding carries weights (a trainable layer like Embedding), the encoder gets the
    Dropout on its input and its own dropouts inside."""
    report = analyze_file(HUB / "hub_layers.keras")
    coverage = {c.layer: (c.input_rate, c.internal_rate) for c in report.flow.coverage}
    assert coverage == {"embed": (0.0, 0.0), "encoder": (0.1, 0.2), "head": (0.0, 0.0)}


def test_a_family_without_a_template_is_unknown_not_absent() -> None:
    report = analyze_file(HUB / "FNetBackbone.keras")
    assert not report.sites and [u.cls for u in report.flow.unseen] == ["FNetBackbone"]
    assert "DL601" not in [f.code for f in report.findings]


def test_an_argument_of_another_release_is_unknown(tmp_path: Path) -> None:
    """A saved argument the table's release does not have: the file is from another one."""
    import zipfile

    src = HUB / "BertBackbone.keras"
    dst = tmp_path / "bert.keras"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item)
            if item.filename == "config.json":
                config = json.loads(data)
                config["config"]["new_in_some_release"] = True
                data = json.dumps(config).encode()
            zout.writestr(item, data)
    report = analyze_file(dst)
    assert not report.sites and report.flow.unseen[0].cls == "BertBackbone"
