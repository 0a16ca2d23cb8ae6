"""Baselines: accept today's findings, fail only on new ones, and say what no longer occurs."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import run

BASELINE = "droplint-baseline.json"


def project(tmp_path: Path, tmp_copy) -> Path:
    (tmp_path / "models").mkdir()
    tmp_copy("keras3/seed2.keras", "models/seed2.keras")  # 2 warnings, 1 info
    tmp_copy("keras3/output_family.keras", "models/family.keras")  # an error among others
    tmp_copy("keras3/seed1.keras", "models/seed1.keras")  # 1 info
    return tmp_path


def check(root: Path, *args: str) -> tuple[int, dict]:
    proc = run("models", "--baseline", BASELINE, "--format", "json", *args, cwd=root)
    return proc.returncode, json.loads(proc.stdout)


def test_round_trip(tmp_path: Path, tmp_copy) -> None:
    root = project(tmp_path, tmp_copy)
    write = run("models", "--write-baseline", BASELINE, cwd=root)
    assert write.returncode == 0, write.stderr
    recorded = json.loads((root / BASELINE).read_text())
    assert recorded["schema"] == "droplint-baseline" and recorded["version"] == 1
    entries = recorded["findings"]
    assert entries == sorted(entries, key=lambda e: (e["path"], e["code"], e["layer"] or ""))
    assert {e["path"] for e in entries} == {
        "models/seed2.keras", "models/family.keras", "models/seed1.keras"
    }  # fmt: skip
    assert {"path": "models/seed2.keras", "code": "DL102", "layer": "lstm", "count": 1} in entries
    total = sum(e["count"] for e in entries)

    # Nothing new: exit 0 although the models have warnings and an error.
    code, data = check(root)
    assert code == 0
    assert all(f["findings"] == [] for f in data["files"])
    assert data["summary"]["baseline"] == {"matched": total, "new": 0, "stale": 0}
    assert data["summary"]["error"] == data["summary"]["warning"] == 0

    # A new model: only its findings are reported.
    (root / "models/rnn.keras").write_bytes((root / "models/seed2.keras").read_bytes())
    code, data = check(root)
    assert code == 1
    reported = {f["path"]: [x["code"] for x in f["findings"]] for f in data["files"]}
    assert reported.pop("models/rnn.keras") == ["DL102", "DL204", "DL401"]
    assert all(codes == [] for codes in reported.values())
    assert data["summary"]["baseline"] == {"matched": total, "new": 3, "stale": 0}

    # A model removed: its entries no longer occur.
    (root / "models/rnn.keras").unlink()
    (root / "models/family.keras").unlink()
    family = sum(e["count"] for e in entries if e["path"] == "models/family.keras")
    code, data = check(root)
    assert code == 0
    assert data["summary"]["baseline"] == {"matched": total - family, "new": 0, "stale": family}
    text = run("models", "--baseline", BASELINE, cwd=root).stdout
    assert f"{family} no longer occur" in text and "Baseline:" in text


def test_paths_are_relative_to_the_baseline_file(tmp_path: Path, tmp_copy) -> None:
    root = project(tmp_path, tmp_copy)
    (root / "ci").mkdir()
    proc = run("models", "--write-baseline", "ci/baseline.json", cwd=root)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    paths = {e["path"] for e in json.loads((root / "ci/baseline.json").read_text())["findings"]}
    assert paths == {"../models/seed2.keras", "../models/family.keras", "../models/seed1.keras"}
    # Used from another folder, the same entries match.
    proc = run("seed2.keras", "--baseline", "../ci/baseline.json", cwd=root / "models")
    assert proc.returncode == 0, proc.stdout


def test_a_run_on_some_files_does_not_call_the_others_stale(tmp_path: Path, tmp_copy) -> None:
    root = project(tmp_path, tmp_copy)
    run("models", "--write-baseline", BASELINE, cwd=root)
    proc = run("models/seed1.keras", "--baseline", BASELINE, "--format", "json", cwd=root)
    assert json.loads(proc.stdout)["summary"]["baseline"] == {"matched": 1, "new": 0, "stale": 0}


def test_bad_baseline_is_exit_2(tmp_path: Path, tmp_copy) -> None:
    root = project(tmp_path, tmp_copy)
    assert "cannot read the baseline" in run("models", "--baseline", "nope.json", cwd=root).stderr
    (root / "bad.json").write_text('{"schema": "something-else"}')
    proc = run("models", "--baseline", "bad.json", cwd=root)
    assert proc.returncode == 2 and "not a droplint baseline" in proc.stderr
    proc = run("models", "--baseline", "bad.json", "--write-baseline", "b.json", cwd=root)
    assert proc.returncode == 2 and "not both" in proc.stderr
