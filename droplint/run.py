"""`droplint check`, without the CLI framework: options in, report out, exit code back.

The typer CLI calls run_check(); so does the entry point directly for the common command lines
(`droplint PATH... [--format F] [--fail-on L] [--select ...] [--jobs N] [--baseline F] ...`),
which keeps a pre-commit or CI run from paying typer's start-up for every invocation. Anything
else goes to typer.

Exit codes: 0 clean, 1 findings at or above the fail level, 2 an input droplint cannot read (or
a wrong command line), 3 droplint itself failed on an input (a bug: reported, the run goes on).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from droplint.report import RENDERERS, Run, render

if TYPE_CHECKING:
    from collections import Counter

    from droplint.analysis import FileReport
    from droplint.baseline import BaselineResult, Key

FORMATS = tuple(RENDERERS)
INTERNAL_ERROR = 3
LEVELS = {"info": 0, "warning": 1, "error": 2, "never": 3}
CODE_OPTIONS = {"--select": "select", "--extend-select": "extend-select", "--ignore": "ignore"}
PATH_OPTIONS = {"--output": "output_file", "--baseline": "baseline",
                "--write-baseline": "write_baseline"}  # fmt: skip


@dataclass
class CheckOptions:
    paths: list[str] = field(default_factory=list)
    output_format: str = "text"
    codes: dict[str, list[str]] = field(default_factory=dict)  # select / extend-select / ignore
    fail_on: str | None = None
    config_file: str | None = None
    output_file: str | None = None  # the report goes there; the terminal gets the text report
    jobs: int | None = None  # worker processes; None: one per CPU
    baseline: str | None = None  # report only findings not recorded in this file
    write_baseline: str | None = None  # record the findings in this file
    tree: bool = False  # the terminal gets the dropout map as a tree (droplint.report.tree)
    debug: bool = False  # internal errors come with their traceback


def run_check(opts: CheckOptions) -> int:
    """Analyse the paths, print the report, return the exit code."""
    from pathlib import Path

    from droplint.batch import analyze_all
    from droplint.config import ConfigError
    from droplint.inputs import collect

    if opts.tree and opts.output_format != "text" and not opts.output_file:
        print("droplint: --tree is a text view; add --output FILE for that format", file=sys.stderr)
        return 2
    try:
        config = _config(opts)
        recorded = _recorded(opts)
    except ConfigError as exc:
        print(f"droplint: {exc}", file=sys.stderr)
        return 2
    paths, empty = collect(opts.paths, config)
    for folder in empty:
        print(f"droplint: no model files in {folder}", file=sys.stderr)
    reports = analyze_all(paths, config, opts.jobs, keep_graph=_draws_tree(opts))
    baseline = None
    if recorded is not None:
        from droplint.baseline import apply_baseline

        baseline = apply_baseline(recorded, Path(str(opts.baseline)).parent, reports)
    try:
        _write(opts, reports, baseline)
    except OSError as exc:
        print(f"droplint: cannot write {exc.filename}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    if _internal_errors(reports, opts.debug):
        return INTERNAL_ERROR
    if any(r.error for r in reports):
        return 2
    if opts.write_baseline:
        return 0  # the findings are accepted now
    worst = max((LEVELS[f.severity] for r in reports for f in r.findings), default=-1)
    return 1 if worst >= LEVELS[config.fail_on] else 0


def _draws_tree(opts: CheckOptions) -> bool:
    return opts.tree or opts.output_format == "tree"


def _internal_errors(reports: list[FileReport], debug: bool) -> bool:
    """One line per input droplint failed on (the traceback too with --debug)."""
    from droplint.analysis import debugging

    failed = [r for r in reports if r.internal]
    for report in failed:
        print(
            f"droplint: internal error on {report.path} ({report.internal}): a bug in droplint, "
            "not in the model; please report it. --debug shows the traceback.",
            file=sys.stderr,
        )
        if debug or debugging():
            print(report.trace, file=sys.stderr, end="")
    return bool(failed)


def _write(opts: CheckOptions, reports: list[FileReport], baseline: BaselineResult | None) -> None:
    """The baseline file (--write-baseline), then the report."""
    if opts.write_baseline:
        from pathlib import Path

        from droplint.baseline import write_baseline

        count = write_baseline(Path(opts.write_baseline), reports)
        print(f"droplint: wrote {count} findings to {opts.write_baseline}", file=sys.stderr)
    _print_report(opts, reports, baseline)


def _recorded(opts: CheckOptions) -> Counter[Key] | None:
    from pathlib import Path

    from droplint.config import ConfigError

    if opts.baseline and opts.write_baseline:
        raise ConfigError("use either --baseline or --write-baseline, not both")
    if not opts.baseline:
        return None
    from droplint.baseline import load_baseline

    return load_baseline(Path(opts.baseline))


def _print_report(
    opts: CheckOptions, reports: list[FileReport], baseline: BaselineResult | None
) -> None:
    """The report in its format to stdout, or to --output with the text view on stdout."""
    run = Run(reports, baseline)
    view = "tree" if opts.tree else "text"
    if opts.output_file:
        with open(opts.output_file, "w", encoding="utf-8") as f:
            render(opts.output_format, run, f)
        render(view, run, sys.stdout)
    else:
        render(view if opts.output_format == "text" else opts.output_format, run, sys.stdout)


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
        elif arg == "--tree":
            opts.tree = True
        elif arg == "--debug":
            opts.debug = True
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
    elif name in PATH_OPTIONS:
        setattr(opts, PATH_OPTIONS[name], value)
    elif name == "--jobs" and value.isdigit() and int(value) >= 1:
        opts.jobs = int(value)
    else:
        return False  # unknown option or value: typer explains it
    return True
