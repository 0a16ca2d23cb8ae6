"""The droplint command: `droplint PATH...` lints models; `rules` and `explain` teach."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from droplint import __version__

SUBCOMMANDS = {"check", "rules", "explain"}

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


class Level(str, Enum):
    info = "info"
    warning = "warning"
    error = "error"
    never = "never"


LEVELS = {"info": 0, "warning": 1, "error": 2, "never": 3}


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
    output_format: Annotated[Format, typer.Option("--format", help="Output format.")] = Format.text,
    select: Codes = None,
    extend_select: Codes = None,
    ignore: Codes = None,
    fail_on: Annotated[
        Level | None,
        typer.Option(
            help="Exit 1 when a finding at or above this severity is found [default: warning]."
        ),
    ] = None,
    config_file: Annotated[
        Path | None,
        typer.Option(
            "--config", help="A droplint.toml or pyproject.toml to use instead of the nearest one."
        ),
    ] = None,
) -> None:
    """Map every dropout site in the models and report findings."""
    from droplint.analysis import analyze_file

    config = _config(config_file, select, extend_select, ignore, fail_on)
    reports = [analyze_file(p, config) for p in paths]
    if output_format is Format.json:
        from droplint.report.json import render

        typer.echo(render(reports))
    else:
        from rich.console import Console

        from droplint.report.text import render as render_text

        render_text(reports, Console(highlight=False))
    raise typer.Exit(_exit_code(reports, LEVELS[config.fail_on]))


def _config(
    path: Path | None,
    select: list[str] | None,
    extend_select: list[str] | None,
    ignore: list[str] | None,
    fail_on: Level | None,
):  # -> Config, imported lazily
    from droplint.config import ConfigError, apply, find_config, load_config

    try:
        if path is not None and not path.is_file():
            raise ConfigError(f"no config file {path}")
        config = load_config(path or find_config())
        for key, value in (("select", select), ("extend-select", extend_select),
                           ("ignore", ignore)):  # fmt: skip
            if value is not None:
                apply(config, key, ",".join(value))
        if fail_on is not None:
            config.fail_on = fail_on.value
    except ConfigError as exc:
        typer.echo(f"droplint: {exc}", err=True)
        raise typer.Exit(2) from exc
    return config


def _exit_code(reports: list, threshold: int) -> int:
    if any(r.error for r in reports):
        return 2
    worst = max((LEVELS[f.severity] for r in reports for f in r.findings), default=-1)
    return 1 if worst >= threshold else 0


@app.command()
def rules(
    output_format: Annotated[Format, typer.Option("--format", help="Output format.")] = Format.text,
) -> None:
    """List every rule: code, name, default severity, summary."""
    from droplint.rules import RULES

    rows = [RULES[c] for c in sorted(RULES)]
    if output_format is Format.json:
        import json

        data = [
            {"code": r.code, "name": r.name, "severity": r.severity, "summary": r.summary}
            for r in rows
        ]
        typer.echo(json.dumps(data, indent=2))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(box=None, header_style="bold")
    for column in ("code", "name", "severity", "summary"):
        table.add_column(column)
    for r in rows:
        table.add_row(r.code, r.name, r.severity, r.summary)
    Console().print(table)


@app.command()
def explain(code: Annotated[str, typer.Argument(help="A rule code, e.g. DL102.")]) -> None:
    """Print a rule's page: what it finds, why it matters, an example, the fix."""
    from droplint.pages import page

    text = page(code.upper())
    if text is None:
        typer.echo(f"droplint: no rule {code!r} (see `droplint rules`)", err=True)
        raise typer.Exit(2)
    from rich.console import Console
    from rich.markdown import Markdown

    Console().print(Markdown(text))


def main() -> None:
    """Entry point: anything but a subcommand or --help/--version means `check`."""
    args = sys.argv[1:]
    if args and args[0] not in SUBCOMMANDS | {"--help", "-h", "--version"}:
        args = ["check", *args]
    app(args=args, prog_name="droplint")
