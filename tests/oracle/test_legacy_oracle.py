"""The version-gated claims, checked against older Keras 3 releases (torch backend).

Each release lives in its own virtualenv (see samples/legacy/README.md); set
DROPLINT_LEGACY_KERAS to the folder that holds them (keras-3.0.5/, keras-3.3.3/, ...). The probes
run there, in that release's python; droplint reads the files they saved. Not run in CI, which
installs only the current frameworks: without the variable these tests skip.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from probes import Observed, independent_masks

from droplint.analysis import analyze_file

HERE = Path(__file__).parent
ROOT = os.environ.get("DROPLINT_LEGACY_KERAS")
PYTHONS = sorted(Path(ROOT).glob("keras-*/bin/python")) if ROOT else []
RATE = 0.5

CASES = {
    "lstm_in": ("rnn", {"layer": "LSTM", "rate": RATE, "two_gates": True}),
    "lstm_in_rec": ("rnn", {"layer": "LSTM", "rate": RATE, "recurrent": 0.3, "two_gates": True}),
    "gru_in": ("rnn", {"layer": "GRU", "rate": RATE, "two_gates": True}),
    "gru_in_rec": ("rnn", {"layer": "GRU", "rate": RATE, "recurrent": 0.3, "two_gates": True}),
    "simple_time": ("rnn", {"layer": "SimpleRNN", "rate": RATE, "recurrent": 0.3}),
    "gru_time": ("rnn", {"layer": "GRU", "rate": RATE, "recurrent": 0.3}),
    "lstm_rec": ("recurrent", {"layer": "LSTM", "rate": RATE, "two_gates": True}),
    "gru_rec": ("recurrent", {"layer": "GRU", "rate": RATE, "two_gates": True}),
    "convlstm": ("convlstm", {"rate": RATE}),
}


@pytest.fixture(scope="module", params=PYTHONS, ids=lambda p: p.parent.parent.name)
def legacy(request: pytest.FixtureRequest, tmp_path_factory) -> dict[str, tuple[Path, Observed]]:
    """Every case run once under one release: the saved file and what the probe saw."""
    folder = tmp_path_factory.mktemp(request.param.parent.parent.name)
    jobs = [{"probe": probe, "out": str(folder / f"{name}.keras"), "kwargs": kwargs}
            for name, (probe, kwargs) in CASES.items()]  # fmt: skip
    env = {**os.environ, "KERAS_BACKEND": "torch", "PYTHONPATH": str(HERE)}
    proc = subprocess.run([str(request.param), str(HERE / "legacy_run.py"), json.dumps(jobs)],
                          capture_output=True, text=True, env=env, timeout=600)  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:]
    seen = json.loads(proc.stdout.strip().splitlines()[-1])["seen"]
    if seen is None:
        pytest.skip("this release's RNN outputs are not its cell's (see legacy_run.sane)")
    return {
        name: (Path(job["out"]), Observed(**s))
        for name, job, s in zip(CASES, jobs, seen, strict=True)
    }


def _site(path: Path, where: str):
    report = analyze_file(path)
    assert report.error is None, report.error
    (site,) = [s for s in report.sites if s.where == where]
    return site


if not PYTHONS:
    pytestmark = pytest.mark.skip(reason="DROPLINT_LEGACY_KERAS names no Keras 3 virtualenvs")


@pytest.mark.parametrize("case", ["lstm_in", "lstm_in_rec", "gru_in", "gru_in_rec"])
def test_gate_input_masks_by_release(legacy, case: str) -> None:
    path, seen = legacy[case]
    site = _site(path, "gate-input")
    assert (site.masks > 1) is independent_masks(seen, RATE), site.note


@pytest.mark.parametrize("case", ["lstm_rec", "gru_rec"])
def test_recurrent_masks_by_release(legacy, case: str) -> None:
    path, seen = legacy[case]
    site = _site(path, "gate-recurrent")
    assert (site.masks > 1) is independent_masks(seen, RATE), site.note


@pytest.mark.parametrize("case", ["simple_time", "gru_time"])
def test_time_constancy_by_release(legacy, case: str) -> None:
    path, seen = legacy[case]
    site = _site(path, "gate-input")
    assert site.time_constant is seen.time_constant
    assert abs(seen.zero_fraction - RATE) < 0.04


def test_convlstm_dropout_by_release(legacy) -> None:
    """Keras 3.0-3.4 ConvLSTM cells never applied their masks (DL402)."""
    path, seen = legacy["convlstm"]
    site = _site(path, "gate-input")
    applied = abs(seen.zero_fraction - RATE) < 0.04
    assert applied is (site.active == "training"), site.note
    assert applied or seen.zero_fraction == 0.0
