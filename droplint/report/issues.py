"""Findings flattened for CI formats (SARIF, GitHub, GitLab): one record per finding, and one
per unreadable input, with a repository-relative path and a fingerprint that stays the same
between runs.

The fingerprint is the SHA-256 of (path, rule code, layer path): none of them changes when a model
is retrained or re-saved, so CI systems keep tracking the same finding. Two findings with the
same key in one file (rare) get an occurrence number appended, the first one never.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from droplint.analysis import INTERNAL, FileReport, internal_message

UNREADABLE = ("DL001", "unreadable-model", "error")


@dataclass(frozen=True)
class Issue:
    path: str  # relative to the current folder with forward slashes, or absolute outside it
    code: str
    name: str
    severity: str  # info | warning | error
    layer: str | None
    message: str
    fingerprint: str


def issues(reports: list[FileReport]) -> list[Issue]:
    out: list[Issue] = []
    for report in reports:
        path = relative_path(report.path)
        seen: dict[tuple[str, str], int] = {}
        if report.internal:
            rows = [(INTERNAL, INTERNAL, "error", None, internal_message(report.internal))]
        elif report.error:
            code, name, severity = UNREADABLE
            rows = [(code, name, severity, None, report.error)]
        else:
            rows = [(f.code, f.name, f.severity, f.layer, f.message) for f in report.findings]
        for code, name, severity, layer, message in rows:
            key = (code, layer or "")
            k = seen[key] = seen.get(key, -1) + 1
            mark = fingerprint(path, *key, k)
            out.append(Issue(path, code, name, severity, layer, message, mark))
    return out


def relative_path(path: str) -> str:
    """The path relative to the current folder (the repository root in CI), forward slashes."""
    absolute = Path(os.path.abspath(path))
    try:
        return absolute.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return absolute.as_posix()


def fingerprint(path: str, code: str, layer: str, occurrence: int = 0) -> str:
    parts = [path, code, layer] + ([str(occurrence)] if occurrence else [])
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()
