"""Analyse many inputs: in this process, or also in worker processes with --jobs N.

analyze_all returns the reports in input order whatever the number of workers; analyze_stream
hands each one over as soon as it is done, with its input's index (--format jsonl writes it
then). Reports are detached from their graphs (FileReport.detached) so that only sites, findings
and coverage cross between processes. A progress bar goes to stderr when it is a terminal,
outside CI, and the run takes a while.
"""

from __future__ import annotations

import gc
import os
import sys
import time
from collections.abc import Iterator
from typing import Any

from droplint.analysis import FileReport, analyze_file
from droplint.config import Config, Settings

WARM_UP = 0.3  # seconds of work in this process before the rest goes to worker processes
PROGRESS_FILES = 20  # more inputs than this: show the bar from the start
PROGRESS_SECONDS = 0.5  # fewer: show it once the run has taken this long
CHUNK_BYTES = 256 * 1024  # files smaller than this go to the workers in groups…
CHUNK_FILES = 16  # …of at most this many
# Before the inputs of a broken pool are tried again: Ctrl-C reaches every process of the group
# at once, and the workers may die of it before this process hears it; it must stop, not retry.
RETRY_PAUSE = 0.25

_settings: Settings | None = None  # a worker's settings, set once by _start
_keep_graph = False  # a worker's reports keep their graphs (for the tree view)


def default_jobs() -> int:
    if hasattr(os, "process_cpu_count"):  # Python 3.13+: honours the CPU affinity mask
        return os.process_cpu_count() or 1
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


def analyze_all(
    paths: list[str],
    config: Config | Settings,
    jobs: int | None = None,
    warm_up: float = WARM_UP,
    keep_graph: bool = False,
) -> list[FileReport]:
    """Reports in the order of paths (see analyze_stream)."""
    reports: list[Any] = [None] * len(paths)
    for i, report in analyze_stream(paths, config, jobs, warm_up, keep_graph):
        reports[i] = report
    return reports


def analyze_stream(
    paths: list[str],
    config: Config | Settings,
    jobs: int | None = None,
    warm_up: float = WARM_UP,
    keep_graph: bool = False,
    progress: bool = True,
) -> Iterator[tuple[int, FileReport]]:
    """(index in paths, report) as each input is done: in input order while this process
    analyses them, in the order the workers finish them after that. Starting worker processes
    costs a few tenths of a second, more than most runs of a few files take, so the first inputs
    are analysed here; what is left after warm_up seconds goes to the workers. keep_graph:
    reports keep their graphs (the tree view draws from them), at the cost of sending them
    between processes. progress: False keeps the bar off (a stream to the same terminal)."""
    settings = Settings.of(config)
    jobs = default_jobs() if jobs is None else jobs
    if jobs > 1 and len(paths) > PROGRESS_FILES:
        _context(paths, start=True)  # a long run: let the worker server start meanwhile
    bar = Progress(len(paths), shown=progress)
    started = time.perf_counter()
    freeze = gc.get_freeze_count() == 0  # leave a caller's own frozen objects alone
    try:
        for done, path in enumerate(paths):
            left = len(paths) - done
            if jobs > 1 and left > 1 and time.perf_counter() - started >= warm_up:
                workers = min(jobs, left)
                yield from _in_workers(paths, done, settings, workers, bar, freeze, keep_graph)
                return
            yield done, analyze_file(path, settings.for_path(path)).detached(keep_graph)
            _kept(freeze)
            bar.advance()
    finally:
        bar.close()
        if freeze:
            gc.unfreeze()


def _kept(freeze: bool) -> None:
    """The reports kept so far live until the end: spare the cyclic collector from scanning
    them again after every file, which made long runs slower with every file (gc.freeze)."""
    if freeze:
        gc.freeze()


def _in_workers(
    paths: list[str],
    first: int,
    settings: Settings,
    workers: int,
    progress: Progress,
    freeze: bool,
    keep_graph: bool,
) -> Iterator[tuple[int, FileReport]]:
    """The reports of paths[first:], with their indices in paths, as the workers finish them.

    A worker that dies (killed for memory, a crash in a native library) breaks its pool: the
    inputs not finished then are analysed again one at a time in a single worker, so that the
    one that kills it is known. That input's report is an internal error; the run goes on."""
    rest = paths[first:]
    run = _Round(rest, first, settings, progress, freeze, keep_graph)
    left = yield from run.tasks(_chunks(rest), workers)
    while left:
        time.sleep(RETRY_PAUSE)  # a Ctrl-C that broke the pool reaches this process too
        left = yield from run.tasks([[i] for i in left], 1)
        if left:  # one worker, tasks in order: the first one left is the one it died on
            culprit, *left = left
            yield first + culprit, died(rest[culprit])
            progress.advance()


def died(path: str) -> FileReport:
    return FileReport(path, internal=(
        "WorkerDied: the worker process analysing this input died (killed for memory, or a "
        "crash in a native library such as HDF5)"
    ))  # fmt: skip


class _Round:
    """Tasks in one pool of worker processes; a broken pool gives back what it did not do."""

    def __init__(self, rest: list[str], first: int, settings: Settings, progress: Progress,
                 freeze: bool, keep_graph: bool) -> None:  # fmt: skip
        self.rest, self.first, self.settings = rest, first, settings
        self.progress, self.freeze, self.keep_graph = progress, freeze, keep_graph

    def tasks(self, chunks: list[list[int]], workers: int) -> Iterator[tuple[int, FileReport]]:
        """Yields each finished input's (index, report); returns the inputs left undone by a
        pool that broke, in the order they were submitted."""
        from concurrent.futures import ProcessPoolExecutor, as_completed  # ~40 ms: when needed
        from concurrent.futures.process import BrokenProcessPool

        start = (self.settings, self.keep_graph)
        pool = ProcessPoolExecutor(workers, _context(self.rest), initializer=_start,
                                   initargs=start)  # fmt: skip
        order: dict[Any, int] = {}
        undone: list[list[int]] = []
        try:
            for k, chunk in enumerate(chunks):
                order[pool.submit(_analyze, [self.rest[i] for i in chunk])] = k
            for future in as_completed(order):
                chunk = chunks[order[future]]
                try:
                    reports = future.result()
                except BrokenProcessPool:
                    undone.append(chunk)
                    continue
                for i, report in zip(chunk, reports, strict=True):
                    yield self.first + i, report
                _kept(self.freeze)
                self.progress.advance(len(chunk))
        except BaseException:  # Ctrl-C above all (or the caller stopped reading): the workers
            _stop(pool)  # stop now, not after their tasks
            raise
        pool.shutdown(wait=not undone)
        order_of = {tuple(c): k for k, c in enumerate(chunks)}
        return [i for c in sorted(undone, key=lambda c: order_of[tuple(c)]) for i in c]


def _stop(pool: Any) -> None:
    for process in list(getattr(pool, "_processes", {}).values()):
        process.kill()
    pool.shutdown(wait=False, cancel_futures=True)


def _chunks(paths: list[str]) -> list[list[int]]:
    """Indices of paths in tasks for the workers: largest files first, so that a big model does
    not start last and run alone at the end; small files together, since a task's round trip
    costs about as much as analysing a small model."""
    order = sorted(range(len(paths)), key=lambda i: -_size(paths[i]))
    chunks: list[list[int]] = []
    size = CHUNK_BYTES
    for i in order:
        if size >= CHUNK_BYTES or len(chunks[-1]) >= CHUNK_FILES:
            chunks.append([])
            size = 0
        chunks[-1].append(i)
        size += _size(paths[i])
    return chunks


def _size(path: str) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0


def _context(paths: list[str], start: bool = False) -> Any:
    """forkserver where there is one: workers start from a clean process that has droplint (and
    h5py, if there are HDF5 files) imported already, never from this one (which may run the
    progress bar's thread). start: start that server now, in the background."""
    import multiprocessing

    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    from droplint.formats import preload as format_modules

    preload = ["droplint.batch", *format_modules(paths)]
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(preload)
    if start:
        from multiprocessing import forkserver

        forkserver.ensure_running()
    return context


def _start(settings: Settings, keep_graph: bool) -> None:
    global _settings, _keep_graph
    _settings, _keep_graph = settings, keep_graph
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle


def _analyze(paths: list[str]) -> list[FileReport]:
    assert _settings is not None
    return [analyze_file(p, _settings.for_path(p)).detached(_keep_graph) for p in paths]


class Progress:
    """A transient rich progress bar on stderr, only for people watching a terminal."""

    def __init__(self, total: int, shown: bool = True) -> None:
        self.total, self.done, self.started = total, 0, time.perf_counter()
        self.enabled = shown and total > 1 and _interactive()
        self.bar: Any = None
        if self.enabled and total > PROGRESS_FILES:
            self._show()

    def advance(self, count: int = 1) -> None:
        self.done += count
        if self.bar is not None:
            self.bar.update(self.task, completed=self.done)
        elif self.enabled and self.done < self.total and self._slow():
            self._show()

    def _slow(self) -> bool:
        return time.perf_counter() - self.started > PROGRESS_SECONDS

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()

    def _show(self) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

        self.bar = Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            transient=True,
            redirect_stdout=False,  # a report streamed to stdout meanwhile stays on stdout
        )
        self.task = self.bar.add_task("droplint", total=self.total, completed=self.done)
        self.bar.start()


def _interactive() -> bool:
    return sys.stderr.isatty() and not os.environ.get("CI")
