"""The installed command: output, JSON schema 1, exit codes, bad input."""

from __future__ import annotations

import json

import pytest
from conftest import run, run_json, sample

FILE_KEYS = {"path", "format", "producer", "model", "error", "layers", "sites", "coverage",
             "findings"}  # fmt: skip
SITE_KEYS = {"layer", "class", "where", "param", "rate", "masks", "time_constant", "shared_axes",
             "noise", "active"}  # fmt: skip


CATALOGUE = {
    "DL001": ("unreadable-model", "error"),
    "DL002": ("opaque-layer", "info"),
    "DL003": ("executable-layer", "warning"),
    "DL004": ("git-lfs-pointer", "error"),
    "DL101": ("stacked-dropout", "warning"),
    "DL102": ("double-masked-rnn-input", "warning"),
    "DL201": ("dropout-before-batchnorm", "warning"),
    "DL202": ("dropout-on-model-output", "error"),
    "DL203": ("dropout-on-integer-input", "error"),
    "DL204": ("per-timestep-dropout-before-rnn", "info"),
    "DL205": ("elementwise-dropout-on-feature-maps", "info"),
    "DL301": ("zero-rate-dropout", "warning"),
    "DL302": ("high-dropout-rate", "warning"),
    "DL303": ("invalid-dropout-rate", "error"),
    "DL401": ("recurrent-dropout-disables-cudnn", "warning"),
    "DL402": ("ineffective-rnn-dropout", "warning"),
    "DL403": ("rnn-dropout-active-at-inference", "error"),
    "DL501": ("dropout-active-at-inference", "error"),
    "DL502": ("inert-dropout-node", "info"),
    "DL503": ("inconsistent-dropout-modes", "warning"),
    "DL504": ("training-flag-forced", "warning"),
    "DL505": ("rnn-dropout-not-representable", "info"),
    "DL506": ("attention-dropout-not-gated", "error"),
    "DL507": ("dropout-lost-in-decomposition", "warning"),
    "DL601": ("no-dropout", "info"),
    "DL602": ("unregularized-layer", "info"),
}


def test_json_schema_1_on_the_seed_model() -> None:
    code, data = run_json(str(sample("keras3/seed2.keras")))
    assert code == 1  # warnings found, default fail level is warning
    assert data["schema"] == 1 and set(data) == {"schema", "droplint", "files", "summary"}
    (f,) = data["files"]
    assert set(f) >= FILE_KEYS
    assert f["producer"] == {"name": "keras", "version": "3.15.1"}
    assert all(set(s) >= SITE_KEYS for s in f["sites"])
    assert set(f["coverage"]) >= {"trainable", "covered", "layers"}  # schema 1, fields added
    assert data["summary"] == {"files": 1, "unreadable": 0, "error": 0, "warning": 2, "info": 1}
    dl102 = next(x for x in f["findings"] if x["code"] == "DL102")
    assert dl102["effective_rate"] == pytest.approx(0.625)


def test_clean_model_exits_0() -> None:
    assert run(str(sample("keras3/seed1.keras"))).returncode == 0


def test_fail_on_error_ignores_warnings() -> None:
    assert run(str(sample("keras3/seed2.keras")), "--fail-on", "error").returncode == 0


def test_unreadable_file_gives_dl001_exit_2_and_others_still_analysed() -> None:
    proc = run(str(sample("broken/truncated.h5")), str(sample("keras3/seed2.keras")),
               "--format", "json")  # fmt: skip
    assert proc.returncode == 2
    data = json.loads(proc.stdout)
    bad, good = data["files"]
    assert bad["error"]["code"] == "DL001" and "truncated" in bad["error"]["message"]
    assert [x["code"] for x in good["findings"]] == ["DL102", "DL204", "DL401"]
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize("rel", ["broken/random.h5", "notmodels/h5py_data.h5", "broken/empty.keras",
                                 "broken/bad_json.keras", "broken/no_config.keras"])  # fmt: skip
def test_bad_files_text_output(rel: str) -> None:
    proc = run(str(sample(rel)))
    assert proc.returncode == 2
    assert "DL001" in proc.stdout and "Traceback" not in proc.stdout + proc.stderr


def test_missing_path_is_dl001() -> None:
    proc = run("no/such/model.keras")
    assert proc.returncode == 2 and "no such file" in proc.stdout


def test_text_output_shows_the_map_and_summary() -> None:
    out = run(str(sample("keras3/seed2.keras"))).stdout
    for words in ("dropout", "lstm", "DL102", "DL401", "dropout reaches 1 of 3 trainable layers"):
        assert words in out


def test_bad_option_is_exit_2() -> None:
    assert run(str(sample("keras3/seed1.keras")), "--format", "yaml").returncode == 2


def test_rules_lists_every_code() -> None:
    proc = run("rules", "--format", "json")
    listed = {r["code"]: (r["name"], r["severity"]) for r in json.loads(proc.stdout)}
    assert listed == CATALOGUE


def test_explain_prints_the_rule_page() -> None:
    proc = run("explain", "DL102")
    assert proc.returncode == 0 and "double-masked-rnn-input" in proc.stdout
    assert run("explain", "DL999").returncode == 2


def test_python_dash_m_and_version() -> None:
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-m", "droplint", "--version"],
                          capture_output=True, text=True)  # fmt: skip
    assert proc.returncode == 0 and proc.stdout.startswith("droplint ")


@pytest.mark.parametrize("extra", [[], ["--tree"], ["--format", "github"], ["--format", "sarif"]])
def test_markup_in_names_and_paths_is_printed_as_text(tmp_path, extra: list[str]) -> None:
    """A layer named like rich markup, in a folder whose path holds "[/]", prints literally."""
    import zipfile

    folder = tmp_path / "br["
    folder.mkdir()
    model = folder / "]x.keras"
    with zipfile.ZipFile(sample("keras3/seed2.keras")) as src, zipfile.ZipFile(model, "w") as out:
        for name in src.namelist():
            data = src.read(name)
            if name == "config.json":  # a hand-edited config: the name a hostile file could hold
                data = data.replace(b'"dropout"', b'"[/]drop[bold]"')
            out.writestr(name, data)
    proc = run(str(tmp_path / "br[/]x.keras"), *extra)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert "[/]drop[bold]" in proc.stdout
    if not extra or extra == ["--tree"]:
        assert proc.stdout.startswith(f"{tmp_path}/br[/]x.keras Keras")


ESCAPES = "\x1b]0;title\x07\x1b[2J\u202eevil\nname"


def _keras_with_name(path, name: str) -> None:
    import zipfile

    with zipfile.ZipFile(sample("keras3/seed2.keras")) as src, zipfile.ZipFile(path, "w") as out:
        for member in src.namelist():
            data = src.read(member)
            if member == "config.json":
                data = data.replace(b'"dropout"', json.dumps(name).encode())
            out.writestr(member, data)


def _onnx_with_name(path, name: str) -> None:
    onnx = pytest.importorskip("onnx")
    from onnx import TensorProto, helper

    ratio = helper.make_tensor("ratio", TensorProto.FLOAT, [], [0.5])
    train = helper.make_tensor("train", TensorProto.BOOL, [], [True])
    node = helper.make_node("Dropout", ["x", "ratio", "train"], ["y"], name=name)
    graph = helper.make_graph(
        [node], "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4])], [ratio, train],
    )  # fmt: skip
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]), path)


@pytest.mark.parametrize("write", [_keras_with_name, _onnx_with_name])
def test_control_characters_in_names_never_reach_the_terminal(tmp_path, write) -> None:
    """Escape sequences, bidi overrides and newlines in a name are printed as visible \\u text."""
    model = tmp_path / ("m.onnx" if write is _onnx_with_name else "m.keras")
    write(model, ESCAPES)
    for extra in ([], ["--tree"], ["--format", "github"], ["--format", "json"]):
        proc = run(str(model), *extra)
        assert proc.returncode == 1, proc.stderr
        assert not any(c in proc.stdout for c in "\x1b\x07\u202e"), extra
        if extra != ["--format", "json"]:
            assert "\\u001b]0;title" in proc.stdout.replace("\n", "")


def test_control_characters_in_a_file_name_and_hdf5_attributes(tmp_path) -> None:
    h5py = pytest.importorskip("h5py")
    model = tmp_path / "evil\x1b[2J.h5"
    model.write_bytes(sample("tfkeras/seed2.h5").read_bytes())
    with h5py.File(model, "r+") as f:
        f.attrs["keras_version"] = "2.21\x1b]0;title\x07"
    proc = run(str(model))
    assert proc.returncode == 1 and "\x1b" not in proc.stdout + proc.stderr
    assert "evil\\u001b[2J.h5" in proc.stdout and "2.21\\u001b]0;title\\u0007" in proc.stdout
