"""`droplint check`, without the CLI framework: options in, report out, exit code back.

The typer CLI calls run_check(); so does the entry point directly for the common command lines
(`droplint PATH... [--format F] [--fail-on L] [--select ...] [--jobs N] [--baseline F] ...`),
which keeps a pre-commit or CI run from paying typer's start-up for every invocation. Anything
else goes to typer.

Exit codes: 0 clean, 1 findings at or above the fail level, 2 an input droplint cannot read (or
a wrong command line or configuration), 3 droplint itself failed on an input (a bug: reported,
the run goes on), 130 interrupted (Ctrl-C), 141 the reader of a streamed report went away
(`| head`). `--exit-zero` and `fail-on = "never"` turn 1 and 2 from inputs into 0; ignoring
DL001 (or DL004) for a file turns its unreadability into a skip.

A format that streams (jsonl) is written report by report while the run goes on; the others once
it is over. `--shard I/N` keeps the inputs whose path hashes to shard I of N (shard_of).
"""

from __future__ import annotations

import re
import sys
from contextlib import closing, nullcontext
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from droplint.report import RENDERERS, Run, render, streamer

if TYPE_CHECKING:
    from collections import Counter
    from collections.abc import Callable
    from contextlib import AbstractContextManager

    from droplint.analysis import FileReport
    from droplint.baseline import BaselineResult, Key
    from droplint.config import Settings

FORMATS = tuple(RENDERERS)
INTERNAL_ERROR = 3
INTERRUPTED = 130  # 128 + SIGINT, as shells report it
BROKEN_PIPE = 141  # 128 + SIGPIPE: what a shell reports for a command whose reader went away
SHARD = re.compile(r"([0-9]+)/([0-9]+)")
LEVELS = {"info": 0, "warning": 1, "error": 2, "never": 3}
CODE_OPTIONS = {"--select": "select", "--extend-select": "extend-select", "--ignore": "ignore"}
PATH_OPTIONS = {"--output": "output_file", "-o": "output_file", "--baseline": "baseline",
                "--write-baseline": "write_baseline", "--root": "root"}  # fmt: skip
FLAG_OPTIONS = {"--tree": "tree", "--debug": "debug", "--exit-zero": "exit_zero",
                "--quiet": "quiet", "-q": "quiet", "--statistics": "statistics"}  # fmt: skip
SWITCHES = {"--force-exclude": ("force-exclude", True),
            "--no-force-exclude": ("force-exclude", False),
            "--respect-gitignore": ("respect-gitignore", True),
            "--no-respect-gitignore": ("respect-gitignore", False)}  # fmt: skip
STDOUT = "-"  # --output -: the report goes to stdout


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
    exit_zero: bool = False  # exit 0 whatever the inputs hold (internal errors still 3)
    quiet: bool = False  # findings only: no map, coverage or summary
    statistics: bool = False  # counts per rule instead of the report
    switches: dict[str, bool] = field(default_factory=dict)  # force-exclude, respect-gitignore
    root: str | None = None  # CI formats' paths are relative to it
    shard: tuple[int, int] | None = None  # (I, N): only the inputs of shard I of N


def run_check(opts: CheckOptions) -> int:
    """Analyse the paths, print the report, return the exit code."""
    try:
        return _check(opts)
    except KeyboardInterrupt:
        print("droplint: interrupted", file=sys.stderr)
        return INTERRUPTED
    except BrokenPipeError:  # `droplint ... --format jsonl | head`: stop quietly, as cat does
        _silence_stdout()
        return BROKEN_PIPE


def _check(opts: CheckOptions) -> int:
    from droplint.config import ConfigError
    from droplint.inputs import collect

    if opts.output_file == STDOUT:
        opts.output_file = None
    if opts.tree and opts.output_format != "text" and not opts.output_file:
        print("droplint: --tree is a text view; add --output FILE for that format", file=sys.stderr)
        return 2
    try:
        settings = _settings(opts)
        recorded = _recorded(opts)
        paths, empty = collect(opts.paths, settings)
        every = len(paths)
        paths = sharded(paths, opts.shard)
        levels = [settings.for_path(p).fail_on for p in paths]  # a broken config stops here
    except ConfigError as exc:
        print(f"droplint: {exc}", file=sys.stderr)
        return 2
    for folder in empty:
        print(f"droplint: no model files in {folder}", file=sys.stderr)
    if opts.shard and every and not paths:
        index, count = opts.shard
        print(f"droplint: shard {index}/{count} holds none of the inputs ({every} in all)",
              file=sys.stderr)  # fmt: skip
    try:
        reports, baseline = _analyze(opts, paths, settings, recorded)
        _write(opts, reports, baseline)
    except BrokenPipeError:
        raise
    except OSError as exc:
        print(f"droplint: cannot write {exc.filename}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    return _exit_code(opts, reports, levels)


def _analyze(
    opts: CheckOptions, paths: list[str], settings: Settings, recorded: Counter[Key] | None
) -> tuple[list[FileReport], BaselineResult | None]:
    """The reports in input order, the baseline applied. A format that streams gets each report
    as soon as it is done (to stdout, or to --output opened now); then only what the exit code
    and --write-baseline need is kept of it, unless a view of the whole run follows."""
    from droplint.batch import analyze_stream

    matcher = None
    if recorded is not None:
        from droplint.baseline import Matcher

        matcher = Matcher(recorded, Path(str(opts.baseline)).parent)
    write = streamer(opts.output_format)
    keep = write is None or opts.output_file is not None
    reports: list[Any] = [None] * len(paths)
    with _stream_to(opts, write) as out:
        shown = not (out is sys.stdout and out.isatty())  # no bar between the lines
        stream = analyze_stream(paths, settings, opts.jobs, keep_graph=_draws_tree(opts),
                                progress=shown)  # fmt: skip
        with closing(stream):  # stopped early (Ctrl-C, a closed pipe): the workers stop now
            for i, report in stream:
                if matcher is not None:
                    matcher.apply(report)
                if write is not None and out is not None:
                    write(report, out)
                    out.flush()
                reports[i] = report if keep else _slim(report)
    return reports, matcher.finish() if matcher is not None else None


def _stream_to(
    opts: CheckOptions, write: Callable[[FileReport, TextIO], None] | None
) -> AbstractContextManager[TextIO | None]:
    """Where a streamed report goes: --output, opened before the run, or stdout (bound now, as
    it is, should a progress bar redirect sys.stdout later)."""
    if write is None:
        return nullcontext(None)
    if opts.output_file:
        return open(opts.output_file, "w", encoding="utf-8")
    return nullcontext(sys.stdout)


def _slim(report: FileReport) -> FileReport:
    """What the exit code and --write-baseline read of a report already streamed: its path,
    error and findings, not its sites and coverage (a run over a whole registry keeps them all)."""
    return replace(report, sites=[], flow=None, graph=None, classes={}, split={})


def _silence_stdout() -> None:
    """The reader of stdout is gone: what is left to flush goes nowhere (else Python complains
    at exit)."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def sharded(paths: list[str], shard: tuple[int, int] | None) -> list[str]:
    """The inputs of shard I of N, in their order (shard None: all of them)."""
    if shard is None:
        return paths
    index, count = shard
    return [p for p in paths if shard_of(p, count) == index]


def shard_of(path: str, count: int) -> int:
    """The shard of an input: a hash of its path as listed, so an input stays in its shard when
    others are added or removed, and shards listed at different times still cover every input
    exactly once."""
    import hashlib

    digest = hashlib.blake2b(path.encode("utf-8", "surrogateescape"), digest_size=8).digest()
    return int.from_bytes(digest, "big") % count


def parse_shard(value: str) -> tuple[int, int] | None:
    """`I/N` with N >= 1 and 0 <= I < N, as (I, N); None for anything else."""
    match = SHARD.fullmatch(value)
    if match is None:
        return None
    index, count = int(match[1]), int(match[2])
    return (index, count) if 0 <= index < count else None


def _exit_code(opts: CheckOptions, reports: list[FileReport], levels: list[str]) -> int:
    """3 for droplint's own failure; else 2 for an unreadable input, 1 for findings at or above
    each file's fail level (levels: in input order, as the reports), unless --exit-zero,
    fail-on never or --write-baseline say 0."""
    if _internal_errors(reports, opts.debug):
        return INTERNAL_ERROR
    if opts.exit_zero:
        return 0
    pairs = list(zip(reports, levels, strict=True))
    if any(r.error and level != "never" for r, level in pairs):
        return 2
    if opts.write_baseline:
        return 0  # the findings are accepted now
    return int(any(LEVELS[f.severity] >= LEVELS[lv] for r, lv in pairs for f in r.findings))


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
    """The baseline file (--write-baseline), then the report (unless it was streamed)."""
    if opts.write_baseline:
        from droplint.baseline import write_baseline

        count = write_baseline(Path(opts.write_baseline), reports)
        print(f"droplint: wrote {count} findings to {opts.write_baseline}", file=sys.stderr)
    _print_report(opts, reports, baseline)


def _recorded(opts: CheckOptions) -> Counter[Key] | None:
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
    run = Run(reports, baseline, quiet=opts.quiet, root=opts.root)
    view = "tree" if opts.tree else "statistics" if opts.statistics else "text"
    streamed = RENDERERS[opts.output_format].stream  # written already, report by report
    if opts.output_file:
        if not streamed:
            with open(opts.output_file, "w", encoding="utf-8") as f:
                render(opts.output_format, run, f)
        render(view, run, sys.stdout)
    elif not streamed:
        render(view if opts.output_format == "text" else opts.output_format, run, sys.stdout)


def _settings(opts: CheckOptions) -> Settings:
    """Each input's configuration: its nearest file, or --config, under the command line's
    settings (checked here, once, before any input is read)."""
    from droplint.config import Config, ConfigError, Settings, apply

    path = Path(opts.config_file) if opts.config_file else None
    if path is not None and not path.is_file():
        raise ConfigError(f"no config file {path}")
    overrides: list[tuple[str, Any]] = [(k, ",".join(v)) for k, v in opts.codes.items()]
    overrides += list(opts.switches.items())
    if opts.fail_on is not None:
        overrides.append(("fail-on", opts.fail_on))
    for key, value in overrides:
        apply(Config(), key, value)  # raises on a wrong value, whatever the files say
    return Settings(overrides, path)


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
        elif arg in FLAG_OPTIONS:
            setattr(opts, FLAG_OPTIONS[arg], True)
        elif arg in SWITCHES:
            key, value = SWITCHES[arg]
            opts.switches[key] = value
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
    elif name == "--jobs" and value.isascii() and value.isdigit() and int(value) >= 1:
        opts.jobs = int(value)
    elif name == "--shard" and parse_shard(value) is not None:
        opts.shard = parse_shard(value)
    else:
        return False  # unknown option or value: typer explains it
    return True
