"""The droplint command: `droplint PATH...` lints models; `rules` and `explain` teach."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from droplint import __version__
from droplint.report import RENDERERS

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode="rich",
    help="A static linter for dropout in Keras and ONNX model files. "
    "[bold]droplint MODEL...[/] is short for [bold]droplint check MODEL...[/]",
)


class Format(str, Enum):
    text = "text"
    json = "json"
    markdown = "markdown"


ReportFormat = Enum("ReportFormat", {name: name for name in RENDERERS}, type=str)  # type: ignore[misc]


class Direction(str, Enum):
    LR = "LR"
    TB = "TB"


class Level(str, Enum):
    info = "info"
    warning = "warning"
    error = "error"
    never = "never"


def _shard(value: str | None) -> str | None:
    from droplint.run import parse_shard

    if value is not None and parse_shard(value) is None:
        raise typer.BadParameter(f"{value!r} is not I/N with N >= 1 and 0 <= I < N (e.g. 0/4)")
    return value


def _version(value: bool) -> None:
    if value:
        typer.echo(f"droplint {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """droplint: where dropout lands in your model, and what is wrong with it."""


Codes = Annotated[
    list[str] | None,
    typer.Option(help="Rule codes or prefixes, comma-separated or repeated (e.g. DL1,DL401)."),
]


@app.command()
def check(
    paths: Annotated[
        list[Path], typer.Argument(help="Model files or folders.", show_default=False)
    ],
    output_format: Annotated[
        ReportFormat, typer.Option("--format", help="Output format.")
    ] = ReportFormat.text,  # type: ignore[attr-defined]
    select: Codes = None,
    extend_select: Codes = None,
    ignore: Codes = None,
    fail_on: Annotated[
        Level | None,
        typer.Option(
            help="Exit 1 when a finding at or above this severity is found (default: warning)."
        ),
    ] = None,
    config_file: Annotated[
        Path | None,
        typer.Option(
            "--config", help="A droplint.toml or pyproject.toml to use instead of the nearest one."
        ),
    ] = None,
    output_file: Annotated[
        str | None,
        typer.Option(
            "--output",
            "-o",
            help="Write the report to this file (-: stdout); the terminal gets the text report.",
        ),
    ] = None,
    jobs: Annotated[
        int | None,
        typer.Option(
            min=1, help="Worker processes (default: one per CPU; 1: none).", show_default=False
        ),
    ] = None,
    baseline: Annotated[
        Path | None, typer.Option(help="Report only findings this baseline file does not record.")
    ] = None,
    write_baseline: Annotated[
        Path | None, typer.Option(help="Record the current findings in this baseline file.")
    ] = None,
    tree: Annotated[
        bool, typer.Option("--tree", help="Print the dropout map as a tree of the model.")
    ] = False,
    debug: Annotated[
        bool, typer.Option("--debug", help="Show the traceback of an internal error.")
    ] = False,
    exit_zero: Annotated[
        bool,
        typer.Option(
            "--exit-zero", help="Exit 0 whatever the inputs hold (findings, unreadable files)."
        ),
    ] = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Print findings only: no map, no summary.")
    ] = False,
    statistics: Annotated[
        bool, typer.Option("--statistics", help="Print how many findings per rule instead.")
    ] = False,
    force_exclude: Annotated[
        bool | None,
        typer.Option(
            "--force-exclude/--no-force-exclude",
            help="Apply exclude patterns to files named on the command line too.",
            show_default=False,
        ),
    ] = None,
    respect_gitignore: Annotated[
        bool | None,
        typer.Option(
            "--respect-gitignore/--no-respect-gitignore",
            help="Skip what git ignores when searching folders (default: yes).",
            show_default=False,
        ),
    ] = None,
    root: Annotated[
        Path | None,
        typer.Option(
            help="Paths in SARIF, GitHub and GitLab reports are relative to this folder "
            "(default: the git work tree, else the current folder).",
            show_default=False,
        ),
    ] = None,
    shard: Annotated[
        str | None,
        typer.Option(
            metavar="I/N",
            callback=_shard,
            help="Analyse only shard I of N (0 <= I < N): the inputs whose path hashes to it. "
            "The N shards together are the whole run.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Map every dropout site in the models and report findings."""
    from droplint.run import CheckOptions, parse_shard, run_check

    codes = {"select": select, "extend-select": extend_select, "ignore": ignore}
    switches = {"force-exclude": force_exclude, "respect-gitignore": respect_gitignore}
    opts = CheckOptions(
        paths=[str(p) for p in paths],
        output_format=output_format.value,
        codes={k: v for k, v in codes.items() if v is not None},
        fail_on=fail_on.value if fail_on else None,
        config_file=str(config_file) if config_file else None,
        output_file=output_file,
        jobs=jobs,
        baseline=str(baseline) if baseline else None,
        write_baseline=str(write_baseline) if write_baseline else None,
        tree=tree,
        debug=debug,
        exit_zero=exit_zero,
        quiet=quiet,
        statistics=statistics,
        switches={k: v for k, v in switches.items() if v is not None},
        root=str(root) if root else None,
        shard=parse_shard(shard) if shard is not None else None,
    )
    raise typer.Exit(run_check(opts))


@app.command()
def graph(
    model: Annotated[Path, typer.Argument(help="A model file or folder.", show_default=False)],
    output: Annotated[
        str | None,
        typer.Option(
            "--output",
            "-o",
            show_default=False,
            help="model.html: a page to zoom, pan, hover and click; model.svg: a static "
            "picture; -: the SVG to stdout (default: the model's name + .html).",
        ),
    ] = None,
    direction: Annotated[Direction, typer.Option(help="Left to right or top down.")] = Direction.LR,
    collapse: Annotated[
        bool, typer.Option("--collapse/--expand", help="Fold runs of layers without dropout.")
    ] = True,
    config_file: Annotated[
        Path | None, typer.Option("--config", help="A droplint.toml or pyproject.toml to use.")
    ] = None,
) -> None:
    """Draw the model with every dropout site on it (needs the graph extra)."""
    from droplint.picture.command import run_graph

    config = str(config_file) if config_file else None
    raise typer.Exit(run_graph(str(model), output, direction.value, collapse, config))


@app.command()
def rules(
    output_format: Annotated[Format, typer.Option("--format", help="Output format.")] = Format.text,
) -> None:
    """List every rule: code, name, default severity, on by default, summary."""
    from droplint.rules import RULES

    rows = [RULES[c] for c in sorted(RULES)]
    if output_format is Format.json:
        import json

        data = [
            {"code": r.code, "name": r.name, "severity": r.severity, "default": r.default,
             "options": [o.key for o in r.options], "summary": r.summary}
            for r in rows
        ]  # fmt: skip
        typer.echo(json.dumps(data, indent=2))
        return
    if output_format is Format.markdown:  # the README's rule table
        typer.echo("| code | name | default severity | on by default | finds |")
        typer.echo("|---|---|---|---|---|")
        for r in rows:
            on = "yes" if r.default else "no"
            typer.echo(f"| {r.code} | {r.name} | {r.severity} | {on} | {r.summary} |")
        return
    import sys

    from rich.table import Table

    from droplint.report.plain import console

    table = Table(box=None, header_style="bold", pad_edge=False)
    for column in ("code", "name", "severity", "default", "summary"):
        table.add_column(column)
    for r in rows:
        table.add_row(r.code, r.name, r.severity, "on" if r.default else "off", r.summary)
    with console(sys.stdout) as con:
        con.print(table)


@app.command()
def explain(
    code: Annotated[str, typer.Argument(help="A rule code or name, e.g. DL102.")],
) -> None:
    """Print a rule's page: what it finds, why it matters, an example, the fix."""
    import sys

    from droplint.config import rule_code
    from droplint.pages import page
    from droplint.report.plain import terminal

    found = rule_code(code)
    text = page(found) if found else None
    if text is None:
        typer.echo(f"droplint: no rule {code!r} (see `droplint rules`)", err=True)
        raise typer.Exit(2)
    if not terminal(sys.stdout):  # the page as written: Markdown is plain text already
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        return
    from rich.console import Console
    from rich.markdown import Markdown

    Console().print(Markdown(text))
