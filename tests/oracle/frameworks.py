"""The real frameworks for the oracle tests, and what every Keras oracle does with them: save a
model the framework's way and read it with droplint. CI installs the frameworks (the
`frameworks` extra) and sets DROPLINT_REQUIRE_ORACLES=1, so there a missing one fails instead of
skipping."""

from __future__ import annotations

import importlib
import os
from pathlib import Path
from types import ModuleType

import pytest

from droplint.analysis import FileReport, analyze_file

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

RATE = 0.5
TOLERANCE = 0.04  # ~10 standard deviations of a zero fraction over >= 10k draws


def saved(K: ModuleType, model, tmp_path: Path) -> FileReport:
    path = tmp_path / ("model.h5" if K.__name__.startswith("tf_keras") else "model.keras")
    model.save(path)
    report = analyze_file(path)
    assert report.error is None, report.error
    return report


def gate(report: FileReport, where: str = "gate-input"):
    """The probe layer's ("rnn") one site of this kind."""
    (site,) = [s for s in report.sites if s.where == where and s.layer == "rnn"]
    return site


def framework(name: str) -> ModuleType:
    if os.environ.get("DROPLINT_REQUIRE_ORACLES"):
        module = importlib.import_module(name)
    else:
        module = pytest.importorskip(name)
    if getattr(module, "__file__", None) is None:  # a folder of that name on sys.path
        why = f"{name} is a folder on sys.path ({list(module.__path__)}), not the framework"
        pytest.fail(why) if os.environ.get("DROPLINT_REQUIRE_ORACLES") else pytest.skip(why)
    return module


@pytest.fixture(scope="session", params=["keras", "tf_keras"], name="K")
def both_kerases(request: pytest.FixtureRequest) -> ModuleType:
    """Keras 3 (TensorFlow backend) and tf-keras: each oracle runs in both."""
    module = framework(request.param)
    module.utils.set_random_seed(0)
    return module
