"""Output formats. Each is one module with `render(run, out)`, registered here by name; the
command line offers exactly these names, and a module is imported only when it is used. A
format that can write each input's report as soon as it is done (jsonl) also has
`stream(report, out)` and says so with `stream=True`: the command then calls that for every
report while the run goes on, and never render()."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from collections.abc import Callable

    from droplint.analysis import FileReport
    from droplint.baseline import BaselineResult


@dataclass
class Run:
    """What every renderer gets: the reports of one run, in input order, and the baseline's
    counts when one was applied."""

    reports: list[FileReport]
    baseline: BaselineResult | None = None
    quiet: bool = False  # the text views print findings only: no map, coverage or summary
    root: str | None = None  # CI formats give paths relative to this folder (default: the
    # git work tree holding the current folder, else the current folder)


@dataclass(frozen=True)
class Renderer:
    name: str
    module: str  # holds render(run: Run, out: TextIO) -> None
    help: str
    view: bool = False  # a view for people at a terminal (the text report, the tree)
    stream: bool = False  # the module also has stream(report: FileReport, out: TextIO) -> None


RENDERERS: dict[str, Renderer] = {
    r.name: r
    for r in (
        Renderer("text", "droplint.report.text", "the dropout map and findings", view=True),
        Renderer("json", "droplint.report.json", "JSON, schema 1"),
        Renderer(
            "jsonl",
            "droplint.report.jsonl",
            "JSON Lines: one file's JSON object per line, as it is done",
            stream=True,
        ),
        Renderer("sarif", "droplint.report.sarif", "SARIF 2.1.0 (GitHub code scanning)"),
        Renderer("github", "droplint.report.github", "GitHub Actions annotations"),
        Renderer("gitlab", "droplint.report.gitlab", "GitLab code quality"),
        Renderer("tree", "droplint.report.tree", "the dropout map as a tree", view=True),
        Renderer(
            "concise",
            "droplint.report.concise",
            "one line per finding: path:layer: CODE",
            view=True,
        ),
        Renderer(
            "statistics", "droplint.report.statistics", "how many findings per rule", view=True
        ),
    )
}


def render(name: str, run: Run, out: TextIO) -> None:
    importlib.import_module(RENDERERS[name].module).render(run, out)


def streamer(name: str) -> Callable[[FileReport, TextIO], None] | None:
    """The format's writer of one report at a time, for a format that streams; else None."""
    renderer = RENDERERS[name]
    if not renderer.stream:
        return None
    stream: Callable[[FileReport, TextIO], None] = importlib.import_module(renderer.module).stream
    return stream
