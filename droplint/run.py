"""`droplint check`, without the CLI framework: options in, report out, exit code back.

The typer CLI calls run_check(); so does the entry point directly for the common command lines
(`droplint PATH... [--format F] [--fail-on L] [--select ...]`), which keeps a pre-commit or CI
run from paying typer's start-up for every invocation. Anything else goes to typer.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field

FORMATS = ("text", "json")
LEVELS = {"info": 0, "warning": 1, "error": 2, "never": 3}
CODE_OPTIONS = {"--select": "select", "--extend-select": "extend-select", "--ignore": "ignore"}


@dataclass
class CheckOptions:
    paths: list[str] = field(default_factory=list)
    output_format: str = "text"
    codes: dict[str, list[str]] = field(default_factory=dict)  # select / extend-select / ignore
    fail_on: str | None = None
    config_file: str | None = None


def run_check(opts: CheckOptions) -> int:
    """Analyse the paths, print the report, return the exit code."""
    from droplint.analysis import analyze_file
    from droplint.config import ConfigError

    try:
        config = _config(opts)
    except ConfigError as exc:
        print(f"droplint: {exc}", file=sys.stderr)
        return 2
    reports = [analyze_file(p, config) for p in opts.paths]
    if opts.output_format == "json":
        from droplint.report.json import render

        sys.stdout.write(render(reports) + "\n")
    else:
        from rich.console import Console

        from droplint.report.text import render as render_text

        render_text(reports, Console(highlight=False))
    if any(r.error for r in reports):
        return 2
    worst = max((LEVELS[f.severity] for r in reports for f in r.findings), default=-1)
    return 1 if worst >= LEVELS[config.fail_on] else 0


def _config(opts: CheckOptions):  # -> Config
    from pathlib import Path

    from droplint.config import ConfigError, apply, find_config, load_config

    path = Path(opts.config_file) if opts.config_file else None
    if path is not None and not path.is_file():
        raise ConfigError(f"no config file {path}")
    config = load_config(path or find_config())
    for key, values in opts.codes.items():
        apply(config, key, ",".join(values))
    if opts.fail_on is not None:
        config.fail_on = opts.fail_on
    return config


def parse_fast(args: list[str]) -> CheckOptions | None:
    """Options of a plain check command line, or None when typer should parse it."""
    if args and args[0] == "check":
        args = args[1:]
    opts, only_paths, i = CheckOptions(), False, 0
    while i < len(args):
        arg = args[i]
        if only_paths or not arg.startswith("-") or arg == "-":
            opts.paths.append(arg)
        elif arg == "--":
            only_paths = True
        else:
            name, _, value = arg.partition("=")
            if not value:
                if i + 1 >= len(args):
                    return None
                i, value = i + 1, args[i + 1]
            if not _set(opts, name, value):
                return None
        i += 1
    return opts if opts.paths else None


def _set(opts: CheckOptions, name: str, value: str) -> bool:
    if name == "--format" and value in FORMATS:
        opts.output_format = value
    elif name == "--fail-on" and value in LEVELS:
        opts.fail_on = value
    elif name in CODE_OPTIONS:
        opts.codes.setdefault(CODE_OPTIONS[name], []).append(value)
    elif name == "--config":
        opts.config_file = value
    else:
        return False  # unknown option or value: typer explains it
    return True
