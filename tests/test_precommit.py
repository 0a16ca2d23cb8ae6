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


# -- the README's recipes in a repository as models live in ----------------------------------------

LFS_POINTER = (
    "version https://git-lfs.github.com/spec/v1\n"
    "oid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\n"
    "size 48213\n"
)


def readme_block(heading: str) -> str:
    """The first ```yaml block under a README heading."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index(f"### {heading}\n") :]
    start = section.index("```yaml\n") + len("```yaml\n")
    return section[start : section.index("\n```", start)]


def ml_repository(folder: Path) -> Path:
    """A repository as ML projects keep models: a clean model, weights files (one with an upper
    case suffix), an unzipped .keras folder, and a gitignored checkpoints/ with a failing model."""
    import zipfile

    repo = repository(folder, {"model.keras": sample(CLEAN)})
    (repo / "weights").mkdir()
    shutil.copyfile(
        sample("notmodels/keras3_save_weights.weights.h5"), repo / "weights/m.weights.h5"
    )
    shutil.copyfile(sample("notmodels/tfkeras_save_weights.h5"), repo / "weights/OLD.H5")
    with zipfile.ZipFile(sample(CLEAN)) as zf:
        zf.extractall(repo / "exported")
    (repo / "checkpoints").mkdir()
    shutil.copyfile(sample(FAILING), repo / "checkpoints/epoch_3.keras")
    (repo / ".gitignore").write_text("checkpoints/\n")
    return repo


def test_readme_recipes_in_a_model_repository(hook_repo: Path, tmp_path: Path) -> None:
    """The pre-commit config and the CI command of the README, as written, pass on weights
    files, a model folder and a gitignored checkpoint folder; a Git LFS pointer fails them with
    the fix, until the project's configuration says to skip it."""
    repo = ml_repository(tmp_path / "user")
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=hook_repo, capture_output=True,
                          text=True, check=True).stdout.strip()  # fmt: skip
    config = readme_block("pre-commit").replace("https://github.com/droplint/droplint",
                                                str(hook_repo)).replace("REV", head)  # fmt: skip
    (repo / ".pre-commit-config.yaml").write_text(config)
    ci = next(line.split("run: ", 1)[1] for line in readme_block("GitHub Actions").splitlines()
              if "run: droplint" in line)  # fmt: skip
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "models")

    def hook() -> subprocess.CompletedProcess[str]:
        cmd = [sys.executable, "-m", "pre_commit", "run", "--all-files", "--verbose"]
        env = {**os.environ, **GIT_ENV, "PRE_COMMIT_HOME": str(tmp_path / "cache")}
        return subprocess.run(cmd, cwd=repo, env=env, capture_output=True, text=True, timeout=900)

    def ci_run() -> tuple[int, dict]:
        proc = run(*ci.split()[1:], cwd=repo)
        return proc.returncode, json.loads((repo / "droplint.sarif").read_text())

    proc = hook()
    assert proc.returncode == 0 and "Passed" in proc.stdout, proc.stdout + proc.stderr
    out = proc.stdout
    assert out.count("skipped: Keras weights only") == 3 and "weights/OLD.H5" in out  # + exported/
    assert "model.keras Keras" in out and "exported Keras" in out  # the folder, linted once
    assert out.count("exported Keras") == 1 and "checkpoints" not in out
    code, sarif = ci_run()
    assert code == 0 and sarif["runs"][0]["results"] == []

    big = repo / "big"
    big.mkdir()
    (big / "model.onnx").write_text(LFS_POINTER)  # a clone without `git lfs pull`
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "an LFS model")
    proc = hook()
    assert proc.returncode != 0 and "DL004" in proc.stdout and "git lfs pull" in proc.stdout
    code, sarif = ci_run()
    (result,) = sarif["runs"][0]["results"]
    assert code == 2 and result["ruleId"] == "DL004"
    uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "big/model.onnx"

    (repo / "droplint.toml").write_text('per-file-ignores = {"big/*" = ["DL004"]}\n')
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "models in LFS are not fetched here")
    assert hook().returncode == 0
    assert ci_run()[0] == 0
