"""GitHub Actions workflow commands: one annotation per finding, shown on the pull request.

`::error file=PATH,line=1,title=DL202 dropout-on-model-output::message`. Escaping follows the
runner's rules: in the message % CR LF become %25 %0D %0A; in properties also : and , (%3A %2C).
"""

from __future__ import annotations

from typing import TextIO

from droplint.report import Run
from droplint.report.issues import issues

COMMANDS = {"error": "error", "warning": "warning", "info": "notice"}


def render(run: Run, out: TextIO) -> None:
    for issue in issues(run.reports, run.root):
        props = f"file={_prop(issue.path)},line=1,title={_prop(f'{issue.code} {issue.name}')}"
        out.write(f"::{COMMANDS[issue.severity]} {props}::{_data(issue.message)}\n")


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _prop(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")
