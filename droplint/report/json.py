"""JSON output, schema 1. Later versions add fields; they never rename these."""

from __future__ import annotations

import json
from typing import Any

from droplint import __version__
from droplint.analysis import FileReport

SCHEMA = 1


def summary(reports: list[FileReport]) -> dict[str, int]:
    counts = {"files": len(reports), "unreadable": sum(1 for r in reports if r.error)}
    for severity in ("error", "warning", "info"):
        counts[severity] = sum(1 for r in reports for f in r.findings if f.severity == severity)
    return counts


def to_dict(reports: list[FileReport]) -> dict[str, Any]:
    return {
        "schema": SCHEMA,
        "droplint": __version__,
        "files": [r.to_dict() for r in reports],
        "summary": summary(reports),
    }


def render(reports: list[FileReport]) -> str:
    return json.dumps(to_dict(reports), indent=2)
