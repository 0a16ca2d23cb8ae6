"""JSON output, schema 1. Later versions add fields; they never rename these."""

from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING, Any, TextIO

from droplint import __version__
from droplint.analysis import FileReport
from droplint.enums import Severity
from droplint.report import Run

if TYPE_CHECKING:
    from droplint.baseline import BaselineResult

SCHEMA = 1


def summary(reports: list[FileReport]) -> dict[str, int]:
    """Counts of the run; `internal` (droplint's own failures) only when there are any."""
    counts = {"files": len(reports), "unreadable": sum(1 for r in reports if r.error)}
    for severity in (Severity.ERROR, Severity.WARNING, Severity.INFO):
        counts[severity.value] = sum(
            1 for r in reports for f in r.findings if f.severity == severity
        )
    internal = sum(1 for r in reports if r.internal)
    if internal:
        counts["internal"] = internal
    skipped = sum(1 for r in reports if r.skipped)
    if skipped:
        counts["skipped"] = skipped
    remote = [r.fetched for r in reports if r.fetched is not None]
    if remote:  # what reading the URL inputs cost, all together
        counts["bytes_read"] = sum(remote)
    return counts


def to_dict(reports: list[FileReport], baseline: BaselineResult | None = None) -> dict[str, Any]:
    """The whole run; with --baseline, summary.baseline counts matched, new and stale findings."""
    counts: dict[str, Any] = summary(reports)
    if baseline is not None:
        counts["baseline"] = baseline.to_dict()
    return {
        "schema": SCHEMA,
        "droplint": __version__,
        "files": [r.to_dict() for r in reports],
        "summary": counts,
    }


def render(run: Run, out: TextIO) -> None:
    # One line: indent would switch json to its pure-Python encoder, ~10x slower on big graphs.
    out.write(strict(to_dict(run.reports, run.baseline)) + "\n")


def strict(data: Any) -> str:
    """JSON that strict parsers (jq) accept: a NaN or infinity that a model file smuggled into
    a value becomes null rather than the non-standard NaN / Infinity."""
    try:
        return json.dumps(data, allow_nan=False)
    except ValueError:
        return json.dumps(_finite(data), allow_nan=False)


def _finite(value: Any) -> Any:
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value
