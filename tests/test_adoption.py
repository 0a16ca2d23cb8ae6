"""droplint in a real repository, as a new user meets it: files that are not models, Git LFS,
.gitignore, configuration found per file, folder models in CI formats, output to pipes and
logs, Ctrl-C, and a command line that says what is wrong. (The pre-commit hook itself, run for
real on such a repository: tests/test_precommit.py.)"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT, SAMPLES, droplint_command, run, sample

import droplint
from droplint.analysis import analyze_file

WEIGHTS = [
    "notmodels/tfkeras_save_weights.h5",
    "notmodels/keras3_save_weights.weights.h5",
    "notmodels/keras3_checkpoint.weights.h5",
    "keras3/seed2_dir/model.weights.h5",
]
FAILING = "keras3/seed2.keras"  # DL102, DL204, DL401
LFS = (
    "version https://git-lfs.github.com/spec/v1\n"
    "oid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\n"
    "size 48213\n"
)


def lint(*args: str, cwd: Path | None = None) -> tuple[int, dict]:
    proc = run(*args, "--format", "json", cwd=cwd)
    return proc.returncode, json.loads(proc.stdout)


def git_repo(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "init", "-q", str(folder)], check=True)
    return folder


# -- 1. files that are not models -------------------------------------------------------------


@pytest.mark.parametrize("rel", WEIGHTS)
def test_weights_files_are_skipped_not_errors(rel: str) -> None:
    proc = run(str(sample(rel)))
    assert proc.returncode == 0, proc.stdout
    assert "skipped: Keras weights only, no architecture: nothing to lint" in proc.stdout
    code, data = lint(str(sample(rel)))
    (report,) = data["files"]
    assert code == 0 and report["error"] is None and "weights only" in report["skipped"]
    assert data["summary"]["skipped"] == 1 and data["summary"]["unreadable"] == 0


def test_a_config_json_outside_a_model_folder_is_skipped(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text('{"model_type": "bert", "hidden_size": 8}')
    proc = run(str(tmp_path / "config.json"))
    assert proc.returncode == 0 and "outside a Keras model folder" in proc.stdout


@pytest.mark.parametrize("how", [["--ignore", "DL001"], ["--ignore", "unreadable-model"],
                                 ["--exit-zero"], ["--fail-on", "never"]])  # fmt: skip
def test_every_unreadable_input_can_be_made_non_blocking(how: list[str]) -> None:
    data_file = str(sample("notmodels/h5py_data.h5"))
    assert run(data_file).returncode == 2
    assert run(data_file, *how).returncode == 0


def test_per_file_ignores_skip_an_unreadable_file_with_its_reason(tmp_path: Path) -> None:
    shutil.copyfile(sample("notmodels/h5py_data.h5"), tmp_path / "data.h5")
    shutil.copyfile(sample(FAILING), tmp_path / "model.keras")
    (tmp_path / "droplint.toml").write_text('per-file-ignores = {"*.h5" = ["DL001"]}\n')
    code, data = lint(str(tmp_path))
    by_name = {Path(f["path"]).name: f for f in data["files"]}
    assert by_name["data.h5"]["skipped"].startswith("DL001 ignored: an HDF5 file")
    assert by_name["data.h5"]["error"] is None and code == 1  # model.keras still has findings


# -- 2. per-file-ignores given as a string ----------------------------------------------------


def test_per_file_ignores_as_a_string_is_one_code(tmp_path: Path) -> None:
    shutil.copyfile(sample(FAILING), tmp_path / "a.keras")
    shutil.copyfile(sample(FAILING), tmp_path / "b.keras")
    (tmp_path / "droplint.toml").write_text('per-file-ignores = {"*.keras" = "DL102"}\n')
    for jobs in ("1", "2"):
        proc = run(str(tmp_path), "--jobs", jobs, "--format", "concise")
        assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
        assert "DL102" not in proc.stdout and proc.stdout.count("DL401") == 2
    report = droplint.analyze(sample(FAILING), {"per-file-ignores": {"*.keras": "DL102"}})
    assert "DL102" not in {f.code for f in report.findings} and report.findings


# -- 3. Git LFS pointers ------------------------------------------------------------------------


def test_an_lfs_pointer_is_dl004_with_the_fix(tmp_path: Path) -> None:
    (tmp_path / "model.keras").write_text(LFS)
    code, data = lint(str(tmp_path / "model.keras"))
    (report,) = data["files"]
    assert code == 2 and report["error"]["code"] == "DL004"
    assert (
        "git lfs pull" in report["error"]["message"] and "lfs: true" in report["error"]["message"]
    )
    assert run(str(tmp_path / "model.keras"), "--ignore", "DL004").returncode == 0


def test_an_lfs_pointer_inside_a_model_folder(tmp_path: Path) -> None:
    folder = shutil.copytree(sample("keras3/seed2_dir"), tmp_path / "m")
    (folder / "config.json").write_text(LFS)
    code, data = lint(str(folder))
    assert code == 2 and data["files"][0]["error"]["code"] == "DL004"
    assert "config.json is a Git LFS pointer" in data["files"][0]["error"]["message"]


# -- 4. .gitignore ------------------------------------------------------------------------------


def test_folder_search_skips_what_git_ignores(tmp_path: Path) -> None:
    repo = git_repo(tmp_path / "repo")
    for rel in ("models/good.keras", "checkpoints/ckpt.keras", "wandb/run/m.keras",
                "models/tmp/keep.keras", "models/tmp/scratch.keras"):  # fmt: skip
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(sample(FAILING), repo / rel)
    (repo / ".gitignore").write_text("checkpoints/\nwandb/\n")
    (repo / "models" / ".gitignore").write_text("tmp/*\n!tmp/keep.keras\n")  # nested, negated
    found = {f["path"] for f in lint(".", cwd=repo)[1]["files"]}
    assert found == {"models/good.keras", "models/tmp/keep.keras"}
    everything = {f["path"] for f in lint(".", "--no-respect-gitignore", cwd=repo)[1]["files"]}
    assert len(everything) == 5
    (repo / "droplint.toml").write_text("respect-gitignore = false\n")
    assert len(lint(".", cwd=repo)[1]["files"]) == 5


def test_gitignore_counts_only_inside_a_repository(tmp_path: Path) -> None:
    shutil.copyfile(sample(FAILING), tmp_path / "m.keras")
    (tmp_path / ".gitignore").write_text("*.keras\n")
    if any((p / ".git").exists() for p in tmp_path.parents):
        pytest.skip("the temporary folder is inside a git work tree")
    assert len(lint(str(tmp_path))[1]["files"]) == 1


def test_force_exclude_leaves_files_in_the_current_folder_alone(tmp_path: Path) -> None:
    """The project's own folder is no excluded folder, even though "." matches ".*"."""
    shutil.copyfile(sample(FAILING), tmp_path / "m.keras")
    assert run("m.keras", "--force-exclude", cwd=tmp_path).returncode == 1
    (tmp_path / ".cache").mkdir()
    shutil.copyfile(sample(FAILING), tmp_path / ".cache" / "m.keras")
    assert run(".cache/m.keras", "--force-exclude", cwd=tmp_path).returncode == 0


def test_force_exclude_applies_to_named_files(tmp_path: Path) -> None:
    (tmp_path / "legacy").mkdir()
    shutil.copyfile(sample(FAILING), tmp_path / "legacy" / "old.keras")
    (tmp_path / "droplint.toml").write_text('extend-exclude = ["legacy"]\n')
    named = str(tmp_path / "legacy" / "old.keras")
    assert run(named).returncode == 1  # named files are linted ...
    assert run(named, "--force-exclude").returncode == 0  # ... unless force-exclude
    (tmp_path / "droplint.toml").write_text('extend-exclude = ["legacy"]\nforce-exclude = true\n')
    assert lint(named)[1]["files"] == []


# -- 6. model folders in CI formats and in the hook --------------------------------------------


@pytest.mark.parametrize(
    ("folder", "own"),
    [("keras3/seed2_dir", "config.json"), ("tfkeras/seed2_savedmodel", "keras_metadata.pb")],
)
def test_ci_formats_locate_a_model_folder_at_its_own_file(
    tmp_path: Path, folder: str, own: str
) -> None:
    repo = git_repo(tmp_path / "repo")
    shutil.copytree(sample(folder), repo / "m")
    sarif = json.loads(run(".", "--format", "sarif", cwd=repo).stdout)
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for r in sarif["runs"][0]["results"]}  # fmt: skip
    assert uris == {f"m/{own}"}
    gitlab = json.loads(run(".", "--format", "gitlab", cwd=repo).stdout)
    assert {i["location"]["path"] for i in gitlab} == {f"m/{own}"}


def test_a_model_folder_named_by_its_files_is_linted_once(tmp_path: Path) -> None:
    folder = shutil.copytree(sample("tfkeras/seed2_savedmodel"), tmp_path / "sm")
    code, data = lint(str(folder / "keras_metadata.pb"), str(folder / "saved_model.pb"))
    assert [f["path"] for f in data["files"]] == [str(folder)] and code == 1
    k3 = shutil.copytree(sample("keras3/seed2_dir"), tmp_path / "k3")
    _, data = lint(str(k3 / "config.json"), str(k3 / "model.weights.h5"))
    assert [(Path(f["path"]).name, f.get("skipped")) for f in data["files"]] == [
        ("k3", None), ("model.weights.h5", data["files"][1]["skipped"])]  # fmt: skip


# -- 7. configuration per file; paths relative to the repository --------------------------------


def test_config_is_found_from_the_linted_file_not_the_current_folder(tmp_path: Path) -> None:
    project = tmp_path / "proj"
    (project / "models").mkdir(parents=True)
    shutil.copyfile(sample(FAILING), project / "models" / "x.keras")
    (project / "pyproject.toml").write_text('[tool.droplint]\nignore = ["DL1", "DL2", "DL4"]\n')
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    code, data = lint(str(project / "models" / "x.keras"), cwd=elsewhere)
    assert code == 0 and data["files"][0]["findings"] == []


def test_each_input_has_its_own_config(tmp_path: Path) -> None:
    for name, ignore in (("a", "DL102"), ("b", "DL401")):
        (tmp_path / name).mkdir()
        shutil.copyfile(sample(FAILING), tmp_path / name / "m.keras")
        (tmp_path / name / "droplint.toml").write_text(f'ignore = ["{ignore}"]\n')
    _, data = lint(str(tmp_path / "a"), str(tmp_path / "b"))
    codes = [sorted(f["code"] for f in r["findings"]) for r in data["files"]]
    assert codes == [["DL204", "DL401"], ["DL102", "DL204"]]


def test_sarif_paths_are_relative_to_the_repository_from_any_subfolder(tmp_path: Path) -> None:
    repo = git_repo(tmp_path / "repo")
    (repo / "models").mkdir()
    shutil.copyfile(sample(FAILING), repo / "models" / "m.keras")
    text = run("m.keras", "--format", "sarif", cwd=repo / "models").stdout
    sarif = json.loads(text)
    (uri,) = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
              for r in sarif["runs"][0]["results"]}  # fmt: skip
    assert uri == "models/m.keras"
    assert str(tmp_path) not in text  # no absolute path anywhere
    rooted = json.loads(
        run("m.keras", "--format", "gitlab", "--root", ".", cwd=repo / "models").stdout
    )
    assert {i["location"]["path"] for i in rooted} == {"m.keras"}


# -- 8. Ctrl-C ----------------------------------------------------------------------------------


@pytest.mark.slow
def test_ctrl_c_stops_workers_at_once_with_one_line(tmp_path: Path) -> None:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from jobs import build_chain  # benchmarks/jobs.py: long ONNX graphs

    build_chain(tmp_path / "c0.onnx", 60_000)  # a third of a second each: 3 s of work
    for i in range(1, 18):
        shutil.copyfile(tmp_path / "c0.onnx", tmp_path / f"c{i}.onnx")
    cmd = [*droplint_command(), str(tmp_path), "--jobs", "2", "--format", "json"]
    default_sigint = lambda: signal.signal(signal.SIGINT, signal.SIG_DFL)  # noqa: E731
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True, preexec_fn=default_sigint)  # fmt: skip
    time.sleep(1.5)
    assert proc.poll() is None, "the run ended before it could be interrupted"
    os.killpg(proc.pid, signal.SIGINT)  # a terminal's Ctrl-C reaches the whole group
    started = time.perf_counter()
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130 and time.perf_counter() - started < 2
    assert err.decode().strip() == "droplint: interrupted"
    time.sleep(0.5)
    group = ["ps", "-o", "stat=,cmd=", "-g", str(proc.pid)]
    left = subprocess.run(group, capture_output=True, text=True).stdout.splitlines()
    running = [line for line in left if not line.startswith("Z")]  # zombies: killed, unreaped
    assert running == [], "worker processes outlived the run"


# -- 9. output when stdout is not a terminal ------------------------------------------------------


def test_piped_text_is_neither_wrapped_nor_padded(tmp_path: Path) -> None:
    long_name = tmp_path / ("a_model_with_a_name_much_longer_than_any_terminal_is_wide_" * 2)
    long_name.mkdir()
    shutil.copyfile(sample("keras3/attention.keras"), long_name / "m.keras")
    for args in ([str(long_name / "m.keras")], ["rules"], [str(long_name / "m.keras"), "--tree"]):
        out = run(*args).stdout
        assert all(line == line.rstrip() for line in out.splitlines()), args
        assert "…" not in out, args
    out = run(str(long_name / "m.keras")).stdout
    messages = [line for line in out.splitlines() if line.startswith("    '")]
    assert messages and all(len(line) > 100 for line in messages)  # one line per message
    assert "MultiHeadAttention" in out


def test_concise_quiet_and_statistics() -> None:
    model = str(sample(FAILING))
    concise = run(model, "--format", "concise").stdout.splitlines()
    assert concise[0].startswith(f"{model}:lstm: DL102 double-masked-rnn-input 'dropout'")
    assert len(concise) == 4 and concise[-1] == "Found: 1 file, 2 warnings, 1 info"
    quiet = run(model, "--quiet").stdout
    assert "DL102" in quiet and "layer " not in quiet and "Found" not in quiet
    assert "dropout reaches" not in quiet
    stats = run(model, str(sample("keras3/seed2.h5")), "--statistics").stdout.splitlines()
    assert [line.split() for line in stats] == [
        ["2", "DL102", "double-masked-rnn-input"],
        ["2", "DL204", "per-timestep-dropout-before-rnn"],
        ["2", "DL401", "recurrent-dropout-disables-cudnn"],
    ]


# -- 10. a strict, helpful command line ------------------------------------------------------------


def test_a_mistyped_command_is_not_linted_as_a_path(tmp_path: Path) -> None:
    proc = run("chek", "samples")
    assert proc.returncode == 2 and "did you mean `droplint check`" in proc.stderr
    assert proc.stdout == ""
    shutil.copyfile(sample(FAILING), tmp_path / "chek")  # a file of that name: a path
    assert run("chek", cwd=tmp_path).returncode == 1


def test_output_dash_is_stdout(tmp_path: Path) -> None:
    for args in (["-o", "-"], ["--output", "-"], ["check", "--output", "-"]):
        proc = run(*args, str(sample(FAILING)), "--format", "json", cwd=tmp_path)
        assert json.loads(proc.stdout)["files"] and not (tmp_path / "-").exists()


def test_an_empty_selection_is_an_error() -> None:
    proc = run(str(sample(FAILING)), "--select", "")
    assert proc.returncode == 2 and "select is empty" in proc.stderr


def test_rule_names_work_wherever_codes_do(tmp_path: Path) -> None:
    assert "# double-masked-rnn-input (DL102)" in run("explain", "double-masked-rnn-input").stdout
    _, data = lint(str(sample(FAILING)), "--ignore", "double-masked-rnn-input,DL4")
    assert [f["code"] for f in data["files"][0]["findings"]] == ["DL204"]
    (tmp_path / "droplint.toml").write_text(
        'severity = {"per-timestep-dropout-before-rnn" = "error"}\n'
    )
    shutil.copyfile(sample(FAILING), tmp_path / "m.keras")
    found = lint(str(tmp_path / "m.keras"))[1]["files"][0]["findings"]
    assert {f["code"]: f["severity"] for f in found}["DL204"] == "error"


def test_a_tool_droplint_header_in_droplint_toml_is_accepted(tmp_path: Path) -> None:
    shutil.copyfile(sample(FAILING), tmp_path / "m.keras")
    (tmp_path / "droplint.toml").write_text('[tool.droplint]\nignore = ["DL102"]\n')
    codes = {f["code"] for f in lint(str(tmp_path / "m.keras"))[1]["files"][0]["findings"]}
    assert codes == {"DL204", "DL401"}


@pytest.mark.parametrize(("line", "words"), [
    ("exclude = 3", "exclude must be a list of strings"),
    ('fail-on = ["error"]', "fail-on must be one of"),
    ("severity = []", "severity must be a table"),
    ('force-exclude = "yes"', "force-exclude must be true or false"),
    ('per-file-ignores = {"*.h5" = 7}', "per-file-ignores '*.h5' must be a list of strings"),
])  # fmt: skip
def test_config_type_errors_are_one_line_naming_the_key(
    tmp_path: Path, line: str, words: str
) -> None:
    shutil.copyfile(sample(FAILING), tmp_path / "m.keras")
    (tmp_path / "droplint.toml").write_text(line + "\n")
    proc = run(str(tmp_path / "m.keras"))
    assert proc.returncode == 2 and proc.stdout == ""
    assert words in proc.stderr and len(proc.stderr.strip().splitlines()) == 1, proc.stderr


def test_the_python_api_skips_weights_and_reports_lfs(tmp_path: Path) -> None:
    assert analyze_file(sample(WEIGHTS[0])).skipped
    (tmp_path / "m.onnx").write_text(LFS)
    report = analyze_file(tmp_path / "m.onnx")
    assert report.error_code == "DL004" and report.to_dict()["error"]["code"] == "DL004"


def test_the_samples_folder_scan_has_no_unreadable_weights() -> None:
    code, data = lint(str(SAMPLES / "notmodels"))
    assert data["summary"]["skipped"] == 3 and data["summary"]["unreadable"] == 1
    assert code == 2  # the data file is DL001


def test_sarif_links_every_rule_to_its_page() -> None:
    """[project.urls] declares the repository, so code scanning links each rule's page."""
    sarif = json.loads(run(str(sample(FAILING)), "--format", "sarif").stdout)
    driver = sarif["runs"][0]["tool"]["driver"]
    pages = {p.name.split("-", 1)[0]: p.name for p in (ROOT / "rules").glob("DL*.md")}
    for rule in driver["rules"]:
        assert rule["helpUri"].endswith(f"/blob/HEAD/rules/{pages[rule['id']]}"), rule["id"]
    assert driver["informationUri"].startswith("https://")
