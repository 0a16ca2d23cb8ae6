"""The masks on the recurrent state h_t-1 (recurrent_dropout), checked against the frameworks:
how many independent masks, whether they stay the same at every step, and the rate."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import pytest
from frameworks import RATE, TOLERANCE, both_kerases, gate, saved  # noqa: F401  (fixture K)
from probes import independent_masks, is_tf_keras, observe_recurrent

CASES = [
    ("LSTM", {}),
    ("LSTM", {"implementation": 2}),
    ("GRU", {}),
    ("GRU", {"reset_after": False}),
    ("GRU", {"implementation": 2}),
    ("SimpleRNN", {}),
    ("ConvLSTM2D", {}),
]


def _args(K: ModuleType, kwargs: dict) -> dict:
    return kwargs if is_tf_keras(K) else {k: v for k, v in kwargs.items() if k != "implementation"}


@pytest.mark.parametrize(("layer", "kwargs"), CASES)
def test_recurrent_mask_rate_and_time_constancy(
    K: ModuleType, tmp_path: Path, layer: str, kwargs: dict
) -> None:
    model, seen = observe_recurrent(K, layer, RATE, **_args(K, kwargs))
    site = gate(saved(K, model, tmp_path), "gate-recurrent")
    assert site.rate == RATE and site.active == "training"
    assert abs(seen.zero_fraction - site.effective_rate) < TOLERANCE
    assert site.time_constant is seen.time_constant


@pytest.mark.parametrize(("layer", "kwargs"), [c for c in CASES if c[0] != "SimpleRNN"])
def test_number_of_recurrent_masks(K: ModuleType, tmp_path: Path, layer: str, kwargs: dict) -> None:
    model, seen = observe_recurrent(K, layer, RATE, two_gates=True, **_args(K, kwargs))
    site = gate(saved(K, model, tmp_path), "gate-recurrent")
    assert (site.masks > 1) is independent_masks(seen, RATE)
