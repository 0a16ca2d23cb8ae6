"""Shared helpers: the committed sample models and a way to run the installed command."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from droplint.analysis import FileReport, analyze_file

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"


def sample(rel: str) -> Path:
    path = SAMPLES / rel
    assert path.exists(), f"missing sample {rel}: run samples/make_samples.py"
    return path


def analyze(rel: str) -> FileReport:
    report = analyze_file(sample(rel))
    assert report.error is None, report.error
    return report


def sites_of(report: FileReport, layer: str) -> dict[str, Any]:
    """The sites of one layer, keyed by `where`."""
    found = {s.where: s for s in report.sites if s.layer == layer}
    assert found, f"no dropout site on {layer}: {[s.layer for s in report.sites]}"
    return found


def codes(report: FileReport) -> list[tuple[str, str | None]]:
    return sorted((f.code, f.layer) for f in report.findings)


def droplint_command() -> list[str]:
    exe = shutil.which("droplint", path=str(Path(sys.executable).parent))
    return [exe] if exe else [sys.executable, "-m", "droplint"]


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*droplint_command(), *args], capture_output=True, text=True, cwd=cwd, timeout=60
    )


def run_json(*args: str) -> tuple[int, dict[str, Any]]:
    proc = run(*args, "--format", "json")
    return proc.returncode, json.loads(proc.stdout)


@pytest.fixture
def tmp_copy(tmp_path: Path):
    """Copy a sample into tmp_path under a new name."""

    def copy(rel: str, name: str) -> Path:
        src, dst = sample(rel), tmp_path / name
        if src.is_dir():
            shutil.copytree(src, dst)
        else:
            shutil.copyfile(src, dst)
        return dst

    return copy
