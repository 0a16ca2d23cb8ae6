"""Findings flattened for CI formats (SARIF, GitHub, GitLab): one record per finding, and one
per unreadable input, with a path relative to the repository and a fingerprint that stays the
same between runs.

Paths are relative to the root: --root, else the git work tree holding the current folder, else
the current folder; with forward slashes, `../` for a file outside it, never absolute. A model
folder is located at its own file (config.json, keras_metadata.pb, saved_model.pb), which code
scanning and GitLab can open. The fingerprint is the SHA-256 of (path, rule code, layer path):
none of them changes when a model is retrained or re-saved, so CI systems keep tracking the
same finding. Two findings with the same key in one file (rare) get an occurrence number
appended, the first one never.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from droplint.analysis import INTERNAL, FileReport, internal_message
from droplint.rules import RULES


@dataclass(frozen=True)
class Issue:
    path: str  # relative to the root, forward slashes
    code: str
    name: str
    severity: str  # info | warning | error
    layer: str | None
    message: str
    fingerprint: str


def issues(reports: list[FileReport], root: str | None = None) -> list[Issue]:
    out: list[Issue] = []
    base = Path(os.path.abspath(root)) if root else default_root()
    for report in reports:
        path = relative_path(report.location or report.path, base)
        seen: dict[tuple[str, str], int] = {}
        if report.internal:
            rows = [(INTERNAL, INTERNAL, "error", None, internal_message(report.internal))]
        elif report.error:
            code = report.error_code
            rows = [(code, RULES[code].name, RULES[code].severity, None, report.error)]
        else:
            rows = [(f.code, f.name, f.severity, f.layer, f.message) for f in report.findings]
        for code, name, severity, layer, message in rows:
            key = (code, layer or "")
            k = seen[key] = seen.get(key, -1) + 1
            mark = fingerprint(path, *key, k)
            out.append(Issue(path, code, name, severity, layer, message, mark))
    return out


def default_root() -> Path:
    """The git work tree holding the current folder (where CI runs), else the current folder."""
    from droplint.inputs import repository_root

    return repository_root(Path.cwd()) or Path.cwd()


def relative_path(path: str, root: Path) -> str:
    """The path relative to root, forward slashes; `../` to leave it, never absolute (but on
    another Windows drive, where no relative path exists)."""
    absolute = os.path.abspath(path)
    try:
        return Path(os.path.relpath(absolute, root)).as_posix()
    except ValueError:
        return Path(absolute).as_posix()


def fingerprint(path: str, code: str, layer: str, occurrence: int = 0) -> str:
    parts = [path, code, layer] + ([str(occurrence)] if occurrence else [])
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()
