"""JSON Lines: one line per input, the very object the JSON format lists in "files" (schema 1).

Each line is written and flushed as soon as its input is done, so that a long run (a whole model
registry) can be read, filtered with jq or resumed while it goes on: in input order with one
process, in the order the inputs finish with several. There is no summary line: every line has
the same shape, `jq -s` gives the JSON format's "files", and the exit code says what the summary
would.
"""

from __future__ import annotations

from typing import TextIO

from droplint.analysis import FileReport
from droplint.report import Run
from droplint.report.json import strict


def stream(report: FileReport, out: TextIO) -> None:
    out.write(strict(report.to_dict()) + "\n")


def render(run: Run, out: TextIO) -> None:
    for report in run.reports:
        stream(report, out)
