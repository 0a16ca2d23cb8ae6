"""The real frameworks for the oracle tests. CI installs them (the `frameworks` extra) and sets
DROPLINT_REQUIRE_ORACLES=1, so there a missing framework fails instead of skipping."""

from __future__ import annotations

import importlib
import os
from types import ModuleType

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def framework(name: str) -> ModuleType:
    if os.environ.get("DROPLINT_REQUIRE_ORACLES"):
        return importlib.import_module(name)
    return pytest.importorskip(name)


@pytest.fixture(scope="session", params=["keras", "tf_keras"], name="K")
def both_kerases(request: pytest.FixtureRequest) -> ModuleType:
    """Keras 3 (TensorFlow backend) and tf-keras: each oracle runs in both."""
    module = framework(request.param)
    module.utils.set_random_seed(0)
    return module
