"""Baselines: accept the findings a project has today and fail only on new ones.

`--write-baseline FILE` records every finding as (path, rule code, layer) with a count; paths are
relative to the baseline file's folder with forward slashes, so the file can be committed and
used from any checkout. `--baseline FILE` removes the findings it records (up to each entry's
count) and counts the entries that no longer occur: unmatched entries of files analysed in this
run, and entries of files that no longer exist. Files not analysed in a run (pre-commit passes
only the changed ones) say nothing either way. Unreadable inputs (DL001) are never recorded: they
are not findings about a model, and exit 2 until they are fixed or excluded.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from droplint.analysis import FileReport
from droplint.config import ConfigError

KIND = "droplint-baseline"
VERSION = 1

Key = tuple[str, str, str | None]  # (path, code, layer)


@dataclass
class BaselineResult:
    matched: int = 0  # findings the baseline accepted (not reported)
    new: int = 0  # findings not in it (reported)
    stale: int = 0  # recorded findings that no longer occur

    def to_dict(self) -> dict[str, int]:
        return {"matched": self.matched, "new": self.new, "stale": self.stale}


def write_baseline(path: Path, reports: list[FileReport]) -> int:
    """Record the findings of reports in path; returns how many."""
    folder = path.parent
    counts = Counter(_key(r.path, f.code, f.layer, folder) for r in reports for f in r.findings)
    entries = [
        {"path": p, "code": c, "layer": layer, "count": n}
        for (p, c, layer), n in sorted(counts.items(), key=lambda kv: _order(kv[0]))
    ]
    data = {"schema": KIND, "version": VERSION, "findings": entries}
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return sum(counts.values())


def apply_baseline(
    recorded: Counter[Key], folder: Path, reports: list[FileReport]
) -> BaselineResult:
    """Drop the recorded findings from reports, in place; count what is left.
    folder: the baseline file's folder, which its paths are relative to."""
    matcher = Matcher(recorded, folder)
    for report in reports:
        matcher.apply(report)
    return matcher.finish()


class Matcher:
    """apply_baseline one report at a time, as a streamed run hands them over (in any order:
    each finding only meets the entries of its own file)."""

    def __init__(self, recorded: Counter[Key], folder: Path) -> None:
        self.left, self.folder, self.result = recorded.copy(), folder, BaselineResult()
        self.analysed: set[str] = set()

    def apply(self, report: FileReport) -> None:
        """Drop the findings the baseline records from report, in place."""
        self.analysed.add(_relative(report.path, self.folder))
        kept = []
        for f in report.findings:
            key = _key(report.path, f.code, f.layer, self.folder)
            if self.left[key] > 0:
                self.left[key] -= 1
                self.result.matched += 1
            else:
                kept.append(f)
        self.result.new += len(kept)
        report.findings = kept

    def finish(self) -> BaselineResult:
        """The counts, stale entries included, once every report has been applied."""
        self.result.stale = sum(
            n
            for (p, _, _), n in self.left.items()
            if n > 0 and (p in self.analysed or not (self.folder / p).exists())
        )
        return self.result


def load_baseline(path: Path) -> Counter[Key]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read the baseline {path}: {exc.strerror or exc}") from exc
    except ValueError as exc:
        raise ConfigError(f"the baseline {path} is not valid JSON") from exc
    if not isinstance(data, dict) or data.get("schema") != KIND or data.get("version") != VERSION:
        raise ConfigError(f"{path} is not a droplint baseline (version {VERSION})")
    counts: Counter[Key] = Counter()
    for entry in data.get("findings", []):
        if not _valid(entry):
            raise ConfigError(f"{path}: a baseline entry needs path, code, layer and count")
        counts[(entry["path"], entry["code"], entry["layer"])] += entry["count"]
    return counts


def _valid(entry: Any) -> bool:
    return (
        isinstance(entry, dict)
        and isinstance(entry.get("path"), str)
        and isinstance(entry.get("code"), str)
        and (entry.get("layer") is None or isinstance(entry.get("layer"), str))
        and isinstance(entry.get("count"), int)
        and entry["count"] > 0
    )


def _key(path: str, code: str, layer: str | None, folder: Path) -> Key:
    return (_relative(path, folder), code, layer)


def _order(key: Key) -> tuple[str, str, str]:
    return key[0], key[1], key[2] or ""


def _relative(path: str, folder: Path) -> str:
    absolute, base = os.path.abspath(path), os.path.abspath(folder)
    try:
        rel = os.path.relpath(absolute, base)
    except ValueError:  # another drive (Windows)
        rel = absolute
    return rel.replace(os.sep, "/")
