"""Readers: every format is recognised by content and gives the saved config and version."""

from __future__ import annotations

import zipfile

import pytest
from conftest import sample

from droplint.analysis import analyze_file
from droplint.errors import UnreadableModel
from droplint.formats import read_model
from droplint.formats.keras.saved import producer_of


@pytest.mark.parametrize(
    ("rel", "fmt", "producer", "version"),
    [
        ("keras3/seed2.keras", "keras-zip", "keras", "3.15.1"),
        ("keras3/seed2.h5", "keras-h5", "keras", "3.15.1"),
        ("keras3/seed2_dir", "keras-dir", "keras", "3.15.1"),
        ("tfkeras/seed2.h5", "keras-h5", "tf-keras", "2.21.0"),
        ("tfkeras/seed2_savedmodel", "keras-savedmodel", "tf-keras", "2.21.0"),
    ],
)
def test_formats_and_versions(rel: str, fmt: str, producer: str, version: str) -> None:
    saved = read_model(sample(rel))
    assert (saved.format, saved.producer, saved.version) == (fmt, producer, version)
    assert saved.config["config"]["name"] == "seed2"


def test_savedmodel_tuples_become_lists() -> None:
    saved = read_model(sample("tfkeras/seed2_savedmodel"))
    first = saved.config["config"]["layers"][0]["config"]
    assert first["batch_input_shape"] == [None, 10]


def test_content_not_extension_decides(tmp_copy) -> None:
    h5_named_keras = tmp_copy("tfkeras/seed2.h5", "model.keras")
    zip_named_h5 = tmp_copy("keras3/seed2.keras", "model.h5")
    assert read_model(h5_named_keras).format == "keras-h5"
    assert read_model(zip_named_h5).format == "keras-zip"


@pytest.mark.parametrize(
    ("rel", "words"),
    [
        ("broken/empty.keras", "empty"),
        ("broken/random.h5", "content not recognised"),
        ("broken/truncated.h5", "truncated"),
        ("broken/truncated.keras", "zip"),
        ("notmodels/h5py_data.h5", "not Keras weights either"),
        ("broken/no_config.keras", "without config.json"),
        ("broken/bad_json.keras", "not valid JSON"),
    ],
)
def test_broken_files_raise_one_sentence(rel: str, words: str) -> None:
    with pytest.raises(UnreadableModel) as err:
        read_model(sample(rel))
    message = str(err.value)
    assert words in message
    assert "\n" not in message


def test_zip_bomb_is_refused_without_inflating(tmp_path) -> None:
    bomb = tmp_path / "bomb.keras"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("config.json", b" " * (65 * 1024 * 1024))
    assert bomb.stat().st_size < 1024 * 1024
    with pytest.raises(UnreadableModel, match=r"larger than 64 MiB \(limits.config-mib = 64"):
        read_model(bomb)


def test_deeply_nested_json_is_refused(tmp_path) -> None:
    deep = tmp_path / "deep.keras"
    with zipfile.ZipFile(deep, "w") as zf:
        zf.writestr("config.json", "[" * 100_000 + "]" * 100_000)
    with pytest.raises(UnreadableModel, match="nested too deeply"):
        read_model(deep)


def test_savedmodel_without_keras_metadata(tmp_copy) -> None:
    folder = tmp_copy("tfkeras/seed2_savedmodel", "exported")
    (folder / "keras_metadata.pb").unlink()
    with pytest.raises(UnreadableModel, match=r"keras_metadata\.pb"):
        read_model(folder)


@pytest.mark.parametrize(
    ("version", "producer"),
    [("3.15.1", "keras"), ("2.21.0", "tf-keras"), ("2.4.0", "tf-keras"), ("2.2.4-tf", "tf-keras"),
     ("2.3.1", "keras"), ("1.2.2", "keras"), (None, "keras")],
)  # fmt: skip
def test_producer_from_version(version: str | None, producer: str) -> None:
    assert producer_of(version) == producer


def test_tf_2_4_savedmodel_is_read_from_its_object_graph() -> None:
    """TensorFlow 2.4 wrote no keras_metadata.pb: the configs are in saved_model.pb."""
    report = analyze_file(sample("legacy/tf-2.4.4/seed2_savedmodel"))
    assert (report.format, report.producer, report.version) == (
        "keras-savedmodel", "tf-keras", "2.4.0",
    )  # fmt: skip
    assert {(s.layer, s.where, s.rate) for s in report.sites} == {
        ("dropout", "output", 0.25), ("lstm", "gate-input", 0.5),
        ("lstm", "gate-recurrent", 0.5),
    }  # fmt: skip


def test_a_savedmodel_without_keras_says_so() -> None:
    report = analyze_file(sample("legacy/tf-2.4.4/plain_tf_savedmodel"))
    assert report.error is not None and "without Keras layer configs" in report.error


@pytest.mark.parametrize("rel", [
    "legacy/tf-2.4.4/seed2_savedmodel/saved_model.pb",
    "tfkeras/seed2_savedmodel/keras_metadata.pb",
    "tfkeras/seed2_savedmodel/saved_model.pb",
    "keras3/seed2_dir/config.json",
])  # fmt: skip
def test_a_model_folders_own_file_reads_the_folder(rel: str) -> None:
    report = analyze_file(sample(rel))
    assert report.error is None and report.path.endswith(rel)
    assert {s.layer for s in report.sites} == {"dropout", "lstm"}


def test_folder_search_finds_legacy_savedmodels() -> None:
    from droplint.config import Config
    from droplint.inputs import collect

    found, _ = collect([str(sample("legacy/tf-2.4.4"))], Config())
    assert [p.rsplit("/", 1)[-1] for p in found] == ["plain_tf_savedmodel", "seed2_savedmodel"]
