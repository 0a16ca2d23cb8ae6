"""The Python API: droplint.analyze on paths, in-memory Keras models and ONNX ModelProtos."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
from conftest import ROOT, SAMPLES, sample

import droplint
from droplint.config import Config, ConfigError


def framework(name: str) -> ModuleType:
    """CI installs the frameworks and sets DROPLINT_REQUIRE_ORACLES: there, missing fails."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    if os.environ.get("DROPLINT_REQUIRE_ORACLES"):
        return importlib.import_module(name)
    return pytest.importorskip(name)


def same(a: droplint.Report, b: droplint.Report) -> None:
    assert a.error is None and b.error is None, (a.error, b.error)
    assert [s.to_dict() for s in a.sites] == [s.to_dict() for s in b.sites]
    assert [f.to_dict() for f in a.findings] == [f.to_dict() for f in b.findings]
    assert (a.producer, a.version) == (b.producer, b.version)


def test_import_droplint_stays_light() -> None:
    code = (
        "import sys, droplint; droplint.Report; "
        "print(sorted(m for m in sys.modules if m.startswith('droplint')))"
    )
    before = "import sys, droplint; print(sorted(m for m in sys.modules if m.startswith('drop')))"
    out = subprocess.run([sys.executable, "-c", before], capture_output=True, text=True, cwd=ROOT)
    assert out.stdout.strip() == "['droplint']"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert "droplint.api" in out.stdout


def test_path_and_report() -> None:
    report = droplint.analyze(sample("keras3/seed2.keras"))
    assert isinstance(report, droplint.Report)
    assert [f.code for f in report.findings] == ["DL102", "DL204", "DL401"]
    assert {s.layer for s in report.sites} == {"dropout", "lstm"}
    data = report.to_dict()  # one entry of the JSON output's "files"
    assert data["path"].endswith("seed2.keras") and len(data["findings"]) == 3
    assert droplint.analyze(str(sample("broken/truncated.h5"))).error


def test_config_as_dict_or_config() -> None:
    path = sample("keras3/seed2.keras")
    assert [f.code for f in droplint.analyze(path, {"select": ["DL4"]}).findings] == ["DL401"]
    config = Config(ignore=["DL204"], severity={"DL401": "error"})
    findings = droplint.analyze(path, config).findings
    assert [(f.code, f.severity) for f in findings] == [("DL102", "warning"), ("DL401", "error")]
    with pytest.raises(ConfigError):
        droplint.analyze(path, {"no-such-key": 1})
    with pytest.raises(TypeError):
        droplint.analyze(path, ["DL1"])  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        droplint.analyze(42)


def test_onnx_model_proto() -> None:
    onnx = pytest.importorskip("onnx")
    for path in sorted((SAMPLES / "onnx" / "torch").glob("*.onnx")):
        in_memory = droplint.analyze(onnx.load(str(path)))
        assert in_memory.path == "<memory>"
        same(in_memory, droplint.analyze(path))


def test_onnx_bytes_reader_refuses_garbage() -> None:
    from droplint.errors import UnreadableModel
    from droplint.formats.onnx.proto import read_onnx_bytes

    for data in (b"", b"\x08\x07\x12\xff\xff\xff"):
        with pytest.raises(UnreadableModel):
            read_onnx_bytes(data)


def builders() -> ModuleType:
    sys.path.insert(0, str(SAMPLES))
    try:
        return importlib.import_module("make_samples")
    finally:
        sys.path.remove(str(SAMPLES))


IN_MEMORY = [
    *[("keras", "keras", n, ".keras") for n in ("k3_seed2", "k3_output_family", "k3_nested",
                                                  "k3_rnn_zoo")],
    *[("tf_keras", "tf-keras", n, ".h5") for n in ("tk_seed2", "tk_nested", "tk_rnn_zoo",
                                                     "tk_mc_attention")],
]  # fmt: skip


@pytest.mark.oracle  # builds the models with the frameworks
@pytest.mark.parametrize(("module", "producer", "name", "suffix"), IN_MEMORY)
def test_a_model_in_memory_is_its_saved_file(
    module: str, producer: str, name: str, suffix: str, tmp_path: Path
) -> None:
    keras = framework(module)
    model = getattr(builders(), name)(keras)
    path = tmp_path / f"{name}{suffix}"
    model.save(path)
    report = droplint.analyze(model)
    assert report.producer == producer
    same(report, droplint.analyze(path))


def test_a_model_whose_config_fails_is_dl001() -> None:
    class Broken:
        def get_config(self) -> dict:
            raise NotImplementedError("subclassed model")

    report = droplint.analyze(Broken())
    assert report.error and "subclassed model" in report.error
