"""keras_hub models, which a file describes by their constructor arguments only: droplint's
sites (from its table, samples/make_hub_table.py) against the real model that keras_hub builds
from the saved file, in sizes and rates the table was not written with."""

from __future__ import annotations

import sys
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest
from frameworks import framework
from hubcheck import as_dropouts

from droplint.analysis import analyze_file

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
# Only while importing the table's maker: on sys.path, samples/torch/ would pass for torch (a
# namespace package) where torch is not installed.
sys.path.insert(0, str(SAMPLES))
try:
    from make_hub_table import FAMILIES, real_dropouts
finally:
    sys.path.remove(str(SAMPLES))

RATES = {"dropout": 0.15, "dropout_rate": 0.15, "attention_dropout": 0.05}


@pytest.fixture(scope="module")
def hub() -> ModuleType:
    framework("keras")
    return framework("keras_hub")


def build(hub: ModuleType, cls_name: str, kwargs: dict, rates: dict, task=None):
    """A model of the family, 3 layers deep, with the rates given to its dropout arguments."""
    import inspect

    import keras

    keras.backend.clear_session()

    def args(cls, base):
        names = inspect.signature(cls.__init__).parameters
        out = {**base, **{k: v for k, v in rates.items() if k in names}}
        if "num_layers" in names:
            out["num_layers"] = 3
        return out

    backbone_cls = getattr(hub.models, cls_name)
    backbone = backbone_cls(**args(backbone_cls, kwargs))
    if task is None:
        return backbone
    task_cls = getattr(hub.models, task[0])
    return task_cls(backbone=backbone, preprocessor=None, **args(task_cls, task[1]))


def cases() -> list[tuple[str, str, dict, tuple | None]]:
    out = []
    for family, (backbone, kwargs, tasks) in FAMILIES.items():
        out.append((family, backbone, kwargs, None))
        out += [(family, backbone, kwargs, task) for task in tasks[:1]]
    return out


@pytest.mark.parametrize("rates", [RATES, {}], ids=["dropout", "defaults"])
@pytest.mark.parametrize(("family", "backbone", "kwargs", "task"), cases(),
                         ids=lambda v: v if isinstance(v, str) else "")  # fmt: skip
def test_sites_are_the_real_models_dropouts(
    hub: ModuleType, tmp_path: Path, family: str, backbone: str, kwargs: dict, task, rates: dict
) -> None:
    model = build(hub, backbone, kwargs, rates, task)
    path = tmp_path / "model.keras"
    model.save(path)
    report = analyze_file(path)
    assert report.error is None and report.internal is None, report.error or report.trace
    assert not report.flow.unseen, "droplint does not model this class"
    real = real_dropouts(model, f"{model.name}/")
    assert as_dropouts(report, real) == real
    inputs = _inputs(model)
    assert inputs, "no inputs to run the model with"
    active = any(s.rate and s.active != "never" for s in report.sites)
    first = model(inputs, training=True)  # small outputs may repeat by chance: up to 30 tries
    random = any(not _same(first, model(inputs, training=True)) for _ in range(30))
    assert random is active


def _inputs(model) -> dict | None:
    """Inputs for one call of a backbone (tasks need their preprocessor's inputs)."""
    specs = {}
    for tensor in model.inputs if isinstance(model.inputs, list) else []:
        shape = [2 if d is None else d for d in tensor.shape]
        dtype = "int32" if "int" in str(tensor.dtype) else "float32"
        value = (
            np.ones(shape, dtype)
            if dtype == "int32"
            else np.random.default_rng(0).normal(size=shape).astype(dtype)
        )
        specs[tensor.name.split(":")[0]] = value
    names = getattr(model, "input_names", None) or list(specs)
    return {n: specs[n] for n in names if n in specs} or None


def _same(a, b) -> bool:
    flat_a, flat_b = _flat(a), _flat(b)
    return all(np.allclose(x, y) for x, y in zip(flat_a, flat_b, strict=True))


def _flat(x) -> list[np.ndarray]:
    if isinstance(x, dict):
        return [np.asarray(v) for _, v in sorted(x.items())]
    if isinstance(x, (list, tuple)):
        return [np.asarray(v) for v in x]
    return [np.asarray(x)]
