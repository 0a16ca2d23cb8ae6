"""`droplint rules` and `droplint explain` work from a wheel installed outside the source tree."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dist = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(dist), str(ROOT)],
        check=True, capture_output=True,
    )  # fmt: skip
    (wheel,) = dist.glob("droplint-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "droplint/pages/DL102-double-masked-rnn-input.md" in names
    target = tmp_path_factory.mktemp("site")
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target),
         str(wheel)],
        check=True, capture_output=True,
    )  # fmt: skip
    return target


def run_installed(target: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(target)}
    return subprocess.run(
        [sys.executable, "-m", "droplint", *args],
        capture_output=True, text=True, env=env, cwd=target.parent,
    )  # fmt: skip


def test_explain_from_the_wheel(installed: Path) -> None:
    proc = run_installed(installed, "explain", "DL102")
    assert proc.returncode == 0, proc.stderr
    assert "double-masked-rnn-input" in proc.stdout


def test_rules_from_the_wheel(installed: Path) -> None:
    proc = run_installed(installed, "rules")
    assert proc.returncode == 0 and "DL401" in proc.stdout


def test_the_wheel_is_what_runs(installed: Path) -> None:
    code = "import droplint, sys; print(droplint.__file__)"
    env = {**os.environ, "PYTHONPATH": str(installed)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         cwd=installed.parent).stdout  # fmt: skip
    assert out.startswith(str(installed))
