"""One line per finding, for logs, editors and grep: `path:layer: CODE name message`.

A whole-model finding has no layer (`path: CODE ...`); an input that cannot be read is
`path: DL001 unreadable-model message`. The last line is the summary."""

from __future__ import annotations

from typing import TextIO

from droplint.analysis import INTERNAL, FileReport, internal_message
from droplint.read.printable import printable
from droplint.report import Run
from droplint.rules import RULES


def lines(report: FileReport) -> list[str]:
    path = printable(report.path)
    if report.internal:
        return [f"{path}: {INTERNAL} {internal_message(report.internal)}"]
    if report.error:
        code = report.error_code
        return [f"{path}: {code} {RULES[code].name} {report.error}"]
    return [
        f"{path}{':' + f.layer if f.layer else ''}: {f.code} {f.name} {f.message}"
        for f in report.findings
    ]


def render(run: Run, out: TextIO) -> None:
    from droplint.report.text import summary_line

    for report in run.reports:
        for line in lines(report):
            out.write(line + "\n")
    if not run.quiet:
        out.write(_plain(summary_line(run.reports)) + "\n")


def _plain(markup: str) -> str:
    from rich.text import Text

    return Text.from_markup(markup).plain
