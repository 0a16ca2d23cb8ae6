"""Shared helpers: the committed sample models and a way to run the installed command."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from droplint.analysis import FileReport, analyze_file

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"

# Markers by where a test lives (registered in pyproject.toml). The fast lane is what has none:
#     python -m pytest -m fast -n 2 --hypothesis-profile fast
MARKS = {
    "oracle": ("oracle",),  # runs the real frameworks (tests/oracle/)
    "test_picture_browser.py": ("browser", "slow"),  # headless Chromium
    "test_precommit.py": ("network", "slow"),  # pre-commit installs the hook from the index
    "test_wheel.py": ("slow",),  # builds and installs the wheel
    "hostile": ("slow",),  # one process per hostile file, with time and memory limits
}


LANES = {"slow", "oracle", "browser", "network"}

# Hypothesis profiles (`--hypothesis-profile NAME`, or HYPOTHESIS_PROFILE): CI draws 200 models
# per generated test, the fast lane 20, a long fuzzing run 20,000.
settings.register_profile(
    "ci", max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("fast", parent=settings.get_profile("ci"), max_examples=20)
settings.register_profile("long", max_examples=20_000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        for part in Path(item.fspath).relative_to(ROOT / "tests").parts:
            for mark in MARKS.get(part, ()):
                item.add_marker(mark)
        if not LANES & {m.name for m in item.iter_markers()}:
            item.add_marker("fast")


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


def rendered(name: str, reports: list[FileReport], width: int | None = None) -> str:
    """The output of renderer `name` for reports, as text (width: the terminal's, for views)."""
    from io import StringIO

    from droplint.report import Run, render

    out = StringIO()
    if width is None:
        render(name, Run(reports), out)
    else:
        from unittest import mock

        with mock.patch.dict("os.environ", {"COLUMNS": str(width)}):
            render(name, Run(reports), out)
    return out.getvalue()


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
