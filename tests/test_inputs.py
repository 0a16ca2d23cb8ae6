"""Many inputs: folders searched for models, excludes, --jobs with deterministic output."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import ROOT, SAMPLES, rendered, run, sample

from droplint.batch import analyze_all
from droplint.config import Config
from droplint.inputs import collect


def tree(root: Path) -> Path:
    """A project with models where droplint should look and where it should not."""
    files = {
        "models/a.keras": "keras3/seed2.keras",
        "models/sub/b.h5": "tfkeras/seed2.h5",
        "models/sub/c.onnx": "onnx/torch/mlp_train_ts.onnx",
        "models/D.HDF5": "keras3/seed2.h5",
        ".hidden/x.keras": "keras3/seed2.keras",
        "venv/lib/x.keras": "keras3/seed2.keras",
        "env/lib/x.keras": "keras3/seed2.keras",  # a virtualenv by pyvenv.cfg
        "node_modules/x.onnx": "onnx/torch/mlp_train_ts.onnx",
        "__pycache__/x.h5": "tfkeras/seed2.h5",
        "legacy/old.h5": "tfkeras/seed2.h5",
    }
    for rel, src in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(sample(src), root / rel)
    (root / "env/pyvenv.cfg").write_text("home = /usr/bin\n")
    shutil.copytree(sample("keras3/seed2_dir"), root / "models/unzipped")
    shutil.copytree(sample("tfkeras/seed2_savedmodel"), root / "models/savedmodel")
    (root / "models/hf").mkdir()
    (root / "models/hf/config.json").write_text("{}")  # not a Keras folder: no metadata.json
    (root / "notes.txt").write_text("not a model")
    return root


def found(root: Path, paths: list[str], **settings: list[str]) -> list[str]:
    config = Config(root=root, **settings)
    inputs, _ = collect(paths, config)
    return [Path(p).relative_to(root).as_posix() for p in inputs]


MODELS = ["legacy/old.h5", "models/D.HDF5", "models/a.keras", "models/savedmodel",
          "models/sub/b.h5", "models/sub/c.onnx", "models/unzipped"]  # fmt: skip


def test_folders_are_searched_and_model_folders_are_one_input(tmp_path: Path) -> None:
    root = tree(tmp_path)
    assert found(root, [str(root)]) == MODELS


def test_extend_exclude_adds_and_exclude_replaces(tmp_path: Path) -> None:
    root = tree(tmp_path)
    assert found(root, [str(root)], extend_exclude=["legacy"]) == MODELS[1:]
    assert found(root, [str(root)], extend_exclude=["models/sub/*.onnx", "*.HDF5"]) == [
        m for m in MODELS if m not in ("models/sub/c.onnx", "models/D.HDF5")
    ]
    everything = found(root, [str(root)], exclude=[])
    assert {".hidden/x.keras", "venv/lib/x.keras", "node_modules/x.onnx", "__pycache__/x.h5"} < set(
        everything
    )
    assert "env/lib/x.keras" not in everything  # a folder with pyvenv.cfg is always a virtualenv


def test_explicit_files_are_always_analysed(tmp_path: Path) -> None:
    root = tree(tmp_path)
    hidden = str(root / ".hidden/x.keras")
    assert found(root, [hidden, str(root / "legacy")], extend_exclude=["*.keras"]) == [
        ".hidden/x.keras",
        "legacy/old.h5",
    ]


def test_excludes_from_pyproject_and_output_sorted(tmp_path: Path) -> None:
    root = tree(tmp_path)
    (root / "pyproject.toml").write_text('[tool.droplint]\nextend-exclude = ["models"]\n')
    proc = run(".", "--format", "json", cwd=root)
    assert [f["path"] for f in json.loads(proc.stdout)["files"]] == ["legacy/old.h5"]


@pytest.mark.parametrize("value", ["[1]", '{a = "b"}', "true"])
def test_bad_exclude_is_exit_2(tmp_path: Path, value: str) -> None:
    (tmp_path / "pyproject.toml").write_text(f"[tool.droplint]\nextend-exclude = {value}\n")
    proc = run(str(sample("keras3/seed1.keras")), cwd=tmp_path)
    assert proc.returncode == 2 and "extend-exclude must be a list of strings" in proc.stderr


def test_a_folder_without_models_says_so(tmp_path: Path) -> None:
    proc = run(str(tmp_path))
    assert proc.returncode == 0 and "no model files in" in proc.stderr


def test_workers_give_the_same_reports_in_the_same_order() -> None:
    paths, _ = collect([str(SAMPLES / "keras3"), str(SAMPLES / "onnx"), str(SAMPLES / "broken")],
                       Config())  # fmt: skip
    serial = analyze_all(paths, Config(), jobs=1)
    parallel = analyze_all(paths, Config(), jobs=2, warm_up=0)  # all of them in workers
    assert rendered("json", parallel) == rendered("json", serial)
    assert [r.path for r in parallel] == sorted(paths, key=lambda p: Path(p).parts)


def test_text_report_from_workers_names_wrapped_classes() -> None:
    paths = [str(sample("keras3/rnn_zoo.keras")), str(sample("keras3/nested.keras"))]
    text = rendered("text", analyze_all(paths, Config(), jobs=2, warm_up=0), width=200)
    assert "Bidirectional(LSTM)" in text
    assert "TimeDistributed(Dropout)" in text


def test_jobs_on_the_command_line_same_json() -> None:
    args = ["samples/keras3", "samples/onnx/torch", "--format", "json"]
    one = run(*args, "--jobs", "1", cwd=ROOT)
    two = run(*args, "--jobs=2", cwd=ROOT)
    assert one.returncode == two.returncode == 1
    assert one.stdout == two.stdout
    assert one.stderr == two.stderr == ""  # no progress bar outside a terminal
    assert run(*args, "--jobs", "0", cwd=ROOT).returncode == 2


def test_the_progress_bar_only_for_a_person_at_a_terminal(monkeypatch) -> None:
    from droplint import batch

    monkeypatch.setattr(batch.sys.stderr, "isatty", lambda: True, raising=False)
    monkeypatch.delenv("CI", raising=False)
    bar = batch.Progress(batch.PROGRESS_FILES + 1)  # many files: shown from the start
    assert bar.bar is not None
    bar.advance(3)
    assert bar.bar.tasks[0].completed == 3
    bar.close()
    monkeypatch.setenv("CI", "true")
    assert batch.Progress(batch.PROGRESS_FILES + 1).bar is None
    monkeypatch.delenv("CI")
    monkeypatch.setattr(batch.sys.stderr, "isatty", lambda: False, raising=False)
    assert batch.Progress(batch.PROGRESS_FILES + 1).bar is None  # a pipe


def test_a_few_files_get_the_bar_once_the_run_is_slow(monkeypatch) -> None:
    from droplint import batch

    monkeypatch.setattr(batch, "_interactive", lambda: True)
    few = batch.Progress(3)
    assert few.bar is None
    few.advance()
    assert few.bar is None  # quick so far
    monkeypatch.setattr(batch, "PROGRESS_SECONDS", 0.0)
    few.advance()
    assert few.bar is not None and few.bar.tasks[0].completed == 2
    few.close()


def test_small_files_travel_to_workers_in_groups(tmp_path: Path) -> None:
    from droplint import batch

    big = tmp_path / "big.onnx"
    big.write_bytes(b"\0" * batch.CHUNK_BYTES)
    small = tmp_path / "small.onnx"
    small.write_bytes(b"\0" * 1000)
    paths = [str(big)] + [str(small)] * (batch.CHUNK_FILES + 2)
    chunks = batch._chunks(paths)
    assert chunks[0] == [0]  # the largest alone and first
    assert [len(c) for c in chunks[1:]] == [batch.CHUNK_FILES, 2]
    assert sorted(i for c in chunks for i in c) == list(range(len(paths)))
