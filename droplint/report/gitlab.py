"""GitLab code quality: a Code Climate JSON array (artifacts: reports: codequality).

Severities: info -> info, warning -> minor, error -> major. GitLab's critical and blocker are not
used: no single dropout finding breaks a build the way they suggest, and an unreadable model
(DL001, an error) is major like any other error. The fingerprint is the same as SARIF's.
"""

from __future__ import annotations

import json
from typing import Any, TextIO

from droplint.analysis import FileReport
from droplint.report import Run
from droplint.report.issues import issues

SEVERITIES = {"info": "info", "warning": "minor", "error": "major"}


def to_list(reports: list[FileReport], root: str | None = None) -> list[dict[str, Any]]:
    return [
        {
            "type": "issue",
            "check_name": i.code,
            "description": f"{i.code} {i.name}{f' at {i.layer}' if i.layer else ''}: {i.message}",
            "categories": ["Bug Risk"],
            "severity": SEVERITIES[i.severity],
            "fingerprint": i.fingerprint,
            "location": {"path": i.path, "lines": {"begin": 1}},
        }
        for i in issues(reports, root)
    ]


def render(run: Run, out: TextIO) -> None:
    out.write(json.dumps(to_list(run.reports, run.root), indent=2) + "\n")
