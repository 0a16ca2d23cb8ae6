"""Everything that lists rules or formats agrees with the one place each is defined: the rule
registry (droplint.rules) and the format registry (droplint.formats). A drift fails here."""

from __future__ import annotations

import re

import pytest
from conftest import ROOT
from typer.testing import CliRunner

from droplint.cli import app
from droplint.formats import FORMATS, hook_pattern, suffixes
from droplint.rules import RULES

README = (ROOT / "README.md").read_text(encoding="utf-8")


def section_table(text: str, header: str) -> list[list[str]]:
    """The rows of the markdown table that starts with the header line."""
    start = text.index(header)
    rows = []
    for line in text[start:].splitlines()[2:]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip("|").split(" | ")])
    return rows


def test_readme_rule_table_is_the_generated_one() -> None:
    table = CliRunner().invoke(app, ["rules", "--format", "markdown"]).stdout
    assert table.strip() in README, "regenerate it: droplint rules --format markdown"
    codes = [row[0] for row in section_table(README, "| code | name | default severity")]
    assert codes == sorted(RULES)


def test_rules_json_lists_every_rule_with_its_metadata() -> None:
    import json

    data = json.loads(CliRunner().invoke(app, ["rules", "--format", "json"]).stdout)
    assert [d["code"] for d in data] == sorted(RULES)
    for d in data:
        rule = RULES[d["code"]]
        assert (d["name"], d["severity"], d["default"], d["summary"]) == (
            rule.name, rule.severity, rule.default, rule.summary,
        )  # fmt: skip
        assert d["options"] == [o.key for o in rule.options]


@pytest.mark.parametrize("code", sorted(RULES))
def test_rule_page_agrees_with_the_definition(code: str) -> None:
    rule = RULES[code]
    text = (ROOT / "rules" / f"{code}-{rule.name}.md").read_text(encoding="utf-8")
    lines = text.splitlines()
    assert lines[0] == f"# {rule.name} ({code})"
    off = "" if rule.default else " (off by default)"
    assert f"Default severity: **{rule.severity}**{off}" in lines[:4]
    options = re.search(r"^## Options\n(.*?)^## ", text, re.M | re.S)
    assert options, "the page has no Options section"
    documented = re.findall(r"^- `([a-z-]+)`", options.group(1), re.M)
    assert documented == [o.key for o in rule.options]


def test_readme_formats_table_is_the_registry() -> None:
    rows = section_table(README, "| format | what droplint reads |")
    assert {label.strip("`"): text for label, text in rows} == {
        label: text for fmt in FORMATS for label, text in fmt.labels.items()
    }


def test_pre_commit_hook_matches_the_registry() -> None:
    manifest = (ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
    (pattern,) = re.findall(r"^\s*files: '(.*)'$", manifest, re.M)
    assert pattern == hook_pattern()
    for name in ("m.H5", "a/b.keras", "x.ONNX", "saved/saved_model.pb", "m/config.json",
                 "config.json", "sm/keras_metadata.pb"):  # fmt: skip
        assert re.search(pattern, name), name
    for name in ("notes.txt", "myconfig.json", "m.keras.bak", "variables/variables.index"):
        assert not re.search(pattern, name), name


def test_readme_folder_search_names_the_registry_suffixes() -> None:
    for suffix in suffixes():
        assert f"`{suffix}`" in README


def test_no_rule_looks_at_the_format() -> None:
    """Rules ask the semantics (import-linter keeps format packages out of their imports)."""
    for path in (ROOT / "droplint" / "rules").glob("*.py"):
        code = path.read_text(encoding="utf-8")
        for needle in (r"\.format\b", r"\.producer\b", '"onnx"', '"keras"', "keras3", "tf_keras"):
            assert not re.search(needle, code), f"{path.name} reads {needle}"
