"""Configuration from pyproject.toml / droplint.toml and the command line, run as the installed
command in a throw-away project folder."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import run, sample

from droplint.config import Config, ConfigError, expand, from_table


def project(tmp_path: Path, toml: str, name: str = "pyproject.toml") -> Path:
    (tmp_path / name).write_text(toml)
    models = tmp_path / "models"
    models.mkdir()
    for rel in ("keras3/seed2.keras", "keras3/attention.keras"):
        shutil.copyfile(sample(rel), models / Path(rel).name)
    return tmp_path


def findings(proc) -> list[tuple[str, str]]:
    data = json.loads(proc.stdout)
    return sorted((f["code"], f["severity"]) for r in data["files"] for f in r["findings"])


def test_pyproject_ignore_and_severity(tmp_path: Path) -> None:
    root = project(tmp_path, '[tool.droplint]\nignore = ["DL204"]\nseverity = {DL401 = "error"}\n')
    proc = run("models/seed2.keras", "--format", "json", cwd=root)
    assert findings(proc) == [("DL102", "warning"), ("DL401", "error")]
    assert proc.returncode == 1


def test_config_found_from_a_subfolder(tmp_path: Path) -> None:
    root = project(tmp_path, '[tool.droplint]\nselect = ["DL4"]\n')
    proc = run("seed2.keras", "--format", "json", cwd=root / "models")
    assert findings(proc) == [("DL401", "warning")]


def test_droplint_toml_wins_over_pyproject(tmp_path: Path) -> None:
    root = project(tmp_path, '[tool.droplint]\nselect = ["DL4"]\n')
    (root / "droplint.toml").write_text('select = ["DL102"]\n')
    proc = run("models/seed2.keras", "--format", "json", cwd=root)
    assert findings(proc) == [("DL102", "warning")]


def test_command_line_overrides_the_file(tmp_path: Path) -> None:
    root = project(tmp_path, '[tool.droplint]\nselect = ["DL4"]\nfail-on = "error"\n')
    proc = run("models/seed2.keras", "--select", "DL102,DL204", "--fail-on", "info",
               "--format", "json", cwd=root)  # fmt: skip
    assert findings(proc) == [("DL102", "warning"), ("DL204", "info")]
    assert proc.returncode == 1
    assert run("models/seed2.keras", cwd=root).returncode == 0  # fail-on error from the file


def test_fail_on_from_file_and_ignore_flag(tmp_path: Path) -> None:
    root = project(tmp_path, '[tool.droplint]\nfail-on = "error"\n')
    assert run("models/seed2.keras", cwd=root).returncode == 0
    assert run("models/seed2.keras", "--fail-on", "warning", cwd=root).returncode == 1
    proc = run("models/seed2.keras", "--ignore", "DL1", "--ignore", "DL4", "--format", "json",
               cwd=root)  # fmt: skip
    assert findings(proc) == [("DL204", "info")]


def test_per_file_ignores_and_mc_dropout(tmp_path: Path) -> None:
    root = project(
        tmp_path,
        '[tool.droplint]\nper-file-ignores = {"models/seed*.keras" = ["DL1", "DL2", "DL4"]}\n'
        'mc-dropout = ["mc_*"]\n',
    )
    proc = run("models/seed2.keras", "models/attention.keras", "--format", "json", cwd=root)
    assert findings(proc) == []  # seed2 silenced by path; attention's mc_drop is intended
    assert proc.returncode == 0


def test_explicit_config_file(tmp_path: Path) -> None:
    root = project(tmp_path, "")
    (root / "ci.toml").write_text('select = ["DL401"]\n')
    proc = run("models/seed2.keras", "--config", str(root / "ci.toml"), "--format", "json",
               cwd=root)  # fmt: skip
    assert findings(proc) == [("DL401", "warning")]


@pytest.mark.parametrize(
    ("toml", "words"),
    [
        ('[tool.droplint]\nselct = ["DL1"]\n', "unknown key(s) selct"),
        ('[tool.droplint]\nselect = ["DL999"]\n', "unknown rule code"),
        ('[tool.droplint]\nseverity = {DL302 = "fatal"}\n', "severity"),
        ("[tool.droplint]\nhigh-rate = 2\n", "high-rate"),
        ('[tool.droplint]\nfail-on = "sometimes"\n', "fail-on"),
        ("[tool.droplint\n", "cannot read"),
    ],
)
def test_bad_config_is_exit_2_with_one_line(tmp_path: Path, toml: str, words: str) -> None:
    root = project(tmp_path, toml)
    proc = run("models/seed2.keras", cwd=root)
    assert proc.returncode == 2
    assert words in proc.stderr and "Traceback" not in proc.stderr


def test_unknown_code_on_the_command_line_is_exit_2(tmp_path: Path) -> None:
    proc = run(str(sample("keras3/seed2.keras")), "--select", "DLX", cwd=tmp_path)
    assert proc.returncode == 2 and "unknown rule code" in proc.stderr


def test_selectors_expand_prefixes() -> None:
    assert expand(["DL10"]) == {"DL101", "DL102"}
    assert "DL602" in expand(["ALL"])
    with pytest.raises(ConfigError):
        expand(["E501"])


def test_dl602_is_off_by_default() -> None:
    assert "DL602" not in Config().enabled()
    assert "DL602" in from_table({"extend-select": ["DL602"]}).enabled()
