"""SARIF 2.1.0, as GitHub code scanning accepts it (github/codeql-action/upload-sarif).

Every rule of the catalogue is listed in tool.driver.rules, in code order, so a rule's ruleIndex
is the same in every run. A model file has no lines: results point at line 1 of the file and name
the layer as a logical location. partialFingerprints carry droplint's own fingerprint (path, rule,
layer; see issues.py) twice: under "droplint/v1", and as primaryLocationLineHash, the key GitHub
matches alerts on; without it upload-sarif would hash the first "line" of the binary file, which
changes whenever the model is re-saved and is the same for every finding in the file.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import quote

from droplint import __version__
from droplint.analysis import INTERNAL, FileReport
from droplint.report import Run
from droplint.report.issues import Issue, issues

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {"error": "error", "warning": "warning", "info": "note"}
SRCROOT = "%SRCROOT%"


def to_dict(reports: list[FileReport], root: str | None = None) -> dict[str, Any]:
    from droplint.rules import RULES

    codes = sorted(RULES)
    index = {code: i for i, code in enumerate(codes)}
    urls = project_urls()
    home = urls.get("homepage") or urls.get("repository")
    driver = {
        "name": "droplint",
        "version": __version__,
        "semanticVersion": __version__,
        **({"informationUri": home} if home else {}),
        "rules": [_rule(code, urls.get("repository")) for code in codes],
    }
    found = issues(reports, root)
    run = {
        "tool": {"driver": driver},
        # %SRCROOT% is the checkout: code scanning resolves it; an absolute path would tie the
        # file to one machine.
        "originalUriBaseIds": {SRCROOT: {"description": {"text": "the repository root"}}},
        "results": [_result(i, index[i.code]) for i in found if i.code != INTERNAL],
        "columnKind": "unicodeCodePoints",
    }
    failures = [_notification(i) for i in found if i.code == INTERNAL]
    if failures:  # droplint's own bugs are not findings about a model
        run["invocations"] = [
            {"executionSuccessful": False, "toolExecutionNotifications": failures}
        ]
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def render(run: Run, out: TextIO) -> None:
    out.write(json.dumps(to_dict(run.reports, run.root), indent=2) + "\n")


def project_urls() -> dict[str, str]:
    """[project.urls] of the installed package, by lower-case label. None are invented: without
    them the SARIF has no informationUri / helpUri (both optional; the help text is complete)."""
    from importlib.metadata import PackageNotFoundError, metadata

    try:
        entries = metadata("droplint").get_all("Project-URL") or []
    except PackageNotFoundError:
        return {}
    pairs = (entry.partition(",") for entry in entries)
    return {label.strip().lower(): url.strip() for label, _, url in pairs if url.strip()}


def _rule(code: str, repository: str | None) -> dict[str, Any]:
    from droplint.pages import page, page_path
    from droplint.rules import RULES

    rule = RULES[code]
    text = page(code) or f"{rule.code} {rule.name}: {rule.summary}"
    path = page_path(code)
    rule_dict = {
        "id": code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": _what_it_does(text) or rule.summary},
        "help": {"text": text, "markdown": text},
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": {"tags": ["dropout"]},
    }
    if repository and path:
        rule_dict["helpUri"] = f"{repository.rstrip('/')}/blob/HEAD/rules/{path.name}"
    return rule_dict


def _what_it_does(page_text: str) -> str:
    """The page's "What it does" section as one paragraph of text."""
    match = re.search(r"^## What it does\s*$(.*?)(?=^## |\Z)", page_text, re.M | re.S)
    return " ".join(match.group(1).split()) if match else ""


def _result(issue: Issue, rule_index: int) -> dict[str, Any]:
    location: dict[str, Any] = {
        "physicalLocation": {"artifactLocation": _artifact(issue.path), "region": {"startLine": 1}}
    }
    if issue.layer:
        location["logicalLocations"] = [
            {"name": issue.layer.rsplit("/", 1)[-1], "fullyQualifiedName": issue.layer,
             "kind": "member"}
        ]  # fmt: skip
    return {
        "ruleId": issue.code,
        "ruleIndex": rule_index,
        "level": LEVELS[issue.severity],
        "message": {"text": issue.message},
        "locations": [location],
        "partialFingerprints": {
            "droplint/v1": issue.fingerprint,
            "primaryLocationLineHash": issue.fingerprint[:16],
        },
    }


def _notification(issue: Issue) -> dict[str, Any]:
    location = {"physicalLocation": {"artifactLocation": _artifact(issue.path)}}
    return {"level": "error", "message": {"text": issue.message}, "locations": [location]}


def _artifact(path: str) -> dict[str, str]:
    if path.startswith("/") or re.match(r"^[A-Za-z]:/", path):  # outside the current folder
        return {"uri": Path(path).as_uri()}
    return {"uri": quote(path, safe="/"), "uriBaseId": SRCROOT}
