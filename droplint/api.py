"""The Python API: `droplint.analyze(path_or_model, config=None)` and
`droplint.analyze_many(inputs, config=None, executor=None)`.

An in-memory model is read the way saving it would write it, never run: each format plug-in
knows its own objects (a Keras model through its framework's serialize_keras_object, an
onnx.ModelProto through SerializeToString() and droplint's own reader).

analyze_many spreads inputs over any concurrent.futures.Executor (a process pool, Dask's
client.get_executor(), a Ray executor): what crosses to a worker is analyze_one, a module-level
function, with an input's path and its Config; what comes back is its detached report.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
from pathlib import Path
from typing import Any

from droplint.analysis import FileReport, analyze_file, analyze_saved, mark_internal
from droplint.config import Config, Settings, from_table
from droplint.errors import UnreadableModel
from droplint.formats import from_memory

Report = FileReport
WINDOW = 64  # inputs in flight at most when the executor does not say how many workers it has
PER_WORKER = 4  # …else this many per worker: enough to keep each busy between two results


def analyze(path_or_model: Any, config: Config | dict[str, Any] | None = None) -> Report:
    """Analyse a model file or folder, an in-memory Keras model or an onnx.ModelProto.

    config: a Config, a dict shaped like the [tool.droplint] table, or None for the defaults
    (no config file is looked up). Returns the per-file report: `.sites`, `.findings`,
    `.error` (DL001, or None) and `.to_dict()`, one entry of the JSON output's "files".
    """
    settings = _settings(config)
    if isinstance(path_or_model, (str, Path)):
        return analyze_file(path_or_model, settings)
    try:
        saved = from_memory(path_or_model)
    except UnreadableModel as exc:
        return FileReport("<memory>", error=str(exc))
    if saved is None:
        raise TypeError(
            "analyze() takes a path, a Keras model (with get_config()) or an onnx.ModelProto, "
            f"not {type(path_or_model).__name__}"
        )
    return analyze_saved(saved, settings)


def analyze_many(
    inputs: Iterable[str | os.PathLike[str]],
    config: Config | Settings | dict[str, Any] | None = None,
    executor: Executor | None = None,
    *,
    window: int | None = None,
) -> Iterator[tuple[int, Report]]:
    """Analyse many model files or folders; yield `(index, report)` as each one is done.

    inputs: paths (`str` or `Path`; droplint passes them on as they are, so a URL is one too),
    read lazily: a generator over a listing of millions of files is fine. index: the input's
    position in inputs (0-based), the way to match a report to its input (the report's `.path`
    is droplint's spelling of it: `./a.keras` is `a.keras`). Reports come in the order they
    finish, not in input order; each is the report `droplint.analyze(path, config)` gives,
    detached from the model's graph (`.sites`, `.findings`, `.to_dict()` are all there).

    config: as for `analyze` (None: the defaults, no config file looked up), or a
    `droplint.config.Settings` to give each input its nearest config file as the command line
    does. Each input's configuration is resolved here, in the calling process; the worker gets
    it with the path, so workers need droplint installed and nothing else of this machine (a
    broken config file raises ConfigError here, before its input is submitted).

    executor: any `concurrent.futures.Executor` (`ProcessPoolExecutor`, Dask's
    `client.get_executor()`, a Ray executor), or None to analyse the inputs one after the other
    in this process. The executor runs `droplint.api.analyze_one(path, config)`, a module-level
    function. At most `window` inputs are submitted and not yet yielded (default: 4 per worker
    when the executor says how many it has, as the standard ones do, else 64), so memory stays
    bounded whatever the number of inputs.

    A failure on one input never ends the stream: an unreadable model is its report's `.error`
    (DL001); an exception inside droplint, or in the executor for that input (a worker process
    that died, a lost Dask worker), is its report's `.internal`, the `internal-error` of the
    JSON output. Stopping the iteration (break, an exception) cancels what is not done yet.
    """
    if isinstance(inputs, (str, bytes, os.PathLike)):
        raise TypeError("analyze_many() takes an iterable of paths; for one path, use analyze()")
    settings = config if isinstance(config, Settings) else Settings.of(_settings(config))
    numbered = ((i, os.fspath(p)) for i, p in enumerate(inputs))
    if executor is None:
        return ((i, analyze_one(path, settings.for_path(path))) for i, path in numbered)
    limit = _window(executor) if window is None else window
    if limit < 1:
        raise ValueError(f"window must be at least 1, not {limit}")
    return _spread(numbered, settings, executor, limit)


def _spread(
    numbered: Iterator[tuple[int, str]], settings: Settings, executor: Executor, limit: int
) -> Iterator[tuple[int, Report]]:
    """analyze_many on an executor: at most limit inputs submitted and not yet handed back."""
    pending: dict[Future[FileReport], tuple[int, str]] = {}
    try:
        for i, path in numbered:
            if len(pending) >= limit:
                yield from _finished(pending)
            pending[_submit(executor, path, settings.for_path(path))] = (i, path)
        while pending:
            yield from _finished(pending)
    finally:
        for future in pending:
            future.cancel()


def analyze_one(path: str, config: Config) -> Report:
    """One input of analyze_many, as a worker runs it: its detached report, and an exception
    inside droplint as the report's internal error rather than the task's failure."""
    try:
        return analyze_file(path, config).detached()
    except Exception as exc:
        return mark_internal(FileReport(path), exc)


def _window(executor: Executor) -> int:
    workers = getattr(executor, "_max_workers", None)  # ProcessPoolExecutor, ThreadPoolExecutor
    return PER_WORKER * workers if isinstance(workers, int) and workers > 0 else WINDOW


def _submit(executor: Executor, path: str, config: Config) -> Future[FileReport]:
    """The input's task, or a future holding why the executor refused it (a broken pool)."""
    try:
        return executor.submit(analyze_one, path, config)
    except Exception as exc:
        failed: Future[FileReport] = Future()
        failed.set_exception(exc)
        return failed


def _finished(pending: dict[Future[FileReport], tuple[int, str]]) -> Iterator[tuple[int, Report]]:
    """Wait for at least one task; yield the finished ones, in input order among themselves."""
    done, _ = wait(pending, return_when=FIRST_COMPLETED)
    for future in sorted(done, key=lambda f: pending[f][0]):
        i, path = pending.pop(future)
        yield i, _result(future, path)


def _result(future: Future[FileReport], path: str) -> Report:
    try:
        return future.result()
    except Exception as exc:  # the executor's failure on this input, or a task cancelled
        return mark_internal(FileReport(path), exc)


def _settings(config: Config | dict[str, Any] | None) -> Config:
    if config is None:
        return Config()
    if isinstance(config, Config):
        return config
    if isinstance(config, dict):
        return from_table(config, where="config")
    raise TypeError(f"config must be a droplint Config or a dict, not {type(config).__name__}")
