"""The pre-commit hook, run for real: `pre-commit try-repo` on a copy of this working tree.

try-repo needs a git repository with the hook manifest committed, so the project's files are
copied into a throw-away repository and committed there: the test sees uncommitted changes and
runs the same in CI. pre-commit installs the hook's environment itself (from the package index,
as pip does); the two runs below install it once each, which takes a while.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, run, sample

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git on PATH")

PROJECT = ["pyproject.toml", "README.md", ".pre-commit-hooks.yaml", "droplint", "rules"]
FAILING = "keras3/seed2.keras"  # warnings
CLEAN = "rules/keras3/dl601_ok_with_dropout.keras"
GIT_ENV = {
    f"GIT_{who}_{what}": value
    for who in ("AUTHOR", "COMMITTER")
    for what, value in (("NAME", "droplint tests"), ("EMAIL", "tests@droplint.invalid"))
}


def git(cwd: Path, *args: str) -> None:
    env = {**os.environ, **GIT_ENV}
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True)


def repository(folder: Path, files: dict[str, Path]) -> Path:
    folder.mkdir()
    for name, src in files.items():
        if src.is_dir():
            shutil.copytree(src, folder / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copyfile(src, folder / name)
    git(folder, "init", "-q")
    git(folder, "add", "-A")
    git(folder, "commit", "-q", "-m", "snapshot")
    return folder


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return repository(tmp_path_factory.mktemp("hook") / "droplint", {p: ROOT / p for p in PROJECT})


def try_repo(hook: Path, user: Path, model: str) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "pre_commit", "try-repo", str(hook), "droplint", "--files", model]
    env = {**os.environ, **GIT_ENV, "PRE_COMMIT_HOME": str(user.parent / "cache")}
    return subprocess.run(cmd, cwd=user, env=env, capture_output=True, text=True, timeout=900)


def test_the_clean_sample_is_clean() -> None:
    proc = run(str(sample(CLEAN)), "--format", "json")
    summary = json.loads(proc.stdout)["summary"]
    assert proc.returncode == 0 and summary["error"] == summary["warning"] == 0


def test_hook_fails_on_warnings(hook_repo: Path, tmp_path: Path) -> None:
    user = repository(tmp_path / "user", {"model.keras": sample(FAILING)})
    proc = try_repo(hook_repo, user, "model.keras")
    assert proc.returncode != 0, proc.stdout + proc.stderr
    assert "DL102" in proc.stdout and "Failed" in proc.stdout


def test_hook_passes_on_a_clean_model(hook_repo: Path, tmp_path: Path) -> None:
    user = repository(tmp_path / "user", {"model.keras": sample(CLEAN)})
    proc = try_repo(hook_repo, user, "model.keras")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Passed" in proc.stdout
