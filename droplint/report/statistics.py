"""--statistics: how many findings of each rule, most frequent first (as ruff's)."""

from __future__ import annotations

from collections import Counter
from typing import TextIO

from droplint.report import Run
from droplint.report.issues import issues
from droplint.rules import RULES


def counts(run: Run) -> list[tuple[int, str, str]]:
    """(count, code, name) per rule that has findings; unreadable inputs count as theirs."""
    found = Counter(i.code for i in issues(run.reports))
    return [
        (n, code, _name(code)) for code, n in sorted(found.items(), key=lambda c: (-c[1], c[0]))
    ]


def render(run: Run, out: TextIO) -> None:
    rows = counts(run)
    width = max((len(str(n)) for n, _, _ in rows), default=1)
    for n, code, name in rows:
        out.write(f"{n:>{width}}  {code}  {name}\n")


def _name(code: str) -> str:
    return RULES[code].name if code in RULES else code
